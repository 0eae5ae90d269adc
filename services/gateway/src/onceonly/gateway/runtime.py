"""Everything one gateway process holds for its lifetime, built once by ``create_app``."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine

from onceonly.common.pseudonym import Pseudonymizer
from onceonly.gateway.agencies import AgencyDirectory
from onceonly.gateway.binding import BindingCache
from onceonly.gateway.group_commit import GroupCommit
from onceonly.gateway.lookup_client import LookupClient
from onceonly.gateway.metrics import GatewayMetrics
from onceonly.gateway.ratelimit import AgencyRateLimit
from onceonly.gateway.settings import GatewaySettings


@dataclass(slots=True)
class Runtime:
    settings: GatewaySettings
    engine: Engine
    lookup: LookupClient
    agencies: AgencyDirectory
    pseudonyms: Pseudonymizer
    rate_limit: AgencyRateLimit
    metrics: GatewayMetrics
    # Audit records, outbox rows and receipts: written through here, one commit per batch.
    writes: GroupCommit
    # Dossier bindings read so far (they never change once made).
    bindings: BindingCache = field(default_factory=lambda: BindingCache(100_000))
