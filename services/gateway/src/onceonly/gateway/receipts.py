"""Receiving a dossier: the receipt checked at the door (its dates, its binding, the applicant's
residence and the components), then recorded with its ``DossierReceived`` event and audit records in
one transaction. The same receipt again answers the stored one (``idempotency``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import Connection, bindparam, select
from sqlalchemy.exc import IntegrityError
from starlette.concurrency import run_in_threadpool

from onceonly.catalog.v1 import catalog_pb2
from onceonly.common import working_days
from onceonly.common.events import DossierReceived, new_envelope
from onceonly.common.provinces import UnknownProvince, province_2025
from onceonly.events.v1 import events_pb2
from onceonly.gateway import components
from onceonly.gateway.access_recording import (
    AUDIT_HASH_HEADER,
    OUTCOME_HIT,
    OUTCOME_MISS,
    SOURCE_POPULATION,
    SOURCE_RESULT,
    Outcome,
    Source,
    audit_only,
    outcome_name,
    source_name,
)
from onceonly.gateway.agencies import Agency, Scope
from onceonly.gateway.audit import AuditEntry
from onceonly.gateway.auth import Caller
from onceonly.gateway.binding import Binding, read_binding
from onceonly.gateway.group_commit import PRODUCER, Batch
from onceonly.gateway.idempotency import request_hash
from onceonly.gateway.instants import stamp, utc
from onceonly.gateway.problems import (
    BackdatingNeedsImport,
    BindingConflict,
    CitizenNotFound,
    DossierConflict,
    GatewayError,
    ImplausibleDate,
    InvalidComponent,
    JurisdictionRefused,
    NotYourDossier,
    UnknownApplicant,
)
from onceonly.gateway.purpose_binding import checked_personal_id
from onceonly.gateway.schemas import DossierIn, Receipt
from onceonly.gateway.store import binding_table, dossier_table
from onceonly.receipts.v1 import receipts_pb2

_CHANNEL = {
    "online": events_pb2.CHANNEL_ONLINE,
    "counter": events_pb2.CHANNEL_COUNTER,
    "postal": events_pb2.CHANNEL_POSTAL,
}
RESIDENCE_FIELDS = ("current_address.province",)

_INSERT_DOSSIER = dossier_table.insert()
_INSERT_BINDING = binding_table.insert()
DOSSIER = select(dossier_table).where(dossier_table.c.dossier_id == bindparam("dossier_id"))


@dataclass(frozen=True, slots=True)
class Answer:
    """The receipt as stored, JSON; ``created`` False when it answers a repeat."""

    receipt: str
    created: bool


def _replayed(row: Any, body: DossierIn, hashed: str, caller: Agency) -> Answer:
    """The stored receipt of ``row``, answered again as it was; 409 for other content."""
    if row.agency_code != caller.code or row.request_sha256 != hashed:
        raise DossierConflict(f"dossier {body.dossier_id!r} was already received with different content")
    return Answer(row.receipt_json, created=False)


@dataclass(frozen=True, slots=True)
class _Stored:
    """What the gateway's store holds for a receipt, read in one go: the dossier's row (a replay), else
    its binding and the rows of the dossiers its components say they reuse."""

    dossier: Any = None
    binding: Binding | None = None
    sources: Mapping[str, Any] = field(default_factory=dict)


def _read_stored(conn: Connection, body: DossierIn) -> _Stored:
    dossier = conn.execute(DOSSIER, {"dossier_id": body.dossier_id}).first()
    if dossier is not None:
        return _Stored(dossier=dossier)
    return _Stored(
        binding=read_binding(conn, body.dossier_id),
        sources={
            source: conn.execute(DOSSIER, {"dossier_id": source}).first()
            for source in components.source_dossiers(body)
        },
    )


async def _check_applicant(
    caller: Caller,
    body: DossierIn,
    personal_id: str,
    procedure: catalog_pb2.Procedure,
    received_at: datetime,
) -> tuple[str, dict[str, receipts_pb2.ReusedResult | None], frozenset[str] | None]:
    """Lookup's one answer for the receipt: the applicant's residence province (as of 2025), the
    results the components reuse (None for one that does not exist) and which result types, accepted
    by a component filed on paper or uploaded, the applicant held at ``received_at`` (None when no
    such component accepts one). An unknown applicant is audited before it is refused: the refusal
    tells the caller whether the applicant exists (and a later 422 names where they live)."""
    asked = components.asked_types(procedure, [(c.code, components.state_of(c)) for c in body.components])
    reused = components.reused_results(body)
    try:
        check = await caller.runtime.lookup.check_receipt(
            personal_id, stamp(received_at), result_ids=reused, held_result_types=asked
        )
    except CitizenNotFound:
        raise await _audited(
            caller,
            body,
            personal_id,
            "miss",
            [],
            UnknownApplicant("the applicant is not in the population database"),
        ) from None
    results = {r.result_id: r if r.found else None for r in check.results}
    return _province(check.residence_province), results, frozenset(check.held_result_types) if asked else None


def _province(name: str) -> str:
    try:
        return province_2025(name)
    except UnknownProvince:
        return name


def _check_entry(
    caller: Caller,
    body: DossierIn,
    personal_id: str,
    *,
    action: str,
    source: Source,
    outcome: Outcome,
    fields: tuple[str, ...] = (),
) -> AuditEntry:
    """One of the checks a receipt made at lookup about its applicant, as the audit log keeps it."""
    return AuditEntry(
        request_id=caller.request_id,
        agency_code=caller.agency.code,
        action=action,
        procedure_code=body.procedure_code,
        dossier_id=body.dossier_id,
        officer_id=body.officer_id,
        subject_pseudonym=caller.runtime.pseudonyms.pseudonym(personal_id),
        source=source_name(source),
        fields=fields,
        outcome=outcome_name(outcome),
    )


async def _audited(
    caller: Caller, body: DossierIn, personal_id: str, outcome: str, fields: list[str], error: GatewayError
) -> GatewayError:
    """``error`` with the hash of the residence check's audit record, written on its own."""
    error.headers[AUDIT_HASH_HEADER] = await audit_only(
        caller,
        action="dossier.residence_check",
        subject_personal_id=personal_id,
        source="population_database",
        outcome=outcome,
        dossier_id=body.dossier_id,
        procedure_code=body.procedure_code,
        officer_id=body.officer_id,
        fields=fields,
    )
    return error


def _received_at(caller: Caller, body: DossierIn, now: datetime) -> tuple[datetime, bool]:
    """The receipt's instant, and whether it is an import: no later than now plus the allowed clock
    skew, no earlier than the earliest receipt; dated beyond the backdating window, it needs
    dossiers:import."""
    settings = caller.runtime.settings
    if body.received_at is None:
        return now, False
    received_at = utc(body.received_at, "received_at")
    if received_at > now + timedelta(seconds=settings.clock_skew_seconds):
        raise ImplausibleDate(f"received_at {received_at.isoformat()} is in the future")
    earliest = datetime.combine(settings.earliest_receipt, time(), tzinfo=UTC)
    if received_at < earliest:
        raise ImplausibleDate(f"received_at {received_at.isoformat()} is before {earliest.date()}")
    imported = received_at < now - timedelta(days=settings.backdate_window_days)
    if imported and Scope.DOSSIERS_IMPORT not in caller.agency.scopes:
        raise BackdatingNeedsImport(
            f"received_at {received_at.isoformat()} is more than {settings.backdate_window_days:g} days ago: "
            "a historic dossier is imported with the dossiers:import scope"
        )
    return received_at, imported


def _check_binding(binding: Binding | None, body: DossierIn, agency: Agency, applicant: str) -> None:
    if binding is None:
        return
    if binding.agency_code != agency.code:
        raise NotYourDossier(f"dossier {body.dossier_id!r} was opened by another agency")
    if binding.procedure_code != body.procedure_code or binding.applicant_personal_id != applicant:
        raise BindingConflict(
            f"dossier {body.dossier_id!r} was opened for procedure {binding.procedure_code} and another "
            "applicant or procedure than this receipt names; its lookups were bound to that"
            if binding.applicant_personal_id != applicant
            else f"dossier {body.dossier_id!r} was opened for procedure {binding.procedure_code}, "
            f"not {body.procedure_code}"
        )


def _rows(
    body: DossierIn,
    procedure: catalog_pb2.Procedure,
    pseudonym: str,
    now: datetime,
    *,
    applicant: str,
    agency: Agency,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The dossier's row (less its hash, receipt and instant) and the binding a receipt opens."""
    dossier = {
        "dossier_id": body.dossier_id,
        "agency_code": agency.code,
        "procedure_code": procedure.code,
        "applicant_pseudonym": pseudonym,
    }
    binding = dossier | {"applicant_personal_id": applicant, "officer_id": body.officer_id}
    return dossier, binding | {"opened_by": "receipt", "opened_at": now}


async def receive(caller: Caller, body: DossierIn) -> Answer:
    """Check and record the receipt, or answer the stored one for a repeat."""
    runtime, agency = caller.runtime, caller.agency
    hashed = request_hash(body)

    def stored() -> _Stored:
        with runtime.engine.connect() as conn:
            # The registry re-read first: a key revoked in any process is refused here, before anything
            # is answered (a replay answers without an audit record to confirm it).
            runtime.agencies.confirm(conn, [agency])
            return _read_stored(conn, body)

    # One read of the store before anything else, so a replay answers the stored receipt whatever has
    # changed since (a result revoked, the backdating window passed): the dossier's row, else its
    # binding and the dossiers its components reuse. On SQLite these are reads by key in this process
    # (tens of µs, never waiting on a writer under WAL), cheaper on the loop than a thread hand-off;
    # a database server's round trip is waited for off the loop.
    found = stored() if runtime.engine.dialect.name == "sqlite" else await run_in_threadpool(stored)
    # Whose the id is comes before what was found: another agency learns nothing of it.
    if runtime.agencies.owner_of(body.dossier_id) != agency.code:
        raise NotYourDossier(f"dossier {body.dossier_id!r} is not one of this agency's ({agency.code}-…)")
    if found.dossier is not None:
        return _replayed(found.dossier, body, hashed, agency)

    applicant = checked_personal_id(body.applicant_personal_id)
    procedure = runtime.lookup.cached_procedure(body.procedure_code) or await runtime.lookup.procedure(
        body.procedure_code
    )
    now = datetime.now(UTC)
    received_at, imported = _received_at(caller, body, now)
    pseudonym = runtime.pseudonyms.pseudonym(applicant)
    _check_binding(found.binding, body, agency, applicant)
    components.check_sources(found.sources, body, pseudonym, received_at)
    residence, results, held = await _check_applicant(caller, body, applicant, procedure, received_at)
    non_jurisdictional = agency.province != residence
    if non_jurisdictional and not procedure.allows_non_jurisdictional:
        raise await _audited(
            caller,
            body,
            applicant,
            "hit",
            list(RESIDENCE_FIELDS),
            JurisdictionRefused(
                f"procedure {procedure.code} must be handled in {residence}, the applicant's residence "
                f"province; this agency is in {agency.province}"
            ),
        )
    try:
        checked = components.check_components(body, procedure, results)
    except InvalidComponent as refused:
        raise await _audited(caller, body, applicant, "hit", list(RESIDENCE_FIELDS), refused) from None
    components.annotate([e for _, e in checked], procedure, held, results)
    # Processing times are working days: weekends, public holidays and announced days off do not count.
    due_at = working_days.due_at(received_at, procedure.processing_days)
    # The province of the receipt's day: a 2024 dossier of an agency registered in Bình Dương is Bình
    # Dương's, though the agency is in Hồ Chí Minh since the 2025 merger.
    province_then = agency.province_on(received_at.astimezone(working_days.VIETNAM).date())
    event = DossierReceived(
        dossier_id=body.dossier_id,
        agency_code=agency.code,
        agency_province=agency.province,
        agency_province_at_receipt=province_then,
        agency_commune=agency.commune,
        procedure_sector=procedure.domain,
        procedure_code=procedure.code,
        agency_name=agency.name,
        procedure_name=procedure.name,
        procedure_name_en=procedure.name_en,
        applicant_pseudonym=pseudonym,
        applicant_residence_province=residence,
        channel=_CHANNEL[body.channel.value],
        service_level=int(procedure.service_level),  # type: ignore[arg-type]
        received_at=stamp(received_at),
        due_at=stamp(due_at),
        fee=procedure.fee,
        fee_paid_online=body.fee_paid_online,
        components=[e for _, e in checked],
        non_jurisdictional=non_jurisdictional,
        origin=events_pb2.DOSSIER_ORIGIN_IMPORTED if imported else events_pb2.DOSSIER_ORIGIN_LIVE,
    )

    envelope = new_envelope(event, producer=PRODUCER, occurred_at=received_at)
    # Built from values already checked: no second validation, and serialized once (stored and answered).
    receipt = Receipt.model_construct(
        dossier_id=body.dossier_id,
        agency_code=agency.code,
        agency_province=agency.province,
        agency_province_at_receipt=province_then,
        agency_commune=agency.commune,
        procedure_code=procedure.code,
        applicant_residence_province=residence,
        non_jurisdictional=non_jurisdictional,
        channel=body.channel,
        fee=procedure.fee,
        fee_paid_online=body.fee_paid_online,
        received_at=received_at,
        due_at=due_at,
        components=[c for c, _ in checked],
        event_id=envelope.event_id,
        imported=imported,
    ).model_dump_json()
    dossier_row, binding_row = _rows(body, procedure, pseudonym, now, applicant=applicant, agency=agency)
    dossier_row |= {"request_sha256": hashed, "receipt_json": receipt, "received_at": received_at}
    # The applicant's results were read to tell whether a component asked again could have been reused.
    reuse_check = (
        []
        if held is None
        else [
            _check_entry(
                caller, body, applicant, action="dossier.reuse_check", source=SOURCE_RESULT,
                outcome=OUTCOME_HIT if held else OUTCOME_MISS,
            )
        ]
    )  # fmt: skip
    residence_check = _check_entry(
        caller, body, applicant, action="dossier.residence_check", source=SOURCE_POPULATION,
        outcome=OUTCOME_HIT, fields=tuple(RESIDENCE_FIELDS),
    )  # fmt: skip
    entries = [residence_check, *reuse_check]

    def write(batch: Batch) -> str:
        # Only the writes run here, in the one group-commit thread; everything else was built before.
        # The insert comes first: it takes the write lock, and a concurrent twin fails on the key.
        batch.conn.execute(_INSERT_DOSSIER, dossier_row)
        if found.binding is None:
            # Nothing was looked up first: the receipt opens the dossier (a twin intake fails on the key).
            batch.conn.execute(_INSERT_BINDING, binding_row)
        batch.on_behalf_of(agency)
        for entry in entries:
            batch.audit(entry)
        batch.event(envelope, topic=runtime.settings.kafka.topic)
        return receipt

    try:
        # The stored JSON is the response: serialized once, never validated again on the way out.
        return Answer(await runtime.writes.submit(write), created=True)
    except IntegrityError:
        again = await run_in_threadpool(stored)
        if again.dossier is None:
            # Lost a race with an intake of the same id: check against what it bound, then try again.
            _check_binding(again.binding, body, agency, applicant)
            raise DossierConflict(
                f"dossier {body.dossier_id!r} was opened meanwhile; send the receipt again"
            ) from None
        return _replayed(again.dossier, body, hashed, agency)
