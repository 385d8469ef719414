"""How fast the store is, apart from the stages before it.

``python benchmarks/store_speed.py CORPUS.jsonl [--db TARGET] [--batch N] [--limit N]`` runs the
pipeline once over the corpus into memory, then times, on a fresh store: writing document by
document, writing in batches, ``seen``, the merge, and a JSONL export. ``TARGET`` is a SQLite
path (default: a temporary file) or a ``postgresql://`` URL whose tables are emptied first.
"""

from __future__ import annotations

import argparse
import io
import os
import tempfile
import time
from itertools import islice

from marsad.store import open_store
from marsad.store.export import export

_TABLES = ("event_members", "events", "control_changes", "duplicates", "quarantine", "documents")


def _fresh_store(target: str, batch: int):
    if not target.startswith(("postgresql://", "postgres://")) and os.path.exists(target):
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(target + suffix):
                os.remove(target + suffix)
    store = open_store(target, batch_size=batch)
    if store.db.kind == "postgres":
        with store.db.transaction():
            for table in _TABLES:
                store.db.execute(f"DELETE FROM {table}")
    return store


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus")
    ap.add_argument("--db", default=None)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--limit", type=int, default=None)
    args = ap.parse_args(argv)

    from marsad.ingest.readers import read
    from marsad.runner import build_pipeline

    pipeline = build_pipeline()
    docs = [pipeline(d) for d in islice(read([args.corpus]), args.limit)]
    n = len(docs)
    print(
        f"{n} documents, {sum(len(d.events) for d in docs)} events, {sum(len(d.spans) for d in docs)} spans"
    )
    target = args.db or os.path.join(tempfile.mkdtemp(prefix="marsad-bench-"), "bench.db")

    for batch in (1, args.batch):
        with _fresh_store(target, batch) as store:
            t0 = time.perf_counter()
            for doc in docs:
                store.write(doc)
            store.flush()
            ms = (time.perf_counter() - t0) / n * 1000
            print(f"{store.db.kind} write, batch {batch}: {ms:.3f} ms/document")
    with open_store(target) as store:
        t0 = time.perf_counter()
        assert all(store.seen(d.id) for d in docs)
        print(f"seen: {(time.perf_counter() - t0) / n * 1000:.3f} ms/document")
        t0 = time.perf_counter()
        counts = store.merge()
        print(f"merge: {time.perf_counter() - t0:.2f} s {counts}")
        t0 = time.perf_counter()
        written = export(store, "jsonl", io.StringIO())
        print(f"jsonl export: {written} events in {time.perf_counter() - t0:.2f} s")


if __name__ == "__main__":
    main()
