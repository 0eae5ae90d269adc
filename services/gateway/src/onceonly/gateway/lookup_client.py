"""The gateway's one gRPC channel to the lookup service, with deadlines and retries.

Retries on UNAVAILABLE with exponential backoff are grpc's own (a ``retryPolicy`` in the channel's
service config), bounded by each call's deadline. Whatever is still UNAVAILABLE or past its deadline
then becomes ``LookupUnavailable`` (a 503 with ``Retry-After``); the channel reconnects by itself, so
the gateway recovers as soon as lookup is back.

Calls are made on the channel's own threads (``future``) and awaited on the event loop, so a request
waiting for lookup holds no worker thread.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

import grpc
from google.protobuf import field_mask_pb2
from google.protobuf.timestamp_pb2 import Timestamp
from grpc_health.v1 import health_pb2, health_pb2_grpc

from onceonly.catalog.v1 import catalog_pb2, catalog_pb2_grpc
from onceonly.gateway.problems import (
    BadRequest,
    CitizenNotFound,
    InvalidPersonalIdError,
    LookupUnavailable,
    ResultConflict,
    ResultNotFound,
    UnknownProcedure,
)
from onceonly.population.v1 import population_pb2, population_pb2_grpc
from onceonly.receipts.v1 import receipts_pb2, receipts_pb2_grpc
from onceonly.results.v1 import results_pb2, results_pb2_grpc

Req = TypeVar("Req")
Resp = TypeVar("Resp")

_RETRIED = ("UNAVAILABLE",)


def _service_config(max_attempts: int) -> str:
    return json.dumps(
        {
            "methodConfig": [
                {
                    "name": [
                        {"service": "onceonly.population.v1.PopulationRegistry"},
                        {"service": "onceonly.results.v1.DigitizedResults"},
                        {"service": "onceonly.catalog.v1.ProcedureCatalog"},
                        {"service": "onceonly.receipts.v1.ReceiptChecks"},
                    ],
                    "retryPolicy": {
                        "maxAttempts": max(2, max_attempts),
                        "initialBackoff": "0.05s",
                        "maxBackoff": "0.5s",
                        "backoffMultiplier": 2,
                        "retryableStatusCodes": list(_RETRIED),
                    },
                }
            ]
        }
    )


def channel_credentials(
    ca_file: Path | None, cert_file: Path | None = None, key_file: Path | None = None
) -> grpc.ChannelCredentials | None:
    """TLS to lookup trusting ``ca_file``, presenting a client certificate when given; else None."""
    if ca_file is None:
        if cert_file or key_file:
            raise ValueError("a client certificate for lookup needs ONCEONLY_GATEWAY_LOOKUP_CA_FILE too")
        return None
    if (cert_file is None) != (key_file is None):
        raise ValueError("the lookup client certificate needs both its certificate and key files")
    return grpc.ssl_channel_credentials(
        root_certificates=ca_file.read_bytes(),
        private_key=key_file.read_bytes() if key_file else None,
        certificate_chain=cert_file.read_bytes() if cert_file else None,
    )


class LookupClient:
    """Typed calls to lookup; gRPC errors become the gateway's own errors here and nowhere else."""

    def __init__(
        self,
        target: str,
        *,
        deadline_seconds: float = 2.0,
        max_attempts: int = 3,
        retry_after_seconds: int = 2,
        catalog_ttl_seconds: float = 60.0,
        credentials: grpc.ChannelCredentials | None = None,
    ) -> None:
        options: list[tuple[str, Any]] = [
            ("grpc.enable_retries", 1),
            ("grpc.service_config", _service_config(max_attempts)),
            # Reconnect quickly once lookup is back instead of waiting out a long backoff.
            ("grpc.initial_reconnect_backoff_ms", 100),
            ("grpc.max_reconnect_backoff_ms", 1000),
            ("grpc.keepalive_time_ms", 30_000),
        ]
        self._channel = (
            grpc.secure_channel(target, credentials, options=options)
            if credentials is not None
            else grpc.insecure_channel(target, options=options)
        )
        self._deadline = deadline_seconds
        self._retry_after = retry_after_seconds
        self._population = population_pb2_grpc.PopulationRegistryStub(self._channel)
        self._results = results_pb2_grpc.DigitizedResultsStub(self._channel)
        self._catalog = catalog_pb2_grpc.ProcedureCatalogStub(self._channel)
        self._receipts = receipts_pb2_grpc.ReceiptChecksStub(self._channel)
        self._health = health_pb2_grpc.HealthStub(self._channel)
        self._catalog_ttl = catalog_ttl_seconds
        self._procedures: dict[str, tuple[float, catalog_pb2.Procedure]] = {}
        self._procedures_lock = threading.Lock()

    def close(self) -> None:
        self._channel.close()

    async def _call(
        self,
        method: grpc.UnaryUnaryMultiCallable[Req, Resp],
        request: Req,
        *,
        on_error: Mapping[grpc.StatusCode, Exception],
    ) -> Resp:
        try:
            return await completed(method.future(request, timeout=self._deadline, wait_for_ready=False))
        except grpc.RpcError as error:
            code = error.code()
            if code in on_error:
                raise on_error[code] from None
            if code in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED):
                raise LookupUnavailable(
                    "the lookup service did not answer in time; try again shortly",
                    headers={"Retry-After": str(self._retry_after)},
                ) from None
            if code == grpc.StatusCode.INVALID_ARGUMENT:
                raise BadRequest(error.details() or "invalid argument") from None
            raise

    # Catalog ---------------------------------------------------------------------------------

    def cached_procedure(self, code: str) -> catalog_pb2.Procedure | None:
        """The procedure if it is cached and fresh; never calls lookup (safe on the event loop)."""
        cached = self._procedures.get(code)
        if cached is not None and time.monotonic() - cached[0] < self._catalog_ttl:
            return cached[1]
        return None

    async def procedure(self, code: str) -> catalog_pb2.Procedure:
        """A procedure from the catalog, cached for ``catalog_ttl_seconds``."""
        now = time.monotonic()
        cached = self.cached_procedure(code)
        if cached is not None:
            return cached
        unknown = UnknownProcedure(f"procedure {code!r} is not in the catalog")
        response: catalog_pb2.GetProcedureResponse = await self._call(
            self._catalog.GetProcedure,
            catalog_pb2.GetProcedureRequest(code=code),
            on_error={grpc.StatusCode.NOT_FOUND: unknown, grpc.StatusCode.INVALID_ARGUMENT: unknown},
        )
        with self._procedures_lock:
            # Unknown codes are never cached, so callers cannot grow this without bound.
            self._procedures[code] = (now, response.procedure)
        return response.procedure

    async def service_levels(self, province: str, as_of: str) -> list[catalog_pb2.ServiceLevelEntry]:
        """A province's catalog (every province's for "") as it stood on ``as_of``, all pages."""
        entries: list[catalog_pb2.ServiceLevelEntry] = []
        token = ""
        while True:
            page: catalog_pb2.ListServiceLevelsResponse = await self._call(
                self._catalog.ListServiceLevels,
                catalog_pb2.ListServiceLevelsRequest(province=province, as_of=as_of, page_token=token),
                on_error={},
            )
            entries += page.entries
            token = page.next_page_token
            if not token:
                return entries

    def invalidate_catalog(self) -> None:
        with self._procedures_lock:
            self._procedures.clear()

    # Population ------------------------------------------------------------------------------

    async def get_citizen(self, personal_id: str, fields: Sequence[str]) -> population_pb2.Citizen:
        """The citizen cut to ``fields``, which must not be empty (lookup refuses an empty mask)."""
        if not fields:
            raise ValueError("a citizen is read with the fields it is read for, never whole")
        response: population_pb2.GetCitizenResponse = await self._call(
            self._population.GetCitizen,
            population_pb2.GetCitizenRequest(
                personal_id=personal_id, read_mask=field_mask_pb2.FieldMask(paths=list(fields))
            ),
            on_error={
                grpc.StatusCode.NOT_FOUND: CitizenNotFound("no citizen with this personal id"),
                grpc.StatusCode.INVALID_ARGUMENT: InvalidPersonalIdError("lookup refused the personal id"),
            },
        )
        return response.citizen

    async def verify_citizen(
        self, personal_id: str, claims: Mapping[str, str]
    ) -> population_pb2.VerifyCitizenResponse:
        response: population_pb2.VerifyCitizenResponse = await self._call(
            self._population.VerifyCitizen,
            population_pb2.VerifyCitizenRequest(personal_id=personal_id, claims=dict(claims)),
            on_error={},
        )
        return response

    async def relation(self, applicant: str, subject: str) -> population_pb2.GetRelationResponse:
        """How the registry links ``subject`` to ``applicant`` (unknown ids: not linked)."""
        response: population_pb2.GetRelationResponse = await self._call(
            self._population.GetRelation,
            population_pb2.GetRelationRequest(applicant_personal_id=applicant, subject_personal_id=subject),
            on_error={},
        )
        return response

    # Results ---------------------------------------------------------------------------------

    async def list_results(
        self,
        owner: str,
        *,
        result_type: str = "",
        result_types: Sequence[str] = (),
        page_size: int = 0,
        page_token: str = "",
    ) -> results_pb2.ListResultsResponse:
        response: results_pb2.ListResultsResponse = await self._call(
            self._results.ListResults,
            results_pb2.ListResultsRequest(
                owner_personal_id=owner,
                result_type=result_type,
                result_types=list(result_types),
                page_size=page_size,
                page_token=page_token,
            ),
            on_error={},
        )
        return response

    async def get_result(self, result_id: str) -> results_pb2.Result:
        response: results_pb2.GetResultResponse = await self._call(
            self._results.GetResult,
            results_pb2.GetResultRequest(result_id=result_id),
            on_error={grpc.StatusCode.NOT_FOUND: ResultNotFound(f"no digitized result {result_id!r}")},
        )
        return response.result

    async def register_result(self, result: results_pb2.Result) -> results_pb2.RegisterResultResponse:
        response: results_pb2.RegisterResultResponse = await self._call(
            self._results.RegisterResult,
            results_pb2.RegisterResultRequest(result=result),
            on_error={
                grpc.StatusCode.ALREADY_EXISTS: ResultConflict(
                    f"result {result.result_id!r} is already registered with different content"
                )
            },
        )
        return response

    async def verify_result(self, content_sha256: str) -> results_pb2.VerifyResultResponse:
        response: results_pb2.VerifyResultResponse = await self._call(
            self._results.VerifyResult,
            results_pb2.VerifyResultRequest(content_sha256=content_sha256),
            on_error={},
        )
        return response

    # Receipts --------------------------------------------------------------------------------

    async def check_receipt(
        self,
        applicant: str,
        received_at: Timestamp,
        *,
        result_ids: Sequence[str] = (),
        held_result_types: Sequence[str] = (),
    ) -> receipts_pb2.CheckReceiptResponse:
        """What a receipt checks of its applicant at ``received_at``, in one call: the residence, the
        results named (found or not) and which of ``held_result_types`` the applicant held then."""
        response: receipts_pb2.CheckReceiptResponse = await self._call(
            self._receipts.CheckReceipt,
            receipts_pb2.CheckReceiptRequest(
                applicant_personal_id=applicant,
                received_at=received_at,
                result_ids=list(result_ids),
                held_result_types=list(held_result_types),
            ),
            on_error={grpc.StatusCode.NOT_FOUND: CitizenNotFound("no citizen with this personal id")},
        )
        return response

    # Health ----------------------------------------------------------------------------------

    def reachable(self, timeout: float = 1.0) -> bool:
        try:
            answer = self._health.Check(health_pb2.HealthCheckRequest(service=""), timeout=timeout)
        except grpc.RpcError:
            return False
        return bool(answer.status == health_pb2.HealthCheckResponse.SERVING)


async def completed(call: grpc.Future[Resp]) -> Resp:
    """The call's response, awaited without blocking the loop; cancelling the wait cancels the call."""
    loop = asyncio.get_running_loop()
    waiter: asyncio.Future[None] = loop.create_future()

    def wake(_: grpc.Future[Resp]) -> None:
        loop.call_soon_threadsafe(_settle, waiter)

    call.add_done_callback(wake)
    try:
        await waiter
    except asyncio.CancelledError:
        call.cancel()
        raise
    return call.result()  # the call is done: this returns or raises its RpcError at once


def _settle(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)
