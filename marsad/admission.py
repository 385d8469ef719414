"""What each record read becomes: new document, copy, already stored, or quarantined.

Decided twice, in input order. First early, right after the cheap front stages (clean,
language, fingerprint), against what this run has seen and what the store held when it last
looked: a copy or a stored record then skips the costly stages. Then finally, by the store,
inside the write transaction that holds the writers' lock: there the store shows everything
every writer has committed, so two runs at once over one store decide as if they had run one
after the other, on SQLite and PostgreSQL alike. An early copy is final (a stored document is
never removed); only an early "new" can turn out, at commit, to be a copy of what another run
wrote meanwhile, or to carry an id that run gave to another text.

What a run decides against its own records (a second text under an id it already read, the same
text and id again) it decides early, in input order: so a parallel run, whose workers write
side by side, ends exactly as one process does. Its decider (the parent, or a Dask client)
holds the index and decides; each worker's store makes the final decision against what other
runs wrote, told by the run id each document is stored with (``writes=False`` on the decider,
:meth:`Admission.expect` in the worker).
"""

from __future__ import annotations

import itertools
import time
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from typing import Any

from marsad.document import Document
from marsad.ingest.dedup import Dedup
from marsad.ingest.identity import check_text, record_key, tag, where

LOOK_EVERY = 0.5  # seconds between the early decision's looks at what other runs committed
# Records read ahead and looked up in the store together (which it holds, which texts their given
# ids name): one query a chunk instead of two an article, as a store's write batch.
LOOK_AHEAD = 64


class Admission:
    """Early and final decisions for one run (or one API server) over one store, or none.

    ``run`` names the run (its workers' documents are not another run's); ``writes=False``
    makes only early decisions (a parallel run's decider, whose workers write); ``since`` starts
    the index at that commit sequence (a worker, which only checks what others commit)."""

    def __init__(
        self,
        store: Any = None,
        dedup: Dedup | None = None,
        *,
        run: str | None = None,
        writes: bool = True,
        since: int = 0,
    ) -> None:
        self.store = store
        self.dedup = dedup if dedup is not None else Dedup()
        self.run = run
        self.writes = writes
        self.seq = since  # the store's commit sequence up to which ``dedup`` holds every signature
        self._key_seqs: list[int] = []  # the commit sequence of each signature indexed from the store
        self._sent: set[str] = set()  # records handed on by this run
        self._early: dict[int, tuple[int, int | None]] = {}  # id(doc) -> (index size, front spans)
        self._became: dict[str, str | None] = {}  # an early "new" that became a copy -> its original
        self._names: dict[str, str] = {}  # given id -> content key, of this run's documents and copies
        self._tags: dict[str, str] = {}  # content key -> tag, of this run's first copies
        self._looked = 0.0  # when the early decision last read the store's new signatures
        self._looked_up: dict[str, Any] = {}  # given id -> what the store held, read for a chunk
        if store is not None:
            self.refresh()
            if writes:
                store.admission = self
                store.run = run

    # -- before any stage --------------------------------------------------------------------
    def new_records(self, docs: Iterable[Document], summary: Any) -> Iterator[Document]:
        """The records not already stored nor read before in this run; refuses unstorable text.

        Read :data:`LOOK_AHEAD` at a time: the store says in one query which of them it holds and
        in another which texts their given ids name (for :meth:`decide`). Only this run writes in
        between, and its own records and ids are known without the store; what another run
        commits meanwhile the store's final decision sees."""
        docs = iter(docs)
        while chunk := list(itertools.islice(docs, LOOK_AHEAD)):
            for doc in chunk:
                doc.meta.setdefault("source_id", doc.id)
                check_text(doc)
                doc.meta.setdefault("record", record_key(doc))
            stored: set[str] = set()
            if self.store is not None:
                stored = self.store.stored_records(
                    [d.meta["record"] for d in chunk if d.meta["record"] not in self._sent]
                )
                # A quarantined record's id may be what no query can carry (a lone surrogate).
                self.look_up(
                    str(d.meta["source_id"]) for d in chunk if d.meta.get("id_given") and d.quarantine is None
                )
            for doc in chunk:
                record = doc.meta["record"]
                if record in self._sent:
                    summary.repeated += 1
                    continue
                if record in stored:
                    summary.skipped += 1
                    continue
                self._sent.add(record)
                if doc.quarantine is not None:
                    doc.id = record
                yield doc

    def look_up(self, names: Iterable[str]) -> None:
        """Read in one query what the store holds under these given ids, for the early decisions
        of a chunk (a parallel run's decider; each answer is used once)."""
        if self.store is not None:
            self._looked_up = self.store.named_many([n for n in names if n not in self._names])

    def first_read(self, record: str) -> bool:
        """True the first time this run meets the record (a parallel run's decider asks)."""
        if record in self._sent:
            return False
        self._sent.add(record)
        return True

    # -- early, after the front stages -------------------------------------------------------
    def decide(self, doc: Document, n_front: int | None = None) -> Document:
        """Mark an id collision or a copy of an article seen before; index a first copy."""
        if doc.quarantine is not None or "text_hash" not in doc.meta:
            doc.id = doc.meta.get("record", doc.id)
            return doc
        if self.store is not None and self.writes and time.monotonic() - self._looked > LOOK_EVERY:
            # Only to spare the costly stages a copy: the store checks again. A decider without
            # writes (parallel.Decider) looks once a chunk.
            self.refresh()
        if self._clash(doc):
            return doc
        epoch = len(self.dedup)
        self.dedup.decide(doc)
        key = doc.meta["text_hash"]
        if doc.duplicate_of is not None:
            if doc.duplicate_of == key:  # the same text, found by its signature
                doc.meta["duplicate"] = {"kind": "exact", "similarity": 1.0}
                if self._tags.get(key) == tag(doc):  # this run read it already, under this id
                    doc.meta["already"] = "run"
            doc.id = doc.meta["record"]
        else:
            self._tags[key] = tag(doc)
        if doc.meta.get("id_given"):
            self._names.setdefault(str(doc.meta["source_id"]), key)
        if self.store is not None and self.writes:
            self._early[id(doc)] = (epoch, len(doc.spans) if n_front is None else n_front)
        return doc

    def expect(self, doc: Document, seen: int, n_front: int | None) -> None:
        """A worker's store will commit ``doc``, decided early by the run's decider when the
        store had committed up to ``seen``: the final decision checks what others wrote since."""
        if doc.quarantine is None and "text_hash" in doc.meta:
            self._early[id(doc)] = (bisect_right(self._key_seqs, seen), n_front)

    def adopt(self, doc: Document) -> Document:
        """A document decided by a run without this store (``marsad load``): the final decision
        will compare it with everything stored."""
        if doc.quarantine is not None or doc.duplicate_of is not None:
            doc.id = doc.meta.get("record", doc.id)
        elif self.store is not None:
            self._early[id(doc)] = (0, None)
        return doc

    def _clash(self, doc: Document, final: bool = False) -> bool:
        """Quarantine a document whose source id already names another text: in this run or the
        store early, in the store (everything every writer committed) at the final decision."""
        if not doc.meta.get("id_given"):
            return False
        name, key = str(doc.meta["source_id"]), doc.meta["text_hash"]
        other, at = (None, "") if final else (self._names.get(name), "")
        if other is None and self.store is not None:
            # the early decision takes what was read for its chunk; the final one reads the store
            found = (
                self._looked_up.pop(name) if not final and name in self._looked_up else self.store.named(name)
            )
            other, at = (found[0], f" (read from {_at(found[1], found[2])})") if found else (None, "")
        if other is None or other == key:
            return False
        doc.reject(f"id collision at {where(doc)}: id {name!r} already names another text{at}")
        doc.id = doc.meta["record"]
        doc.events = []
        return True

    # -- final, inside the store's write transaction -------------------------------------------
    def refresh(self) -> None:
        """Index the signatures the store committed since this run last looked."""
        self._looked = time.monotonic()
        for seq, doc_id, sig in self.store.signatures_since(self.seq, self.run):
            if self.dedup.add_stored(doc_id, sig):
                self._key_seqs.append(seq)
            self.seq = seq

    def committed(self, seq: int) -> None:
        """The store committed up to ``seq`` for this run, holding the lock: nobody else between."""
        self.seq = max(self.seq, seq)

    def settle(self, doc: Document) -> str:
        """``already`` (write nothing), ``changed`` (the document's state changed) or ``keep``."""
        epoch, n_front = self._early.pop(id(doc), (None, None))
        if doc.meta.get("already"):  # this run read the same text under this id before: final
            return "already"
        record = doc.meta.get("record")
        if record is not None and self.store.has_record(record):
            doc.meta["already"] = True
            return "already"
        if doc.quarantine is not None or "text_hash" not in doc.meta:
            return "keep"
        key = doc.meta["text_hash"]
        if self._clash(doc, final=True):
            self._became[key] = None
            return "changed"
        if doc.duplicate_of is None and epoch is None:
            return "keep"  # written without an early decision: nothing to check it against
        stored = self.store.content(key)
        if stored is not None:
            if _same_tag(stored, doc):
                doc.meta["already"] = True
                return "already"
            if doc.duplicate_of is None:
                return self._demote(doc, key, "exact", 1.0, n_front)
        if doc.duplicate_of is not None:
            target = doc.duplicate_of
            if target != key or stored is None:
                target = self._became.get(target) or target
            if target == doc.duplicate_of:
                return "keep"
            doc.duplicate_of = target
            return "changed"
        sig = doc.meta.get("minhash")
        match = self.dedup.stored_match(sig, epoch) if sig else None
        if match is not None:
            return self._demote(doc, match[0], "near", round(match[1], 3), n_front)
        return "keep"

    def _demote(self, doc: Document, original: str, kind: str, similarity: float, n_front: int | None) -> str:
        """A document found, at commit, to copy one another run stored: kept as a copy."""
        self._became[doc.meta["text_hash"]] = original
        doc.duplicate_of = original
        doc.meta["duplicate"] = {"kind": kind, "similarity": similarity}
        doc.meta.pop("minhash", None)
        doc.id = doc.meta["record"]
        doc.events = []
        if n_front is not None:
            del doc.spans[n_front:]
        return "changed"


def _same_tag(stored: dict[str, Any], doc: Document) -> bool:
    """Whether a stored document of the same text came with the same id (or URL) as ``doc``."""
    theirs = str(stored["source_id"] or "") if stored["given"] else stored["url"] or ""
    return theirs == tag(doc)


def _at(source: str | None, line: int | None) -> str:
    name = (source or "").rsplit("/", 1)[-1] or "?"
    return f"{name}:{line}" if line else name
