"""Write the legacy stores of ``tests/migrations/legacy/``: each service's store as the code of
release c9b000e (before migrations) made and filled it, dumped to SQL, with the figures it gave.

Run with that release's sources first on the path (``git archive c9b000e libs services tests``
unpacked in a folder), never with today's::

    PYTHONPATH=<folder>/libs/common/src:<folder>/libs/contracts/src:<folder>/services/gateway/src:\
<folder>/services/lookup/src:<folder>/services/reuse-tracker/src:<folder> \
    python tests/migrations/legacy/make.py <postgres server url> <output folder>
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import tempfile
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import Engine, func, insert, select, update
from sqlalchemy.engine import make_url

from onceonly.common.db import make_engine
from onceonly.common.events import new_envelope
from onceonly.events.v1 import events_pb2 as ev


def fill_gateway(engine: Engine) -> dict[str, Any]:
    from onceonly.common import outbox
    from onceonly.gateway import audit
    from onceonly.gateway.agencies import Scope, add_agency, revoke_agency
    from onceonly.gateway.store import create_store, dossier_table, resolution_table

    create_store(engine)
    scopes = [Scope.POPULATION_READ, Scope.RESULTS_READ, Scope.DOSSIERS_WRITE, Scope.AUDIT_READ]
    add_agency(engine, code="UBND-THUDAUMOT", name="UBND Thủ Dầu Một", province="Bình Dương", scopes=scopes)
    add_agency(engine, code="SOTP-BD", name="Sở Tư pháp Bình Dương", province="Bình Dương", scopes=scopes)
    add_agency(engine, code="CA-HN", name="Công an Hà Nội", province="Hà Nội", scopes=scopes[:1])
    revoke_agency(engine, "CA-HN")
    start = datetime(2025, 3, 10, 2, 0, tzinfo=UTC)
    for batch in range(6):
        with engine.begin() as conn:
            writer = audit.ChainWriter(conn)
            for i in range(10):
                n = batch * 10 + i
                writer.append(
                    audit.AuditEntry(
                        request_id=f"req-{n:04d}",
                        agency_code="UBND-THUDAUMOT" if n % 3 else "SOTP-BD",
                        action="citizen.read" if n % 4 else "dossier.receive",
                        procedure_code="1.004873",
                        dossier_id=f"BD-2025-{n // 2:06d}",
                        outcome="ok" if n % 7 else "miss",
                        officer_id=f"officer-{n % 5}",
                        subject_pseudonym=f"ps-{n % 11:03d}",
                        source="population",
                        fields=["full_name", "date_of_birth"] if n % 2 else [],
                    ),
                    now=start + timedelta(seconds=n),
                )
            writer.flush()
    with engine.begin() as conn:
        for n in range(12):
            dossier_id = f"BD-2025-{n:06d}"
            conn.execute(
                insert(dossier_table).values(
                    dossier_id=dossier_id,
                    agency_code="UBND-THUDAUMOT",
                    procedure_code="1.004873",
                    applicant_pseudonym=f"ps-{n:03d}",
                    request_sha256=f"{n:064x}",
                    receipt_json=json.dumps({"dossier_id": dossier_id, "status": "received"}),
                    received_at=start + timedelta(minutes=n),
                )
            )
            if n % 3 == 0:
                conn.execute(
                    insert(resolution_table).values(
                        dossier_id=dossier_id,
                        request_sha256=f"{n + 100:064x}",
                        resolution_json=json.dumps({"dossier_id": dossier_id, "outcome": "approved"}),
                    )
                )
            payload = ev.DossierReceived(dossier_id=dossier_id, agency_code="UBND-THUDAUMOT")
            outbox.add_event(conn, new_envelope(payload, producer="gateway", occurred_at=start))
        first_ids = select(outbox.outbox_table.c.id).order_by(outbox.outbox_table.c.id).limit(8)
        conn.execute(
            update(outbox.outbox_table)
            .where(outbox.outbox_table.c.id.in_(first_ids.scalar_subquery()))
            .values(sent_at=start.timestamp() + 1)
        )
        conn.execute(insert(outbox.lease_table).values(name="gateway", holder="gw-1", expires_at=0.0))
    report = audit.verify_chain(engine)
    assert report.intact
    return {"audit_records": report.records}


def fill_lookup(engine: Engine) -> dict[str, Any]:
    from onceonly.lookup.seeder import seed_store
    from onceonly.lookup.store import LookupStore

    report = seed_store(engine, citizens=120, seed=20240101, processes=1)
    store = LookupStore(engine)
    owner = store.sample_personal_ids(1)[0]
    results, _ = store.list_results(owner, "", 50, "")
    if results:
        store.revoke_result(results[0].result_id, "superseded", datetime(2025, 4, 1, tzinfo=UTC))
    return {"citizens": report.citizens, "results": report.results, "procedures": report.procedures}


def fill_tracker(engine: Engine) -> dict[str, Any]:
    from onceonly.common import consumer
    from onceonly.tracker import queries
    from onceonly.tracker.consuming import prepare_store
    from onceonly.tracker.cube import MEASURES
    from onceonly.tracker.ledger import apply_batch
    from tests.tracker.builders import known_mix

    prepare_store(engine)
    events = known_mix()
    with engine.begin() as conn:
        apply_batch(conn, events[: len(events) // 2])
    with engine.begin() as conn:
        apply_batch(conn, events[len(events) // 2 :])
        # What the consume loop records beside each batch: the ids it applied.
        conn.execute(
            insert(consumer.applied_events_table),
            [{"event_id": e.event_id, "applied_at": 1_741_600_000.0} for e in events],
        )
    with engine.connect() as conn:
        totals = queries.totals(conn, queries.Filters())
        by_agency = queries.breakdown(conn, queries.Filters(), "agency")
    return {
        "totals": dict(zip(MEASURES, totals, strict=True)),
        "by_agency": {key: dict(zip(MEASURES, vector, strict=True)) for key, vector in by_agency},
    }


FILL = {"gateway": fill_gateway, "lookup": fill_lookup, "tracker": fill_tracker}


def row_counts(engine: Engine) -> dict[str, int]:
    from sqlalchemy import MetaData

    metadata = MetaData()
    metadata.reflect(engine)
    with engine.connect() as conn:
        return {
            name: int(conn.execute(select(func.count()).select_from(table)).scalar_one())
            for name, table in sorted(metadata.tables.items())
        }


def dump_sqlite(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return "\n".join(conn.iterdump()) + "\n"
    finally:
        conn.close()


def dump_postgres(url: str) -> str:
    libpq = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    dump = subprocess.run(
        ["pg_dump", "--inserts", "--no-owner", "--no-privileges", "--no-comments", libpq],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    # psql meta-commands (\restrict …) are for psql only; the tests run the dump through psycopg.
    return "".join(line for line in dump.splitlines(keepends=True) if not line.startswith("\\"))


def main() -> None:
    server, out = sys.argv[1], Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    figures: dict[str, Any] = {}
    libpq = make_url(server).set(drivername="postgresql").render_as_string(hide_password=False)
    with tempfile.TemporaryDirectory() as tmp:
        for service, fill in FILL.items():
            sqlite_path = Path(tmp) / f"{service}.db"
            engine = make_engine(f"sqlite:///{sqlite_path}")
            figures[service] = {"sqlite": fill(engine), "sqlite_rows": row_counts(engine)}
            engine.dispose()
            (out / f"{service}.sqlite.sql").write_text(dump_sqlite(sqlite_path))

            name = f"legacy_{uuid.uuid4().hex[:10]}"
            with psycopg.connect(libpq, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{name}"')
            url = make_url(server).set(drivername="postgresql+psycopg", database=name)
            rendered = url.render_as_string(hide_password=False)
            try:
                engine = make_engine(rendered)
                figures[service] |= {"postgresql": fill(engine), "postgresql_rows": row_counts(engine)}
                engine.dispose()
                (out / f"{service}.postgresql.sql").write_text(dump_postgres(rendered))
            finally:
                with psycopg.connect(libpq, autocommit=True) as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    (out / "figures.json").write_text(
        json.dumps(figures, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    )


if __name__ == "__main__":
    main()
