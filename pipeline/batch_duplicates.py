"""The batch job's duplicate pass: once every chunk is classified, the whole backlog is indexed
(in input order, with its suggested OPDs and topics) and each report is searched for earlier
reports about the same problem, in parallel worker processes that share the finished index.
Each chunk's links are committed as a file of their own, so an interrupted pass resumes where
it stopped; the merge puts them into the ``duplicates`` column."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from models.duplicates.index import DuplicateIndex
from pipeline.batch_progress import Progress

_WORKER_INDEX: DuplicateIndex | None = None
"""The finished index in a worker process (inherited by fork, never pickled)."""

Positions = tuple[int, int]
"""The index positions [start, end) of one chunk's reports."""


def ignore_interrupts() -> None:
    """In a worker: Ctrl-C is the parent's to handle (no traceback from every worker)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _links(positions: Positions) -> list[str]:
    return [
        json.dumps(
            [link.model_dump() for link in _WORKER_INDEX.find_indexed(position)],
            ensure_ascii=False,
        )
        for position in range(*positions)
    ]


def links_path(folder: Path, index: int) -> Path:
    return folder / f"links-{index:07d}.parquet"


def link_duplicates(
    folder: Path,
    report_chunks: Callable[[], Any],
    index: DuplicateIndex,
    workers: int,
    progress: Progress,
) -> None:
    """Link every committed chunk under ``folder`` that has no links file yet.
    ``report_chunks()`` yields the input's chunks again (as the classification read them).
    ``progress`` counts the rows indexed, then (a stage of its own) the rows linked; chunks an
    interrupted run already linked are skipped, out of the linking rate."""
    global _WORKER_INDEX
    pending: list[tuple[int, Positions]] = []
    for chunk in report_chunks():
        part = folder / f"part-{chunk.index:07d}.parquet"
        labels = pd.read_parquet(part, columns=["agency", "topic"])
        labels = labels.astype(object).where(labels.notna(), None)
        start = len(index)
        index.add_many(chunk.reports, labels["agency"].tolist(), labels["topic"].tolist())
        progress.advance(len(chunk.reports))
        if not links_path(folder, chunk.index).exists():
            pending.append((chunk.index, (start, len(index))))
    progress.stage("linking duplicates", sum(end - start for _, (start, end) in pending))
    _WORKER_INDEX = index
    pool = (
        multiprocessing.get_context("fork").Pool(workers, initializer=ignore_interrupts)
        if workers > 1
        else None
    )
    running: deque[tuple[int, Positions, Any]] = deque()

    def finish_oldest() -> None:
        chunk_index, (start, end), result = running.popleft()
        links = result.get() if pool is not None else result
        ids = [index.entries[position].id for position in range(start, end)]
        frame = pd.DataFrame({"id": ids, "duplicates": links})
        target = links_path(folder, chunk_index)
        frame.to_parquet(target.with_name(f".{target.name}.tmp"), index=False)
        os.replace(target.with_name(f".{target.name}.tmp"), target)
        progress.advance(end - start)

    try:
        for chunk_index, positions in pending:
            work = _links(positions) if pool is None else pool.apply_async(_links, (positions,))
            running.append((chunk_index, positions, work))
            while running and (
                len(running) > 2 * max(workers, 1) or pool is None or running[0][2].ready()
            ):
                finish_oldest()  # committed as soon as done: an interruption loses little
        while running:
            finish_oldest()
    finally:
        if pool is not None:
            pool.terminate()
        _WORKER_INDEX = None


def linked_reports(folder: Path) -> int:
    """How many reports of the run got at least one link."""
    return sum(
        int((pd.read_parquet(path, columns=["duplicates"])["duplicates"] != "[]").sum())
        for path in folder.glob("links-*.parquet")
    )
