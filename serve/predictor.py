"""The Triage (Router + duplicate index) behind the service, on one model thread, with
requests batched as they queue up.

A single prediction costs ~10 ms of fixed overhead (vectorisers, frames) and ~0.5 ms per extra
report, so concurrent requests are served together: while one batch runs, new requests wait
and then go as the next batch. Nothing waits on a timer, so a lone request is not delayed.
The duplicate index lives on the same thread: it is never read and written at once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from core.schema import Report, Suggestion
from models.duplicates.index import DuplicateIndex
from models.triage import Triage

T = TypeVar("T")

MAX_BATCH = 64
"""Reports per model call when requests are queued (bigger batches add latency, not speed)."""
MAX_BATCH_CHARACTERS = 40_000
"""Characters per model call: the model's time grows with the text, so a slice of long reports
is cut shorter and a single report waiting behind it is answered within a few hundred ms."""


def _characters(reports: list[Report]) -> int:
    return sum(len(r.text) + len(r.title or "") for r in reports)


def slices(reports: list[Report], max_reports: int, max_characters: int) -> list[list[Report]]:
    """``reports`` in order, cut where a slice would pass either bound (each slice holds at
    least one report)."""
    out: list[list[Report]] = []
    size = 0
    for report in reports:
        length = _characters([report])
        if not out or len(out[-1]) >= max_reports or size + length > max_characters:
            out.append([])
            size = 0
        out[-1].append(report)
        size += length
    return out or [[]]


class Predictor:
    """Asynchronous front of a Triage: a Router and its duplicate index, if any."""

    def __init__(
        self,
        triage: Triage,
        max_batch: int = MAX_BATCH,
        max_characters: int = MAX_BATCH_CHARACTERS,
        on_batch: Callable[[int], None] = lambda size: None,
    ) -> None:
        self.triage = triage
        self.max_batch = max_batch
        self.max_characters = max_characters
        self.on_batch = on_batch
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="model")
        self._waiting: list[tuple[list[Report], asyncio.Future[list[Suggestion]]]] = []
        self._draining = False
        self._drainer: asyncio.Task[None] | None = None

    @property
    def version(self) -> str | None:
        return self.triage.version

    @property
    def duplicates(self) -> DuplicateIndex | None:
        return self.triage.index

    async def run(self, function: Callable[..., T], *args: Any) -> T:
        """Run ``function`` on the model thread."""
        return await asyncio.get_running_loop().run_in_executor(self._executor, function, *args)

    async def suggest(self, reports: list[Report]) -> list[Suggestion]:
        """Suggestions for ``reports``, batched with whatever else is waiting. A request of
        more than ``max_batch`` reports or ``max_characters`` characters goes in parts, each
        queued once the previous one is answered: no request holds the model thread for longer
        than one slice, and requests arriving meanwhile are answered between its parts."""
        suggestions: list[Suggestion] = []
        for part in slices(reports, self.max_batch, self.max_characters):
            suggestions += await self._queued(part)
        return suggestions

    async def _queued(self, reports: list[Report]) -> list[Suggestion]:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[list[Suggestion]] = loop.create_future()
        self._waiting.append((reports, future))
        if not self._draining:
            self._draining = True
            self._drainer = loop.create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        try:
            while self._waiting:
                batch, size, characters = [], 0, 0
                while self._waiting and (
                    not batch
                    or (
                        size + len(self._waiting[0][0]) <= self.max_batch
                        and characters + _characters(self._waiting[0][0]) <= self.max_characters
                    )
                ):
                    item = self._waiting.pop(0)
                    batch.append(item)
                    size += len(item[0])
                    characters += _characters(item[0])
                reports = [r for request, _ in batch for r in request]
                self.on_batch(len(reports))
                try:
                    suggestions = await self.run(self.triage.predict, reports)
                except Exception as exc:  # handed to every waiting request
                    for _, future in batch:
                        if not future.done():
                            future.set_exception(exc)
                    continue
                start = 0
                for request, future in batch:
                    if not future.done():
                        future.set_result(suggestions[start : start + len(request)])
                    start += len(request)
        finally:
            self._draining = False

    async def remember(self, report: Report, suggestion: Suggestion) -> None:
        """Add a stored report to the duplicate index (after the store committed it, so the
        index never links to a report the store does not have)."""
        await self.run(self.triage.remember, report, suggestion)

    async def index(self, reports: list[Report]) -> None:
        """Add stored reports to the duplicate index (at start-up)."""
        await self.run(self.triage.remember_many, reports)

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
