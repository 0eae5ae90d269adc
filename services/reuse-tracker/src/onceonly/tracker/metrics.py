"""Prometheus metrics: what the consumer applied, dead-lettered and lags by, and the headline rates.

Each app gets its own registry (tests build many apps in one process). Headline rates are read from
the store at scrape time, so they are never staler than the store itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from prometheus_client import CollectorRegistry, Counter, Gauge
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from onceonly.tracker.indicators import Indicator


class TrackerMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.events_applied = Counter(
            "onceonly_tracker_events_applied",
            "Dossier events applied to the store, by payload type.",
            ["type"],
            registry=self.registry,
        )
        self.dead_lettered = Counter(
            "onceonly_tracker_dead_lettered",
            "Records sent to the dead-letter topic because they could not be decoded.",
            registry=self.registry,
        )
        self.consumer_lag = Gauge(
            "onceonly_tracker_consumer_lag",
            "Records on the topic not yet applied, per partition.",
            ["partition"],
            registry=self.registry,
        )

    def record_applied(self, applied: Mapping[str, int]) -> None:
        for kind, count in applied.items():
            self.events_applied.labels(type=kind).inc(count)

    def record_lag(self, lag: Mapping[int, int]) -> None:
        for partition, value in lag.items():
            self.consumer_lag.labels(partition=str(partition)).set(value)

    def watch_headline(self, headline: Callable[[], list[Indicator]]) -> None:
        self.registry.register(_HeadlineCollector(headline))


class _HeadlineCollector(Collector):
    def __init__(self, headline: Callable[[], list[Indicator]]) -> None:
        self._headline = headline

    def collect(self) -> Iterable[GaugeMetricFamily]:
        ratio = GaugeMetricFamily(
            "onceonly_tracker_indicator_ratio",
            "Headline indicators over all data, as a ratio; absent when there is no data.",
            labels=["indicator"],
        )
        target = GaugeMetricFamily(
            "onceonly_tracker_indicator_target_ratio",
            "Target of each indicator, as a ratio.",
            labels=["indicator"],
        )
        for indicator in self._headline():
            if indicator.denominator:
                ratio.add_metric([indicator.name], indicator.numerator / indicator.denominator)
            if indicator.target is not None:
                target.add_metric([indicator.name], indicator.target / 100)
        yield ratio
        yield target

    def describe(self) -> Iterable[GaugeMetricFamily]:
        return []
