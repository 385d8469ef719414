"""Analyst review: accounts, decisions on merged events, and how they outlive re-runs and re-merges.

A merged event's id is its smallest member's id, so a new article can change it, and a newer
coder changes the member ids themselves. A review is therefore anchored on the reports behind
the event: for each per-document event, its document (id and text hash), its evidence sentence
and the offsets of its trigger and place words. Every merge matches the anchors again to the
per-document events the store now holds (same id, else same trigger, else same sentence and
type), keeps each reviewed group together, lets a new compatible report join it, and lays the
analyst's values over the machine's:

- a reviewed field wins over the machine's value; where the machine now says something else
  than when the analyst looked, the event carries a *conflict*, shown on the page, not applied;
- a rejected event stays rejected (kept in the events table so the queue can show and reopen
  it, left out of every export, the API's lists and the control timeline);
- an event whose reports the coder no longer finds is kept from the analyst's values and its
  stored sentences, with a conflict saying so; an event the analyst added is kept the same way,
  and stays an added one whatever is decided on it later (rejected, it is listed as such).

Every change is kept in ``review_log`` with who, when, and the state before and after. These
tables have their own migration track (``review_schema_version``) so the store's own schema
steps stay untouched.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from marsad.event import EXPORT_FIELDS, PLACE_FIELDS, STATUSES, SUB_EVENT_TYPES, Event
from marsad.merge.cluster import Linker, _day, cluster, combine, compatible, same_place
from marsad.store.backend import Backend, chunks, column_in, placeholders
from marsad.store.schema import Step, apply_steps

ROLES = ("reader", "editor", "admin")
# How far a report may lie from an analyst's place and still be of that place (a division's
# radius; two named places are one only when they are the same place).
SAME_PLACE_KM = 25.0
# A review's decision is pending (grouping only, or reopened), accepted, corrected, rejected or
# added (an event the coder missed). These make an event "reviewed" in the exports and the gold:
REVIEWED = ("accepted", "corrected", "added")
REJECT_REASONS = (
    "not an event",
    "background",
    "duplicate",
    "wrong country",
    "wrong type",
    "other",
)
# The values an analyst can set; the event type follows the sub-event type.
FIELDS = (
    "sub_event_type",
    "event_date",
    "time_precision",
    "actor1",
    "assoc_actor_1",
    "inter1",
    "actor2",
    "assoc_actor_2",
    "inter2",
    *PLACE_FIELDS,
    "fatalities",
    "status",
    "historical",
    "attributed_to",
)
# How a changed review is named in the store's ``merge_queue``, beside the ids of changed reports.
QUEUED_REVIEW = "review:"
# What each report says for itself (two articles may give two tolls): the gold takes these from
# each article's own report unless the analyst changed them.
PER_REPORT = ("fatalities", "status", "attributed_to")
# Conflicts are judged on these; the place is one value, whatever field of it moved.
COMPARED: dict[str, tuple[str, ...]] = {
    "sub_event_type": ("sub_event_type",),
    "event_date": ("event_date",),
    "actor1": ("actor1",),
    "assoc_actor_1": ("assoc_actor_1",),
    "actor2": ("actor2",),
    "assoc_actor_2": ("assoc_actor_2",),
    "place": ("location", "geonameid", "latitude", "longitude"),
    "fatalities": ("fatalities",),
    "status": ("status",),
    "historical": ("historical",),
    "attributed_to": ("attributed_to",),
}


def _mark_added(db: Backend) -> None:
    """Step 2: which reviews stand for an event the analyst added, read from the log (an added
    event that was accepted or rejected before this step no longer says so in its decision)."""
    db.execute(
        "UPDATE reviews SET added = 1 WHERE review_id IN (SELECT review_id FROM review_log"
        " WHERE action = ? OR after_json LIKE ?)",
        ("add", '%"decision": "added"%'),
    )


MIGRATIONS: list[list[Step]] = [
    [
        """CREATE TABLE users (
            name TEXT PRIMARY KEY, role TEXT NOT NULL, token_hash TEXT NOT NULL UNIQUE,
            created_at TEXT NOT NULL)""",
        """CREATE TABLE reviews (
            review_id TEXT PRIMARY KEY, active INTEGER NOT NULL, decision TEXT NOT NULL,
            reason TEXT, note TEXT, fields TEXT NOT NULL, machine TEXT NOT NULL, changed TEXT NOT NULL,
            reviewer TEXT NOT NULL, reviewed_at TEXT NOT NULL, version INTEGER NOT NULL)""",
        """CREATE TABLE review_anchors (
            review_id TEXT NOT NULL REFERENCES reviews (review_id) ON DELETE CASCADE,
            seq INTEGER NOT NULL, doc_id TEXT NOT NULL, text_hash TEXT, member_id TEXT,
            sub_event_type TEXT, sent_start INTEGER, sent_end INTEGER, sentence TEXT,
            trigger_start INTEGER, trigger_end INTEGER, loc_start INTEGER, loc_end INTEGER,
            PRIMARY KEY (review_id, seq))""",
        "CREATE INDEX review_anchors_doc ON review_anchors (doc_id)",
        """CREATE TABLE review_log (
            seq INTEGER PRIMARY KEY, review_id TEXT NOT NULL, action TEXT NOT NULL, event_id TEXT,
            user_name TEXT NOT NULL, at TEXT NOT NULL, before_json TEXT NOT NULL,
            after_json TEXT NOT NULL, note TEXT)""",
        "CREATE INDEX review_log_review ON review_log (review_id)",
        """CREATE TABLE event_reviews (
            event_id TEXT PRIMARY KEY, review_id TEXT NOT NULL, decision TEXT NOT NULL, reason TEXT,
            reviewer TEXT, reviewed_at TEXT, version INTEGER NOT NULL, reviewed_fields TEXT NOT NULL,
            changed TEXT NOT NULL, machine TEXT NOT NULL, conflicts TEXT NOT NULL, evidence TEXT NOT NULL)""",
        "CREATE INDEX event_reviews_review ON event_reviews (review_id)",
        """CREATE TABLE document_reviews (
            doc_id TEXT PRIMARY KEY, reviewer TEXT NOT NULL, reviewed_at TEXT NOT NULL)""",
    ],
    # An added event stays one whatever the analyst decides on it later (reject, reopen).
    ["ALTER TABLE reviews ADD COLUMN added INTEGER NOT NULL DEFAULT 0", _mark_added],
]


class ReviewError(Exception):
    """A review request the store refuses; ``status`` is the HTTP code the API answers with."""

    status = 400


class NotFound(ReviewError):
    status = 404


class Stale(ReviewError):
    """Someone else changed the event since the client read it (optimistic concurrency)."""

    status = 409


def migrate(db: Backend) -> None:
    """Apply the review tables' own steps; run by the store on open, after its own schema."""
    apply_steps(db, MIGRATIONS, "review_schema_version")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


# -- accounts ---------------------------------------------------------------------------------
def hash_token(token: str) -> str:
    """Tokens are long random strings, so one SHA-256 is enough; only the hash is stored."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def add_user(db: Backend, name: str, role: str) -> str:
    """Create an account and return its token, which is shown once and never stored."""
    if role not in ROLES:
        raise ReviewError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    if not name or len(name) > 100 or any(c in name for c in "\x00\n\r\t"):
        raise ReviewError("a user name is 1 to 100 characters on one line")
    token = "mrs_" + secrets.token_urlsafe(32)

    def run() -> None:
        with db.transaction():
            if db.one("SELECT 1 FROM users WHERE name = ?", (name,)):
                raise ReviewError(f"user {name!r} already exists")
            db.execute(
                "INSERT INTO users (name, role, token_hash, created_at) VALUES (?, ?, ?, ?)",
                (name, role, hash_token(token), _now()),
            )

    db.retrying(run)
    return token


def remove_user(db: Backend, name: str) -> bool:
    with db.transaction():
        found = db.one("SELECT 1 FROM users WHERE name = ?", (name,)) is not None
        db.execute("DELETE FROM users WHERE name = ?", (name,))
    return found


def users(db: Backend) -> list[dict[str, str]]:
    rows = db.query("SELECT name, role, created_at FROM users ORDER BY name")
    return [{"name": n, "role": r, "created_at": c} for n, r, c in rows]


def user_for_token(db: Backend, token: str) -> dict[str, str] | None:
    row = db.one("SELECT name, role FROM users WHERE token_hash = ?", (hash_token(token),))
    return {"name": row[0], "role": row[1]} if row else None


def has_users(db: Backend) -> bool:
    return db.one("SELECT 1 FROM users") is not None


# -- reviews as stored ------------------------------------------------------------------------
@dataclass
class Anchor:
    doc_id: str
    text_hash: str | None
    member_id: str | None
    sub_event_type: str | None
    sent_start: int | None
    sent_end: int | None
    sentence: str | None
    trigger: tuple[int, int] | None
    loc: tuple[int, int] | None

    def row(self, review_id: str, seq: int) -> tuple:
        t, loc = self.trigger or (None, None), self.loc or (None, None)
        return (
            review_id,
            seq,
            self.doc_id,
            self.text_hash,
            self.member_id,
            self.sub_event_type,
            self.sent_start,
            self.sent_end,
            self.sentence,
            *t,
            *loc,
        )


_ANCHOR_COLS = (
    "review_id, seq, doc_id, text_hash, member_id, sub_event_type, sent_start, sent_end, sentence,"
    " trigger_start, trigger_end, loc_start, loc_end"
)


@dataclass
class Review:
    review_id: str
    decision: str
    reason: str | None
    note: str | None
    fields: dict[str, Any]
    machine: dict[str, Any]
    changed: list[str]
    reviewer: str
    reviewed_at: str
    version: int
    # The event is the analyst's own (added), not the coder's: it is kept without a report.
    added: bool = False
    anchors: list[Anchor] = field(default_factory=list)

    def state(self) -> dict[str, Any]:
        """What the log keeps before and after a change."""
        return {
            "decision": self.decision,
            "reason": self.reason,
            "fields": self.fields,
            "changed": self.changed,
            "members": sorted(a.member_id or f"{a.doc_id}:{a.sent_start}" for a in self.anchors),
        }


_REVIEW_COLS = (
    "review_id, decision, reason, note, fields, machine, changed, reviewer, reviewed_at, version, added"
)


def _review(row: tuple) -> Review:
    rid, decision, reason, note, fields, machine, changed, reviewer, at, version, added = row
    return Review(
        rid,
        decision,
        reason,
        note,
        json.loads(fields),
        json.loads(machine),
        json.loads(changed),
        reviewer,
        at,
        version,
        bool(added),
    )


def _anchor(row: tuple) -> Anchor:
    _, _, doc_id, text_hash, member, sub, s0, s1, sentence, t0, t1, l0, l1 = row
    return Anchor(
        doc_id,
        text_hash,
        member,
        sub,
        s0,
        s1,
        sentence,
        (t0, t1) if t0 is not None else None,
        (l0, l1) if l0 is not None else None,
    )


def active_reviews(db: Backend) -> list[Review]:
    reviews = {
        r.review_id: r
        for r in map(
            _review, db.query(f"SELECT {_REVIEW_COLS} FROM reviews WHERE active = 1 ORDER BY review_id")
        )
    }
    if reviews:
        for row in db.query(
            f"SELECT {', '.join('a.' + c.strip() for c in _ANCHOR_COLS.split(','))} FROM review_anchors a"
            " JOIN reviews r ON r.review_id = a.review_id WHERE r.active = 1 ORDER BY a.review_id, a.seq"
        ):
            reviews[row[0]].anchors.append(_anchor(row))
    return list(reviews.values())


def _load_review(db: Backend, review_id: str) -> Review | None:
    row = db.one(f"SELECT {_REVIEW_COLS} FROM reviews WHERE review_id = ?", (review_id,))
    if row is None:
        return None
    rev = _review(row)
    rev.anchors = [
        _anchor(r)
        for r in db.query(
            f"SELECT {_ANCHOR_COLS} FROM review_anchors WHERE review_id = ? ORDER BY seq", (review_id,)
        )
    ]
    return rev


# -- matching anchors to the per-document events of this run -----------------------------------
def _score(a: Anchor, rec: dict[str, Any], sentence: tuple | None, rev: Review) -> int:
    """How surely ``rec`` is the report the anchor was taken from; 0 when it is not.

    The same id, else the same trigger word, else the same sentence and type; an event the
    analyst added (no trigger of its own) must also be at the analyst's place, so that adding
    a second strike to a sentence the coder read one strike from never takes the coder's one.
    """
    if a.member_id and rec["event_id"] == a.member_id:
        return 100
    args = rec.get("arguments") or {}
    trigger, loc = args.get("trigger"), args.get("location")
    same_trigger = a.trigger is not None and trigger is not None and tuple(trigger[:2]) == a.trigger
    same_loc = a.loc is not None and loc is not None and tuple(loc[:2]) == a.loc
    same_sentence = sentence is not None and (
        (sentence[0], sentence[1]) == (a.sent_start, a.sent_end)
        or (a.sentence is not None and sentence[2] == a.sentence)
    )
    same_type = rec["sub_event_type"] in (a.sub_event_type, rev.fields.get("sub_event_type"))
    places = [p for p in (rev.fields, rev.machine) if p.get("location") or p.get("latitude") is not None]
    at_place = any(same_place_as(rec, p) for p in places)
    if not (same_trigger or (same_sentence and same_type and (a.trigger is not None or at_place))):
        return 0
    return 8 * same_trigger + 4 * same_loc + 4 * at_place + 2 * same_sentence + same_type


def resolve(
    db: Backend, reviews: list[Review], records: list[dict[str, Any]]
) -> tuple[dict[str, str], dict[str, list[Anchor]]]:
    """Which review owns each per-document event now, and each review's anchors left unmatched.

    Best matches are taken first, each anchor and each report at most once: the result does
    not depend on the order of the records.
    """
    anchors = [(r, a) for r in reviews for a in r.anchors]
    if not anchors:
        return {}, {}
    wanted = sorted({a.doc_id for _, a in anchors})
    present = column_in(db, "SELECT id FROM documents WHERE id IN ({marks})", wanted)
    # A document stored again under another id (a new id scheme) is found by its text.
    hashes = sorted({a.text_hash for _, a in anchors if a.doc_id not in present and a.text_hash})
    by_hash: dict[str, str] = {}
    for chunk in chunks(hashes):
        for doc_id, h in db.query(
            f"SELECT id, text_hash FROM documents WHERE text_hash IN ({placeholders(len(chunk))}) ORDER BY id",
            chunk,
        ):
            by_hash.setdefault(h, doc_id)

    def current(a: Anchor) -> str | None:
        return a.doc_id if a.doc_id in present else by_hash.get(a.text_hash or "")

    docs = sorted({d for _, a in anchors if (d := current(a))})
    by_doc: dict[str, list[dict[str, Any]]] = defaultdict(list)
    wanted_docs = set(docs)
    for rec in records:
        if rec["doc_id"] in wanted_docs:
            by_doc[rec["doc_id"]].append(rec)
    sentences: dict[str, tuple] = {}
    for chunk in chunks(docs):
        for eid, s0, s1, text in db.query(
            f"SELECT event_id, start_off, end_off, text FROM event_sources WHERE doc_id IN ({placeholders(len(chunk))})"
            " ORDER BY event_id, start_off, end_off",
            chunk,
        ):
            sentences.setdefault(eid, (s0, s1, text))
    pairs = []
    for i, (rev, a) in enumerate(anchors):
        doc = current(a)
        for rec in by_doc.get(doc or "", ()):
            s = _score(a, rec, sentences.get(rec["event_id"]), rev)
            if s:
                pairs.append((-s, i, rec["event_id"]))
    pairs.sort()
    used_anchor: set[int] = set()
    owner: dict[str, str] = {}
    for _, i, eid in pairs:
        if i in used_anchor or eid in owner:
            continue
        used_anchor.add(i)
        owner[eid] = anchors[i][0].review_id
    unmatched: dict[str, list[Anchor]] = defaultdict(list)
    for i, (rev, a) in enumerate(anchors):
        if i not in used_anchor:
            unmatched[rev.review_id].append(a)
    return owner, dict(unmatched)


# -- merging with the analysts' decisions -----------------------------------------------------
def same_place_as(rec: dict[str, Any], place: dict[str, Any]) -> bool:
    """The report is at that place (same GeoNames id or name, or a few kilometres off)."""
    return same_place(rec, place, SAME_PLACE_KM)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return a is not None and b is not None and abs(float(a) - float(b)) < 1e-6
    if isinstance(a, list | tuple) or isinstance(b, list | tuple):
        return list(a or []) == list(b or [])
    if isinstance(a, bool) or isinstance(b, bool):
        return bool(a) == bool(b)
    return a == b


def snapshot(event: dict[str, Any]) -> dict[str, Any]:
    """The reviewable values of an event, as JSON-friendly data."""
    out = {f: event.get(f) for f in FIELDS}
    out["historical"] = bool(out["historical"])
    out["attributed_to"] = list(out["attributed_to"] or [])
    return out


def differing(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    """The compared values (``COMPARED`` keys) that differ between two snapshots."""
    return [k for k, fs in COMPARED.items() if not all(_same(a.get(f), b.get(f)) for f in fs)]


def _overlay(rec: dict[str, Any], fields: dict[str, Any]) -> dict[str, Any]:
    out = dict(rec)
    out.update(fields)
    return out


def _pseudo(rev: Review) -> dict[str, Any] | None:
    """A member-less reviewed event as a record the merge can compare new reports with."""
    if not rev.fields or not rev.anchors:
        return None
    rec = dict(rev.fields)
    rec.update(event_id="rv-" + rev.review_id, doc_id=rev.anchors[0].doc_id, actor1_inferred=False)
    return rec


def reach(review_id: str, values: dict[str, Any]) -> dict[str, Any]:
    """A reviewed event as a report that others may be linked to: the analyst's values new
    reports are compared with (:func:`_attach`), under an id and a document no report has
    (``QUEUED_REVIEW`` and the review's id), its actor1 read as the coder's default so that no
    report it may take is left out. An incremental merge links reports to these as to the
    machine's, so it finds the reports a review may take on values no report of it shares."""
    rec = {k: v for k, v in values.items() if k not in PER_REPORT}
    rec.update(event_id=QUEUED_REVIEW + review_id, doc_id=QUEUED_REVIEW + review_id, actor1_inferred=True)
    return rec


def reaches(db: Backend, review_ids: Iterable[str]) -> list[dict[str, Any]]:
    """These active reviews as :func:`reach` records; none for a rejected one (it takes no new
    report) or one without values (its reports' own values are the machine's)."""
    out = []
    ids = sorted(review_ids)
    for chunk in chunks(ids):
        for rid, decision, fields in db.query(
            "SELECT review_id, decision, fields FROM reviews WHERE active = 1"
            f" AND review_id IN ({placeholders(len(chunk))}) ORDER BY review_id",
            chunk,
        ):
            values = json.loads(fields)
            if decision != "rejected" and values.get("sub_event_type"):
                out.append(reach(rid, values))
    return out


_REACH_COLS = [f for f in FIELDS if f not in PER_REPORT]


def reviewed_between(
    db: Backend, sub_event_type: str, historical: bool, first: str, last: str
) -> list[dict[str, Any]]:
    """The merged events of a type and days (``first`` to ``last``) whose values an analyst
    set, as :func:`reach` records: the events table holds each one's reviewed values since
    the merge after its last change."""
    cols = ", ".join("e." + c for c in _REACH_COLS)
    rows = db.query(
        f"SELECT r.review_id, {cols} FROM events e JOIN event_reviews r ON r.event_id = e.event_id"
        " WHERE r.decision <> ? AND r.reviewed_fields <> ? AND e.sub_event_type = ? AND e.historical = ?"
        " AND e.event_date >= ? AND e.event_date <= ? ORDER BY r.review_id",
        ("rejected", "[]", sub_event_type, 1 if historical else 0, first, last),
    )
    return [reach(row[0], dict(zip(_REACH_COLS, row[1:], strict=True))) for row in rows]


def merge_events(
    db: Backend,
    records: list[dict[str, Any]],
    radius_km: float,
    window_days: int,
    reviews: list[Review] | None = None,
    linker: Linker | None = None,
) -> tuple[list[dict[str, Any]], list[tuple]]:
    """The merged events with the analysts' decisions applied, and the ``event_reviews`` rows.

    Without any review this is exactly ``combine`` over ``cluster``. ``reviews`` defaults to
    every active one (a full merge); a local merge passes those of its events. ``linker`` holds
    the records linked already (see :func:`marsad.merge.cluster.cluster`).
    """
    if reviews is None:
        reviews = active_reviews(db)
    if not reviews:
        return [combine(c) for c in cluster(records, radius_km, window_days, linker)], []
    owner, unmatched = resolve(db, reviews, records)
    by_id = {r.review_id: r for r in reviews}
    groups: dict[str, list[dict[str, Any]]] = {r.review_id: [] for r in reviews}
    free = []
    for rec in records:
        rid = owner.get(rec["event_id"])
        (groups[rid] if rid else free).append(rec)
    free = _attach(free, groups, by_id, radius_km, window_days)
    merged = [combine(c) for c in cluster(free, radius_km, window_days, linker)]
    rows = []
    for rid in sorted(groups):
        built = _reviewed_event(by_id[rid], groups[rid], unmatched.get(rid, []))
        if built is not None:
            merged.append(built[0])
            rows.append(built[1])
    return merged, rows


def _attach(
    free: list[dict[str, Any]],
    groups: dict[str, list[dict[str, Any]]],
    by_id: dict[str, Review],
    radius_km: float,
    window_days: int,
) -> list[dict[str, Any]]:
    """Let each new report join a reviewed event it is compatible with; returns the others.

    A rejected event takes no new report: another article about it is for the analyst to judge.
    """
    index: dict[tuple, dict[date, list[str]]] = defaultdict(lambda: defaultdict(list))
    views: dict[str, list[dict[str, Any]]] = {}
    for rid in sorted(groups):
        rev = by_id[rid]
        if rev.decision == "rejected":
            continue
        identity = {k: v for k, v in rev.fields.items() if k not in PER_REPORT}
        members = [_overlay(m, identity) for m in groups[rid]] or [p for p in [_pseudo(rev)] if p]
        if not members:
            continue
        views[rid] = members
        day = _day(members[0])
        if day is None:
            continue
        key = (bool(members[0].get("historical")), members[0]["sub_event_type"])
        index[key][day].append(rid)
    if not index:
        return free
    left = []
    for rec in sorted(free, key=lambda r: r["event_id"]):
        day = _day(rec)
        days = index.get((bool(rec.get("historical")), rec["sub_event_type"]))
        home = None
        if day is not None and days:
            near = sorted(
                rid
                for d in range(-window_days, window_days + 1)
                for rid in days.get(date.fromordinal(day.toordinal() + d), ())
            )
            home = next(
                (rid for rid in near if all(compatible(rec, m, radius_km, window_days) for m in views[rid])),
                None,
            )
        if home is None:
            left.append(rec)
        else:
            groups[home].append(rec)
            views[home].append(rec)
    return left


def _notes(ev: dict[str, Any], figures: list[int]) -> str:
    e = Event(sub_event_type=ev["sub_event_type"], doc_ids=list(ev["doc_ids"]), evidence=[])
    for f in ("event_date", "actor1", "actor2", "location", "admin1", "fatalities", "status", "historical"):
        setattr(e, f, ev.get(f))
    e.attributed_to = list(ev.get("attributed_to") or [])
    sentence = e.make_notes()
    if len(ev["doc_ids"]) > 1:
        sentence = sentence.rstrip(".") + f"; reported in {len(ev['doc_ids'])} documents."
    if figures and min(figures) != max(figures):
        sentence = sentence.rstrip(".") + f"; reports give {min(figures)} to {max(figures)} killed."
    return sentence


def _reviewed_event(
    rev: Review, members: list[dict[str, Any]], unmatched: list[Anchor]
) -> tuple[dict[str, Any], tuple] | None:
    machine = combine(members) if members else None
    if machine is None and (not rev.fields or (rev.decision == "rejected" and not rev.added)):
        # Nothing to show; the decision waits in case the coder finds it again. An added event
        # is the analyst's values: rejected, it stays in the rejected list, to be reopened.
        return None
    figures = [m["fatalities"] for m in members if m.get("fatalities") is not None]
    if machine is not None:
        out = dict(machine)
    else:
        out = {
            "members": [],
            "event_id": "rv-" + rev.review_id,
            "fatalities_max": rev.fields.get("fatalities"),
        }
    if rev.decision != "rejected" or machine is None:
        out.update(rev.fields)
    doc_ids = set(out.get("doc_ids") or []) | {a.doc_id for a in unmatched}
    out["doc_ids"] = sorted(doc_ids)
    out["n_sources"] = len(doc_ids)
    out["event_type"] = SUB_EVENT_TYPES.get(out["sub_event_type"], "Strategic developments")
    if out.get("fatalities") is not None and (out.get("fatalities_max") or 0) < out["fatalities"]:
        out["fatalities_max"] = out["fatalities"]
    out["notes"] = _notes(out, figures)
    now = snapshot(machine) if machine is not None else {}
    conflicts = []
    if machine is None and not rev.added:
        conflicts.append(
            {"field": "event", "reviewed": "kept", "machine": "no longer coded", "machine_then": None}
        )
    elif machine is not None and rev.fields and rev.machine:
        for key in differing(now, rev.machine):
            fs = COMPARED[key]
            if key in differing(now, rev.fields) and all(f in rev.fields for f in fs):
                conflicts.append(
                    {
                        "field": key,
                        "reviewed": _shown(rev.fields, fs),
                        "machine": _shown(now, fs),
                        "machine_then": _shown(rev.machine, fs),
                    }
                )
    evidence = [
        {"doc_id": a.doc_id, "start": a.sent_start, "end": a.sent_end, "text": a.sentence}
        for a in unmatched
        if a.sentence is not None and a.sent_start is not None
    ]
    row = (
        out["event_id"],
        rev.review_id,
        rev.decision,
        rev.reason,
        rev.reviewer,
        rev.reviewed_at,
        rev.version,
        _json(sorted(rev.fields)),
        _json(rev.changed),
        _json(now),
        _json(conflicts),
        _json(evidence),
    )
    out["rejected"] = rev.decision == "rejected"
    return out, row


def _shown(values: dict[str, Any], fs: tuple[str, ...]) -> Any:
    return values.get(fs[0]) if len(fs) == 1 else values.get("location") or values.get("latitude")


EVENT_REVIEW_COLS = (
    "event_id",
    "review_id",
    "decision",
    "reason",
    "reviewer",
    "reviewed_at",
    "version",
    "reviewed_fields",
    "changed",
    "machine",
    "conflicts",
    "evidence",
)


def insert_states(db: Backend, rows: list[tuple]) -> None:
    """Write per-event review states (inside the merge's transaction)."""
    db.executemany(
        f"INSERT INTO event_reviews ({', '.join(EVENT_REVIEW_COLS)}) VALUES ({placeholders(len(EVENT_REVIEW_COLS))})",
        rows,
    )


# -- reading ----------------------------------------------------------------------------------
_BY_DATE = "e.event_date IS NULL, e.event_date, e.event_id"
# The least certain first: by the coder's confidence where events carry one (issue 17), else by
# their number of sources (one article's word before several's).
_LEAST_CERTAIN = "e.confidence IS NULL, e.confidence" if "confidence" in EXPORT_FIELDS else "e.n_sources"
# Orders of an event list (SQL over merged events ``e``).
ORDERS = {
    "date": _BY_DATE,
    "recent": "e.event_date IS NULL, e.event_date DESC, e.event_id",
    "disputed": f"CASE WHEN e.status = 'disputed' THEN 0 WHEN e.status = 'denied' THEN 1 ELSE 2 END, {_BY_DATE}",
    "confidence": f"{_LEAST_CERTAIN}, {_BY_DATE}",
}


def decisions(db: Backend, event_ids: Sequence[str], only: str | None = None) -> dict[str, str]:
    """The review decision of each listed merged event that has one (or only that decision)."""
    out: dict[str, str] = {}
    extra = " AND decision = ?" if only else ""
    for chunk in chunks(list(event_ids)):
        out.update(
            db.query(
                f"SELECT event_id, decision FROM event_reviews WHERE event_id IN ({placeholders(len(chunk))}){extra}",
                [*chunk, only] if only else chunk,
            )
        )
    return out


def reviews_of_events(db: Backend, event_ids: Sequence[str]) -> set[str]:
    return column_in(db, "SELECT review_id FROM event_reviews WHERE event_id IN ({marks})", event_ids)


def anchored_in(db: Backend, doc_ids: Iterable[str]) -> set[str]:
    """The active reviews with an anchor in any of these documents (an incremental merge that
    re-merges their reports takes these reviews along)."""
    return column_in(
        db,
        "SELECT DISTINCT a.review_id FROM review_anchors a JOIN reviews r ON r.review_id = a.review_id"
        " WHERE r.active = 1 AND a.doc_id IN ({marks})",
        doc_ids,
    )


def events_of_documents(db: Backend, review_ids: Iterable[str]) -> set[str]:
    """Merged events holding a report from any document the reviews are anchored in."""
    ids = set(review_ids)
    docs = column_in(db, "SELECT doc_id FROM review_anchors WHERE review_id IN ({marks})", ids)
    out = column_in(
        db,
        "SELECT m.event_id FROM doc_events d JOIN event_members m ON m.member_id = d.event_id"
        " WHERE d.doc_id IN ({marks})",
        docs,
    )
    # And the events the reviews themselves stand for (an added event has no report yet).
    return out | column_in(db, "SELECT event_id FROM event_reviews WHERE review_id IN ({marks})", ids)


def reviewed_value(decision: str | None) -> str | None:
    """The export's ``reviewed`` column: the decision when an analyst confirmed the event."""
    return decision if decision in REVIEWED else None


def filter_clause(review: str | None) -> tuple[str | None, list[Any]]:
    """A WHERE condition over merged events ``e`` for a review state.

    ``None`` (every list and export by default) leaves rejected events out; ``reviewed``:
    accepted, corrected or added; ``pending``: no decision yet; ``conflict``: a reviewed value
    the machine now contradicts; ``rejected``; ``all``.
    """
    if review == "all":
        return None, []
    if review is None:
        return (
            "NOT EXISTS (SELECT 1 FROM event_reviews r WHERE r.event_id = e.event_id AND r.decision = ?)",
            ["rejected"],
        )
    if review == "pending":
        return (
            "NOT EXISTS (SELECT 1 FROM event_reviews r WHERE r.event_id = e.event_id AND r.decision <> ?)",
            ["pending"],
        )
    if review == "reviewed":
        return (
            f"EXISTS (SELECT 1 FROM event_reviews r WHERE r.event_id = e.event_id AND r.decision IN ({placeholders(len(REVIEWED))}))",
            list(REVIEWED),
        )
    if review == "conflict":
        return "EXISTS (SELECT 1 FROM event_reviews r WHERE r.event_id = e.event_id AND r.conflicts <> ?)", [
            "[]"
        ]
    if review == "todo":
        return (
            "NOT EXISTS (SELECT 1 FROM event_reviews r WHERE r.event_id = e.event_id AND r.decision <> ?"
            " AND r.conflicts = ?)",
            ["pending", "[]"],
        )
    if review == "rejected":
        return "EXISTS (SELECT 1 FROM event_reviews r WHERE r.event_id = e.event_id AND r.decision = ?)", [
            "rejected"
        ]
    raise ValueError(f"unknown review state {review!r}")


def state(db: Backend, event_id: str) -> dict[str, Any] | None:
    """The review state of one merged event (None when no analyst has touched it)."""
    row = db.one(f"SELECT {', '.join(EVENT_REVIEW_COLS)} FROM event_reviews WHERE event_id = ?", (event_id,))
    if row is None:
        return None
    d = dict(zip(EVENT_REVIEW_COLS, row, strict=True))
    for k in ("reviewed_fields", "changed", "machine", "conflicts", "evidence"):
        d[k] = json.loads(d[k])
    return d


def history(db: Backend, review_ids: Sequence[str]) -> list[dict[str, Any]]:
    out = []
    for chunk in chunks(list(review_ids)):
        for seq, rid, action, eid, user, at, before, after, note in db.query(
            "SELECT seq, review_id, action, event_id, user_name, at, before_json, after_json, note FROM review_log"
            f" WHERE review_id IN ({placeholders(len(chunk))}) ORDER BY seq",
            chunk,
        ):
            out.append(
                {
                    "seq": seq,
                    "review_id": rid,
                    "action": action,
                    "event_id": eid,
                    "user": user,
                    "at": at,
                    "before": json.loads(before),
                    "after": json.loads(after),
                    "note": note,
                }
            )
    return sorted(out, key=lambda h: h["seq"])


def locate(db: Backend, event_id: str) -> str | None:
    """The merged event now holding ``event_id``: itself, a report merged into it, or a review's."""
    row = db.one(
        "SELECT event_id FROM events WHERE event_id = ?"
        " UNION ALL SELECT event_id FROM event_members WHERE member_id = ?"
        " UNION ALL SELECT event_id FROM event_reviews WHERE review_id = ?",
        (event_id, event_id, event_id.removeprefix("rv-")),
    )
    return row[0] if row else None


# -- writing decisions ------------------------------------------------------------------------
def _event_row(db: Backend, event_id: str) -> dict[str, Any]:
    cols = ("event_id",) + FIELDS
    row = db.one(f"SELECT {', '.join(cols)} FROM events WHERE event_id = ?", (event_id,))
    if row is None:
        raise NotFound(f"no such event: {event_id}")
    ev = dict(zip(cols, row, strict=True))
    ev["attributed_to"] = json.loads(ev["attributed_to"]) if isinstance(ev["attributed_to"], str) else []
    ev["historical"] = bool(ev["historical"])
    return ev


def _member_anchors(db: Backend, member_ids: Sequence[str]) -> list[Anchor]:
    out = []
    for chunk in chunks(sorted(member_ids)):
        rows = db.query(
            "SELECT d.event_id, d.doc_id, doc.text_hash, d.sub_event_type, d.arguments FROM doc_events d"
            f" LEFT JOIN documents doc ON doc.id = d.doc_id WHERE d.event_id IN ({placeholders(len(chunk))}) ORDER BY d.event_id",
            chunk,
        )
        sentences: dict[str, tuple] = {}
        for eid, s0, s1, text in db.query(
            f"SELECT event_id, start_off, end_off, text FROM event_sources WHERE event_id IN ({placeholders(len(chunk))})"
            " ORDER BY event_id, start_off, end_off",
            chunk,
        ):
            sentences.setdefault(eid, (s0, s1, text))
        for eid, doc_id, text_hash, sub, args in rows:
            a = json.loads(args or "{}")
            s = sentences.get(eid, (None, None, None))
            t, loc = a.get("trigger"), a.get("location")
            out.append(
                Anchor(
                    doc_id,
                    text_hash,
                    eid,
                    sub,
                    s[0],
                    s[1],
                    s[2],
                    (t[0], t[1]) if t else None,
                    (loc[0], loc[1]) if loc else None,
                )
            )
    return out


@dataclass
class Target:
    """A merged event as a review action finds it: its members, anchors and current review."""

    event_id: str
    event: dict[str, Any]
    machine: dict[str, Any]
    members: list[str]
    review: Review | None
    orphan_anchors: list[Anchor]


def _target(db: Backend, event_id: str) -> Target:
    eid = locate(db, event_id)
    if eid is None:
        raise NotFound(f"no such event: {event_id}")
    ev = _event_row(db, eid)
    members = [
        r[0]
        for r in db.query("SELECT member_id FROM event_members WHERE event_id = ? ORDER BY member_id", (eid,))
    ]
    st = db.one("SELECT review_id, machine FROM event_reviews WHERE event_id = ?", (eid,))
    rev = _load_review(db, st[0]) if st else None
    machine = json.loads(st[1]) if st and st[1] != "{}" else snapshot(ev)
    orphans = []
    if rev is not None:
        # Anchors the coder no longer matches stay with the review.
        matched = set(members)
        orphans = [a for a in rev.anchors if a.member_id not in matched]
    return Target(eid, ev, machine, members, rev, orphans)


def _anchors_of(db: Backend, t: Target) -> list[Anchor]:
    found = _member_anchors(db, t.members)
    keep = [
        a
        for a in t.orphan_anchors
        if (a.doc_id, a.sent_start, a.trigger) not in {(b.doc_id, b.sent_start, b.trigger) for b in found}
    ]
    return found + keep


def _save(
    db: Backend,
    rev: Review,
    anchors: list[Anchor],
    *,
    action: str,
    user: str,
    event_id: str | None,
    before: dict[str, Any],
    note: str | None,
) -> None:
    db.execute(
        "INSERT INTO reviews (review_id, active, decision, reason, note, fields, machine, changed, reviewer,"
        " reviewed_at, version, added) VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (review_id) DO UPDATE SET active = 1, decision = excluded.decision,"
        " reason = excluded.reason, note = excluded.note, fields = excluded.fields, machine = excluded.machine,"
        " changed = excluded.changed, reviewer = excluded.reviewer, reviewed_at = excluded.reviewed_at,"
        " version = excluded.version, added = excluded.added",
        (
            rev.review_id,
            rev.decision,
            rev.reason,
            rev.note,
            _json(rev.fields),
            _json(rev.machine),
            _json(rev.changed),
            rev.reviewer,
            rev.reviewed_at,
            rev.version,
            1 if rev.added else 0,
        ),
    )
    db.execute("DELETE FROM review_anchors WHERE review_id = ?", (rev.review_id,))
    db.executemany(
        f"INSERT INTO review_anchors ({_ANCHOR_COLS}) VALUES ({placeholders(13)})",
        [a.row(rev.review_id, i) for i, a in enumerate(anchors)],
    )
    rev.anchors = anchors
    _log(db, rev.review_id, action, event_id, user, before, rev.state(), note)


def _log(
    db: Backend,
    review_id: str,
    action: str,
    event_id: str | None,
    user: str,
    before: dict[str, Any],
    after: dict[str, Any],
    note: str | None,
) -> None:
    row = db.one("SELECT MAX(seq) FROM review_log")
    seq = ((row[0] if row else None) or 0) + 1
    db.execute(
        "INSERT INTO review_log (seq, review_id, action, event_id, user_name, at, before_json, after_json, note)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (seq, review_id, action, event_id, user, _now(), _json(before), _json(after), note),
    )
    # Every change to a review waits for the next merge, like a changed report (store.merge).
    db.execute("INSERT INTO merge_queue (event_id) VALUES (?)", (QUEUED_REVIEW + review_id,))


def _check_version(t: Target, if_version: int | None) -> None:
    current = t.review.version if t.review else 0
    if if_version is not None and if_version != current:
        raise Stale(f"the event changed since version {if_version} (now {current}); reload it")


def clean_fields(values: dict[str, Any]) -> dict[str, Any]:
    """Validate analyst values: known fields, ACLED types and statuses, ISO dates, sane numbers."""
    out: dict[str, Any] = {}
    for k, v in values.items():
        if k not in FIELDS:
            raise ReviewError(f"{k!r} is not a reviewable field")
        if k == "sub_event_type" and v not in SUB_EVENT_TYPES:
            raise ReviewError(f"unknown sub-event type {v!r}")
        if k == "status" and v not in STATUSES:
            raise ReviewError(f"unknown status {v!r}")
        if k == "event_date" and v is not None:
            try:
                date.fromisoformat(str(v))
            except ValueError:
                raise ReviewError(f"event_date must be YYYY-MM-DD, not {v!r}") from None
            v = str(v)
        if k == "attributed_to":
            v = [str(x) for x in (v or [])]
        if k == "historical":
            v = bool(v)
        if k == "fatalities" and v is not None and (not isinstance(v, int) or v < 0):
            raise ReviewError("fatalities must be a whole number, 0 or more")
        if k == "latitude" and v is not None and not -90 <= float(v) <= 90:
            raise ReviewError("latitude must lie in [-90, 90]")
        if k == "longitude" and v is not None and not -180 <= float(v) <= 180:
            raise ReviewError("longitude must lie in [-180, 180]")
        out[k] = v
    return out


def decide(
    db: Backend,
    event_id: str,
    *,
    user: str,
    decision: str,
    fields: dict[str, Any] | None = None,
    reason: str | None = None,
    note: str | None = None,
    if_version: int | None = None,
) -> str:
    """Accept, correct, reject or reopen one merged event; returns the review's id.

    Accepting or correcting freezes every reviewable value as the analyst saw it (with the
    corrections in), so a later machine value can only be flagged, never applied silently.
    """
    if decision not in ("accepted", "corrected", "rejected", "pending"):
        raise ReviewError(f"unknown decision {decision!r}")
    if decision == "rejected" and reason not in REJECT_REASONS:
        raise ReviewError(f"a rejection needs a reason: one of {', '.join(REJECT_REASONS)}")
    patch = clean_fields(fields or {})

    def run() -> str:
        with db.transaction(lock=True):
            t = _target(db, event_id)
            _check_version(t, if_version)
            before = t.review.state() if t.review else {"decision": None, "fields": {}, "members": t.members}
            rev = t.review or Review(
                uuid.uuid4().hex[:16], "pending", None, None, {}, {}, [], user, _now(), 0
            )
            current = snapshot(t.event)
            if decision in ("accepted", "corrected"):
                values = current | patch
                rev.fields = values
                rev.changed = differing(values, t.machine)
                rev.decision = "added" if rev.added else "corrected" if rev.changed else "accepted"
                rev.reason = None
            elif decision == "rejected":
                rev.decision, rev.reason = "rejected", reason
            elif rev.added:  # reopen an added event: it is the analyst's values, nothing else
                rev.decision, rev.reason = "added", None
            else:  # reopen: forget the decision, keep the grouping
                rev.decision, rev.reason, rev.fields, rev.changed = "pending", None, {}, []
            rev.machine = t.machine
            rev.note = note
            rev.reviewer, rev.reviewed_at, rev.version = user, _now(), rev.version + 1
            action = {"pending": "reopen"}.get(decision, rev.decision)
            _save(
                db,
                rev,
                _anchors_of(db, t),
                action=action,
                user=user,
                event_id=t.event_id,
                before=before,
                note=note,
            )
            return rev.review_id

    return db.retrying(run)


def add_event(
    db: Backend,
    doc_id: str,
    start: int,
    end: int,
    fields: dict[str, Any],
    *,
    user: str,
    note: str | None = None,
) -> str:
    """An event the coder missed, written by the analyst from a sentence of a stored document."""
    values = clean_fields(fields)
    if "sub_event_type" not in values:
        raise ReviewError("an added event needs its sub_event_type")

    def run() -> str:
        with db.transaction(lock=True):
            row = db.one("SELECT clean, text_hash FROM documents WHERE id = ?", (doc_id,))
            if row is None:
                raise NotFound(f"no such document: {doc_id}")
            clean, text_hash = row
            if not 0 <= start < end <= len(clean):
                raise ReviewError(f"the evidence range {start}-{end} lies outside the document")
            base = snapshot({"status": "reported", "historical": False})
            rev = Review(
                uuid.uuid4().hex[:16], "added", None, note, base | values, {}, [], user, _now(), 1, added=True
            )
            rev.changed = differing(rev.fields, base)
            anchor = Anchor(
                doc_id, text_hash, None, values["sub_event_type"], start, end, clean[start:end], None, None
            )
            _save(db, rev, [anchor], action="add", user=user, event_id=None, before={}, note=note)
            return rev.review_id

    return db.retrying(run)


def regroup(
    db: Backend,
    event_ids: Sequence[str],
    *,
    user: str,
    note: str | None = None,
    if_versions: Sequence[int] | None = None,
) -> str:
    """Merge several events into one: one review over all their reports.

    The values and decision of an accepted, corrected or added event carry over (of the one
    with the smallest id when several are: the result does not depend on the order of the ids);
    without one, the merged event waits for review. The old reviews are kept, inactive, in the
    log. ``if_versions`` are the versions the client saw, one for each of ``event_ids``.
    """
    if len(set(event_ids)) < 2:
        raise ReviewError("merging needs two events or more")
    if if_versions is not None and len(if_versions) != len(event_ids):
        raise ReviewError("give one version for each event merged (if_versions)")

    def run() -> str:
        with db.transaction(lock=True):
            targets = [_target(db, e) for e in event_ids]
            for t, seen in zip(targets, if_versions or (), strict=False):
                _check_version(t, seen)
            # Each event once, in a stable order.
            targets = sorted({t.event_id: t for t in targets}.values(), key=lambda t: t.event_id)
            if len(targets) < 2:
                raise ReviewError("those ids are one event already")
            anchors: list[Anchor] = []
            for t in targets:
                anchors += _anchors_of(db, t)
            lead = next(
                (t for t in targets if t.review and t.review.decision not in ("pending", "rejected")), None
            )
            # Above every version it replaces: a client holding one of those gets 409, not a match.
            version = max((t.review.version for t in targets if t.review), default=0) + 1
            rev = Review(uuid.uuid4().hex[:16], "pending", None, note, {}, {}, [], user, _now(), version)
            if lead is not None and lead.review is not None:
                rev.decision, rev.fields = lead.review.decision, dict(lead.review.fields)
                rev.changed, rev.added = list(lead.review.changed), lead.review.added
            # The machine's values the lead's were judged against (a conflict is read from them).
            rev.machine = (lead or targets[0]).machine
            before = {"merged": [t.event_id for t in targets]}
            for t in targets:
                if t.review is not None:
                    _retire(db, t.review, user, f"merged into {rev.review_id}")
            _save(
                db,
                rev,
                anchors,
                action="merge",
                user=user,
                event_id=targets[0].event_id,
                before=before,
                note=note,
            )
            return rev.review_id

    return db.retrying(run)


def split(
    db: Backend,
    event_id: str,
    member_ids: Sequence[str],
    *,
    user: str,
    note: str | None = None,
    if_version: int | None = None,
) -> str:
    """Split the listed reports off an event into a new one, which waits for review.

    Both parts become fixed groups so the next merge does not join them again.
    """

    def run() -> str:
        with db.transaction(lock=True):
            t = _target(db, event_id)
            _check_version(t, if_version)
            chosen = set(member_ids)
            if not chosen or not chosen <= set(t.members) or chosen == set(t.members):
                raise ReviewError("split off some, not all, of the event's reports (member ids)")
            anchors = _anchors_of(db, t)
            part = [a for a in anchors if a.member_id in chosen]
            rest = [a for a in anchors if a.member_id not in chosen]
            before = t.review.state() if t.review else {"decision": None, "members": t.members}
            keep = t.review or Review(
                uuid.uuid4().hex[:16], "pending", None, None, {}, {}, [], user, _now(), 0
            )
            keep.version += 1
            # The part split off may take the event's id: it too starts above what a client saw.
            new = Review(uuid.uuid4().hex[:16], "pending", None, note, {}, {}, [], user, _now(), keep.version)
            keep.reviewer, keep.reviewed_at = user, _now()
            keep.machine = keep.machine or t.machine
            _save(db, keep, rest, action="split", user=user, event_id=t.event_id, before=before, note=note)
            new.machine = t.machine
            _save(db, new, part, action="split-off", user=user, event_id=t.event_id, before=before, note=note)
            return new.review_id

    return db.retrying(run)


def _retire(db: Backend, rev: Review, user: str, note: str) -> None:
    db.execute("UPDATE reviews SET active = 0 WHERE review_id = ?", (rev.review_id,))
    _log(db, rev.review_id, "retire", None, user, rev.state(), {"active": False}, note)


def mark_document(db: Backend, doc_id: str, *, user: str, done: bool = True) -> None:
    """Say an article is reviewed whole (so the gold export takes it, even with no event)."""

    def run() -> None:
        with db.transaction(lock=True):
            if db.one("SELECT 1 FROM documents WHERE id = ?", (doc_id,)) is None:
                raise NotFound(f"no such document: {doc_id}")
            if done:
                waiting = db.one(
                    "SELECT e.event_id FROM events e JOIN event_members m ON m.event_id = e.event_id"
                    " JOIN doc_events d ON d.event_id = m.member_id WHERE d.doc_id = ? AND NOT EXISTS"
                    " (SELECT 1 FROM event_reviews r WHERE r.event_id = e.event_id AND r.decision <> 'pending')",
                    (doc_id,),
                )
                if waiting is not None:
                    raise Stale(f"event {waiting[0]} of this document still waits for review")
                db.execute(
                    "INSERT INTO document_reviews (doc_id, reviewer, reviewed_at) VALUES (?, ?, ?)"
                    " ON CONFLICT (doc_id) DO UPDATE SET reviewer = excluded.reviewer,"
                    " reviewed_at = excluded.reviewed_at",
                    (doc_id, user, _now()),
                )
            else:
                db.execute("DELETE FROM document_reviews WHERE doc_id = ?", (doc_id,))
            _log(
                db,
                "doc:" + doc_id,
                "document-done" if done else "document-reopen",
                None,
                user,
                {},
                {"done": done},
                None,
            )

    db.retrying(run)


def reviewed_documents(db: Backend) -> list[str]:
    """Articles the gold export takes: marked done, or whose events all carry a decision."""
    marked = {r[0] for r in db.query("SELECT doc_id FROM document_reviews")}
    rows = db.query(
        "SELECT d.doc_id, MIN(CASE WHEN r.decision IS NULL OR r.decision = 'pending' THEN 0 ELSE 1 END)"
        " FROM doc_events d JOIN event_members m ON m.member_id = d.event_id"
        " LEFT JOIN event_reviews r ON r.event_id = m.event_id GROUP BY d.doc_id"
    )
    decided = {doc for doc, ok in rows if ok}
    added = {
        a[0]
        for a in db.query(
            "SELECT a.doc_id FROM review_anchors a JOIN reviews r ON r.review_id = a.review_id"
            " WHERE r.active = 1 AND r.decision <> 'pending'"
        )
    }
    pending_docs = {doc for doc, ok in rows if not ok}
    return sorted(marked | decided | (added - pending_docs))
