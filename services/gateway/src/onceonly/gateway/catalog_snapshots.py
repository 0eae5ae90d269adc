"""Catalog snapshots: a province's procedure catalog as it stood on a day, published for the tracker.

Lookup keeps the history of each province's service levels (the level of every procedure from the day
it holds); the tracker learns the catalog only from the event stream, so that ``rebuild`` restores it
too. A snapshot is the whole catalog of one province on one day — a procedure left out was not offered
— as a ``CatalogSnapshot`` event keyed ``catalog/<province>``, written to the outbox like every other
event, so the relay publishes it at least once and the tracker applies it once. Publishing the same
day again writes the same rows in the tracker.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import Engine

from onceonly.catalog.v1 import catalog_pb2
from onceonly.common import outbox
from onceonly.common.events import CatalogSnapshot, Envelope, new_envelope
from onceonly.common.working_days import VIETNAM
from onceonly.events.v1 import events_pb2
from onceonly.gateway.group_commit import PRODUCER
from onceonly.gateway.lookup_client import LookupClient


@dataclass(frozen=True, slots=True)
class Published:
    """One snapshot queued in the outbox: its province, event id and procedures per level."""

    province: str
    event_id: str
    levels: Counter[int]

    @property
    def procedures(self) -> int:
        return sum(self.levels.values())


def as_of_instant(day: date) -> datetime:
    """A catalog of a day holds from its start in Vietnam: levels take effect from a civil day."""
    return datetime.combine(day, time(), tzinfo=VIETNAM)


def snapshots(entries: Iterable[catalog_pb2.ServiceLevelEntry], day: date) -> list[CatalogSnapshot]:
    """One snapshot per province of ``entries``, procedures in code order."""
    per: dict[str, list[events_pb2.CatalogEntry]] = {}
    for entry in entries:
        per.setdefault(entry.province, []).append(
            events_pb2.CatalogEntry(
                procedure_code=entry.procedure_code,
                # The two enums share their values (catalog.v1 and events.v1).
                service_level=int(entry.service_level),  # type: ignore[arg-type]
            )
        )
    out = []
    for province, listed in sorted(per.items()):
        snapshot = CatalogSnapshot(province=province, entries=sorted(listed, key=lambda e: e.procedure_code))
        snapshot.as_of.FromDatetime(as_of_instant(day))
        out.append(snapshot)
    return out


async def read(lookup: LookupClient, province: str, day: date) -> list[CatalogSnapshot]:
    """The catalogs lookup holds of ``province`` (every province: "") on ``day``."""
    return snapshots(await lookup.service_levels(province, day.isoformat()), day)


def publish(engine: Engine, taken: Sequence[CatalogSnapshot], *, topic: str) -> list[Published]:
    """Queue the snapshots in the outbox, in one transaction; the relay sends them on."""
    # Dated now, when it was published; the catalog's own day is the snapshot's as_of.
    envelopes: list[Envelope] = [new_envelope(snapshot, producer=PRODUCER) for snapshot in taken]
    with engine.begin() as conn:
        outbox.add_events(conn, envelopes, topic=topic)
    return [
        Published(
            province=e.catalog_snapshot.province,
            event_id=e.event_id,
            levels=Counter(int(entry.service_level) for entry in e.catalog_snapshot.entries),
        )
        for e in envelopes
    ]
