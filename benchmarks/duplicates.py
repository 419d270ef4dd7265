"""Duplicate index at scale (synthetic corpus): build time and memory for N reports, query
latency p50/p99 for new reports, and the cost of adding one report (no rebuild). Also the pair
scorer's quality on the real labelled pairs when ../shared/data is present.

    python benchmarks/duplicates.py [--n 1000000] [--queries 1000]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from itertools import islice
from pathlib import Path

import numpy as np
import psutil

from core.schema import Report
from models.duplicates.features import Entry
from models.duplicates.index import DuplicateIndex
from models.duplicates.scorer import PairScorer
from pipeline.dedupe import load_reports, read_pairs, synthetic_pairs, train_scorer
from pipeline.synth.generator import generate

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def quality() -> None:
    data, pairs = (
        SHARED / "surabaya_mediacenter_2022.csv",
        SHARED / "surabaya_2022_duplicate_pairs.csv",
    )
    if not data.is_file():
        print("pair quality: skipped (real data absent)")
        return
    for synthetic in (0, 3_000):
        _, metrics, _ = train_scorer(load_reports(data, "surabaya"), read_pairs(pairs), synthetic)
        print(f"pair quality, 5-fold CV on the real pairs (+{synthetic} synthetic reports):")
        print(json.dumps(metrics, indent=1))


def _number(report_id: str) -> int:
    """The sequence number in a synthetic report id (KTM-0000042 -> 42), 0-based."""
    return int(report_id.rsplit("-", 1)[1]) - 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=1_000)
    parser.add_argument("--chunk", type=int, default=50_000)
    parser.add_argument("--skip-quality", action="store_true")
    args = parser.parse_args()
    if not args.skip_quality:
        quality()

    pairs, labels = synthetic_pairs(2_000, seed=5)
    scorer = PairScorer().fit([a.text for a, _ in pairs], pairs, labels)
    process = psutil.Process()
    rows = generate(args.n + args.queries, seed=17)
    index = DuplicateIndex(scorer)
    # each report's problem (the number of its first report): a link within it is right
    problem = np.zeros(args.n + args.queries, dtype=np.int32)
    before = process.memory_info().rss
    started = time.perf_counter()
    added = 0
    while added < args.n:
        chunk = list(islice(rows, min(args.chunk, args.n - added)))
        for row in chunk:
            problem[_number(row["id"])] = _number(row["duplicate_of"] or row["id"])
        index.add_many([Report.model_validate(r) for r in chunk])
        added += len(chunk)
        print(f"  indexed {added:,} ({time.perf_counter() - started:.0f} s)", flush=True)
    build = time.perf_counter() - started
    memory = process.memory_info().rss - before
    print(
        f"build: {args.n:,} reports in {build:.0f} s = {args.n / build:,.0f} reports/s; "
        f"index memory {memory / 2**30:.2f} GiB ({memory / args.n:,.0f} bytes/report)"
    )

    query_rows = list(rows)
    queries = [Report.model_validate(r) for r in query_rows]
    latencies, links = [], []
    for report in queries:
        start = time.perf_counter()
        links.append(index.find(report))
        latencies.append((time.perf_counter() - start) * 1000)
    cold = np.array(latencies)
    print(
        f"query ({len(queries):,} new reports, cold embedding cache): p50 "
        f"{np.percentile(cold, 50):.1f} ms, p99 {np.percentile(cold, 99):.1f} ms"
    )
    own = [_number(row["duplicate_of"] or row["id"]) for row in query_rows]
    linked = [problem[_number(found[0].report_id)] if found else -1 for found in links]
    repeats = [i for i, row in enumerate(query_rows) if row["duplicate_of"] and own[i] < args.n]
    caught = sum(linked[i] == own[i] for i in repeats)
    wrong = [i for i, found in enumerate(links) if found and linked[i] != own[i]]
    same_address = sum(
        Entry.of(queries[i]).address == index.entries[_number(links[i][0].report_id)].address
        for i in wrong
    )
    print(
        f"links: {caught} of {len(repeats)} repeats of an indexed report linked to their problem; "
        f"{len(wrong)} of {sum(map(bool, links))} links to another problem, {same_address} of "
        "them at the same address (the generator draws addresses from about a thousand per "
        "kelurahan and repeats a problem only on purpose)"
    )
    warm = []
    for report in queries:
        start = time.perf_counter()
        index.find(report)
        warm.append((time.perf_counter() - start) * 1000)
    print(f"query again (warm caches): p50 {np.percentile(warm, 50):.1f} ms, "
          f"p99 {np.percentile(warm, 99):.1f} ms")  # fmt: skip
    adds = []
    for report in queries[:200]:
        start = time.perf_counter()
        index.add(report)
        adds.append((time.perf_counter() - start) * 1000)
    print(f"incremental add (no rebuild): median {statistics.median(adds):.2f} ms per report")


if __name__ == "__main__":
    main()
