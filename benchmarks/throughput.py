"""End-to-end throughput: read -> pipeline -> SQLite store, on one core and with N workers.

Prints articles/s for one process and for ``--workers`` processes (and their ratio), the time
spent in each stage, the store write time, the peak RSS of each worker and the gazetteer's load
time. The targets (issue 9): 200 articles/s per core, N=2 at least 1.7x one, RSS < 600 MB per
worker, gazetteer load < 1.5 s. Both runs write to fresh temporary stores so neither sees the
other's documents. CPU time of the single run is printed too: on a shared machine it is the
fairer one-core figure.

    python3 benchmarks/throughput.py [--limit 5000] [--workers 2]
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
from itertools import islice
from pathlib import Path

from marsad.ingest.readers import read
from marsad.parallel import Stats, peak_rss_kb, process_local
from marsad.pipeline import DEFAULT_PIPELINE
from marsad.runner import Summary, build_pipeline
from marsad.store import open_store

CORPUS = (
    Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus" / "saudinewsnet" / "all-2015.jsonl.gz"
)
STAGES = list(DEFAULT_PIPELINE)
BATCH = 64  # store commit batch, as `marsad run` uses with workers


def gazetteer_load_seconds() -> float:
    """Load the gazetteer from its cache, as every worker does at start."""
    from marsad.entities import gazetteer

    gazetteer.load()  # build the cache first if it is stale, so the timed load is the usual one
    t0 = time.perf_counter()
    gazetteer.load()
    return time.perf_counter() - t0


def single(path: Path, limit: int | None, db: Path) -> tuple[int, float, float, dict[str, float], float]:
    """One process: articles, wall seconds, CPU seconds, stage seconds and store write seconds."""
    write = 0.0
    n = 0
    with open_store(db, batch_size=BATCH) as store:
        pipeline = build_pipeline(store)
        w0, c0 = time.perf_counter(), time.process_time()
        for doc in islice(read([str(path)]), limit):
            doc = pipeline(doc)
            t0 = time.perf_counter()
            store.write(doc)
            write += time.perf_counter() - t0
            n += 1
        t0 = time.perf_counter()
        store.flush()
        write += time.perf_counter() - t0
        wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    return n, wall, cpu, dict(pipeline.timings), write


def parallel(path: Path, limit: int | None, db: Path, workers: int) -> tuple[int, float, Stats]:
    """``workers`` spawned processes (pool start-up included in the wall time)."""
    stats = Stats()
    summary = Summary()
    with open_store(db, batch_size=BATCH) as store:
        w0 = time.perf_counter()
        for _ in process_local(islice(read([str(path)]), limit), store, summary, workers, stats):
            pass
        store.flush()
        wall = time.perf_counter() - w0
    return summary.read, wall, stats


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--input", type=Path, default=CORPUS)
    ap.add_argument("--limit", type=int, default=None, help="only the first N articles")
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    if not args.input.exists():
        raise SystemExit(f"corpus not found: {args.input}")

    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}"
    )
    print(f"gazetteer load (from cache): {gazetteer_load_seconds():.3f} s")
    with tempfile.TemporaryDirectory() as tmp:
        n, wall, cpu, timings, write = single(args.input, args.limit, Path(tmp) / "one.db")
        rate1 = n / wall
        print(
            f"\none process: {n:,} articles in {wall:.1f} s wall ({cpu:.1f} s CPU): "
            f"{rate1:,.0f} articles/s wall, {n / cpu:,.0f} articles/s per CPU second"
        )
        print(f"peak RSS: {peak_rss_kb() / 1024:,.0f} MB")
        print(f"{'stage':<10} {'total s':>8} {'ms/article':>11}")
        for name in STAGES:
            if name in timings:
                print(f"{name:<10} {timings[name]:8.2f} {1000 * timings[name] / n:11.3f}")
        print(f"{'store':<10} {write:8.2f} {1000 * write / n:11.3f}")
        rest = wall - sum(timings.values()) - write
        print(f"{'read+other':<10} {rest:8.2f} {1000 * rest / n:11.3f}")

        m, pwall, stats = parallel(args.input, args.limit, Path(tmp) / "par.db", args.workers)
        rate_n = m / pwall
        print(
            f"\n{args.workers} workers: {m:,} articles in {pwall:.1f} s: {rate_n:,.0f} articles/s, "
            f"{rate_n / rate1:.2f}x one process"
        )
        print(f"parent: dedup decisions and store writes {stats.write_seconds:.2f} s")
        print("workers, summed: " + ", ".join(f"{k} {v:.2f} s" for k, v in stats.timings.items()))
        for pid, rss in sorted(stats.rss_kb.items()):
            print(f"worker {pid}: peak RSS {rss / 1024:,.0f} MB")


if __name__ == "__main__":
    main()
