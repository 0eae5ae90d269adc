"""Recording one data access from a route (audit record, DataReused event and metrics together), and
holding each data request to its dossier first (``bind``): the dossier is the caller's, opened, for
this procedure, and the subject is its applicant or a relative of theirs. A refusal is audited as
``denied`` and reported before it is raised, with the audit hash on the problem."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import NoReturn

from starlette.concurrency import run_in_threadpool

from onceonly.common.personal_id import InvalidPersonalId, parse_personal_id
from onceonly.events.v1 import events_pb2
from onceonly.gateway.audit import AuditEntry
from onceonly.gateway.auth import Caller, DataRequest
from onceonly.gateway.binding import (
    RELATION_APPLICANT,
    RELATION_RELATIVE,
    RELATION_STRANGER,
    RELATIVE_LINKS,
    Binding,
)
from onceonly.gateway.problems import (
    DossierNotOpen,
    GatewayError,
    InvalidPersonalIdError,
    NotYourDossier,
    ProcedureMismatch,
    SubjectNotRelated,
)
from onceonly.gateway.recording import (
    OUTCOME_DENIED,
    Outcome,
    Relation,
    Source,
    outcome_name,
    record_access,
    source_name,
)
from onceonly.gateway.writes import Batch

AUDIT_HASH_HEADER = "X-Audit-Hash"
UNRELATED = events_pb2.SUBJECT_RELATION_UNSPECIFIED


def checked_personal_id(value: str) -> str:
    """The id when well-formed; else a 400 whose detail is the parser's reason."""
    try:
        return parse_personal_id(value).value
    except InvalidPersonalId as error:
        raise InvalidPersonalIdError(error.message, extra={"part": error.part}) from None


@dataclass(frozen=True, slots=True)
class Bound:
    """A data request held to its dossier: the binding, and how the subject relates to its applicant."""

    binding: Binding | None
    relation: Relation = UNRELATED


async def record(
    request: DataRequest,
    *,
    action: str,
    subject_personal_id: str,
    source: Source,
    outcome: Outcome,
    fields: Sequence[str] = (),
    result_id: str = "",
    result_type: str = "",
    emit_event: bool = True,
    bound: Bound | None = None,
    relatives: Mapping[str, Sequence[str]] | None = None,
) -> str:
    """Write the access in one transaction (shared with concurrent requests' through group commit),
    which also confirms the caller's key; returns the audit record's hash once committed.

    ``relatives`` maps each relative whose data the answer carries (a spouse's name) to the paths
    disclosed: the disclosure is written to that relative's own access log too."""
    runtime, purpose = request.runtime, request.purpose
    pseudonym = runtime.pseudonyms.pseudonym
    subject = pseudonym(subject_personal_id) if subject_personal_id else ""
    binding = bound.binding if bound is not None else None
    others = {pseudonym(pid): list(paths) for pid, paths in (relatives or {}).items() if pid}

    def write(batch: Batch) -> str:
        batch.on_behalf_of(request.agency)
        common = {
            "request_id": request.request_id,
            "agency_code": request.agency.code,
            "procedure_code": purpose.procedure.code,
            "dossier_id": purpose.dossier_id,
            "officer_id": purpose.officer_id,
            "source": source,
            "outcome": outcome,
            "topic": runtime.settings.kafka.topic,
        }
        audit_hash = record_access(
            batch,
            action=action,
            subject_pseudonym=subject,
            fields=fields,
            result_id=result_id,
            result_type=result_type,
            emit_event=emit_event,
            applicant_pseudonym=binding.applicant_pseudonym if binding is not None else "",
            subject_relation=bound.relation if bound is not None else UNRELATED,
            **common,  # type: ignore[arg-type]
        )
        for other, paths in others.items():
            record_access(
                batch,
                action=f"{action}.relative",
                subject_pseudonym=other,
                fields=paths,
                result_id=result_id,
                result_type=result_type,
                emit_event=False,
                **common,  # type: ignore[arg-type]
            )
        return audit_hash

    audit_hash = await runtime.writes.submit(write)
    runtime.metrics.lookups.labels(source_name(source), outcome_name(outcome)).inc()
    return audit_hash


async def audit_only(
    caller: Caller,
    *,
    action: str,
    subject_personal_id: str,
    source: str,
    outcome: str,
    dossier_id: str = "",
    procedure_code: str = "",
    officer_id: str = "",
    fields: Sequence[str] = (),
) -> str:
    """An audit record with no event, for disclosures that are not reuse (a receipt's residence
    check, a read of the access log); returns its hash once committed."""
    runtime = caller.runtime
    entry = AuditEntry(
        request_id=caller.request_id,
        agency_code=caller.agency.code,
        action=action,
        procedure_code=procedure_code,
        dossier_id=dossier_id,
        officer_id=officer_id,
        subject_pseudonym=runtime.pseudonyms.pseudonym(subject_personal_id) if subject_personal_id else "",
        source=source,
        fields=tuple(fields),
        outcome=outcome,
    )

    def write(batch: Batch) -> str:
        batch.on_behalf_of(caller.agency)
        return batch.audit(entry)

    return await runtime.writes.submit(write)


async def deny(
    request: DataRequest,
    error: GatewayError,
    *,
    action: str,
    subject_personal_id: str,
    source: Source,
    bound: Bound | None = None,
    fields: Sequence[str] = (),
    result_id: str = "",
    result_type: str = "",
) -> NoReturn:
    """Audit and report the refusal as ``denied``, then raise ``error`` carrying the audit hash."""
    error.headers[AUDIT_HASH_HEADER] = await record(
        request,
        action=action,
        subject_personal_id=subject_personal_id,
        source=source,
        outcome=OUTCOME_DENIED,
        fields=fields,
        result_id=result_id,
        result_type=result_type,
        bound=bound,
    )
    raise error


async def dossier_of(
    request: DataRequest, *, action: str, subject_personal_id: str, source: Source, result_id: str = ""
) -> Binding:
    """The binding of the dossier the request names, once it is the caller's and for this procedure."""
    runtime, purpose, agency = request.runtime, request.purpose, request.agency
    dossier_id = purpose.dossier_id

    async def refuse(error: GatewayError, binding: Binding | None = None) -> NoReturn:
        await deny(
            request,
            error,
            action=action,
            subject_personal_id=subject_personal_id,
            source=source,
            bound=Bound(binding) if binding is not None else None,
            result_id=result_id,
        )

    if runtime.agencies.owner_of(dossier_id) != agency.code:
        await refuse(NotYourDossier(f"dossier {dossier_id!r} is not one of this agency's ({agency.code}-…)"))
    binding = runtime.bindings.cached(dossier_id) or await run_in_threadpool(
        runtime.bindings.get, runtime.engine, dossier_id
    )
    if binding is None:
        await refuse(
            DossierNotOpen(
                f"dossier {dossier_id!r} was not opened: POST /v1/dossiers/{dossier_id}/intake first"
            )
        )
    if binding.agency_code != agency.code:
        await refuse(NotYourDossier(f"dossier {dossier_id!r} was opened by another agency"))
    if binding.procedure_code != purpose.procedure.code:
        await refuse(
            ProcedureMismatch(
                f"dossier {dossier_id!r} serves procedure {binding.procedure_code}, "
                f"not {purpose.procedure.code}"
            ),
            binding,
        )
    return binding


async def relation_of(request: DataRequest, binding: Binding, subject_personal_id: str) -> Relation:
    if subject_personal_id == binding.applicant_personal_id:
        return RELATION_APPLICANT
    answer = await request.runtime.lookup.relation(binding.applicant_personal_id, subject_personal_id)
    return RELATION_RELATIVE if answer.relation in RELATIVE_LINKS else RELATION_STRANGER


async def held_to_dossier(
    request: DataRequest,
    binding: Binding,
    subject_personal_id: str,
    *,
    action: str,
    source: Source,
    result_id: str = "",
    result_type: str = "",
) -> Bound:
    """The subject's relation to the applicant; a 403 (audited) for anyone else."""
    relation = await relation_of(request, binding, subject_personal_id)
    bound = Bound(binding, relation)
    if relation == RELATION_STRANGER:
        await deny(
            request,
            SubjectNotRelated(
                f"the subject is neither the applicant of dossier {binding.dossier_id!r} "
                "nor a parent, spouse, child or household member of the applicant"
            ),
            action=action,
            subject_personal_id=subject_personal_id,
            source=source,
            bound=bound,
            result_id=result_id,
            result_type=result_type,
        )
    return bound


async def bind(request: DataRequest, subject_personal_id: str, *, action: str, source: Source) -> Bound:
    """``dossier_of`` and ``held_to_dossier`` for a subject known from the request."""
    binding = await dossier_of(request, action=action, subject_personal_id=subject_personal_id, source=source)
    return await held_to_dossier(request, binding, subject_personal_id, action=action, source=source)
