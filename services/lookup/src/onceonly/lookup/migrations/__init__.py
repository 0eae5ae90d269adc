"""The lookup store's migrations (Alembic).

The store: the population registry, the digitized results and the procedure catalog.

``versions/`` holds one revision per schema change; ``onceonly-lookup migrate`` applies them, and so
does the service at start (under the migration lock, see ``onceonly.common.migrations``).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import MetaData

from onceonly.common.migrations import MigratedStore


def _metadata() -> Sequence[MetaData]:
    from onceonly.lookup.tables import METADATA

    return (METADATA,)


STORE = MigratedStore(name="lookup", script_location="onceonly.lookup:migrations", metadata=_metadata)
