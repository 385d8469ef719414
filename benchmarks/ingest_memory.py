"""Ingestion at scale: read -> clean -> language -> dedup over a whole corpus, with flat memory.

    python benchmarks/ingest_memory.py [CORPUS] [--limit 300]

CORPUS defaults to ../shared/corpus/saudinewsnet/all-2015.jsonl.gz (31,030 articles). Prints
articles/s, time per stage, counts (documents, duplicates, quarantined by reason), peak RSS and
the dedup index's bytes per article; exits non-zero if peak RSS passes the limit in MB. No
document is kept: each is dropped as soon as the stages are done with it, as in a real run.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from marsad.ingest.readers import read  # noqa: E402
from marsad.pipeline import Pipeline  # noqa: E402

DEFAULT = ROOT / ".." / "shared" / "corpus" / "saudinewsnet" / "all-2015.jsonl.gz"


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", nargs="?", default=str(DEFAULT))
    ap.add_argument("--limit", type=float, default=300.0, help="peak RSS limit in MB")
    args = ap.parse_args()

    pipe = Pipeline.from_names(["clean", "language", "dedup"])
    dedup = pipe.get("dedup")
    counts: Counter = Counter()
    reasons: Counter = Counter()
    rss_start = peak_rss_mb()
    t0 = time.perf_counter()
    read_time = 0.0
    docs = iter(read([args.corpus]))
    checkpoints = []
    while True:
        t = time.perf_counter()
        doc = next(docs, None)
        read_time += time.perf_counter() - t
        if doc is None:
            break
        doc = pipe(doc)
        counts["documents"] += 1
        if doc.quarantine:
            counts["quarantined"] += 1
            reasons[doc.quarantine.split(":", 1)[0]] += 1
        elif doc.duplicate_of:
            counts["duplicates"] += 1
        else:
            counts["kept"] += 1
        if counts["documents"] % 5000 == 0:
            checkpoints.append((counts["documents"], round(peak_rss_mb())))
        del doc
    elapsed = time.perf_counter() - t0
    n = counts["documents"]
    peak = peak_rss_mb()

    print(f"corpus      {args.corpus}")
    print(f"documents   {n:,} in {elapsed:.1f} s = {n / elapsed:,.0f} articles/s (one core)")
    print(f"per stage   read {read_time / n * 1e3:.3f} ms", end="")
    for name, secs in pipe.timings.items():
        print(f", {name} {secs / n * 1e3:.3f} ms", end="")
    print(" per article")
    print(f"kept        {counts['kept']:,}")
    print(f"duplicates  {counts['duplicates']:,}")
    print(f"quarantined {counts['quarantined']:,}  {dict(reasons.most_common())}")
    print(f"peak RSS    {peak:.0f} MB (at start {rss_start:.0f} MB); by articles read: {checkpoints}")
    index = dedup.nbytes()
    print(
        f"dedup index {index / 1e6:.1f} MB for {len(dedup):,} articles = {index / max(len(dedup), 1):,.0f} bytes/article"
    )
    if peak > args.limit:
        print(f"FAIL: peak RSS {peak:.0f} MB > {args.limit:.0f} MB")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
