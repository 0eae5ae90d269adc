"""Prometheus metrics: what the consumer applied, dead-lettered and lags by, and the headline rates.

Each app gets its own registry (tests build many apps in one process). Everything is read at scrape
time — the consume loop's own counters and the store's headline figures — so nothing is counted twice
and no figure is staler than the store.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from prometheus_client import CollectorRegistry
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from onceonly.common.consumer import ConsumerMetrics
from onceonly.tracker.indicators import Indicator


class TrackerMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()

    def watch_headline(self, headline: Callable[[], list[Indicator]]) -> None:
        self.registry.register(_HeadlineCollector(headline))

    def watch_consumer(self, source: Callable[[], ConsumerMetrics | None]) -> None:
        self.registry.register(_ConsumerCollector(source))


class _HeadlineCollector(Collector):
    def __init__(self, headline: Callable[[], list[Indicator]]) -> None:
        self._headline = headline

    def collect(self) -> Iterable[Metric]:
        ratio = GaugeMetricFamily(
            "onceonly_tracker_indicator_ratio",
            "Headline indicators for the current year to date (Vietnam time), as a ratio; absent when "
            "there is no data.",
            labels=["indicator"],
        )
        target = GaugeMetricFamily(
            "onceonly_tracker_indicator_target_ratio",
            "Target of each indicator for the current year, as a ratio.",
            labels=["indicator"],
        )
        for indicator in self._headline():
            if indicator.denominator:
                ratio.add_metric([indicator.name], indicator.numerator / indicator.denominator)
            if indicator.target is not None:
                target.add_metric([indicator.name], indicator.target / 100)
        yield ratio
        yield target

    def describe(self) -> Iterable[Metric]:
        return []


class _ConsumerCollector(Collector):
    def __init__(self, source: Callable[[], ConsumerMetrics | None]) -> None:
        self._source = source

    def collect(self) -> Iterable[Metric]:
        applied = CounterMetricFamily(
            "onceonly_tracker_events_applied",
            "Dossier events applied to the store, by type.",
            labels=["type"],
        )
        dead = CounterMetricFamily(
            "onceonly_tracker_dead_lettered",
            "Records sent to the dead-letter topic (undecodable or failing).",
        )
        duplicates = CounterMetricFamily(
            "onceonly_tracker_duplicate_events", "Events skipped because they were already applied."
        )
        lag = GaugeMetricFamily(
            "onceonly_tracker_consumer_lag",
            "Records behind the partition's high watermark after the last commit.",
            labels=["topic", "partition"],
        )
        metrics = self._source()
        if metrics is not None:
            # The loop's thread updates these; copies keep a scrape from seeing a dict mid-change.
            for kind, count in dict(metrics.applied).items():
                applied.add_metric([kind], count)
            dead.add_metric([], metrics.dead_lettered)
            duplicates.add_metric([], metrics.duplicates)
            for (topic, partition), behind in dict(metrics.lag).items():
                lag.add_metric([topic, str(partition)], behind)
        yield from (applied, dead, duplicates, lag)

    def describe(self) -> Iterable[Metric]:
        return []
