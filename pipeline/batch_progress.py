"""What the batch job reports as it goes: the protocol the CLI's progress bar implements, and a
silent one for callers without a terminal."""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    """What the job reports as it goes (the CLI shows it as a bar or as log lines)."""

    def stage(self, description: str, total: int | None) -> None:
        """A new pass over the rows begins."""

    def advance(self, rows: int) -> None:
        """Rows processed."""

    def skip(self, rows: int) -> None:
        """Rows an interrupted run had done: out of the total, not counted as processed."""


class NoProgress:
    def stage(self, description: str, total: int | None) -> None:
        pass

    def advance(self, rows: int) -> None:
        pass

    def skip(self, rows: int) -> None:
        pass
