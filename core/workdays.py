"""Working days: the SLA clock of SP4N-LAPOR! (3 working days to forward, 5 to follow up).

Weekends and Indonesian national holidays (the ``holidays`` package) do not count; the deadline
keeps the time of day of its start.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache

import holidays
import numpy as np

FORWARD_DAYS = 3
"""Working days admin staff have to verify and forward (dispose) a report."""
FOLLOW_UP_DAYS = 5
"""Working days the receiving OPD has to follow up a forwarded report."""


@lru_cache(maxsize=32)
def _holidays(first_year: int, last_year: int) -> np.ndarray:
    days = holidays.country_holidays("ID", years=range(first_year, last_year + 1))
    return np.array(sorted(days), dtype="datetime64[D]")


def _calendar(*moments: date) -> np.ndarray:
    years = [m.year for m in moments]
    return _holidays(min(years) - 1, max(years) + 1)


def add_working_days(start: datetime, days: int) -> datetime:
    """The moment ``days`` working days after ``start`` (a report arriving on a Saturday
    evening is due at the same hour of the ``days``-th working day after it)."""
    begin = np.datetime64(start.date(), "D")
    holidays_ = _calendar(start.date(), start.date() + timedelta(days=days * 3 + 30))
    # a report of a weekend or holiday starts counting on the next working day
    due = np.busday_offset(begin, days, roll="forward", holidays=holidays_)
    return datetime.combine(due.astype(date), start.timetz())


def working_days_between(start: datetime, end: datetime) -> float:
    """Working days from ``start`` to ``end`` (negative when ``end`` is earlier), counting whole
    working days between the dates plus the fraction of the day's clock difference."""
    holidays_ = _calendar(start.date(), end.date())
    whole = int(
        np.busday_count(
            np.datetime64(start.date(), "D"), np.datetime64(end.date(), "D"), holidays=holidays_
        )
    )
    clock = (
        datetime.combine(date.min, end.timetz()) - datetime.combine(date.min, start.timetz())
    ).total_seconds() / 86_400
    return whole + clock


def is_working_day(day: date) -> bool:
    return bool(np.is_busday(np.datetime64(day, "D"), holidays=_calendar(day)))
