"""The lookup over gRPC, as a client sees it: a real server process on a free port."""

from __future__ import annotations

import hashlib
import json
import subprocess

import grpc
import pytest
from google.protobuf.field_mask_pb2 import FieldMask
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from onceonly.catalog.v1 import catalog_pb2, catalog_pb2_grpc
from onceonly.lookup.store import LookupStore
from onceonly.population.v1 import population_pb2, population_pb2_grpc
from onceonly.results.v1 import results_pb2, results_pb2_grpc
from tests.lookup.conftest import grpcurl_path

UNKNOWN_VALID_ID = "001099999999"


@pytest.fixture
def population(channel: grpc.Channel) -> population_pb2_grpc.PopulationRegistryStub:
    return population_pb2_grpc.PopulationRegistryStub(channel)


@pytest.fixture
def results(channel: grpc.Channel) -> results_pb2_grpc.DigitizedResultsStub:
    return results_pb2_grpc.DigitizedResultsStub(channel)


EVERY_FIELD = FieldMask(paths=[f.name for f in population_pb2.Citizen.DESCRIPTOR.fields])


@pytest.fixture
def catalog(channel: grpc.Channel) -> catalog_pb2_grpc.ProcedureCatalogStub:
    return catalog_pb2_grpc.ProcedureCatalogStub(channel)


def test_get_citizen_returns_the_citizen(
    population: population_pb2_grpc.PopulationRegistryStub, known_ids: list[str]
) -> None:
    citizen = population.GetCitizen(
        population_pb2.GetCitizenRequest(personal_id=known_ids[0], read_mask=EVERY_FIELD), timeout=5
    ).citizen
    assert citizen.personal_id == known_ids[0]
    assert citizen.full_name == f"{citizen.family_name} {citizen.middle_name} {citizen.given_name}"
    assert citizen.permanent_address.province


def test_read_mask_is_honoured(
    population: population_pb2_grpc.PopulationRegistryStub, known_ids: list[str]
) -> None:
    request = population_pb2.GetCitizenRequest(
        personal_id=known_ids[1], read_mask=FieldMask(paths=["full_name", "current_address.province"])
    )
    citizen = population.GetCitizen(request, timeout=5).citizen
    assert citizen.full_name
    assert citizen.current_address.province
    assert not citizen.current_address.ward
    assert not citizen.personal_id
    assert not citizen.date_of_birth
    assert not citizen.HasField("permanent_address")


def test_an_empty_mask_is_invalid_never_the_whole_record(
    population: population_pb2_grpc.PopulationRegistryStub, known_ids: list[str]
) -> None:
    with pytest.raises(grpc.RpcError) as error:
        population.GetCitizen(population_pb2.GetCitizenRequest(personal_id=known_ids[0]), timeout=5)
    assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "read_mask" in (error.value.details() or "")


def test_a_mask_naming_unknown_fields_is_invalid(
    population: population_pb2_grpc.PopulationRegistryStub, known_ids: list[str]
) -> None:
    request = population_pb2.GetCitizenRequest(
        personal_id=known_ids[0], read_mask=FieldMask(paths=["salary"])
    )
    with pytest.raises(grpc.RpcError) as error:
        population.GetCitizen(request, timeout=5)
    assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT


def test_a_malformed_id_is_invalid_argument_with_the_reason(
    population: population_pb2_grpc.PopulationRegistryStub,
) -> None:
    with pytest.raises(grpc.RpcError) as error:
        population.GetCitizen(population_pb2.GetCitizenRequest(personal_id="999190001234"), timeout=5)
    assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "province code 999 is not a Vietnamese province code" in (error.value.details() or "")


def test_a_valid_unknown_id_is_not_found(population: population_pb2_grpc.PopulationRegistryStub) -> None:
    with pytest.raises(grpc.RpcError) as error:
        population.GetCitizen(
            population_pb2.GetCitizenRequest(personal_id=UNKNOWN_VALID_ID, read_mask=EVERY_FIELD), timeout=5
        )
    assert error.value.code() == grpc.StatusCode.NOT_FOUND


def test_batch_get_lists_unknown_ids_apart(
    population: population_pb2_grpc.PopulationRegistryStub, known_ids: list[str]
) -> None:
    request = population_pb2.BatchGetCitizensRequest(
        personal_ids=[known_ids[2], UNKNOWN_VALID_ID, known_ids[3]],
        read_mask=FieldMask(paths=["personal_id"]),
    )
    response = population.BatchGetCitizens(request, timeout=5)
    assert [c.personal_id for c in response.citizens] == [known_ids[2], known_ids[3]]
    assert list(response.not_found_ids) == [UNKNOWN_VALID_ID]


def test_verify_citizen_answers_yes_or_no(
    population: population_pb2_grpc.PopulationRegistryStub, known_ids: list[str]
) -> None:
    citizen = population.GetCitizen(
        population_pb2.GetCitizenRequest(personal_id=known_ids[4], read_mask=EVERY_FIELD), timeout=5
    ).citizen
    claims = {"full_name": f"  {citizen.full_name.upper()} ", "date_of_birth": citizen.date_of_birth}
    response = population.VerifyCitizen(
        population_pb2.VerifyCitizenRequest(personal_id=known_ids[4], claims=claims), timeout=5
    )
    assert response.match
    wrong = population.VerifyCitizen(
        population_pb2.VerifyCitizenRequest(personal_id=known_ids[4], claims={"date_of_birth": "1800-01-01"}),
        timeout=5,
    )
    assert not wrong.match
    assert wrong.exists  # a citizen whose claims do not match was still found
    assert dict(wrong.field_matches) == {"date_of_birth": False}
    unknown = population.VerifyCitizen(
        population_pb2.VerifyCitizenRequest(personal_id=UNKNOWN_VALID_ID, claims={"full_name": "A"}),
        timeout=5,
    )
    assert not unknown.exists
    assert not unknown.match


def test_a_claim_on_an_unset_relative_never_matches(
    population: population_pb2_grpc.PopulationRegistryStub, known_ids: list[str]
) -> None:
    for personal_id in known_ids:
        citizen = population.GetCitizen(
            population_pb2.GetCitizenRequest(personal_id=personal_id, read_mask=EVERY_FIELD), timeout=5
        ).citizen
        if not citizen.HasField("spouse"):
            break
    else:
        pytest.fail("the seeded registry should hold citizens without a spouse")
    answer = population.VerifyCitizen(
        population_pb2.VerifyCitizenRequest(
            personal_id=personal_id, claims={"spouse.personal_id": "", "spouse.full_name": ""}
        ),
        timeout=5,
    )
    assert answer.exists
    assert not answer.match
    assert dict(answer.field_matches) == {"spouse.personal_id": False, "spouse.full_name": False}


def test_relations_are_read_from_both_records(
    population: population_pb2_grpc.PopulationRegistryStub, known_ids: list[str]
) -> None:
    def relation(applicant: str, subject: str) -> population_pb2.GetRelationResponse:
        return population.GetRelation(
            population_pb2.GetRelationRequest(applicant_personal_id=applicant, subject_personal_id=subject),
            timeout=5,
        )

    seen = set()
    for personal_id in known_ids:
        citizen = population.GetCitizen(
            population_pb2.GetCitizenRequest(personal_id=personal_id, read_mask=EVERY_FIELD), timeout=5
        ).citizen
        assert relation(personal_id, personal_id).relation == population_pb2.RELATION_SELF
        for ref, forward, backward in (
            (citizen.father if citizen.HasField("father") else None, population_pb2.RELATION_PARENT,
             population_pb2.RELATION_CHILD),
            (citizen.spouse if citizen.HasField("spouse") else None, population_pb2.RELATION_SPOUSE,
             population_pb2.RELATION_SPOUSE),
        ):  # fmt: skip
            if ref is not None and ref.personal_id:
                there = relation(personal_id, ref.personal_id)
                if there.subject_exists:
                    assert there.relation == forward
                    assert relation(ref.personal_id, personal_id).relation == backward
                    seen.add(forward)
    assert seen, "no sampled citizen has a recorded father or spouse in the registry"
    stranger = relation(known_ids[0], UNKNOWN_VALID_ID)
    assert stranger.relation == population_pb2.RELATION_NONE
    assert stranger.applicant_exists
    assert not stranger.subject_exists


def _owner_with_results(results: results_pb2_grpc.DigitizedResultsStub, known_ids: list[str]) -> str:
    for personal_id in known_ids:
        if results.ListResults(
            results_pb2.ListResultsRequest(owner_personal_id=personal_id), timeout=5
        ).results:
            return personal_id
    raise AssertionError("no sampled citizen has results")


def test_results_pagination_is_complete_and_stable(
    results: results_pb2_grpc.DigitizedResultsStub, seeded_store: LookupStore, known_ids: list[str]
) -> None:
    owner = _owner_with_results(results, known_ids)
    everything = results.ListResults(
        results_pb2.ListResultsRequest(owner_personal_id=owner, page_size=500), timeout=5
    ).results
    pages: list[str] = []
    token = ""
    while True:
        page = results.ListResults(
            results_pb2.ListResultsRequest(owner_personal_id=owner, page_size=1, page_token=token), timeout=5
        )
        pages += [r.result_id for r in page.results]
        token = page.next_page_token
        if not token:
            break
    assert pages == [r.result_id for r in everything]
    assert [r.issued_on for r in everything] == sorted((r.issued_on for r in everything), reverse=True)


def test_register_get_verify_and_revoke_a_result(
    results: results_pb2_grpc.DigitizedResultsStub, known_ids: list[str]
) -> None:
    content = hashlib.sha256(b"scanned certificate").hexdigest()
    result = results_pb2.Result(
        result_id="TEST-KS-1",
        result_type="birth_certificate",
        owner_personal_id=known_ids[5],
        title="Giấy khai sinh",
        issuing_agency="UBND.PHUONG-BEN-THANH.HO-CHI-MINH",
        document_number="12/2024",
        issued_on="2024-03-01",
        content_sha256=content,
    )
    first = results.RegisterResult(results_pb2.RegisterResultRequest(result=result), timeout=5)
    again = results.RegisterResult(results_pb2.RegisterResultRequest(result=result), timeout=5)
    assert (first.created, again.created) == (True, False)
    assert first.result.status == results_pb2.RESULT_STATUS_VALID
    changed = results_pb2.Result()
    changed.CopyFrom(result)
    changed.title = "Something else"
    with pytest.raises(grpc.RpcError) as error:
        results.RegisterResult(results_pb2.RegisterResultRequest(result=changed), timeout=5)
    assert error.value.code() == grpc.StatusCode.ALREADY_EXISTS
    verified = results.VerifyResult(results_pb2.VerifyResultRequest(content_sha256=content), timeout=5)
    assert verified.authentic
    assert verified.result.result_id == "TEST-KS-1"
    revoked = results.RevokeResult(
        results_pb2.RevokeResultRequest(result_id="TEST-KS-1", reason="Cấp sai"), timeout=5
    )
    assert revoked.result.status == results_pb2.RESULT_STATUS_REVOKED
    fetched = results.GetResult(results_pb2.GetResultRequest(result_id="TEST-KS-1"), timeout=5).result
    assert fetched.revocation_reason == "Cấp sai"
    assert fetched.revoked_at.seconds > 0
    unknown = results.VerifyResult(results_pb2.VerifyResultRequest(content_sha256="0" * 64), timeout=5)
    assert not unknown.authentic


def test_get_unknown_result_is_not_found(results: results_pb2_grpc.DigitizedResultsStub) -> None:
    with pytest.raises(grpc.RpcError) as error:
        results.GetResult(results_pb2.GetResultRequest(result_id="NO-SUCH-RESULT"), timeout=5)
    assert error.value.code() == grpc.StatusCode.NOT_FOUND


def test_catalog_lists_every_procedure_across_pages(catalog: catalog_pb2_grpc.ProcedureCatalogStub) -> None:
    codes: list[str] = []
    token = ""
    while True:
        page = catalog.ListProcedures(
            catalog_pb2.ListProceduresRequest(page_size=7, page_token=token), timeout=5
        )
        codes += [p.code for p in page.procedures]
        token = page.next_page_token
        if not token:
            break
    assert codes == sorted(codes)
    assert len(codes) == len(set(codes)) >= 20
    birth = catalog.GetProcedure(catalog_pb2.GetProcedureRequest(code="1.001193"), timeout=5).procedure
    assert birth.name == "Đăng ký khai sinh"
    assert birth.issues_result_type == "birth_certificate"
    domains = {
        catalog.GetProcedure(catalog_pb2.GetProcedureRequest(code=code), timeout=5).procedure.domain
        for code in codes
    }
    assert domains == {
        "civil_status",
        "residence",
        "judicial_records",
        "land",
        "business",
        "construction",
        "labour",
    }


def test_a_forged_page_token_is_invalid(catalog: catalog_pb2_grpc.ProcedureCatalogStub) -> None:
    with pytest.raises(grpc.RpcError) as error:
        catalog.ListProcedures(catalog_pb2.ListProceduresRequest(page_token="not-a-token!"), timeout=5)
    assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT


def test_health_is_serving(channel: grpc.Channel) -> None:
    stub = health_pb2_grpc.HealthStub(channel)
    for service in ("", "onceonly.population.v1.PopulationRegistry"):
        status = stub.Check(health_pb2.HealthCheckRequest(service=service), timeout=5).status
        assert status == health_pb2.HealthCheckResponse.SERVING


def test_reflection_lists_the_services(channel: grpc.Channel) -> None:
    stub = reflection_pb2_grpc.ServerReflectionStub(channel)
    responses = stub.ServerReflectionInfo(iter([reflection_pb2.ServerReflectionRequest(list_services="")]))
    names = {service.name for response in responses for service in response.list_services_response.service}
    assert {
        "onceonly.population.v1.PopulationRegistry",
        "onceonly.results.v1.DigitizedResults",
        "onceonly.catalog.v1.ProcedureCatalog",
        "grpc.health.v1.Health",
    } <= names


def test_grpcurl_lists_services_and_gets_a_citizen(lookup_address: str, known_ids: list[str]) -> None:
    grpcurl = grpcurl_path()
    if grpcurl is None:
        pytest.fail("grpcurl is not installed: run `make tools`")
    listed = subprocess.run(
        [grpcurl, "-plaintext", lookup_address, "list"],
        check=True,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert "onceonly.population.v1.PopulationRegistry" in listed.stdout.split()
    request = {"personal_id": known_ids[0], "read_mask": {"paths": ["personal_id"]}}
    got = subprocess.run(
        [
            grpcurl, "-plaintext", "-d", json.dumps(request),
            lookup_address,
            "onceonly.population.v1.PopulationRegistry/GetCitizen",
        ],
        capture_output=True, text=True, timeout=30, check=True,
    )  # fmt: skip
    assert f'"personal_id": "{known_ids[0]}"' in got.stdout
