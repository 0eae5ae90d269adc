"""Dossier receipts, intakes and resolutions: each route parses the request, calls its domain
module (``receipts``, ``intake``, ``resolutions``) and shapes the answer."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Response, status

from onceonly.gateway import intake, receipts, resolutions
from onceonly.gateway.agencies import Scope
from onceonly.gateway.auth import Caller, DossierIntake, DossiersWrite
from onceonly.gateway.auth import caller as admitting
from onceonly.gateway.problems import (
    AUTH_PROBLEMS,
    BackdatingNeedsImport,
    BadRequest,
    BindingConflict,
    DossierConflict,
    DossierNotFound,
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
from onceonly.gateway.schemas import (
    DossierIn,
    IntakeIn,
    IntakeOut,
    Receipt,
    ResolutionIn,
    ResolutionOut,
)

router = APIRouter(prefix="/v1/dossiers", tags=["dossiers"])

# A receipt's caller is admitted from memory; the route's one read of the store confirms the key
# against the registry (``receive_dossier``), so no read is spent on it apart (``strict`` would be one).
ReceiptWriter = Annotated[Caller, Depends(admitting(Scope.DOSSIERS_WRITE, Scope.DOSSIERS_IMPORT))]


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
    answer = await receipts.receive(caller, body)
    # The stored JSON is the response: serialized once, never validated again on the way out.
    return Response(
        answer.receipt,
        status_code=status.HTTP_201_CREATED if answer.created else status.HTTP_200_OK,
        media_type="application/json",
    )


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
    opened = await intake.open_dossier(caller, dossier_id, body)
    if not opened.created:
        response.status_code = status.HTTP_200_OK
    return opened.intake


@router.post(
    "/{dossier_id}/resolution",
    summary="Record how a dossier's procedure ended",
    response_model=ResolutionOut,
    status_code=status.HTTP_201_CREATED,
    responses={
        200: {"model": ResolutionOut, "description": "This resolution was already recorded."},
        **problem_responses(
            *AUTH_PROBLEMS, BadRequest, DossierNotFound, NotYourDossier, DossierConflict, ImplausibleDate
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
    resolved = await resolutions.resolve(caller, dossier_id, body)
    if not resolved.created:
        response.status_code = status.HTTP_200_OK
    return resolved.resolution
