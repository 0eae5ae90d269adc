"""The breakdown endpoint renders its JSON from plain dicts; it must equal what the model would give."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from onceonly.common.db import make_engine
from onceonly.tracker.api import breakdown_json, build_breakdown
from onceonly.tracker.cube import N_MEASURES
from onceonly.tracker.indicators import INDICATORS, compute, compute_dicts
from onceonly.tracker.ledger import apply_batch
from onceonly.tracker.queries import BREAKDOWNS, Filters
from onceonly.tracker.schemas import IndicatorOut
from onceonly.tracker.store import create_tables
from onceonly.tracker.targets import default_targets
from tests.tracker.builders import known_mix, received


def _typed(value: Any) -> str:
    # Re-serialized after parsing, so 40.0 and 40 (float and int) stay apart.
    return orjson.dumps(orjson.loads(value), option=orjson.OPT_SORT_KEYS).decode()


@pytest.mark.parametrize(
    "filters",
    [
        Filters(),
        Filters(month_from="2025-03", month_to="2025-03"),
        Filters(agency="SOTP-BD", channel="online", month_from="2025-01"),
        Filters(province="Thành phố Hồ Chí Minh", procedure="1.001"),
    ],
)
def test_breakdown_json_equals_the_model(sqlite_url: str, filters: Filters) -> None:
    engine = make_engine(sqlite_url, pool_size=1)
    create_tables(engine)
    with engine.begin() as conn:
        apply_batch(conn, [*known_mix(), received("april", "2025-04-02 10:00", fee=100)])
    goals = default_targets()
    with engine.connect() as conn:
        for by in BREAKDOWNS:
            model = build_breakdown(conn, goals, filters, by)  # type: ignore[arg-type]
            expected = model.model_dump_json(by_alias=True)
            assert _typed(breakdown_json(conn, goals, filters, by)) == _typed(expected), by  # type: ignore[arg-type]
    engine.dispose()


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(0, 10**9), min_size=N_MEASURES, max_size=N_MEASURES),
    st.dictionaries(st.sampled_from(INDICATORS), st.one_of(st.integers(0, 100), st.floats(0, 100))),
)
def test_compute_dicts_equals_the_model(vector: list[int], targets: dict[str, float]) -> None:
    expected = [IndicatorOut.of(i).model_dump() for i in compute(vector, targets)]
    (row,) = compute_dicts([("k", vector)], targets)
    assert row["key"] == "k"
    assert _typed(orjson.dumps(row["indicators"])) == _typed(orjson.dumps(expected))


@pytest.mark.parametrize(
    ("num", "den"),
    [(1, 800), (3, 8000), (1, 3), (2, 3), (0, 7), (7, 7), (10**11, 3 * 10**11), (10**12 + 1, 10**12 + 7)],
)
@pytest.mark.parametrize("target", [50.0, 33.33, 33.333, 0.07])
def test_compute_dicts_rounds_ties_and_huge_counts_as_the_model(num: int, den: int, target: float) -> None:
    # 0.125% and 0.0375% are exact ties at two decimals; past 1e11 the float's error could reach one.
    vector = [den, num] + [0] * (N_MEASURES - 2)
    expected = [IndicatorOut.of(i).model_dump() for i in compute(vector, {"reuse_rate": target})]
    (row,) = compute_dicts([("k", vector)], {"reuse_rate": target})
    assert _typed(orjson.dumps(row["indicators"])) == _typed(orjson.dumps(expected))
