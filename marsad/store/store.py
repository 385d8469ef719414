"""The event store: documents, rejects, per-document events with evidence, merged events, control.

Every document is written in one transaction that first replaces whatever an earlier run wrote
for the same id, so a re-run, a run killed half-way and resumed, or two runs over the same input
all end with each document and each event exactly once. Merged events and the control timeline
are recomputed from the per-document table (see :mod:`marsad.merge`), never appended to.
"""

from __future__ import annotations

import json
import time
from array import array
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, timedelta
from hashlib import blake2b
from typing import Any

import orjson

from marsad.document import Document, OffsetMap
from marsad.event import EXPORT_FIELDS, INTER_CODES, Event
from marsad.ingest.identity import has_surrogate
from marsad.merge.cluster import Linker, _day
from marsad.merge.territory import place_key, timeline
from marsad.store import evidence, review
from marsad.store.backend import Backend, chunks, column_in, placeholders
from marsad.store.schema import migrate

# Columns shared by doc_events and events, in table order: the export's fields less the id,
# the documents and the evidence, which live in their own columns and tables, and the review
# decision, which lives in marsad.store.review's tables.
EVENT_COLUMNS = tuple(f for f in EXPORT_FIELDS if f not in ("event_id", "doc_ids", "evidence", "reviewed"))
NUL_REASON = "NUL character in text"
SURROGATE_REASON = "lone surrogate in text"
MENTION_LABELS = frozenset({"place", "actor", "source"})
_ACTOR_TYPES = {code: kind for kind, code in INTER_CODES.items()}
_MERGED_COLUMNS = ("event_id",) + EVENT_COLUMNS + ("fatalities_max", "doc_ids", "n_sources", "merged_at")
_DOC_EVENT_COLUMNS = ("event_id", "doc_id", "idx") + EVENT_COLUMNS + ("arguments",)
_RECORD_COLUMNS = ("event_id", "doc_id") + EVENT_COLUMNS + ("arguments",)


_ORJSON_OPTIONS = orjson.OPT_SERIALIZE_NUMPY


def _json(value: Any) -> str:
    """Compact JSON text; orjson, because every article's spans go through here (5x json).

    A key that is not a string (rare) needs ``OPT_NON_STR_KEYS``, which writes string keys the
    same but makes every dict a quarter slower to write: only a value it fails on takes it."""
    try:
        return orjson.dumps(value, default=str, option=_ORJSON_OPTIONS).decode()
    except orjson.JSONEncodeError:
        return orjson.dumps(value, default=str, option=_ORJSON_OPTIONS | orjson.OPT_NON_STR_KEYS).decode()


def _minhash_bytes(value: Any) -> bytes | None:
    """The dedup stage's signature as bytes, whatever shape it left in ``doc.meta``."""
    if value is None:
        return None
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    if hasattr(value, "hashvalues"):  # datasketch MinHash
        value = value.hashvalues
    if hasattr(value, "astype"):  # numpy array
        return value.astype("uint64").tobytes()
    return array("Q", value).tobytes()


class Store:
    """See the module docstring; open one with :func:`marsad.store.open_store`."""

    def __init__(self, db: Backend, batch_size: int = 1, merge_on_read: bool = True) -> None:
        self.db = db
        self.batch_size = max(1, batch_size)
        # A read of merged events first merges what changed (incrementally: see ``merge``),
        # unless the owner merges itself: the API server, whose reads must stay quick while a
        # run writes, merges after each of its own writes and leaves runs to merge theirs.
        self.merge_on_read = merge_on_read
        self._pending: list[tuple[Document, dict[str, Any]]] = []
        self._pending_ids: set[str] = set()
        # Set by marsad.admission.Admission: makes the final decision on each document (already
        # stored? a copy of what a concurrent run wrote? an id that names another text?) inside
        # the write transaction, where every writer's commits are visible and none can interleave.
        self.admission: Any = None
        # The run this store writes for, kept with each document (see ``signatures_since``).
        self.run: str | None = None
        # While a batch commits: what the store holds for the batch's records, keys and ids,
        # read in three queries, and kept up to date as each document of the batch is decided.
        self._view: _BatchView | None = None
        migrate(db)
        review.migrate(db)

    # -- context management ----------------------------------------------------------------
    def close(self) -> None:
        try:
            self.flush()
        finally:
            self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, exc_type: object, *_: object) -> None:
        if exc_type is None:
            self.close()
            return
        # Leaving on an error: still try to commit the batch (work a re-run need not redo), but
        # an error from that commit, often the same one again, must not hide the first.
        try:
            self.flush()
        except Exception:  # noqa: BLE001 - the error already on its way out is the one to report
            pass
        finally:
            self.db.close()

    # -- writing ---------------------------------------------------------------------------
    def seen(self, doc_id: str) -> bool:
        """Already stored as a document, a quarantined one or a duplicate (or waiting in the batch)."""
        if doc_id in self._pending_ids:
            return True
        row = self.db.one(
            "SELECT 1 FROM documents WHERE id = ? UNION ALL SELECT 1 FROM quarantine WHERE doc_id = ?"
            " UNION ALL SELECT 1 FROM duplicates WHERE doc_id = ?",
            (doc_id, doc_id, doc_id),
        )
        return row is not None or self.has_record(doc_id)

    # -- identity (see marsad.ingest.identity) ---------------------------------------------
    def has_record(self, record: str) -> bool:
        """Whether this record (raw text and tag) was stored, in whatever state."""
        if self._view is not None and record in self._view.records_asked:
            return record in self._view.records
        row = self.db.one(
            "SELECT 1 FROM documents WHERE record = ? UNION ALL SELECT 1 FROM quarantine WHERE doc_id = ?"
            " UNION ALL SELECT 1 FROM duplicates WHERE doc_id = ?",
            (record, record, record),
        )
        return row is not None

    def content(self, key: str) -> dict[str, Any] | None:
        """The stored document with this content key: its source id, whether the source gave it,
        and its URL (what tells its record from another of the same text)."""
        if self._view is not None and key in self._view.content:
            return self._view.content[key]
        row = self.db.one("SELECT source_id, given, url FROM documents WHERE id = ?", (key,))
        return None if row is None else {"source_id": row[0], "given": bool(row[1]), "url": row[2]}

    def named(self, source_id: str) -> tuple[str, str | None, int | None] | None:
        """(content key, file, line) of a stored document or copy whose source gave it this id."""
        if self._view is not None and source_id in self._view.names:
            return self._view.names[source_id]
        return self.db.one(
            "SELECT id, source, line FROM documents WHERE source_id = ? AND given = 1"
            " UNION ALL SELECT text_hash, file, line FROM duplicates WHERE source_id = ? AND given = 1"
            " LIMIT 1",
            (source_id, source_id),
        )

    def source_names(self, keys: Iterable[str]) -> dict[str, str]:
        """Content key -> the name its source gave the article (its id, else its file's name)."""
        out: dict[str, str] = {}
        for chunk in chunks(sorted(set(keys))):
            rows = self.db.query(
                f"SELECT id, source_id FROM documents WHERE id IN ({placeholders(len(chunk))})", chunk
            )
            out.update((k, name) for k, name in rows if name)
        return out

    def named_many(self, source_ids: Sequence[str]) -> dict[str, tuple[str, str | None, int | None] | None]:
        """``named`` for many ids, in a query for every 500."""
        out: dict[str, tuple[str, str | None, int | None] | None] = dict.fromkeys(source_ids)
        for chunk in chunks(sorted(set(source_ids))):
            marks = placeholders(len(chunk))
            for name, key, source, line in self.db.query(
                f"SELECT source_id, id, source, line FROM documents WHERE given = 1 AND source_id IN ({marks})"
                f" UNION ALL SELECT source_id, text_hash, file, line FROM duplicates WHERE given = 1"
                f" AND source_id IN ({marks})",
                [*chunk, *chunk],
            ):
                if out[name] is None:
                    out[name] = (key, source, line)
        return out

    def stored_records(self, records: Sequence[str]) -> set[str]:
        """Which of these records were stored, in whatever state: ``has_record`` for a chunk."""
        return column_in(
            self.db,
            "SELECT record FROM documents WHERE record IN ({marks})"
            " UNION ALL SELECT doc_id FROM quarantine WHERE doc_id IN ({marks})"
            " UNION ALL SELECT doc_id FROM duplicates WHERE doc_id IN ({marks})",
            records,
        )

    def signatures_since(
        self, seq: int, other_than: str | None = None
    ) -> list[tuple[int, str, bytes | None]]:
        """(commit sequence, id, MinHash bytes) of the documents committed after ``seq``; those the
        run ``other_than`` wrote (its workers' own, which its decisions already saw) come
        without their signature."""
        sql = "SELECT seq, id, minhash FROM documents WHERE seq > ? ORDER BY seq"
        params: list[Any] = [seq]
        if other_than is not None:
            sql = sql.replace("minhash", "CASE WHEN run = ? THEN NULL ELSE minhash END")
            params.insert(0, other_than)
        return [
            (int(q), doc_id, None if sig is None else bytes(sig))
            for q, doc_id, sig in self.db.query(sql, params)
        ]

    # -- writing ---------------------------------------------------------------------------
    def write(self, doc: Document) -> list[Document]:
        """Store one document and everything extracted from it, in one transaction; returns the
        documents this call committed, in their final state (see ``admission``).

        With ``batch_size`` > 1 the document waits until the batch is full (or the next read,
        or ``close``) and the whole batch commits at once: a killed run then loses at most the
        uncommitted batch, which ``seen`` does not report, so the re-run writes it again.
        """
        if self.batch_size == 1:
            return self._commit([(doc, _prepare(doc))])
        self._pending.append((doc, _prepare(doc)))
        self._pending_ids.add(doc.id)
        if len(self._pending) >= self.batch_size:
            return self.flush()
        return []

    def write_many(self, docs: Sequence[Document]) -> list[Document]:
        """Store several documents in one transaction: fewer commits for bulk runs."""
        return self._commit([(d, _prepare(d)) for d in docs])

    def flush(self) -> list[Document]:
        """Commit the documents waiting in the batch; returns them in their final state."""
        if not self._pending:
            return []
        batch = self._pending
        self._pending, self._pending_ids = [], set()
        return self._commit(batch)

    def _commit(self, batch: list[tuple[Document, dict[str, Any]]]) -> list[Document]:
        """Write a batch in input order in one transaction that holds the writers' lock: every
        writer decides and writes in turn, so a decision always sees what the others stored.

        Decisions are made one document after the other; the rows are then written table by
        table for the whole batch (a few statements, not a dozen per document)."""
        if not batch:
            return []
        admission = self.admission

        def run() -> tuple[list[Document], int]:
            with self.db.transaction(lock=True):
                seq = int(self.db.one("SELECT COALESCE(MAX(seq), 0) FROM documents")[0])
                done, rows = [], []
                try:
                    if admission is not None:
                        admission.refresh()
                        self._view = self._look([doc for doc, _ in batch])
                    for doc, prepared in batch:
                        if admission is not None:
                            verdict = admission.settle(doc)
                            if verdict == "already":
                                done.append(doc)
                                continue
                            if verdict == "changed":
                                prepared = _prepare(doc)
                            self._view.wrote(doc, prepared)
                        if prepared["kind"] == "document":
                            seq += 1
                        rows.append((prepared, seq))
                        done.append(doc)
                finally:
                    self._view = None
                self._write_rows(rows)
                return done, seq

        done, seq = self.db.retrying(run)
        if admission is not None:
            admission.committed(seq)
        return done

    def _look(self, docs: list[Document]) -> _BatchView:
        """What the store holds for a batch: its records, content keys and given ids."""
        view = _BatchView()
        records = [r for d in docs if (r := d.meta.get("record"))] + [d.id for d in docs]
        view.records_asked = set(records)
        view.records = self.stored_records(records)
        keys = sorted({k for d in docs if (k := d.meta.get("text_hash"))})
        view.content = dict.fromkeys(keys)
        for chunk in chunks(keys):
            for key, source_id, given, url in self.db.query(
                f"SELECT id, source_id, given, url FROM documents WHERE id IN ({placeholders(len(chunk))})",
                chunk,
            ):
                view.content[key] = {"source_id": source_id, "given": bool(given), "url": url}
        view.names = self.named_many(  # those of quarantined records are never asked (see _clash)
            [
                str(d.meta["source_id"])
                for d in docs
                if d.meta.get("id_given") and "source_id" in d.meta and d.quarantine is None
            ]
        )
        return view

    def _write_rows(self, rows: list[tuple[dict[str, Any], int]]) -> None:
        """Write prepared documents (each with its commit sequence), replacing whatever an earlier
        run stored under their ids; one statement per table and step for all of them."""
        db, now = self.db, time.time()
        # One row per key, the first description in batch order winning, as the upsert does.
        actors = {
            a[0]: a for p, _ in reversed(rows) for a in sorted(p["actors"], key=lambda a: a[0], reverse=True)
        }
        places = {
            pl[0]: pl
            for p, _ in reversed(rows)
            for pl in sorted(p["places"], key=lambda x: x[0], reverse=True)
        }
        db.executemany(
            "INSERT INTO actors (name, type, country) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING",
            sorted(actors.values(), key=lambda a: a[0]),
        )
        db.executemany(
            "INSERT INTO places (geonameid, name, latitude, longitude, admin1, country, country_code)"
            " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (geonameid) DO NOTHING",
            sorted(places.values(), key=lambda pl: pl[0]),
        )
        ids = [p["id"] for p, _ in rows]
        kinds: dict[str, list[dict[str, Any]]] = {"document": [], "quarantine": [], "duplicate": []}
        for p, _ in rows:
            kinds[p["kind"]].append(p)
        for chunk in chunks(ids):
            # Whatever per-document events this write replaces or removes wait for the next merge.
            db.execute(
                "INSERT INTO merge_queue (event_id) SELECT event_id FROM doc_events"
                f" WHERE doc_id IN ({placeholders(len(chunk))})",
                chunk,
            )
        # A document that an earlier run stored and this run rejects moves, it is not kept twice.
        self._delete("documents", "id", [p["id"] for p in kinds["quarantine"] + kinds["duplicate"]])
        self._delete("quarantine", "doc_id", [p["id"] for p in kinds["document"] + kinds["duplicate"]])
        self._delete("duplicates", "doc_id", [p["id"] for p in kinds["document"] + kinds["quarantine"]])
        db.executemany(
            "INSERT INTO quarantine (doc_id, file, line, reason, raw, source_id, written_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (doc_id) DO UPDATE SET file = excluded.file,"
            " line = excluded.line, reason = excluded.reason, raw = excluded.raw",
            [(*p["row"], now) for p in kinds["quarantine"]],
        )
        db.executemany(
            "INSERT INTO duplicates (doc_id, duplicate_of, file, line, outlet, url, title, published,"
            " text_hash, source_id, given, kind, similarity, written_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (doc_id) DO UPDATE SET"
            " duplicate_of = excluded.duplicate_of, file = excluded.file, line = excluded.line",
            [(*p["row"], now) for p in kinds["duplicate"]],
        )
        documents = [(p, seq) for p, seq in rows if p["kind"] == "document"]
        if not documents:
            return
        cols = ("id", "source", "line", "outlet", "url", "title", "published", "text", "clean")
        cols += ("offsets", "spans", "meta", "text_hash", "minhash", "source_id", "given", "record")
        updates = ", ".join(f"{c} = excluded.{c}" for c in (*cols[1:], "run"))
        db.executemany(
            f"INSERT INTO documents ({', '.join(cols)}, seq, written_at, run)"
            f" VALUES ({placeholders(len(cols) + 3)}) ON CONFLICT (id) DO UPDATE SET {updates}",
            [(*p["row"], seq, now, self.run) for p, seq in documents],
        )
        doc_ids = [p["id"] for p, _ in documents]
        self._delete("mentions", "doc_id", doc_ids)
        self._delete("doc_events", "doc_id", doc_ids)
        mention_cols = ("doc_id", "idx", "label", "start_off", "end_off", "text", "name", "kind", "geonameid")
        db.insert_rows(
            "mentions",
            (*mention_cols, "latitude", "longitude"),
            [m for p, _ in documents for m in p["mentions"]],
        )
        events = [e for p, _ in documents for e in p["events"]]
        db.insert_rows("doc_events", _DOC_EVENT_COLUMNS, events, "ON CONFLICT (event_id) DO NOTHING")
        db.insert_rows("merge_queue", ("event_id",), [(e[0],) for e in events])
        db.insert_rows(
            "event_sources",
            ("event_id", "doc_id", "start_off", "end_off", "text", "fatalities", "status", "attributed_to"),
            [s for p, _ in documents for s in p["sources"]],
            "ON CONFLICT (event_id, doc_id, start_off, end_off) DO NOTHING",
        )

    def _delete(self, table: str, column: str, ids: list[str]) -> None:
        for chunk in chunks(ids):
            self.db.execute(f"DELETE FROM {table} WHERE {column} IN ({placeholders(len(chunk))})", chunk)

    def signatures(self) -> Iterator[tuple[str, bytes]]:
        """(doc id, MinHash bytes) of stored documents, so dedup can resume across runs."""
        self.flush()
        for doc_id, sig in self.db.query(
            "SELECT id, minhash FROM documents WHERE minhash IS NOT NULL ORDER BY id"
        ):
            yield doc_id, bytes(sig)

    # -- merging ---------------------------------------------------------------------------
    # Past this share of the per-document events waiting, one pass over all of them is cheaper
    # than finding the reports they may join group by group.
    FULL_MERGE_SHARE = 0.25

    def merge(self, radius_km: float = 25.0, window_days: int = 3, full: bool = False) -> dict[str, int]:
        """Bring the merged events and the control timeline up to date with the per-document ones.

        Only what changed is re-merged: the reports written or removed since the last merge
        (``merge_queue``) and every report that may be one event with them, found by following
        "may be one event" (same type, dates within the window, same place, actors that agree)
        from report to report until nothing new joins. A cluster never reaches outside such a
        group, so without reviews the result is exactly that of a full re-merge, whatever order
        the documents came in. The analysts' reviews of the events replaced are laid over the
        group again (:func:`marsad.store.review.merge_events`), with every report of the
        documents they are anchored in; a reviewed event is followed on the analyst's values
        too (a report may join it on a place, type or day only the analyst gave it), so the
        result is still that of a full re-merge. ``full`` re-merges every report
        (``marsad merge --full``).
        """
        self.flush()

        def run() -> dict[str, int]:
            with self.db.transaction(lock=True):
                queued = sorted({r[0] for r in self.db.query("SELECT event_id FROM merge_queue")})
                total = self._count("doc_events")
                if full or len(queued) > self.FULL_MERGE_SHARE * total:
                    remerged = self._merge_all(radius_km, window_days)
                elif queued:
                    remerged = self._merge_some(queued, radius_km, window_days)
                else:
                    remerged = 0
                self.db.execute("DELETE FROM merge_queue")
                return self._merge_counts() | {"remerged": remerged}

        return self.db.retrying(run)

    def _merge_all(self, radius_km: float, window_days: int) -> int:
        records = self._doc_event_records()
        # The analysts' decisions are laid over the machine's clusters (store.review).
        merged, states = review.merge_events(self.db, records, radius_km, window_days)
        self.db.execute("DELETE FROM event_reviews")
        self.db.execute("DELETE FROM event_members")
        self.db.execute("DELETE FROM event_evidence")
        self.db.execute("DELETE FROM events")
        self.db.execute("DELETE FROM control_changes")
        self._insert_merged(merged, states, time.time())
        self._insert_changes(timeline(m for m in merged if not m.get("rejected")))
        return len(records)

    def _merge_some(self, queued: list[str], radius_km: float, window_days: int) -> int:
        """Re-merge the groups of reports that the queued ones touch; returns how many reports."""
        group: dict[str, dict[str, Any]] = {}
        old: set[str] = set()  # merged events that lose or gain a member: all replaced
        # Reviews changed since the last merge, of the events replaced, or anchored in the
        # group's documents: their events are replaced too, with all their documents' reports.
        held = {q.removeprefix(review.QUEUED_REVIEW) for q in queued if q.startswith(review.QUEUED_REVIEW)}
        old |= review.events_of_documents(self.db, held)
        queued = [q for q in queued if not q.startswith(review.QUEUED_REVIEW)]
        # A review's values are linked as a report (review.reach): a report may join its event on
        # the analyst's place, type or day, which none of its reports may share. The pool reads
        # those of the reviewed events in the days it reads; the held reviews' come from their
        # reviews (the changed ones first: the events table holds their values before the change).
        seeds = review.reaches(self.db, held) + self._doc_event_records(
            queued + sorted(self._members_of(old))
        )
        reached = set(held)
        checked: set[str] = set(queued)
        pool = _Reports(self, radius_km, window_days)
        while True:
            old |= self._events_of(checked)
            self._close(seeds, group, radius_km, window_days, pool)
            fresh = set(group) - checked
            checked |= fresh
            old |= self._events_of(fresh)
            reviews = review.reviews_of_events(self.db, sorted(old))
            reviews |= review.anchored_in(self.db, {r["doc_id"] for r in group.values()})
            reviews |= {
                i.removeprefix(review.QUEUED_REVIEW) for i in group if i.startswith(review.QUEUED_REVIEW)
            }
            if reviews - held:
                held |= reviews
                old |= review.events_of_documents(self.db, held)
            # A member of a replaced event outside the group (only through a review: the
            # machine's clusters never reach outside it) joins it with all it may join.
            missing = self._members_of(old) - set(group)
            seeds = [r for r in self._doc_event_records(sorted(missing)) if r["event_id"] not in group]
            seeds += [r for r in review.reaches(self.db, held - reached) if r["event_id"] not in group]
            reached |= held
            if not seeds:
                break
        records = [r for i, r in group.items() if not i.startswith(review.QUEUED_REVIEW)]
        reviews = [r for r in review.active_reviews(self.db) if r.review_id in held] if held else []
        merged, states = review.merge_events(self.db, records, radius_km, window_days, reviews, pool.linker)
        ids = sorted(old)
        places = self._place_keys(ids)
        for chunk in chunks(ids):
            marks = placeholders(len(chunk))
            for table in ("event_members", "event_evidence", "event_reviews", "events"):
                self.db.execute(f"DELETE FROM {table} WHERE event_id IN ({marks})", chunk)
        self._insert_merged(merged, states, time.time())
        self._retimeline(places | {k for m in merged if (k := place_key(m))})
        return len(records)

    def _close(
        self,
        seeds: list[dict[str, Any]],
        group: dict[str, dict[str, Any]],
        radius_km: float,
        window_days: int,
        pool: _Reports | None = None,
    ) -> None:
        """Add ``seeds`` to ``group`` and then every report linked to one of them through reports
        that may be one event (:class:`marsad.merge.cluster.Linker`).

        The reports are read block by block (type and historical flag) and day by day around the
        group, and linked as they come, until every day within the window of each member has
        been read: then no report outside the group may be one event with one inside.
        """
        pool = pool if pool is not None else _Reports(self, radius_km, window_days)
        pool.add(seeds)
        ids = {r["event_id"] for r in seeds} | set(group)
        fresh = list(seeds)
        while fresh:
            pool.read_around(fresh)
            members = pool.linker.group(ids)
            fresh = [r for r in members if r["event_id"] not in group]
            for r in fresh:
                group[r["event_id"]] = r

    def _events_of(self, member_ids: Iterable[str]) -> set[str]:
        return self._column("event_id", "member_id", member_ids)

    def _members_of(self, event_ids: Iterable[str]) -> set[str]:
        return self._column("member_id", "event_id", event_ids)

    def _column(self, want: str, by: str, ids: Iterable[str]) -> set[str]:
        """``want`` of the ``event_members`` rows whose ``by`` is one of ``ids``."""
        return column_in(self.db, f"SELECT {want} FROM event_members WHERE {by} IN ({{marks}})", ids)

    def merge_local(self, event_ids: Iterable[str], review_ids: Iterable[str] = ()) -> list[str]:
        """Re-merge only some merged events, after an analyst's decision: a full merge of a large
        store takes tens of seconds, a click must not.

        Takes the listed events, the events of every document the listed reviews are anchored
        in, their reports, every review of those events or anchored in those documents (a split
        makes two, and the part kept must hold its reports as a full merge would) and theirs in
        turn, and the control timeline of their places; returns the ids of the events that
        replace them. The next full merge gives the same events, except that a report outside
        them may then join a corrected event.
        """
        self.flush()

        def run() -> list[str]:
            with self.db.transaction(lock=True):
                held, events = set(review_ids), set(event_ids)
                while True:
                    events |= review.events_of_documents(self.db, held)
                    records = self._doc_event_records(sorted(self._members_of(events)))
                    found = review.reviews_of_events(self.db, sorted(events))
                    found |= review.anchored_in(self.db, {r["doc_id"] for r in records})
                    if found <= held:
                        break
                    held |= found
                ids = sorted(events)
                reviews = [r for r in review.active_reviews(self.db) if r.review_id in held]
                merged, states = review.merge_events(self.db, records, 25.0, 3, reviews=reviews)
                old = self._place_keys(ids)
                for chunk in chunks(ids):
                    marks = placeholders(len(chunk))
                    for table in ("event_members", "event_evidence", "event_reviews", "events"):
                        self.db.execute(f"DELETE FROM {table} WHERE event_id IN ({marks})", chunk)
                self._insert_merged(merged, states, time.time())
                keys = old | {k for m in merged if (k := place_key(m))}
                self._retimeline(keys)
                return sorted(m["event_id"] for m in merged)

        return self.db.retrying(run)

    def _insert_merged(self, merged: list[dict[str, Any]], states: list[tuple], now: float) -> None:
        cols = _MERGED_COLUMNS + ("place_key",)
        self.db.executemany(
            f"INSERT INTO events ({', '.join(cols)}) VALUES ({placeholders(len(cols))})",
            [(*_merged_row(m, now), place_key(m)) for m in merged],
        )
        self.db.executemany(
            "INSERT INTO event_members (event_id, member_id) VALUES (?, ?)",
            [(m["event_id"], mid) for m in merged for mid in m["members"]],
        )
        evidence.keep(self.db, [m["event_id"] for m in merged])
        review.insert_states(self.db, states)

    def _place_keys(self, event_ids: list[str]) -> set[str]:
        keys = set()
        for chunk in chunks(event_ids):
            for (key,) in self.db.query(
                f"SELECT place_key FROM events WHERE event_id IN ({placeholders(len(chunk))})", chunk
            ):
                if key:
                    keys.add(key)
        return keys

    def _retimeline(self, keys: set[str]) -> None:
        """Recompute the control timeline of some places from the merged events at them."""
        if not keys:
            return
        cols = _MERGED_COLUMNS
        rows = []
        for chunk in chunks(sorted(keys)):
            rows += self.db.query(
                f"SELECT {', '.join(cols)} FROM events e WHERE e.place_key IN ({placeholders(len(chunk))})",
                chunk,
            )
        rejected = set(review.decisions(self.db, [r[0] for r in rows], only="rejected"))
        events = [ev for r in rows if (ev := dict(zip(cols, r, strict=True)))["event_id"] not in rejected]
        changes = timeline(events)
        for chunk in chunks(sorted(keys)):
            self.db.execute(
                f"DELETE FROM control_changes WHERE place_key IN ({placeholders(len(chunk))})", chunk
            )
        self._insert_changes(changes)

    def _insert_changes(self, changes: list[dict[str, Any]]) -> None:
        cc_cols = ("place_key", "seq", "since", "controller", "previous", "location", "geonameid")
        cc_cols += ("latitude", "longitude", "event_ids")
        self.db.executemany(
            f"INSERT INTO control_changes ({', '.join(cc_cols)}) VALUES ({placeholders(len(cc_cols))})",
            [tuple(_json(c[k]) if k == "event_ids" else c[k] for k in cc_cols) for c in changes],
        )

    def _count(self, table: str, where: str = "") -> int:
        row = self.db.one(f"SELECT COUNT(*) FROM {table}{where}")
        return int(row[0]) if row else 0

    def _merge_counts(self) -> dict[str, int]:
        return {
            "before": self._count("doc_events"),
            "after": self._count("events") - self._count("event_reviews", " WHERE decision = 'rejected'"),
            "multi_source": self._count("events", " WHERE n_sources > 1"),
            "disputed": self._count("events", " WHERE status = 'disputed'"),
            "control_changes": self._count("control_changes"),
        }

    def _doc_event_records(self, ids: Sequence[str] | None = None) -> list[dict[str, Any]]:
        """Per-document events as the merge reads them: all, or those with these ids."""
        cols = ", ".join(_RECORD_COLUMNS)
        if ids is None:
            return [_record(row) for row in self.db.query(f"SELECT {cols} FROM doc_events")]
        return [
            _record(row)
            for chunk in chunks(sorted(ids))
            for row in self.db.query(
                f"SELECT {cols} FROM doc_events WHERE event_id IN ({placeholders(len(chunk))})", chunk
            )
        ]

    def stale(self) -> bool:
        """True when per-document events were written or removed since the last merge."""
        self.flush()
        return self.db.one("SELECT 1 FROM merge_queue LIMIT 1") is not None

    def _fresh(self) -> None:
        if self.merge_on_read and self.stale():
            self.merge()
        else:
            self.flush()

    # -- reading ---------------------------------------------------------------------------
    def events(self, **filters: Any) -> Iterator[dict[str, Any]]:
        """Merged events as export dicts (issue 6 field list), filtered; see :func:`event_filter`.

        ``evidence=N`` keeps the first N sentences of each event (a page of a list: an event
        merged from hundreds of reports would carry every sentence) and adds ``evidence_total``."""
        yield from (e for e, _ in self._events(filters, extras=False))

    def _events(
        self, filters: dict[str, Any], batch: int = 500, extras: bool = True
    ) -> Iterator[tuple[dict[str, Any], dict]]:
        """Export dicts with extras (outlets of the documents, merge time) for the CSV export."""
        self._fresh()
        filters = dict(filters)
        order = review.ORDERS[filters.pop("order", None) or "date"]
        per_event = filters.pop("evidence", None)
        where, params = event_filter(**filters)
        # One query: each event with its review (decision, sentences it keeps) and, for a page
        # of a list, its kept first sentences (marsad.store.evidence): a round trip per part
        # was most of a page's time on a busy server.
        # The page is cut first and joined after: joined before its offset, every row skipped
        # would be joined too.
        kept = per_event is not None and per_event <= evidence.HEAD
        page = f"SELECT {', '.join(_MERGED_COLUMNS)} FROM events e{where} ORDER BY {order}"
        limit, offset = filters.get("limit"), filters.get("offset")
        if limit is not None or offset:
            page += " LIMIT ? OFFSET ?"
            params += [int(limit) if limit is not None else 2**62, int(offset or 0)]
        cols = [f"e.{c}" for c in _MERGED_COLUMNS] + ["er.decision", "er.evidence"]
        joins = " LEFT JOIN event_reviews er ON er.event_id = e.event_id"
        if kept:
            cols += ["ee.head", "ee.total"]
            joins += " LEFT JOIN event_evidence ee ON ee.event_id = e.event_id"
        rows = self.db.query(f"SELECT {', '.join(cols)} FROM ({page}) e{joins} ORDER BY {order}", params)
        n = len(_MERGED_COLUMNS)
        for i in range(0, len(rows), batch):
            chunk = [dict(zip(_MERGED_COLUMNS, r[:n], strict=True)) for r in rows[i : i + batch]]
            found, totals = self._sentences(rows[i : i + batch], kept, per_event)
            outlets = self._outlets({d for c in chunk for d in json.loads(c["doc_ids"])}) if extras else {}
            for c, r in zip(chunk, rows[i : i + batch], strict=True):
                eid = c["event_id"]
                sentences = found.get(eid, [])
                total = totals.get(eid, 0)
                if r[n + 1] not in (None, "[]"):
                    # A reviewed event keeps the sentences of reports the coder no longer finds.
                    reviewed = json.loads(r[n + 1])
                    sentences, total = sentences + reviewed, total + len(reviewed)
                out = _export_dict(c, sentences if per_event is None else sentences[:per_event])
                if per_event is not None:
                    out["evidence_total"] = total
                out["reviewed"] = review.reviewed_value(r[n])
                if not extras:
                    yield out, {}
                    continue
                yield (
                    out,
                    {
                        "outlets": sorted({outlets[d] for d in out["doc_ids"] if outlets.get(d)}),
                        "merged_at": c["merged_at"],
                        "fatalities_max": c["fatalities_max"],
                    },
                )

    def _sentences(
        self, rows: list[tuple], kept: bool, per_event: int | None
    ) -> tuple[dict[str, list[dict[str, Any]]], dict[str, int]]:
        """The evidence sentences of these rows' events (their first ``per_event`` only) and how
        many each has: from the kept heads the rows carry when ``kept``, else (and for an event
        without them) read through its reports."""
        found: dict[str, list[dict[str, Any]]] = {}
        totals: dict[str, int] = {}
        missing = []
        n = len(_MERGED_COLUMNS)
        for r in rows:
            if not kept or r[n + 2] is None:
                missing.append(r[0])
            elif r[n + 3]:  # an event without sentences is named by neither answer
                found[r[0]], totals[r[0]] = orjson.loads(r[n + 2])[:per_event], int(r[n + 3])
        if missing:
            more, more_totals = evidence.sentences(self.db, missing, per_event)
            found.update(more)
            totals.update(more_totals)
        return found, totals

    def _outlets(self, doc_ids: Iterable[str]) -> dict[str, str]:
        ids = list(doc_ids)
        if not ids:
            return {}
        return dict(
            self.db.query(f"SELECT id, outlet FROM documents WHERE id IN ({placeholders(len(ids))})", ids)
        )

    def event(self, event_id: str) -> dict[str, Any] | None:
        """One merged event by its id (or by the id of any report merged into it), with its sources."""
        self._fresh()
        merged_id = review.locate(self.db, event_id)
        if merged_id is None:
            return None
        found = list(self._events({"event_id": merged_id}))
        if not found:
            return None
        out, extras = found[0]
        cols = "d.event_id, d.doc_id, d.status, d.fatalities, d.attributed_to, d.event_date, d.location"
        out["sources"] = [
            {
                "event_id": r[0],
                "doc_id": r[1],
                "status": r[2],
                "fatalities": r[3],
                "attributed_to": json.loads(r[4]),
                "event_date": r[5],
                "location": r[6],
            }
            for r in self.db.query(
                f"SELECT {cols} FROM event_members m JOIN doc_events d ON d.event_id = m.member_id"
                " WHERE m.event_id = ? ORDER BY d.doc_id, d.event_id",
                (merged_id,),
            )
        ]
        out["fatalities_max"] = extras["fatalities_max"]
        out["outlets"] = extras["outlets"]
        return out

    def document(self, doc_id: str) -> dict[str, Any] | None:
        """A stored document (or its quarantine/duplicate record) with spans and event ids."""
        self.flush()
        cols = ("id", "source", "line", "outlet", "url", "title", "published", "text", "clean", "offsets")
        cols += ("spans", "meta", "text_hash", "source_id")
        row = self.db.one(f"SELECT {', '.join(cols)} FROM documents WHERE id = ?", (doc_id,))
        if row is not None:
            out = dict(zip(cols, row, strict=True))
            for k in ("offsets", "spans", "meta"):
                out[k] = json.loads(out[k])
            offsets = OffsetMap.from_runs(out["offsets"])
            for span in out["spans"]:
                span["original"] = list(offsets.to_original(span["start"], span["end"]))
            out["state"] = "processed"
            out["event_ids"] = [
                r[0]
                for r in self.db.query(
                    "SELECT event_id FROM doc_events WHERE doc_id = ? ORDER BY idx", (doc_id,)
                )
            ]
            return out
        row = self.db.one(
            "SELECT doc_id, file, line, reason, source_id, raw FROM quarantine WHERE doc_id = ?", (doc_id,)
        )
        if row is not None:
            keys = ("id", "source", "line", "reason", "source_id", "text")
            return dict(zip(keys, (*row[:5], _raw_text(row[5])), strict=True)) | {"state": "quarantined"}
        row = self.db.one(
            "SELECT doc_id, duplicate_of, file, line, outlet, url, title, published, source_id, kind, similarity"
            " FROM duplicates WHERE doc_id = ?",
            (doc_id,),
        )
        if row is not None:
            keys = (
                "id",
                "duplicate_of",
                "source",
                "line",
                "outlet",
                "url",
                "title",
                "published",
                "source_id",
            )
            keys += ("kind", "similarity")
            return dict(zip(keys, row, strict=True)) | {"state": "duplicate"}
        return None

    def outcome(self, record: str, key: str | None = None) -> dict[str, Any] | None:
        """What became of a record: the document it is (found by record, else by content key),
        or its duplicate or quarantine row; with its event ids."""
        self.flush()
        row = self.db.one("SELECT id FROM documents WHERE record = ?", (record,))
        if row is None and key is not None:
            row = self.db.one("SELECT id FROM documents WHERE id = ?", (key,))
        if row is not None:
            ids = self.db.query("SELECT event_id FROM doc_events WHERE doc_id = ? ORDER BY idx", (row[0],))
            return {"id": row[0], "state": "processed", "event_ids": [r[0] for r in ids]}
        row = self.db.one("SELECT duplicate_of FROM duplicates WHERE doc_id = ?", (record,))
        if row is not None:
            return {"id": record, "state": "duplicate", "duplicate_of": row[0]}
        row = self.db.one("SELECT reason FROM quarantine WHERE doc_id = ?", (record,))
        if row is not None:
            return {"id": record, "state": "quarantined", "reason": row[0]}
        return None

    def control(self, date: str, bbox: Sequence[float] | None = None) -> list[dict[str, Any]]:
        """Each place's latest control state on or before ``date`` (ISO), with supporting events."""
        self._fresh()
        sql = (
            "SELECT place_key, seq, since, controller, previous, location, geonameid, latitude, longitude,"
            " event_ids FROM control_changes WHERE since <= ?"
        )
        params: list[Any] = [str(date)]
        if bbox:
            sql += " AND longitude BETWEEN ? AND ? AND latitude BETWEEN ? AND ?"
            w, s, e, n = (float(x) for x in bbox)
            params += [w, e, s, n]
        latest: dict[str, tuple] = {}
        for row in self.db.query(sql + " ORDER BY place_key, since, seq", params):
            latest[row[0]] = row
        out = []
        for key, (_, _, since, controller, previous, location, gid, lat, lon, ids) in sorted(latest.items()):
            support = [eid for eid, day in json.loads(ids) if day <= str(date)]
            out.append(
                {
                    "place": location,
                    "place_key": key,
                    "latitude": lat,
                    "longitude": lon,
                    "geonameid": gid,
                    "controller": controller,
                    "previous": previous,
                    "since": since,
                    "event_ids": support,
                }
            )
        return out

    def control_history(self, place: str | None = None) -> list[dict[str, Any]]:
        """Every control change, optionally for one place (name or GeoNames id), oldest first."""
        self._fresh()
        sql = (
            "SELECT place_key, since, controller, previous, location, geonameid, latitude, longitude, event_ids"
            " FROM control_changes"
        )
        params: list[Any] = []
        if place:
            sql += " WHERE LOWER(location) = LOWER(?) OR place_key = ?"
            params = [place, f"g{place}"]
        keys = ("place_key", "since", "controller", "previous", "place", "geonameid", "latitude", "longitude")
        return [
            dict(zip(keys, r[:-1], strict=True)) | {"event_ids": [e for e, _ in json.loads(r[-1])]}
            for r in self.db.query(sql + " ORDER BY place_key, since, seq", params)
        ]

    def stats(self) -> dict[str, Any]:
        self.flush()

        def count(table: str) -> int:
            row = self.db.one(f"SELECT COUNT(*) FROM {table}")
            return int(row[0]) if row else 0

        return {
            "backend": self.db.kind,
            "documents": count("documents"),
            "duplicates": count("duplicates"),
            "quarantined": count("quarantine"),
            "mentions": count("mentions"),
            "extracted_events": count("doc_events"),
            "evidence": count("event_sources"),
            "events": count("events"),
            "control_changes": count("control_changes"),
            "stale": self.stale(),
            "events_by_type": dict(
                self.db.query(
                    "SELECT sub_event_type, COUNT(*) FROM events GROUP BY sub_event_type ORDER BY 1"
                )
            ),
            "events_by_status": dict(
                self.db.query("SELECT status, COUNT(*) FROM events GROUP BY status ORDER BY 1")
            ),
            "quarantine_reasons": dict(
                self.db.query("SELECT reason, COUNT(*) FROM quarantine GROUP BY reason ORDER BY 1")
            ),
        }

    def quarantined(self) -> Iterator[dict[str, Any]]:
        """Every quarantined record: where it was read, why it was kept out, and its text."""
        self.flush()
        keys = ("doc_id", "file", "line", "reason", "text")
        for row in self.db.query(
            "SELECT doc_id, file, line, reason, raw FROM quarantine ORDER BY file, line, doc_id"
        ):
            yield dict(zip(keys, (*row[:4], _raw_text(row[4])), strict=True))


def event_filter(
    date_from: str | None = None,
    date_to: str | None = None,
    bbox: Sequence[float] | None = None,
    actor: str | None = None,
    event_type: str | None = None,
    sub_event_type: str | None = None,
    country: str | None = None,
    status: str | None = None,
    source: str | None = None,
    text: str | None = None,
    historical: bool | None = None,
    event_id: str | None = None,
    min_confidence: float | None = None,
    review_state: str | None = None,
    limit: int | None = None,
    offset: int | None = None,
) -> tuple[str, list[Any]]:
    """A parameterised WHERE clause over merged events ``e``; text filters ignore case.

    Rejected events are left out unless ``review_state`` asks for them (see
    :func:`marsad.store.review.filter_clause`); one asked for by id is always found."""
    clauses: list[str] = []
    params: list[Any] = []
    if event_id:
        clauses.append("e.event_id = ?")
        params.append(event_id)
    clause, values = review.filter_clause("all" if event_id and review_state is None else review_state)
    if clause:
        clauses.append(clause)
        params += values
    if date_from:
        clauses.append("e.event_date >= ?")
        params.append(str(date_from))
    if date_to:
        clauses.append("e.event_date <= ?")
        params.append(str(date_to))
    if bbox:
        w, s, e, n = (float(x) for x in bbox)
        clauses.append("e.longitude BETWEEN ? AND ? AND e.latitude BETWEEN ? AND ?")
        params += [w, e, s, n]
    if actor:
        actors = (
            "COALESCE(e.actor1, '') || '|' || COALESCE(e.actor2, '') || '|' || COALESCE(e.assoc_actor_1, '')"
            " || '|' || COALESCE(e.assoc_actor_2, '')"
        )
        clauses.append(_any_case(f"({actors})", "LIKE", actor))
        params.append(_contains(actor))
    for column, value in (("event_type", event_type), ("sub_event_type", sub_event_type), ("status", status)):
        if value:
            clauses.append(_any_case(f"e.{column}", "=", value))
            params.append(value)
    if country:
        clauses.append(
            f"({_any_case('e.country', '=', country)} OR {_any_case('e.country_code', '=', country)})"
        )
        params += [country, country]
    if source:
        clauses.append(_any_case("e.attributed_to", "LIKE", source))
        params.append(_contains(source))
    if text:
        clauses.append(
            f"({_any_case('e.notes', 'LIKE', text)} OR EXISTS (SELECT 1 FROM event_members m JOIN event_sources s"
            f" ON s.event_id = m.member_id WHERE m.event_id = e.event_id AND {_any_case('s.text', 'LIKE', text)}))"
        )
        params += [_contains(text)] * 2
    if historical is not None:
        clauses.append("e.historical = ?")
        params.append(1 if historical else 0)
    if min_confidence is not None:
        # an event coded without the model has no confidence: it does not pass a threshold
        clauses.append("e.confidence >= ?")
        params.append(float(min_confidence))
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), params


def _any_case(column: str, op: str, value: str) -> str:
    """``column op ?`` in any case, for the parameter ``value`` (``op``: ``=`` or ``LIKE`` with
    :func:`_contains`'s pattern).

    Both sides are folded by the server's LOWER, so a value and a column always fold alike
    (SQLite's is :func:`marsad.store.backend.fold_case`, PostgreSQL's own). A value with no
    letter that has case (Arabic) is compared as it is: folding could not change what it
    matches, and would cost SQLite a call into Python for every row."""
    like = " ESCAPE '\\'" if op == "LIKE" else ""
    if value.lower() == value == value.upper():
        return f"{column} {op} ?{like}"
    return f"LOWER({column}) {op} LOWER(?){like}"


def _contains(value: str) -> str:
    """A LIKE pattern for "contains ``value``": its own ``%`` and ``_`` match only themselves
    (issue 13: they matched everything)."""
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _export_dict(row: dict[str, Any], evidence: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in EXPORT_FIELDS:
        if f == "evidence":
            out[f] = evidence
        elif f in ("doc_ids", "attributed_to"):
            out[f] = orjson.loads(row[f])
        elif f == "historical":
            out[f] = bool(row[f])
        elif f == "reviewed":
            out[f] = None  # set by the reader from the review tables
        else:
            out[f] = row[f]
    return out


class _BatchView:
    """What ``has_record``, ``content`` and ``named`` answer while a batch commits: the store's
    rows for the batch's own records, keys and ids, with the batch's earlier documents added as
    they are decided (they are written together at the end)."""

    def __init__(self) -> None:
        self.records_asked: set[str] = set()
        self.records: set[str] = set()
        self.content: dict[str, dict[str, Any] | None] = {}
        self.names: dict[str, tuple[str, str | None, int | None] | None] = {}

    def wrote(self, doc: Document, prepared: dict[str, Any]) -> None:
        kind, given = prepared["kind"], bool(doc.meta.get("id_given"))
        self.records_asked.add(doc.id)
        self.records.add(doc.id)
        if kind == "document":
            record = doc.meta.get("record")
            if record:
                self.records_asked.add(record)
                self.records.add(record)
            self.content[doc.id] = {"source_id": doc.meta.get("source_id"), "given": given, "url": doc.url}
        else:
            self.content[doc.id] = None  # a document stored under this id before moves out
        name = doc.meta.get("source_id")
        if given and name is not None and self.names.get(str(name)) is None:
            key = doc.id if kind == "document" else doc.meta.get("text_hash")
            if kind != "quarantine":
                self.names[str(name)] = (key, doc.source, doc.line)


def _record(row: Sequence[Any]) -> dict[str, Any]:
    """A ``doc_events`` row as the merge reads it (see :mod:`marsad.merge.cluster`)."""
    rec = dict(zip(_RECORD_COLUMNS, row, strict=True))
    rec["historical"] = bool(rec["historical"])
    rec["attributed_to"] = json.loads(rec["attributed_to"])
    # A default actor (barrel bombs are the regime's) was not read in the text.
    rec["arguments"] = json.loads(rec["arguments"] or "{}")
    rec["actor1_inferred"] = "actor1" not in rec["arguments"]
    return rec


class _Reports:
    """The per-document events a merge group is grown from, linked as they are read from the
    store by type and day (and by document), each day and document once; with them the
    reviewed events of those days, on the analyst's values (:func:`marsad.store.review.reach`)."""

    def __init__(self, store: Store, radius_km: float, window_days: int) -> None:
        self.db = store.db
        self.window = window_days
        self.linker = Linker(radius_km, window_days)
        self.days: set[tuple[str, bool, date]] = set()
        self.docs: set[str] = set()

    def add(self, records: Iterable[dict[str, Any]]) -> None:
        self.linker.add(r for r in records if r["event_id"] not in self.linker)

    def read_around(self, records: list[dict[str, Any]]) -> None:
        """Read the reports of the records' types within the window of their days, and the other
        reports of the undated ones' documents (the only ones an undated report may join)."""
        wanted: dict[tuple[str, bool], set[date]] = {}
        for r in records:
            if (day := _day(r)) is not None:
                near = wanted.setdefault((r["sub_event_type"], bool(r["historical"])), set())
                near.update(day + timedelta(days=d) for d in range(-self.window, self.window + 1))
        cols = ", ".join(_RECORD_COLUMNS)
        for key, days in sorted(wanted.items()):
            missing = sorted(d for d in days if (*key, d) not in self.days)
            self.days.update((*key, d) for d in missing)
            for lo, hi in _runs(missing):
                rows = self.db.query(
                    f"SELECT {cols} FROM doc_events WHERE sub_event_type = ? AND historical = ?"
                    " AND event_date >= ? AND event_date <= ?",
                    (key[0], 1 if key[1] else 0, lo.isoformat(), hi.isoformat() + "~"),
                )
                self.add(rec for row in rows if (rec := _record(row))["event_id"] not in self.linker)
                self.add(review.reviewed_between(self.db, *key, lo.isoformat(), hi.isoformat() + "~"))
        docs = sorted({r["doc_id"] for r in records if _day(r) is None} - self.docs)
        self.docs.update(docs)
        for chunk in chunks(docs):
            rows = self.db.query(
                f"SELECT {cols} FROM doc_events WHERE doc_id IN ({placeholders(len(chunk))})", chunk
            )
            self.add(_record(row) for row in rows)


def _runs(days: list[date]) -> Iterator[tuple[date, date]]:
    """Consecutive days as (first, last) spans."""
    start = prev = None
    for d in days:
        if prev is not None and (d - prev).days == 1:
            prev = d
            continue
        if start is not None:
            yield start, prev
        start = prev = d
    if start is not None:
        yield start, prev


def _merged_row(m: dict[str, Any], now: float) -> tuple:
    values = []
    for c in _MERGED_COLUMNS:
        if c in ("attributed_to", "doc_ids"):
            values.append(_json(m[c]))
        elif c == "historical":
            values.append(1 if m.get(c) else 0)
        elif c == "merged_at":
            values.append(now)
        else:
            values.append(m.get(c))
    return tuple(values)


def _safe(value: str | None) -> str | None:
    """A field of a quarantined record that PostgreSQL text can hold (its raw text keeps all)."""
    if value is None:
        return None
    return value.encode("utf-8", "surrogatepass").decode("utf-8", "replace").replace("\x00", "\ufffd")


def _raw_text(raw: bytes | None) -> str | None:
    return None if raw is None else bytes(raw).decode("utf-8", "surrogatepass")


def _as_event(ev: Any) -> Event:
    return ev if isinstance(ev, Event) else Event.from_dict(ev)


def distinct_events(events: Iterable[Any]) -> list[tuple[Event, dict[str, Any]]]:
    """A document's events with their export dicts, each once: a repeat (every field the same)
    is dropped, and an event whose id another one already took gets an id of its own, so that
    nothing the extractor found is lost to an id clash (the run summary counts these too)."""
    out: list[tuple[Event, dict[str, Any]]] = []
    taken: dict[str, str] = {}
    for raw in events:
        ev = _as_event(raw)
        d = ev.to_dict()
        body = _json({**d, "arguments": ev.arguments})
        first = taken.get(d["event_id"])
        if first is not None:
            if first == body:
                continue
            ev.event_id = f"{d['event_id']}-{blake2b(body.encode(), digest_size=4).hexdigest()}"
            d = ev.to_dict()
        taken[d["event_id"]] = body
        out.append((ev, d))
    return out


def _one_per_key(rows: set[tuple]) -> set[tuple]:
    """One of ``rows`` per key (the first item), always the same one: the greatest by its text.
    Rows seldom share a key, and then they are all kept without sorting them by their text."""
    if len({r[0] for r in rows}) == len(rows):
        return rows
    return set({r[0]: r for r in sorted(rows, key=lambda r: tuple(str(x) for x in r))}.values())


def _prepare(doc: Document) -> dict[str, Any]:
    """Every row one document needs, built before the transaction so the lock is held briefly."""
    published = doc.published.isoformat() if doc.published else None
    reason = doc.quarantine
    if reason is None and doc.duplicate_of is None:
        # PostgreSQL text cannot hold NUL, nor UTF-8 a lone surrogate; refusing such a document on
        # both backends keeps the two stores identical, and the quarantine keeps its bytes. (A run
        # refuses them when it reads them: marsad.ingest.identity.check_text; this is the net.)
        fields = "".join(x or "" for x in (doc.text, doc.clean, doc.title, doc.url, doc.outlet, doc.source))
        if "\x00" in fields:
            reason = doc.reject(NUL_REASON).quarantine
        elif has_surrogate(fields):
            reason = doc.reject(SURROGATE_REASON).quarantine
    source_id, given = doc.meta.get("source_id"), 1 if doc.meta.get("id_given") else 0
    if reason is not None:
        doc.id = doc.meta.get("record", doc.id)  # a reject is keyed by what was read
        raw = doc.text.encode("utf-8", "surrogatepass")
        row = (doc.id, _safe(doc.source), doc.line, _safe(reason), raw, _safe(source_id))
        return {"id": doc.id, "kind": "quarantine", "row": row, "actors": (), "places": ()}
    if doc.duplicate_of is not None:
        dup = doc.meta.get("duplicate") or {}
        row = (doc.id, doc.duplicate_of, doc.source, doc.line, doc.outlet, doc.url, doc.title, published)
        row += (doc.meta.get("text_hash"), source_id, given, dup.get("kind"), dup.get("similarity"))
        return {"id": doc.id, "kind": "duplicate", "row": row, "actors": (), "places": ()}
    assert doc.offsets is not None
    meta = {k: v for k, v in doc.meta.items() if k != "minhash"}
    # Original ranges are derived on read (``document``) from the offset runs: cheaper to write.
    spans = [{"start": s.start, "end": s.end, "label": s.label, "attrs": s.attrs} for s in doc.spans]
    row = (
        doc.id,
        doc.source,
        doc.line,
        doc.outlet,
        doc.url,
        doc.title,
        published,
        doc.text,
        doc.clean,
        _json(doc.offsets.runs()),
        _json(spans),
        _json(meta),
        doc.meta.get("text_hash"),
        _minhash_bytes(doc.meta.get("minhash")),
        source_id,
        given,
        doc.meta.get("record"),
    )
    mentions, actors, places = [], set(), set()
    for i, s in enumerate(x for x in doc.spans if x.label in MENTION_LABELS):
        a = s.attrs
        name = a.get("name") or a.get("canonical")
        gid = a.get("geonameid")
        # The full attributes live in the spans JSON; the mention row keeps what queries filter on.
        kind = a.get("type") or a.get("kind")
        mentions.append(
            (
                doc.id,
                i,
                s.label,
                s.start,
                s.end,
                doc.clean[s.start : s.end],
                name,
                kind,
                gid,
                a.get("lat"),
                a.get("lon"),
            )
        )
        if s.label == "actor" and name:
            actors.add((name, a.get("type"), a.get("country")))
        if s.label == "place" and gid:
            places.add(
                (
                    int(gid),
                    name,
                    a.get("lat"),
                    a.get("lon"),
                    a.get("admin1"),
                    a.get("country"),
                    a.get("country_code"),
                )
            )
    events, sources = [], []
    for i, (ev, d) in enumerate(distinct_events(doc.events)):
        values = []
        for c in _DOC_EVENT_COLUMNS:
            if c == "doc_id":
                values.append(doc.id)
            elif c == "idx":
                values.append(i)
            elif c == "attributed_to":
                values.append(_json(d[c]))
            elif c == "historical":
                values.append(1 if d[c] else 0)
            elif c == "arguments":
                values.append(_json(ev.arguments))
            else:
                values.append(d[c])
        events.append(tuple(values))
        seen_ev: set[tuple] = set()
        for e in ev.evidence:
            key = (e.doc_id, e.start, e.end)
            if key not in seen_ev:
                seen_ev.add(key)
                sources.append(
                    (
                        d["event_id"],
                        e.doc_id,
                        e.start,
                        e.end,
                        e.text,
                        d["fatalities"],
                        d["status"],
                        _json(d["attributed_to"]),
                    )
                )
        for name, kind in ((ev.actor1, ev.inter1), (ev.actor2, ev.inter2)):
            if name:
                actors.add((name, _ACTOR_TYPES.get(kind), ev.country))
        if ev.geonameid:
            places.add(
                (
                    int(ev.geonameid),
                    ev.location,
                    ev.latitude,
                    ev.longitude,
                    ev.admin1,
                    ev.country,
                    ev.country_code,
                )
            )
    # One row per key: the first description wins, as the upsert does across documents.
    actors, places = _one_per_key(actors), _one_per_key(places)
    return {
        "id": doc.id,
        "kind": "document",
        "row": row,
        "mentions": mentions,
        "events": events,
        "sources": sources,
        "actors": actors,
        "places": places,
    }
