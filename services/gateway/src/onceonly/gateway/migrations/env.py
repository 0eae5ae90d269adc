"""Alembic's entry point for the gateway store; the work is in ``onceonly.common.migrations``."""

from onceonly.common.migrations import run_env
from onceonly.gateway.migrations import STORE

run_env(STORE)
