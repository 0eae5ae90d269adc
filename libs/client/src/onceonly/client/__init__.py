"""A typed Python client for the Onceonly gateway, over httpx, sync and async.

::

    from onceonly.client import GatewayClient, NotFound

    with GatewayClient(base_url="http://127.0.0.1:8080", api_key=key, retries=3) as gateway:
        citizen = gateway.get_citizen(
            "001090012345", dossier_id="HN-2025-000001", procedure_code="1.001193"
        )

Errors are the typed exceptions of ``onceonly.client.errors``, carrying the RFC 9457 problem.
"""

from onceonly.client._clients import AsyncGatewayClient, GatewayClient
from onceonly.client.errors import (
    BadRequest,
    Conflict,
    Forbidden,
    GatewayError,
    NotFound,
    ProblemError,
    RateLimited,
    ServiceUnavailable,
    TransportError,
    Unauthorized,
    UnexpectedResponse,
    Unprocessable,
)
from onceonly.client.models import (
    Access,
    AccessLog,
    Address,
    Channel,
    Citizen,
    CitizenData,
    CitizenVerification,
    ComponentState,
    Dossier,
    DossierComponent,
    Health,
    Intake,
    NewResult,
    OpenedDossier,
    Receipt,
    ReceiptComponent,
    RelativeRef,
    Resolution,
    ResolutionOutcome,
    ResolutionRecord,
    Result,
    ResultPage,
    ResultRegistration,
    ResultStatus,
    ResultVerification,
)

__all__ = [
    "Access",
    "AccessLog",
    "Address",
    "AsyncGatewayClient",
    "BadRequest",
    "Channel",
    "Citizen",
    "CitizenData",
    "CitizenVerification",
    "ComponentState",
    "Conflict",
    "Dossier",
    "DossierComponent",
    "Forbidden",
    "GatewayClient",
    "GatewayError",
    "Health",
    "Intake",
    "NewResult",
    "NotFound",
    "OpenedDossier",
    "ProblemError",
    "RateLimited",
    "Receipt",
    "ReceiptComponent",
    "RelativeRef",
    "Resolution",
    "ResolutionOutcome",
    "ResolutionRecord",
    "Result",
    "ResultPage",
    "ResultRegistration",
    "ResultStatus",
    "ResultVerification",
    "ServiceUnavailable",
    "TransportError",
    "Unauthorized",
    "UnexpectedResponse",
    "Unprocessable",
]
