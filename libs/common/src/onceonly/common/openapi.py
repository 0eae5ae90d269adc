"""What the services' OpenAPI documents share in stating the constraints their checks make by hand."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def on_strings(extra: dict[str, Any]) -> Callable[[dict[str, Any]], None]:
    """A ``json_schema_extra`` adding ``extra`` to the string branch of an optional value's schema.

    A constraint given to FastAPI's ``Query(pattern=...)`` is also enforced by it, with its own 422; the
    services check these values themselves (with their own problems), so the document only states them.
    """

    def add(schema: dict[str, Any]) -> None:
        for branch in schema.get("anyOf", [schema]):
            if branch.get("type") == "string":
                branch.update(extra)

    return add
