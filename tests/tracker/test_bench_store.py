"""The query bench writes its national store in bulk; it must hold what the ledger makes of the events."""

from __future__ import annotations

from pathlib import Path

import pytest

from onceonly.common.db import make_engine
from tests.fixtures.tracker_model import check_consistency


@pytest.mark.slow  # draws every cell of the national model, if mostly empty at this size
def test_a_store_written_in_bulk_equals_one_fed_the_events(tmp_path: Path) -> None:
    direct = make_engine(f"sqlite:///{tmp_path}/direct.db", pool_size=1)
    replayed = make_engine(f"sqlite:///{tmp_path}/events.db", pool_size=1)
    assert check_consistency(direct, replayed, dossiers=1_000)
    direct.dispose()
    replayed.dispose()
