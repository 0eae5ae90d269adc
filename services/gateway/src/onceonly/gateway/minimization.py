"""Which citizen fields and results a request may see, and each rendered with only those.

A procedure's ``population_fields`` name paths of ``onceonly.population.v1.Citizen``: a top-level field
(``current_address``) grants all of it; a sub-path (``current_address.province``) grants that part.
Verification claims are held to the same paths. Results are shown only for the types the procedure's
components accept, and a result's attributes that repeat population data (a spouse's name on a
marriage certificate) only where the procedure may read that data.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

from google.protobuf.descriptor import FieldDescriptor

from onceonly.catalog.v1 import catalog_pb2
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


def entitled_to(entitled: Iterable[str], path: str) -> bool:
    """Whether the entitlement covers ``path`` (itself, or the whole message it is part of)."""
    granted = set(entitled)
    return path in granted or _parent(path) in granted


# Citizen fields that point at another citizen: disclosing any part of one discloses that person's data.
RELATIVE_FIELDS = ("father", "mother", "spouse", "household_head")


def lookup_paths(disclosed: Iterable[str]) -> list[str]:
    """The mask sent to lookup: what is disclosed, plus the personal id of each relative any part of
    whom is disclosed, so the disclosure can be written to that relative's access log (the id itself is
    rendered only when disclosed)."""
    paths = set(disclosed)
    for relative in RELATIVE_FIELDS:
        if relative not in paths and any(p.startswith(relative + ".") for p in paths):
            paths.add(f"{relative}.personal_id")
    return sorted(paths)


def disclosed_relatives(citizen: population_pb2.Citizen, disclosed: Iterable[str]) -> dict[str, list[str]]:
    """Each registry-linked relative whose data the answer carries, with the paths disclosed."""
    out: dict[str, list[str]] = {}
    paths = list(disclosed)
    for relative in RELATIVE_FIELDS:
        about = [p for p in paths if p == relative or p.startswith(relative + ".")]
        if about and citizen.HasField(relative):  # type: ignore[arg-type]
            personal_id = getattr(citizen, relative).personal_id
            if personal_id:
                out.setdefault(personal_id, []).extend(about)
    return out


def _value(message: Any, name: str) -> Any:
    value = getattr(message, name)
    if name == "sex":
        return _SEX.get(value)
    if name == "marital_status":
        return _MARITAL.get(value)
    if hasattr(value, "DESCRIPTOR"):
        return {f.name: getattr(value, f.name) for f in value.DESCRIPTOR.fields}
    return value


_MESSAGES = frozenset(
    f.name for f in population_pb2.Citizen.DESCRIPTOR.fields if f.type == FieldDescriptor.TYPE_MESSAGE
)


def render_citizen(citizen: population_pb2.Citizen, fields: Iterable[str]) -> dict[str, Any]:
    """Only ``fields`` of the citizen, nested as in the proto. A message the registry does not hold
    (no spouse) is left out, never rendered as its protobuf defaults."""
    out: dict[str, Any] = {}
    for path in fields:
        head, dot, sub = path.partition(".")
        if head in _MESSAGES and not citizen.HasField(head):  # type: ignore[arg-type]
            continue
        if dot:
            out.setdefault(head, {})
            if isinstance(out[head], dict):
                out[head][sub] = getattr(getattr(citizen, head), sub)
        else:
            value = _value(citizen, head)
            if value is not None:  # an unrecorded enum is left out, like a field not disclosed
                out[head] = value
    return out


def accepted_result_types(procedure: catalog_pb2.Procedure) -> frozenset[str]:
    """The result types some component of the procedure accepts: all it may list or read."""
    return frozenset(t for c in procedure.components for t in c.accepted_result_types)


# Result attributes that repeat population data, by the Citizen field they repeat.
ATTRIBUTE_FIELDS = {
    "spouse_name": "spouse",
    "spouse_personal_id": "spouse",
    "father_name": "father",
    "mother_name": "mother",
    "marital_status": "marital_status",
    "permanent_address": "permanent_address",
}


def narrowed_attributes(attributes: Mapping[str, str], entitled: Iterable[str]) -> dict[str, str]:
    """The attributes the procedure may see: the document's own, and population data it is entitled to."""
    granted = list(entitled)
    return {
        name: value
        for name, value in attributes.items()
        if name not in ATTRIBUTE_FIELDS or entitled_to(granted, ATTRIBUTE_FIELDS[name])
    }
