"""The shared problem layer: which database failures are a store away, and the handlers on a bare
Starlette app (no FastAPI), each error answered as an RFC 9457 problem and never a stack trace."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import Column, Integer, MetaData, Table, create_engine, insert
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.pool import QueuePool
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from onceonly.common.db import make_engine
from onceonly.common.problems import (
    PROBLEM_BASE,
    ProblemError,
    StoreUnavailable,
    install_problem_handlers,
    store_unreachable,
)

REFUSED = "postgresql+psycopg://nobody:nothing@127.0.0.1:1/none"  # nothing listens on port 1


def _raised(action: Any) -> BaseException:
    try:
        action()
    except Exception as error:
        return error
    raise AssertionError("nothing was raised")


def test_a_refused_connection_is_a_store_away_through_sqlalchemy_and_from_the_driver() -> None:
    engine = make_engine(REFUSED, pool_size=1)
    assert store_unreachable(_raised(engine.connect))
    engine.dispose()
    assert store_unreachable(_raised(lambda: psycopg.connect("host=127.0.0.1 port=1 connect_timeout=2")))


def test_an_sqlite_file_that_cannot_be_opened_is_a_store_away(tmp_path: Path) -> None:
    missing = tmp_path / "no such directory" / "store.db"
    assert store_unreachable(_raised(lambda: sqlite3.connect(missing)))
    engine = create_engine(f"sqlite:///{missing}")
    assert store_unreachable(_raised(engine.connect))
    engine.dispose()


def test_a_pool_with_no_connection_to_give_is_a_store_away(tmp_path: Path) -> None:
    engine = create_engine(
        f"sqlite:///{tmp_path / 'store.db'}",
        poolclass=QueuePool,
        pool_size=1,
        max_overflow=0,
        pool_timeout=0.05,
    )
    with engine.connect():
        assert store_unreachable(_raised(engine.connect))
    engine.dispose()


def test_a_connection_invalidated_mid_statement_is_a_store_away() -> None:
    # How SQLAlchemy reports a connection that died under a statement, whatever the driver's class.
    lost = DBAPIError("SELECT 1", {}, Exception("server closed the connection"), connection_invalidated=True)
    assert store_unreachable(lost)


def test_what_the_store_refuses_is_no_outage(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'store.db'}")
    table = Table("t", MetaData(), Column("id", Integer, primary_key=True))
    table.create(engine)

    def insert_one() -> None:
        with engine.begin() as conn:
            conn.execute(insert(table).values(id=1))

    insert_one()
    duplicate = _raised(insert_one)
    engine.dispose()
    assert isinstance(duplicate, IntegrityError)
    assert not store_unreachable(duplicate)
    assert not store_unreachable(ValueError("not a database error"))


class Teapot(ProblemError):
    status, slug, title = 418, "teapot", "I am a teapot"


class FakeValidationError(Exception):
    """Stands in for FastAPI's RequestValidationError: what the handler reads of it is ``errors()``."""

    def errors(self) -> list[dict[str, Any]]:
        return [{"loc": ("query", "n"), "msg": "not a number", "type": "int_parsing", "input": "secret"}]


def _app(**options: Any) -> Starlette:
    def raising(error: BaseException) -> Any:
        def endpoint(_: Request) -> PlainTextResponse:
            raise error

        return endpoint

    away = make_engine(REFUSED, pool_size=1)
    refused_connection = _raised(away.connect)
    away.dispose()
    routes = [
        Route("/teapot", raising(Teapot("short and stout", extra={"spout": 1}, headers={"X-Pot": "1"}))),
        Route("/invalid", raising(FakeValidationError())),
        Route("/away", raising(refused_connection)),
        Route("/refused", raising(IntegrityError("INSERT", {}, Exception("UNIQUE constraint failed")))),
        Route("/crash", raising(RuntimeError("secret internals"))),
        Route("/conflict", raising(HTTPException(409, "taken"))),
        Route("/only-get", lambda _: PlainTextResponse("ok"), methods=["GET"]),
    ]
    app = Starlette(routes=routes)
    install_problem_handlers(app, **options)
    return app


@pytest.fixture
def client() -> TestClient:
    # The server's own errors come back as responses, as a caller sees them.
    return TestClient(_app(request_validation=FakeValidationError), raise_server_exceptions=False)


def _problem(r: Any, status: int, slug: str) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = r.json()
    assert (body["type"], body["status"]) == (PROBLEM_BASE + slug, status)
    assert body["instance"] == r.request.url.path
    return body


def test_a_problem_error_is_its_document_with_its_members_and_headers(client: TestClient) -> None:
    r = client.get("/teapot")
    body = _problem(r, 418, "teapot")
    assert (body["title"], body["detail"], body["spout"]) == ("I am a teapot", "short and stout", 1)
    assert r.headers["x-pot"] == "1"


def test_invalid_requests_are_a_422_that_echoes_no_input(client: TestClient) -> None:
    body = _problem(client.get("/invalid"), 422, "validation-error")
    assert body["errors"] == [{"loc": ["query", "n"], "msg": "not a number", "type": "int_parsing"}]
    assert "secret" not in str(body)


def test_a_store_away_is_a_503_to_retry_and_other_database_errors_a_500(client: TestClient) -> None:
    r = client.get("/away")
    _problem(r, 503, "store-unavailable")
    assert r.headers["retry-after"] == "2"
    refused = _problem(client.get("/refused"), 500, "internal")
    assert "UNIQUE" not in refused["detail"]


def test_the_service_names_its_own_503() -> None:
    def ours(_: Request) -> ProblemError:
        return StoreUnavailable("ours is away", headers={"Retry-After": "7"})

    r = TestClient(_app(store_unavailable=ours)).get("/away")
    assert (_problem(r, 503, "store-unavailable")["detail"], r.headers["retry-after"]) == (
        "ours is away",
        "7",
    )


def test_an_unexpected_error_is_a_500_problem_without_its_trace(client: TestClient) -> None:
    r = client.get("/crash")
    body = _problem(r, 500, "internal")
    assert "secret internals" not in r.text
    assert "Traceback" not in r.text
    assert body["detail"] == "an unexpected error occurred; it has been logged"


def test_routes_methods_and_http_errors_are_problems(client: TestClient) -> None:
    _problem(client.get("/nowhere"), 404, "route-not-found")
    r = client.post("/only-get")
    _problem(r, 405, "method-not-allowed")
    assert "GET" in r.headers["allow"]
    conflict = _problem(client.get("/conflict"), 409, "conflict")
    assert (conflict["title"], conflict["detail"]) == ("Conflict", "taken")


def test_without_a_framework_validation_error_none_is_installed() -> None:
    r = TestClient(_app(), raise_server_exceptions=False).get("/invalid")
    _problem(r, 500, "internal")


def test_the_layer_needs_no_fastapi() -> None:
    # Lookup (gRPC) imports it for store_unreachable; FastAPI must stay out of that process.
    code = "import sys, onceonly.common.problems; sys.exit('fastapi' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
