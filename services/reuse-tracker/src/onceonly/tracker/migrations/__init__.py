"""The tracker store's migrations (Alembic).

The store: dossier states, lookups, the summary cubes, and the consume loop's applied-event ids.

``versions/`` holds one revision per schema change; ``onceonly-tracker migrate`` applies them, and so
does the service at start (under the migration lock, see ``onceonly.common.migrations``).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import MetaData

from onceonly.common.migrations import MigratedStore


def _metadata() -> Sequence[MetaData]:
    from onceonly.common import consumer
    from onceonly.tracker.store import Base

    return (Base.metadata, consumer.metadata)


STORE = MigratedStore(name="tracker", script_location="onceonly.tracker:migrations", metadata=_metadata)
