"""Prepare one service's store from several processes at the same instant, as replicas starting
together do.

``python -m tests.migrations.start_together <service> <db url> <processes>`` prints one line per
process, ``outcome: ok`` or ``outcome:`` and the error it died of, and exits 1 if any died.
"""

from __future__ import annotations

import multiprocessing
import sys
import traceback
from collections.abc import Callable
from multiprocessing.synchronize import Barrier
from typing import Any

from sqlalchemy import Engine

from onceonly.common.db import make_engine


def preparer(service: str) -> Callable[[Engine], None]:
    """What the service's ``serve`` does to its store before it serves."""
    if service == "gateway":
        from onceonly.gateway.store import create_store

        return create_store
    if service == "lookup":
        from onceonly.lookup.store import LookupStore

        return lambda engine: LookupStore(engine).create_tables()
    if service == "tracker":
        from onceonly.tracker.consuming import prepare_store

        return prepare_store
    raise ValueError(f"unknown service {service!r}")


def _worker(service: str, url: str, barrier: Barrier, results: Any) -> None:
    # Imports and the engine done before the barrier: the processes then reach the database together.
    prepare = preparer(service)
    engine = make_engine(url)
    barrier.wait()
    try:
        prepare(engine)
    except Exception as error:
        results.put(f"{type(error).__name__}: {error}\n{traceback.format_exc()}")
    else:
        results.put("ok")
    finally:
        engine.dispose()


def run(service: str, url: str, processes: int) -> list[str]:
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(processes)
    results = context.Queue()
    workers = [
        context.Process(target=_worker, args=(service, url, barrier, results)) for _ in range(processes)
    ]
    for worker in workers:
        worker.start()
    outcomes = [results.get(timeout=240) for _ in workers]
    for worker in workers:
        worker.join(30)
    return outcomes


def main() -> None:
    service, url, processes = sys.argv[1], sys.argv[2], int(sys.argv[3])
    outcomes = run(service, url, processes)
    for outcome in outcomes:
        print("outcome:", outcome.splitlines()[0])  # noqa: T201
    if any(outcome != "ok" for outcome in outcomes):
        print("\n".join(o for o in outcomes if o != "ok"), file=sys.stderr)  # noqa: T201
        sys.exit(1)


if __name__ == "__main__":
    main()
