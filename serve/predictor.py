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


class Predictor:
    """Asynchronous front of a Triage: a Router and its duplicate index, if any."""

    def __init__(
        self,
        triage: Triage,
        max_batch: int = MAX_BATCH,
        on_batch: Callable[[int], None] = lambda size: None,
    ) -> None:
        self.triage = triage
        self.max_batch = max_batch
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
        more than ``max_batch`` reports goes in parts, each queued once the previous one is
        answered: no request holds the model thread for longer than one batch, and requests
        arriving meanwhile are answered between its parts."""
        suggestions: list[Suggestion] = []
        for start in range(0, max(len(reports), 1), self.max_batch):
            suggestions += await self._queued(reports[start : start + self.max_batch])
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
                batch, size = [], 0
                while self._waiting and (
                    not batch or size + len(self._waiting[0][0]) <= self.max_batch
                ):
                    item = self._waiting.pop(0)
                    batch.append(item)
                    size += len(item[0])
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
