"""Dossier bindings: what a dossier serves, fixed the first time its id is named.

A dossier is opened by its agency's intake (``POST /v1/dossiers/{id}/intake``) before the desk looks
anything up, or by its receipt when nothing was looked up first. From then on the gateway knows its
owner agency, its procedure and its applicant, and every data request naming it is held to them:

- the id must be the caller's (ids are ``<agency code>-…``; ``AgencyDirectory.owner_of``),
- the dossier must have been opened, for the procedure the request names,
- the subject must be the applicant or a relative the registry links to the applicant.

A binding never changes once written, so each process keeps the ones it has read in memory.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, TypeAlias

from sqlalchemy import Connection, Engine, bindparam, select

from onceonly.events.v1 import events_pb2
from onceonly.gateway.store import binding_table
from onceonly.population.v1 import population_pb2

Relation: TypeAlias = events_pb2.SubjectRelation.ValueType

RELATION_UNSPECIFIED = events_pb2.SUBJECT_RELATION_UNSPECIFIED
RELATION_APPLICANT = events_pb2.SUBJECT_RELATION_APPLICANT
RELATION_RELATIVE = events_pb2.SUBJECT_RELATION_RELATIVE
RELATION_STRANGER = events_pb2.SUBJECT_RELATION_STRANGER

# The registry's links that make a subject the applicant's relative (parent, child, spouse, household).
RELATIVE_LINKS = frozenset(
    {
        population_pb2.RELATION_PARENT,
        population_pb2.RELATION_CHILD,
        population_pb2.RELATION_SPOUSE,
        population_pb2.RELATION_HOUSEHOLD_MEMBER,
    }
)

_BY_ID = select(binding_table).where(binding_table.c.dossier_id == bindparam("dossier_id"))


@dataclass(frozen=True, slots=True)
class Binding:
    dossier_id: str
    agency_code: str
    procedure_code: str
    applicant_personal_id: str
    applicant_pseudonym: str
    opened_by: str

    @classmethod
    def of(cls, row: Any) -> Binding:
        return cls(
            dossier_id=row.dossier_id,
            agency_code=row.agency_code,
            procedure_code=row.procedure_code,
            applicant_personal_id=row.applicant_personal_id,
            applicant_pseudonym=row.applicant_pseudonym,
            opened_by=row.opened_by,
        )


@dataclass(frozen=True, slots=True)
class Bound:
    """A data request held to its dossier: the binding, and how the subject relates to its applicant."""

    binding: Binding | None
    relation: Relation = RELATION_UNSPECIFIED


def read_binding(conn: Connection, dossier_id: str) -> Binding | None:
    row = conn.execute(_BY_ID, {"dossier_id": dossier_id}).first()
    return None if row is None else Binding.of(row)


class BindingCache:
    """Bindings by dossier id, least recently used dropped first; only found bindings are kept (a
    dossier not yet opened may be opened by the next request, in any process)."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._entries: OrderedDict[str, Binding] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, engine: Engine, dossier_id: str) -> Binding | None:
        """Blocking on a miss: call it off the event loop, or use ``cached`` first."""
        found = self.cached(dossier_id)
        if found is not None:
            return found
        with engine.connect() as conn:
            found = read_binding(conn, dossier_id)
        if found is not None:
            self.put(found)
        return found

    def cached(self, dossier_id: str) -> Binding | None:
        with self._lock:
            found = self._entries.get(dossier_id)
            if found is not None:
                self._entries.move_to_end(dossier_id)
            return found

    def put(self, binding: Binding) -> None:
        if self._size == 0:
            return
        with self._lock:
            self._entries[binding.dossier_id] = binding
            self._entries.move_to_end(binding.dossier_id)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)
