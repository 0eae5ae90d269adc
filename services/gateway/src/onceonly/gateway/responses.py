"""JSON bytes for what the gateway writes by hand (problems, audit content); orjson throughout.

Typed route responses are serialized by FastAPI straight from their response models (pydantic-core,
also native code), which is faster than a custom response class.
"""

from __future__ import annotations

from typing import Any

import orjson

__all__ = ["canonical", "dumps"]


def dumps(value: Any) -> bytes:
    return orjson.dumps(value)


def canonical(value: Any) -> bytes:
    """Stable bytes for hashing: sorted keys, no whitespace, UTF-8."""
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
