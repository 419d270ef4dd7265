"""One big batch against everyone else: does a client classifying single reports keep its
latency while another client posts a batch of 1,000 reports of 20,000 characters?

Starts `lapor serve` as benchmarks/serve_load.py does, measures POST /api/v1/classify from one
client while the service is quiet, then again while a second client posts such batches to
/api/v1/classify/batch back to back. Prints the single client's p50/p99 both ways, their ratio
(the aim: at most 3x), and how long each batch took.

    .venv/bin/python benchmarks/batch_fairness.py [--seconds 30] [--reports 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import threading
import time

import httpx
from serve_load import load, serving

LONG = 20_000


def long_reports(bodies: list[dict], count: int) -> list[dict]:
    """``count`` reports of about 20,000 characters, made of demo texts."""
    out = []
    for number in range(count):
        parts, size, k = [], 0, number
        while size < LONG - 600:
            text = bodies[k % len(bodies)]["text"]
            parts.append(text)
            size += len(text) + 1
            k += 7
        out.append({**bodies[number % len(bodies)], "text": " ".join(parts)[: LONG - 1]})
    return out


def batches(base: str, key: str, reports: list[dict], stop: threading.Event) -> list[float]:
    """Post the batch back to back until ``stop``; each batch's seconds."""
    took = []
    with httpx.Client(base_url=base, headers={"X-API-Key": key}, timeout=600) as client:
        while not stop.is_set():
            started = time.perf_counter()
            answer = client.post("/api/v1/classify/batch", json={"reports": reports})
            answer.raise_for_status()
            took.append(time.perf_counter() - started)
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--reports", type=int, default=1_000)
    args = parser.parse_args()
    with serving("fairness.db") as (_, base, key, bodies):
        big = long_reports(bodies, args.reports)
        url = f"{base}/api/v1/classify"
        asyncio.run(load(url, key, bodies, 1, 5))  # warm-up
        quiet = asyncio.run(load(url, key, bodies, 1, args.seconds))
        stop = threading.Event()
        took: list[float] = []
        poster = threading.Thread(target=lambda: took.extend(batches(base, key, big, stop)))
        poster.start()
        time.sleep(3)  # the first batch under way
        busy = asyncio.run(load(url, key, bodies, 1, args.seconds))
        stop.set()
        poster.join(timeout=900)
    print(f"POST /api/v1/classify from 1 client, {args.seconds:.0f} s each, {os.cpu_count()} cores")
    print(f"{'while':>34} {'p50 ms':>8} {'p99 ms':>8} {'requests':>9}")
    for label, result in (("quiet", quiet), (f"batches of {args.reports:,} x 20,000 chars", busy)):
        print(f"{label:>34} {result['p50']:>8.1f} {result['p99']:>8.1f} {result['requests']:>9,}")
    print(f"p50 ratio busy/quiet: {busy['p50'] / quiet['p50']:.2f}x (aim: at most 3x)")
    if took:
        print(f"batches answered: {len(took)}, median {sorted(took)[len(took) // 2]:.1f} s each")


if __name__ == "__main__":
    main()
