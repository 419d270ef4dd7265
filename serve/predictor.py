"""The Triage (Router + duplicate index) behind the service, on one model thread, with
requests batched as they queue up.

A single prediction costs ~10 ms of fixed overhead (vectorisers, frames) and ~0.5 ms per extra
report, so concurrent requests are served together: while one batch runs, new requests wait
and then go as the next batch. Nothing waits on a timer, so a lone request is not delayed.
The duplicate index lives on the same thread: it is never read and written at once.
A client's batch (``bulk``) goes in slices of bounded text, after whatever else is waiting, and
while single reports keep coming it leaves the thread free between its slices, so that one
batch does not slow everyone else's requests (benchmarks/batch_fairness.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from core.schema import Report
from core.suggestion import Suggestion
from core.text import MAX_MODEL_CHARACTERS
from models.catalogue import Catalogue
from models.duplicates.index import DuplicateIndex
from models.triage import Triage
from serve.auto_guard import AutoGuard
from serve.policy import ServingPolicy
from serve.workflow import Agencies

T = TypeVar("T")

MAX_BATCH = 64
"""Reports per model call when requests are queued (bigger batches add latency, not speed)."""
SWITCH_INTERVAL = 0.001
"""Seconds a thread holds the GIL before another may take it (Python's default: 0.005)."""
RECENT_SINGLE_SECONDS = 1.0
"""Bulk work yields to single reports while one has come in within this many seconds."""
MAX_BATCH_CHARACTERS = 3_000
"""Characters the model reads per call of a batch's slices: its time grows with the text (about
20 ms for 3,000 characters), so a single report that arrives meanwhile waits for little."""


def _characters(reports: list[Report]) -> int:
    """What the model reads of the reports (each at most MAX_MODEL_CHARACTERS)."""
    return sum(min(len(r.text) + len(r.title or ""), MAX_MODEL_CHARACTERS) for r in reports)


@dataclass
class _Request:
    reports: list[Report]
    future: asyncio.Future[list[Suggestion]]
    bulk: bool


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
        policy: ServingPolicy | None = None,
    ) -> None:
        self.triage = triage
        self.policy = policy or ServingPolicy()
        """How the deployment serves suggestions (the live guard, the check share)."""
        self.max_batch = max_batch
        self.max_characters = max_characters
        self.on_batch = on_batch
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="model")
        # the event loop takes the GIL back from the model thread within 1 ms (Python's
        # default: 5 ms), so requests are read and answered while a batch is being predicted
        sys.setswitchinterval(SWITCH_INTERVAL)
        self._waiting: list[_Request] = []
        self._draining = False
        self._drainer: asyncio.Task[None] | None = None
        self._last_single = -math.inf
        self._bulk_resumes_at = -math.inf
        self._single_arrived = asyncio.Event()

    @property
    def version(self) -> str | None:
        return self.triage.version

    def agencies(self) -> Agencies:
        """The OPDs staff may name (the serving catalogue's names and aliases)."""
        return Agencies(self.triage.known_agencies(), self.triage.serving_catalogue())

    def known_agencies(self) -> list[str]:
        """The OPDs a suggestion may name: the list staff pick a correction from."""
        return self.triage.known_agencies()

    async def use_catalogue(self, catalogue: Catalogue | None) -> None:
        """Serve ``catalogue`` from the next batch on. The swap runs on the model thread,
        between two batches, so no batch is predicted with half of an edit."""

        def swap() -> None:
            self.triage = replace(self.triage, catalogue=catalogue)

        await self.run(swap)

    @property
    def duplicates(self) -> DuplicateIndex | None:
        return self.triage.index

    async def run(self, function: Callable[..., T], *args: Any) -> T:
        """Run ``function`` on the model thread."""
        return await asyncio.get_running_loop().run_in_executor(self._executor, function, *args)

    async def suggest(self, reports: list[Report], bulk: bool = False) -> list[Suggestion]:
        """Suggestions for ``reports``, batched with whatever else is waiting. A request of
        more than ``max_batch`` reports or ``max_characters`` characters goes in parts, each
        queued once the previous one is answered: no request holds the model thread for longer
        than one slice. ``bulk`` requests (a client's batch) yield to the others: whatever else
        is waiting goes first, so a single report is answered between a batch's slices."""
        suggestions: list[Suggestion] = []
        for part in slices(reports, self.max_batch, self.max_characters):
            suggestions += await self._queued(part, bulk)
        return self.policy.finish(suggestions)

    @property
    def guard(self) -> AutoGuard | None:
        """The live guard of auto-routing, where the deployment runs one."""
        return self.policy.guard

    async def _queued(self, reports: list[Report], bulk: bool) -> list[Suggestion]:
        loop = asyncio.get_running_loop()
        if not bulk:
            self._last_single = time.monotonic()
            self._single_arrived.set()
        future: asyncio.Future[list[Suggestion]] = loop.create_future()
        self._waiting.append(_Request(reports, future, bulk))
        if not self._draining:
            self._draining = True
            self._drainer = loop.create_task(self._drain())
        return await future

    def _next_batch(self) -> list[_Request]:
        """Waiting requests for one model call, within both bounds: the others before bulk
        ones, each group in arrival order."""
        batch: list[_Request] = []
        size = characters = 0
        for request in sorted(self._waiting, key=lambda r: r.bulk):
            more = _characters(request.reports)
            if batch and (
                size + len(request.reports) > self.max_batch
                or characters + more > self.max_characters
            ):
                break
            batch.append(request)
            size += len(request.reports)
            characters += more
        for request in batch:
            self._waiting.remove(request)
        return batch

    async def _drain(self) -> None:
        try:
            while self._waiting:
                if all(request.bulk for request in self._waiting):
                    await self._yield_to_single_reports()
                batch = self._next_batch()
                reports = [r for request in batch for r in request.reports]
                self.on_batch(len(reports))
                started = time.monotonic()
                try:
                    suggestions = await self.run(self._predict, reports)
                except Exception as exc:  # handed to every waiting request
                    for request in batch:
                        if not request.future.done():
                            request.future.set_exception(exc)
                    continue
                start = 0
                for request in batch:
                    if not request.future.done():
                        request.future.set_result(suggestions[start : start + len(request.reports)])
                    start += len(request.reports)
                if all(request.bulk for request in batch):
                    ended = time.monotonic()
                    self._bulk_resumes_at = ended + (ended - started)
        finally:
            self._draining = False

    async def _yield_to_single_reports(self) -> None:
        """While single reports are coming in (one within :data:`RECENT_SINGLE_SECONDS`), bulk
        work starts its next slice only once the model thread has been free for as long as its
        last slice took, or a single report has arrived and been served: a single report then
        rarely waits behind a slice, at the cost of a slower batch (only while others are being
        served)."""
        wait = self._bulk_resumes_at - time.monotonic()
        if wait <= 0 or time.monotonic() - self._last_single > RECENT_SINGLE_SECONDS:
            return
        self._single_arrived.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._single_arrived.wait(), wait)

    def _predict(self, reports: list[Report]) -> list[Suggestion]:
        """On the model thread: the triage is read there, where :meth:`use_catalogue` swaps it."""
        return self.triage.predict(reports)

    async def remember(self, report: Report, suggestion: Suggestion) -> None:
        """Add a stored report to the duplicate index (after the store committed it, so the
        index never links to a report the store does not have)."""
        await self.run(self.triage.remember, report, suggestion)

    async def index(self, reports: list[Report]) -> None:
        """Add stored reports to the duplicate index (at start-up)."""
        await self.run(self.triage.remember_many, reports)

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
