"""Working days: the SLA clock of SP4N-LAPOR! (3 working days to forward, 5 to follow up).

The clock runs only on working days: weekends, Indonesian national holidays and the joint-leave
days (*cuti bersama*) that government offices observe do not count (both from the ``holidays``
package: its ``public`` and ``government`` categories for Indonesia). A working day counts in
full, from midnight to midnight, so one working day is 24 hours of working time.

- A moment on a weekend or holiday is moved to the start (00:00) of the next working day: a
  report filed on Saturday evening starts its clock on Monday at 00:00, and nothing it waits
  through on Sunday counts.
- ``working_days_between(start, end)`` is the working time from ``start`` to ``end`` in days:
  never negative when ``end`` is later, zero when both lie in the same weekend, and negative
  (the same amount) when ``end`` is earlier, e.g. the time left on an overdue report.
- ``add_working_days(start, n)`` is the moment ``n`` working days of clock after ``start``:
  the same time of day ``n`` working days later, or the start of the day after the ``n``-th
  working day for a weekend or holiday arrival.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import lru_cache

import holidays
import numpy as np

FORWARD_DAYS = 3
"""Working days admin staff have to verify and forward (dispose) a report."""
FOLLOW_UP_DAYS = 5
"""Working days the receiving OPD has to follow up a forwarded report."""
HOLIDAY_CATEGORIES = ("public", "government")
"""National holidays and the government's joint-leave days (cuti bersama)."""


@lru_cache(maxsize=32)
def _holidays(first_year: int, last_year: int) -> np.ndarray:
    days = holidays.country_holidays(
        "ID", years=range(first_year, last_year + 1), categories=HOLIDAY_CATEGORIES
    )
    return np.array(sorted(days), dtype="datetime64[D]")


def _calendar(*moments: date) -> np.ndarray:
    years = [m.year for m in moments]
    return _holidays(min(years) - 1, max(years) + 1)


def is_working_day(day: date) -> bool:
    return bool(np.is_busday(np.datetime64(day, "D"), holidays=_calendar(day)))


def clock_start(moment: datetime) -> datetime:
    """``moment``, or the start of the next working day when it falls on a day off."""
    if is_working_day(moment.date()):
        return moment
    following = np.busday_offset(
        np.datetime64(moment.date(), "D"), 0, roll="forward", holidays=_calendar(moment.date())
    )
    return datetime.combine(following.astype(date), time(0), moment.tzinfo)


def add_working_days(start: datetime, days: int) -> datetime:
    """The moment ``days`` working days of clock after ``start``."""
    begin = clock_start(start)
    holidays_ = _calendar(begin.date(), begin.date() + timedelta(days=days * 3 + 30))
    due = np.busday_offset(np.datetime64(begin.date(), "D"), days, holidays=holidays_)
    return datetime.combine(due.astype(date), begin.timetz())


def working_days_between(start: datetime, end: datetime) -> float:
    """Working time from ``start`` to ``end``, in working days (negative when ``end`` is
    earlier): whole working days between the dates plus the difference of the clocks, after
    moving each moment off a day off."""
    if end < start:
        return -working_days_between(end, start)
    first, last = clock_start(start), clock_start(end)
    if last <= first:
        return 0.0
    whole = int(
        np.busday_count(
            np.datetime64(first.date(), "D"),
            np.datetime64(last.date(), "D"),
            holidays=_calendar(first.date(), last.date()),
        )
    )
    clock = (
        datetime.combine(date.min, last.timetz()) - datetime.combine(date.min, first.timetz())
    ).total_seconds() / 86_400
    return whole + clock
