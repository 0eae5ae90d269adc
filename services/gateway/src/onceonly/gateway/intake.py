"""Opening a dossier (intake) before anything is looked up for it: the binding of its agency,
procedure and applicant, written with an audit record in the applicant's log. Opening it again with
the same binding answers the same; with another, a conflict."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.exc import IntegrityError
from starlette.concurrency import run_in_threadpool

from onceonly.gateway.audit import AuditEntry
from onceonly.gateway.auth import Caller
from onceonly.gateway.binding import Binding, read_binding
from onceonly.gateway.group_commit import Batch
from onceonly.gateway.problems import BindingConflict, NotYourDossier
from onceonly.gateway.purpose_binding import checked_personal_id
from onceonly.gateway.schemas import IntakeIn, IntakeOut
from onceonly.gateway.store import binding_table


@dataclass(frozen=True, slots=True)
class Opened:
    """The dossier as opened; ``created`` False when it was already opened with this very binding."""

    intake: IntakeOut
    created: bool


async def open_dossier(caller: Caller, dossier_id: str, body: IntakeIn) -> Opened:
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

    def same_as(found: Binding) -> Opened:
        if (found.agency_code, found.procedure_code, found.applicant_personal_id) != (
            agency.code,
            procedure.code,
            applicant,
        ):
            raise BindingConflict(
                f"dossier {dossier_id!r} was already opened for another procedure or applicant"
            )
        runtime.bindings.put(found)
        return Opened(
            IntakeOut(
                dossier_id=dossier_id,
                agency_code=agency.code,
                procedure_code=procedure.code,
                opened_by=found.opened_by,
            ),
            created=False,
        )

    def already() -> Binding | None:
        with runtime.engine.connect() as conn:
            return read_binding(conn, dossier_id)

    found = runtime.bindings.cached(dossier_id) or await run_in_threadpool(already)
    if found is not None:
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
        return same_as(found)
    runtime.bindings.put(wanted)
    return Opened(opened, created=True)
