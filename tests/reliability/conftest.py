"""One stack on SQLite for the fault scenarios that can share it (their ground truth accumulates);
the PostgreSQL scenario brings its own."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.reliability.harness import Deployment, deployment


@pytest.fixture(scope="package")
def shared(tmp_path_factory: pytest.TempPathFactory, kafka_bootstrap: str) -> Iterator[Deployment]:
    with deployment(tmp_path_factory.mktemp("reliability"), kafka_bootstrap) as dep:
        yield dep
