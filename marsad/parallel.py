"""Parallel runs: worker processes on one machine, or a Dask cluster, each with its own pipeline.

Dedup's decision needs one view of every article seen so far, in input order; everything else
does not. So a run goes in two steps per chunk of articles, and the parent (or the Dask client)
only decides:

1. a worker reads its chunk (a byte range of a plain JSONL file, read where the file is; other
   inputs are read by the parent and sent as records), checks in one query which records the
   store already holds, runs the cheap front stages and sends back each article's fingerprint
   (record key, text hash, MinHash signature, source id: some 300 bytes), keeping the articles;
2. the decider, taking chunks in input order, decides which records were read before, which
   articles copy earlier ones, which ids already name another text (:mod:`marsad.admission`)
   and sends the verdicts back; the worker codes the new articles and writes the chunk to the
   store (and to Parquet partitions) itself, in one transaction whose final decision sees what
   other runs wrote.

No article travels back, the decider does a dictionary lookup or two per article, and the writes
are spread over the workers: with N workers a run writes exactly what a run with one writes.
"""

from __future__ import annotations

import json
import os
import sys
import time
import traceback
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from itertools import islice, repeat
from pathlib import Path
from typing import Any

from marsad.admission import Admission
from marsad.document import Document
from marsad.extras import require
from marsad.ingest.identity import check_text, record_key
from marsad.runner import BACK, FRONT, Summary, build_pipeline, frozen_every

CHUNK = 64  # records per task when the parent reads them
RANGE_BYTES = 256 * 1024  # bytes per task when a worker reads a JSONL file itself (~70 articles)
# A Dask task costs the client and scheduler more than a local queue's message, and each chunk is
# one store transaction: 1 MB ranges (~280 articles) ran 6,000 articles of all-2015 in 10-20% less
# time than 256 KB ones on 2 workers, with half the client's CPU; 2 MB left a worker idle at the end.
# But a worker holds up to AHEAD chunks, coded ones among them: over the whole of all-2015 its peak
# RSS was 396-414 MB with 1 MB ranges and 332-337 MB with 512 KB ones (~140 articles), in the same
# time (docs/scale.md, "Dask workers under 400 MB").
DASK_RANGE_BYTES = 512 * 1024
AHEAD = 3  # chunks in flight per worker: one coding, one waiting for verdicts, one being read


def peak_rss_kb(pid: int | str = "self") -> int:
    """A process's own peak resident set in KiB, from /proc (``VmHWM``): unlike ``ru_maxrss``,
    not the peak of the parent it was forked from."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


# -- what a run tells its workers, and what travels ------------------------------------------------
@dataclass(frozen=True)
class RunConfig:
    """Everything a worker needs to read, code and write its chunks (sent once per worker)."""

    db: str | None = None  # the store the workers write to, if any
    out_parquet: str | None = None  # the folder the workers write Parquet partitions to, if any
    run: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    since: int = 0  # the store's commit sequence when the run's decider started
    published: date | None = None  # the date of records that carry none
    fields: dict[str, str] | None = None
    fmt: str | None = None


@dataclass(frozen=True)
class Range:
    """Lines of a plain JSONL file, read by the worker (see ``readers.jsonl_ranges``)."""

    path: str  # as the run was given it (documents name their source so)
    start: int
    end: int
    first_line: int
    open_as: str  # as workers find it: absolute, on storage every worker sees


Records = list[tuple]  # records the parent read, as ``_pack`` tuples
Part = Range | Records
# What the decider learns of one record: (record key, stored already, quarantine reason,
# text hash, MinHash signature, source id, id given, source, line, url).
Print = tuple
# Its verdict: None (skip: stored or read before) or (id, quarantine reason, duplicate of,
# duplicate details, drop the signature, "already stored under this id": True, or "run" when
# read before in this run).
Verdict = tuple | None


def _pack(doc: Document) -> tuple:
    """A record as read, without the clean text and offset map a fresh Document builds."""
    return (doc.id, doc.text, doc.source, doc.line, doc.url, doc.outlet, doc.title, doc.published,
            doc.quarantine, doc.meta)  # fmt: skip


def _unpack(t: tuple) -> Document:
    doc_id, text, source, line, url, outlet, title, published, quarantine, meta = t
    doc = Document(id=doc_id, text=text, source=source, line=line, url=url, outlet=outlet, title=title,
                   published=published, quarantine=quarantine)  # fmt: skip
    doc.meta.update(meta)
    return doc


def partitions(
    inputs: list[str],
    fields: dict[str, str] | None = None,
    fmt: str | None = None,
    chunk: int | None = None,
    range_bytes: int | None = None,
) -> Iterator[Part]:
    """The run's chunks in input order: byte ranges of plain JSONL files, else records read here
    (compressed or other formats, Parquet, standard input) in chunks of ``chunk``."""
    from marsad.ingest.readers import inputs_of, jsonl_ranges, read

    chunk, range_bytes = chunk or CHUNK, range_bytes or RANGE_BYTES
    for item in inputs:
        for path in [item] if is_parquet(item) else inputs_of([item]):
            ranges = None if is_parquet(path) else jsonl_ranges(path, range_bytes, fmt)
            if ranges is not None:
                for start, end, line in ranges:
                    yield Range(path, start, end, line, os.path.abspath(path))
                continue
            docs = iter(read_parquet(path) if is_parquet(path) else read([path], fields=fields, fmt=fmt))
            while batch := [_pack(d) for d in islice(docs, chunk)]:
                yield batch


# -- a worker ---------------------------------------------------------------------------------------
@dataclass
class Report:
    """What a worker says of one chunk once written."""

    summary: Summary
    timings: dict[str, float]
    write_seconds: float
    rss_kb: int
    pid: int
    documents: int


class Worker:
    """One worker process's pipelines, store connection and Parquet sink, kept across chunks."""

    def __init__(self, cfg: RunConfig) -> None:
        t0 = time.perf_counter()
        from marsad.store import open_store

        self.cfg = cfg
        prebuilt = sys.modules.get("marsad.prebuilt")  # forked from a server that built them
        if prebuilt is not None:
            self.front, self.back = prebuilt.FRONT_PIPELINE, prebuilt.BACK_PIPELINE
        else:
            self.front = build_pipeline(names=list(FRONT))
            self.back = build_pipeline(names=list(BACK))
        self.store = open_store(cfg.db, merge_on_read=False) if cfg.db else None
        # The final decisions of this worker's commits: against what other runs wrote since the
        # decider looked (documents of this run, the other workers', are not another run's).
        self.admission = Admission(self.store, run=cfg.run, since=cfg.since) if self.store else None
        prefix = f"{cfg.run}-{os.getpid()}"
        self.sink = ParquetSink(cfg.out_parquet, prefix=prefix) if cfg.out_parquet else None
        self.startup = time.perf_counter() - t0

    def read(self, part: Part) -> list[Document]:
        from marsad.ingest.readers import read_range

        if isinstance(part, Range):
            docs = list(
                read_range(
                    part.path, part.start, part.end, part.first_line, self.cfg.fields, open_as=part.open_as
                )
            )
        else:
            docs = [_unpack(t) for t in part]
        for doc in docs:
            if doc.published is None and self.cfg.published is not None:
                doc.published = self.cfg.published
            doc.meta.setdefault("source_id", doc.id)
            check_text(doc)
            doc.meta["record"] = record_key(doc)
        return docs

    def fingerprint(self, part: Part) -> tuple[list[Document], list[Print]]:
        """Read a chunk and run the front stages: the articles, and what the decider needs."""
        docs = self.read(part)
        stored = self.store.stored_records([d.meta["record"] for d in docs]) if self.store else set()
        prints = []
        for i, doc in enumerate(docs):
            was = doc.meta["record"] in stored
            if not was:
                docs[i] = doc = self.front(doc)
            m = doc.meta
            prints.append((m["record"], was, doc.quarantine, m.get("text_hash"), m.get("minhash"),
                           m.get("source_id"), bool(m.get("id_given")), doc.source, doc.line, doc.url))  # fmt: skip
        return docs, prints

    def code(self, docs: list[Document], verdicts: list[Verdict], seen: int) -> Report:
        """Apply the decider's verdicts to a chunk, code its new articles and write it."""
        before = {**self.front.timings, **self.back.timings}
        summary, out = Summary(), []
        for doc, verdict in frozen_every(zip(docs, verdicts, strict=True)):
            if verdict is None:  # stored or read before: the decider counted it
                continue
            doc_id, quarantine, duplicate_of, duplicate, drop_minhash, already = verdict
            doc.id = doc_id
            if quarantine is not None and doc.quarantine is None:
                doc.reject(quarantine)
            if duplicate_of is not None:
                doc.duplicate_of = duplicate_of
                doc.meta["duplicate"] = duplicate
            if drop_minhash:
                doc.meta.pop("minhash", None)
            if already:
                doc.meta["already"] = already
                summary.add(doc)
                continue
            n_front = len(doc.spans)
            doc = self.back(doc)
            doc.tokens = []
            if self.admission is not None:
                self.admission.expect(doc, seen, n_front)
            out.append(doc)
        t0 = time.perf_counter()
        done = self.store.write_many(out) if self.store is not None else out
        for doc in done:
            summary.add(doc)
            if self.sink is not None:
                self.sink.add(doc)
        seconds = time.perf_counter() - t0
        spent = {k: v - before.get(k, 0.0) for k, v in {**self.front.timings, **self.back.timings}.items()}
        return Report(summary, spent, seconds, peak_rss_kb(), os.getpid(), len(docs))

    def close(self) -> None:
        if self.sink is not None:
            self.sink.flush()
        if self.store is not None:
            self.store.close()


# -- the decider --------------------------------------------------------------------------------------
class Decider:
    """Early decisions for a parallel run, in input order, in the parent or the Dask client.

    Holds the run's dedup index (and reads the store only to see what others commit)."""

    def __init__(self, store: Any, cfg_run: str) -> None:
        self.admission = Admission(store, run=cfg_run, writes=False)
        self.store = store
        self.seconds = 0.0

    @property
    def seq(self) -> int:
        return self.admission.seq

    def decide(self, prints: list[Print], summary: Summary) -> tuple[list[Verdict], int]:
        t0 = time.perf_counter()
        admission = self.admission
        if self.store is not None:
            admission.refresh()
            admission.look_up(str(p[5]) for p in prints if p[6] and p[3] is not None)
        out: list[Verdict] = []
        for record, stored, quarantine, text_hash, minhash, source_id, given, source, line, url in prints:
            if stored or not admission.first_read(record):
                if stored:
                    summary.skipped += 1
                else:
                    summary.repeated += 1
                out.append(None)
                continue
            stub = Document(id=record, text="", source=source, line=line, url=url, quarantine=quarantine)
            stub.meta.update(record=record, source_id=source_id)
            if given:
                stub.meta["id_given"] = True
            if text_hash is not None:
                stub.meta["text_hash"] = text_hash
                stub.meta["minhash"] = minhash
                stub.id = text_hash
            admission.decide(stub)
            m = stub.meta
            out.append((stub.id, stub.quarantine, stub.duplicate_of, m.get("duplicate"),
                        minhash is not None and "minhash" not in m, m.get("already")))  # fmt: skip
        self.seconds += time.perf_counter() - t0
        return out, admission.seq


class Stats:
    """What a parallel run measured: stage seconds summed over workers, each worker's peak RSS
    and start-up, the store writes, and the decider's own time and peak RSS."""

    def __init__(self) -> None:
        self.timings: dict[str, float] = {}
        self.rss_kb: dict[int, int] = {}
        self.startup: dict[int, float] = {}
        self.write_seconds = 0.0
        self.decide_seconds = 0.0
        self.parent_rss_kb = 0
        self.all_ready = 0.0  # seconds from starting the workers until every one was ready

    def add(self, report: Report) -> None:
        for k, v in report.timings.items():
            self.timings[k] = self.timings.get(k, 0.0) + v
        self.rss_kb[report.pid] = max(report.rss_kb, self.rss_kb.get(report.pid, 0))
        self.write_seconds += report.write_seconds


def _begin(store: Any, options: dict[str, Any]) -> tuple[Decider, RunConfig]:
    """A new run: its decider (reading ``store``, or none) and what its workers are told;
    ``options`` are :class:`RunConfig`'s db, out_parquet, published, fields and fmt."""
    run = uuid.uuid4().hex[:12]
    decider = Decider(store, run)
    return decider, RunConfig(run=run, since=decider.seq, **options)


# -- processes on this machine ------------------------------------------------------------------------
def _serve(inbox: Any, outbox: Any, cfg: RunConfig, lifeline: Any) -> None:
    """A worker process: chunks in, fingerprints and reports out, until told to stop (or until
    the parent is gone: a killed run leaves no worker behind; what it had not committed, the
    next run does)."""
    import queue

    try:
        worker = Worker(cfg)
        outbox.put(("ready", os.getpid(), worker.startup))
        held: dict[int, list[Document]] = {}
        while True:
            try:
                msg = inbox.get(timeout=1.0)
            except queue.Empty:
                msg = False
            # The run's process holds the only writing end of ``lifeline`` and never writes: it
            # reads as ready once that process is gone (the parent process of a worker is the
            # fork server, which lives as long as its children do). Nobody reads the outbox
            # then: what is still buffered for it must not keep this process from exiting.
            if lifeline.poll():
                outbox.cancel_join_thread()
                return
            if msg is False:
                continue
            if msg is None:
                break
            kind, key, payload = msg
            if kind == "read":
                held[key], prints = worker.fingerprint(payload)
                outbox.put(("prints", key, prints))
            else:
                outbox.put(("done", key, worker.code(held.pop(key), *payload)))
        worker.close()
        outbox.put(("closed", os.getpid(), peak_rss_kb()))
    except BaseException:  # noqa: BLE001 - reported to the parent, which stops the run
        outbox.put(("error", os.getpid(), traceback.format_exc()))


class WorkerFailed(RuntimeError):
    """A worker process failed or died; what it had not committed is simply run again."""


def process_local(
    inputs: list[str],
    store: Any,
    summary: Summary,
    workers: int,
    stats: Stats | None = None,
    **options: Any,
) -> Iterator[None]:
    """Run over ``workers`` processes; yields once per record written, for a progress bar.
    ``store`` (the parent's connection to the workers' store, or None) is only read;
    ``options`` as :class:`RunConfig` (db, out_parquet, published, fields, fmt)."""
    import multiprocessing as mp
    import queue

    stats = stats if stats is not None else Stats()
    decider, cfg = _begin(store, options)
    fields, fmt = cfg.fields, cfg.fmt
    # Workers fork from a server that has imported marsad and built the pipelines once
    # (marsad.prebuilt); the server has no thread nor connection of the parent's to inherit.
    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(["marsad.prebuilt"])
    outbox = ctx.Queue()
    inboxes = [ctx.Queue() for _ in range(workers)]
    lifelines = [ctx.Pipe(duplex=False) for _ in range(workers)]
    procs = [
        ctx.Process(target=_serve, args=(inboxes[i], outbox, cfg, lifelines[i][0]), daemon=True)
        for i in range(workers)
    ]
    started = time.perf_counter()
    for p in procs:
        p.start()
    parts = enumerate(partitions(inputs, fields, fmt))
    owner: dict[int, int] = {}
    load = [0] * workers
    waiting: dict[int, list[Print]] = {}
    next_key, open_keys, exhausted = 0, 0, False

    def feed() -> None:
        nonlocal exhausted, open_keys
        while not exhausted and min(load) < AHEAD:
            item = next(parts, None)
            if item is None:
                exhausted = True
                return
            key, part = item
            w = load.index(min(load))
            owner[key], load[w] = w, load[w] + 1
            open_keys += 1
            inboxes[w].put(("read", key, part))

    def receive() -> tuple:
        while True:
            try:
                msg = outbox.get(timeout=1.0)
            except queue.Empty:
                dead = [p.pid for p in procs if not p.is_alive()]
                if dead:
                    raise WorkerFailed(f"worker process {dead[0]} died") from None
                continue
            if msg[0] == "error":
                raise WorkerFailed(f"worker process {msg[1]} failed:\n{msg[2]}")
            return msg

    try:
        feed()
        while open_keys:
            kind, key, payload = receive()
            if kind == "ready":
                stats.startup[key] = payload
                if len(stats.startup) == workers:
                    stats.all_ready = time.perf_counter() - started
            elif kind == "prints":
                waiting[key] = payload
                while next_key in waiting:
                    verdicts, seen = decider.decide(waiting.pop(next_key), summary)
                    inboxes[owner[next_key]].put(("code", next_key, (verdicts, seen)))
                    next_key += 1
            elif kind == "done":
                load[owner.pop(key)] -= 1
                open_keys -= 1
                summary.merge(payload.summary)
                stats.add(payload)
                feed()
                yield from repeat(None, payload.documents)
        for q in inboxes:
            q.put(None)
        for _ in procs:
            kind, pid, payload = receive()
            if kind == "closed":
                stats.rss_kb[pid] = max(payload, stats.rss_kb.get(pid, 0))
    finally:
        for _, alive in lifelines:
            alive.close()  # a worker still busy (the run failed) stops at its next idle second
        for p in procs:
            p.join(timeout=30)
            if p.is_alive():
                p.kill()
        stats.decide_seconds = decider.seconds
        stats.parent_rss_kb = peak_rss_kb()


# -- a Dask cluster ------------------------------------------------------------------------------------
def dask_client(scheduler: str | None, workers: int) -> Any:
    """A client for ``scheduler``, or for a new LocalCluster of ``workers`` processes.

    A client that started its own cluster shuts it down on ``close``.
    """
    Client = require("dask.distributed", "dask").Client

    if scheduler:
        return Client(scheduler)
    # Each worker builds its pipelines as it starts (``marsad.prebuilt``), as `dask worker
    # --preload marsad.prebuilt` does on a cluster, not inside the first task of a run; and its
    # statistical profiler (a stack sample every 10 ms) stays off: nobody reads it here.
    with require("dask", "dask").config.set({"distributed.worker.profile.enabled": False}):
        return Client(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            preload=["marsad.prebuilt"],
        )


_dask_workers: dict[str, Worker] = {}  # run id -> this Dask worker process's Worker


def _dask_worker(cfg: RunConfig) -> Worker:
    worker = _dask_workers.get(cfg.run)
    if worker is None:
        for old in list(_dask_workers):  # a worker left open by an interrupted run
            _dask_workers.pop(old).close()
        worker = _dask_workers[cfg.run] = Worker(cfg)
    return worker


def _dask_read(part: Part, cfg: RunConfig) -> tuple[str, list[Print], list[Document]]:
    """Task: a chunk read and fingerprinted; its articles stay in the worker's memory."""
    docs, prints = _dask_worker(cfg).fingerprint(part)
    return require("dask.distributed", "dask").get_worker().address, prints, docs


def _dask_prints(read: tuple[str, list[Print], list[Document]]) -> tuple[str, list[Print]]:
    """Task: the part of a read the client needs (the articles stay where they are)."""
    return read[0], read[1]


def _dask_code(
    read: tuple[str, list[Print], list[Document]], verdicts: list[Verdict], seen: int, cfg: RunConfig
) -> Report:
    return _dask_worker(cfg).code(read[2], verdicts, seen)


def _dask_close(run: str) -> tuple[int, int, float]:
    """Flush and close this worker process's part of a run: (pid, peak RSS KiB, start-up s)."""
    worker = _dask_workers.pop(run, None)
    startup = worker.startup if worker is not None else 0.0
    if worker is not None:
        worker.close()
    return os.getpid(), peak_rss_kb(), startup


class DaskSession:
    """One run over a Dask cluster that may take several inputs in turn (a daily job's days):
    one decider and its index, and workers that keep their pipelines, caches and store
    connections from one input to the next. Close it to flush and close the workers' parts."""

    def __init__(
        self,
        client: Any,
        store: Any,
        stats: Stats | None = None,
        **options: Any,
    ) -> None:
        self.client = client
        self.stats = stats if stats is not None else Stats()
        self.decider, self.cfg = _begin(store, options)
        self.keys = 0  # chunk keys go on from input to input

    def run(self, inputs: list[str], summary: Summary) -> Iterator[None]:
        """Each chunk read and fingerprinted on a worker, decided here, then coded and written by
        the worker that holds it. Yields once per record written."""
        as_completed = require("dask.distributed", "dask").as_completed
        client, cfg, decider, stats = self.client, self.cfg, self.decider, self.stats
        n_workers = max(1, len(client.scheduler_info().get("workers", {})))
        parts = enumerate(
            partitions(inputs, cfg.fields, cfg.fmt, range_bytes=DASK_RANGE_BYTES),
            start=self.keys,
        )
        reads: dict[int, Any] = {}
        kinds: dict[Any, tuple[str, int]] = {}
        waiting: dict[int, tuple[str, list[Print]]] = {}
        pending = as_completed()
        next_key, in_flight = self.keys, 0

        def feed() -> None:
            nonlocal in_flight
            while in_flight < AHEAD * n_workers:
                item = next(parts, None)
                if item is None:
                    return
                key, part = item
                self.keys = key + 1
                reads[key] = client.submit(_dask_read, part, cfg, pure=False)
                got = client.submit(_dask_prints, reads[key], pure=False)
                kinds[got] = ("prints", key)
                pending.add(got)
                in_flight += 1

        feed()
        for fut in pending:
            kind, key = kinds.pop(fut)
            if kind == "prints":
                waiting[key] = fut.result()
                while next_key in waiting:
                    where, prints = waiting.pop(next_key)
                    verdicts, seen = decider.decide(prints, summary)
                    # Coded where it was read: the articles never cross the network (Dask moves
                    # or recomputes them only if that worker is lost).
                    coded = client.submit(_dask_code, reads[next_key], verdicts, seen, cfg, pure=False,
                                          workers=[where], allow_other_workers=True)  # fmt: skip
                    kinds[coded] = ("code", next_key)
                    pending.add(coded)
                    next_key += 1
            else:
                report = fut.result()
                del reads[key]
                in_flight -= 1
                summary.merge(report.summary)
                stats.add(report)
                feed()
                yield from repeat(None, report.documents)

    def close(self) -> None:
        for pid, rss, startup in self.client.run(_dask_close, self.cfg.run).values():
            self.stats.rss_kb[pid] = max(rss, self.stats.rss_kb.get(pid, 0))
            if startup:
                self.stats.startup[pid] = startup
        self.stats.decide_seconds = self.decider.seconds
        self.stats.parent_rss_kb = peak_rss_kb()


def process_dask(
    inputs: list[str],
    store: Any,
    summary: Summary,
    client: Any,
    stats: Stats | None = None,
    **options: Any,
) -> Iterator[None]:
    """One input's run over a Dask cluster (see :class:`DaskSession`); yields once per record."""
    session = DaskSession(client, store, stats, **options)
    try:
        yield from session.run(inputs, summary)
    finally:
        session.close()


# -- Parquet in and out -------------------------------------------------------------------------------
PARQUET_COLUMNS = ("id", "text", "title", "published", "url", "outlet", "author")


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
            if isinstance(rec.get("author"), str) and rec["author"].strip():
                doc.meta["byline"] = rec["author"].strip()  # as from JSONL: the event model reads it
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

    This is the store-free way out of a run: workers on a cluster write partitions to shared
    storage, and ``marsad load`` later writes them into one store and merges. Partitions are
    written as the run goes, so memory stays bounded whatever the input size. Each row keeps the
    whole Document as JSON beside a few columns for querying the files directly. ``prefix``
    (a run and a process) keeps the files of workers writing into one folder apart."""

    def __init__(self, out_dir: str | Path, rows: int = 5_000, prefix: str = "") -> None:
        self.out = Path(out_dir)
        self.rows = rows
        self.prefix = f"{prefix}-" if prefix else ""
        self.part = 0
        self.buffer: list[dict[str, Any]] = []

    def add(self, doc: Document) -> None:
        doc.tokens, doc.matches = [], None
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
        while (self.out / f"documents-{self.prefix}{self.part:05d}.parquet").exists():
            self.part += 1  # a second run into the same folder adds partitions, never overwrites
        pq.write_table(
            pa.Table.from_pylist(self.buffer), self.out / f"documents-{self.prefix}{self.part:05d}.parquet"
        )
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
