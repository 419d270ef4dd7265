"""The SLA clock: weekends and Indonesian national holidays do not count."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from core.workdays import add_working_days, is_working_day, working_days_between


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        (datetime(2026, 11, 18, 10, 0), 3, datetime(2026, 11, 23, 10, 0)),  # Wed -> Mon
        (datetime(2026, 11, 20, 16, 30), 3, datetime(2026, 11, 25, 16, 30)),  # Fri -> Wed
        (datetime(2026, 11, 21, 9, 0), 3, datetime(2026, 11, 26, 9, 0)),  # Sat: from Monday
        (datetime(2026, 12, 23, 9, 0), 3, datetime(2026, 12, 29, 9, 0)),  # Christmas Day
        (datetime(2025, 8, 15, 8, 0), 1, datetime(2025, 8, 18, 8, 0)),  # Fri -> Mon
        (datetime(2025, 8, 15, 8, 0), 2, datetime(2025, 8, 19, 8, 0)),  # not Independence Day
    ],
)
def test_add_working_days(start: datetime, days: int, due: datetime) -> None:
    assert add_working_days(start, days) == due


def test_holidays_and_weekends() -> None:
    assert not is_working_day(date(2025, 8, 17))  # Independence Day (a Sunday anyway)
    assert not is_working_day(date(2026, 8, 17))  # Independence Day, a Monday
    assert not is_working_day(date(2026, 11, 22))  # Sunday
    assert is_working_day(date(2026, 11, 23))


def test_working_days_between() -> None:
    start = datetime(2026, 11, 20, 10, 0)  # Friday
    assert working_days_between(start, datetime(2026, 11, 23, 10, 0)) == 1
    assert working_days_between(start, datetime(2026, 11, 23, 22, 0)) == pytest.approx(1.5)
    assert working_days_between(datetime(2026, 11, 23, 10, 0), start) == -1
    assert working_days_between(start, add_working_days(start, 3)) == 3
