"""Alembic's entry point for the tracker store; the work is in ``onceonly.common.migrations``."""

from onceonly.common.migrations import run_env
from onceonly.tracker.migrations import STORE

run_env(STORE)
