"""Holding each data request to its dossier (purpose binding): the dossier is the caller's, opened,
for this procedure, and the subject is its applicant or a relative of theirs. A refusal is audited as
``denied`` and reported before it is raised, with the audit hash on the problem."""

from __future__ import annotations

from typing import NoReturn

from starlette.concurrency import run_in_threadpool

from onceonly.common.personal_id import InvalidPersonalId, parse_personal_id
from onceonly.gateway.access_recording import Source, deny
from onceonly.gateway.auth import DataRequest
from onceonly.gateway.binding import (
    RELATION_APPLICANT,
    RELATION_RELATIVE,
    RELATION_STRANGER,
    RELATIVE_LINKS,
    Binding,
    Bound,
    Relation,
)
from onceonly.gateway.problems import (
    DossierNotOpen,
    GatewayError,
    InvalidPersonalIdError,
    NotYourDossier,
    ProcedureMismatch,
    SubjectNotRelated,
)


def checked_personal_id(value: str) -> str:
    """The id when well-formed; else a 400 whose detail is the parser's reason."""
    try:
        return parse_personal_id(value).value
    except InvalidPersonalId as error:
        raise InvalidPersonalIdError(error.message, extra={"part": error.part}) from None


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
