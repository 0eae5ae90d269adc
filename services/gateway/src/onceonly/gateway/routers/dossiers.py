"""Dossier receipts and resolutions, each recorded with its event in one transaction."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Path, Response, status
from google.protobuf.timestamp_pb2 import Timestamp
from sqlalchemy import Connection, bindparam, select
from sqlalchemy.exc import IntegrityError
from starlette.concurrency import run_in_threadpool

from onceonly.catalog.v1 import catalog_pb2
from onceonly.common.events import DossierReceived, DossierResolved
from onceonly.common.provinces import UnknownProvince, province_2025
from onceonly.events.v1 import events_pb2
from onceonly.gateway.access import checked_personal_id
from onceonly.gateway.agencies import Agency
from onceonly.gateway.auth import DossiersWrite
from onceonly.gateway.problems import (
    AUTH_PROBLEMS,
    CitizenNotFound,
    DossierConflict,
    DossierNotFound,
    InvalidComponent,
    InvalidPersonalIdError,
    JurisdictionRefused,
    LookupUnavailable,
    NotYourDossier,
    ResultNotFound,
    UnknownApplicant,
    UnknownProcedure,
    problem_responses,
)
from onceonly.gateway.recording import add_event
from onceonly.gateway.responses import canonical
from onceonly.gateway.runtime import Runtime
from onceonly.gateway.schemas import (
    ComponentOut,
    DossierIn,
    Receipt,
    ResolutionIn,
    ResolutionOut,
)
from onceonly.gateway.store import dossier_table, resolution_table
from onceonly.gateway.writes import Batch
from onceonly.results.v1 import results_pb2

router = APIRouter(prefix="/v1/dossiers", tags=["dossiers"])

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

_DOSSIER = select(dossier_table).where(dossier_table.c.dossier_id == bindparam("dossier_id"))
_RESOLUTION_ROW = select(resolution_table).where(resolution_table.c.dossier_id == bindparam("dossier_id"))


def _request_hash(body: Any) -> str:
    return hashlib.sha256(canonical(body.model_dump(mode="json"))).hexdigest()


def _existing_receipt(conn: Connection, body: DossierIn, request_hash: str, caller: Agency) -> Receipt | None:
    row = conn.execute(_DOSSIER, {"dossier_id": body.dossier_id}).first()
    if row is None:
        return None
    if row.agency_code != caller.code or row.request_sha256 != request_hash:
        raise DossierConflict(f"dossier {body.dossier_id!r} was already received with different content")
    return Receipt.model_validate_json(row.receipt_json)


async def _residence_province(runtime: Runtime, personal_id: str) -> str:
    try:
        citizen = await runtime.lookup.get_citizen(personal_id, ["current_address.province"])
    except CitizenNotFound:
        raise UnknownApplicant("the applicant is not in the population database") from None
    province = citizen.current_address.province
    try:
        return province_2025(province)
    except UnknownProvince:
        return province


async def _reused_results(runtime: Runtime, body: DossierIn) -> dict[str, results_pb2.Result | None]:
    """The results the components name, read concurrently; None for one that does not exist."""

    async def read(result_id: str) -> results_pb2.Result | None:
        try:
            return await runtime.lookup.get_result(result_id)
        except ResultNotFound:
            return None

    ids = sorted({c.result_id for c in body.components if c.state == REUSED_RESULT and c.result_id})
    return dict(zip(ids, await asyncio.gather(*(read(i) for i in ids)), strict=True))


def _reused_result_type(
    result_id: str | None,
    results: Mapping[str, results_pb2.Result | None],
    spec: catalog_pb2.Component,
    applicant: str,
    refuse: Callable[[str], InvalidComponent],
) -> str:
    """The type of the result a component reuses, once it is the applicant's, valid and accepted."""
    if not result_id:
        raise refuse("state 3 (reused from a result) needs result_id")
    result = results.get(result_id)
    if result is None:
        raise refuse(f"result {result_id!r} does not exist")
    if result.owner_personal_id != applicant:
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
    applicant: str,
    results: Mapping[str, results_pb2.Result | None],
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
            result_type = _reused_result_type(component.result_id, results, spec, applicant, refuse)
        elif component.result_id:
            raise refuse("result_id is only for state 3")
        if component.state == REUSED_COMPONENT and not component.source_dossier_id:
            raise refuse("state 2 (reused from another dossier) needs source_dossier_id")
        if component.state != REUSED_COMPONENT and component.source_dossier_id:
            raise refuse("source_dossier_id is only for state 2")
        out.append(
            (
                ComponentOut(
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
        ),
    },
)
async def receive_dossier(*, caller: DossiersWrite, response: Response, body: DossierIn) -> Receipt:
    runtime, agency = caller.runtime, caller.agency
    request_hash = _request_hash(body)

    def existing() -> Receipt | None:
        with runtime.engine.connect() as conn:
            return _existing_receipt(conn, body, request_hash, agency)

    done = await run_in_threadpool(existing)
    if done is not None:
        response.status_code = status.HTTP_200_OK
        return done

    applicant = checked_personal_id(body.applicant_personal_id)
    procedure = runtime.lookup.cached_procedure(body.procedure_code) or await runtime.lookup.procedure(
        body.procedure_code
    )
    residence, results = await asyncio.gather(
        _residence_province(runtime, applicant), _reused_results(runtime, body)
    )
    non_jurisdictional = agency.province != residence
    if non_jurisdictional and not procedure.allows_non_jurisdictional:
        raise JurisdictionRefused(
            f"procedure {procedure.code} must be handled in {residence}, the applicant's residence province; "
            f"this agency is in {agency.province}"
        )
    components = _check_components(body, procedure, applicant, results)
    received_at = (body.received_at or datetime.now(UTC)).astimezone(UTC)
    due_at = received_at + timedelta(days=procedure.processing_days)
    pseudonym = runtime.pseudonyms.pseudonym(applicant)
    event = DossierReceived(
        dossier_id=body.dossier_id,
        agency_code=agency.code,
        agency_province=agency.province,
        procedure_code=procedure.code,
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
    )

    def write(batch: Batch) -> Receipt:
        # The insert comes first: it takes the write lock, and a concurrent twin fails on the key.
        batch.conn.execute(
            dossier_table.insert(),
            {
                "dossier_id": body.dossier_id,
                "agency_code": agency.code,
                "procedure_code": procedure.code,
                "applicant_pseudonym": pseudonym,
                "request_sha256": request_hash,
                "receipt_json": "",
                "received_at": received_at,
            },
        )
        batch.on_behalf_of(agency)
        envelope = add_event(batch, event, topic=runtime.settings.kafka.topic, occurred_at=received_at)
        receipt = Receipt(
            dossier_id=body.dossier_id,
            agency_code=agency.code,
            agency_province=agency.province,
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
        )
        batch.conn.execute(
            dossier_table.update()
            .where(dossier_table.c.dossier_id == body.dossier_id)
            .values(receipt_json=receipt.model_dump_json())
        )
        return receipt

    try:
        return await runtime.writes.submit(write)
    except IntegrityError:
        done = await run_in_threadpool(existing)
        if done is None:
            raise
        response.status_code = status.HTTP_200_OK
        return done


@router.post(
    "/{dossier_id}/resolution",
    summary="Record how a dossier's procedure ended",
    response_model=ResolutionOut,
    status_code=status.HTTP_201_CREATED,
    responses={
        200: {"model": ResolutionOut, "description": "This resolution was already recorded."},
        **problem_responses(*AUTH_PROBLEMS, DossierNotFound, NotYourDossier, DossierConflict),
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

    receipt, done = await run_in_threadpool(dossier_and_resolution)
    if done is not None:
        response.status_code = status.HTTP_200_OK
        return done

    resolved_at = (body.resolved_at or datetime.now(UTC)).astimezone(UTC)
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
        envelope = add_event(batch, event, topic=runtime.settings.kafka.topic, occurred_at=resolved_at)
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
