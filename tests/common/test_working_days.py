"""Due dates in working days: weekends, Tết, the other public holidays and the government's swaps."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from onceonly.common.working_days import (
    DAY_OFF,
    VIETNAM,
    Announcement,
    WorkingCalendar,
    add_working_days,
    due_at,
    due_date,
    is_working_day,
    read_announcements,
    vietnam_calendar,
)


@pytest.mark.parametrize(
    ("start", "n", "due"),
    [
        # A Friday, three days: Monday, Tuesday, Wednesday.
        (date(2026, 11, 27), 3, date(2026, 12, 2)),
        (date(2026, 11, 27), 1, date(2026, 11, 30)),
        # Tết Giáp Thìn: Thursday 8 to Wednesday 14 February 2024 off.
        (date(2024, 2, 7), 1, date(2024, 2, 15)),
        (date(2024, 2, 6), 3, date(2024, 2, 16)),
        # Tết Ất Tỵ: Monday 27 to Friday 31 January 2025 off, nine days with the weekends.
        (date(2025, 1, 24), 3, date(2025, 2, 5)),
        (date(2025, 1, 24), 1, date(2025, 2, 3)),
        # 2024: Monday 29 April off, Saturday 4 May worked instead; 30 April and 1 May are holidays.
        (date(2024, 4, 26), 2, date(2024, 5, 3)),
        (date(2024, 5, 3), 1, date(2024, 5, 4)),
        # 2025: Saturday 26 April worked, Friday 2 May off.
        (date(2025, 4, 25), 1, date(2025, 4, 26)),
        (date(2025, 4, 29), 1, date(2025, 5, 5)),
        # National Day 2025: Monday 1 and Tuesday 2 September.
        (date(2025, 8, 29), 1, date(2025, 9, 3)),
        # Across New Year's Day.
        (date(2025, 12, 31), 1, date(2026, 1, 2)),
    ],
)
def test_add_working_days(start: date, n: int, due: date) -> None:
    assert add_working_days(start, n) == due


def test_weekends_are_off_and_make_up_saturdays_are_worked() -> None:
    assert not is_working_day(date(2026, 11, 28))  # Saturday
    assert not is_working_day(date(2026, 11, 29))  # Sunday
    assert is_working_day(date(2026, 11, 30))
    assert is_working_day(date(2024, 5, 4))  # Saturday, make-up day
    assert is_working_day(date(2025, 4, 26))  # Saturday, make-up day
    assert not is_working_day(date(2024, 4, 29))  # Monday, day off in its place
    assert not is_working_day(date(2025, 5, 2))  # Friday, day off in its place


@pytest.mark.parametrize("day", [date(2024, 2, 8) + timedelta(days=i) for i in range(7)])
def test_every_day_of_tet_2024_is_off(day: date) -> None:
    assert not is_working_day(day)


def test_a_dossier_received_on_a_day_off_counts_from_the_next_working_day() -> None:
    # Saturday 28 November 2026 counts as received Monday 30: one day is Tuesday 1 December.
    assert due_date(date(2026, 11, 28), 1) == date(2026, 12, 1)
    # Received during Tết 2025: counts from Monday 3 February.
    assert due_date(date(2025, 1, 29), 2) == date(2025, 2, 5)
    # A working day of receipt is not counted.
    assert due_date(date(2026, 11, 27), 3) == date(2026, 12, 2)
    # Zero days: due the day of receipt, or the next working day.
    assert due_date(date(2026, 11, 27), 0) == date(2026, 11, 27)
    assert due_date(date(2026, 11, 28), 0) == date(2026, 11, 30)


def test_due_at_is_the_end_of_the_due_date_in_vietnam() -> None:
    # 23:30 UTC on Thursday 26 November is 06:30 on Friday 27 November in Vietnam.
    received = datetime(2026, 11, 26, 23, 30, tzinfo=UTC)
    due = due_at(received, 3)
    assert due == datetime(2026, 12, 2, 23, 59, 59, tzinfo=VIETNAM)
    assert due.tzinfo == UTC
    assert due.isoformat() == "2026-12-02T16:59:59+00:00"


def test_announcements_name_their_source() -> None:
    announced = vietnam_calendar().announcements
    assert {a.day for a in announced} >= {date(2024, 5, 4), date(2025, 4, 26), date(2025, 5, 2)}
    assert all(a.source for a in announced)


def test_an_announced_extra_day_off_moves_deadlines(tmp_path: Path) -> None:
    file = tmp_path / "days.csv"
    file.write_text(
        "date,kind,name,source\n2026-11-30,day_off,Extra day off,Test decision 1/2026\n", encoding="utf-8"
    )
    calendar = WorkingCalendar.from_file(file)
    assert calendar.add_working_days(date(2026, 11, 27), 3) == date(2026, 12, 3)
    assert vietnam_calendar().add_working_days(date(2026, 11, 27), 3) == date(2026, 12, 2)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("date,kind,name,source\n2026-13-01,day_off,x,y\n", "date must be"),
        ("date,kind,name,source\n2026-11-30,holiday,x,y\n", "kind must be"),
        ("date,kind,name,source\n2026-11-30,day_off,x,\n", "every announcement names its source"),
    ],
)
def test_a_malformed_announcement_is_refused_with_its_line(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=rf":2: {message}"):
        read_announcements(text, "days.csv")


def test_negative_days_are_refused() -> None:
    with pytest.raises(ValueError, match="-1"):
        add_working_days(date(2026, 11, 27), -1)


def test_an_extra_day_off_on_a_weekday_counts_once() -> None:
    calendar = WorkingCalendar([Announcement(date(2026, 12, 1), DAY_OFF, "x", "y")])
    assert calendar.add_working_days(date(2026, 11, 27), 3) == date(2026, 12, 3)


@given(st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)), st.integers(1, 60))
def test_exactly_n_working_days_lie_between_start_and_due(start: date, n: int) -> None:
    due = add_working_days(start, n)
    assert is_working_day(due)
    between = [start + timedelta(days=i) for i in range(1, (due - start).days + 1)]
    assert sum(is_working_day(d) for d in between) == n
    # At most the five weekdays of a week count, and Tết takes no more than a further ten days.
    assert (due - start).days <= n * 7 // 5 + 14
