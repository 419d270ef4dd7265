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
        (datetime(2026, 11, 21, 9, 0), 3, datetime(2026, 11, 26, 0, 0)),  # Sat: Mon 00:00 + 3
        (datetime(2026, 11, 20, 23, 30), 1, datetime(2026, 11, 23, 23, 30)),  # after hours Fri
        (datetime(2026, 12, 23, 9, 0), 3, datetime(2026, 12, 30, 9, 0)),  # cuti bersama 24th
        (datetime(2026, 12, 25, 9, 0), 1, datetime(2026, 12, 29, 0, 0)),  # Christmas: from Mon
        (datetime(2025, 8, 15, 8, 0), 1, datetime(2025, 8, 19, 8, 0)),  # Mon 18th: joint leave
        (datetime(2025, 8, 15, 8, 0), 2, datetime(2025, 8, 20, 8, 0)),
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


def test_cuti_bersama_is_not_a_working_day() -> None:
    assert not is_working_day(date(2026, 12, 24))  # Christmas joint leave
    assert not is_working_day(date(2025, 4, 2))  # Eid al-Fitr joint leave


@pytest.mark.parametrize(
    ("start", "end", "days"),
    [
        # Saturday 22:00 -> Monday 08:00: the clock starts Monday 00:00 (was -0.58)
        (datetime(2026, 11, 21, 22, 0), datetime(2026, 11, 23, 8, 0), 8 / 24),
        (datetime(2026, 11, 21, 9, 0), datetime(2026, 11, 22, 18, 0), 0.0),  # same weekend
        (datetime(2026, 11, 20, 22, 0), datetime(2026, 11, 23, 8, 0), 10 / 24),  # Fri late
        (datetime(2026, 11, 20, 10, 0), datetime(2026, 11, 21, 10, 0), 14 / 24),  # into Sat
        (datetime(2026, 12, 24, 9, 0), datetime(2026, 12, 28, 9, 0), 9 / 24),  # joint leave
        (datetime(2026, 8, 17, 7, 0), datetime(2026, 8, 18, 7, 0), 7 / 24),  # Independence Day
        (datetime(2026, 11, 23, 10, 0), datetime(2026, 11, 20, 10, 0), -1.0),  # earlier end
    ],
)
def test_working_days_between_is_never_negative_forwards(
    start: datetime, end: datetime, days: float
) -> None:
    assert working_days_between(start, end) == pytest.approx(days)


def test_a_saturday_arrival_has_exactly_the_sla_left() -> None:
    received = datetime(2026, 11, 21, 10, 0)  # Saturday
    due = add_working_days(received, 3)
    assert working_days_between(received, due) == pytest.approx(3.0)
    assert working_days_between(datetime(2026, 11, 22, 15, 0), due) == pytest.approx(3.0)
