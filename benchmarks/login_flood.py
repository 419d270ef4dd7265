"""A flood of wrong passwords against the login form while a client classifies reports.

Starts `lapor serve` as benchmarks/serve_load.py does, measures POST /api/v1/classify from one
client for a quiet period, then again while THREADS threads post wrong passwords to /login
from this machine (each with its own session and CSRF token). Prints /classify p50/p99, the
login answers by status, and the server's peak RSS, quiet and flooded.

    .venv/bin/python benchmarks/login_flood.py [--seconds 30] [--threads 16]

Extra environment (e.g. LAPOR_LOGIN_FAILURES_PER_ADDRESS=1000000, to measure the bound on
password checks at once without the per-address throttle) is passed to the server.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import threading
import time
from collections import Counter

import httpx
from serve_load import PeakRss, load, serving


def flood(base: str, threads: int, stop: threading.Event) -> Counter:
    """Wrong logins from ``threads`` threads until ``stop``; the answers' statuses."""
    statuses: Counter = Counter()
    lock = threading.Lock()

    def attacker(number: int) -> None:
        with httpx.Client(base_url=base, timeout=60) as client:
            csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text).group(1)
            while not stop.is_set():
                try:
                    status = client.post(
                        "/login",
                        data={"username": f"admin{number % 4}", "password": "salah-sekali",
                              "csrf": csrf},
                    ).status_code  # fmt: skip
                except httpx.HTTPError:
                    status = 0
                with lock:
                    statuses[status] += 1

    workers = [threading.Thread(target=attacker, args=(n,), daemon=True) for n in range(threads)]
    for worker in workers:
        worker.start()
    stop.wait()
    for worker in workers:
        worker.join(timeout=90)
    return statuses


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--threads", type=int, default=16)
    args = parser.parse_args()
    with serving("flood.db") as (server, base, key, bodies):
        asyncio.run(load(f"{base}/api/v1/classify", key, bodies, 1, 5))  # warm-up
        print(f"POST /api/v1/classify from 1 client, {args.seconds:.0f} s each, "
              f"{os.cpu_count()} cores")  # fmt: skip
        print(f"{'while':>22} {'p50 ms':>8} {'p99 ms':>8} {'server RSS':>11}  logins")
        for threads in (0, args.threads):
            rss = PeakRss(server.pid)
            stop = threading.Event()
            answers: Counter = Counter()
            attack = threading.Thread(
                target=lambda found, *a: found.update(flood(*a)),
                args=(answers, base, threads, stop),
            )
            if threads:
                attack.start()
                time.sleep(2)  # the flood under way before measuring
            result = asyncio.run(load(f"{base}/api/v1/classify", key, bodies, 1, args.seconds))
            stop.set()
            if threads:
                attack.join(timeout=120)
            peak = rss.stop()
            label = f"{threads} wrong-login threads" if threads else "quiet"
            logins = ", ".join(f"{status}: {n:,}" for status, n in sorted(answers.items()))
            print(f"{label:>22} {result['p50']:>8.1f} {result['p99']:>8.1f} "
                  f"{peak / 2**20:>8.0f} MiB  {logins or '-'}")  # fmt: skip


if __name__ == "__main__":
    main()
