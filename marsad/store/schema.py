"""The store's schema as ordered migrations, applied on open.

Each step is a list of statements in the SQL both backends accept (``BLOB`` becomes ``BYTEA`` on
PostgreSQL). ``schema_version`` records the steps applied; a new step is appended, never edited,
so an old store upgrades in place. Offsets are ``start_off``/``end_off`` because ``end`` is a
reserved word. Booleans are 0/1 integers and dates ISO text, which compare correctly as strings. A quarantined
document's text is kept as UTF-8 bytes: what gets quarantined may hold NULs or broken surrogates,
which PostgreSQL text refuses.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from marsad.merge.territory import place_key
from marsad.store import evidence
from marsad.store.backend import Backend

# A step is SQL, or a function of the database for what SQL alone cannot write the same way on
# both backends (filling a new table from the old ones).
Step = str | Callable[[Backend], None]


def _fill_place_keys(db: Backend, batch: int = 10_000) -> None:
    """The place keys of the merged events of a store written before they were kept, a batch of
    events at a time (a large store's events need not fit in memory)."""
    last = ""
    while rows := db.query(
        "SELECT event_id, geonameid, location FROM events WHERE event_id > ? ORDER BY event_id LIMIT ?",
        (last, batch),
    ):
        keys = [(place_key({"geonameid": g, "location": loc}), i) for i, g, loc in rows]
        db.executemany("UPDATE events SET place_key = ? WHERE event_id = ?", [k for k in keys if k[0]])
        last = rows[-1][0]


MIGRATIONS: list[list[Step]] = [
    # 1: documents, rejects, mentions, per-document events and their evidence
    [
        """CREATE TABLE documents (
            id TEXT PRIMARY KEY,
            source TEXT, line INTEGER, outlet TEXT, url TEXT, title TEXT, published TEXT,
            text TEXT NOT NULL, clean TEXT NOT NULL,
            offsets TEXT NOT NULL, spans TEXT NOT NULL, meta TEXT NOT NULL,
            text_hash TEXT, minhash BLOB,
            written_at DOUBLE PRECISION NOT NULL)""",
        "CREATE INDEX documents_published ON documents (published)",
        """CREATE TABLE quarantine (
            doc_id TEXT PRIMARY KEY, file TEXT, line INTEGER, reason TEXT NOT NULL, raw BLOB,
            written_at DOUBLE PRECISION NOT NULL)""",
        """CREATE TABLE duplicates (
            doc_id TEXT PRIMARY KEY, duplicate_of TEXT NOT NULL, file TEXT, line INTEGER,
            outlet TEXT, url TEXT, title TEXT, published TEXT,
            written_at DOUBLE PRECISION NOT NULL)""",
        "CREATE INDEX duplicates_of ON duplicates (duplicate_of)",
        """CREATE TABLE mentions (
            doc_id TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
            idx INTEGER NOT NULL, label TEXT NOT NULL, start_off INTEGER NOT NULL, end_off INTEGER NOT NULL,
            text TEXT, name TEXT, kind TEXT, geonameid BIGINT, latitude DOUBLE PRECISION,
            longitude DOUBLE PRECISION,
            PRIMARY KEY (doc_id, idx))""",
        "CREATE INDEX mentions_name ON mentions (label, name)",
        """CREATE TABLE doc_events (
            event_id TEXT PRIMARY KEY,
            doc_id TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
            idx INTEGER NOT NULL,
            event_date TEXT, time_precision INTEGER, event_type TEXT NOT NULL, sub_event_type TEXT NOT NULL,
            actor1 TEXT, assoc_actor_1 TEXT, actor2 TEXT, assoc_actor_2 TEXT, inter1 INTEGER, inter2 INTEGER,
            location TEXT, admin1 TEXT, country TEXT, country_code TEXT,
            latitude DOUBLE PRECISION, longitude DOUBLE PRECISION, geonameid BIGINT, geo_precision INTEGER,
            fatalities INTEGER, status TEXT NOT NULL, historical INTEGER NOT NULL,
            attributed_to TEXT NOT NULL, notes TEXT NOT NULL, arguments TEXT NOT NULL)""",
        "CREATE INDEX doc_events_doc ON doc_events (doc_id)",
        """CREATE TABLE event_sources (
            event_id TEXT NOT NULL REFERENCES doc_events (event_id) ON DELETE CASCADE,
            doc_id TEXT NOT NULL, start_off INTEGER NOT NULL, end_off INTEGER NOT NULL, text TEXT NOT NULL,
            fatalities INTEGER, status TEXT NOT NULL, attributed_to TEXT NOT NULL,
            PRIMARY KEY (event_id, doc_id, start_off, end_off))""",
        "CREATE INDEX event_sources_doc ON event_sources (doc_id)",
        """CREATE TABLE actors (
            name TEXT PRIMARY KEY, type TEXT, country TEXT)""",
        """CREATE TABLE places (
            geonameid BIGINT PRIMARY KEY, name TEXT, latitude DOUBLE PRECISION, longitude DOUBLE PRECISION,
            admin1 TEXT, country TEXT, country_code TEXT)""",
    ],
    # 2: merged events (recomputed by marsad.merge) and the territorial-control timeline
    [
        """CREATE TABLE events (
            event_id TEXT PRIMARY KEY,
            event_date TEXT, time_precision INTEGER, event_type TEXT NOT NULL, sub_event_type TEXT NOT NULL,
            actor1 TEXT, assoc_actor_1 TEXT, actor2 TEXT, assoc_actor_2 TEXT, inter1 INTEGER, inter2 INTEGER,
            location TEXT, admin1 TEXT, country TEXT, country_code TEXT,
            latitude DOUBLE PRECISION, longitude DOUBLE PRECISION, geonameid BIGINT, geo_precision INTEGER,
            fatalities INTEGER, fatalities_max INTEGER, status TEXT NOT NULL, historical INTEGER NOT NULL,
            attributed_to TEXT NOT NULL, doc_ids TEXT NOT NULL, n_sources INTEGER NOT NULL,
            notes TEXT NOT NULL, merged_at DOUBLE PRECISION NOT NULL)""",
        "CREATE INDEX events_date ON events (event_date)",
        "CREATE INDEX events_type ON events (sub_event_type)",
        """CREATE TABLE event_members (
            event_id TEXT NOT NULL REFERENCES events (event_id) ON DELETE CASCADE,
            member_id TEXT NOT NULL,
            PRIMARY KEY (event_id, member_id))""",
        "CREATE UNIQUE INDEX event_members_member ON event_members (member_id)",
        """CREATE TABLE control_changes (
            place_key TEXT NOT NULL, seq INTEGER NOT NULL,
            since TEXT NOT NULL, controller TEXT, previous TEXT,
            location TEXT, geonameid BIGINT, latitude DOUBLE PRECISION, longitude DOUBLE PRECISION,
            event_ids TEXT NOT NULL,
            PRIMARY KEY (place_key, seq))""",
        "CREATE INDEX control_since ON control_changes (since)",
    ],
    # 3: documents keyed by their content (marsad.ingest.identity): the source's id kept beside
    # it, the record key that lets a re-run skip what it stored, and a commit sequence that lets
    # a run see what a concurrent one has written since it last looked. Quarantine and
    # duplicate rows are keyed by record.
    [
        "ALTER TABLE documents ADD COLUMN source_id TEXT",
        "ALTER TABLE documents ADD COLUMN given INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE documents ADD COLUMN record TEXT",
        "ALTER TABLE documents ADD COLUMN seq BIGINT",
        "CREATE INDEX documents_source_id ON documents (source_id)",
        "CREATE INDEX documents_record ON documents (record)",
        "CREATE INDEX documents_seq ON documents (seq)",
        "ALTER TABLE duplicates ADD COLUMN text_hash TEXT",
        "ALTER TABLE duplicates ADD COLUMN source_id TEXT",
        "ALTER TABLE duplicates ADD COLUMN given INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE duplicates ADD COLUMN kind TEXT",
        "ALTER TABLE duplicates ADD COLUMN similarity DOUBLE PRECISION",
        "CREATE INDEX duplicates_source_id ON duplicates (source_id)",
        "ALTER TABLE quarantine ADD COLUMN source_id TEXT",
    ],
    # 4: incremental merging and writers in parallel. ``merge_queue`` holds the ids of the
    # per-document events written or removed since the last merge (seeded with whatever an
    # older store had not merged yet); the date index finds the reports that may join them.
    # ``run`` names the run that wrote a document, so the workers of one run, writing side by
    # side, tell each other's documents from a concurrent run's.
    [
        "CREATE TABLE merge_queue (event_id TEXT NOT NULL)",
        "INSERT INTO merge_queue (event_id) SELECT d.event_id FROM doc_events d WHERE NOT EXISTS"
        " (SELECT 1 FROM event_members m WHERE m.member_id = d.event_id)",
        "INSERT INTO merge_queue (event_id) SELECT m.member_id FROM event_members m WHERE NOT EXISTS"
        " (SELECT 1 FROM doc_events d WHERE d.event_id = m.member_id)",
        "CREATE INDEX doc_events_when ON doc_events (sub_event_type, event_date)",
        "ALTER TABLE documents ADD COLUMN run TEXT",
        # The order every event list is read in (undated last): a page is an index walk, not
        # a sort of the whole table.
        "CREATE INDEX events_order ON events ((event_date IS NULL), event_date, event_id)",
    ],
    # 5: the event model's confidence in each event (None: coded by the rules alone)
    [
        "ALTER TABLE doc_events ADD COLUMN confidence DOUBLE PRECISION",
        "ALTER TABLE events ADD COLUMN confidence DOUBLE PRECISION",
    ],
    # 6: each merged event's first evidence sentences and their number, written by the merge
    # (marsad.store.evidence), so a page of the list reads no report; filled for older stores.
    [
        """CREATE TABLE event_evidence (
            event_id TEXT PRIMARY KEY REFERENCES events (event_id) ON DELETE CASCADE,
            head TEXT NOT NULL, total INTEGER NOT NULL)""",
        evidence.backfill,
    ],
    # 7: each merged event's place key (marsad.merge.territory.place_key: the GeoNames id, else
    # the name case-folded with its spaces collapsed, which neither backend's SQL can compute the
    # same way), so the control timeline of a place reads exactly its events.
    [
        "ALTER TABLE events ADD COLUMN place_key TEXT",
        "CREATE INDEX events_place ON events (place_key)",
        _fill_place_keys,
    ],
]


# The first version whose documents are keyed by content; a store with rows written before it
# cannot be re-keyed in place (event ids and evidence name the old ids).
CONTENT_KEYS = 3


class StoreVersionError(RuntimeError):
    """The store was written by a marsad that keyed documents differently."""


def migrate(db: Backend) -> int:
    """Apply the missing steps in order; safe when several processes open a new store at once."""

    def check(current: int) -> None:
        if 0 < current < CONTENT_KEYS and _has_rows(db):
            raise StoreVersionError(
                f"this store was written by an older marsad (schema {current}), which keyed documents"
                " by file name and line; this version keys them by content. The old store is left"
                " untouched: run your inputs again into a new store (marsad run INPUT... --db NEW)."
            )

    apply_steps(db, MIGRATIONS, "schema_version", check)
    return len(MIGRATIONS)


def apply_steps(
    db: Backend, migrations: Sequence[Sequence[Step]], table: str, check: Callable[[int], None] | None = None
) -> None:
    """Apply the steps past the highest version recorded in ``table`` (``check`` sees it first),
    in one locked transaction: several processes may open a new store at once. Other tables
    with their own steps (the review's) keep their own ``table``."""

    def run() -> None:
        with db.transaction(lock=True):
            db.execute(f"CREATE TABLE IF NOT EXISTS {table} (version INTEGER PRIMARY KEY, applied_at TEXT)")
            row = db.one(f"SELECT MAX(version) FROM {table}")
            current = (row[0] if row else None) or 0
            if check is not None:
                check(current)
            for version, steps in enumerate(migrations, start=1):
                if version <= current:
                    continue
                for step in steps:
                    if callable(step):
                        step(db)
                    else:
                        db.execute(db.ddl(step))
                db.execute(
                    f"INSERT INTO {table} (version, applied_at) VALUES (?, ?)",
                    (version, datetime.now(UTC).isoformat(timespec="seconds")),
                )

    db.retrying(run)


def _has_rows(db: Backend) -> bool:
    return any(db.one(f"SELECT 1 FROM {t} LIMIT 1") for t in ("documents", "duplicates", "quarantine"))
