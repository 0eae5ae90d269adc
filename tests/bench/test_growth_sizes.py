"""The seeding scenario's growth sizes: 10⁷ citizens only in a long run, never in a smoke test."""

from __future__ import annotations

import pytest

from bench.scenarios.seeding import growth_sizes


def test_a_normal_run_stops_at_a_million(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BENCH_LARGE", raising=False)
    assert growth_sizes(quick=False) == (100_000, 1_000_000)


def test_a_long_run_adds_ten_million(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BENCH_LARGE", "1")
    assert growth_sizes(quick=False) == (100_000, 1_000_000, 10_000_000)


def test_a_smoke_test_stays_small_even_when_large_is_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BENCH_LARGE", "1")
    assert growth_sizes(quick=True) == (10_000, 100_000)
