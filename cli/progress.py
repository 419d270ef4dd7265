"""Progress of long jobs: a live bar in a terminal, plain periodic lines in logs."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from typing import TypeVar

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from cli.common import err_console

T = TypeVar("T")


class RateColumn(ProgressColumn):
    """Rows per second, blank until rich has measured a speed (it is None before that)."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text("" if speed is None else f"{speed:>8,.0f} rows/s", style="progress.data.speed")


class RowProgress:
    """Progress of one long job on stderr: a live bar in a terminal, otherwise a plain line
    every ``interval`` seconds and one at the end (what cron and CI logs need)."""

    def __init__(
        self,
        description: str,
        total: int | None = None,
        interval: float = 10.0,
        console: Console = err_console,
    ) -> None:
        self.description = description
        self.total = total
        self.interval = interval
        self.console = console
        self.completed = 0
        self._bar: Progress | None = None
        self._task: TaskID | None = None
        self._started = self._last_line = 0.0

    def __enter__(self) -> RowProgress:
        self._started = self._last_line = time.monotonic()
        if self.console.is_terminal:
            self._bar = Progress(
                TextColumn("[progress.description]{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                RateColumn(),
                TimeElapsedColumn(),
                TimeRemainingColumn(),
                console=self.console,
                transient=True,
            )
            self._bar.start()
            self._task = self._bar.add_task(self.description, total=self.total)
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._bar is not None:
            self._bar.stop()
        elif exc_info[0] is None:
            self._print_line()

    def set_total(self, total: int | None) -> None:
        self.total = total
        if self._bar is not None and self._task is not None:
            self._bar.update(self._task, total=total)

    def stage(self, description: str, total: int | None) -> None:
        """A new pass over the rows (e.g. classifying, then linking duplicates): the count,
        the rate and the clock start again."""
        if self.completed and self._bar is None:
            self._print_line()
        self.description, self.total, self.completed = description, total, 0
        self._started = self._last_line = time.monotonic()
        if self._bar is not None and self._task is not None:
            self._bar.reset(self._task, total=total, description=description)

    def skip(self, rows: int) -> None:
        """Rows an earlier, interrupted run did: out of the total, not in the rate."""
        if self.total is not None:
            self.set_total(max(self.total - rows, 0))

    def advance(self, rows: int = 1) -> None:
        self.completed += rows
        if self._bar is not None and self._task is not None:
            self._bar.advance(self._task, rows)
        elif time.monotonic() - self._last_line >= self.interval:
            self._print_line()

    def track(self, rows: Iterable[T]) -> Iterator[T]:
        for row in rows:
            self.advance()
            yield row

    def _print_line(self) -> None:
        self._last_line = time.monotonic()
        elapsed = max(self._last_line - self._started, 1e-9)
        of_total = f" of {self.total:,}" if self.total else ""
        self.console.print(
            f"{self.description}: {self.completed:,}{of_total} rows, "
            f"{self.completed / elapsed:,.0f} rows/s, {elapsed:,.0f} s",
            highlight=False,
        )
