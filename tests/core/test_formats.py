"""Numbers written the Indonesian way."""

from __future__ import annotations

import pytest

from core.formats import angka, persen


@pytest.mark.parametrize(
    ("value", "decimals", "written"),
    [
        (0, 0, "0"),
        (1234, 0, "1.234"),
        (1234.5, 1, "1.234,5"),
        (1234567.891, 2, "1.234.567,89"),
        (-3.25, 1, "-3,2"),
        (0.5, 1, "0,5"),
    ],
)
def test_angka(value: float, decimals: int, written: str) -> None:
    assert angka(value, decimals) == written


def test_persen() -> None:
    assert persen(0.802) == "80,2%"
    assert persen(0.5, 0) == "50%"
    assert persen(1.0) == "100,0%"
    assert persen(None) == "-"
