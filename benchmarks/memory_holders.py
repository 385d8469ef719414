"""What holds a process's memory: one process codes the corpus (or its first ``--limit`` articles)
into a new SQLite store with tracemalloc on, then prints the live Python allocations by the line
that made them (largest first), the peak RSS (``VmHWM``) and the RSS after building the pipelines.

    python benchmarks/memory_holders.py [--limit 5000] [--top 20]

tracemalloc slows the run about twofold and adds its own bookkeeping to the RSS: read the RSS
figures of ``benchmarks/throughput.py`` for the target (< 400 MB per process), and this one for
where the bytes are.
"""

from __future__ import annotations

import argparse
import gzip
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / ".." / "shared" / "corpus" / "saudinewsnet" / "all-2015.jsonl.gz"


def vm(field: str) -> int:
    """A field of /proc/self/status in MB (VmRSS, VmHWM)."""
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1]) // 1024
    return 0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--input", type=Path, default=CORPUS)
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--top", type=int, default=20)
    args = ap.parse_args()

    tracemalloc.start()
    from marsad.ingest.readers import read
    from marsad.runner import Coder, Summary, process, with_defaults
    from marsad.store import open_store

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "input.jsonl"
        opener = gzip.open if args.input.suffix == ".gz" else open
        with opener(args.input, "rb") as src, path.open("wb") as dst:
            for n, line in enumerate(src):
                if args.limit is not None and n >= args.limit:
                    break
                dst.write(line)
        with open_store(str(Path(tmp) / "store.db"), batch_size=64) as store:
            coder = Coder(store)
            built, traced_built = vm("VmRSS"), tracemalloc.get_traced_memory()[0] >> 20
            t0, summary = time.perf_counter(), Summary()
            for _ in process(with_defaults(read([str(path)]), None), coder, store, summary):
                pass
            seconds = time.perf_counter() - t0
            snap = tracemalloc.take_snapshot()
    stats = snap.statistics("lineno")
    total = sum(s.size for s in stats)
    n = summary.read + summary.skipped + summary.repeated
    print(f"{n:,} articles in {seconds:.0f} s (tracemalloc on)")
    print(
        f"RSS after building the pipelines {built} MB (traced {traced_built} MB); peak RSS {vm('VmHWM')} MB"
    )
    print(f"live Python allocations at the end: {total >> 20} MB; the largest by the line that made them:")
    for s in stats[: args.top]:
        frame = s.traceback[0]
        where = f"{Path(frame.filename).relative_to(ROOT) if frame.filename.startswith(str(ROOT)) else frame.filename}"
        print(f"  {s.size / 2**20:7.1f} MB {s.count:>9,} blocks  {where}:{frame.lineno}")


if __name__ == "__main__":
    main()
