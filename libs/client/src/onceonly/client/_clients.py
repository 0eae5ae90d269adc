"""``GatewayClient`` (sync) and ``AsyncGatewayClient``: one method per gateway route.

Both take the same keyword-only arguments, send the same ``Call``s (``calls.py``) and raise the
errors of ``errors.py``. Data requests name their purpose: ``dossier_id`` and ``procedure_code``
become the ``X-Dossier-Id`` and ``X-Procedure-Code`` headers the gateway requires.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping, Sequence
from importlib.metadata import PackageNotFoundError, version
from types import TracebackType
from typing import Self

import httpx

from onceonly.client import calls
from onceonly.client._retry import RetryPolicy
from onceonly.client.calls import A, Call
from onceonly.client.errors import TransportError
from onceonly.client.models import (
    AccessLog,
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

try:
    _VERSION = version("onceonly-client")
except PackageNotFoundError:  # running from a source tree that was never installed
    _VERSION = "0"
USER_AGENT = f"onceonly-client/{_VERSION}"
DEFAULT_TIMEOUT = 10.0


def _headers(api_key: str | None) -> dict[str, str]:
    headers = {"User-Agent": USER_AGENT, "Accept": "application/json, application/problem+json"}
    if api_key:
        headers["Authorization"] = f"Bearer {api_key}"
    return headers


def _request(client: httpx.Client | httpx.AsyncClient, call: Call[A]) -> httpx.Request:
    return client.build_request(
        call.method, call.path, params=dict(call.params), json=call.json, headers=dict(call.headers)
    )


class GatewayClient:
    """A blocking client. Use it as a context manager, or call ``close()``.

    ``retries`` > 0 repeats calls answered 429 or 503, waiting what ``Retry-After`` says (at most
    ``max_retry_wait`` seconds); ``transport`` replaces the network (``httpx.MockTransport`` in tests).
    """

    def __init__(
        self,
        *,
        base_url: str,
        api_key: str | None = None,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        retries: int = 0,
        max_retry_wait: float = 30.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._retry = RetryPolicy(retries=retries, max_wait=max_retry_wait)
        self._http = httpx.Client(
            base_url=base_url, headers=_headers(api_key), timeout=timeout, transport=transport
        )

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def _send(self, call: Call[A]) -> A:
        attempt = 0
        while True:
            try:
                response = self._http.send(_request(self._http, call))
            except httpx.TransportError as failed:
                raise TransportError(f"{call.method} {call.path}: {failed}") from failed
            wait = self._retry.wait_before_retry(response, attempt)
            if wait is None:
                return call.parse(response)
            response.close()
            time.sleep(wait)
            attempt += 1

    # Population ---------------------------------------------------------------------------------

    def get_citizen(
        self,
        personal_id: str,
        *,
        dossier_id: str,
        procedure_code: str,
        fields: Sequence[str] | None = None,
        officer_id: str | None = None,
    ) -> Citizen:
        """The citizen, minimized to the fields ``procedure_code`` may see (and to ``fields``, if given)."""
        return self._send(
            calls.get_citizen(
                personal_id,
                dossier_id=dossier_id,
                procedure_code=procedure_code,
                fields=fields,
                officer_id=officer_id,
            )
        )

    def verify_citizen(
        self,
        personal_id: str,
        claims: Mapping[str, str],
        *,
        dossier_id: str,
        procedure_code: str,
        officer_id: str | None = None,
    ) -> CitizenVerification:
        """Whether each claimed field (``{"full_name": …}``) matches the registry; discloses nothing."""
        return self._send(
            calls.verify_citizen(
                personal_id,
                claims,
                dossier_id=dossier_id,
                procedure_code=procedure_code,
                officer_id=officer_id,
            )
        )

    # Digitized results --------------------------------------------------------------------------

    def list_results(
        self,
        personal_id: str,
        *,
        dossier_id: str,
        procedure_code: str,
        result_type: str | None = None,
        page_size: int | None = None,
        page_token: str | None = None,
        officer_id: str | None = None,
    ) -> ResultPage:
        """One page of the citizen's results, newest first; ``next_page_token`` is empty on the last."""
        return self._send(
            calls.list_results(
                personal_id,
                dossier_id=dossier_id,
                procedure_code=procedure_code,
                result_type=result_type,
                page_size=page_size,
                page_token=page_token,
                officer_id=officer_id,
            )
        )

    def get_result(
        self, result_id: str, *, dossier_id: str, procedure_code: str, officer_id: str | None = None
    ) -> Result:
        return self._send(
            calls.get_result(
                result_id, dossier_id=dossier_id, procedure_code=procedure_code, officer_id=officer_id
            )
        )

    def register_result(
        self, result: NewResult, *, dossier_id: str, procedure_code: str, officer_id: str | None = None
    ) -> ResultRegistration:
        """Registers a newly digitized result, issued by the calling agency; idempotent on its id."""
        return self._send(
            calls.register_result(
                result, dossier_id=dossier_id, procedure_code=procedure_code, officer_id=officer_id
            )
        )

    def verify_result(
        self, content_sha256: str, *, dossier_id: str, procedure_code: str, officer_id: str | None = None
    ) -> ResultVerification:
        """Whether a document with this SHA-256 is an issued result, and its status."""
        return self._send(
            calls.verify_result(
                content_sha256, dossier_id=dossier_id, procedure_code=procedure_code, officer_id=officer_id
            )
        )

    # Dossiers -----------------------------------------------------------------------------------

    def open_dossier(self, dossier_id: str, intake: Intake) -> OpenedDossier:
        """Opens a dossier (its intake) before its lookups; the same intake again answers the same."""
        return self._send(calls.open_dossier(dossier_id, intake))

    def file_dossier(self, dossier: Dossier) -> Receipt:
        """Records a dossier's receipt; the same dossier again answers the same (``replayed``)."""
        return self._send(calls.file_dossier(dossier))

    def resolve_dossier(self, dossier_id: str, resolution: Resolution) -> ResolutionRecord:
        return self._send(calls.resolve_dossier(dossier_id, resolution))

    # Transparency and operations ----------------------------------------------------------------

    def access_log(self, personal_id: str, *, page_size: int = 0, page_token: str = "") -> AccessLog:
        """This agency's accesses to one citizen's data, newest first (``audit:read``; every agency's
        with ``audit:oversight``)."""
        return self._send(calls.access_log(personal_id, page_size=page_size, page_token=page_token))

    def healthz(self) -> Health:
        return self._send(calls.healthz())

    def readyz(self) -> Health:
        """Readiness; a gateway that is not ready answers ``ok == False`` rather than raising."""
        return self._send(calls.readyz())


class AsyncGatewayClient:
    """The same API as ``GatewayClient``, for asyncio. Use ``async with``, or await ``aclose()``."""

    def __init__(
        self,
        *,
        base_url: str,
        api_key: str | None = None,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        retries: int = 0,
        max_retry_wait: float = 30.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._retry = RetryPolicy(retries=retries, max_wait=max_retry_wait)
        self._http = httpx.AsyncClient(
            base_url=base_url, headers=_headers(api_key), timeout=timeout, transport=transport
        )

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def _send(self, call: Call[A]) -> A:
        attempt = 0
        while True:
            try:
                response = await self._http.send(_request(self._http, call))
            except httpx.TransportError as failed:
                raise TransportError(f"{call.method} {call.path}: {failed}") from failed
            wait = self._retry.wait_before_retry(response, attempt)
            if wait is None:
                return call.parse(response)
            await response.aclose()
            await asyncio.sleep(wait)
            attempt += 1

    async def get_citizen(
        self,
        personal_id: str,
        *,
        dossier_id: str,
        procedure_code: str,
        fields: Sequence[str] | None = None,
        officer_id: str | None = None,
    ) -> Citizen:
        return await self._send(
            calls.get_citizen(
                personal_id,
                dossier_id=dossier_id,
                procedure_code=procedure_code,
                fields=fields,
                officer_id=officer_id,
            )
        )

    async def verify_citizen(
        self,
        personal_id: str,
        claims: Mapping[str, str],
        *,
        dossier_id: str,
        procedure_code: str,
        officer_id: str | None = None,
    ) -> CitizenVerification:
        return await self._send(
            calls.verify_citizen(
                personal_id,
                claims,
                dossier_id=dossier_id,
                procedure_code=procedure_code,
                officer_id=officer_id,
            )
        )

    async def list_results(
        self,
        personal_id: str,
        *,
        dossier_id: str,
        procedure_code: str,
        result_type: str | None = None,
        page_size: int | None = None,
        page_token: str | None = None,
        officer_id: str | None = None,
    ) -> ResultPage:
        return await self._send(
            calls.list_results(
                personal_id,
                dossier_id=dossier_id,
                procedure_code=procedure_code,
                result_type=result_type,
                page_size=page_size,
                page_token=page_token,
                officer_id=officer_id,
            )
        )

    async def get_result(
        self, result_id: str, *, dossier_id: str, procedure_code: str, officer_id: str | None = None
    ) -> Result:
        return await self._send(
            calls.get_result(
                result_id, dossier_id=dossier_id, procedure_code=procedure_code, officer_id=officer_id
            )
        )

    async def register_result(
        self, result: NewResult, *, dossier_id: str, procedure_code: str, officer_id: str | None = None
    ) -> ResultRegistration:
        return await self._send(
            calls.register_result(
                result, dossier_id=dossier_id, procedure_code=procedure_code, officer_id=officer_id
            )
        )

    async def verify_result(
        self, content_sha256: str, *, dossier_id: str, procedure_code: str, officer_id: str | None = None
    ) -> ResultVerification:
        return await self._send(
            calls.verify_result(
                content_sha256, dossier_id=dossier_id, procedure_code=procedure_code, officer_id=officer_id
            )
        )

    async def open_dossier(self, dossier_id: str, intake: Intake) -> OpenedDossier:
        return await self._send(calls.open_dossier(dossier_id, intake))

    async def file_dossier(self, dossier: Dossier) -> Receipt:
        return await self._send(calls.file_dossier(dossier))

    async def resolve_dossier(self, dossier_id: str, resolution: Resolution) -> ResolutionRecord:
        return await self._send(calls.resolve_dossier(dossier_id, resolution))

    async def access_log(self, personal_id: str, *, page_size: int = 0, page_token: str = "") -> AccessLog:
        return await self._send(calls.access_log(personal_id, page_size=page_size, page_token=page_token))

    async def healthz(self) -> Health:
        return await self._send(calls.healthz())

    async def readyz(self) -> Health:
        return await self._send(calls.readyz())
