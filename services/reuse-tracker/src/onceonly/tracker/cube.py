"""The aggregate cube: what one dossier adds to the counters of its cells.

Every figure the tracker reports is a sum of cube cells, so queries never touch per-dossier rows. A
cell is keyed by month and the five cut dimensions; receipt-based measures count in the receipt month,
resolution-based ones in the resolution month (so one dossier may touch two cells).

Imported dossiers (migrated from an older system under the gateway's ``dossiers:import`` scope) are
kept apart by the ``origin`` dimension (``live`` or ``imported``); a query without an origin filter
counts both.

A dossier's contribution is a pure function of its state. Handlers move a dossier from one state to
another and add ``contribution(new) - contribution(old)`` to the cells: a late lookup, a resolution or a
corrected receipt updates the figures by the delta, and re-applying an event is a zero delta.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from enum import IntEnum

from onceonly.common.working_days import VIETNAM

# Dimensions a figure can be cut by, in cell-key order after the month. ``province`` is the receiving
# agency's province on the day of receipt (Bình Dương for 2024, Hồ Chí Minh from 1 July 2025) and
# ``province_2025`` that province on today's map (Hồ Chí Minh for both); ``commune`` is the agency's (""
# for a provincial body) and ``sector`` the procedure's owning ministry's area in the catalog ("" in
# receipts written before either was carried).
DIMENSIONS: tuple[str, ...] = (
    "agency",
    "procedure",
    "province",
    "channel",
    "jurisdiction",
    "commune",
    "sector",
    "province_2025",
    "origin",
)
LIVE, IMPORTED = "live", "imported"
ORIGINS: tuple[str, ...] = (LIVE, IMPORTED)


class Measure(IntEnum):
    """The counters each cell holds, by their place in a cell's vector (and named as its columns).

    ``RESOLVED``, ``OUTPUT_DIGITAL``, ``ON_TIME`` and ``EARLY`` count in the resolution's month, the
    others in the receipt's (``handlers.contribute``)."""

    RECEIVED = 0
    REUSED = 1
    POPULATION = 2
    INPUT_DIGITAL = 3
    ONLINE = 4
    FEE_CARRIED = 5
    PAID_ONLINE = 6
    NON_JURISDICTIONAL = 7
    RESOLVED = 8
    OUTPUT_DIGITAL = 9
    ON_TIME = 10
    # Appended later, so the earlier columns keep their places: online dossiers of a procedure offered
    # full-process online (toàn trình) at receipt (a receipt measure), and resolutions before the due
    # date's day (trước hạn, a resolution measure).
    FULL_ONLINE = 11
    EARLY = 12


# The counters' column names, in vector order.
MEASURES: tuple[str, ...] = tuple(m.name.lower() for m in Measure)
LATER_MEASURES: tuple[str, ...] = tuple(m.name.lower() for m in (Measure.FULL_ONLINE, Measure.EARLY))
N_MEASURES = len(Measure)

# A cell's key: its month, then its dimensions.
CELL_KEY: tuple[str, ...] = ("month", *DIMENSIONS)
CellKey = tuple[str, str, str, str, str, str, str, str, str, str]  # month, *DIMENSIONS
Vector = tuple[int, ...]
Cells = dict[CellKey, Vector]

ZERO: Vector = (0,) * N_MEASURES


def month_of(instant: datetime) -> str:
    return instant.astimezone(VIETNAM).strftime("%Y-%m")


def day_of(instant: datetime) -> int:
    """The civil day (Vietnam time) of an instant, as days since 1970-01-01: resolved before the due
    date's day is early (*trước hạn*), on it or before the due instant on time (*đúng hạn*)."""
    return day_of_us(micros_of(instant))


def day_of_us(micros: int) -> int:
    return (micros + _VIETNAM_OFFSET_US) // _DAY_US


def add_into(cells: dict[CellKey, list[int]], key: CellKey, vector: Vector, sign: int = 1) -> None:
    """Accumulate ``sign * vector`` into a mutable cell map."""
    total = cells.get(key)
    if total is None:
        cells[key] = [sign * v for v in vector]
    else:
        for i, v in enumerate(vector):
            total[i] += sign * v


def delta(old: Cells, new: Cells) -> Cells:
    """``new - old`` per cell, leaving out cells that do not change."""
    acc: dict[CellKey, list[int]] = {}
    for key, vector in new.items():
        add_into(acc, key, vector)
    for key, vector in old.items():
        add_into(acc, key, vector, -1)
    return {key: tuple(v) for key, v in acc.items() if any(v)}


_MONTH_OF_DAY: dict[int, str] = {}
_VIETNAM_OFFSET_US = (VIETNAM.utcoffset(None) or timedelta()) // timedelta(microseconds=1)
_DAY_US = 86_400 * 1_000_000


def month_of_us(micros: int) -> str:
    """``month_of`` for an instant in microseconds since the epoch (UTC); cached per civil day."""
    day = (micros + _VIETNAM_OFFSET_US) // _DAY_US
    month = _MONTH_OF_DAY.get(day)
    if month is None:
        month = month_of(datetime.fromtimestamp(day * 86_400 + 43_200, UTC))
        _MONTH_OF_DAY[day] = month
    return month


def micros_of(instant: datetime) -> int:
    """An aware instant as integer microseconds since the epoch (how the store keeps instants)."""
    delta = instant - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def instant_of(micros: int) -> datetime:
    return EPOCH + timedelta(microseconds=micros)


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

# The tracker's calendar: every instant an event carries must fall in it, or the event is refused
# (``OutOfRange``; the consume loop dead-letters it). Protobuf admits years 1 to 9999, but 9999-12-31
# in Vietnam time is already past datetime's range, and a dossier dated year 1 is a producer's bug, not
# a figure to count in month 0001-01. Historic imports fit: they go back decades, not centuries.
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)  # exclusive
EARLIEST_US = micros_of(EARLIEST)
LATEST_US = micros_of(LATEST)


class OutOfRange(ValueError):
    """An event carries an instant outside the tracker's calendar (``EARLIEST`` to ``LATEST``)."""


def timestamp_micros(seconds: int, nanos: int, what: str) -> int | None:
    """A protobuf Timestamp's parts as epoch microseconds (None when unset: both zero), in integers so
    that the pure handlers and the ledger read the same instant; ``OutOfRange`` outside the calendar."""
    if seconds == 0 and nanos == 0:
        return None
    if not 0 <= nanos < 1_000_000_000:
        raise OutOfRange(f"{what} has nanos {nanos}, outside 0 to 999,999,999")
    micros = seconds * 1_000_000 + nanos // 1000
    if not EARLIEST_US <= micros < LATEST_US:
        raise OutOfRange(
            f"{what} ({seconds} s since the epoch) is outside {EARLIEST:%Y-%m-%d} to {LATEST:%Y-%m-%d}"
        )
    return micros
