"""The 10-million-a-day plan, measured: all-2015 replicated to 300,000+ articles, through Dask, into
PostgreSQL (or SQLite), then day after day with the API under load.

1. Writes the replicated corpus (``benchmarks/_replicate.py``: perturbed text and dates, one
   replica in ten a wire copy) as one JSONL file per publication day, as a feed lands.
2. Runs every day but the last ``--tail-days`` through the Dask path in one go (a LocalCluster of
   ``--workers`` processes, or ``--scheduler``): articles/s, then the first merge.
3. Starts the API on the store and measures GET /events alone, then runs each of the last days
   through Dask as the daily job would, merging after each (incrementally), while clients keep
   reading: per day the articles/s and the merge time, and the API's latency during the days.
4. Prints the store's size on disk (per table on PostgreSQL), the input's, the peak RSS of every
   process and the load average at each step. ``--json`` writes the figures for docs/scale.md.

    python benchmarks/replicated_run.py --db postgresql://marsad:marsad@localhost/marsad_bench \\
        --work /tmp/replicated --copies 10 --workers 2
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _replicate import CORPUS, write_days  # noqa: E402
from api_load import free_port, hammer, serve  # noqa: E402

from marsad.parallel import DaskSession, Stats, dask_client, peak_rss_kb  # noqa: E402
from marsad.runner import Summary  # noqa: E402
from marsad.store import open_store  # noqa: E402


def load() -> str:
    return "load average {:.2f}, {:.2f}, {:.2f}".format(*os.getloadavg())


def du(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def store_size(target: str) -> dict[str, int]:
    """Bytes on disk: the whole store, and its largest tables on PostgreSQL."""
    if "://" not in target:
        files = [Path(target + s) for s in ("", "-wal", "-shm")]
        return {"total": sum(f.stat().st_size for f in files if f.exists())}
    with open_store(target) as store:
        out = {"total": int(store.db.one("SELECT pg_database_size(current_database())")[0])}
        for name, size in store.db.query(
            "SELECT relname, pg_total_relation_size(c.oid) FROM pg_class c JOIN pg_namespace n"
            " ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r'"
            " ORDER BY 2 DESC LIMIT 8"
        ):
            out[name] = int(size)
    return out


def run_days(folders: list[Path], session: DaskSession) -> tuple[Summary, float]:
    summary = Summary()
    t0 = time.perf_counter()
    for _ in session.run([str(f) for f in folders], summary):
        pass
    return summary, time.perf_counter() - t0


def merge(db: str) -> tuple[dict, float]:
    t0 = time.perf_counter()
    with open_store(db) as store:
        counts = store.merge()
    return counts, time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", required=True, help="an empty store: postgresql:// URL or SQLite path")
    ap.add_argument("--work", type=Path, required=True, help="where the replicated input is written")
    ap.add_argument("--copies", type=int, default=10, help="the corpus and copies-1 replicas of it")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--scheduler", help="a Dask scheduler address (default: a LocalCluster)")
    ap.add_argument("--tail-days", type=int, default=7, help="days run one by one at the end")
    ap.add_argument("--api-seconds", type=float, default=30.0, help="API load alone, before the days")
    ap.add_argument("--limit", type=int, help="replicate only the corpus's first N articles (a quick look)")
    ap.add_argument("--json", type=Path, help="write the figures here too")
    args = ap.parse_args()

    figures: dict = {"started": time.strftime("%Y-%m-%d %H:%M:%S"), "load_start": load()}
    print(f"start {figures['started']}, {load()}")
    raw = args.work / "raw"
    if not raw.exists():
        t0 = time.perf_counter()
        counts = write_days(CORPUS, raw, args.copies, limit=args.limit)
        print(
            f"wrote {sum(counts.values()):,} articles in {len(counts)} day files ({time.perf_counter() - t0:.0f} s)"
        )
    days = sorted(p for p in raw.iterdir() if p.is_dir())
    articles = sum(1 for d in days for _ in (d / "part-0.jsonl").open("rb"))
    figures.update(articles=articles, days=len(days), input_bytes=du(raw))
    print(f"input: {articles:,} articles, {len(days)} days, {du(raw) / 1e9:.2f} GB of JSONL")
    with open_store(args.db) as store:
        if store.stats()["documents"]:
            raise SystemExit(f"{args.db} is not empty; give an empty store")

    c0 = time.perf_counter()
    client = dask_client(args.scheduler, args.workers)
    if not args.scheduler:
        client.wait_for_workers(args.workers)
    print(
        f"Dask: {len(client.scheduler_info()['workers'])} workers ready in {time.perf_counter() - c0:.1f} s"
    )
    head, tail = days[: -args.tail_days], days[-args.tail_days :]
    stats = Stats()
    # One run, one decider, the days in turn, as a daily service would keep them.
    decider_store = open_store(args.db)
    session = DaskSession(client, decider_store, stats, db=args.db)

    print(f"\nbulk: {len(head)} days through Dask ({load()})")
    summary, seconds = run_days(head, session)
    n = summary.read + summary.skipped + summary.repeated
    counts, merge_s = merge(args.db)
    figures["bulk"] = {
        "articles": n,
        "seconds": round(seconds, 1),
        "articles_per_s": round(n / seconds, 1),
        "summary": summary.to_dict(),
        "first_merge_s": round(merge_s, 1),
        "merge": counts,
        "load": load(),
    }
    print(
        f"  {n:,} articles in {seconds:,.0f} s: {n / seconds:,.0f} articles/s; {summary.duplicates:,} duplicates"
    )
    print(f"  first merge {merge_s:.1f} s: {counts}  ({load()})")

    port = free_port()
    server = serve(args.db, port)
    try:
        alone = hammer(port, args.api_seconds, 4, [])
        figures["api_alone"] = alone
        print(f"\nGET /events on the full store, alone: {alone}")
        stop = threading.Event()
        during_box: list[dict] = []
        reader = threading.Thread(target=lambda: during_box.append(hammer(port, 36_000, 4, [], stop)))
        reader.start()
        per_day = []
        for day in tail:
            summary, seconds = run_days([day], session)
            counts, merge_s = merge(args.db)
            n = summary.read + summary.skipped + summary.repeated
            row = {
                "day": day.name.removeprefix("date="),
                "articles": n,
                "seconds": round(seconds, 1),
                "articles_per_s": round(n / seconds, 1),
                "merge_s": round(merge_s, 2),
                "remerged": counts["remerged"],
                "load": load(),
            }
            per_day.append(row)
            print(f"  day {row['day']}: {row}")
        stop.set()
        reader.join()
        figures["days"] = per_day
        figures["api_during_days"] = during_box[0]
        print(f"GET /events while the days ran and merged: {during_box[0]}")
    finally:
        server.terminate()
        server.wait(timeout=30)
        session.close()
        decider_store.close()
        client.close()
    merges = [r["merge_s"] for r in per_day]
    figures["merge_per_day_s"] = {"median": statistics.median(merges), "max": max(merges)}
    figures["store_bytes"] = store_size(args.db)
    figures["rss_mb"] = {"client+scheduler": round(peak_rss_kb() / 1024)} | {
        f"worker {pid}": round(kb / 1024) for pid, kb in sorted(stats.rss_kb.items())
    }
    figures["worker_stage_seconds"] = {k: round(v, 1) for k, v in stats.timings.items()}
    figures["ended"] = time.strftime("%Y-%m-%d %H:%M:%S")
    figures["load_end"] = load()
    print(f"\nmerge per day: median {figures['merge_per_day_s']['median']:.2f} s, max {max(merges):.2f} s")
    print(f"store on disk: {figures['store_bytes']}")
    print(f"peak RSS MB: {figures['rss_mb']}")
    print(f"end {figures['ended']}, {load()}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
