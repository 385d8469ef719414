"""End-to-end throughput: read -> pipeline -> SQLite store, one process against workers and Dask.

The three ways of running are measured side by side on the same input (the corpus, or its first
``--limit`` articles, written once as plain JSONL so workers can read byte ranges of it), each in
its own fresh process and its own fresh store, one after the other in every round, with the load
average printed before each: on a shared machine only ratios taken together mean anything.
Prints, for each run, articles/s and the ratio to the one-process run of the same round, the
peak RSS of every process (``VmHWM`` from /proc, per process), the per-stage profile of the
one-process run, the start-up of a worker (interpreter to ready pipeline) and whether the three
stores hold the same events.

    python benchmarks/throughput.py [--limit 5000] [--workers 2] [--rounds 1] [--no-dask]
    python benchmarks/throughput.py --against /tmp/base --one-only --rounds 3

``--against`` runs the one-process run of another version too (a commit extracted to a folder:
``git archive <commit> | tar -x -C /tmp/base``), in the same rounds, taking turns with this one,
and prints both versions' per-stage times and this version's rate as a ratio to that one's. Both run this script's own child, which
codes with whatever API the version has, so any commit back to the first ``marsad.runner`` will do;
one older than the numpy MinHash (2026-11-30) imports ``datasketch``: install it somewhere and put
it on ``PYTHONPATH`` (``pip install --target /tmp/dsk datasketch``, then ``PYTHONPATH=/tmp/dsk``),
which both versions then see after their own source.

Beside the engines, each round runs as many independent one-process runs at once as there are
workers (``ceiling``): what the machine itself gives N processes that share nothing. On a virtual
machine whose CPUs slow each other down, that, not N, is the bound a parallel engine can reach.

Targets (issue 15): 2 workers >= 1.85x one process, Dask with 2 workers >= 1.7x, < 400 MB per
process, one process >= 600 articles/s on a quiet machine, start-up < 0.3 s.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / ".." / "shared" / "corpus" / "saudinewsnet" / "all-2015.jsonl.gz"
BATCH = 64  # store commit batch of the one-process run, as `marsad run` uses


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f}"


def prepare(src: Path, limit: int | None, out: Path) -> int:
    """The benchmark's input: ``limit`` records of ``src`` as plain JSONL; returns how many."""
    opener = gzip.open if src.suffix == ".gz" else open
    n = 0
    with opener(src, "rb") as fh, out.open("wb") as dst:
        for line in fh:
            if limit is not None and n >= limit:
                break
            if line.strip():
                dst.write(line if line.endswith(b"\n") else line + b"\n")
                n += 1
    return n


# -- one run, in a child process ------------------------------------------------------------------
def peak_rss_kb() -> int:
    """This process's peak resident set in KiB, from /proc (``VmHWM``): as ``marsad.parallel``'s,
    which the marsad of an earlier commit (``--against``) may not have."""
    with open("/proc/self/status", encoding="ascii") as fh:
        return next((int(line.split()[1]) for line in fh if line.startswith("VmHWM:")), 0)


def one_process(store, path: str, summary) -> dict[str, float]:
    """The one-process run of whichever marsad is on the path: this one codes with a ``Coder``
    (front stages, the early decision, the rest); older ones (``--against`` an earlier commit)
    with one pipeline. Returns the per-stage timings."""
    from marsad import runner
    from marsad.ingest.readers import read

    docs = runner.with_defaults(read([path]), None)
    if hasattr(runner, "Coder"):
        coder = runner.Coder(store)
        for _ in runner.process(docs, coder, store, summary):
            pass
        return {**coder.front.timings, **coder.back.timings}
    pipeline = runner.build_pipeline(store)
    for _ in runner.process(docs, pipeline, store, summary):
        pass
    return dict(pipeline.timings)


def child(engine: str, path: str, db: str, workers: int) -> dict:
    """Run one engine over ``path`` into a new store ``db``; what the parent prints, as a dict."""
    from marsad.runner import Summary
    from marsad.store import open_store

    summary, out = Summary(), {}
    stats = None
    with open_store(db, batch_size=BATCH) as store:
        if engine == "one":
            t0, c0 = time.perf_counter(), time.process_time()
            out["stages"] = one_process(store, path, summary)
            store.flush()
            out["cpu"] = time.process_time() - c0
        elif engine == "workers":
            from marsad.parallel import Stats, process_local

            stats = Stats()
            t0 = time.perf_counter()
            for _ in process_local([path], store, summary, workers, stats, db=db):
                pass
        else:
            from marsad.parallel import Stats, dask_client, process_dask

            stats = Stats()
            c0 = time.perf_counter()
            client = dask_client(None, workers)
            client.wait_for_workers(workers)
            out["cluster_start"] = time.perf_counter() - c0
            t0 = time.perf_counter()
            for _ in process_dask([path], store, summary, client, stats, db=db):
                pass
        out["seconds"] = time.perf_counter() - t0
        m0 = time.perf_counter()
        out["merge"] = store.merge()
        out["merge_seconds"] = time.perf_counter() - m0
        events = sorted(
            json.dumps(e, sort_keys=True, ensure_ascii=False, default=str) for e in store.events()
        )
        out["events_digest"] = hashlib.sha256("\n".join(events).encode()).hexdigest()[:16]
        if engine == "dask":
            client.close()
    out.update(
        summary=summary.to_dict(),
        articles=summary.read + summary.skipped + getattr(summary, "repeated", 0),  # none in old runs
        rss_mb={"parent": round(peak_rss_kb() / 1024)},
    )
    if stats is not None:
        out["rss_mb"] |= {f"worker {pid}": round(kb / 1024) for pid, kb in sorted(stats.rss_kb.items())}
        out.update(
            startup=sorted(round(s, 3) for s in stats.startup.values()),
            all_ready=round(stats.all_ready, 2),
            decide_seconds=round(stats.decide_seconds, 2),
            write_seconds=round(stats.write_seconds, 2),
            worker_stages=stats.timings,
        )
    return out


# -- what the machine did meanwhile ----------------------------------------------------------------
TICK = os.sysconf("SC_CLK_TCK")


def machine_busy() -> float:
    """CPU seconds all processes on the machine have used since boot (idle and iowait left out)."""
    with open("/proc/stat", encoding="ascii") as fh:
        ticks = [int(x) for x in fh.readline().split()[1:9]]
    return (sum(ticks) - ticks[3] - ticks[4]) / TICK


def tree_cpu(root: int, seen: dict[int, float]) -> None:
    """Update ``seen`` with the CPU seconds (user + system) of ``root`` and every process below it."""
    parent, cpu = {}, {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat", encoding="ascii", errors="replace") as fh:
                    fields = fh.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parent[int(name)] = int(fields[1])
            cpu[int(name)] = (int(fields[11]) + int(fields[12])) / TICK
    mine, todo = {root}, [root]
    while todo:
        pid = todo.pop()
        kids = [p for p, pp in parent.items() if pp == pid and p not in mine]
        mine.update(kids)
        todo.extend(kids)
    for pid in mine & cpu.keys():
        seen[pid] = max(seen.get(pid, 0.0), cpu[pid])


def version_env(checkout: Path, cache: Path | None = None) -> dict[str, str]:
    """The environment of a process running the marsad of ``checkout``; ``cache``: its own
    gazetteer cache (two versions sharing one would rebuild it in turn, inside the timing)."""
    extra = os.environ.get("PYTHONPATH")  # what an older version needs and this one lacks
    env = {**os.environ, "PYTHONPATH": str(checkout) + (os.pathsep + extra if extra else "")}
    if cache is not None:
        env["MARSAD_CACHE"] = str(cache)
    return env


def run_child(
    engine: str, path: Path, db: Path, workers: int, checkout: Path = ROOT, cache: Path | None = None
) -> dict:
    """One run in a fresh process, with the marsad of ``checkout`` (this one by default) run by
    this script's ``child``; besides its own figures, the CPU its processes used (sampled from /proc
    every 0.2 s) and the CPU every other process on the machine used meanwhile."""
    script = ROOT / "benchmarks" / "throughput.py"
    cmd = [sys.executable, str(script), "--child", engine, "--input", str(path), "--db", str(db)]
    cmd += ["--workers", str(workers)]
    env = version_env(checkout, cache)
    t0, busy0, seen = time.perf_counter(), machine_busy(), {}
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, text=True, env=env, cwd=checkout)
        while proc.poll() is None:
            tree_cpu(proc.pid, seen)
            time.sleep(0.2)
        wall, busy = time.perf_counter() - t0, machine_busy() - busy0
        out.seek(0), err.seek(0)
        if proc.returncode != 0:
            raise SystemExit(f"{engine} run failed:\n{err.read()[-3000:]}")
        res = json.loads(out.read().strip().splitlines()[-1])
    ours = sum(seen.values())
    res.update(tree_cpu=ours, wall=wall, others_cores=max(0.0, busy - ours) / wall)
    return res


def startup_seconds(repeat: int = 3) -> float:
    """Wall time of a fresh interpreter that imports marsad and builds a worker's pipelines."""
    code = "from marsad.parallel import RunConfig, Worker; Worker(RunConfig(None, None))"
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--input", type=Path, default=CORPUS)
    ap.add_argument("--limit", type=int, default=None, help="only the first N articles")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=1, help="interleaved rounds of the three runs")
    ap.add_argument("--no-dask", action="store_true")
    ap.add_argument("--one-only", action="store_true", help="only the one-process run")
    ap.add_argument("--against", type=Path, help="a checkout of another version, run one-process too")
    ap.add_argument("--child", choices=("one", "workers", "dask"), help=argparse.SUPPRESS)
    ap.add_argument("--db", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(args.child, str(args.input), args.db, args.workers), default=str))
        return
    if not args.input.exists():
        raise SystemExit(f"corpus not found: {args.input}")

    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    print(f"start: {time.strftime('%Y-%m-%d %H:%M:%S')}, {load()}")
    print(f"worker start-up (fresh interpreter to ready pipelines, median of 3): {startup_seconds():.3f} s")
    engines = ["one"] if args.one_only else ["one", "workers"] + ([] if args.no_dask else ["dask"])
    against = args.against.resolve() if args.against else None
    if against is not None and args.one_only:
        engines = []  # the comparison's own one-process runs are this version's
    if against is not None and not (against / "marsad" / "runner.py").exists():
        raise SystemExit(f"not a checkout of marsad: {against}")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "input.jsonl"
        n = prepare(args.input, args.limit, path)
        print(f"input: {n:,} articles of {args.input.name}, as plain JSONL")
        digests, rates, cpu_used = set(), {e: [] for e in engines}, {e: [] for e in engines}
        versus: list[tuple[float, float]] = []
        ceilings: list[float] = []
        for r in range(args.rounds):
            if against is not None:
                versus.append(compare(against, path, Path(tmp), r))
            base = None
            for engine in engines:
                before = load()
                res = run_child(engine, path, Path(tmp) / f"{engine}-{r}.db", args.workers)
                rate = res["articles"] / res["seconds"]
                base = rate if engine == "one" else base
                rates[engine].append(rate / base)
                digests.add(res["events_digest"])
                label = "one process" if engine == "one" else f"{args.workers} {engine}"
                extra = (
                    f" (cluster started in {res['cluster_start']:.1f} s, not counted)"
                    if engine == "dask"
                    else ""
                )
                print(
                    f"\n[round {r + 1}] {label}: {res['articles']:,} articles in {res['seconds']:.1f} s:"
                    f" {rate:,.0f} articles/s, {rate / base:.2f}x one process{extra}  ({before})"
                )
                print(f"  peak RSS (VmHWM) MB: {res['rss_mb']}")
                print(
                    f"  CPU of the run's processes {res['tree_cpu']:.1f} s in {res['wall']:.1f} s"
                    f" (start-up included); other processes used {res['others_cores']:.2f} of the"
                    f" {os.cpu_count()} CPUs meanwhile"
                )
                cpu_used[engine].append(res["tree_cpu"])
                print(
                    f"  merge {res['merge_seconds']:.2f} s: {res['merge']['after']:,} events from"
                    f" {res['merge']['before']:,} reports; {res['summary']['duplicates']:,} duplicates"
                )
                if engine == "one":
                    print(
                        f"  CPU {res['cpu']:.1f} s: {res['articles'] / res['cpu']:,.0f} articles per CPU second"
                    )
                    print_stages(res)
                else:
                    ready = f", all ready {res['all_ready']} s after start" if engine == "workers" else ""
                    print(
                        f"  decider {res['decide_seconds']:.2f} s, store writes in the workers"
                        f" {res['write_seconds']:.2f} s, worker start-up {res['startup']} s{ready}"
                    )
            if base is not None and len(engines) > 1:
                ceilings.append(ceiling(path, Path(tmp), args.workers, r, base))
        print(f"\nend: {time.strftime('%Y-%m-%d %H:%M:%S')}, {load()}")
        if ceilings:
            print(
                f"ceiling: {args.workers} independent one-process runs at once give a median"
                f" {statistics.median(ceilings):.2f}x the articles/s of one alone"
            )
        for engine in engines[1:]:
            ratio = statistics.median(rates[engine])
            of_ceiling = f", {ratio / statistics.median(ceilings):.0%} of the ceiling" if ceilings else ""
            print(f"{engine}: median ratio to one process {ratio:.2f}x{of_ceiling}")
            # Not a measurement of speed: what the ratio would be with every worker on a CPU of
            # its own and nothing else running, if the CPU each run used stayed the same.
            share = statistics.median(cpu_used["one"]) / statistics.median(cpu_used[engine])
            print(
                f"  CPU of one process / CPU of {engine}: {share:.2f}; with {args.workers} idle CPUs"
                f" at most {args.workers * share:.2f}x (derived, not measured)"
            )
        if digests:
            print(f"same events in every run: {'yes' if len(digests) == 1 else 'NO'}")
        if versus:
            print(
                f"this version against {against} (one process): median ratio"
                f" {statistics.median(v[0] for v in versus):.2f}x articles/s,"
                f" {statistics.median(v[1] for v in versus):.2f}x articles per CPU second"
            )


def print_stages(res: dict) -> None:
    """The per-stage wall time of a one-process run, and what is left of its wall time (the
    store, reading, the early decision, the collector) as "store+read"."""
    stages = res["stages"]
    print(f"  {'stage':<10} {'total s':>8} {'ms/article':>11}")
    for name, secs in stages.items():
        print(f"  {name:<10} {secs:8.2f} {1000 * secs / res['articles']:11.3f}")
    rest = res["seconds"] - sum(stages.values())
    print(f"  {'store+read':<10} {rest:8.2f} {1000 * rest / res['articles']:11.3f}")


def ceiling(path: Path, tmp: Path, n: int, r: int, base: float) -> float:
    """``n`` one-process runs at once, each on the whole input into its own store: their summed
    articles/s over ``base`` (one alone, this round). Nothing is shared, so what keeps it under
    ``n`` is the machine: CPUs that slow each other down, memory bandwidth, other load."""
    before = load()
    with ThreadPoolExecutor(n) as pool:
        runs = list(pool.map(lambda k: run_child("one", path, tmp / f"ceiling-{r}-{k}.db", 1), range(n)))
    total = sum(res["articles"] / res["seconds"] for res in runs)
    per_cpu = [round(res["articles"] / res["cpu"]) for res in runs]
    print(
        f"\n[round {r + 1}] {n} one-process runs at once: {total:,.0f} articles/s together,"
        f" {total / base:.2f}x one alone; articles per CPU second {per_cpu}  ({before})"
    )
    return total / base


def compare(against: Path, path: Path, tmp: Path, r: int) -> tuple[float, float]:
    """One process of ``against`` and of this version, taking turns (which goes first alternates
    by round); prints both and returns this version's rate over that one's, in articles per
    second and per CPU second."""
    order = [(against, "other"), (ROOT, "this")]
    rates, per_cpu = {}, {}
    for checkout, who in order if r % 2 == 0 else order[::-1]:
        cache = tmp / f"cache-{who}"
        if r == 0:  # each version's gazetteer cache built once, before any timing
            code = "from marsad.entities.gazetteer import get; get()"
            env = version_env(checkout, cache)
            subprocess.run([sys.executable, "-c", code], env=env, cwd=checkout, check=True)
        before = load()
        res = run_child("one", path, tmp / f"{who}-{r}.db", 1, checkout, cache)
        rates[who] = res["articles"] / res["seconds"]
        per_cpu[who] = res["articles"] / res["cpu"]
        print(
            f"\n[round {r + 1}] one process, {who} version ({checkout}): {res['articles']:,} articles in"
            f" {res['seconds']:.1f} s: {rates[who]:,.0f} articles/s, CPU {res['cpu']:.1f} s,"
            f" events {res['events_digest']}  ({before})"
        )
        print_stages(res)
    ratio = rates["this"] / rates["other"]
    cpu = per_cpu["this"] / per_cpu["other"]
    print(
        f"[round {r + 1}] this version / other: {ratio:.2f}x articles/s, {cpu:.2f}x articles per CPU second"
    )
    return ratio, cpu


if __name__ == "__main__":
    main()
