"""Working days of Vietnamese public administration, the unit processing times are set in.

A day is a working day unless it is a Saturday or a Sunday, a public holiday of the Labour Code (Tết and
the rest, with the days off in lieu, from the ``holidays`` package's Vietnam calendar) or a day off the
government announced for officials that year. A Saturday the government turned into a make-up working
day is a working day. The government's announcements are listed, each with its source, in
``working_days.csv`` beside this module; add a row when a new one is published. The package knows some
of them too: both lists count.

Dates are Vietnam's (UTC+7, no daylight saving): a dossier received at 23:30 UTC on a Friday was
received on the Saturday. Counting follows the rules on receiving dossiers: the day of receipt is not
counted, and a dossier received on a day off counts as received on the next working day; the due date is
the last of the procedure's working days, and a result returned at any time that day is on time.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from functools import cache
from importlib import resources
from pathlib import Path

import holidays

__all__ = [
    "VIETNAM",
    "Announcement",
    "WorkingCalendar",
    "add_working_days",
    "due_at",
    "due_date",
    "is_working_day",
    "vietnam_calendar",
]

VIETNAM = timezone(timedelta(hours=7), "ICT")
WORKING_DAY, DAY_OFF = "working_day", "day_off"
_SATURDAY = 5


@dataclass(frozen=True, slots=True)
class Announcement:
    """A make-up working day or an extra day off the government announced, and where it says so."""

    day: date
    kind: str
    name: str
    source: str


def read_announcements(text: str, where: str = "working_days.csv") -> tuple[Announcement, ...]:
    out: list[Announcement] = []
    for line, row in enumerate(csv.DictReader(text.splitlines()), start=2):
        try:
            day = date.fromisoformat(row["date"])
        except (KeyError, TypeError, ValueError):
            raise ValueError(f"{where}:{line}: date must be YYYY-MM-DD, got {row.get('date')!r}") from None
        kind = row.get("kind")
        if kind not in (WORKING_DAY, DAY_OFF):
            raise ValueError(f"{where}:{line}: kind must be {WORKING_DAY} or {DAY_OFF}, got {kind!r}")
        source = (row.get("source") or "").strip()
        if not source:
            raise ValueError(f"{where}:{line}: every announcement names its source")
        out.append(Announcement(day=day, kind=kind, name=(row.get("name") or "").strip(), source=source))
    return tuple(out)


class WorkingCalendar:
    """Vietnam's public holidays and weekends, corrected by the government's announcements."""

    def __init__(self, announcements: Iterable[Announcement] = ()) -> None:
        self.announcements = tuple(announcements)
        self._working = {a.day for a in self.announcements if a.kind == WORKING_DAY}
        self._off = {a.day for a in self.announcements if a.kind == DAY_OFF}
        self._years: dict[int, tuple[frozenset[date], frozenset[date]]] = {}

    @classmethod
    def from_file(cls, path: Path) -> WorkingCalendar:
        return cls(read_announcements(path.read_text(encoding="utf-8"), str(path)))

    def _year(self, year: int) -> tuple[frozenset[date], frozenset[date]]:
        found = self._years.get(year)
        if found is None:
            calendar = holidays.country_holidays("VN", years=year)
            found = (
                frozenset(calendar) | {d for d in self._off if d.year == year},
                frozenset(d for d in calendar.weekend_workdays if d.year == year)
                | {d for d in self._working if d.year == year},
            )
            self._years[year] = found
        return found

    def is_working_day(self, day: date) -> bool:
        off, working = self._year(day.year)
        if day in working:
            return True  # a make-up day is worked, whatever else it is
        return day.weekday() < _SATURDAY and day not in off

    def next_working_day(self, day: date) -> date:
        """``day`` itself when it is a working day, else the first working day after it."""
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def add_working_days(self, start: date, n: int) -> date:
        """The ``n``-th working day after ``start`` (``start`` itself not counted); for ``n`` = 0,
        ``start`` or the next working day."""
        if n < 0:
            raise ValueError(f"cannot add {n} working days")
        day = start
        if n == 0:
            return self.next_working_day(day)
        while n:
            day += timedelta(days=1)
            if self.is_working_day(day):
                n -= 1
        return day

    def due_date(self, received_on: date, days: int) -> date:
        """The last day of a procedure of ``days`` working days received on ``received_on``: a receipt
        on a day off counts as received on the next working day."""
        return self.add_working_days(self.next_working_day(received_on), days)

    def due_at(self, received_at: datetime, days: int) -> datetime:
        """The end of the due date (23:59:59 Vietnam time), in UTC, for a receipt at ``received_at``."""
        received_on = received_at.astimezone(VIETNAM).date()
        end = datetime.combine(self.due_date(received_on, days), time(23, 59, 59), tzinfo=VIETNAM)
        return end.astimezone(UTC)


@cache
def vietnam_calendar() -> WorkingCalendar:
    """The calendar with the announcements shipped in ``working_days.csv``."""
    text = resources.files(__package__).joinpath("working_days.csv").read_text(encoding="utf-8")
    return WorkingCalendar(read_announcements(text))


def is_working_day(day: date) -> bool:
    return vietnam_calendar().is_working_day(day)


def add_working_days(start: date, n: int) -> date:
    """The ``n``-th working day after ``start`` on Vietnam's calendar (``start`` not counted)."""
    return vietnam_calendar().add_working_days(start, n)


def due_date(received_on: date, days: int) -> date:
    return vietnam_calendar().due_date(received_on, days)


def due_at(received_at: datetime, days: int) -> datetime:
    """When a dossier received at ``received_at`` for a procedure of ``days`` working days is due."""
    return vietnam_calendar().due_at(received_at, days)
