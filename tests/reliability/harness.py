"""The stack a fault test breaks, and what it checks afterwards.

``deployment`` runs the whole stack (``tests.fixtures.stack.Stack``: real processes, their own stores,
a topic of their own on the test broker), registers the demo's ``small`` agencies and plans their
dossiers with the demo planner. The checks read the truth from where it lives: the tracker's
``/v1/indicators``, the gateway's outbox and audit log (its own store, read directly, and
``onceonly-gateway audit verify``, and ``/v1/access-log``), the tracker's applied-event ids, and the
topic itself. ``write_figures`` leaves each scenario's measurements in ``test-artifacts/reliability``.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import grpc
import httpx
from sqlalchemy import Engine, func, select

from onceonly.client import GatewayClient
from onceonly.common.consumer import applied_events_table
from onceonly.common.db import make_engine
from onceonly.common.events import EventDecodeError, decode
from onceonly.common.outbox import outbox_table
from onceonly.common.provinces import province_2025
from onceonly.demo.driver import in_order_of_receipt
from onceonly.demo.plan import Agency, DossierPlan, build_plan
from onceonly.demo.profiles import Profile, load_profiles
from onceonly.demo.sources import load_applicants, load_catalog
from onceonly.demo.truth import INDICATORS, Figure, ground_truth
from onceonly.gateway.agencies import Scope, add_agency
from onceonly.gateway.checkpoints import generate_key_pair
from onceonly.gateway.store import audit_table
from tests.fixtures.stack import ALL_SCOPES, SERVICES, Stack, cli
from tests.fixtures.topic_end import read_to_end
from tests.reliability.load import RESOLUTION_INDICATORS, Attempt, Load, outcomes

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "reliability"
PROFILE = "small"
CITIZENS = 1000
APPLICANTS = 600  # of the seeded citizens, the ones the planner draws applicants from


@dataclass
class Deployment:
    """A running stack and its ground truth, cumulative over the scenarios that share it."""

    stack: Stack
    profile: Profile
    keys: dict[str, str]
    plans: list[DossierPlan]
    gateway_db: Engine
    tracker_db: Engine
    # Where the gateway publishes its signed audit checkpoints, and the key that verifies them.
    checkpoints: Path
    public_key: Path
    used: int = 0  # plans already sent by earlier loads
    received: list[DossierPlan] = field(default_factory=list)
    resolved: list[DossierPlan] = field(default_factory=list)

    def load(self, dossiers_per_second: float = 8.0, **options: Any) -> Load:
        """A load over the plans no earlier load sent."""
        self.ensure_running()
        return Load(
            self.stack.gateway_url,
            self.keys,
            self.plans[self.used :],
            received_before=frozenset(plan.dossier_id for plan in self.received),
            dossiers_per_second=dossiers_per_second,
            **options,
        )

    def finish(self, load: Load) -> None:
        """Stop the load and add what it got accepted to the ground truth."""
        load.stop()
        self.used += len(load.flows)
        self.received += load.received()
        self.resolved += load.resolved()

    def expected(self) -> dict[str, Figure]:
        return expected_figures(self.received, self.resolved)

    def ensure_running(self) -> None:
        """A scenario starts with every service up, whatever the one before it left."""
        for service in self.stack.services.values():
            if not service.running:
                service.start()

    @property
    def period(self) -> dict[str, str]:
        return {"from": f"{self.profile.start:%Y-%m}", "to": f"{self.profile.end:%Y-%m}"}


def sqlite_urls(root: Path) -> dict[str, str]:
    return {name: f"sqlite:///{root / name}.db" for name in SERVICES}


@contextmanager
def deployment(
    root: Path,
    kafka_bootstrap: str,
    database_urls: dict[str, str] | None = None,
    *,
    dossiers: int = 3000,
) -> Iterator[Deployment]:
    """The running stack, its agencies registered and ``dossiers`` planned; stopped afterwards."""
    with ExitStack() as cleanup:
        checkpoints, private_key, public_key = (
            root / "audit-checkpoints.jsonl",
            root / "audit-signing.pem",
            root / "audit-signing.pub.pem",
        )
        generate_key_pair(private_key, public_key)
        stack = Stack(
            root=root,
            kafka_bootstrap=kafka_bootstrap,
            database_urls=database_urls or sqlite_urls(root),
            citizens=CITIZENS,
            # The chain anchored as in production: every process signs checkpoints into one file.
            extra_env={
                "ONCEONLY_GATEWAY_AUDIT_SIGNING_KEY_FILE": str(private_key),
                "ONCEONLY_GATEWAY_AUDIT_CHECKPOINT_FILE": str(checkpoints),
                "ONCEONLY_GATEWAY_AUDIT_CHECKPOINT_EVERY_SECONDS": "1",
            },
        )
        citizens = stack.seed_registry()
        stack.start()
        cleanup.callback(stack.stop)
        gateway_db = make_engine(stack.database_urls["gateway"], pool_size=2)
        cleanup.callback(gateway_db.dispose)
        tracker_db = make_engine(stack.database_urls["tracker"], pool_size=2)
        cleanup.callback(tracker_db.dispose)
        profile = load_profiles()[PROFILE]
        # In this process: the CLI would pay an interpreter start per agency.
        scopes = [Scope(s) for s in ALL_SCOPES.split(",")]
        keys = {
            a.code: add_agency(gateway_db, code=a.code, name=a.name, province=a.province, scopes=scopes)[1]
            for a in profile.agencies
        }
        agencies = [Agency(a.code, a.name, province_2025(a.province), a.weight) for a in profile.agencies]
        with grpc.insecure_channel(stack.lookup_target) as channel:
            procedures = load_catalog(channel)
            applicants = load_applicants(channel, citizens[:APPLICANTS])
        # In order of receipt, so each load's slice comes after the dossiers its components reuse.
        plans = in_order_of_receipt(
            build_plan(
                profile, agencies=agencies, procedures=procedures, applicants=applicants, dossiers=dossiers
            )
        )
        yield Deployment(stack, profile, keys, plans, gateway_db, tracker_db, checkpoints, public_key)


def expected_figures(received: Sequence[DossierPlan], resolved: Sequence[DossierPlan]) -> dict[str, Figure]:
    """The indicators the tracker must report for what the gateway accepted."""
    figures = ground_truth(received)
    by_resolution = ground_truth(resolved)
    for name in RESOLUTION_INDICATORS:
        figures[name] = by_resolution[name]
    return figures


# -- the tracker against the ground truth -----------------------------------------------------------


def tracker_figures(dep: Deployment, period: dict[str, str] | None = None) -> dict[str, Figure]:
    response = httpx.get(f"{dep.stack.tracker_url}/v1/indicators", params=period or dep.period, timeout=10)
    response.raise_for_status()
    return {
        item["name"]: Figure(int(item["numerator"]), int(item["denominator"]))
        for item in response.json()["indicators"]
        if item["name"] in INDICATORS
    }


def outbox_ids(dep: Deployment) -> tuple[set[str], int]:
    """Every event id the gateway committed, and how many are still unpublished."""
    with dep.gateway_db.connect() as conn:
        ids = set(conn.execute(select(outbox_table.c.event_id)).scalars())
        pending = conn.execute(
            select(func.count()).select_from(outbox_table).where(outbox_table.c.sent_at.is_(None))
        ).scalar_one()
    return ids, int(pending)


def applied_ids(dep: Deployment) -> set[str]:
    with dep.tracker_db.connect() as conn:
        return set(conn.execute(select(applied_events_table.c.event_id)).scalars())


@dataclass
class CatchUp:
    seconds: float | None  # None: it did not catch up in time
    expected: dict[str, Figure]
    reported: dict[str, Figure]
    events_committed: int
    events_applied: int
    events_lost: int  # committed by the gateway, never applied by the tracker
    events_doubled: int  # dossiers the tracker counts beyond the ground truth
    dossiers_lost: int  # dossiers accepted by the gateway the tracker does not count

    @property
    def exact(self) -> bool:
        return self.reported == self.expected and self.events_lost == 0 and self.events_doubled == 0


def wait_for_tracker(dep: Deployment, *, since: float, timeout: float = 90.0) -> CatchUp:
    """Poll until every committed event is published and applied and the figures equal the truth.

    ``seconds`` counts from ``since`` (monotonic), e.g. the moment the fault ended.
    """
    expected = dep.expected()
    deadline = time.monotonic() + timeout
    seconds: float | None = None
    while True:
        committed, pending = outbox_ids(dep)
        applied = applied_ids(dep)
        try:
            reported = tracker_figures(dep)
        except httpx.HTTPError:
            reported = {}
        if pending == 0 and committed <= applied and reported == expected:
            seconds = time.monotonic() - since
            break
        if time.monotonic() > deadline:
            break
        time.sleep(0.5)
    received, resolved = expected["online_dossier_rate"], expected["on_time_rate"]
    got_received = reported.get("online_dossier_rate", Figure(0, 0))
    got_resolved = reported.get("on_time_rate", Figure(0, 0))
    return CatchUp(
        seconds=seconds,
        expected=expected,
        reported=reported,
        events_committed=len(committed),
        events_applied=len(committed & applied),
        events_lost=len(committed - applied),
        events_doubled=max(0, got_received.denominator - received.denominator)
        + max(0, got_resolved.denominator - resolved.denominator),
        dossiers_lost=max(0, received.denominator - got_received.denominator)
        + max(0, resolved.denominator - got_resolved.denominator),
    )


@dataclass
class TopicCensus:
    records: int
    distinct_events: int
    undecodable: int

    @property
    def redelivered(self) -> int:
        """Records carrying an event id already on the topic: at-least-once at work."""
        return self.records - self.undecodable - self.distinct_events


def topic_census(bootstrap: str, topic: str, timeout: float = 60.0) -> TopicCensus:
    """Read the whole topic once (bounded in time) and count its records and distinct event ids."""
    records = read_to_end(bootstrap, topic, timeout=timeout)
    undecodable, ids = 0, set()
    for record in records:
        try:
            ids.add(decode(record.value).event_id)
        except EventDecodeError:
            undecodable += 1
    return TopicCensus(len(records), len(ids), undecodable)


# -- the audit log ----------------------------------------------------------------------------------


@dataclass
class AuditCheck:
    records: int
    audited_2xx: int  # 2xx answers that carried an audit hash
    missing: list[str]  # their hashes absent from the log
    chain_intact: bool  # ``audit verify`` against the signed checkpoints found nothing
    verify_report: str
    access_log_missing: list[str]  # "personal id / dossier" pairs the transparency report omits


def check_audit(dep: Deployment, load: Load, sample: int = 25) -> AuditCheck:
    hashes = {a.audit_hash for a in load.attempts if a.ok and a.audit_hash}
    with dep.gateway_db.connect() as conn:
        stored = set(conn.execute(select(audit_table.c.hash)).scalars())
    anchors = ["--checkpoints", str(dep.checkpoints), "--public-key", str(dep.public_key)]
    verify = subprocess.run(
        [*cli("gateway"), "audit", "verify", *anchors],
        check=False,
        env=dep.stack.env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    # The transparency report must show every lookup that got a 2xx, for a sample of citizens: each
    # agency sees its own accesses (``audit:read``), so each asks about the lookups it made.
    agency_of = {f.plan.dossier_id: f.plan.agency_code for f in load.flows.values()}
    looked_up: dict[str, dict[str, set[str]]] = {}
    for a in load.attempts:
        if a.ok and a.step == "citizen":
            by_agency = looked_up.setdefault(a.personal_id, {})
            by_agency.setdefault(agency_of[a.dossier_id], set()).add(a.dossier_id)
    missing_in_report = []
    for personal_id in sorted(looked_up)[:sample]:
        for agency, dossiers in sorted(looked_up[personal_id].items()):
            shown = access_log_dossiers(dep, agency, personal_id)
            missing_in_report += [f"{personal_id[:3]}…/{d}" for d in sorted(dossiers - shown)]
    return AuditCheck(
        records=len(stored),
        audited_2xx=len(hashes),
        missing=sorted(hashes - stored),
        chain_intact=verify.returncode == 0,
        verify_report=verify.stdout + verify.stderr,
        access_log_missing=missing_in_report,
    )


def access_log_dossiers(dep: Deployment, agency: str, personal_id: str) -> set[str]:
    """The dossiers of every page of the citizen's access log, as ``agency`` is shown it."""
    dossiers: set[str] = set()
    with GatewayClient(base_url=dep.stack.gateway_url, api_key=dep.keys[agency], timeout=30) as client:
        page = client.access_log(personal_id, page_size=500)
        dossiers |= {access.dossier_id for access in page.accesses}
        while page.next_page_token:
            page = client.access_log(personal_id, page_size=500, page_token=page.next_page_token)
            dossiers |= {access.dossier_id for access in page.accesses}
    return dossiers


# -- figures ------------------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    one, five, fifteen = os.getloadavg()
    return {"cpus": os.cpu_count(), "loadavg_1_5_15": [round(one, 2), round(five, 2), round(fifteen, 2)]}


def load_figures(load: Load, start: float, end: float) -> dict[str, Any]:
    """Requests during [start, end] and over the whole run, by outcome."""
    during = load.during(start, end)
    return {
        "dossiers_started": len(load.flows),
        "dossiers_received": len(load.received()),
        "dossiers_resolved": len(load.resolved()),
        "dossiers_failed": {f.plan.dossier_id: f.failed for f in load.flows.values() if f.failed},
        "requests_total": len(load.attempts),
        "requests_by_status": outcomes(load.attempts),
        "fault_seconds": round(end - start, 2),
        "requests_during_fault": len(during),
        "requests_during_fault_by_status": outcomes(during),
        "request_rate_per_s": round(len(load.attempts) / max(1e-9, _span(load.attempts)), 1),
    }


def _span(attempts: Sequence[Attempt]) -> float:
    return max(a.ended for a in attempts) - min(a.started for a in attempts) if attempts else 0.0


def catch_up_figures(catch_up: CatchUp) -> dict[str, Any]:
    return {
        "tracker_catch_up_seconds": None if catch_up.seconds is None else round(catch_up.seconds, 2),
        "events_committed": catch_up.events_committed,
        "events_applied": catch_up.events_applied,
        "events_lost": catch_up.events_lost,
        "events_doubled": catch_up.events_doubled,
        "dossiers_lost": catch_up.dossiers_lost,
        "figures_exact": catch_up.reported == catch_up.expected,
        "expected": {k: [v.numerator, v.denominator] for k, v in catch_up.expected.items()},
        "reported": {k: [v.numerator, v.denominator] for k, v in catch_up.reported.items()},
    }


def write_figures(scenario: str, figures: dict[str, Any]) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    figures = {"scenario": scenario, "date": f"{datetime.now(UTC):%Y-%m-%d}", "machine": machine(), **figures}
    (ARTIFACTS / f"{scenario}.json").write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n")


def explain(dep: Deployment, catch_up: CatchUp) -> str:
    rows = [
        f"{name}: expected {catch_up.expected[name]} reported {catch_up.reported.get(name)}"
        for name in INDICATORS
        if catch_up.expected.get(name) != catch_up.reported.get(name)
    ]
    counts = f"lost {catch_up.events_lost}, doubled {catch_up.events_doubled}"
    return "\n".join([*rows, counts, dep.stack.logs()])
