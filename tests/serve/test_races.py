"""Writes that race: concurrent decisions on one version, and duplicate links posted both ways
at the same moment, on SQLite and on PostgreSQL. Exactly one decision per version lands, and
no race closes a cycle of duplicate links."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from core.schema import Report
from core.suggestion import Suggestion
from serve.store import Store
from serve.store.records import DecisionInput, Principal, StoreError

pytestmark = pytest.mark.slow

WRITERS = 8


def at_once(calls: list[Callable[[], object]]) -> list[object]:
    """Run the calls on their own threads, released together; each one's result or error."""
    start = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(slot: int) -> None:
        start.wait()
        try:
            results[slot] = calls[slot]()
        except Exception as exc:
            results[slot] = exc

    threads = [threading.Thread(target=run, args=(slot,)) for slot in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def add(store: Store, report_id: str) -> None:
    store.add_report(
        Report(id=report_id, text="Jalan berlubang di depan pasar"), Suggestion(report_id=report_id)
    )


def staff(store: Store) -> Principal:
    return store.add_user("siti", "staff", "kata-sandi-siti")


@pytest.mark.parametrize("trial", range(3))
def test_concurrent_decisions_on_one_version_land_once(store: Store, trial: int) -> None:
    add(store, "R1")
    who = staff(store)
    agencies = [f"Dinas {n}" for n in range(WRITERS)]
    results = at_once(
        [
            lambda agency=agency: store.add_decision(
                "R1", who, DecisionInput(action="override", agency=agency, version=1)
            )
            for agency in agencies
        ]
    )
    landed = [r for r in results if not isinstance(r, Exception)]
    refused = [r for r in results if isinstance(r, StoreError)]
    assert (len(landed), len(refused)) == (1, WRITERS - 1), results
    row = store.report("R1")
    assert row.version == 2
    assert len(row.decisions) == 1
    assert row.agency == landed[0].agency


@pytest.mark.parametrize("trial", range(3))
def test_links_posted_both_ways_at_once_never_make_a_cycle(store: Store, trial: int) -> None:
    add(store, "A")
    add(store, "B")
    who = staff(store)
    results = at_once(
        [
            lambda: store.add_decision(
                "A", who, DecisionInput(action="override", duplicate_of="B", version=1)
            ),
            lambda: store.add_decision(
                "B", who, DecisionInput(action="override", duplicate_of="A", version=1)
            ),
        ]
    )
    refused = [r for r in results if isinstance(r, StoreError)]
    assert len(refused) == 1, results
    assert "cycle" in str(refused[0])
    links = {store.report(r).duplicate_of for r in ("A", "B")}
    assert None in links
