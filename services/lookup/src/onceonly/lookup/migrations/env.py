"""Alembic's entry point for the lookup store; the work is in ``onceonly.common.migrations``."""

from onceonly.common.migrations import run_env
from onceonly.lookup.migrations import STORE

run_env(STORE)
