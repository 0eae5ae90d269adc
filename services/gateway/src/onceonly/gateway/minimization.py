"""Which citizen fields a request may see, and the citizen rendered with only those.

A procedure's ``population_fields`` name paths of ``onceonly.population.v1.Citizen``: a top-level field
(``current_address``) grants all of it; a sub-path (``current_address.province``) grants that part.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import Any

from google.protobuf.descriptor import FieldDescriptor

from onceonly.gateway.problems import BadRequest
from onceonly.population.v1 import population_pb2

_SEX = {population_pb2.SEX_MALE: "male", population_pb2.SEX_FEMALE: "female"}
_MARITAL = {
    population_pb2.MARITAL_STATUS_SINGLE: "single",
    population_pb2.MARITAL_STATUS_MARRIED: "married",
    population_pb2.MARITAL_STATUS_DIVORCED: "divorced",
    population_pb2.MARITAL_STATUS_WIDOWED: "widowed",
}


@cache
def citizen_paths() -> frozenset[str]:
    """Every path a request may name: the Citizen's fields and their sub-fields."""
    paths: set[str] = set()
    for f in population_pb2.Citizen.DESCRIPTOR.fields:
        paths.add(f.name)
        if f.type == FieldDescriptor.TYPE_MESSAGE and f.message_type is not None:
            paths.update(f"{f.name}.{sub.name}" for sub in f.message_type.fields)
    return frozenset(paths)


def parse_fields(raw: str | None) -> list[str] | None:
    """``?fields=a,b.c`` as paths; None when absent. Unknown paths are a 400."""
    if raw is None:
        return None
    fields = [p.strip() for p in raw.split(",") if p.strip()]
    unknown = sorted(set(fields) - citizen_paths())
    if unknown:
        raise BadRequest(f"unknown citizen field(s): {', '.join(unknown[:10])}")
    return fields


def _parent(path: str) -> str | None:
    head, dot, _ = path.partition(".")
    return head if dot else None


def effective_fields(entitled: Iterable[str], requested: Iterable[str] | None) -> list[str]:
    """The procedure's entitlement, narrowed to the request when it names fields."""
    granted = {p for p in entitled if p in citizen_paths()}
    if requested is None:
        return sorted(granted)
    out: set[str] = set()
    for path in requested:
        if path in granted or _parent(path) in granted:
            out.add(path)
        else:
            # Asking for a whole message the procedure may read only parts of: give those parts.
            out.update(p for p in granted if _parent(p) == path)
    return sorted(out)


def _value(message: Any, name: str) -> Any:
    value = getattr(message, name)
    if name == "sex":
        return _SEX.get(value)
    if name == "marital_status":
        return _MARITAL.get(value)
    if hasattr(value, "DESCRIPTOR"):
        return {f.name: getattr(value, f.name) for f in value.DESCRIPTOR.fields}
    return value


def render_citizen(citizen: population_pb2.Citizen, fields: Iterable[str]) -> dict[str, Any]:
    """Only ``fields`` of the citizen, nested as in the proto."""
    out: dict[str, Any] = {}
    for path in fields:
        head, dot, sub = path.partition(".")
        if dot:
            out.setdefault(head, {})
            if isinstance(out[head], dict):
                out[head][sub] = getattr(getattr(citizen, head), sub)
        else:
            value = _value(citizen, head)
            if value is not None:  # an unrecorded enum is left out, like a field not disclosed
                out[head] = value
    return out
