"""GET /events latency on a full store, alone and while a `marsad run` writes into the same store.

Starts the API on 127.0.0.1 (a free port, the read rate limit lifted for the test), asks for
pages of merged events as the map page does (a date window, a bounding box or a type, 100 a
page, sometimes further pages) from a few client threads, and prints p50, p90, p99 and the
worst latency. Bounded: ``--seconds`` per phase, and the concurrent run stops after
``--run-limit`` articles. Phases: the store alone, then during a concurrent run of new
articles (the corpus again, perturbed as by ``benchmarks/_replicate.py``), which merges
incrementally at its end while the reads go on. With ``--merge-day DAY`` the second phase is
instead an incremental merge of the reports of the documents read from the ``date=DAY`` folder
(``benchmarks/merge_speed.py``; it writes the store: use a copy).

    python benchmarks/api_load.py --db all2015.db [--seconds 60] [--run-limit 3000] [--workers 2]
    python benchmarks/api_load.py --db postgresql://.../copy --merge-day 2015-08-11

Target (issue 15): p99 < 200 ms during the run.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _replicate import CORPUS, write_replicas  # noqa: E402

HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def serve(db: str, port: int) -> subprocess.Popen:
    """The API over ``db`` on 127.0.0.1:port, in its own process, reads not rate-limited."""
    code = (
        "import sys, uvicorn; from marsad.api.app import create_app;"
        " uvicorn.run(create_app(sys.argv[1], reads_per_minute=10**9), host=sys.argv[2],"
        " port=int(sys.argv[3]), log_level='warning')"
    )
    proc = subprocess.Popen([sys.executable, "-c", code, db, HOST, str(port)])
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://{HOST}:{port}/events?limit=1", timeout=5).read()
            return proc
        except (urllib.error.URLError, ConnectionError):
            if proc.poll() is not None:
                raise SystemExit("the API server did not start") from None
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("the API server did not answer within 120 s")


def queries(rng: random.Random, days: list[str]) -> str:
    """One request as the map page makes them: a month around a day, Syria, a type, a page."""
    params = {"limit": "100"}
    pick = rng.random()
    if days and pick < 0.5:
        day = rng.choice(days)
        params["date_from"] = day[:8] + "01"
        params["date_to"] = day
    elif pick < 0.75:
        params["bbox"] = "35.5,32.3,42.4,37.4"
    else:
        params["sub_event_type"] = rng.choice(
            ["Armed clash", "Air/drone strike", "Shelling/artillery/missile attack"]
        )
    if rng.random() < 0.2:
        params["offset"] = str(100 * rng.randrange(1, 20))
    return "/events?" + "&".join(f"{k}={urllib.request.quote(v)}" for k, v in params.items())


def hammer(
    port: int, seconds: float, threads: int, days: list[str], stop: threading.Event | None = None
) -> dict:
    """Requests from ``threads`` clients for ``seconds`` (or until ``stop``); latency figures."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    end = time.monotonic() + seconds

    def client(seed: int) -> None:
        rng = random.Random(seed)
        while time.monotonic() < end and not (stop and stop.is_set()):
            url = f"http://{HOST}:{port}{queries(rng, days)}"
            t0 = time.perf_counter()
            try:
                urllib.request.urlopen(url, timeout=30).read()
                ok = True
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                ok = False
            dt = time.perf_counter() - t0
            with lock:
                if ok:
                    latencies.append(dt)
                else:
                    errors[0] += 1

    pool = [threading.Thread(target=client, args=(i,)) for i in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return figures(latencies, errors[0])


def figures(latencies: list[float], errors: int) -> dict:
    if not latencies:
        return {"requests": 0, "errors": errors}
    q = statistics.quantiles(latencies, n=100, method="inclusive")
    return {
        "requests": len(latencies),
        "errors": errors,
        "p50_ms": round(1000 * q[49], 1),
        "p90_ms": round(1000 * q[89], 1),
        "p99_ms": round(1000 * q[98], 1),
        "max_ms": round(1000 * max(latencies), 1),
    }


def event_days(port: int) -> list[str]:
    body = json.loads(urllib.request.urlopen(f"http://{HOST}:{port}/events?limit=1000", timeout=60).read())
    return sorted({e["event_date"] for e in body.get("events", []) if e.get("event_date")})


def load() -> str:
    return "load average {:.2f}, {:.2f}, {:.2f}".format(*os.getloadavg())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", required=True, help="a full store (SQLite path or postgresql:// URL)")
    ap.add_argument("--seconds", type=float, default=60.0, help="bound of each phase")
    ap.add_argument("--threads", type=int, default=4, help="concurrent API clients")
    ap.add_argument("--run-limit", type=int, default=3000, help="articles the concurrent run writes")
    ap.add_argument("--workers", type=int, default=1, help="--workers of the concurrent run")
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--merge-day", help="during the reads, merge this day's reports instead of a run")
    args = ap.parse_args()

    port = free_port()
    server = serve(args.db, port)
    try:
        days = event_days(port)
        print(f"store {args.db}: API on {HOST}:{port}; {load()}")
        alone = hammer(port, args.seconds, args.threads, days)
        print(f"GET /events, store alone ({args.threads} clients, {args.seconds:.0f} s): {alone}")
        with tempfile.TemporaryDirectory() as tmp:
            new = Path(tmp) / "new.jsonl"
            write_replicas(
                args.corpus, new, copies=2, limit=args.run_limit, only_replicas=True, seed=os.getpid()
            )
            cmd = [
                sys.executable,
                "-m",
                "marsad.cli",
                "run",
                str(new),
                "--db",
                args.db,
                "--workers",
                str(args.workers),
            ]
            what = f"`marsad run` of {args.run_limit:,} new articles"
            if args.merge_day:
                merge = Path(__file__).resolve().parent / "merge_speed.py"
                cmd = [sys.executable, str(merge), "--db", args.db, "--day", args.merge_day, "--no-full"]
                what = f"the incremental merge of {args.merge_day}'s reports"
            before = load()
            t0 = time.perf_counter()
            out = subprocess.PIPE if args.merge_day else subprocess.DEVNULL  # a few lines, or none
            run = subprocess.Popen(cmd, stdout=out, stderr=subprocess.PIPE, text=True)
            stop = threading.Event()
            waiter = threading.Thread(target=lambda: (run.wait(), stop.set()))
            waiter.start()
            during = hammer(port, 10 * args.seconds, args.threads, days, stop)
            waiter.join()
            seconds = time.perf_counter() - t0
            if run.returncode != 0:
                raise SystemExit(f"the concurrent run failed:\n{run.stderr.read()[-2000:]}")
            if args.merge_day:
                print(run.stdout.read().strip())
        rate = "" if args.merge_day else f"{args.run_limit / seconds:,.0f} articles/s, "
        print(f"GET /events during {what} ({rate}{seconds:.0f} s, merge included; {before}): {during}")
        print(f"end: {load()}")
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
