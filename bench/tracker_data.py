"""Bench-only national data for the tracker: the dossier model of ``tests/fixtures/tracker_model.py``,
shared with the tests that replay its events, as events (for the ingest scenario) or written straight
into the store's cubes (for the query scenario).
"""

from __future__ import annotations

from tests.fixtures.tracker_model import Model, check_consistency, event_stream, write_direct

__all__ = ["EVENTS_VERSION", "VERSION", "Model", "check_consistency", "event_stream", "write_direct"]

# Bump when the model's dossier events change (the ingest scenario's topic), or its drawn cubes (the
# query store).
EVENTS_VERSION = 4
VERSION = 8
