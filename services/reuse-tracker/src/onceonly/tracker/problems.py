"""Errors as RFC 9457 ``application/problem+json``, mapped in one place for the whole app."""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException

PROBLEM_JSON = "application/problem+json"


class Problem(Exception):
    """A client-facing error; ``type_`` is a short slug under ``/problems/``."""

    def __init__(self, status: int, title: str, detail: str, type_: str = "about:blank") -> None:
        super().__init__(detail)
        self.status, self.title, self.detail, self.type_ = status, title, detail, type_


def problem_response(
    request: Request, status: int, title: str, detail: str, type_: str = "about:blank", **extra: Any
) -> Response:
    body = {"type": type_, "title": title, "status": status, "detail": detail, "instance": request.url.path}
    return Response(orjson.dumps({**body, **extra}), status_code=status, media_type=PROBLEM_JSON)


def install(app: FastAPI) -> None:
    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem) -> Response:
        return problem_response(request, exc.status, exc.title, exc.detail, exc.type_)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        errors = [
            {"location": ".".join(str(p) for p in e.get("loc", ())), "message": e.get("msg", "")}
            for e in exc.errors()
        ]
        detail = "; ".join(f"{e['location']}: {e['message']}" for e in errors)
        return problem_response(
            request, 422, "Invalid request", detail, "/problems/invalid-request", errors=errors
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        return problem_response(request, exc.status_code, str(exc.detail), str(exc.detail))
