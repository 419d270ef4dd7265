"""Load on the service over HTTP: POST /api/v1/classify from concurrent clients.

Starts `lapor serve` (the champion; trained on the demo corpus first if none is registered, as
`make run` does) in its own process with a fresh store seeded with the demo queue, so that
duplicate lookups have earlier reports to compare with. For each concurrency level, clients
send demo reports back to back for a fixed time, to the service and then to its simplest peer
(`naive_peer.py`: a FastAPI app serving four TF-IDF + LinearSVC pipelines trained on the same
corpus). Prints latency p50/p99, requests/s, errors, the model's batch sizes and each server's
peak RSS, and the service's requests/s as a ratio of the peer's. The clients run on the same
machine.

    .venv/bin/python benchmarks/serve_load.py [--seconds 30] [--concurrency 1,4,16]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import psutil

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

DEMO = REPO / "data" / "sample" / "demo_reports.csv"
Server = tuple[subprocess.Popen, str]
"""A server process and its base URL."""


def prepare(store_url: str) -> tuple[str, list[dict]]:
    """The champion (trained if missing), a seeded store with an API key, and request bodies."""
    from core.clock import local_now
    from core.config import get_settings
    from pipeline.bootstrap import ensure_champion, ensure_duplicates_champion
    from pipeline.ingest.containers import write_rows
    from pipeline.ingest.reader import read_reports
    from pipeline.serving import load_triage
    from pipeline.synth.generator import generate
    from pipeline.train import TrainingSetup
    from serve.demo import seed_queue
    from serve.store import Store

    if not DEMO.exists():
        write_rows(generate(5_000), DEMO)
    uri = ensure_champion(DEMO, TrainingSetup.from_settings(get_settings()), progress=print)
    ensure_duplicates_champion(progress=print)
    reports, _ = read_reports(DEMO)
    store = Store(store_url)
    store.migrate(get_settings().home)
    folder = Path(store_url.removeprefix("sqlite:///")).parent
    seed_queue(store, load_triage(store.catalogue(), uri), reports, local_now(), folder)
    store.add_user("load", "staff")
    key = store.add_api_key("load")
    store.close()
    fields = ("title", "text", "regency", "district", "village", "address")
    bodies = [
        {f: getattr(r, f) for f in fields if getattr(r, f) is not None} for r in reports[:2_000]
    ]
    return key, bodies


def start_server(env: dict[str, str], peer: bool = False) -> tuple[subprocess.Popen, str]:
    """`lapor serve` (or, with ``peer``, the naive peer) on a free local port, once ready; the
    process and its base URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    lapor = Path(sys.executable).with_name("lapor")
    command = (
        [sys.executable, str(REPO / "benchmarks" / "naive_peer.py"), str(port), str(DEMO)]
        if peer
        else [str(lapor), "serve", "--port", str(port)]
    )
    server = subprocess.Popen(
        command,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v1/ready").status_code == 200:
                return server, f"http://127.0.0.1:{port}"
        except httpx.TransportError:
            pass
        if server.poll() is not None:
            raise SystemExit(f"the server exited with {server.returncode}")
        time.sleep(0.5)
    server.kill()
    raise SystemExit("the server did not become ready")


@contextmanager
def serving(database: str) -> Iterator[tuple[Server, Server, str, list[dict]]]:
    """`lapor serve` over a fresh, seeded SQLite store named ``database`` and the naive peer:
    each process with its base URL, a staff API key and request bodies; stopped on leaving."""
    with tempfile.TemporaryDirectory() as tmp:
        store_url = f"sqlite:///{Path(tmp) / database}"
        os.environ["LAPOR_DATABASE_URL"] = store_url
        key, bodies = prepare(store_url)
        server, base = start_server({**os.environ, "LAPOR_LOG_LEVEL": "WARNING"})
        peer, peer_base = start_server(dict(os.environ), peer=True)
        try:
            yield (server, base), (peer, peer_base), key, bodies
        finally:
            for process in (server, peer):
                process.terminate()
                process.wait(timeout=30)


class PeakRss:
    """Samples the server's resident memory in a thread."""

    def __init__(self, pid: int) -> None:
        self.process = psutil.Process(pid)
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.process.memory_info().rss)
            time.sleep(0.2)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


async def load(url: str, key: str, bodies: list[dict], clients: int, seconds: float) -> dict:
    latencies: list[float] = []
    errors = 0
    end = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    async def client(seed: int, session: httpx.AsyncClient) -> None:
        nonlocal errors
        rng = random.Random(seed)
        while time.perf_counter() < end:
            body = rng.choice(bodies)
            started = time.perf_counter()
            try:
                response = await session.post(url, json=body)
                ok = response.status_code == 200
            except httpx.HTTPError:
                ok = False
            latencies.append(time.perf_counter() - started)
            errors += not ok

    async with httpx.AsyncClient(headers={"X-API-Key": key}, limits=limits, timeout=30) as session:
        started = time.perf_counter()
        await asyncio.gather(*(client(i, session) for i in range(clients)))
        elapsed = time.perf_counter() - started
    ordered = sorted(latencies)
    return {
        "requests": len(latencies),
        "errors": errors,
        "rps": len(latencies) / elapsed,
        "p50": statistics.median(ordered) * 1000,
        "p99": ordered[int(0.99 * (len(ordered) - 1))] * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--concurrency", default="1,4,16")
    args = parser.parse_args()
    with serving("load.db") as (ours, peer, key, bodies):
        auth = {"X-API-Key": key}
        for _, base in (ours, peer):  # warm-up (caches, code paths)
            asyncio.run(load(f"{base}/api/v1/classify", key, bodies, 4, 5))
        print(f"POST /api/v1/classify, {args.seconds:.0f} s per level, {os.cpu_count()} cores")
        print(f"{'server':>12} {'clients':>7} {'requests':>9} {'req/s':>8} {'p50 ms':>8} "
              f"{'p99 ms':>8} {'errors':>7} {'batch':>6} {'RSS':>9}")  # fmt: skip
        for clients in (int(c) for c in args.concurrency.split(",")):
            results = {}
            for name, (server, base) in (("lapor-router", ours), ("naive peer", peer)):
                before = httpx.get(f"{base}/api/v1/metrics", headers=auth).text
                rss = PeakRss(server.pid)
                result = asyncio.run(load(f"{base}/api/v1/classify", key, bodies, clients,
                                          args.seconds))  # fmt: skip
                peak = rss.stop()
                after = httpx.get(f"{base}/api/v1/metrics", headers=auth).text
                results[name] = result
                print(
                    f"{name:>12} {clients:>7} {result['requests']:>9,} {result['rps']:>8.1f} "
                    f"{result['p50']:>8.1f} {result['p99']:>8.1f} {result['errors']:>7} "
                    f"{batch_sizes_between(before, after):>6} {peak / 2**20:>5.0f} MiB"
                )
            ratio = results["lapor-router"]["rps"] / results["naive peer"]["rps"]
            print(f"{'':>12} {clients:>7} lapor-router at {ratio:.2f}x the peer's requests/s")


def batch_sizes_between(before: str, after: str) -> str:
    """Mean reports per model call during one level (difference of the two scrapes)."""

    def totals(text: str) -> tuple[float, float]:
        found = {}
        for line in text.splitlines():
            if line.startswith(("lapor_model_batch_size_sum", "lapor_model_batch_size_count")):
                name, value = line.split()
                found[name.rsplit("_", 1)[1]] = float(value)
        return found.get("sum", 0.0), found.get("count", 0.0)

    (sum_a, count_a), (sum_b, count_b) = totals(before), totals(after)
    return f"{(sum_b - sum_a) / (count_b - count_a):.1f}" if count_b > count_a else "-"


if __name__ == "__main__":
    main()
