"""JSON bytes for what the gateway writes by hand (problems, audit content, hot responses); orjson.

Most routes return their response models and FastAPI serializes them (pydantic-core, native code). The
citizen lookup, the hot path, builds its body from the registry's message directly and returns it as
``json_response``, skipping a model validation and a second serialization pass.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson
from starlette.responses import Response

__all__ = ["canonical", "dumps", "json_response"]


def dumps(value: Any) -> bytes:
    return orjson.dumps(value)


def canonical(value: Any) -> bytes:
    """Stable bytes for hashing: sorted keys, no whitespace, UTF-8."""
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


def json_response(
    value: Any, *, status_code: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    return Response(
        orjson.dumps(value), status_code=status_code, headers=headers, media_type="application/json"
    )
