"""The main job: readers -> pipeline -> store, with progress and a summary.

Like datatrove's blocks, reading, processing and writing are separate pieces; this module only
wires them and keeps the counts an analyst wants at the end of a run.
"""

from __future__ import annotations

import gc
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date

from marsad.document import Document
from marsad.pipeline import Pipeline


@dataclass
class Summary:
    """What a run did; every rejected article is counted, none vanishes."""

    read: int = 0
    processed: int = 0
    skipped: int = 0  # already in the store from an earlier run
    duplicates: int = 0
    quarantined: Counter = field(default_factory=Counter)
    events: Counter = field(default_factory=Counter)
    undated: int = 0  # coded without a publication date: relative dates left empty
    seconds: float = 0.0

    @property
    def quarantined_total(self) -> int:
        return sum(self.quarantined.values())

    def add(self, doc: Document) -> None:
        self.read += 1
        if doc.quarantine is not None:
            self.quarantined[reason_kind(doc.quarantine)] += 1
        elif doc.duplicate_of is not None:
            self.duplicates += 1
        else:
            self.processed += 1
            self.undated += doc.published is None
            for ev in doc.events:
                self.events[ev.sub_event_type] += 1

    def to_dict(self) -> dict:
        return {
            "read": self.read,
            "processed": self.processed,
            "skipped_already_stored": self.skipped,
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


def build_pipeline(
    store=None, names: list[str] | None = None, config: dict[str, dict] | None = None
) -> Pipeline:
    """The default pipeline; dedup sees the signatures of earlier runs in the same store.

    ``config`` passes options to components: ``{"events": {"model": "rules"}}`` codes with the
    rules alone."""
    config = dict(config or {})
    if store is not None:
        config["dedup"] = {"signatures": store.signatures()}
    pipeline = Pipeline.from_names(names, config)
    quiet_gc()
    return pipeline


def quiet_gc() -> None:
    """Keep the cyclic garbage collector off the long-lived indexes.

    The gazetteer, lexicons and caches are hundreds of thousands of objects that live for the
    whole run; without freezing them every full collection walks them all again, and the many
    small spans and tokens of each article trigger collections often."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)


def process(docs: Iterable[Document], pipeline: Pipeline, store, summary: Summary) -> Iterator[Document]:
    """Run each new document through the pipeline and write it; yields after each write."""
    for doc in docs:
        if store is not None and store.seen(doc.id):
            summary.skipped += 1
            yield doc
            continue
        doc = pipeline(doc)
        if store is not None:
            store.write(doc)
        summary.add(doc)
        yield doc


def progress_iter(items: Iterator[Document], enabled: bool) -> Iterator[Document]:
    """A rich progress bar with articles/s when stderr is a terminal."""
    if not enabled:
        yield from items
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


def is_terminal() -> bool:
    return sys.stderr.isatty()
