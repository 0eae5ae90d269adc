"""Dossier receipts and resolutions, each recorded with its event in one transaction."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Response, status
from google.protobuf.timestamp_pb2 import Timestamp
from sqlalchemy import Connection, bindparam, select
from sqlalchemy.exc import IntegrityError
from starlette.concurrency import run_in_threadpool

from onceonly.catalog.v1 import catalog_pb2
from onceonly.common import working_days
from onceonly.common.events import DossierReceived, DossierResolved, new_envelope
from onceonly.common.provinces import UnknownProvince, province_2025
from onceonly.events.v1 import events_pb2
from onceonly.gateway import receipts
from onceonly.gateway.access_recording import AUDIT_HASH_HEADER, audit_only
from onceonly.gateway.agencies import Agency, Scope
from onceonly.gateway.audit import AuditEntry
from onceonly.gateway.auth import Caller, DossierIntake, DossiersWrite
from onceonly.gateway.auth import caller as admitting
from onceonly.gateway.binding import Binding, read_binding
from onceonly.gateway.group_commit import PRODUCER, Batch
from onceonly.gateway.problems import (
    AUTH_PROBLEMS,
    BackdatingNeedsImport,
    BindingConflict,
    CitizenNotFound,
    DossierConflict,
    DossierNotFound,
    GatewayError,
    ImplausibleDate,
    InvalidComponent,
    InvalidPersonalIdError,
    JurisdictionRefused,
    LookupUnavailable,
    NotYourDossier,
    UnknownApplicant,
    UnknownProcedure,
    problem_responses,
)
from onceonly.gateway.purpose_binding import checked_personal_id
from onceonly.gateway.responses import canonical
from onceonly.gateway.schemas import (
    ComponentOut,
    DossierIn,
    IntakeIn,
    IntakeOut,
    Receipt,
    ResolutionIn,
    ResolutionOut,
)
from onceonly.gateway.store import binding_table, dossier_table, resolution_table
from onceonly.receipts.v1 import receipts_pb2
from onceonly.results.v1 import results_pb2

router = APIRouter(prefix="/v1/dossiers", tags=["dossiers"])

# A receipt's caller is admitted from memory; the route's one read of the store confirms the key
# against the registry (``receive_dossier``), so no read is spent on it apart (``strict`` would be one).
ReceiptWriter = Annotated[Caller, Depends(admitting(Scope.DOSSIERS_WRITE, Scope.DOSSIERS_IMPORT))]

_CHANNEL = {
    "online": events_pb2.CHANNEL_ONLINE,
    "counter": events_pb2.CHANNEL_COUNTER,
    "postal": events_pb2.CHANNEL_POSTAL,
}
_RESOLUTION = {
    "approved": events_pb2.RESOLUTION_OUTCOME_APPROVED,
    "rejected": events_pb2.RESOLUTION_OUTCOME_REJECTED,
    "withdrawn": events_pb2.RESOLUTION_OUTCOME_WITHDRAWN,
}
REUSED_COMPONENT, REUSED_RESULT = 2, 3

_INSERT_DOSSIER = dossier_table.insert()
_INSERT_BINDING = binding_table.insert()
_DOSSIER = select(dossier_table).where(dossier_table.c.dossier_id == bindparam("dossier_id"))
_RESOLUTION_ROW = select(resolution_table).where(resolution_table.c.dossier_id == bindparam("dossier_id"))


def _request_hash(body: Any) -> str:
    return hashlib.sha256(canonical(body.model_dump(mode="json"))).hexdigest()


def _replayed(row: Any, body: DossierIn, request_hash: str, caller: Agency) -> Response:
    """The stored receipt of ``row``, answered again as it was (200); 409 for other content."""
    if row.agency_code != caller.code or row.request_sha256 != request_hash:
        raise DossierConflict(f"dossier {body.dossier_id!r} was already received with different content")
    return Response(row.receipt_json, status_code=status.HTTP_200_OK, media_type="application/json")


@dataclass(frozen=True, slots=True)
class _Stored:
    """What the gateway's store holds for a receipt, read in one go: the dossier's row (a replay), else
    its binding and the rows of the dossiers its components say they reuse."""

    dossier: Any = None
    binding: Binding | None = None
    sources: Mapping[str, Any] = field(default_factory=dict)


def _read_stored(conn: Connection, body: DossierIn) -> _Stored:
    dossier = conn.execute(_DOSSIER, {"dossier_id": body.dossier_id}).first()
    if dossier is not None:
        return _Stored(dossier=dossier)
    named = {
        c.source_dossier_id
        for c in body.components
        if c.state == REUSED_COMPONENT and c.source_dossier_id and c.source_dossier_id != body.dossier_id
    }
    return _Stored(
        binding=read_binding(conn, body.dossier_id),
        sources={source: conn.execute(_DOSSIER, {"dossier_id": source}).first() for source in sorted(named)},
    )


RESIDENCE_FIELDS = ("current_address.province",)


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
    asked = receipts.asked_types(procedure, [(c.code, c.state) for c in body.components])
    reused = sorted({c.result_id for c in body.components if c.state == REUSED_RESULT and c.result_id})
    try:
        check = await caller.runtime.lookup.check_receipt(
            personal_id, _stamp(received_at), result_ids=reused, held_result_types=asked
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


def _residence_entry(
    caller: Caller, body: DossierIn, personal_id: str, outcome: str, fields: list[str]
) -> AuditEntry:
    return AuditEntry(
        request_id=caller.request_id,
        agency_code=caller.agency.code,
        action="dossier.residence_check",
        procedure_code=body.procedure_code,
        dossier_id=body.dossier_id,
        officer_id=body.officer_id,
        subject_pseudonym=caller.runtime.pseudonyms.pseudonym(personal_id),
        source="population_database",
        fields=tuple(fields),
        outcome=outcome,
    )


def _reuse_check_entry(caller: Caller, body: DossierIn, personal_id: str, held: frozenset[str]) -> AuditEntry:
    """The applicant's results were read to tell whether a component asked again could have been reused."""
    return AuditEntry(
        request_id=caller.request_id,
        agency_code=caller.agency.code,
        action="dossier.reuse_check",
        procedure_code=body.procedure_code,
        dossier_id=body.dossier_id,
        officer_id=body.officer_id,
        subject_pseudonym=caller.runtime.pseudonyms.pseudonym(personal_id),
        source="digitized_result",
        outcome="hit" if held else "miss",
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


def _utc(moment: datetime, what: str) -> datetime:
    try:
        return moment.astimezone(UTC)
    except (OverflowError, ValueError):
        raise ImplausibleDate(f"{what} {moment.isoformat()} is out of range") from None


def _received_at(caller: Caller, body: DossierIn, now: datetime) -> tuple[datetime, bool]:
    """The receipt's instant, and whether it is an import: no later than now plus the allowed clock
    skew, no earlier than the earliest receipt; dated beyond the backdating window, it needs
    dossiers:import."""
    settings = caller.runtime.settings
    if body.received_at is None:
        return now, False
    received_at = _utc(body.received_at, "received_at")
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


def _check_sources(
    sources: Mapping[str, Any], body: DossierIn, pseudonym: str, received_at: datetime
) -> None:
    """A component reused from another dossier names one that was received, earlier, for the same
    applicant: reuse is claimed only where it could have happened."""
    for component in body.components:
        source = component.source_dossier_id
        if component.state != REUSED_COMPONENT or not source:
            continue

        def refuse(reason: str, code: str = component.code) -> InvalidComponent:
            return InvalidComponent(f"component {code}: {reason}", extra={"component": code})

        if source == body.dossier_id:
            raise refuse("a dossier cannot reuse its own component")
        row = sources.get(source)
        if row is None:
            raise refuse(f"source dossier {source!r} was never received")
        if row.applicant_pseudonym != pseudonym:
            raise refuse(f"source dossier {source!r} is another applicant's")
        if _aware(row.received_at) > received_at:
            raise refuse(f"source dossier {source!r} was received after this one")


def _aware(moment: datetime) -> datetime:
    # SQLite hands timestamps back naive; they were written in UTC.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _reused_result_type(
    result_id: str | None,
    results: Mapping[str, receipts_pb2.ReusedResult | None],
    spec: catalog_pb2.Component,
    refuse: Callable[[str], InvalidComponent],
) -> str:
    """The type of the result a component reuses, once it is the applicant's, valid and accepted."""
    if not result_id:
        raise refuse("state 3 (reused from a result) needs result_id")
    result = results.get(result_id)
    if result is None:
        raise refuse(f"result {result_id!r} does not exist")
    if not result.owned_by_applicant:
        raise refuse(f"result {result_id!r} does not belong to the applicant")
    if result.status != results_pb2.RESULT_STATUS_VALID:
        state = results_pb2.ResultStatus.Name(result.status).removeprefix("RESULT_STATUS_").lower()
        raise refuse(f"result {result_id!r} is {state}")
    if result.result_type not in spec.accepted_result_types:
        raise refuse(f"a {result.result_type} cannot satisfy this component")
    return result.result_type


def _check_components(
    body: DossierIn,
    procedure: catalog_pb2.Procedure,
    results: Mapping[str, receipts_pb2.ReusedResult | None],
) -> list[tuple[ComponentOut, events_pb2.DossierComponent]]:
    catalog = {c.code: c for c in procedure.components}
    seen: set[str] = set()
    out: list[tuple[ComponentOut, events_pb2.DossierComponent]] = []
    for component in body.components:

        def refuse(reason: str, code: str = component.code) -> InvalidComponent:
            return InvalidComponent(f"component {code}: {reason}", extra={"component": code})

        spec = catalog.get(component.code)
        if spec is None:
            raise refuse(f"procedure {procedure.code} has no such component")
        if component.code in seen:
            raise refuse("listed twice")
        seen.add(component.code)
        result_type = None
        if component.state == REUSED_RESULT:
            result_type = _reused_result_type(component.result_id, results, spec, refuse)
        elif component.result_id:
            raise refuse("result_id is only for state 3")
        if component.state == REUSED_COMPONENT and not component.source_dossier_id:
            raise refuse("state 2 (reused from another dossier) needs source_dossier_id")
        if component.state != REUSED_COMPONENT and component.source_dossier_id:
            raise refuse("source_dossier_id is only for state 2")
        out.append(
            (
                ComponentOut.model_construct(
                    code=component.code,
                    state=component.state,
                    result_id=component.result_id,
                    result_type=result_type,
                    source_dossier_id=component.source_dossier_id,
                ),
                events_pb2.DossierComponent(
                    code=component.code,
                    # The event enum is the national code plus one (0 is "unspecified").
                    state=component.state + 1,  # type: ignore[arg-type]
                    result_id=component.result_id or "",
                    result_type=result_type or "",
                    source_dossier_id=component.source_dossier_id or "",
                ),
            )
        )
    missing = [c.code for c in procedure.components if c.required and c.code not in seen]
    if missing:
        raise InvalidComponent(
            f"component {missing[0]}: required by procedure {procedure.code} but missing",
            extra={"component": missing[0]},
        )
    return out


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


def _stamp(moment: datetime) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(moment)
    return stamp


@router.post(
    "",
    summary="Record a dossier's receipt; the same receipt again answers the same",
    response_model=Receipt,
    status_code=status.HTTP_201_CREATED,
    responses={
        200: {"model": Receipt, "description": "This dossier was already received with this very body."},
        **problem_responses(
            *AUTH_PROBLEMS,
            InvalidPersonalIdError,
            UnknownProcedure,
            DossierConflict,
            InvalidComponent,
            UnknownApplicant,
            JurisdictionRefused,
            LookupUnavailable,
            NotYourDossier,
            BindingConflict,
            ImplausibleDate,
            BackdatingNeedsImport,
        ),
    },
)
async def receive_dossier(*, caller: ReceiptWriter, body: DossierIn) -> Response:
    runtime, agency = caller.runtime, caller.agency
    request_hash = _request_hash(body)

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
        return _replayed(found.dossier, body, request_hash, agency)

    applicant = checked_personal_id(body.applicant_personal_id)
    procedure = runtime.lookup.cached_procedure(body.procedure_code) or await runtime.lookup.procedure(
        body.procedure_code
    )
    now = datetime.now(UTC)
    received_at, imported = _received_at(caller, body, now)
    pseudonym = runtime.pseudonyms.pseudonym(applicant)
    _check_binding(found.binding, body, agency, applicant)
    _check_sources(found.sources, body, pseudonym, received_at)
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
        components = _check_components(body, procedure, results)
    except InvalidComponent as refused:
        raise await _audited(caller, body, applicant, "hit", list(RESIDENCE_FIELDS), refused) from None
    receipts.annotate([e for _, e in components], procedure, held, results)
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
        received_at=_stamp(received_at),
        due_at=_stamp(due_at),
        fee=procedure.fee,
        fee_paid_online=body.fee_paid_online,
        components=[e for _, e in components],
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
        components=[c for c, _ in components],
        event_id=envelope.event_id,
        imported=imported,
    ).model_dump_json()
    dossier_row, binding_row = _rows(body, procedure, pseudonym, now, applicant=applicant, agency=agency)
    dossier_row |= {"request_sha256": request_hash, "receipt_json": receipt, "received_at": received_at}
    reuse_check = [] if held is None else [_reuse_check_entry(caller, body, applicant, held)]
    entries = [_residence_entry(caller, body, applicant, "hit", list(RESIDENCE_FIELDS)), *reuse_check]

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
        return Response(
            await runtime.writes.submit(write),
            status_code=status.HTTP_201_CREATED,
            media_type="application/json",
        )
    except IntegrityError:
        again = await run_in_threadpool(stored)
        if again.dossier is None:
            # Lost a race with an intake of the same id: check against what it bound, then try again.
            _check_binding(again.binding, body, agency, applicant)
            raise DossierConflict(
                f"dossier {body.dossier_id!r} was opened meanwhile; send the receipt again"
            ) from None
        return _replayed(again.dossier, body, request_hash, agency)


@router.post(
    "/{dossier_id}/intake",
    summary="Open a dossier before looking anything up for it: its procedure and applicant",
    response_model=IntakeOut,
    status_code=status.HTTP_201_CREATED,
    responses={
        200: {"model": IntakeOut, "description": "The dossier was already opened with this very binding."},
        **problem_responses(
            *AUTH_PROBLEMS, InvalidPersonalIdError, UnknownProcedure, NotYourDossier, BindingConflict
        ),
    },
)
async def open_dossier(
    *,
    caller: DossierIntake,
    response: Response,
    dossier_id: Annotated[
        str, Path(max_length=64, pattern=r"^[A-Za-z0-9._:\-]+$", examples=["HN-HOANKIEM-250801-000001"])
    ],
    body: IntakeIn,
) -> IntakeOut:
    runtime, agency = caller.runtime, caller.agency
    if runtime.agencies.owner_of(dossier_id) != agency.code:
        raise NotYourDossier(
            f"dossier {dossier_id!r} is not one of this agency's: its ids begin with {agency.code}-"
        )
    applicant = checked_personal_id(body.applicant_personal_id)
    procedure = runtime.lookup.cached_procedure(body.procedure_code) or await runtime.lookup.procedure(
        body.procedure_code
    )
    pseudonym = runtime.pseudonyms.pseudonym(applicant)
    wanted = Binding(
        dossier_id=dossier_id,
        agency_code=agency.code,
        procedure_code=procedure.code,
        applicant_personal_id=applicant,
        applicant_pseudonym=pseudonym,
        opened_by="intake",
    )

    def same_as(found: Binding) -> IntakeOut:
        if (found.agency_code, found.procedure_code, found.applicant_personal_id) != (
            agency.code,
            procedure.code,
            applicant,
        ):
            raise BindingConflict(
                f"dossier {dossier_id!r} was already opened for another procedure or applicant"
            )
        runtime.bindings.put(found)
        return IntakeOut(
            dossier_id=dossier_id,
            agency_code=agency.code,
            procedure_code=procedure.code,
            opened_by=found.opened_by,
        )

    def already() -> Binding | None:
        with runtime.engine.connect() as conn:
            return read_binding(conn, dossier_id)

    found = runtime.bindings.cached(dossier_id) or await run_in_threadpool(already)
    if found is not None:
        response.status_code = status.HTTP_200_OK
        return same_as(found)

    def write(batch: Batch) -> IntakeOut:
        batch.conn.execute(
            binding_table.insert(),
            {
                "dossier_id": dossier_id,
                "agency_code": agency.code,
                "procedure_code": procedure.code,
                "applicant_personal_id": applicant,
                "applicant_pseudonym": pseudonym,
                "officer_id": body.officer_id,
                "opened_by": "intake",
                "opened_at": datetime.now(UTC),
            },
        )
        batch.on_behalf_of(agency)
        # The applicant's access log shows who opened a dossier about them, before any lookup.
        batch.audit(
            AuditEntry(
                request_id=caller.request_id,
                agency_code=agency.code,
                action="dossier.intake",
                procedure_code=procedure.code,
                dossier_id=dossier_id,
                officer_id=body.officer_id,
                subject_pseudonym=pseudonym,
                outcome="opened",
            )
        )
        return IntakeOut(
            dossier_id=dossier_id, agency_code=agency.code, procedure_code=procedure.code, opened_by="intake"
        )

    try:
        opened = await runtime.writes.submit(write)
    except IntegrityError:
        found = await run_in_threadpool(already)
        if found is None:
            raise
        response.status_code = status.HTTP_200_OK
        return same_as(found)
    runtime.bindings.put(wanted)
    return opened


@router.post(
    "/{dossier_id}/resolution",
    summary="Record how a dossier's procedure ended",
    response_model=ResolutionOut,
    status_code=status.HTTP_201_CREATED,
    responses={
        200: {"model": ResolutionOut, "description": "This resolution was already recorded."},
        **problem_responses(
            *AUTH_PROBLEMS, DossierNotFound, NotYourDossier, DossierConflict, ImplausibleDate
        ),
    },
)
async def resolve_dossier(
    *,
    caller: DossiersWrite,
    response: Response,
    dossier_id: Annotated[str, Path(max_length=64, examples=["HN-2025-000001"])],
    body: ResolutionIn,
) -> ResolutionOut:
    runtime, agency = caller.runtime, caller.agency
    request_hash = _request_hash(body)

    def existing(conn: Connection) -> ResolutionOut | None:
        row = conn.execute(_RESOLUTION_ROW, {"dossier_id": dossier_id}).first()
        if row is None:
            return None
        if row.request_sha256 != request_hash:
            raise DossierConflict(f"dossier {dossier_id!r} was already resolved differently")
        return ResolutionOut.model_validate_json(row.resolution_json)

    def dossier_and_resolution() -> tuple[Receipt, ResolutionOut | None]:
        with runtime.engine.connect() as conn:
            dossier = conn.execute(_DOSSIER, {"dossier_id": dossier_id}).first()
            if dossier is None:
                raise DossierNotFound(f"no dossier {dossier_id!r} was received")
            if dossier.agency_code != agency.code:
                raise NotYourDossier(f"dossier {dossier_id!r} was received by another agency")
            return Receipt.model_validate_json(dossier.receipt_json), existing(conn)

    # Whose the id is comes first: another agency learns nothing of whether it was received (no 404).
    if runtime.agencies.owner_of(dossier_id) != agency.code:
        raise NotYourDossier(f"dossier {dossier_id!r} is not one of this agency's ({agency.code}-…)")
    receipt, done = await run_in_threadpool(dossier_and_resolution)
    if done is not None:
        response.status_code = status.HTTP_200_OK
        return done

    now = datetime.now(UTC)
    resolved_at = now if body.resolved_at is None else _utc(body.resolved_at, "resolved_at")
    if resolved_at > now + timedelta(seconds=runtime.settings.clock_skew_seconds):
        raise ImplausibleDate(f"resolved_at {resolved_at.isoformat()} is in the future")
    if resolved_at < receipt.received_at:
        raise ImplausibleDate(
            f"resolved_at {resolved_at.isoformat()} is before the dossier was received "
            f"({receipt.received_at.isoformat()})"
        )
    event = DossierResolved(
        dossier_id=dossier_id,
        resolved_at=_stamp(resolved_at),
        outcome=_RESOLUTION[body.outcome.value],
        result_electronic=body.result_electronic,
        agency_code=agency.code,
    )

    def write(batch: Batch) -> ResolutionOut:
        batch.conn.execute(
            resolution_table.insert(),
            {"dossier_id": dossier_id, "request_sha256": request_hash, "resolution_json": ""},
        )
        batch.on_behalf_of(agency)
        envelope = batch.emit(event, topic=runtime.settings.kafka.topic, occurred_at=resolved_at)
        resolution = ResolutionOut(
            dossier_id=dossier_id,
            agency_code=agency.code,
            outcome=body.outcome,
            resolved_at=resolved_at,
            result_electronic=body.result_electronic,
            on_time=resolved_at <= receipt.due_at,
            event_id=envelope.event_id,
        )
        batch.conn.execute(
            resolution_table.update()
            .where(resolution_table.c.dossier_id == dossier_id)
            .values(resolution_json=resolution.model_dump_json())
        )
        return resolution

    try:
        return await runtime.writes.submit(write)
    except IntegrityError:

        def again() -> ResolutionOut | None:
            with runtime.engine.connect() as conn:
                return existing(conn)

        done = await run_in_threadpool(again)
        if done is None:
            raise
        response.status_code = status.HTTP_200_OK
        return done
