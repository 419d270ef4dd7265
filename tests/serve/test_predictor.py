"""Requests that queue up while the model is busy are answered together, each with its own
suggestions; a failure reaches every waiting request."""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import threading
import time

import pytest

from core.schema import Report
from core.suggestion import Suggestion
from models.catalogue import Catalogue
from models.router import Router
from models.triage import Triage
from serve.predictor import Predictor
from tests.models.conftest import named_catalogue


class SlowTriage:
    """Echoes report ids; each call takes a while, so that other requests queue up."""

    index = None
    version = "fake/1"

    def __init__(self, fail: bool = False) -> None:
        self.calls: list[int] = []
        self.fail = fail
        self.threads: set[str] = set()

    def predict(self, reports: list[Report]) -> list[Suggestion]:
        self.calls.append(len(reports))
        self.threads.add(threading.current_thread().name)
        time.sleep(0.05)
        if self.fail:
            raise RuntimeError("model broke")
        return [Suggestion(report_id=r.id) for r in reports]


def reports(prefix: str, n: int) -> list[Report]:
    return [Report(id=f"{prefix}{i}", text="jalan rusak") for i in range(n)]


def test_queued_requests_share_a_model_call() -> None:
    router = SlowTriage()
    sizes: list[int] = []
    predictor = Predictor(router, max_batch=8, on_batch=sizes.append)

    async def main() -> list[list[Suggestion]]:
        return await asyncio.gather(
            *(predictor.suggest(reports(f"r{k}-", 1 + k % 2)) for k in range(10))
        )

    answers = asyncio.run(main())
    predictor.close()
    for k, answer in enumerate(answers):  # each request gets its own reports back, in order
        assert [s.report_id for s in answer] == [f"r{k}-{i}" for i in range(1 + k % 2)]
    assert sizes == router.calls
    # 10 requests of 1 or 2 reports, waiting together: whole requests up to 8 reports per call
    assert sizes == [7, 8]
    assert len(router.threads) == 1  # one model thread


def test_a_failure_reaches_every_waiting_request() -> None:
    predictor = Predictor(SlowTriage(fail=True))

    async def main() -> list[object]:
        return await asyncio.gather(
            *(predictor.suggest(reports("x", 1)) for _ in range(3)), return_exceptions=True
        )

    results = asyncio.run(main())
    predictor.close()
    assert all(isinstance(r, RuntimeError) for r in results)


@pytest.mark.parametrize(("size", "calls"), [(1, [1]), (8, [8]), (20, [8, 8, 4])])
def test_a_big_request_holds_the_model_thread_one_batch_at_a_time(
    size: int, calls: list[int]
) -> None:
    router = SlowTriage()
    predictor = Predictor(router, max_batch=8)
    answer = asyncio.run(predictor.suggest(reports("b", size)))
    predictor.close()
    assert [s.report_id for s in answer] == [f"b{i}" for i in range(size)]
    assert router.calls == calls


def test_another_request_is_answered_between_the_parts_of_a_big_one() -> None:
    router = SlowTriage()
    predictor = Predictor(router, max_batch=8)

    async def both() -> list[int]:
        big = asyncio.ensure_future(predictor.suggest(reports("big", 40)))
        await asyncio.sleep(0.01)  # the first part is on the model thread now
        await predictor.suggest(reports("small", 1))
        small_done_after = len(router.calls)
        await big
        return [small_done_after, len(router.calls)]

    small_done_after, total = asyncio.run(both())
    predictor.close()
    assert small_done_after < total  # the small one did not wait for all five parts


def test_long_reports_are_cut_into_slices_of_bounded_characters() -> None:
    router = SlowTriage()
    predictor = Predictor(router, max_batch=64, max_characters=4_000)
    long = [Report(id=f"L{i}", text="jalan rusak " * 125) for i in range(10)]  # 1,500 each
    longest = [Report(id=f"M{i}", text="jalan rusak " * 1_600) for i in range(2)]  # 19,200
    answer = asyncio.run(predictor.suggest(long + longest))
    predictor.close()
    assert [s.report_id for s in answer] == [r.id for r in long + longest]
    # the model reads 3,000 characters of a longer report: one fills a slice of 4,000
    assert router.calls == [2, 2, 2, 2, 2, 1, 1]


def test_queued_requests_share_a_call_only_within_the_character_bound() -> None:
    router = SlowTriage()
    predictor = Predictor(router, max_batch=64, max_characters=7_500)

    async def main() -> list[list[Suggestion]]:
        return await asyncio.gather(
            *(predictor.suggest([Report(id=f"q{k}", text="x" * 2_500)]) for k in range(6))
        )

    answers = asyncio.run(main())
    predictor.close()
    assert [a[0].report_id for a in answers] == [f"q{k}" for k in range(6)]
    assert router.calls == [3, 3]  # 7,500 characters per call


def test_a_single_report_goes_before_the_rest_of_a_bulk_request() -> None:
    router = SlowTriage()
    predictor = Predictor(router, max_batch=4)

    async def both() -> None:
        big = asyncio.ensure_future(predictor.suggest(reports("big", 40), bulk=True))
        await asyncio.sleep(0.01)  # the first slice is on the model thread now
        small = await predictor.suggest(reports("small", 1))
        assert [s.report_id for s in small] == ["small0"]
        assert [s.report_id for s in await big] == [f"big{i}" for i in range(40)]

    asyncio.run(both())
    predictor.close()
    assert router.calls == [4, 1] + [4] * 9  # the slice under way, the single report, the rest


class TimedTriage(SlowTriage):
    """Records when each model call started and ended."""

    def __init__(self) -> None:
        super().__init__()
        self.spans: list[tuple[float, float]] = []

    def predict(self, reports: list[Report]) -> list[Suggestion]:
        started = time.monotonic()
        answer = super().predict(reports)
        self.spans.append((started, time.monotonic()))
        return answer


def test_bulk_work_leaves_the_model_thread_free_while_single_reports_come_in() -> None:
    router = TimedTriage()
    predictor = Predictor(router, max_batch=4)

    async def main() -> None:
        await predictor.suggest(reports("single", 1))  # single reports are coming in
        await predictor.suggest(reports("bulk", 12), bulk=True)

    asyncio.run(main())
    predictor.close()
    bulk = router.spans[1:]
    gaps = [later[0] - earlier[1] for earlier, later in itertools.pairwise(bulk)]
    # after each slice the thread stays free about as long as the slice took (0.05 s)
    assert len(gaps) == 2
    assert all(gap >= 0.04 for gap in gaps), gaps


def test_a_single_report_ends_the_pause_of_bulk_work_at_once() -> None:
    router = TimedTriage()
    predictor = Predictor(router, max_batch=4)

    async def main() -> float:
        await predictor.suggest(reports("single", 1))
        big = asyncio.ensure_future(predictor.suggest(reports("bulk", 8), bulk=True))
        await asyncio.sleep(0.07)  # the first bulk slice is done, its pause under way
        asked = time.monotonic()
        await predictor.suggest(reports("late", 1))
        await big
        return asked

    asked = asyncio.run(main())
    predictor.close()
    late = next(
        span
        for span, calls in zip(router.spans, router.calls, strict=True)
        if calls == 1 and span[0] > asked - 0.001
    )
    assert late[0] - asked < 0.04  # not kept waiting for the pause to run out


@dataclasses.dataclass
class RecordingTriage(Triage):
    """A real Triage that notes, for every batch, its thread and the catalogue it served."""

    batches: list[tuple[str, Catalogue | None]] = dataclasses.field(default_factory=list)

    def predict(self, reports: list[Report]) -> list[Suggestion]:
        self.batches.append((threading.current_thread().name, self.catalogue))
        time.sleep(0.005)  # long enough for edits to arrive while a batch runs
        return super().predict(reports)


def test_a_catalogue_edit_reaches_the_model_between_batches(router: Router) -> None:
    """Edits arrive while predictions run: each batch names the OPDs of one catalogue, all
    of it old or all of it new; the swap happens on the model thread, and once the edit is
    acknowledged every later suggestion names the edited catalogue."""
    old = named_catalogue("Kabupaten Kutai Timur", router.known_agencies())
    new = dataclasses.replace(
        old, opds=[dataclasses.replace(opd, name=f"{opd.name} (baru)") for opd in old.opds]
    )
    triage = RecordingTriage(router, catalogue=old)
    predictor = Predictor(triage, max_batch=4)
    texts = ["lampu lalu lintas mati di simpang", "jalan berlubang dekat sekolah"]

    async def main() -> tuple[list[list[Suggestion]], list[Suggestion]]:
        requests = [
            predictor.suggest([Report(id=f"r{k}-{i}", text=texts[i % 2]) for i in range(3)])
            for k in range(12)
        ]
        answers = asyncio.gather(*requests)
        for catalogue in (new, old, new):
            await asyncio.sleep(0.002)
            await predictor.use_catalogue(catalogue)
        after = await predictor.suggest([Report(id="late", text=texts[0])])
        return await answers, after

    answers, after = asyncio.run(main())
    predictor.close()
    for answer in answers:
        names = {suggestion.agency.label for suggestion in answer}
        assert all(n.endswith("(baru)") for n in names) or not any(
            n.endswith("(baru)") for n in names
        )
    assert after[0].agency.label.endswith("(baru)")
    assert {thread for thread, _ in predictor.triage.batches} == {"model_0"}
    assert {id(c) for _, c in predictor.triage.batches} <= {id(old), id(new)}
    assert predictor.known_agencies() == sorted(opd.name for opd in new.opds)
