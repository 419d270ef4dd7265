"""Batch reclassification of a backlog: a streaming local engine and a Spark engine.

The local engine reads the input in chunks of ``batch_size`` input rows (chunk k holds rows
k*B+1 .. (k+1)*B, good and bad alike), classifies them on all cores and commits each chunk as one
part file, written to a temporary name and renamed, under ``OUTPUT.parts/``. An interrupted run
continues with ``--resume``: committed chunks are skipped, so every input row ends up exactly
once in the output or in ``OUTPUT.errors``. With a registered duplicate scorer, a second pass
links each report to earlier reports of the backlog (:mod:`pipeline.batch_duplicates`). When all
chunks are in, the parts are merged into OUTPUT (Parquet or CSV by extension) and the parts
folder is removed (:mod:`pipeline.batch_parts`).
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections import Counter, deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from core.errors import LaporError
from core.schema import TASKS, Report
from models.catalogue import Catalogue
from models.duplicates.index import DuplicateIndex
from models.triage import Triage
from pipeline.batch_duplicates import ignore_interrupts, link_duplicates, linked_reports
from pipeline.batch_output import suggestion_frame
from pipeline.batch_parts import PartStore
from pipeline.batch_progress import NoProgress, Progress
from pipeline.ingest.containers import container_of
from pipeline.ingest.reader import ReportReader, RowIssue
from pipeline.registry.pyfunc import champion_scorer
from pipeline.serving import load_triage
from pipeline.spark import run_spark

OUTPUT_TASKS = TASKS


@dataclass
class Summary:
    """What a reclassification did."""

    rows_read: int = 0
    rows_written: int = 0
    rows_failed: int = 0
    decisions: dict[str, Counter] = field(
        default_factory=lambda: {task: Counter() for task in OUTPUT_TASKS}
    )
    changed: dict[str, int] | None = None
    compared: int | None = None
    seconds: float = 0.0
    model_version: str | None = None
    chunks_resumed: int = 0
    rows_resumed: int = 0
    """Rows of chunks an interrupted run had committed (not processed again)."""
    linked: int | None = None
    """Reports linked to an earlier report of the backlog (None: no duplicate pass)."""
    tiers: Counter = field(default_factory=Counter)
    """Reports per urgency tier (urgent, check, none)."""

    def add(self, part: pd.DataFrame) -> None:
        for task in OUTPUT_TASKS:
            column = f"{task}_decision"
            if column in part:
                self.decisions[task].update(part[column].dropna().tolist())
        if "urgency_tier" in part:
            self.tiers.update(part["urgency_tier"].dropna().tolist())

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows_read": self.rows_read,
            "rows_written": self.rows_written,
            "rows_failed": self.rows_failed,
            "decisions": {task: dict(counts) for task, counts in self.decisions.items() if counts},
            "changed_vs_compare": self.changed,
            "compared_rows": self.compared,
            "seconds": round(self.seconds, 2),
            "rows_per_second": round((self.rows_read - self.rows_resumed) / self.seconds)
            if self.seconds
            else None,
            "model_version": self.model_version,
            "chunks_resumed": self.chunks_resumed,
            "rows_resumed": self.rows_resumed,
            "linked_duplicates": self.linked,
            "urgency_tiers": dict(self.tiers),
        }


@dataclass
class Chunk:
    """A run of consecutive input rows: the good ones as Reports, the bad ones as issues."""

    index: int
    reports: list[Report] = field(default_factory=list)
    issues: list[tuple[int, str | None, str]] = field(default_factory=list)


def chunks(reader: ReportReader, batch_size: int) -> Iterator[Chunk]:
    """Consecutive chunks of ``batch_size`` input rows (chunk k: rows k*B+1 .. (k+1)*B)."""
    current = Chunk(0)
    for number, item in reader.numbered():
        index = (number - 1) // batch_size
        if index != current.index:
            yield current
            current = Chunk(index)
        if isinstance(item, RowIssue):
            current.issues.append((number, item.id, item.reason))
        else:
            current.reports.append(item)
    yield current


# --- the local engine ---------------------------------------------------------------------

_WORKER_TRIAGE: Triage | None = None
"""The Router and catalogue in a worker process (inherited by fork, never pickled)."""


def _classify(reports: list[Report]) -> pd.DataFrame:
    return suggestion_frame(_WORKER_TRIAGE, reports)


def run_local(
    reader: ReportReader,
    triage: Triage,
    output: Path,
    manifest: dict[str, Any],
    batch_size: int,
    workers: int,
    resume: bool,
    summary: Summary,
    progress: Progress,
) -> None:
    """Classify every chunk not yet committed, on ``workers`` processes, in input order."""
    global _WORKER_TRIAGE
    store = PartStore(output)
    done = store.open(manifest, resume)
    summary.chunks_resumed = len(done)
    _WORKER_TRIAGE = triage
    pool = (
        multiprocessing.get_context("fork").Pool(workers, initializer=ignore_interrupts)
        if workers > 1
        else None
    )
    pending: deque[tuple[Chunk, Any]] = deque()

    def finish_oldest() -> None:
        chunk, result = pending.popleft()
        part = result.get() if pool is not None else result
        store.commit(chunk.index, part, chunk.issues)
        progress.advance(len(chunk.reports) + len(chunk.issues))

    try:
        for chunk in chunks(reader, batch_size):
            if chunk.index in done:
                summary.rows_resumed += len(chunk.reports) + len(chunk.issues)
                progress.skip(len(chunk.reports) + len(chunk.issues))
                continue
            if pool is None:
                pending.append((chunk, _classify(chunk.reports)))
            else:
                pending.append((chunk, pool.apply_async(_classify, (chunk.reports,))))
            while len(pending) > 2 * max(workers, 1):  # bounded: memory stays flat
                finish_oldest()
        while pending:
            finish_oldest()
    finally:
        if pool is not None:
            pool.terminate()
        _WORKER_TRIAGE = None


# --- the whole job ------------------------------------------------------------------------


def count_rows(path: Path) -> int | None:
    """The input's row count (exact for Parquet, approximate by lines otherwise), for the ETA."""
    container = container_of(path)
    if container == "parquet":
        import pyarrow.parquet as pq  # heavy: only Parquet needs it

        return pq.ParquetFile(path).metadata.num_rows
    if container in ("csv", "tsv", "jsonl"):
        lines = 0
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                lines += block.count(b"\n")
        return max(lines - (container != "jsonl"), 0)
    return None


def compare_outputs(output: Path, previous: Path) -> tuple[dict[str, int], int]:
    """How many suggestions changed per task against an earlier output (matched on id)."""
    columns = ["id", *OUTPUT_TASKS]

    def read(path: Path) -> pd.DataFrame:
        if container_of(path) == "parquet":
            frame = pd.read_parquet(path, columns=columns)
        else:
            frame = pd.read_csv(path, usecols=columns, dtype=str, keep_default_na=False)
        return frame.astype(str).set_index("id")

    try:
        joined = read(output).join(read(previous), rsuffix="_before", how="inner")
    except (ValueError, KeyError) as exc:
        raise LaporError(f"--compare {previous}: not a reclassification output ({exc})") from None
    return {
        task: int((joined[task] != joined[f"{task}_before"]).sum()) for task in OUTPUT_TASKS
    }, len(joined)


def reclassify(
    input_path: Path,
    output: Path,
    fmt: str = "auto",
    model_uri: str | None = None,
    engine: str = "local",
    batch_size: int = 5_000,
    workers: int | None = None,
    resume: bool = False,
    compare: Path | None = None,
    spark_master: str | None = None,
    duplicates: bool = True,
    progress: Progress | None = None,
    catalogue: Catalogue | None = None,
) -> Summary:
    """Reclassify a backlog file with a registered model (default: the champion), naming the
    OPDs of ``catalogue`` (the deployment's); with ``duplicates`` (and a registered pair
    scorer), link each report to earlier reports of the backlog about the same problem."""
    progress = progress or NoProgress()
    if container_of(output) not in ("parquet", "csv"):
        raise LaporError(f"{output}: the output must be .parquet or .csv")
    if batch_size < 1:
        raise LaporError("--batch-size must be at least 1")
    if engine not in ("local", "spark"):
        raise LaporError(f"unknown engine {engine!r}; use local or spark")
    if compare is not None and not compare.is_file():
        raise LaporError(f"--compare {compare}: no such file")
    triage = load_triage(catalogue, model_uri, duplicates=False)
    scorer = champion_scorer() if duplicates else None
    reader = ReportReader(input_path, fmt)
    summary = Summary(model_version=triage.version)
    started = time.perf_counter()
    if engine == "local":
        total = count_rows(input_path)
        progress.stage("reclassifying", total)
        manifest = {
            "input": str(input_path.resolve()),
            "input_size": input_path.stat().st_size,
            "input_mtime": input_path.stat().st_mtime_ns,
            "format": reader.format.name,
            "batch_size": batch_size,
            "model_version": triage.version,
            "duplicates": scorer is not None,
        }
        run_local(
            reader,
            triage,
            output,
            manifest,
            batch_size,
            workers or os.cpu_count() or 1,
            resume,
            summary,
            progress,
        )
        store = PartStore(output)
        if scorer is not None:
            progress.stage("indexing the backlog for duplicates", total)
            link_duplicates(
                store.folder,
                lambda: chunks(ReportReader(input_path, fmt), batch_size),
                DuplicateIndex(scorer),
                workers or os.cpu_count() or 1,
                progress,
            )
            summary.linked = linked_reports(store.folder)
        columns = [f"{t}_decision" for t in OUTPUT_TASKS] + ["urgency_tier"]
        for results, _ in store.parts():
            summary.add(pd.read_parquet(results, columns=columns))
        summary.rows_written, summary.rows_failed = store.merge(output)
    else:
        summary.rows_written, summary.rows_failed = run_spark(
            input_path, output, reader, triage, spark_master, scorer
        )
        progress.advance(summary.rows_written + summary.rows_failed)  # Spark reports at the end
        written = pd.read_parquet(output) if container_of(output) == "parquet" else None
        written = written if written is not None else pd.read_csv(output)
        summary.add(written)
        if scorer is not None:
            summary.linked = int((written["duplicates"].astype(str) != "[]").sum())
    summary.rows_read = summary.rows_written + summary.rows_failed
    summary.seconds = time.perf_counter() - started
    if compare is not None:
        summary.changed, summary.compared = compare_outputs(output, compare)
    return summary
