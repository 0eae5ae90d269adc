"""The instants a dossier's requests carry: held to UTC (a 400 when out of range) and stamped for events."""

from __future__ import annotations

from datetime import UTC, datetime

from google.protobuf.timestamp_pb2 import Timestamp

from onceonly.gateway.problems import ImplausibleDate


def utc(moment: datetime, what: str) -> datetime:
    """``moment`` in UTC; ``ImplausibleDate`` naming ``what`` when it cannot be."""
    try:
        return moment.astimezone(UTC)
    except (OverflowError, ValueError):
        raise ImplausibleDate(f"{what} {moment.isoformat()} is out of range") from None


def aware(moment: datetime) -> datetime:
    # SQLite hands timestamps back naive; they were written in UTC.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def stamp(moment: datetime) -> Timestamp:
    out = Timestamp()
    out.FromDatetime(moment)
    return out
