"""``onceonly-gateway catalog publish``: the catalog of a day, read from the real lookup service, goes
through the outbox and the relay to the real broker, and the tracker counts it as the report's catalog."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from onceonly.common.db import make_engine
from onceonly.common.events import decode, payload_kind
from onceonly.common.outbox import Relay, outbox_table
from onceonly.common.settings import KafkaSettings
from onceonly.gateway.cli import app
from onceonly.tracker import report
from onceonly.tracker.indicators import Catalog
from onceonly.tracker.ledger import apply_batch
from onceonly.tracker.queries import Filters
from onceonly.tracker.store import create_tables
from tests.fixtures.topic_end import read_to_end
from tests.gateway.conftest import LookupServer


def _env(tmp_path: Path, lookup_target: str, **more: str) -> dict[str, str]:
    return {
        "ONCEONLY_GATEWAY_DATABASE_URL": f"sqlite:///{tmp_path / 'gateway.db'}",
        "ONCEONLY_GATEWAY_LOOKUP_TARGET": lookup_target,
        "ONCEONLY_DEV_MODE": "true",
        **more,
    }


def _outbox_rows(tmp_path: Path) -> int:
    engine = make_engine(f"sqlite:///{tmp_path / 'gateway.db'}")
    try:
        with engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(outbox_table)).scalar_one())
    finally:
        engine.dispose()


def test_the_2024_catalog_of_binh_duong_reaches_the_tracker(
    tmp_path: Path, lookup_server: LookupServer, kafka_bootstrap: str, kafka_topic: str
) -> None:
    env = _env(
        tmp_path, lookup_server.target, KAFKA_BOOTSTRAP_SERVERS=kafka_bootstrap, KAFKA_TOPIC=kafka_topic
    )
    result = CliRunner().invoke(
        app, ["catalog", "publish", "--province", "074", "--as-of", "2024-12-31"], env=env
    )
    assert result.exit_code == 0, result.output
    assert (
        "Bình Dương as of 2024-12-31: 1882 procedures, 828 full-process and 679 partly online, 375 offline"
        in (result.output)
    )
    assert _outbox_rows(tmp_path) == 1

    kafka = KafkaSettings(bootstrap_servers=kafka_bootstrap, topic=kafka_topic)
    gateway = make_engine(env["ONCEONLY_GATEWAY_DATABASE_URL"])
    relay = Relay(gateway, kafka, name="gateway-test", idle_seconds=0.05)
    relay.start()
    try:
        deadline = time.monotonic() + 30
        while relay.stats.published < 1 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        relay.stop()
        gateway.dispose()
    records = read_to_end(kafka_bootstrap, kafka_topic, timeout=30)
    assert [r.key for r in records] == ["catalog/Bình Dương".encode()]
    envelope = decode(records[0].value)
    assert payload_kind(envelope) == "catalog_snapshot"
    snapshot = envelope.catalog_snapshot
    assert snapshot.province == "Bình Dương"
    # The catalog of that day holds from its start, Vietnam time.
    assert snapshot.as_of.ToSeconds() == 1_735_578_000  # 2024-12-31 00:00 +07:00
    codes = [e.procedure_code for e in snapshot.entries]
    assert codes == sorted(codes)
    assert len(set(codes)) == 1882

    tracker = make_engine(f"sqlite:///{tmp_path / 'tracker.db'}")
    try:
        create_tables(tracker)
        with tracker.begin() as conn:
            apply_batch(conn, [envelope])
        with tracker.connect() as conn:
            year = Filters(month_from="2024-01", month_to="2024-12", province="Bình Dương")
            assert report.catalogs(conn, year) == {"": Catalog(828, 679, 375)}
            # Before the snapshot's day the tracker knows no catalog of the province.
            november = Filters(month_from="2024-11", month_to="2024-11", province="Bình Dương")
            assert report.catalogs(conn, november) == {}
    finally:
        tracker.dispose()


def test_the_catalog_of_mid_2024_holds_the_levels_of_then(
    tmp_path: Path, lookup_server: LookupServer
) -> None:
    env = _env(tmp_path, lookup_server.target)
    result = CliRunner().invoke(app, ["catalog", "publish", "--as-of", "2024-06-30"], env=env)
    assert result.exit_code == 0, result.output
    # No --province: every province lookup holds a catalog of (the seed's is Bình Dương's).
    assert (
        "Bình Dương as of 2024-06-30: 1882 procedures, 728 full-process and 729 partly online, 425 offline"
        in (result.output)
    )


@pytest.mark.parametrize(
    ("args", "code", "says"),
    [
        (["--as-of", "31/12/2024"], 2, "not a date"),
        (["--province", "Atlantis"], 2, "province"),
        (["--province", "Hà Nội", "--as-of", "2024-12-31"], 1, "no catalog of Hà Nội"),
        (["--as-of", "2023-12-31"], 1, "no catalog on 2023-12-31"),
    ],
)
def test_nothing_is_published_when_there_is_no_catalog_to_publish(
    tmp_path: Path, lookup_server: LookupServer, args: list[str], code: int, says: str
) -> None:
    result = CliRunner().invoke(app, ["catalog", "publish", *args], env=_env(tmp_path, lookup_server.target))
    assert result.exit_code == code, result.output
    assert says in result.output
    assert not (tmp_path / "gateway.db").exists() or _outbox_rows(tmp_path) == 0


def test_lookup_away_publishes_nothing(tmp_path: Path) -> None:
    from tests.fixtures.services import free_port

    env = _env(tmp_path, f"127.0.0.1:{free_port()}", ONCEONLY_GATEWAY_GRPC_DEADLINE_SECONDS="0.5")
    result = CliRunner().invoke(app, ["catalog", "publish", "--as-of", "2024-12-31"], env=env)
    assert result.exit_code == 2, result.output
    assert "cannot read the catalog from lookup" in result.output
    assert not (tmp_path / "gateway.db").exists()
