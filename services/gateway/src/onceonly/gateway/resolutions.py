"""Resolving a dossier: how its procedure ended, held to its receipt (the same agency, no earlier than
its receipt, not in the future) and recorded with its ``DossierResolved`` event in one transaction.
The same resolution again answers the stored one (``idempotency``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, bindparam, select
from sqlalchemy.exc import IntegrityError
from starlette.concurrency import run_in_threadpool

from onceonly.common.events import DossierResolved
from onceonly.events.v1 import events_pb2
from onceonly.gateway.auth import Caller
from onceonly.gateway.group_commit import Batch
from onceonly.gateway.idempotency import request_hash
from onceonly.gateway.instants import stamp, utc
from onceonly.gateway.problems import DossierConflict, DossierNotFound, ImplausibleDate, NotYourDossier
from onceonly.gateway.receipts import DOSSIER
from onceonly.gateway.schemas import Receipt, ResolutionIn, ResolutionOut
from onceonly.gateway.store import resolution_table

_OUTCOME = {
    "approved": events_pb2.RESOLUTION_OUTCOME_APPROVED,
    "rejected": events_pb2.RESOLUTION_OUTCOME_REJECTED,
    "withdrawn": events_pb2.RESOLUTION_OUTCOME_WITHDRAWN,
}
_RESOLUTION = select(resolution_table).where(resolution_table.c.dossier_id == bindparam("dossier_id"))


@dataclass(frozen=True, slots=True)
class Resolved:
    """The resolution as recorded; ``created`` False when it answers a repeat."""

    resolution: ResolutionOut
    created: bool


async def resolve(caller: Caller, dossier_id: str, body: ResolutionIn) -> Resolved:
    runtime, agency = caller.runtime, caller.agency
    hashed = request_hash(body)

    def existing(conn: Connection) -> ResolutionOut | None:
        row = conn.execute(_RESOLUTION, {"dossier_id": dossier_id}).first()
        if row is None:
            return None
        if row.request_sha256 != hashed:
            raise DossierConflict(f"dossier {dossier_id!r} was already resolved differently")
        return ResolutionOut.model_validate_json(row.resolution_json)

    def dossier_and_resolution() -> tuple[Receipt, ResolutionOut | None]:
        with runtime.engine.connect() as conn:
            dossier = conn.execute(DOSSIER, {"dossier_id": dossier_id}).first()
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
        return Resolved(done, created=False)

    now = datetime.now(UTC)
    resolved_at = now if body.resolved_at is None else utc(body.resolved_at, "resolved_at")
    if resolved_at > now + timedelta(seconds=runtime.settings.clock_skew_seconds):
        raise ImplausibleDate(f"resolved_at {resolved_at.isoformat()} is in the future")
    if resolved_at < receipt.received_at:
        raise ImplausibleDate(
            f"resolved_at {resolved_at.isoformat()} is before the dossier was received "
            f"({receipt.received_at.isoformat()})"
        )
    event = DossierResolved(
        dossier_id=dossier_id,
        resolved_at=stamp(resolved_at),
        outcome=_OUTCOME[body.outcome.value],
        result_electronic=body.result_electronic,
        agency_code=agency.code,
    )

    def write(batch: Batch) -> ResolutionOut:
        batch.conn.execute(
            resolution_table.insert(),
            {"dossier_id": dossier_id, "request_sha256": hashed, "resolution_json": ""},
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
        return Resolved(await runtime.writes.submit(write), created=True)
    except IntegrityError:

        def again() -> ResolutionOut | None:
            with runtime.engine.connect() as conn:
                return existing(conn)

        done = await run_in_threadpool(again)
        if done is None:
            raise
        return Resolved(done, created=False)
