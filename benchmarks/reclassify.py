"""Batch reclassification speed: throughput and peak memory (the whole process tree: main process
and workers) on 100k and 1M synthetic reports with the linear family, with the duplicate pass
(a pair scorer fitted on synthetic chains is registered, as `make run` does) and how many
reports it linked, of how many the generator wrote as repeats; and the Spark-local overhead
ratio (without duplicates, which Spark does not link); and beside the simplest batch script
(`naive_batch.py`: four pickled TF-IDF + LinearSVC pipelines predicting the same file), the wall
and CPU time of `lapor reclassify --no-duplicates`, median of three interleaved runs. Prints
figures; compare ratios (machines are shared and noisy).

    python benchmarks/reclassify.py [--sizes 100000 1000000] [--spark-size 100000]
                                    [--naive-sizes 20000 100000]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pandas as pd
import psutil
from naive_batch import fit_pipelines

from core.config import get_settings
from pipeline.bootstrap import ensure_duplicates_champion
from pipeline.ingest.containers import write_rows
from pipeline.sources import DataSpec
from pipeline.synth.generator import generate
from pipeline.train import TrainingSetup, train


def tree_rss(process: psutil.Process) -> int:
    total = 0
    for member in [process, *process.children(recursive=True)]:
        try:
            total += member.memory_info().rss
        except psutil.NoSuchProcess:
            continue
    return total


def run(command: list[str], env: dict[str, str]) -> tuple[float, int]:
    """(seconds, peak RSS of the process tree in bytes) of one command."""
    return run_timed(command, env)[:2]


def run_timed(command: list[str], env: dict[str, str]) -> tuple[float, int, float]:
    """(seconds, peak RSS of the process tree in bytes, CPU seconds of it) of one command."""
    cpu_before = _children_cpu()
    started = time.perf_counter()
    with tempfile.TemporaryFile() as errors:
        child = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=errors)
        code, peak = _wait_sampling(child)
        if code != 0:
            errors.seek(0)
            tail = errors.read().decode(errors="replace")[-3000:]
            raise SystemExit(f"{' '.join(command)} failed with exit code {code}:\n{tail}")
    return time.perf_counter() - started, peak, _children_cpu() - cpu_before


def _children_cpu() -> float:
    """CPU seconds of every finished child process so far (user + system)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def versus_naive(
    folder: Path, training: Path, uri: str, sizes: list[int], workers: int, env: dict[str, str]
) -> None:
    """`lapor reclassify --no-duplicates` beside the naive script on the same files: median wall
    and CPU seconds of three interleaved runs each, and the ratios."""
    pipelines = folder / "naive_pipelines.pkl"
    fit_pipelines(training, pipelines)
    naive = [sys.executable, str(Path(__file__).with_name("naive_batch.py")), str(pipelines)]
    lapor = [sys.executable, "-m", "cli", "reclassify"]
    for size in sizes:
        source = folder / f"naive_{size}.csv"
        write_rows(generate(size, seed=4), source)
        ours, theirs = [], []
        for trial in range(3):
            out = folder / f"ours_{size}_{trial}.parquet"
            ours.append(run_timed([*lapor, str(source), "--out", str(out), "--model", uri,
                                   "--workers", str(workers), "--no-duplicates"], env))  # fmt: skip
            theirs.append(run_timed([*naive, str(source), str(folder / "naive.parquet")], env))
        wall = statistics.median(r[0] for r in ours), statistics.median(r[0] for r in theirs)
        cpu = statistics.median(r[2] for r in ours), statistics.median(r[2] for r in theirs)
        print(
            f"{size:>9,} reports, --no-duplicates: lapor reclassify {wall[0]:6.1f} s wall, "
            f"{cpu[0]:6.1f} s CPU; naive script {wall[1]:6.1f} s wall, {cpu[1]:6.1f} s CPU; "
            f"ratio {wall[0] / wall[1]:.2f}x wall, {cpu[0] / cpu[1]:.2f}x CPU"
        )
        source.unlink()


def _wait_sampling(child: subprocess.Popen) -> tuple[int, int]:
    """The exit code and the peak RSS of the process tree, sampled while it runs."""
    process = psutil.Process(child.pid)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            try:
                peak = max(peak, tree_rss(process))
            except psutil.NoSuchProcess:
                return
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    code = child.wait()
    done.set()
    sampler.join()
    return code, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--spark-size", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=os.cpu_count())
    parser.add_argument("--naive-sizes", type=int, nargs="*", default=[20_000, 100_000])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        env = {**os.environ, "LAPOR_HOME": str(folder / "home")}
        os.environ.update(env)
        training = folder / "train.csv"
        write_rows(generate(5_000, seed=1), training)
        uri = train(
            DataSpec(training, "csv"), TrainingSetup.from_settings(get_settings())
        ).model_uri
        ensure_duplicates_champion()
        lapor = [sys.executable, "-m", "cli", "reclassify"]
        print(f"model {uri}, {args.workers} workers, {os.cpu_count()} cores")
        if args.naive_sizes:
            versus_naive(folder, training, uri, args.naive_sizes, args.workers, env)
        local_rates = {}
        for size in args.sizes:
            source = folder / f"backlog_{size}.csv"
            write_rows(generate(size, seed=2), source)
            repeats = int(
                pd.read_csv(source, usecols=["duplicate_of"])["duplicate_of"].notna().sum()
            )
            out = folder / f"out_{size}.parquet"
            seconds, peak = run(
                [*lapor, str(source), "--out", str(out), "--model", uri,
                 "--workers", str(args.workers)], env,
            )  # fmt: skip
            local_rates[size] = size / seconds
            links = pd.read_parquet(out, columns=["duplicates"])["duplicates"]
            print(
                f"local {size:>9,} reports: {seconds:7.1f} s = {size / seconds:7,.0f} reports/s, "
                f"peak memory {peak / 2**30:.2f} GiB; {int((links != '[]').sum()):,} reports "
                f"linked to an earlier one ({repeats:,} written as repeats)"
            )
            source.unlink()
        if args.spark_size:
            source = folder / "backlog_spark.csv"
            write_rows(generate(args.spark_size, seed=3), source)
            spark = run([*lapor, str(source), "--out", str(folder / "s.parquet"), "--model", uri,
                         "--engine", "spark"], env)  # fmt: skip
            local = run([*lapor, str(source), "--out", str(folder / "n.parquet"), "--model", uri,
                         "--workers", str(args.workers), "--no-duplicates"], env)  # fmt: skip
            print(
                f"spark local[*] {args.spark_size:,} reports: {spark[0]:.1f} s vs local engine "
                f"{local[0]:.1f} s = {spark[0] / local[0]:.1f}x overhead "
                f"(peak {spark[1] / 2**30:.2f} GiB incl. the JVM)"
            )


if __name__ == "__main__":
    main()
