"""The synthetic population: deterministic, consistent, plausible."""

from __future__ import annotations

from collections import Counter
from datetime import date

from onceonly.common.personal_id import Sex, parse_personal_id
from onceonly.common.provinces import PROVINCES_2025, province_2025
from onceonly.lookup.generator import generate_chunk
from onceonly.population.v1.population_pb2 import MARITAL_STATUS_MARRIED, SEX_FEMALE, Citizen
from onceonly.results.v1.results_pb2 import Result


def test_same_seed_same_bytes_other_seed_other_bytes() -> None:
    assert generate_chunk(7, 0, 3000) == generate_chunk(7, 0, 3000)
    assert generate_chunk(7, 0, 3000).citizens != generate_chunk(8, 0, 3000).citizens


def test_chunks_hold_exactly_their_share_and_ids_are_unique() -> None:
    chunks = [generate_chunk(3, i, 2500, chunk_size=1000) for i in range(3)]
    assert [len(c.citizens) for c in chunks] == [1000, 1000, 500]
    ids = [row[0] for c in chunks for row in c.citizens]
    assert len(set(ids)) == len(ids)


def test_citizens_are_consistent_with_their_ids_and_each_other() -> None:
    chunk = generate_chunk(11, 0, 3000)
    citizens = {pid: Citizen.FromString(record) for pid, _, record in chunk.citizens}
    for citizen in citizens.values():
        parse_personal_id(
            citizen.personal_id,
            date_of_birth=date.fromisoformat(citizen.date_of_birth),
            sex=Sex.FEMALE if citizen.sex == SEX_FEMALE else Sex.MALE,
        )
        assert citizen.permanent_address.province in PROVINCES_2025
        assert citizen.current_address.province in PROVINCES_2025
        assert citizen.hometown in PROVINCES_2025
        assert province_2025(citizen.personal_id[:3]) == province_2025(citizen.birth_registration_place)
        head = citizens[citizen.household_head.personal_id]
        assert head.household_id == citizen.household_id
        if citizen.HasField("spouse"):
            spouse = citizens[citizen.spouse.personal_id]
            assert spouse.spouse.personal_id == citizen.personal_id
            assert citizen.marital_status == spouse.marital_status == MARITAL_STATUS_MARRIED
        for parent in (citizen.father, citizen.mother):
            if parent.personal_id:
                assert citizens[parent.personal_id].full_name == parent.full_name
                assert int(citizen.date_of_birth[:4]) - parent.birth_year >= 18
    family_names = Counter(c.family_name for c in citizens.values()).most_common(3)
    assert family_names[0][0] == "Nguyễn"
    moved = sum(c.current_address.province != c.permanent_address.province for c in citizens.values())
    born_elsewhere = sum(
        province_2025(c.personal_id[:3]) != c.permanent_address.province for c in citizens.values()
    )
    assert 0 < moved < len(citizens) / 5
    assert 0 < born_elsewhere < len(citizens) / 2


def test_results_belong_to_citizens_and_some_are_revoked() -> None:
    chunk = generate_chunk(5, 0, 5000)
    ids = {row[0] for row in chunk.citizens}
    types = Counter(row[2] for row in chunk.results)
    assert len(types) == 7
    assert all(row[1] in ids for row in chunk.results)
    assert any(row[6] is not None for row in chunk.results)
    assert any(row[4] is not None for row in chunk.results)
    hashes = [Result.FromString(row[8]).content_sha256 for row in chunk.results]
    assert len(set(hashes)) == len(hashes)


def test_records_are_what_deterministic_serialization_gives() -> None:
    # Records are encoded by hand; they must be the bytes protobuf itself would write.
    chunk = generate_chunk(13, 0, 4000)
    for _, _, record in chunk.citizens:
        assert Citizen.FromString(record).SerializeToString(deterministic=True) == record
    for row in chunk.results:
        result = Result.FromString(row[8])
        assert result.SerializeToString(deterministic=True) == row[8]
        assert (result.result_id, result.owner_personal_id, result.result_type, result.issued_on) == row[:4]
        assert (result.valid_until or None, result.content_sha256) == row[4:6]
        assert result.attributes["issuing_agency_name"]


def test_a_population_beyond_the_bijection_keeps_ids_unique_and_valid() -> None:
    # 10⁷ citizens in chunks of 20,000: each chunk numbers its id prefixes inside its own 2,000 serials.
    chunks = [generate_chunk(3, i, 10_000_000) for i in (0, 1, 499)]
    ids = [row[0] for c in chunks for row in c.citizens]
    assert len(ids) == 60_000
    assert len(set(ids)) == len(ids)
    serials = [int(pid[6:]) for pid in ids[40_000:]]
    assert min(serials) >= 499 * 2_000
    assert max(serials) < 1_000_000
    for pid in ids[:1000]:
        parse_personal_id(pid)


def test_small_populations_keep_their_ids() -> None:
    # Below the bijection's limit the ids are what they always were (fixtures and docs name them): the
    # serial is the citizen's index permuted, 104729 for the first. Beyond it, the chunk's range counts.
    assert generate_chunk(1, 0, 1_000_000).citizens[0][0].endswith("104729")
    assert generate_chunk(1, 0, 1_000_001).citizens[0][0].endswith("000000")
