"""Shared fixtures and synthetic documents for the store, merge, control and export tests.

Run as a script it is the writer process of the kill and concurrency tests:
``python tests/test_store_support.py TARGET FIRST LAST [--reverse] [--batch=N]`` writes
documents FIRST..LAST-1 through the store, skipping those already stored, and prints each id it
handed to the store.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from marsad.document import Document  # noqa: E402
from marsad.event import Event, Evidence  # noqa: E402
from marsad.store import open_store  # noqa: E402
from tests.conftest import need  # noqa: E402

PLACES = [
    ("Hama", 170017, 35.13179, 36.75783),
    ("Ar Rastan", 172946, 34.92667, 36.73241),
    ("Talbiseh", 163779, 34.84072, 36.73092),
    ("Aleppo", 170063, 36.20124, 37.16117),
    ("Idlib", 169389, 35.93062, 36.63393),
]


def n_events(i: int) -> int:
    """How many events synthetic document ``i`` carries (0 to 3, so some documents have none)."""
    return i % 4


def make_event(doc_id: str, k: int, sub: str = "Armed clash", **fields: object) -> Event:
    start = 10 * k
    ev = Event(
        sub_event_type=sub,
        doc_ids=[doc_id],
        evidence=[Evidence(doc_id, start, start + 8, f"sentence {k}")],
    )
    for key, value in fields.items():
        setattr(ev, key, value)
    if ev.actor1 and "arguments" not in fields:
        ev.arguments = {"actor1": [start, start + 3]}  # named in the text, as the extractor records it
    return ev


def make_doc(i: int) -> Document:
    """A deterministic synthetic document with ``n_events(i)`` events at distinct places."""
    doc_id = f"syn-{i:05d}"
    text = " ".join(f"word{i}-{k}" for k in range(40))
    doc = Document(id=doc_id, text=text, source="synthetic.jsonl", line=i, outlet="synthetic", title=f"t{i}")
    doc.published = date(2015, 7, 1 + i % 28)
    doc.meta["text_hash"] = f"h{i}"
    doc.meta["minhash"] = list(range(i, i + 8))
    doc.add(
        0,
        5,
        "place",
        name=PLACES[i % 5][0],
        geonameid=PLACES[i % 5][1],
        lat=PLACES[i % 5][2],
        lon=PLACES[i % 5][3],
    )
    doc.add(6, 11, "actor", canonical="Military Forces of Syria", type="state forces", country="Syria")
    for k in range(n_events(i)):
        name, gid, lat, lon = PLACES[(i + k) % 5]
        doc.events.append(
            make_event(
                doc_id,
                k,
                event_date=f"2015-07-{1 + i % 28:02d}",
                time_precision=1,
                actor1="Military Forces of Syria",
                inter1=1,
                location=name,
                geonameid=gid,
                latitude=lat + i * 1e-3,  # far enough apart that nothing merges across documents
                longitude=lon + i * 1e-3,
                country="Syria",
                country_code="SY",
                fatalities=k,
            )
        )
    return doc


def with_search_path(dsn: str, schema: str) -> str:
    """The DSN with every connection's search_path set to ``schema`` (libpq ``options``)."""
    parts = urlsplit(dsn)
    query = dict(parse_qsl(parts.query))
    query["options"] = f"-csearch_path={schema}"
    return urlunsplit(parts._replace(query=urlencode(query)))


@pytest.fixture(name="target", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_target(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty store location on each backend; PostgreSQL is skipped without MARSAD_TEST_PG."""
    if request.param == "sqlite":
        yield str(tmp_path / "store.db")
        return
    dsn = os.environ.get("MARSAD_TEST_PG")
    need(bool(dsn), "MARSAD_TEST_PG (a PostgreSQL database for the store tests)")
    import psycopg

    schema = "test_" + uuid.uuid4().hex[:12]
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        yield with_search_path(dsn, schema)
    finally:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


def spawn_writer(
    target: str, first: int, last: int, reverse: bool = False, batch: int = 1
) -> subprocess.Popen:
    args = [sys.executable, str(Path(__file__)), target, str(first), str(last), f"--batch={batch}"]
    if reverse:
        args.append("--reverse")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def check_consistent(target: str, expected_ids: set[str] | None = None) -> set[str]:
    """Every stored document has exactly its events and evidence; nothing is orphaned or doubled."""
    with open_store(target) as store:
        db = store.db
        docs = {r[0] for r in db.query("SELECT id FROM documents")}
        per_doc = dict(db.query("SELECT doc_id, COUNT(*) FROM doc_events GROUP BY doc_id"))
        for doc_id in docs:
            i = int(doc_id.split("-")[1])
            assert per_doc.get(doc_id, 0) == n_events(i), doc_id
            mentions = db.one("SELECT COUNT(*) FROM mentions WHERE doc_id = ?", (doc_id,))
            assert mentions == (2,), doc_id
        assert set(per_doc) <= docs
        orphans = db.one(
            "SELECT COUNT(*) FROM event_sources s WHERE NOT EXISTS (SELECT 1 FROM doc_events d WHERE d.event_id = s.event_id)"
        )
        assert orphans == (0,)
        evidence = db.one("SELECT COUNT(*) FROM event_sources")
        assert evidence[0] == sum(per_doc.values())
        if expected_ids is not None:
            assert docs == expected_ids
        if db.kind == "sqlite":
            assert db.one("PRAGMA integrity_check") == ("ok",)
        return docs


def main(argv: list[str]) -> None:
    target, first, last = argv[0], int(argv[1]), int(argv[2])
    order = range(first, last)
    if "--reverse" in argv:
        order = reversed(order)
    batch = next((int(a.split("=")[1]) for a in argv if a.startswith("--batch=")), 1)
    with open_store(target, batch_size=batch) as store:
        for i in order:
            doc = make_doc(i)
            if store.seen(doc.id):
                continue
            store.write(doc)
            print(doc.id, flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
