"""Numbers as Indonesian readers write them: a dot between thousands and a comma before the
decimals ("1.234,5"; "80,2%"), in every page and report staff read."""

from __future__ import annotations


def angka(value: float, decimals: int = 0) -> str:
    """``value`` with Indonesian separators: 1234.5 -> "1.234,5" (``decimals`` 1)."""
    english = f"{value:,.{decimals}f}"
    return english.translate(str.maketrans({",": ".", ".": ","}))


def persen(share: float | None, decimals: int = 1) -> str:
    """A share (0..1) as an Indonesian percentage: 0.802 -> "80,2%"; None -> "-"."""
    return "-" if share is None else f"{angka(100 * share, decimals)}%"
