"""Parallel runs: a process pool on one machine, or a Dask cluster, with one pipeline per worker.

Dedup needs a single view of every article seen so far, so the parent runs the cheap front of
the pipeline (clean, language, dedup) and ships chunks of documents to workers for the costly
rest (tokens .. events). Chunks come back in input order and the parent alone writes the store,
so a run with N workers writes exactly what a run with one writes.
"""

from __future__ import annotations

import json
import os
import resource
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from dataclasses import asdict
from itertools import islice
from pathlib import Path
from typing import Any

from marsad.document import Document
from marsad.pipeline import DEFAULT_PIPELINE, Pipeline
from marsad.runner import Summary, build_pipeline

# Stages that must see every document in order; they stay in the parent.
FRONT = ("clean", "language", "dedup")
BACK = tuple(n for n in DEFAULT_PIPELINE if n not in FRONT)
CHUNK = 32  # documents per task: large enough to amortise pickling, small enough to balance

ChunkResult = tuple[list[Document], dict[str, float], int, int]

_worker_pipeline: Pipeline | None = None


def peak_rss_kb() -> int:
    """This process's peak resident set, in KiB (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _pipeline() -> Pipeline:
    """The worker's back pipeline, built once per process and reused for every chunk."""
    global _worker_pipeline
    if _worker_pipeline is None:
        _worker_pipeline = build_pipeline(names=list(BACK))
    return _worker_pipeline


def init_worker() -> None:
    """Pool initializer: pay the gazetteer and lexicon load before the first chunk arrives."""
    _pipeline()


def run_chunk(docs: list[Document]) -> ChunkResult:
    """Run the back stages on a chunk; returns the documents, stage seconds, peak RSS and pid."""
    pipe = _pipeline()
    before = dict(pipe.timings)
    out = [pipe(doc) for doc in docs]
    spent = {k: v - before.get(k, 0.0) for k, v in pipe.timings.items()}
    return out, spent, peak_rss_kb(), os.getpid()


def chunks(docs: Iterable[Document], size: int = CHUNK) -> Iterator[list[Document]]:
    it = iter(docs)
    while batch := list(islice(it, size)):
        yield batch


class Stats:
    """What the workers report: summed stage seconds and the peak RSS of each worker."""

    def __init__(self) -> None:
        self.timings: dict[str, float] = {}
        self.rss_kb: dict[int, int] = {}
        self.write_seconds = 0.0

    def add(self, spent: dict[str, float], rss_kb: int, pid: int) -> None:
        for k, v in spent.items():
            self.timings[k] = self.timings.get(k, 0.0) + v
        self.rss_kb[pid] = max(rss_kb, self.rss_kb.get(pid, 0))


def _front(docs: Iterable[Document], front: Pipeline, store: Any, summary: Summary) -> Iterator[Document]:
    """Skip documents already stored and run the ordered front stages, in the parent."""
    sent: set[str] = set()  # ids in flight are not in the store yet, but a re-read must skip
    for doc in docs:
        if doc.id in sent or (store is not None and store.seen(doc.id)):
            summary.skipped += 1
            continue
        sent.add(doc.id)
        yield front(doc)


def _ordered(
    submit: Callable[[list[Document]], Future], batches: Iterator[list[Document]], window: int
) -> Iterator[ChunkResult]:
    """Keep ``window`` chunks in flight and yield their results in submission order."""
    pending: list[Future] = []
    for batch in batches:
        pending.append(submit(batch))
        if len(pending) >= window:
            yield pending.pop(0).result()
    while pending:
        yield pending.pop(0).result()


def _drain(results: Iterator[ChunkResult], store: Any, summary: Summary, stats: Stats) -> Iterator[Document]:
    """Write each returned document in order; yields after each write for the progress bar."""
    for out, spent, rss, pid in results:
        stats.add(spent, rss, pid)
        t0 = time.perf_counter()
        for doc in out:
            if store is not None:
                store.write(doc)
            summary.add(doc)
            yield doc
        stats.write_seconds += time.perf_counter() - t0


def process_local(
    docs: Iterable[Document],
    store: Any,
    summary: Summary,
    workers: int,
    stats: Stats | None = None,
    chunk: int = CHUNK,
) -> Iterator[Document]:
    """Run with a pool of ``workers`` spawned processes; same output as :func:`runner.process`."""
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    stats = stats if stats is not None else Stats()
    front = build_pipeline(store, names=list(FRONT))
    ctx = mp.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=ctx, initializer=init_worker) as pool:
        batches = chunks(_front(docs, front, store, summary), chunk)
        results = _ordered(lambda b: pool.submit(run_chunk, b), batches, window=workers * 4)
        yield from _drain(results, store, summary, stats)
    stats.timings.update({k: stats.timings.get(k, 0.0) + v for k, v in front.timings.items()})


def dask_client(scheduler: str | None, workers: int) -> Any:
    """A client for ``scheduler``, or for a new LocalCluster of ``workers`` processes.

    A client that started its own cluster shuts it down on ``close``.
    """
    from dask.distributed import Client

    if scheduler:
        return Client(scheduler)
    return Client(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)


def process_dask(
    docs: Iterable[Document],
    store: Any,
    summary: Summary,
    client: Any,
    stats: Stats | None = None,
    chunk: int = CHUNK,
) -> Iterator[Document]:
    """Run the back stages as Dask tasks; the client keeps dedup and the store writes."""
    stats = stats if stats is not None else Stats()
    front = build_pipeline(store, names=list(FRONT))
    window = max(2, 4 * len(client.scheduler_info().get("workers", {}) or [1]))
    batches = chunks(_front(docs, front, store, summary), chunk)
    results = _ordered(lambda b: client.submit(run_chunk, b, pure=False), batches, window)
    yield from _drain(results, store, summary, stats)
    stats.timings.update({k: stats.timings.get(k, 0.0) + v for k, v in front.timings.items()})


# -- Parquet in and out ---------------------------------------------------------------------------
PARQUET_COLUMNS = ("id", "text", "title", "published", "url", "outlet")


def read_parquet(path: str | Path, batch_rows: int = 1024) -> Iterator[Document]:
    """Documents from a Parquet file or folder of files, streamed by record batches."""
    import pyarrow.dataset as ds

    from marsad.ingest.readers import parse_date

    dataset = ds.dataset(str(path), format="parquet")
    names = [c for c in PARQUET_COLUMNS if c in dataset.schema.names]
    row = 0
    for batch in dataset.to_batches(columns=names, batch_size=batch_rows):
        for rec in batch.to_pylist():
            row += 1
            doc = Document(
                id=str(rec.get("id") or f"{Path(path).stem}:{row}"),
                text=rec.get("text") or "",
                source=str(path),
                line=row,
                url=rec.get("url") or None,
                outlet=rec.get("outlet") or None,
                title=rec.get("title") or None,
                published=parse_date(rec.get("published")),
            )
            doc.meta["format"] = "parquet"
            if not isinstance(rec.get("text"), str):
                doc.reject(f"missing text at {path}:{row}")
            yield doc


def is_parquet(path: str) -> bool:
    p = Path(path)
    if p.is_dir():
        return any(p.glob("*.parquet"))
    return p.suffix == ".parquet"


class ParquetSink:
    """Events to numbered Parquet partitions of ``rows`` events each, for a later merge to load.

    Partitions are written as the run goes, so memory stays bounded whatever the input size.
    """

    def __init__(self, out_dir: str | Path, rows: int = 50_000) -> None:
        self.out = Path(out_dir)
        self.rows = rows
        self.part = 0
        self.buffer: list[dict[str, Any]] = []

    def add(self, doc: Document) -> None:
        for ev in doc.events:
            ev.ensure_id()
            self.buffer.append({k: _plain(v) for k, v in asdict(ev).items()} | {"doc_id": doc.id})
        if len(self.buffer) >= self.rows:
            self.flush()

    def flush(self) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        if not self.buffer:
            return
        self.out.mkdir(parents=True, exist_ok=True)
        pq.write_table(pa.Table.from_pylist(self.buffer), self.out / f"events-{self.part:05d}.parquet")
        self.part += 1
        self.buffer = []


def _plain(value: Any) -> Any:
    """Parquet wants flat scalars; nested values (evidence, arguments) go as JSON text."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return json.dumps(value, ensure_ascii=False, default=str)
