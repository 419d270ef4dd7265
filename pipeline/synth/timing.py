"""When reports arrive: weekday and hour-of-day intake patterns."""

from __future__ import annotations

from datetime import datetime

import numpy as np

_WEEKDAY_WEIGHTS = np.array([1.0, 1.05, 1.0, 0.95, 0.85, 0.5, 0.4])
_HOUR_WEIGHTS = np.array(
    [0.2, 0.1, 0.1, 0.1, 0.2, 0.5, 1.0, 2.0, 3.0, 3.2, 3.0, 2.6, 2.0, 2.4, 2.5, 2.2, 1.8, 1.4,
     1.3, 1.8, 2.0, 1.6, 1.0, 0.5]
)  # fmt: skip


def intake_times(n: int, start: datetime, end: datetime, seed: int) -> np.ndarray:
    """``n`` sorted intake timestamps (epoch seconds) with weekday and hour-of-day patterns."""
    rng = np.random.default_rng(seed)
    days = np.arange(np.datetime64(start.date()), np.datetime64(end.date()) + 1)
    weekday = (days.astype("datetime64[D]").view("int64") - 4) % 7  # 1970-01-01 was a Thursday
    day_p = _WEEKDAY_WEIGHTS[weekday]
    chosen_days = rng.choice(len(days), size=n, p=day_p / day_p.sum())
    hours = rng.choice(24, size=n, p=_HOUR_WEIGHTS / _HOUR_WEIGHTS.sum())
    seconds = rng.integers(0, 3600, size=n)
    epoch_days = days.astype("datetime64[D]").view("int64")[chosen_days]
    stamps = epoch_days * 86_400 + hours * 3600 + seconds
    stamps.sort()
    return stamps
