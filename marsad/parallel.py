"""Parallel runs: a process pool on one machine, or a Dask cluster, with one pipeline per worker.

Workers run the whole pipeline except dedup's decision, which needs a single view of every
article seen so far: they compute each article's fingerprint (text hash and MinHash signature),
and the parent, reading the chunks back in input order, decides which articles are copies of
earlier ones and alone writes the store. A copy's own annotations are dropped, so a run with N
workers writes exactly what a run with one writes; the cost is coding the few copies for nothing.
"""

from __future__ import annotations

import json
import os
import resource
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from itertools import islice
from pathlib import Path
from typing import Any

from marsad.admission import Admission
from marsad.document import Document
from marsad.extras import require
from marsad.pipeline import Pipeline
from marsad.runner import BACK, FRONT, Summary, build_pipeline, flushed, written

CHUNK = 32  # documents per task: large enough to amortise pickling, small enough to balance

# (documents, spans each had before the back stages, stage seconds, peak RSS, pid)
ChunkResult = tuple[list[Document], list[int], dict[str, float], int, int]

_worker_pipelines: tuple[Pipeline, Pipeline] | None = None


def peak_rss_kb() -> int:
    """This process's peak resident set, in KiB (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _pipelines() -> tuple[Pipeline, Pipeline]:
    """The worker's front and back pipelines, built once per process and reused for every chunk."""
    global _worker_pipelines
    if _worker_pipelines is None:
        _worker_pipelines = (build_pipeline(names=list(FRONT)), build_pipeline(names=list(BACK)))
    return _worker_pipelines


def init_worker() -> None:
    """Pool initializer: pay the gazetteer and lexicon load before the first chunk arrives."""
    _pipelines()


def run_chunk(docs: list[Document]) -> ChunkResult:
    """Run every stage but dedup's decision on a chunk.

    Tokens are dropped before the documents travel back: the store does not keep them and they
    are most of what pickling would cost."""
    front, back = _pipelines()
    before = {**front.timings, **back.timings}
    out, n_front = [], []
    for doc in docs:
        doc = front(doc)
        n_front.append(len(doc.spans))
        doc = back(doc)
        doc.tokens = []
        out.append(doc)
    spent = {k: v - before.get(k, 0.0) for k, v in {**front.timings, **back.timings}.items()}
    return out, n_front, spent, peak_rss_kb(), os.getpid()


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


def _drain(
    results: Iterator[ChunkResult], admission: Admission, store: Any, summary: Summary, stats: Stats
) -> Iterator[Document]:
    """Decide duplicates and write each returned document in input order; yields what the store
    committed."""
    for out, n_front, spent, rss, pid in results:
        stats.add(spent, rss, pid)
        t0 = time.perf_counter()
        for doc, n in zip(out, n_front, strict=True):
            if not doc.rejected:
                doc = admission.decide(doc, n)
                if doc.rejected:  # as if it had stopped at dedup
                    del doc.spans[n:]
                    doc.events = []
            else:
                doc = admission.decide(doc)
            yield from written(doc, store, summary)
        stats.write_seconds += time.perf_counter() - t0
    yield from flushed(store, summary)


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
    admission = Admission(store)
    ctx = mp.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=ctx, initializer=init_worker) as pool:
        batches = chunks(admission.new_records(docs, summary), chunk)
        results = _ordered(lambda b: pool.submit(run_chunk, b), batches, window=workers * 4)
        yield from _drain(results, admission, store, summary, stats)


def dask_client(scheduler: str | None, workers: int) -> Any:
    """A client for ``scheduler``, or for a new LocalCluster of ``workers`` processes.

    A client that started its own cluster shuts it down on ``close``.
    """
    Client = require("dask.distributed", "dask").Client

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
    admission = Admission(store)
    window = max(2, 4 * len(client.scheduler_info().get("workers", {}) or [1]))
    batches = chunks(admission.new_records(docs, summary), chunk)
    results = _ordered(lambda b: client.submit(run_chunk, b, pure=False), batches, window)
    yield from _drain(results, admission, store, summary, stats)


# -- Parquet in and out ---------------------------------------------------------------------------
PARQUET_COLUMNS = ("id", "text", "title", "published", "url", "outlet")


def read_parquet(path: str | Path, batch_rows: int = 1024) -> Iterator[Document]:
    """Documents from a Parquet file or folder of files, streamed by record batches."""
    from marsad.ingest.readers import parse_date

    ds = require("pyarrow.dataset", "parquet")

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
            if rec.get("id"):
                doc.meta["id_given"] = True
            if not isinstance(rec.get("text"), str):
                doc.reject(f"missing text at {path}:{row}")
            yield doc


def is_parquet(path: str) -> bool:
    p = Path(path)
    if p.is_dir():
        return any(p.glob("*.parquet"))
    return p.suffix == ".parquet"


class ParquetSink:
    """Processed documents, events included, to numbered Parquet partitions of ``rows`` each.

    This is the store-free way out of a run: clients on a cluster write partitions to shared
    storage, and ``marsad load`` later writes them into one store and merges. Partitions are
    written as the run goes, so memory stays bounded whatever the input size. Each row keeps the
    whole Document as JSON beside a few columns for querying the files directly."""

    def __init__(self, out_dir: str | Path, rows: int = 5_000) -> None:
        self.out = Path(out_dir)
        self.rows = rows
        self.part = 0
        self.buffer: list[dict[str, Any]] = []

    def add(self, doc: Document) -> None:
        doc.tokens = []
        self.buffer.append(
            {
                "id": doc.id,
                "published": doc.published.isoformat() if doc.published else None,
                "state": "quarantined"
                if doc.quarantine
                else "duplicate"
                if doc.duplicate_of
                else "processed",
                "events": len(doc.events),
                "document": json.dumps(doc.to_dict(), ensure_ascii=False, default=str),
            }
        )
        if len(self.buffer) >= self.rows:
            self.flush()

    def flush(self) -> None:
        pa = require("pyarrow", "parquet")
        pq = require("pyarrow.parquet", "parquet")

        if not self.buffer:
            return
        self.out.mkdir(parents=True, exist_ok=True)
        while (self.out / f"documents-{self.part:05d}.parquet").exists():
            self.part += 1  # a second run into the same folder adds partitions, never overwrites
        pq.write_table(pa.Table.from_pylist(self.buffer), self.out / f"documents-{self.part:05d}.parquet")
        self.part += 1
        self.buffer = []


def load_parquet(path: str | Path) -> Iterator[Document]:
    """The documents that :class:`ParquetSink` wrote, partition by partition."""
    pq = require("pyarrow.parquet", "parquet")
    files = sorted(Path(path).glob("documents-*.parquet")) if Path(path).is_dir() else [Path(path)]
    for f in files:
        pf = pq.ParquetFile(f)
        for batch in pf.iter_batches(columns=["document"], batch_size=512):
            for raw in batch.column(0).to_pylist():
                yield Document.from_dict(json.loads(raw))
