"""The main job: readers -> pipeline -> store, with progress and a summary.

Like datatrove's blocks, reading, processing and writing are separate pieces; this module only
wires them and keeps the counts an analyst wants at the end of a run.
"""

from __future__ import annotations

import gc
import sys
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import TypeVar

from marsad.admission import Admission
from marsad.document import Document
from marsad.pipeline import DEFAULT_PIPELINE, Pipeline, gc_paused

T = TypeVar("T")


@dataclass
class Summary:
    """What a run did; every rejected article is counted, none vanishes."""

    read: int = 0
    processed: int = 0
    skipped: int = 0  # already in the store from an earlier run
    repeated: int = 0  # read before in this run: the same text under the same id (or URL)
    duplicates: int = 0
    quarantined: Counter = field(default_factory=Counter)
    events: Counter = field(default_factory=Counter)
    undated: int = 0  # coded without a publication date: relative dates left empty
    seconds: float = 0.0

    @property
    def quarantined_total(self) -> int:
        return sum(self.quarantined.values())

    def add(self, doc: Document) -> None:
        # "already": True if the store held this text under this record's id, "run" if this run
        # read it before
        already = doc.meta.get("already")
        if already == "run":
            self.repeated += 1
            return
        if already:
            self.skipped += 1
            return
        self.read += 1
        if doc.quarantine is not None:
            self.quarantined[reason_kind(doc.quarantine)] += 1
        elif doc.duplicate_of is not None:
            self.duplicates += 1
        else:
            self.processed += 1
            self.undated += doc.published is None
            # Imported when a run first counts: a run that writes has opened its store by then,
            # and building a pipeline needs none of it (the store's modules and orjson: 13 ms).
            from marsad.store.store import distinct_events

            for ev, _ in distinct_events(doc.events):  # as the store counts them
                self.events[ev.sub_event_type] += 1

    def merge(self, other: Summary) -> None:
        """Add the counts of another part of the run (a worker's chunk)."""
        self.read += other.read
        self.processed += other.processed
        self.skipped += other.skipped
        self.repeated += other.repeated
        self.duplicates += other.duplicates
        self.quarantined.update(other.quarantined)
        self.events.update(other.events)
        self.undated += other.undated

    def to_dict(self) -> dict:
        return {
            "read": self.read,
            "processed": self.processed,
            "skipped_already_stored": self.skipped,
            "repeated_in_run": self.repeated,
            "duplicates": self.duplicates,
            "quarantined": dict(self.quarantined),
            "events": dict(self.events),
            "undated": self.undated,
            "seconds": round(self.seconds, 2),
        }


def reason_kind(reason: str) -> str:
    """The category of a quarantine reason: "malformed JSON at f.jsonl:12: ..." -> "malformed JSON"."""
    return reason.split(":", 1)[0].split(" at ", 1)[0].strip()


def with_defaults(docs: Iterable[Document], published: date | None) -> Iterator[Document]:
    """Give documents that carry no date the run's ``--published`` date."""
    for doc in docs:
        if doc.published is None and published is not None:
            doc.published = published
        yield doc


# A run's two halves: the cheap front ends with dedup's order-free half (``fingerprint``, which
# also keys the document by its content); then dedup's decision (marsad.admission); then the rest.
FRONT = ("clean", "language", "fingerprint")
BACK = tuple(n for n in DEFAULT_PIPELINE if n not in ("clean", "language", "dedup"))


class Coder:
    """One record's whole way in a run or the API: front stages, the early decision, the rest.

    The store makes the final decision when it commits (see :mod:`marsad.admission`)."""

    def __init__(self, store=None) -> None:
        with long_lived():
            self.admission = Admission(store)
            self.front = Pipeline.from_names(list(FRONT))
            self.back = Pipeline.from_names(list(BACK))

    def __call__(self, doc: Document) -> Document:
        return self.back(self.admission.decide(self.front(doc)))


def build_pipeline(
    store=None, names: list[str] | None = None, config: dict[str, dict] | None = None
) -> Pipeline:
    """The default pipeline; dedup sees the signatures of earlier runs in the same store.

    ``config`` passes options to components: ``{"events": {"model": "rules"}}`` codes with the
    rules alone."""
    config = dict(config or {})
    if store is not None:
        config["dedup"] = {"signatures": store.signatures()}
    with long_lived():
        return Pipeline.from_names(names, config)


@contextmanager
def long_lived() -> Iterator[None]:
    """Build what lives for the whole run with the collector off, and freeze it before the
    collector comes back on.

    The gazetteer, lexicons and caches are hundreds of thousands of objects that live for the
    whole run: frozen, no collection walks them again, however often the many small spans and
    tokens of each article trigger one; switched back on before the freeze, the collector's next
    allocation would start a full collection over everything just built (0.04-0.09 s of a 0.5 s
    start-up). No collection first: the build leaves no cyclic garbage (a full collection after
    it freed 0 objects and cost 0.1 s)."""
    with gc_paused():
        try:
            yield
        finally:
            gc.freeze()  # still paused: the collector comes back on only over frozen objects
            gc.set_threshold(50_000, 20, 100)


# Articles between two freezes of what lives (:func:`frozen_every`): few enough that the
# collector's young generation (50,000 objects, ``long_lived``) rarely fills in between.
FREEZE_EVERY = 32


def frozen_every(items: Iterable[T], every: int = FREEZE_EVERY) -> Iterator[T]:
    """``items``, with the objects alive frozen out of the cyclic collector every ``every`` items.

    What outlives an article is long-lived (the word cache and its matcher hits, the store's
    batch), and coding makes no cyclic garbage: every young collection over the first 5,000
    articles of all-2015 freed 0 objects, yet walked the new cache entries, 4% of a run's CPU.
    Objects frozen are still freed by their reference counts."""
    for n, item in enumerate(items, 1):
        yield item
        if n % every == 0:
            gc.freeze()


def process(docs: Iterable[Document], coder: Coder, store, summary: Summary) -> Iterator[Document]:
    """Run each new record through the pipeline and write it; yields each document once the
    store has committed it, in its final state, without its tokens and matches (:func:`spent`)."""
    for doc in frozen_every(coder.admission.new_records(docs, summary)):
        yield from written(spent(coder(doc)), store, summary)
    yield from flushed(store, summary)


def spent(doc: Document) -> Document:
    """``doc`` without its tokens and matches, which no one reads once the stages are done.

    Freed at once, while they are still in the CPU's caches, the few thousand objects cost a
    quarter of what they cost a batch later, when the store and the reader let the document go
    (35 against 160 us an article, timed in one process)."""
    doc.tokens, doc.matches = [], None
    return doc


def written(doc: Document, store, summary: Summary) -> Iterator[Document]:
    """Hand a document to the store (if any) and count what it committed."""
    for done in store.write(doc) if store is not None else [doc]:
        summary.add(done)
        yield done


def flushed(store, summary: Summary) -> Iterator[Document]:
    """Commit and count what the store still holds in its batch."""
    for done in store.flush() if store is not None else []:
        summary.add(done)
        yield done


def progress_iter(
    items: Iterator[Document], enabled: bool, summary: Summary | None = None, every: float = 10.0
) -> Iterator[Document]:
    """A rich progress bar with articles/s when stderr is a terminal; otherwise (a cron job, a CI
    log) a plain line on stderr every ``every`` seconds, so that a long run shows it is alive."""
    if not enabled:
        yield from _progress_lines(items, summary, every)
        return
    from rich.progress import MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    columns = [
        SpinnerColumn(),
        TextColumn("[bold]marsad run"),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]} articles/s"),
        TimeElapsedColumn(),
    ]
    with Progress(*columns, transient=False) as bar:
        task = bar.add_task("run", total=None, rate="-")
        for n, item in enumerate(items, 1):
            yield item
            elapsed = bar.tasks[0].elapsed or 1e-9
            bar.update(task, advance=1, rate=f"{n / elapsed:,.0f}")


def _progress_lines(items: Iterator[Document], summary: Summary | None, every: float) -> Iterator[Document]:
    start = last = time.monotonic()
    n = 0
    for n, item in enumerate(items, 1):  # noqa: B007 - n is read after the loop too
        yield item
        now = time.monotonic()
        if now - last >= every:
            last = now
            sys.stderr.write(_progress_line(n, now - start, summary) + "\n")
            sys.stderr.flush()
    if every <= 0 or time.monotonic() - start >= every:
        sys.stderr.write(_progress_line(n, time.monotonic() - start, summary) + " (done)\n")


def _progress_line(n: int, seconds: float, summary: Summary | None) -> str:
    line = f"marsad: {n:,} articles in {seconds:,.0f} s ({n / max(seconds, 1e-9):,.0f}/s)"
    if summary is not None:
        line += (
            f", {summary.skipped:,} already stored, {summary.repeated:,} repeated, {summary.duplicates:,} duplicates,"
            f" {summary.quarantined_total:,} quarantined"
        )
    return line


def is_terminal() -> bool:
    return sys.stderr.isatty()
