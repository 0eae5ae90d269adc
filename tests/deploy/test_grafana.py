"""deploy/grafana/onceonly.json: a dashboard Grafana can import, querying only metrics the services
really expose — checked against their own Prometheus registries, not a list kept by hand."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from prometheus_client import CollectorRegistry

from onceonly.gateway.metrics import GatewayMetrics
from onceonly.tracker.metrics import TrackerMetrics
from tests.deploy.tooling import DEPLOY

DASHBOARD = DEPLOY / "grafana" / "onceonly.json"
METRIC = re.compile(r"\bonceonly_[a-z0-9_]+")
SUFFIXES = {"counter": ("_total",), "histogram": ("_bucket", "_sum", "_count"), "gauge": ("",)}


def exposed(registry: CollectorRegistry) -> set[str]:
    """The sample names a scrape of ``registry`` can show, from each family's name and type."""
    names: set[str] = set()
    for family in registry.collect():
        names.update(family.name + suffix for suffix in SUFFIXES.get(family.type, ("",)))
    return names


@pytest.fixture(scope="module")
def dashboard() -> dict[str, Any]:
    parsed: dict[str, Any] = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    return parsed


def queries(dashboard: dict[str, Any]) -> list[str]:
    exprs = [t["expr"] for p in dashboard["panels"] for t in p.get("targets", [])]
    exprs += [v["definition"] for v in dashboard["templating"]["list"] if "definition" in v]
    return exprs


def test_the_dashboard_is_importable(dashboard: dict[str, Any]) -> None:
    assert dashboard["uid"] == "onceonly"
    ids = [p["id"] for p in dashboard["panels"]]
    assert len(ids) == len(set(ids))
    for panel in dashboard["panels"]:
        assert {"x", "y", "w", "h"} <= set(panel["gridPos"])
        for target in panel.get("targets", []):
            assert target["datasource"] == {"type": "prometheus", "uid": "${datasource}"}


def test_every_queried_metric_is_exposed_by_a_service(dashboard: dict[str, Any]) -> None:
    tracker = TrackerMetrics()
    tracker.watch_headline(list)
    tracker.watch_consumer(lambda: None)
    known = exposed(GatewayMetrics(lambda: 0.0).registry) | exposed(tracker.registry)
    used = {name for expr in queries(dashboard) for name in METRIC.findall(expr)}
    assert used, "the dashboard queries nothing"
    assert used <= known, f"not exposed by any service: {sorted(used - known)}"


def test_the_dashboard_covers_what_operators_watch(dashboard: dict[str, Any]) -> None:
    used = {name for expr in queries(dashboard) for name in METRIC.findall(expr)}
    assert {
        "onceonly_gateway_requests_total",
        "onceonly_gateway_request_seconds_bucket",
        "onceonly_gateway_lookups_total",
        "onceonly_gateway_outbox_lag_seconds",
        "onceonly_tracker_events_applied_total",
        "onceonly_tracker_dead_lettered_total",
        "onceonly_tracker_consumer_lag",
        "onceonly_tracker_indicator_ratio",
        "onceonly_tracker_indicator_target_ratio",
    } <= used
    text = json.dumps(dashboard)
    assert "histogram_quantile(0.5," in text
    assert "histogram_quantile(0.99," in text


def test_the_headline_panel_says_it_is_this_year_against_this_year_s_targets(
    dashboard: dict[str, Any],
) -> None:
    """The tracker's headline is the current year to date against that year's targets
    (``onceonly.tracker.metrics``): the panel must not claim another year."""
    panels = [p for p in dashboard["panels"] if "onceonly_tracker_indicator_target_ratio" in json.dumps(p)]
    assert panels
    for panel in panels:
        assert "2025" not in panel["title"]
    titles = " ".join(p["title"] for p in panels)
    assert "year to date" in titles
