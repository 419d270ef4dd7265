"""Foundation speed: import rate of the Surabaya export, normalize throughput, Sastrawi cached vs
uncached, and masking/normalising one report at the 20,000-character limit (one long word, a
digit run, mixed text: each must stay in milliseconds, i.e. linear in the length). Prints medians
over repeats (machines are shared and noisy; compare ratios).

    python benchmarks/foundation.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from core.text import mask_pii, normalize, stem_word, stem_word_uncached
from pipeline.ingest.reader import ReportReader
from pipeline.synth.generator import generate

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def median_seconds(action: Callable[[], object], repeats: int) -> float:
    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        timings.append(time.perf_counter() - start)
    return statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=5)
    repeats = parser.parse_args().repeats

    surabaya = SHARED / "surabaya_mediacenter_2022.csv"
    if surabaya.is_file():
        rows = sum(1 for _ in ReportReader(surabaya, "surabaya"))
        seconds = median_seconds(
            lambda: sum(1 for _ in ReportReader(surabaya, "surabaya")), repeats
        )
        print(
            f"import surabaya export: {rows:,} rows, median {seconds:.3f} s = "
            f"{rows / seconds:,.0f} rows/s"
        )
        texts = [r.text for r in ReportReader(surabaya, "surabaya")]
        corpus = "real Surabaya texts"
    else:
        print(f"import surabaya export: skipped ({surabaya} absent)")
        texts = [row["text"] for row in generate(8_000)]
        corpus = "synthetic demo texts"

    longest = {
        "one word": "a" * 20_000,
        "digits": "1" * 20_000,
        "word ending in @": "a" * 19_990 + "@x",
        "mixed text": ("Jalan rusak di RT 05, hubungi 0812345678 atau budi@contoh.id " * 400)[
            :20_000
        ],
    }
    for name, text in longest.items():
        for function in (mask_pii, normalize):
            seconds = median_seconds(lambda f=function, t=text: f(t), repeats)
            print(f"{function.__name__} of 20,000 chars ({name}): median {seconds * 1000:.1f} ms")

    chars = sum(len(t) for t in texts)
    seconds = median_seconds(lambda: [normalize(t) for t in texts], repeats)
    print(
        f"normalize ({corpus}): {len(texts):,} texts, median {seconds:.3f} s = "
        f"{len(texts) / seconds:,.0f} texts/s, {chars / seconds / 1e6:.1f} M chars/s"
    )

    words = [w for t in texts for w in normalize(t).split() if w.isalpha()]
    sample = words[:20_000]
    distinct = len(set(sample))
    uncached = median_seconds(lambda: [stem_word_uncached(w) for w in sample[:4_000]], 3)
    uncached_rate = 4_000 / uncached

    def cached_pass() -> None:
        stem_word.cache_clear()
        for w in sample:
            stem_word(w)

    cached = median_seconds(cached_pass, repeats)
    warm = median_seconds(lambda: [stem_word(w) for w in sample], repeats)
    cold_rate, warm_rate = len(sample) / cached, len(sample) / warm
    print(f"sastrawi uncached: {uncached_rate:,.0f} words/s (4,000 running words)")
    print(
        f"sastrawi cached, cold cache: {cold_rate:,.0f} words/s ({len(sample):,} running words, "
        f"{distinct:,} distinct) = {cold_rate / uncached_rate:.1f}x uncached"
    )
    print(
        f"sastrawi cached, warm cache: {warm_rate:,.0f} words/s = {warm_rate / uncached_rate:.0f}x"
    )

    n = 100_000
    seconds = median_seconds(lambda: sum(1 for _ in generate(n)), 1)
    print(f"synth: {n:,} reports in {seconds:.1f} s = {n / seconds:,.0f} reports/s")


if __name__ == "__main__":
    main()
