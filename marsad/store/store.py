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
from typing import Any

import orjson

from marsad.document import Document, OffsetMap
from marsad.events.model import INTER_CODES, Event
from marsad.merge.cluster import PLACE_FIELDS, cluster, combine
from marsad.merge.territory import timeline
from marsad.store.backend import Backend
from marsad.store.schema import migrate

# The JSONL export's fields, in the order of issue 6 (Event.to_dict()).
EXPORT_FIELDS = (
    "event_id",
    "doc_ids",
    "event_date",
    "time_precision",
    "event_type",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "actor2",
    "assoc_actor_2",
    "inter1",
    "inter2",
    *PLACE_FIELDS,
    "fatalities",
    "status",
    "historical",
    "attributed_to",
    "confidence",
    "evidence",
    "notes",
)
# Columns shared by doc_events and events, in table order: the export's fields less the id,
# the documents and the evidence, which live in their own columns and tables.
EVENT_COLUMNS = tuple(f for f in EXPORT_FIELDS if f not in ("event_id", "doc_ids", "evidence"))
NUL_REASON = "NUL character in text"
MENTION_LABELS = frozenset({"place", "actor", "source"})
_ACTOR_TYPES = {code: kind for kind, code in INTER_CODES.items()}
_MERGED_COLUMNS = ("event_id",) + EVENT_COLUMNS + ("fatalities_max", "doc_ids", "n_sources", "merged_at")
_DOC_EVENT_COLUMNS = ("event_id", "doc_id", "idx") + EVENT_COLUMNS + ("arguments",)


_ORJSON_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY


def _json(value: Any) -> str:
    """Compact JSON text; orjson, because every article's spans go through here (5x json)."""
    return orjson.dumps(value, default=str, option=_ORJSON_OPTIONS).decode()


def _placeholders(n: int) -> str:
    return ", ".join("?" * n)


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

    def __init__(self, db: Backend, batch_size: int = 1) -> None:
        self.db = db
        self.batch_size = max(1, batch_size)
        self._pending: list[dict[str, Any]] = []
        self._pending_ids: set[str] = set()
        migrate(db)

    # -- context management ----------------------------------------------------------------
    def close(self) -> None:
        try:
            self.flush()
        finally:
            self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

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
        return row is not None

    def write(self, doc: Document) -> None:
        """Store one document and everything extracted from it, in one transaction.

        With ``batch_size`` > 1 the document waits until the batch is full (or the next read,
        or ``close``) and the whole batch commits at once: a killed run then loses at most the
        uncommitted batch, which ``seen`` does not report, so the re-run writes it again.
        """
        if self.batch_size == 1:
            self._commit([_prepare(doc)])
            return
        self._pending.append(_prepare(doc))
        self._pending_ids.add(doc.id)
        if len(self._pending) >= self.batch_size:
            self.flush()

    def write_many(self, docs: Sequence[Document]) -> None:
        """Store several documents in one transaction: fewer commits for bulk runs."""
        self._commit([_prepare(d) for d in docs])

    def flush(self) -> None:
        """Commit the documents waiting in the batch."""
        if self._pending:
            self._commit(self._pending)
            self._pending, self._pending_ids = [], set()

    def _commit(self, batch: list[dict[str, Any]]) -> None:
        # Stable sort: a document written twice in one batch keeps its last version.
        prepared = sorted(batch, key=lambda p: p["id"])
        if not prepared:
            return
        # Shared rows first, in key order, then documents in id order: every writer takes locks
        # in the same order, so two writers on PostgreSQL wait for each other but never deadlock.
        actors = sorted({a for p in prepared for a in p["actors"]}, key=lambda a: a[0])
        places = sorted({pl for p in prepared for pl in p["places"]}, key=lambda pl: pl[0])

        def run() -> None:
            with self.db.transaction():
                self.db.executemany(
                    "INSERT INTO actors (name, type, country) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING",
                    actors,
                )
                self.db.executemany(
                    "INSERT INTO places (geonameid, name, latitude, longitude, admin1, country, country_code)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (geonameid) DO NOTHING",
                    places,
                )
                for p in prepared:
                    self._write_one(p)

        self.db.retrying(run)

    def _write_one(self, p: dict[str, Any]) -> None:
        db, doc_id, now = self.db, p["id"], time.time()
        if p["kind"] != "document":
            # A document that an earlier run stored and this run rejects moves, it is not kept twice.
            db.execute("DELETE FROM documents WHERE id = ?", (doc_id,))
        if p["kind"] != "quarantine":
            db.execute("DELETE FROM quarantine WHERE doc_id = ?", (doc_id,))
        if p["kind"] != "duplicate":
            db.execute("DELETE FROM duplicates WHERE doc_id = ?", (doc_id,))
        if p["kind"] == "quarantine":
            db.execute(
                "INSERT INTO quarantine (doc_id, file, line, reason, raw, written_at) VALUES (?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (doc_id) DO UPDATE SET file = excluded.file, line = excluded.line,"
                " reason = excluded.reason, raw = excluded.raw",
                (*p["row"], now),
            )
            return
        if p["kind"] == "duplicate":
            db.execute(
                "INSERT INTO duplicates (doc_id, duplicate_of, file, line, outlet, url, title, published, written_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (doc_id) DO UPDATE SET"
                " duplicate_of = excluded.duplicate_of, file = excluded.file, line = excluded.line",
                (*p["row"], now),
            )
            return
        cols = ("id", "source", "line", "outlet", "url", "title", "published", "text", "clean")
        cols += ("offsets", "spans", "meta", "text_hash", "minhash", "written_at")
        updates = ", ".join(f"{c} = excluded.{c}" for c in cols[1:-1])
        # The upsert locks the document row first: a second writer of the same id waits here.
        db.execute(
            f"INSERT INTO documents ({', '.join(cols)}) VALUES ({_placeholders(len(cols))})"
            f" ON CONFLICT (id) DO UPDATE SET {updates}",
            (*p["row"], now),
        )
        db.execute("DELETE FROM mentions WHERE doc_id = ?", (doc_id,))
        db.execute("DELETE FROM doc_events WHERE doc_id = ?", (doc_id,))
        db.executemany(
            "INSERT INTO mentions (doc_id, idx, label, start_off, end_off, text, name, kind, geonameid, latitude,"
            " longitude) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            p["mentions"],
        )
        db.executemany(
            f"INSERT INTO doc_events ({', '.join(_DOC_EVENT_COLUMNS)})"
            f" VALUES ({_placeholders(len(_DOC_EVENT_COLUMNS))}) ON CONFLICT (event_id) DO NOTHING",
            p["events"],
        )
        db.executemany(
            "INSERT INTO event_sources (event_id, doc_id, start_off, end_off, text, fatalities, status,"
            " attributed_to) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (event_id, doc_id, start_off, end_off) DO NOTHING",
            p["sources"],
        )

    def signatures(self) -> Iterator[tuple[str, bytes]]:
        """(doc id, MinHash bytes) of stored documents, so dedup can resume across runs."""
        self.flush()
        for doc_id, sig in self.db.query(
            "SELECT id, minhash FROM documents WHERE minhash IS NOT NULL ORDER BY id"
        ):
            yield doc_id, bytes(sig)

    # -- merging ---------------------------------------------------------------------------
    def merge(self, radius_km: float = 25.0, window_days: int = 3) -> dict[str, int]:
        """Recompute merged events and the control timeline from the per-document events."""
        self.flush()

        def run() -> dict[str, int]:
            with self.db.transaction(lock=True):
                records = self._doc_event_records()
                merged = [combine(c) for c in cluster(records, radius_km, window_days)]
                changes = timeline(merged)
                now = time.time()
                self.db.execute("DELETE FROM event_members")
                self.db.execute("DELETE FROM events")
                self.db.execute("DELETE FROM control_changes")
                self.db.executemany(
                    f"INSERT INTO events ({', '.join(_MERGED_COLUMNS)})"
                    f" VALUES ({_placeholders(len(_MERGED_COLUMNS))})",
                    [_merged_row(m, now) for m in merged],
                )
                self.db.executemany(
                    "INSERT INTO event_members (event_id, member_id) VALUES (?, ?)",
                    [(m["event_id"], mid) for m in merged for mid in m["members"]],
                )
                cc_cols = ("place_key", "seq", "since", "controller", "previous", "location", "geonameid")
                cc_cols += ("latitude", "longitude", "event_ids")
                self.db.executemany(
                    f"INSERT INTO control_changes ({', '.join(cc_cols)}) VALUES ({_placeholders(len(cc_cols))})",
                    [tuple(_json(c[k]) if k == "event_ids" else c[k] for k in cc_cols) for c in changes],
                )
                return {
                    "before": len(records),
                    "after": len(merged),
                    "multi_source": sum(1 for m in merged if m["n_sources"] > 1),
                    "disputed": sum(1 for m in merged if m["status"] == "disputed"),
                    "control_changes": len(changes),
                }

        return self.db.retrying(run)

    def _doc_event_records(self) -> list[dict[str, Any]]:
        cols = ("event_id", "doc_id") + EVENT_COLUMNS + ("arguments",)
        rows = self.db.query(f"SELECT {', '.join(cols)} FROM doc_events")
        out = []
        for row in rows:
            rec = dict(zip(cols, row, strict=True))
            rec["historical"] = bool(rec["historical"])
            rec["attributed_to"] = json.loads(rec["attributed_to"])
            # A default actor (barrel bombs are the regime's) was not read in the text.
            rec["actor1_inferred"] = "actor1" not in json.loads(rec.pop("arguments") or "{}")
            out.append(rec)
        return out

    def stale(self) -> bool:
        """True when per-document events were written or removed since the last merge."""
        row = self.db.one(
            "SELECT 1 FROM doc_events d WHERE NOT EXISTS"
            " (SELECT 1 FROM event_members m WHERE m.member_id = d.event_id)"
            " UNION ALL SELECT 1 FROM event_members m WHERE NOT EXISTS"
            " (SELECT 1 FROM doc_events d WHERE d.event_id = m.member_id)"
        )
        return row is not None

    def _fresh(self) -> None:
        self.flush()
        if self.stale():
            self.merge()

    # -- reading ---------------------------------------------------------------------------
    def events(self, **filters: Any) -> Iterator[dict[str, Any]]:
        """Merged events as export dicts (issue 6 field list), filtered; see :func:`event_filter`."""
        yield from (e for e, _ in self._events(filters))

    def _events(self, filters: dict[str, Any], batch: int = 500) -> Iterator[tuple[dict[str, Any], dict]]:
        """Export dicts with extras (outlets of the documents, merge time) for the CSV export."""
        self._fresh()
        where, params = event_filter(**filters)
        sql = f"SELECT {', '.join(_MERGED_COLUMNS)} FROM events e{where} ORDER BY e.event_date IS NULL, e.event_date, e.event_id"
        limit, offset = filters.get("limit"), filters.get("offset")
        if limit is not None or offset:
            sql += " LIMIT ? OFFSET ?"
            params += [int(limit) if limit is not None else 2**62, int(offset or 0)]
        rows = self.db.query(sql, params)
        for i in range(0, len(rows), batch):
            chunk = [dict(zip(_MERGED_COLUMNS, r, strict=True)) for r in rows[i : i + batch]]
            evidence = self._evidence([c["event_id"] for c in chunk])
            outlets = self._outlets({d for c in chunk for d in json.loads(c["doc_ids"])})
            for c in chunk:
                out = _export_dict(c, evidence.get(c["event_id"], []))
                extras = {
                    "outlets": sorted({outlets[d] for d in out["doc_ids"] if outlets.get(d)}),
                    "merged_at": c["merged_at"],
                    "fatalities_max": c["fatalities_max"],
                }
                yield out, extras

    def _evidence(self, ids: list[str]) -> dict[str, list[dict[str, Any]]]:
        out: dict[str, list[dict[str, Any]]] = {}
        if not ids:
            return out
        rows = self.db.query(
            "SELECT m.event_id, s.doc_id, s.start_off, s.end_off, s.text FROM event_members m"
            " JOIN event_sources s ON s.event_id = m.member_id"
            f" WHERE m.event_id IN ({_placeholders(len(ids))}) ORDER BY m.event_id, s.doc_id, s.start_off, s.end_off",
            ids,
        )
        for eid, doc_id, start, end, text in rows:
            out.setdefault(eid, []).append({"doc_id": doc_id, "start": start, "end": end, "text": text})
        return out

    def _outlets(self, doc_ids: Iterable[str]) -> dict[str, str]:
        ids = list(doc_ids)
        if not ids:
            return {}
        return dict(
            self.db.query(f"SELECT id, outlet FROM documents WHERE id IN ({_placeholders(len(ids))})", ids)
        )

    def event(self, event_id: str) -> dict[str, Any] | None:
        """One merged event by its id (or by the id of any report merged into it), with its sources."""
        self._fresh()
        row = self.db.one(
            "SELECT event_id FROM events WHERE event_id = ?"
            " UNION ALL SELECT event_id FROM event_members WHERE member_id = ?",
            (event_id, event_id),
        )
        if row is None:
            return None
        found = list(self._events({"event_id": row[0]}))
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
                (row[0],),
            )
        ]
        out["fatalities_max"] = extras["fatalities_max"]
        out["outlets"] = extras["outlets"]
        return out

    def document(self, doc_id: str) -> dict[str, Any] | None:
        """A stored document (or its quarantine/duplicate record) with spans and event ids."""
        self.flush()
        cols = ("id", "source", "line", "outlet", "url", "title", "published", "text", "clean", "offsets")
        cols += ("spans", "meta", "text_hash")
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
            "SELECT doc_id, file, line, reason, raw FROM quarantine WHERE doc_id = ?", (doc_id,)
        )
        if row is not None:
            keys = ("id", "source", "line", "reason", "text")
            return dict(zip(keys, (*row[:4], _raw_text(row[4])), strict=True)) | {"state": "quarantined"}
        row = self.db.one(
            "SELECT doc_id, duplicate_of, file, line, outlet, url, title, published FROM duplicates WHERE doc_id = ?",
            (doc_id,),
        )
        if row is not None:
            keys = ("id", "duplicate_of", "source", "line", "outlet", "url", "title", "published")
            return dict(zip(keys, row, strict=True)) | {"state": "duplicate"}
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
    limit: int | None = None,
    offset: int | None = None,
) -> tuple[str, list[Any]]:
    """A parameterised WHERE clause over merged events ``e``; substring filters ignore case."""
    clauses: list[str] = []
    params: list[Any] = []
    if event_id:
        clauses.append("e.event_id = ?")
        params.append(event_id)
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
        clauses.append(
            "LOWER(COALESCE(e.actor1, '') || '|' || COALESCE(e.actor2, '') || '|' || COALESCE(e.assoc_actor_1, '')"
            " || '|' || COALESCE(e.assoc_actor_2, '')) LIKE ?"
        )
        params.append(f"%{actor.lower()}%")
    for column, value in (("event_type", event_type), ("sub_event_type", sub_event_type), ("status", status)):
        if value:
            clauses.append(f"LOWER(e.{column}) = ?")
            params.append(value.lower())
    if country:
        clauses.append("(LOWER(e.country) = ? OR LOWER(e.country_code) = ?)")
        params += [country.lower(), country.lower()]
    if source:
        clauses.append("LOWER(e.attributed_to) LIKE ?")
        params.append(f"%{source.lower()}%")
    if text:
        clauses.append(
            "(LOWER(e.notes) LIKE ? OR EXISTS (SELECT 1 FROM event_members m JOIN event_sources s"
            " ON s.event_id = m.member_id WHERE m.event_id = e.event_id AND LOWER(s.text) LIKE ?))"
        )
        params += [f"%{text.lower()}%"] * 2
    if historical is not None:
        clauses.append("e.historical = ?")
        params.append(1 if historical else 0)
    if min_confidence is not None:
        # an event coded without the model has no confidence: it does not pass a threshold
        clauses.append("e.confidence >= ?")
        params.append(float(min_confidence))
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), params


def _export_dict(row: dict[str, Any], evidence: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in EXPORT_FIELDS:
        if f == "evidence":
            out[f] = evidence
        elif f in ("doc_ids", "attributed_to"):
            out[f] = json.loads(row[f])
        elif f == "historical":
            out[f] = bool(row[f])
        else:
            out[f] = row[f]
    return out


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


def _raw_text(raw: bytes | None) -> str | None:
    return None if raw is None else bytes(raw).decode("utf-8", "surrogatepass")


def _as_event(ev: Any) -> Event:
    return ev if isinstance(ev, Event) else Event.from_dict(ev)


def _prepare(doc: Document) -> dict[str, Any]:
    """Every row one document needs, built before the transaction so the lock is held briefly."""
    published = doc.published.isoformat() if doc.published else None
    reason = doc.quarantine
    if (
        reason is None
        and doc.duplicate_of is None
        and any(
            "\x00" in (x or "") for x in (doc.text, doc.clean, doc.title, doc.url, doc.outlet, doc.source)
        )
    ):
        # PostgreSQL text cannot hold NUL; refusing such a document on both backends keeps the
        # two stores identical, and the quarantine keeps its bytes for inspection.
        reason = NUL_REASON
    if reason is not None:
        return {
            "id": doc.id,
            "kind": "quarantine",
            "row": (doc.id, doc.source, doc.line, reason, doc.text.encode("utf-8", "surrogatepass")),
            "actors": (),
            "places": (),
        }
    if doc.duplicate_of is not None:
        row = (doc.id, doc.duplicate_of, doc.source, doc.line, doc.outlet, doc.url, doc.title, published)
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
    events, sources, ids = [], [], set()
    for i, raw in enumerate(doc.events):
        ev = _as_event(raw)
        d = ev.to_dict()
        if d["event_id"] in ids:
            continue
        ids.add(d["event_id"])
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
    actors = set({a[0]: a for a in sorted(actors, key=lambda a: tuple(str(x) for x in a))}.values())
    places = set({p[0]: p for p in sorted(places, key=lambda p: tuple(str(x) for x in p))}.values())
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
