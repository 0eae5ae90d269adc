"""Closed periods: an operator closes a month, quarter or year, and its figures are kept as published.

Closing computes the report as it stands — the headline and the breakdowns by every dimension an
office publishes per (``SECTIONS``) — and stores it as canonical JSON with its SHA-256. Nothing changes
it afterwards: later events (a late resolution, a corrected receipt) still count in the live figures,
and the API sets the two side by side with the difference. A period is closed once; it must be over
(its last month ended) before it can be closed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import Connection, select
from sqlalchemy.exc import IntegrityError

from onceonly.tracker import queries, report
from onceonly.tracker.cube import instant_of, micros_of
from onceonly.tracker.indicators import Indicator
from onceonly.tracker.store import CLOSED

# The breakdowns kept with a closed period, beside its headline.
SECTIONS: tuple[queries.BreakdownBy, ...] = ("province", "agency", "procedure", "channel", "jurisdiction")


class ClosingError(ValueError):
    """The period cannot be closed: not a period, not over yet (``status`` 422), or closed (409)."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True, slots=True)
class Closed:
    period: str
    closed_at: datetime
    closed_by: str
    content_sha256: str
    body: dict[str, Any]

    def figures(self, section: str | None = None, key: str | None = None) -> list[dict[str, Any]] | None:
        """The published indicators of the headline, or of one row of a section (None: no such row)."""
        if section is None:
            headline: list[dict[str, Any]] = self.body["headline"]
            return headline
        for row in self.body["breakdowns"].get(section, []):
            if row["key"] == key:
                indicators: list[dict[str, Any]] = row["indicators"]
                return indicators
        return None


def canonical(body: Mapping[str, Any]) -> bytes:
    """The bytes that are stored and hashed: sorted keys, no whitespace (orjson)."""
    return orjson.dumps(body, option=orjson.OPT_SORT_KEYS)


def digest(body: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical(body)).hexdigest()


def label_of(month_from: str | None, month_to: str | None) -> str | None:
    """The period's name (``2024``, ``2024-Q3``, ``2024-03``) for a month range that is one, else None."""
    if month_from is None or month_to is None or month_from[:4] != month_to[:4]:
        return None
    year, first, last = month_from[:4], int(month_from[5:7]), int(month_to[5:7])
    if first == last:
        return month_from
    if (first, last) == (1, 12):
        return year
    if last == first + 2 and first % 3 == 1:
        return f"{year}-Q{(first + 2) // 3}"
    return None


def _after(month_to: str) -> datetime:
    """The instant the month ``month_to`` ends (exclusive), in Vietnam time."""
    return instant_of(report._end_us(month_to))


def _dict(indicator: Indicator) -> dict[str, Any]:
    return {
        "name": indicator.name,
        "numerator": indicator.numerator,
        "denominator": indicator.denominator,
        "value": indicator.value,
        "target": indicator.target,
        "gap": indicator.gap,
        "met": indicator.met,
    }


def close(
    conn: Connection,
    goals: Mapping[str, float],
    period: str,
    *,
    closed_by: str = "",
    now: datetime | None = None,
) -> Closed:
    """Compute and store the period's published figures; runs in the caller's transaction."""
    try:
        first, last = queries.parse_period(period)
    except queries.PeriodError as exc:
        raise ClosingError(str(exc), 422) from None
    if first is None or last is None:
        raise ClosingError("a period to close is YYYY-MM, YYYY-Qn or YYYY", 422)
    when = now or datetime.now(UTC)
    if when < _after(last):
        raise ClosingError(f"{period} is not over yet (it ends {_after(last).isoformat()})", 422)
    if published(conn, period) is not None:
        raise ClosingError(f"{period} is already closed", 409)
    filters = queries.Filters(month_from=first, month_to=last)
    body: dict[str, Any] = {
        "period": period,
        "from": first,
        "to": last,
        "closed_at": when.astimezone(UTC).isoformat(),
        "targets": dict(sorted(goals.items())),
        "headline": [_dict(i) for i in report.indicators(conn, goals, filters)],
        "breakdowns": {
            by: [
                {"key": key, "indicators": [_dict(i) for i in figures]}
                for key, figures in report.breakdown(conn, goals, filters, by)
            ]
            for by in SECTIONS
        },
    }
    sha = digest(body)
    try:
        conn.execute(
            CLOSED.insert().values(
                period=period,
                closed_at=micros_of(when),
                closed_by=closed_by,
                content_sha256=sha,
                body=canonical(body).decode(),
            )
        )
    except IntegrityError:  # closed meanwhile by another operator
        raise ClosingError(f"{period} is already closed", 409) from None
    return Closed(period, when, closed_by, sha, body)


def _of(row: Any) -> Closed:
    return Closed(
        row.period, instant_of(row.closed_at), row.closed_by, row.content_sha256, orjson.loads(row.body)
    )


def published(conn: Connection, period: str) -> Closed | None:
    row = conn.execute(select(CLOSED).where(CLOSED.c.period == period)).first()
    return None if row is None else _of(row)


def closed_periods(conn: Connection) -> list[Closed]:
    return [_of(row) for row in conn.execute(select(CLOSED).order_by(CLOSED.c.period))]


def verify(closed: Closed) -> bool:
    """Whether the stored figures still hash to the stored digest."""
    return digest(closed.body) == closed.content_sha256


def differences(published_: list[dict[str, Any]], live: list[Indicator]) -> list[dict[str, Any]]:
    """Per indicator: as of now minus as published (counts, and the value in percentage points)."""
    before = {item["name"]: item for item in published_}
    out: list[dict[str, Any]] = []
    for now in live:
        then = before.get(now.name)
        if then is None:  # an indicator the tracker did not compute when the period was closed
            continue
        change = None
        if now.value is not None and then["value"] is not None:
            change = round(now.value - then["value"], 2)
        out.append(
            {
                "name": now.name,
                "numerator": now.numerator - then["numerator"],
                "denominator": now.denominator - then["denominator"],
                "value": change,
            }
        )
    return out
