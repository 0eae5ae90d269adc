"""The gateway store's migrations (Alembic).

The store: agencies and their keys, the audit chain, dossiers and resolutions, and the outbox.

``versions/`` holds one revision per schema change; ``onceonly-gateway migrate`` applies them, and so
does the service at start (under the migration lock, see ``onceonly.common.migrations``).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import MetaData

from onceonly.common.migrations import MigratedStore


def _metadata() -> Sequence[MetaData]:
    from onceonly.common import outbox
    from onceonly.gateway.store import Base

    return (Base.metadata, outbox.metadata)


STORE = MigratedStore(name="gateway", script_location="onceonly.gateway:migrations", metadata=_metadata)
