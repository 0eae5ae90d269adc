"""The purpose matrix: every data route × {own dossier, another agency's, unknown, wrong procedure} ×
{subject = applicant, relative, stranger} → the status, the audit record and the event each must give,
on SQLite and PostgreSQL. Then minimization that holds against a caller who lies (hypothesis), the
relative's own access log, the dates at the door and the import scope."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import grpc
import pytest
from google.protobuf.field_mask_pb2 import FieldMask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, select

from onceonly.common.events import decode, payload_kind
from onceonly.common.outbox import outbox_table
from onceonly.events.v1 import events_pb2
from onceonly.gateway.agencies import Scope
from onceonly.gateway.problems import PROBLEM_BASE
from onceonly.gateway.store import audit_table
from onceonly.population.v1 import population_pb2, population_pb2_grpc
from onceonly.results.v1 import results_pb2, results_pb2_grpc
from tests.gateway.conftest import Gateway, LookupServer, auth

# Civil status extract copy: identity, father and mother; its optional component takes a birth certificate.
PROCEDURE = "2.000635"
OTHER_PROCEDURE = "1.004227"
EVERY_FIELD = FieldMask(paths=[f.name for f in population_pb2.Citizen.DESCRIPTOR.fields])


@dataclass(frozen=True)
class People:
    applicant: str
    relative: str
    stranger: str
    # A birth certificate of each, registered for these tests; content hashes by subject.
    results: dict[str, str]
    hashes: dict[str, str]


def _citizen(registry: population_pb2_grpc.PopulationRegistryStub, pid: str) -> population_pb2.Citizen:
    return registry.GetCitizen(
        population_pb2.GetCitizenRequest(personal_id=pid, read_mask=EVERY_FIELD), timeout=5
    ).citizen


@pytest.fixture(scope="module")
def people(lookup_server: LookupServer) -> People:
    """An applicant whose father or spouse is in the registry, that relative, and a stranger to both."""
    with grpc.insecure_channel(lookup_server.target) as channel:
        registry = population_pb2_grpc.PopulationRegistryStub(channel)
        results = results_pb2_grpc.DigitizedResultsStub(channel)
        found: tuple[str, str] | None = None
        for pid in lookup_server.citizens:
            citizen = _citizen(registry, pid)
            for ref in (citizen.spouse, citizen.father, citizen.mother):
                if (
                    ref.personal_id
                    and registry.GetRelation(
                        population_pb2.GetRelationRequest(
                            applicant_personal_id=pid, subject_personal_id=ref.personal_id
                        ),
                        timeout=5,
                    ).subject_exists
                ):
                    found = pid, ref.personal_id
                    break
            if found:
                break
        assert found, "no sampled citizen has a relative in the registry"
        applicant, relative = found
        stranger = next(
            p
            for p in lookup_server.citizens
            if p not in found
            and registry.GetRelation(
                population_pb2.GetRelationRequest(applicant_personal_id=applicant, subject_personal_id=p),
                timeout=5,
            ).relation
            == population_pb2.RELATION_NONE
        )
        ids, hashes = {}, {}
        for who, pid in (("applicant", applicant), ("relative", relative), ("stranger", stranger)):
            content = hashlib.sha256(f"purpose-{who}-{pid}".encode()).hexdigest()
            result = results_pb2.Result(
                result_id=f"PURPOSE-{who}-{pid}",
                result_type="birth_certificate",
                owner_personal_id=pid,
                title="Giấy khai sinh",
                issuing_agency="TEST",
                issued_on="2020-01-01",
                content_sha256=content,
            )
            results.RegisterResult(results_pb2.RegisterResultRequest(result=result), timeout=5)
            ids[pid], hashes[pid] = result.result_id, content
    return People(applicant, relative, stranger, ids, hashes)


def _request(route: str, subject: str, people: People) -> tuple[str, str, dict[str, Any] | None]:
    if route == "citizen.read":
        return "GET", f"/v1/citizens/{subject}", None
    if route == "citizen.verify":
        return (
            "POST",
            "/v1/citizens/verify",
            {"personal_id": subject, "claims": {"full_name": "Nguyễn Văn An"}},
        )
    if route == "results.list":
        return "GET", f"/v1/citizens/{subject}/results", None
    if route == "result.read":
        return "GET", f"/v1/results/{people.results[subject]}", None
    assert route == "result.verify"
    return "POST", "/v1/results/verify", {"content_sha256": people.hashes[subject]}


ROUTES = ["citizen.read", "citizen.verify", "results.list", "result.read", "result.verify"]
# dossier case → (status, problem, audit outcome) whatever the subject; the dossier is checked first.
DOSSIER_CASES: dict[str, tuple[int, str]] = {
    "another agency's": (403, "not-your-dossier"),
    "unknown": (404, "dossier-not-open"),
    "wrong procedure": (409, "procedure-mismatch"),
}
SUBJECT_CASES: dict[str, tuple[int, str | None, int]] = {
    "applicant": (200, None, events_pb2.SUBJECT_RELATION_APPLICANT),
    "relative": (200, None, events_pb2.SUBJECT_RELATION_RELATIVE),
    "stranger": (403, "subject-not-related", events_pb2.SUBJECT_RELATION_STRANGER),
}


def _last_audit(engine: Engine) -> Any:
    with engine.connect() as conn:
        return conn.execute(select(audit_table).order_by(audit_table.c.seq.desc()).limit(1)).one()


def _last_event(engine: Engine) -> events_pb2.DataReused | None:
    with engine.connect() as conn:
        row = conn.execute(select(outbox_table.c.value).order_by(outbox_table.c.id.desc()).limit(1)).first()
    if row is None:
        return None
    envelope = decode(row.value)
    return envelope.data_reused if payload_kind(envelope) == "data_reused" else None


def test_the_purpose_matrix(gateway: Gateway, people: People) -> None:
    mine = gateway.agency("HN-01")
    theirs = gateway.agency("HN-02")
    gateway.open(mine, people.applicant, dossier="HN-01-MATRIX", procedure=PROCEDURE)
    gateway.open(theirs, people.applicant, dossier="HN-02-MATRIX", procedure=PROCEDURE)
    headers = {
        "own": auth(mine, dossier="HN-01-MATRIX", procedure=PROCEDURE),
        "another agency's": auth(mine, dossier="HN-02-MATRIX", procedure=PROCEDURE),
        "unknown": auth(mine, dossier="HN-01-NEVER-OPENED", procedure=PROCEDURE),
        "wrong procedure": auth(mine, dossier="HN-01-MATRIX", procedure=OTHER_PROCEDURE),
    }
    subjects = {"applicant": people.applicant, "relative": people.relative, "stranger": people.stranger}
    checked = 0
    for route in ROUTES:
        for dossier_case, dossier_headers in headers.items():
            for subject_case, subject in subjects.items():
                method, path, body = _request(route, subject, people)
                r = gateway.client.request(method, path, json=body, headers=dossier_headers)
                where = (route, dossier_case, subject_case, r.text)
                audit, event = _last_audit(gateway.engine), _last_event(gateway.engine)
                assert r.headers.get("X-Audit-Hash") == audit.hash, where
                assert audit.action == route, where
                assert event is not None, where
                assert event.dossier_id == dossier_headers["X-Dossier-Id"], where
                if dossier_case != "own":
                    status, refusal = DOSSIER_CASES[dossier_case]
                    assert r.status_code == status, where
                    assert r.json()["type"] == PROBLEM_BASE + refusal, where
                    assert audit.outcome == "denied", where
                    assert event.outcome == events_pb2.LOOKUP_OUTCOME_DENIED, where
                else:
                    status, problem, relation = SUBJECT_CASES[subject_case]
                    assert r.status_code == status, where
                    if problem is not None:
                        assert r.json()["type"] == PROBLEM_BASE + problem, where
                        assert audit.outcome == "denied", where
                        assert event.outcome == events_pb2.LOOKUP_OUTCOME_DENIED, where
                    else:
                        assert audit.outcome == "hit", where
                        assert event.outcome == events_pb2.LOOKUP_OUTCOME_HIT, where
                    assert event.subject_relation == relation, where
                    pseudonym = gateway.client.app.state.runtime.pseudonyms.pseudonym  # type: ignore[attr-defined]
                    assert event.applicant_pseudonym == pseudonym(people.applicant), where
                    if route.startswith("citizen") or route == "results.list":
                        assert audit.subject_pseudonym == pseudonym(subject), where
                checked += 1
    assert checked == len(ROUTES) * len(headers) * len(subjects)


def test_a_relatives_data_disclosed_is_in_the_relatives_own_log(gateway: Gateway, people: People) -> None:
    key = gateway.agency("HN-01", scopes=[Scope.POPULATION_READ, Scope.AUDIT_READ])
    headers = gateway.open(
        key, people.applicant, dossier="HN-01-REL", procedure="1.004194"
    )  # parents, spouse
    r = gateway.client.get(f"/v1/citizens/{people.applicant}", headers=headers)
    assert r.status_code == 200, r.text
    log = gateway.client.get("/v1/access-log", params={"personal_id": people.relative}, headers=auth(key))
    (entry,) = [a for a in log.json()["accesses"] if a["action"] == "citizen.read.relative"]
    assert entry["dossier_id"] == "HN-01-REL"
    assert entry["fields"]
    assert all(f.split(".")[0] in {"father", "mother", "spouse", "household_head"} for f in entry["fields"])


def test_an_unset_relative_is_absent_and_never_verifies(
    sqlite_gateway: Gateway, lookup_server: LookupServer
) -> None:
    with grpc.insecure_channel(lookup_server.target) as channel:
        registry = population_pb2_grpc.PopulationRegistryStub(channel)
        single = next(p for p in lookup_server.citizens if not _citizen(registry, p).HasField("spouse"))
    key = sqlite_gateway.agency("HN-01")
    headers = sqlite_gateway.open(
        key, single, dossier="HN-01-SINGLE", procedure="1.004873"
    )  # may read spouse
    read = sqlite_gateway.client.get(f"/v1/citizens/{single}", headers=headers)
    assert read.status_code == 200, read.text
    assert "spouse" in read.json()["fields"]
    assert "spouse" not in read.json()["citizen"]
    verify = sqlite_gateway.client.post(
        "/v1/citizens/verify",
        json={"personal_id": single, "claims": {"spouse.personal_id": ""}},
        headers=headers,
    )
    assert verify.status_code == 200, verify.text
    assert verify.json() == {"match": False, "field_matches": {"spouse.personal_id": False}}


def test_verify_of_an_existing_citizen_is_a_hit_whatever_the_claims(
    sqlite_gateway: Gateway, people: People
) -> None:
    key = sqlite_gateway.agency("HN-01")
    headers = sqlite_gateway.open(key, people.applicant, dossier="HN-01-VHIT", procedure=PROCEDURE)
    r = sqlite_gateway.client.post(
        "/v1/citizens/verify",
        json={"personal_id": people.applicant, "claims": {"date_of_birth": "1800-01-01"}},
        headers=headers,
    )
    assert r.status_code == 200, r.text
    assert r.json()["match"] is False
    assert _last_audit(sqlite_gateway.engine).outcome == "hit"
    event = _last_event(sqlite_gateway.engine)
    assert event is not None
    assert event.outcome == events_pb2.LOOKUP_OUTCOME_HIT


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(data=st.data())
def test_nothing_outside_the_entitlement_is_learned_through_any_route(
    sqlite_gateway: Gateway, lookup_server: LookupServer, data: st.DataObject
) -> None:
    """For random procedures, fields and citizens: get answers only entitled paths, verify refuses
    claims on any other, results list and get show only accepted types with narrowed attributes."""
    from onceonly.gateway.minimization import (
        ATTRIBUTE_FIELDS,
        accepted_result_types,
        citizen_paths,
        entitled_to,
    )
    from onceonly.lookup.catalog import PROCEDURES

    procedure = data.draw(st.sampled_from(PROCEDURES))
    pid = data.draw(st.sampled_from(lookup_server.citizens))
    asked = data.draw(st.lists(st.sampled_from(sorted(citizen_paths())), min_size=1, max_size=6, unique=True))
    if id(sqlite_gateway) not in _keys:  # one agency for all of this test's examples
        _keys[id(sqlite_gateway)] = sqlite_gateway.agency("HN-01")
    key = _keys[id(sqlite_gateway)]
    dossier = f"HN-01-P-{procedure.code}-{pid}"
    headers = sqlite_gateway.open(key, pid, dossier=dossier, procedure=procedure.code)
    entitled = list(procedure.population_fields)

    got = sqlite_gateway.client.get(
        f"/v1/citizens/{pid}", params={"fields": ",".join(asked)}, headers=headers
    )
    if got.status_code == 200:
        for path in got.json()["fields"]:
            assert entitled_to(entitled, path), (procedure.code, path)
        for head, value in got.json()["citizen"].items():
            if isinstance(value, dict):
                for sub in value:
                    assert entitled_to(entitled, f"{head}.{sub}"), (procedure.code, head, sub)
            else:
                assert entitled_to(entitled, head), (procedure.code, head)
    else:
        assert got.status_code in (403, 404), got.text

    claims = {
        path: "x"
        for path in asked
        if "." in path
        or path
        not in {"father", "mother", "spouse", "household_head", "permanent_address", "current_address"}
    }
    if claims:
        verify = sqlite_gateway.client.post(
            "/v1/citizens/verify", json={"personal_id": pid, "claims": claims}, headers=headers
        )
        if any(not entitled_to(entitled, path) for path in claims):
            assert verify.status_code == 403, verify.text
            assert verify.json()["type"] == PROBLEM_BASE + "fields-not-permitted"
        else:
            assert verify.status_code == 200, verify.text

    accepted = accepted_result_types(procedure)
    listed = sqlite_gateway.client.get(f"/v1/citizens/{pid}/results", headers=headers)
    if not accepted:
        assert listed.status_code == 403, listed.text
    else:
        assert listed.status_code == 200, listed.text
        for result in listed.json()["results"]:
            assert result["result_type"] in accepted
            for name in result["attributes"]:
                assert name not in ATTRIBUTE_FIELDS or entitled_to(entitled, ATTRIBUTE_FIELDS[name])
    with grpc.insecure_channel(lookup_server.target) as channel:
        everything = results_pb2_grpc.DigitizedResultsStub(channel).ListResults(
            results_pb2.ListResultsRequest(owner_personal_id=pid, page_size=50), timeout=5
        )
    for result in everything.results:
        one = sqlite_gateway.client.get(f"/v1/results/{result.result_id}", headers=headers)
        if result.result_type in accepted:
            assert one.status_code == 200, one.text
            for name in one.json()["attributes"]:
                assert name not in ATTRIBUTE_FIELDS or entitled_to(entitled, ATTRIBUTE_FIELDS[name])
        else:
            assert one.status_code == 403, one.text
            assert "attributes" not in one.json()


_keys: dict[int, str] = {}


# Dates at the door ------------------------------------------------------------------------------------


def _receipt(dossier_id: str, pid: str, **extra: Any) -> dict[str, Any]:
    return {
        "dossier_id": dossier_id,
        "procedure_code": PROCEDURE,
        "applicant_personal_id": pid,
        "channel": "online",
        "components": [{"code": "to_khai", "state": 1}],
        **extra,
    }


@pytest.mark.parametrize(
    "received_at",
    ["9999-12-31T23:00:00Z", "0001-01-01T00:00:00+07:00", "0001-01-01T00:00:00Z", "1999-12-31T00:00:00Z"],
)
def test_extreme_receipt_dates_are_a_422(sqlite_gateway: Gateway, people: People, received_at: str) -> None:
    key = sqlite_gateway.agency("HN-01")
    r = sqlite_gateway.client.post(
        "/v1/dossiers",
        json=_receipt("HN-01-EXTREME", people.applicant, received_at=received_at),
        headers=auth(key),
    )
    assert r.status_code == 422, r.text
    assert r.json()["type"] == PROBLEM_BASE + "implausible-date"


def test_receipt_and_resolution_dates_are_held_to_the_clock(
    db_url: str, lookup_server: LookupServer, people: People
) -> None:
    from tests.gateway.conftest import make_gateway

    for gw in make_gateway(
        db_url, lookup_server.target, {"clock_skew_seconds": 60, "backdate_window_days": 7}
    ):
        live = gw.agency("HN-01", scopes=[Scope.DOSSIERS_WRITE])
        importer = gw.agency("HN-02", scopes=[Scope.DOSSIERS_IMPORT])
        now = datetime.now(UTC)
        ahead = gw.client.post(
            "/v1/dossiers",
            json=_receipt(
                "HN-01-AHEAD", people.applicant, received_at=(now + timedelta(minutes=5)).isoformat()
            ),
            headers=auth(live),
        )
        assert ahead.status_code == 422, ahead.text
        within_skew = gw.client.post(
            "/v1/dossiers",
            json=_receipt(
                "HN-01-SKEW", people.applicant, received_at=(now + timedelta(seconds=20)).isoformat()
            ),
            headers=auth(live),
        )
        assert within_skew.status_code == 201, within_skew.text
        old = (now - timedelta(days=30)).isoformat()
        refused = gw.client.post(
            "/v1/dossiers", json=_receipt("HN-01-OLD", people.applicant, received_at=old), headers=auth(live)
        )
        assert refused.status_code == 403, refused.text
        assert refused.json()["type"] == PROBLEM_BASE + "backdating-needs-import"
        recent = gw.client.post(
            "/v1/dossiers",
            json=_receipt("HN-01-YDAY", people.applicant, received_at=(now - timedelta(days=1)).isoformat()),
            headers=auth(live),
        )
        assert recent.status_code == 201, recent.text
        assert recent.json()["imported"] is False
        imported = gw.client.post(
            "/v1/dossiers",
            json=_receipt("HN-02-OLD", people.applicant, received_at=old),
            headers=auth(importer),
        )
        assert imported.status_code == 201, imported.text
        assert imported.json()["imported"] is True
        with gw.engine.connect() as conn:
            origins = {}
            for (value,) in conn.execute(select(outbox_table.c.value)):
                envelope = decode(value)
                if payload_kind(envelope) == "dossier_received":
                    origins[envelope.dossier_received.dossier_id] = envelope.dossier_received.origin
        assert origins["HN-02-OLD"] == events_pb2.DOSSIER_ORIGIN_IMPORTED
        assert origins["HN-01-YDAY"] == events_pb2.DOSSIER_ORIGIN_LIVE

        before = (now - timedelta(days=31)).isoformat()
        for resolved_at, status in (
            (before, 422),  # before the receipt
            ((now + timedelta(days=365)).isoformat(), 422),  # in the future
            ("9999-12-31T23:59:59Z", 422),
            ((now - timedelta(days=29)).isoformat(), 201),
        ):
            r = gw.client.post(
                "/v1/dossiers/HN-02-OLD/resolution",
                json={"outcome": "approved", "resolved_at": resolved_at},
                headers=auth(importer),
            )
            assert r.status_code == status, (resolved_at, r.text)


def test_a_reused_component_needs_a_received_source_of_the_same_applicant(
    sqlite_gateway: Gateway, people: People
) -> None:
    key = sqlite_gateway.agency("HN-01")
    first = sqlite_gateway.client.post(
        "/v1/dossiers", json=_receipt("HN-01-SRC", people.applicant), headers=auth(key)
    )
    assert first.status_code == 201, first.text
    other = sqlite_gateway.client.post(
        "/v1/dossiers", json=_receipt("HN-01-SRC-2", people.stranger), headers=auth(key)
    )
    assert other.status_code == 201, other.text

    def reusing(dossier_id: str, source: str) -> Any:
        components = [{"code": "to_khai", "state": 2, "source_dossier_id": source}]
        return sqlite_gateway.client.post(
            "/v1/dossiers",
            json=_receipt(dossier_id, people.applicant, components=components),
            headers=auth(key),
        )

    for dossier_id, source, reason in (
        ("HN-01-R1", "NO-SUCH-DOSSIER-EVER", "never received"),
        ("HN-01-R2", "HN-01-SRC-2", "another applicant's"),
        ("HN-01-R3", "HN-01-R3", "its own"),
    ):
        r = reusing(dossier_id, source)
        assert r.status_code == 422, r.text
        assert r.json()["type"] == PROBLEM_BASE + "invalid-component"
        assert r.json()["component"] == "to_khai"
        assert reason in r.json()["detail"]
    assert reusing("HN-01-R4", "HN-01-SRC").status_code == 201


def test_a_refused_receipt_audits_its_residence_check(sqlite_gateway: Gateway, people: People) -> None:
    components = [{"code": "to_khai", "state": 1}, {"code": "giay_chung_sinh", "state": 1}]
    # Desks in two provinces: the applicant lives in at most one of them, so one receipt is refused.
    for code, province in (("CM-01", "Cà Mau"), ("LS-01", "Lạng Sơn")):
        key = sqlite_gateway.agency(code, province=province)
        body = _receipt(f"{code}-LOCAL", people.applicant, procedure_code="1.001193", components=components)
        r = sqlite_gateway.client.post("/v1/dossiers", json=body, headers=auth(key))
        if r.status_code != 201:
            break
    assert r.status_code == 422, r.text
    audit = _last_audit(sqlite_gateway.engine)
    assert r.headers["X-Audit-Hash"] == audit.hash
    assert audit.action == "dossier.residence_check"
    assert audit.fields == '["current_address.province"]'


def test_the_access_log_is_per_agency_newest_first_paged_and_itself_audited(
    sqlite_gateway: Gateway, people: People
) -> None:
    mine = sqlite_gateway.agency("HN-01", scopes=[Scope.POPULATION_READ, Scope.AUDIT_READ])
    theirs = sqlite_gateway.agency("HN-02", scopes=[Scope.POPULATION_READ])
    oversight = sqlite_gateway.agency("THANH-TRA", scopes=[Scope.AUDIT_OVERSIGHT])
    pid = people.applicant
    mine_headers = sqlite_gateway.open(mine, pid, dossier="HN-01-LOG", procedure=PROCEDURE)
    for _ in range(3):
        assert sqlite_gateway.client.get(f"/v1/citizens/{pid}", headers=mine_headers).status_code == 200
    their_headers = sqlite_gateway.open(theirs, pid, dossier="HN-02-LOG", procedure=PROCEDURE)
    assert sqlite_gateway.client.get(f"/v1/citizens/{pid}", headers=their_headers).status_code == 200

    own = sqlite_gateway.client.get("/v1/access-log", params={"personal_id": pid}, headers=auth(mine)).json()
    assert own["scope"] == "own"
    assert {a["agency_code"] for a in own["accesses"]} == {"HN-01"}
    times = [a["recorded_at"] for a in own["accesses"]]
    assert times == sorted(times, reverse=True)

    seen: list[dict[str, Any]] = []
    token = ""
    while True:
        page = sqlite_gateway.client.get(
            "/v1/access-log",
            params={"personal_id": pid, "page_size": 2, "page_token": token},
            headers=auth(oversight),
        ).json()
        seen.extend(page["accesses"])
        token = page["next_page_token"]
        if not token:
            break
    assert {a["agency_code"] for a in seen} >= {"HN-01", "HN-02"}
    assert any(a["action"] == "access_log.read" and a["agency_code"] == "HN-01" for a in seen)
    today = datetime.now(UTC).date()
    none = sqlite_gateway.client.get(
        "/v1/access-log",
        params={"personal_id": pid, "until": (today - timedelta(days=1)).isoformat()},
        headers=auth(oversight),
    ).json()
    assert none["accesses"] == []
    bad = sqlite_gateway.client.get(
        "/v1/access-log", params={"personal_id": pid, "page_token": "nonsense"}, headers=auth(oversight)
    )
    assert bad.status_code == 400
