"""GetCitizen's shortcuts answer as the generic code they replace.

Compiled read masks select exactly what protobuf's ``FieldMask.MergeMessage`` selects, and the quick
personal-id check accepts exactly what ``parse_personal_id`` accepts.
"""

from __future__ import annotations

import asyncio
import random
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import pytest
from google.protobuf.field_mask_pb2 import FieldMask

from onceonly.common.personal_id import InvalidPersonalId, parse_personal_id
from onceonly.common.provinces import codes
from onceonly.lookup.errors import InvalidArgument, NotFound
from onceonly.lookup.servicers import PopulationRegistry, StoreCalls, check_personal_id
from onceonly.lookup.store import LookupStore
from onceonly.population.v1.population_pb2 import BatchGetCitizensRequest, Citizen, GetCitizenRequest


def _sub_paths() -> list[list[str]]:
    paths = []
    for field in Citizen.DESCRIPTOR.fields:
        if field.message_type is not None:
            paths += [[f"{field.name}.{sub.name}"] for sub in field.message_type.fields]
    return paths


MASKS = [
    *([f.name] for f in Citizen.DESCRIPTOR.fields),
    *_sub_paths(),
    ["full_name", "current_address.province"],
    ["current_address.province", "current_address"],  # a path covers its sub-paths, in either order
    ["current_address", "current_address.ward"],
    ["spouse.full_name", "spouse.birth_year", "father.personal_id", "sex", "sex"],
    [f.name for f in Citizen.DESCRIPTOR.fields],
]


class _Records:
    """A store stand-in serving given records, so odd ones can be served too."""

    async_point_reads = False

    def __init__(self, records: dict[str, bytes]) -> None:
        self.records = records

    def get_citizen_record(self, personal_id: str) -> bytes:
        if personal_id not in self.records:
            raise NotFound("no citizen with this personal id")
        return self.records[personal_id]

    def get_citizens(self, personal_ids: Any) -> dict[str, Citizen]:
        return {p: Citizen.FromString(self.records[p]) for p in personal_ids if p in self.records}


def _registry(records: dict[str, bytes]) -> PopulationRegistry:
    # Reads run inline, as on SQLite: the stand-in never touches the executor.
    calls = StoreCalls(ThreadPoolExecutor(max_workers=1), inline_point_reads=True)
    return PopulationRegistry(_Records(records), calls)  # type: ignore[arg-type]


def _expected(record: bytes, paths: list[str]) -> bytes:
    out = Citizen()
    FieldMask(paths=paths).MergeMessage(Citizen.FromString(record), out)
    return out.SerializeToString(deterministic=True)


@pytest.fixture(scope="module")
def records(seeded_store: LookupStore) -> dict[str, bytes]:
    found = {pid: seeded_store.get_citizen_record(pid) for pid in seeded_store.sample_personal_ids(40)}
    # Odd records: a present but empty address, and a field this schema does not know (number 99).
    odd = Citizen(personal_id="001190000001", full_name="A")
    odd.current_address.SetInParent()
    found[odd.personal_id] = odd.SerializeToString() + b"\x9a\x06\x03abc"
    return found


def test_masks_select_what_merge_message_selects(records: dict[str, bytes]) -> None:
    registry = _registry(records)

    async def check() -> None:
        for paths in MASKS:
            for personal_id, record in records.items():
                request = GetCitizenRequest(personal_id=personal_id, read_mask=FieldMask(paths=paths))
                response = await registry.GetCitizen(request, None)  # type: ignore[arg-type]
                assert response.HasField("citizen")
                assert response.citizen.SerializeToString(deterministic=True) == _expected(record, paths), (
                    paths
                )
            batch = await registry.BatchGetCitizens(
                BatchGetCitizensRequest(personal_ids=list(records), read_mask=FieldMask(paths=paths)),
                None,  # type: ignore[arg-type]
            )
            assert [c.SerializeToString(deterministic=True) for c in batch.citizens] == [
                _expected(r, paths) for r in records.values()
            ]

    asyncio.run(check())


def test_no_mask_is_refused_rather_than_answering_the_whole_record(records: dict[str, bytes]) -> None:
    registry = _registry(records)

    async def check() -> None:
        for personal_id in records:
            with pytest.raises(InvalidArgument, match="read_mask"):
                await registry.GetCitizen(GetCitizenRequest(personal_id=personal_id), None)  # type: ignore[arg-type]
        with pytest.raises(InvalidArgument, match="read_mask"):
            await registry.BatchGetCitizens(
                BatchGetCitizensRequest(personal_ids=list(records)),
                None,  # type: ignore[arg-type]
            )

    asyncio.run(check())


def test_an_invalid_mask_is_refused_every_time(records: dict[str, bytes]) -> None:
    registry = _registry(records)
    personal_id = next(iter(records))

    async def check() -> None:
        for paths in (["salary"], ["full_name.first"], ["current_address.zip"], ["full_name", "salary"]):
            for _ in range(2):  # a refused mask is not cached as valid
                with pytest.raises(InvalidArgument, match="read_mask"):
                    await registry.GetCitizen(
                        GetCitizenRequest(personal_id=personal_id, read_mask=FieldMask(paths=paths)),
                        None,  # type: ignore[arg-type]
                    )

    asyncio.run(check())


def _accepted(check: Any, value: str) -> bool:
    try:
        check(value)
    except (InvalidPersonalId, InvalidArgument):
        return False
    return True


def test_the_quick_id_check_accepts_what_the_parser_accepts() -> None:
    draw = random.Random(5)
    provinces = sorted(codes())
    year = datetime.now(UTC).year % 100
    values = [
        *("".join(draw.choices("0123456789", k=12)) for _ in range(10_000)),
        *(draw.choice(provinces) + "".join(draw.choices("0123456789", k=9)) for _ in range(10_000)),
        *(
            f"{province:03d}{digit}{y:02d}123456"
            for province in (1, 2, 3, 99)
            for digit in range(7)
            for y in (0, year, year + 1, 99)
        ),
        "001090１23456",  # a fullwidth digit in the serial
        "00109012345",
        "0010901234567",
        "001x90123456",
    ]
    assert sum(_accepted(parse_personal_id, v) for v in values) > 1000
    for value in values:
        assert _accepted(check_personal_id, value) == _accepted(parse_personal_id, value), value
