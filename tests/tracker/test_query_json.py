"""Routes that render their own JSON (for speed) must give the bytes FastAPI renders from their model."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fastapi.responses import JSONResponse
from sqlalchemy import Connection, select

from onceonly.common.db import make_engine
from onceonly.events.v1 import events_pb2 as ev
from onceonly.tracker import queries
from onceonly.tracker.api import stale_json
from onceonly.tracker.ledger import apply_batch
from onceonly.tracker.queries import BREAKDOWNS, Filters, cube_where, quarter_of
from onceonly.tracker.report import procedures_in_use
from onceonly.tracker.schemas import StaleAgency, StaleReport
from onceonly.tracker.store import FINEST, create_tables
from tests.tracker.builders import known_mix, received, reused


def _as_fastapi_renders(report: StaleReport) -> bytes:
    return bytes(JSONResponse(report.model_dump(mode="json")).body)


def test_stale_json_is_the_models_bytes(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url, pool_size=1)
    create_tables(engine)
    ghosts = [
        reused("ghost-2", "2025-02-11 09:30", agency="UBND-Ý"),  # a name outside ASCII, kept as is
        reused("ghost-2", "2025-02-12 09:30", agency="UBND-Ý", source=ev.DATA_SOURCE_DIGITIZED_RESULT),
        reused("ghost-3", "2025-02-13 09:30", agency="UBND-X"),
    ]
    with engine.begin() as conn:
        apply_batch(conn, [*known_mix(), *ghosts])
    cutoff = datetime(2025, 3, 13, tzinfo=UTC)
    with engine.connect() as conn:
        rows = queries.stale_lookups(conn, cutoff)
        body = stale_json(conn, 7, cutoff)
    engine.dispose()
    assert [(r.agency, r.dossiers, r.lookups, r.population_lookups) for r in rows] == [
        ("UBND-X", 2, 2, 2),
        ("UBND-Ý", 1, 2, 1),
    ]
    model = StaleReport(
        days=7,
        cutoff=cutoff,
        agencies=[
            StaleAgency(
                agency=r.agency,
                dossiers=r.dossiers,
                lookups=r.lookups,
                population_lookups=r.population_lookups,
                oldest=r.oldest,
            )
            for r in rows
        ],
    )
    assert body == _as_fastapi_renders(model)


def _procedures_by_hand(conn: Connection, filters: Filters, by: str | None) -> dict[str, tuple[int, int]]:
    """§4.5a from the finest cube's cells, in Python: per label, the procedures with a dossier
    received, and those with one that used population data."""
    t = FINEST.table
    used: dict[str, dict[str, bool]] = {}
    for row in conn.execute(select(t).where(*cube_where(FINEST, filters))).mappings():
        if by is None:
            label = ""
        elif by == "quarter":
            label = quarter_of(row["month"])
        elif by == "year":
            label = row["month"][:4]
        else:
            label = str(row[by])
        if row["received"] > 0:
            seen = used.setdefault(label, {})
            seen[row["procedure"]] = seen.get(row["procedure"], False) or row["population"] > 0
    return {label: (len(seen), sum(seen.values())) for label, seen in used.items()}


@pytest.mark.parametrize(
    "filters",
    [
        Filters(),
        Filters(month_from="2025-01", month_to="2025-12"),
        Filters(month_from="2025-02", month_to="2025-04"),
        Filters(channel="online"),
    ],
)
def test_procedures_in_use_summed_in_the_database(db_url: str, filters: Filters) -> None:
    engine = make_engine(db_url, pool_size=1)
    create_tables(engine)
    spread = [
        received(f"q-{i}", f"2025-{month:02d}-05 10:00", procedure=procedure)
        for i, (month, procedure) in enumerate([(1, "1.001"), (2, "2.002"), (3, "1.001"), (4, "3.003")])
    ]
    with engine.begin() as conn:
        apply_batch(conn, [*known_mix(), *spread, reused("q-1", "2025-02-05 09:00", procedure="2.002")])
    with engine.connect() as conn:
        for by in (None, *BREAKDOWNS):
            assert procedures_in_use(conn, filters, by) == _procedures_by_hand(conn, filters, by), by
    engine.dispose()
