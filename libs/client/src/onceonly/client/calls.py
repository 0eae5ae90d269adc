"""What each API call sends and how its answer is read, shared by the sync and async clients.

A ``Call`` is a plain description of one request; the clients only send it (with retries) and hand
the answer to ``Call.parse``. So the two clients cannot drift apart in what they send. A caller that
drives its own ``httpx`` client (a load generator timing each step) sends the same ``Call``s.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar
from urllib.parse import quote

import httpx
from pydantic import ValidationError

from onceonly.client.errors import UnexpectedResponse, problem_from_response
from onceonly.client.models import (
    AccessLog,
    Answer,
    Citizen,
    CitizenVerification,
    Dossier,
    Health,
    Intake,
    NewResult,
    OpenedDossier,
    Receipt,
    Resolution,
    ResolutionRecord,
    Result,
    ResultPage,
    ResultRegistration,
    ResultVerification,
)

A = TypeVar("A", bound=Answer)

DOSSIER_HEADER = "X-Dossier-Id"
PROCEDURE_HEADER = "X-Procedure-Code"
OFFICER_HEADER = "X-Officer-Id"


@dataclass(frozen=True, slots=True)
class Call(Generic[A]):
    method: str
    path: str
    answer: type[A]
    params: Mapping[str, str | int] = field(default_factory=dict)
    json: Any = None
    headers: Mapping[str, str] = field(default_factory=dict)
    # Statuses answered with a body of type ``answer`` rather than a problem (readyz's 503).
    ok_statuses: frozenset[int] = frozenset()

    def parse(self, response: httpx.Response) -> A:
        if not (response.is_success or response.status_code in self.ok_statuses):
            raise problem_from_response(response)
        try:
            answer = self.answer.model_validate_json(response.content)
        except ValidationError as invalid:
            if not response.is_success:
                raise problem_from_response(response) from invalid
            raise UnexpectedResponse(
                f"{self.method} {self.path}: the answer does not match {self.answer.__name__}: {invalid}",
                response=response,
            ) from invalid
        answer.request_id = response.headers.get("x-request-id")
        answer.audit_hash = response.headers.get("x-audit-hash")
        answer.status_code = response.status_code
        return answer


def _segment(value: str) -> str:
    # Ids go into the path: quote everything, "/" included, so an id can never change the route.
    return quote(value, safe="")


def _purpose(dossier_id: str, procedure_code: str, officer_id: str | None) -> dict[str, str]:
    headers = {DOSSIER_HEADER: dossier_id, PROCEDURE_HEADER: procedure_code}
    if officer_id:
        headers[OFFICER_HEADER] = officer_id
    return headers


def _body(model: Any) -> Any:
    return model.model_dump(mode="json", exclude_none=True)


def get_citizen(
    personal_id: str,
    *,
    dossier_id: str,
    procedure_code: str,
    fields: Sequence[str] | None,
    officer_id: str | None,
) -> Call[Citizen]:
    params: dict[str, str | int] = {"fields": ",".join(fields)} if fields else {}
    return Call(
        "GET",
        f"/v1/citizens/{_segment(personal_id)}",
        Citizen,
        params=params,
        headers=_purpose(dossier_id, procedure_code, officer_id),
    )


def verify_citizen(
    personal_id: str,
    claims: Mapping[str, str],
    *,
    dossier_id: str,
    procedure_code: str,
    officer_id: str | None,
) -> Call[CitizenVerification]:
    return Call(
        "POST",
        "/v1/citizens/verify",
        CitizenVerification,
        json={"personal_id": personal_id, "claims": dict(claims)},
        headers=_purpose(dossier_id, procedure_code, officer_id),
    )


def list_results(
    personal_id: str,
    *,
    dossier_id: str,
    procedure_code: str,
    result_type: str | None,
    page_size: int | None,
    page_token: str | None,
    officer_id: str | None,
) -> Call[ResultPage]:
    params: dict[str, str | int] = {}
    if result_type:
        params["result_type"] = result_type
    if page_size:
        params["page_size"] = page_size
    if page_token:
        params["page_token"] = page_token
    return Call(
        "GET",
        f"/v1/citizens/{_segment(personal_id)}/results",
        ResultPage,
        params=params,
        headers=_purpose(dossier_id, procedure_code, officer_id),
    )


def get_result(
    result_id: str, *, dossier_id: str, procedure_code: str, officer_id: str | None
) -> Call[Result]:
    return Call(
        "GET",
        f"/v1/results/{_segment(result_id)}",
        Result,
        headers=_purpose(dossier_id, procedure_code, officer_id),
    )


def register_result(
    result: NewResult, *, dossier_id: str, procedure_code: str, officer_id: str | None
) -> Call[ResultRegistration]:
    return Call(
        "POST",
        "/v1/results",
        ResultRegistration,
        json=_body(result),
        headers=_purpose(dossier_id, procedure_code, officer_id),
    )


def verify_result(
    content_sha256: str, *, dossier_id: str, procedure_code: str, officer_id: str | None
) -> Call[ResultVerification]:
    return Call(
        "POST",
        "/v1/results/verify",
        ResultVerification,
        json={"content_sha256": content_sha256},
        headers=_purpose(dossier_id, procedure_code, officer_id),
    )


def open_dossier(dossier_id: str, intake: Intake) -> Call[OpenedDossier]:
    return Call("POST", f"/v1/dossiers/{_segment(dossier_id)}/intake", OpenedDossier, json=_body(intake))


def file_dossier(dossier: Dossier) -> Call[Receipt]:
    return Call("POST", "/v1/dossiers", Receipt, json=_body(dossier))


def resolve_dossier(dossier_id: str, resolution: Resolution) -> Call[ResolutionRecord]:
    return Call(
        "POST", f"/v1/dossiers/{_segment(dossier_id)}/resolution", ResolutionRecord, json=_body(resolution)
    )


def access_log(personal_id: str, *, page_size: int = 0, page_token: str = "") -> Call[AccessLog]:
    params: dict[str, str | int] = {"personal_id": personal_id}
    if page_size:
        params["page_size"] = page_size
    if page_token:
        params["page_token"] = page_token
    return Call("GET", "/v1/access-log", AccessLog, params=params)


def healthz() -> Call[Health]:
    return Call("GET", "/healthz", Health)


def readyz() -> Call[Health]:
    return Call("GET", "/readyz", Health, ok_statuses=frozenset({503}))
