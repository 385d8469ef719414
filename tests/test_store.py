"""The store on both backends: round trips, idempotent writes, killed runs, concurrent writers."""

from __future__ import annotations

import json
import signal
import time
from array import array

import pytest
from test_store_support import (
    check_consistent,
    make_doc,
    make_event,
    n_events,
    spawn_writer,
    store_target,  # noqa: F401 - the `target` fixture
)

from marsad.document import Document
from marsad.store import open_store
from marsad.store.schema import MIGRATIONS


def _counts(store) -> dict:
    stats = store.stats()
    return {k: v for k, v in stats.items() if isinstance(v, int) and not isinstance(v, bool)}


def test_round_trip(target: str) -> None:
    with open_store(target) as store:
        doc = make_doc(3)
        doc.clean = doc.text.replace("word", "WORD")  # any clean text: the store keeps both
        store.write(doc)
        assert store.seen(doc.id) and not store.seen("nope")
        got = store.document(doc.id)
        assert got["text"] == doc.text and got["clean"] == doc.clean
        assert got["published"] == "2015-07-04" and got["state"] == "processed"
        assert [s["label"] for s in got["spans"]] == ["place", "actor"]
        assert got["spans"][1]["original"] == list(doc.original_range(6, 11))
        assert got["offsets"] == doc.offsets.runs()
        assert len(got["event_ids"]) == n_events(3)
        assert "minhash" not in got["meta"] and got["text_hash"] == "h3"
        assert dict(store.signatures())[doc.id] == array("Q", range(3, 11)).tobytes()
        version = store.db.one("SELECT MAX(version) FROM schema_version")
        assert version == (len(MIGRATIONS),)


def test_reopen_keeps_schema_and_data(target: str) -> None:
    with open_store(target) as store:
        store.write(make_doc(1))
    with open_store(target) as store:
        assert store.seen("syn-00001")
        assert store.db.one("SELECT COUNT(*) FROM schema_version") == (len(MIGRATIONS),)


def test_same_input_twice_adds_nothing(target: str) -> None:
    with open_store(target) as store:
        docs = [make_doc(i) for i in range(12)]
        store.write_many(docs)
        store.merge()
        first = _counts(store)
        exported = list(store.events())
        for d in docs:
            store.write(d)
        store.write_many(docs)
        store.merge()
        assert _counts(store) == first
        assert list(store.events()) == exported
        assert first["extracted_events"] == sum(n_events(i) for i in range(12))


def test_rewrite_replaces_the_events_of_a_document(target: str) -> None:
    with open_store(target) as store:
        doc = make_doc(3)
        store.write(doc)
        doc.events = doc.events[:1]
        store.write(doc)
        assert store.stats()["extracted_events"] == 1
        assert len(list(store.events())) == 1


def test_quarantine_and_duplicates(target: str) -> None:
    with open_store(target) as store:
        bad = Document(id="q1", text="\x00garbage", source="in.jsonl", line=7).reject("not Arabic")
        dup = Document(id="dup1", text="same", source="in.jsonl", line=8)
        dup.duplicate_of = "syn-00001"
        store.write_many([bad, dup, make_doc(1)])
        assert store.seen("q1") and store.seen("dup1")
        q = list(store.quarantined())
        assert q == [
            {"doc_id": "q1", "file": "in.jsonl", "line": 7, "reason": "not Arabic", "text": "\x00garbage"}
        ]
        assert store.document("dup1")["duplicate_of"] == "syn-00001"
        assert store.document("q1")["state"] == "quarantined"
        stats = store.stats()
        assert (stats["documents"], stats["quarantined"], stats["duplicates"]) == (1, 1, 1)
        # A document first quarantined then processed by a later run is stored once, as processed.
        fixed = make_doc(2)
        fixed.id = "q1"
        for ev in fixed.events:
            ev.evidence[0].doc_id = "q1"
        store.write(fixed)
        stats = store.stats()
        assert (stats["documents"], stats["quarantined"]) == (2, 0)


def test_events_of_one_doc_with_the_same_id_are_stored_once(target: str) -> None:
    with open_store(target) as store:
        doc = make_doc(0)
        ev = make_event(doc.id, 0, location="Hama", geonameid=170017, event_date="2015-07-01")
        doc.events = [ev, make_event(doc.id, 0, location="Hama", geonameid=170017, event_date="2015-07-01")]
        store.write(doc)
        assert store.stats()["extracted_events"] == 1


def test_two_events_of_one_sentence_on_two_days_are_two(target: str) -> None:
    """Issue 13, item 8: the id ignored the date, so the store kept one of the two (and the run
    summary counted one more event than the store held)."""
    from marsad.runner import Summary

    with open_store(target) as store:
        doc = make_doc(0)
        fields = {"location": "Hama", "geonameid": 170017}
        doc.events = [make_event(doc.id, 0, event_date=day, **fields) for day in ("2015-07-01", "2015-07-02")]
        # Two events the id cannot tell apart (a field it does not read differs) both stay too.
        doc.events += [make_event(doc.id, 1, actor1=a, **fields) for a in ("Hezbollah", "Jaish al-Fateh")]
        store.write(doc)
        summary = Summary()
        summary.add(doc)
        assert store.stats()["extracted_events"] == sum(summary.events.values()) == 4


@pytest.mark.parametrize("batch", [1, 16])
def test_killed_run_resumes_without_loss_or_doubling(target: str, batch: int) -> None:
    total = 400
    proc = spawn_writer(target, 0, total, batch=batch)
    written = 0
    deadline = time.time() + 30
    while written < 40 and time.time() < deadline:
        if proc.stdout.readline():
            written += 1
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    stored = check_consistent(target)
    assert 40 - batch <= len(stored) < total, "the writer was not killed mid-run"
    # The re-run finishes the job.
    rerun = spawn_writer(target, 0, total, batch=batch)
    out, err = rerun.communicate(timeout=60)
    assert rerun.returncode == 0, err
    assert set(out.split()).isdisjoint(stored)
    check_consistent(target, {f"syn-{i:05d}" for i in range(total)})


def test_two_writers_at_once(target: str) -> None:
    # Overlapping ranges written in opposite orders, so the two processes meet on the same ids.
    a = spawn_writer(target, 0, 150)
    b = spawn_writer(target, 50, 200, reverse=True)
    for proc in (a, b):
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
    check_consistent(target, {f"syn-{i:05d}" for i in range(200)})
    with open_store(target) as store:
        assert store.merge()["before"] == sum(n_events(i) for i in range(200))


def test_batched_writes_are_seen_and_flushed_before_reads(target: str) -> None:
    with open_store(target, batch_size=10) as store:
        store.write(make_doc(1))
        assert store.seen("syn-00001")
        assert store.db.one("SELECT COUNT(*) FROM documents") == (0,)
        assert store.stats()["documents"] == 1  # a read commits the batch first
        store.write(make_doc(2))
    with open_store(target) as store:
        assert store.seen("syn-00002")  # close committed the rest


def test_nul_characters_quarantine_the_document_on_both_backends(target: str) -> None:
    with open_store(target) as store:
        doc = make_doc(2)
        doc.text = doc.clean = "نص\x00مكسور"
        doc.offsets = None
        doc.__post_init__()
        store.write(doc)
        (q,) = store.quarantined()
        assert q["reason"] == "NUL character in text" and q["text"] == "نص\x00مكسور"
        assert store.stats()["documents"] == 0


def test_an_old_store_is_upgraded_in_place(target: str) -> None:
    from marsad.store.backend import connect

    db = connect(target)
    with db.transaction():
        db.execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at TEXT)")
        for sql in MIGRATIONS[0]:
            db.execute(db.ddl(sql))
        db.execute("INSERT INTO schema_version (version, applied_at) VALUES (1, 'then')")
    db.close()
    with open_store(target) as store:
        assert store.db.one("SELECT MAX(version) FROM schema_version") == (len(MIGRATIONS),)
        store.write(make_doc(1))
        assert store.merge()["after"] == n_events(1)


def test_an_error_leaving_the_store_is_reported_once(target: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 13, item 9: a crash printed its traceback twice, because closing the store tried the
    failed batch again and raised the same error while the first was on its way out."""
    with pytest.raises(RuntimeError, match="first") as raised, open_store(target, batch_size=8) as store:
        store.write(make_doc(1))
        monkeypatch.setattr(store, "_commit", lambda batch: (_ for _ in ()).throw(ValueError("again")))
        raise RuntimeError("first")
    assert raised.value.__context__ is None


def test_a_page_reads_the_kept_sentences_and_an_old_store_gets_them_and_its_place_keys(target: str) -> None:
    """The first sentences of each merged event are kept beside it (store.evidence): a page
    reads the same sentences and totals as through the reports, for an event with more than are
    kept too, and a store written before they were kept is filled when opened."""
    from marsad.merge.territory import place_key
    from marsad.store import evidence, schema

    def report(i: int) -> Document:
        doc = make_doc(100 + i)
        doc.events = [
            make_event(
                doc.id,
                i,
                event_date="2015-07-09",
                time_precision=1,
                actor1="Military Forces of Syria",
                location="Hama",
                geonameid=170017,
                latitude=35.13179,
                longitude=36.75783,
            )
        ]
        return doc

    def pages(store) -> list:
        return [
            [(e["event_id"], e["evidence"], e["evidence_total"]) for e in store.events(evidence=k)]
            for k in (0, 1, 5, evidence.HEAD, evidence.HEAD + 2)
        ]

    with open_store(target) as store:
        store.write_many([make_doc(i) for i in range(6)] + [report(i) for i in range(evidence.HEAD + 3)])
        store.merge()
        big = max(store.events(evidence=None), key=lambda e: len(e["doc_ids"]))
        assert len(big["evidence"]) == evidence.HEAD + 3
        ids = [e["event_id"] for e in store.events()]
        assert store.db.one("SELECT COUNT(*) FROM event_evidence") == (len(ids),)
        found, totals = evidence.sentences(store.db, ids, evidence.HEAD)
        kept = {r[0]: (json.loads(r[1]), r[2]) for r in store.db.query("SELECT * FROM event_evidence")}
        assert kept == {i: (found.get(i, []), totals.get(i, 0)) for i in ids}
        expected = pages(store)
        assert (big["event_id"], big["evidence"][:5], evidence.HEAD + 3) in expected[2]
        keys = store.db.query("SELECT event_id, place_key FROM events ORDER BY event_id")
        assert keys == sorted((e["event_id"], place_key(e)) for e in store.events(limit=None)) and all(
            k for _, k in keys
        )
        with store.db.transaction():  # as a store of schema 5 was
            store.db.execute("DROP TABLE event_evidence")
            store.db.execute("DROP INDEX events_place")
            store.db.execute("ALTER TABLE events DROP COLUMN place_key")
            store.db.execute("DELETE FROM schema_version WHERE version >= 6")
    with open_store(target) as store:
        assert store.db.one("SELECT COUNT(*) FROM event_evidence") == (len(ids),)
        assert pages(store) == expected
        # and the place keys of its events (schema 7) are filled, a batch at a time
        assert store.db.query("SELECT event_id, place_key FROM events ORDER BY event_id") == keys
        with store.db.transaction():
            store.db.execute("UPDATE events SET place_key = NULL")
            schema._fill_place_keys(store.db, batch=2)
        assert store.db.query("SELECT event_id, place_key FROM events ORDER BY event_id") == keys


def test_lists_of_values_go_to_postgresql_as_one_array() -> None:
    """A chunk of ids is one array parameter (one statement whatever its length), NOT IN too."""
    from marsad.store.backend import _pg_statement

    sql = "SELECT a FROM t WHERE x = ? AND id IN (?, ?, ?) AND y NOT IN (?,?) AND z IN (SELECT b WHERE c = ?)"
    assert _pg_statement(sql) == (
        "SELECT a FROM t WHERE x = %s AND id = ANY(%s) AND y <> ALL(%s) AND z IN (SELECT b WHERE c = %s)",
        ((1, 3), (4, 2)),
    )


def test_filters_ignore_case_beyond_ascii_alike_on_both_backends(target: str) -> None:
    """SQLite's LOWER folds ASCII only: "ÉMIGRÉ" missed "Émigré" there, while PostgreSQL found
    it. Both now fold every letter alike, and Arabic, which has no case, still matches."""
    from marsad.event import Evidence
    from marsad.store.backend import fold_case

    def doc(i: int, sentence: str, **fields: object) -> Document:
        d = make_doc(200 + i)
        d.events = [
            make_event(
                d.id,
                0,
                event_date="2015-07-10",
                location=f"Place {i}",
                geonameid=900 + i,
                latitude=30.0 + i,
                longitude=40.0 + i,
                evidence=[Evidence(d.id, 0, len(sentence), sentence)],
                **fields,
            )
        ]
        return d

    docs = [
        doc(
            1,
            "قصف على مدينة İdlib وŞehir",
            actor1="Émigré Brigade",
            country="Åland",
            attributed_to=["Ömer Ajansi"],
        ),
        doc(2, "اشتباكات في ريف حماة", actor1="Liwa Ḥomṣ", country="Syria", notes="ÇAVUŞ NOTE"),
    ]
    with open_store(target) as store:
        store.write_many(docs)
        store.merge()

        def found(**filters: str) -> set[str]:
            return {e["doc_ids"][0] for e in store.events(**filters)}

        first, second = {docs[0].id}, {docs[1].id}
        for value in ("Émigré", "émigré", "ÉMIGRÉ", "émigré brigade"):
            assert found(actor=value) == first, value
        for value in ("ḥomṣ", "ḤOMṢ", "LIWA ḥOMṢ"):
            assert found(actor=value) == second, value
        assert found(country="ÅLAND") == found(country="åland") == first
        assert found(source="ÖMER AJANSI") == found(source="ömer") == first
        assert found(text="idlib") == found(text="İDLİB") == found(text="şehir") == first
        assert found(text="çavuş note") == second
        assert found(text="قصف") == first and found(text="حماة") == second
        assert found(text="ريف", actor="liwa") == second and found(text="ريف", actor="émigré") == set()
        # The server's LOWER is the one the filters fold with, and it is Unicode's on both.
        tricky = "ÉTAT Ḥomṣ İdlib ΣΟΦΟΣ ǅ ẞ Ωmega Straße K"
        assert store.db.one("SELECT LOWER(?)", [tricky]) == (fold_case(tricky),)


def test_fold_case_is_the_simple_lowercase_of_each_letter() -> None:
    """The fold SQLite is given lowers one letter at a time, as PostgreSQL's LOWER does: the
    same length, İ to i, and Σ to σ wherever it stands."""
    from marsad.store.backend import fold_case

    cased = "".join(
        chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000 and chr(c).lower() != chr(c).upper()
    )
    assert fold_case(cased) == "".join(c.lower()[0] for c in cased)
    assert fold_case("ΟΔΟΣ İSTANBUL") == "οδοσ istanbul" and fold_case(None) is None
