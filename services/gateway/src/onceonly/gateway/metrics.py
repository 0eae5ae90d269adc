"""Prometheus metrics, in a registry per app so several apps (tests, workers) never collide."""

from __future__ import annotations

from collections.abc import Callable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class GatewayMetrics:
    def __init__(self, outbox_lag_seconds: Callable[[], float]) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "onceonly_gateway_requests",
            "HTTP requests by route template, method and status.",
            ["route", "method", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "onceonly_gateway_request_seconds",
            "HTTP request latency by route template.",
            ["route", "method"],
            buckets=(0.002, 0.005, 0.01, 0.02, 0.035, 0.05, 0.075, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
            registry=self.registry,
        )
        self.lookups = Counter(
            "onceonly_gateway_lookups",
            "Data lookups by source and outcome.",
            ["source", "outcome"],
            registry=self.registry,
        )
        self.outbox_lag = Gauge(
            "onceonly_gateway_outbox_lag_seconds",
            "Age of the oldest unpublished outbox event (0 when none).",
            registry=self.registry,
        )
        self.outbox_lag.set_function(outbox_lag_seconds)
