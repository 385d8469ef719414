"""Analyst decisions in the store, on SQLite and PostgreSQL: they survive re-runs, newer
articles, re-merges whose event ids move, and a re-coding by a newer coder."""

from __future__ import annotations

from datetime import date

import pytest
from test_store_support import store_target  # noqa: F401 - the `target` fixture

from marsad.document import Document
from marsad.event import Event, Evidence
from marsad.store import open_store, review
from marsad.store.export import export

HAMA = {"location": "Hama", "geonameid": 170017, "latitude": 35.13179, "longitude": 36.75783}
HOMS = {"location": "Homs", "geonameid": 169577, "latitude": 34.72682, "longitude": 36.72339}
IDLIB = {"location": "Idlib", "geonameid": 169389, "latitude": 35.93062, "longitude": 36.63393}
SYRIA = {"admin1": None, "country": "Syria", "country_code": "SY", "geo_precision": 1}
REGIME = "Military Forces of Syria"
REBELS = "Opposition Rebels (Syria)"

# One sentence per event, written for these tests.
SENTENCES = [
    "قصفت قوات النظام مدينة حماة صباح اليوم.",
    "اشتبك مقاتلو المعارضة مع الجيش في حمص.",
    "سقطت قذائف على أحياء إدلب وقتل ثلاثة.",
]


def _doc(doc_id: str, events: list[dict], published: str = "2015-07-05") -> Document:
    """A document whose sentence ``i`` carries event ``events[i]`` (fields, trigger word)."""
    text = " ".join(SENTENCES)
    doc = Document(id=doc_id, text=text, source="review.jsonl", outlet="Example", title=doc_id)
    doc.published = date.fromisoformat(published)
    doc.meta["text_hash"] = "hash-" + doc_id
    for spec in events:
        spec = dict(spec)
        i = spec.pop("sentence")
        sentence = SENTENCES[i]
        start = text.index(sentence)
        word = spec.pop("trigger", sentence.split()[0])
        t0 = start + sentence.index(word)
        place = spec.pop("place", HAMA)
        ev = Event(
            sub_event_type=spec.pop("sub_event_type", "Shelling/artillery/missile attack"),
            doc_ids=[doc_id],
            evidence=[Evidence(doc_id, start, start + len(sentence), sentence)],
            event_date=spec.pop("event_date", "2015-07-04"),
            time_precision=1,
            **place,
            **SYRIA,
            arguments={"trigger": [t0, t0 + len(word)], "location": [start + 12, start + 16]},
        )
        for k, v in spec.items():
            setattr(ev, k, v)
        doc.events.append(ev)
    return doc


def _settle(store, event_ids: list[str], review_ids: list[str]) -> None:
    """Apply a decision the way the API does (a local merge) and check that a full merge of
    the whole store then gives exactly the same events and control timeline."""
    store.merge_local(event_ids, review_ids)
    on_read, store.merge_on_read = store.merge_on_read, False  # what the local merge left
    local = (list(store.events(review_state="all")), store.control("2030-01-01"))
    store.merge_on_read = on_read
    local_states = {e["event_id"]: review.state(store.db, e["event_id"]) for e in local[0]}
    store.merge(full=True)
    assert (list(store.events(review_state="all")), store.control("2030-01-01")) == local
    assert {e["event_id"]: review.state(store.db, e["event_id"]) for e in local[0]} == local_states


def _one(store, **filters) -> dict:
    found = list(store.events(**filters))
    assert len(found) == 1, found
    return found[0]


def _by_location(store, **filters) -> dict[str, dict]:
    return {e["location"]: e for e in store.events(**filters)}


def test_decisions_survive_reruns_newer_articles_and_recoding(target: str) -> None:
    with open_store(target) as store:
        a = _doc(
            "art-a",
            [
                {"sentence": 0, "actor1": REGIME, "fatalities": 2},
                {"sentence": 1, "sub_event_type": "Armed clash", "place": HOMS, "actor1": REBELS},
            ],
        )
        store.write(a)
        store.merge()
        hama, homs = _by_location(store)["Hama"], _by_location(store)["Homs"]

        # The analyst moves the Hama strike to Idlib (a place from the gazetteer) and names the
        # rebels as its author; the Homs clash is no event at all.
        r1 = review.decide(
            store.db, hama["event_id"], user="ana", decision="corrected", fields={**IDLIB, "actor1": REBELS}
        )
        _settle(store, [hama["event_id"]], [r1])
        r2 = review.decide(store.db, homs["event_id"], user="ana", decision="rejected", reason="not an event")
        _settle(store, [homs["event_id"]], [r2])

        def check(store) -> dict:
            shown = list(store.events())
            assert [e["location"] for e in shown] == ["Idlib"]
            fixed = shown[0]
            assert fixed["actor1"] == REBELS and fixed["reviewed"] == "corrected"
            assert fixed["latitude"] == pytest.approx(IDLIB["latitude"])
            rejected = list(store.events(review_state="rejected"))
            assert [(e["sub_event_type"], e["doc_ids"]) for e in rejected] == [("Armed clash", ["art-a"])]
            return fixed

        check(store)

        # 1. The same articles again (a re-run that rewrites them): nothing changes.
        store.write(a)
        store.merge()
        check(store)

        # 2. A newer article reports the strike where the analyst put it: it joins the reviewed
        #    event, compared on the analyst's values, not the machine's.
        b = _doc("art-b", [{"sentence": 2, "place": IDLIB, "actor1": REBELS, "fatalities": 2}])
        store.write(b)
        store.merge()
        fixed = check(store)
        assert fixed["doc_ids"] == ["art-a", "art-b"]
        assert review.state(store.db, fixed["event_id"])["conflicts"] == []

        # 3. A newer article whose own event id sorts first moves the merged id; the review follows.
        first_id = "ev-0000000000000000"
        c = _doc(
            "art-c",
            [{"sentence": 2, "place": IDLIB, "actor1": REBELS, "fatalities": 1, "event_id": first_id}],
        )
        store.write(c)
        store.merge()
        fixed = check(store)
        assert len(fixed["doc_ids"]) == 3
        assert fixed["event_id"] == first_id != hama["event_id"]
        conflicts = review.state(store.db, fixed["event_id"])["conflicts"]
        # The lowest toll is now 1, not the 2 the analyst accepted: flagged, not applied.
        assert [(c["field"], c["reviewed"], c["machine"]) for c in conflicts] == [("fatalities", 2, 1)]
        assert fixed["fatalities"] == 2

        # 4. A newer coder reads article A again: other dates and places, so other event ids.
        a2 = _doc(
            "art-a",
            [
                {"sentence": 0, "actor1": REGIME, "fatalities": 2, "event_date": "2015-07-03", "place": HOMS},
                {"sentence": 1, "sub_event_type": "Armed clash", "place": HAMA, "actor1": REBELS},
            ],
        )
        store.write(a2)
        store.merge()
        assert {e["event_id"] for e in store.events()}.isdisjoint({hama["event_id"], homs["event_id"]})
        fixed = check(store)
        assert fixed["event_date"] == "2015-07-04"  # the date the analyst accepted wins
        assert "event_date" in {c["field"] for c in review.state(store.db, fixed["event_id"])["conflicts"]}

        # 5. And a coder that no longer finds the strike at all: the analyst's event is kept,
        #    with its stored sentence, and flagged.
        store.write(
            _doc("art-a", [{"sentence": 1, "sub_event_type": "Armed clash", "place": HOMS, "actor1": REBELS}])
        )
        for d in ("art-b", "art-c"):
            store.write(_doc(d, []))
        store.merge()
        kept = check(store)
        assert kept["event_id"].startswith("rv-")
        assert [e["text"] for e in kept["evidence"]] == [SENTENCES[0]]
        st = review.state(store.db, kept["event_id"])
        assert st["conflicts"][0]["machine"] == "no longer coded"

    # Reopened from disk: the same state.
    with open_store(target) as store:
        check(store)
        log = review.history(
            store.db, [review.state(store.db, e["event_id"])["review_id"] for e in store.events()]
        )
        assert [h["action"] for h in log] == ["corrected"]
        assert log[0]["user"] == "ana" and log[0]["before"]["decision"] is None
        assert log[0]["after"]["fields"]["location"] == "Idlib"


def test_reject_stays_rejected_and_can_be_reopened(target: str) -> None:
    with open_store(target) as store:
        store.write(_doc("art-a", [{"sentence": 0}]))
        store.merge()
        eid = _one(store)["event_id"]
        rid = review.decide(store.db, eid, user="ana", decision="rejected", reason="background")
        _settle(store, [eid], [rid])
        assert list(store.events()) == []
        # Every export leaves it out; it is still in the store for the queue.
        assert _one(store, review_state="rejected")["event_id"] == eid
        store.write(_doc("art-a", [{"sentence": 0}]))
        store.merge()
        assert list(store.events()) == []
        assert store.control("2015-12-31") == []
        review.decide(store.db, eid, user="bo", decision="pending")
        _settle(store, [eid], [rid])
        assert _one(store)["reviewed"] is None


def test_accept_freezes_values_and_stale_versions_are_refused(target: str) -> None:
    with open_store(target) as store:
        store.write(_doc("art-a", [{"sentence": 0, "fatalities": 4}]))
        store.merge()
        eid = _one(store)["event_id"]
        review.decide(store.db, eid, user="ana", decision="accepted", if_version=0)
        store.merge()
        assert _one(store)["reviewed"] == "accepted"
        with pytest.raises(review.Stale):
            review.decide(
                store.db, eid, user="bo", decision="corrected", fields={"fatalities": 5}, if_version=0
            )
        review.decide(store.db, eid, user="bo", decision="corrected", fields={"fatalities": 5}, if_version=1)
        store.merge()
        assert _one(store)["fatalities"] == 5 and _one(store)["reviewed"] == "corrected"
        with pytest.raises(review.ReviewError):
            review.decide(store.db, eid, user="bo", decision="corrected", fields={"status": "rumoured"})
        with pytest.raises(review.ReviewError):
            review.decide(store.db, eid, user="bo", decision="rejected", reason="boring")
        with pytest.raises(review.NotFound):
            review.decide(store.db, "ev-none", user="bo", decision="accepted")


def test_merge_split_and_added_events(target: str) -> None:
    with open_store(target) as store:
        store.write(_doc("art-a", [{"sentence": 0, "place": HAMA}]))
        store.write(_doc("art-b", [{"sentence": 0, "place": HOMS}]))
        store.merge()
        ids = [e["event_id"] for e in store.events()]
        assert len(ids) == 2
        _settle(store, ids, [review.regroup(store.db, ids, user="ana")])
        both = _one(store)
        assert both["doc_ids"] == ["art-a", "art-b"] and both["reviewed"] is None
        # Split again: two fixed events, which the merge does not join back.
        members = store.event(both["event_id"])["sources"]
        _settle(
            store,
            [both["event_id"]],
            [review.split(store.db, both["event_id"], [members[1]["event_id"]], user="ana")],
        )
        assert sorted(e["doc_ids"][0] for e in store.events()) == ["art-a", "art-b"]

        # An event the coder missed, from the third sentence of article A.
        a = store.document("art-a")
        start = a["clean"].index(SENTENCES[2])
        rid = review.add_event(
            store.db,
            "art-a",
            start,
            start + len(SENTENCES[2]),
            {"sub_event_type": "Attack", "event_date": "2015-07-04", **IDLIB, **SYRIA, "fatalities": 3},
            user="ana",
        )
        _settle(store, [], [rid])
        added = _one(store, review_state="reviewed")
        assert added["event_id"] == "rv-" + rid and added["reviewed"] == "added"
        assert added["evidence"][0]["text"] == SENTENCES[2] and added["fatalities"] == 3
        # When the coder later finds that event itself, its report joins the analyst's.
        store.write(
            _doc(
                "art-a",
                [{"sentence": 0, "place": HAMA}, {"sentence": 2, "sub_event_type": "Attack", "place": IDLIB}],
            )
        )
        store.merge()
        added = _one(store, review_state="reviewed")
        assert not added["event_id"].startswith("rv-") and added["fatalities"] == 3
        assert review.state(store.db, added["event_id"])["conflicts"] == []


def test_exports_carry_the_reviewed_column(target: str) -> None:
    import csv
    import io
    import json

    with open_store(target) as store:
        store.write(
            _doc("art-a", [{"sentence": 0}, {"sentence": 1, "place": HOMS, "sub_event_type": "Armed clash"}])
        )
        store.merge()
        first = _by_location(store)["Hama"]["event_id"]
        review.decide(store.db, first, user="ana", decision="accepted")
        store.merge()
        out = io.StringIO()
        export(store, "jsonl", out)
        assert sorted(
            (json.loads(x)["location"], json.loads(x)["reviewed"]) for x in out.getvalue().splitlines()
        ) == [
            ("Hama", "accepted"),
            ("Homs", None),
        ]
        out = io.StringIO()
        export(store, "acled-csv", out, review_state="reviewed")
        rows = list(csv.DictReader(io.StringIO(out.getvalue())))
        assert [(r["location"], r["reviewed"]) for r in rows] == [("Hama", "accepted")]
        out = io.StringIO()
        export(store, "geojson", out)
        assert {f["properties"]["reviewed"] for f in json.loads(out.getvalue())["features"]} == {
            "accepted",
            None,
        }


def test_users_keep_only_a_hash(target: str) -> None:
    with open_store(target) as store:
        token = review.add_user(store.db, "ana", "editor")
        assert review.user_for_token(store.db, token) == {"name": "ana", "role": "editor"}
        assert review.user_for_token(store.db, token + "x") is None
        assert token not in str(store.db.query("SELECT * FROM users"))
        with pytest.raises(review.ReviewError):
            review.add_user(store.db, "ana", "reader")
        with pytest.raises(review.ReviewError):
            review.add_user(store.db, "bo", "king")
        assert review.remove_user(store.db, "ana") and review.user_for_token(store.db, token) is None


def test_an_added_event_never_takes_another_event_of_its_sentence(target: str) -> None:
    """A sentence listing two bombings, the coder read one: the analyst adds the other."""
    with open_store(target) as store:
        one = [{"sentence": 2, "sub_event_type": "Attack", "place": HAMA}]
        store.write(_doc("art-a", one))
        store.merge()
        coder_id = _one(store)["event_id"]
        clean = store.document("art-a")["clean"]
        start = clean.index(SENTENCES[2])
        fields = {"sub_event_type": "Attack", "event_date": "2015-07-04", **IDLIB, **SYRIA}
        rid = review.add_event(store.db, "art-a", start, start + len(SENTENCES[2]), fields, user="ana")
        _settle(store, [], [rid])
        assert sorted(e["location"] for e in store.events()) == ["Hama", "Idlib"]
        assert _by_location(store)["Hama"]["event_id"] == coder_id
        # When the coder reads both, its Idlib report joins the analyst's event, not its Hama one.
        store.write(_doc("art-a", one + [{"sentence": 2, "sub_event_type": "Attack", "place": IDLIB}]))
        store.merge()
        both = _by_location(store)
        assert sorted(both) == ["Hama", "Idlib"]
        assert both["Idlib"]["reviewed"] == "added" and not both["Idlib"]["event_id"].startswith("rv-")
        assert both["Hama"]["reviewed"] is None


def _add_idlib(store, doc_id: str = "art-a") -> str:
    """The analyst adds the Idlib shelling of the third sentence, which the coder missed."""
    clean = store.document(doc_id)["clean"]
    start = clean.index(SENTENCES[2])
    fields = {"sub_event_type": "Attack", "event_date": "2015-07-04", **IDLIB, **SYRIA, "fatalities": 3}
    rid = review.add_event(store.db, doc_id, start, start + len(SENTENCES[2]), fields, user="ana")
    _settle(store, [], [rid])
    return rid


def test_an_added_event_stays_added_whatever_is_decided_on_it(target: str) -> None:
    """Accepted or corrected it stays the analyst's added event (no "no longer coded" conflict);
    rejected it stays listed as rejected, and reopened it comes back with its values."""
    with open_store(target) as store:
        store.write(_doc("art-a", [{"sentence": 0}]))
        store.merge()
        rid = _add_idlib(store)
        eid = "rv-" + rid
        for decision, fields in (("corrected", {"fatalities": 4}), ("accepted", None)):
            review.decide(store.db, eid, user="bo", decision=decision, fields=fields)
            _settle(store, [eid], [rid])
            added = _by_location(store)["Idlib"]
            st = review.state(store.db, added["event_id"])
            assert (added["reviewed"], st["decision"], st["conflicts"]) == ("added", "added", [])
            assert added["fatalities"] == 4
        assert eid not in {e["event_id"] for e in store.events(review_state="todo")}

        review.decide(store.db, eid, user="bo", decision="rejected", reason="not an event")
        _settle(store, [eid], [rid])
        assert [e["location"] for e in store.events()] == ["Hama"]
        rejected = _one(store, review_state="rejected")
        assert (rejected["event_id"], rejected["location"], rejected["fatalities"]) == (eid, "Idlib", 4)
        assert review.state(store.db, eid)["conflicts"] == []
        assert review.locate(store.db, eid) == eid  # so the page can open and reopen it

        review.decide(store.db, eid, user="bo", decision="pending")
        _settle(store, [eid], [rid])
        back = _by_location(store)["Idlib"]
        assert (back["event_id"], back["reviewed"], back["fatalities"]) == (eid, "added", 4)


def test_an_old_store_learns_which_reviews_are_added_events(target: str) -> None:
    """A store from before the ``added`` column: its added events are found again in the log,
    also one an analyst rejected since."""
    with open_store(target) as store:
        store.write(_doc("art-a", [{"sentence": 0}]))
        store.merge()
        rid = _add_idlib(store)
        review.decide(store.db, "rv-" + rid, user="bo", decision="rejected", reason="other")
        coded = review.decide(store.db, _one(store)["event_id"], user="bo", decision="accepted")
        with store.db.transaction():
            store.db.execute("ALTER TABLE reviews DROP COLUMN added")
            store.db.execute("DELETE FROM review_schema_version WHERE version = 2")
    with open_store(target) as store:
        store.merge(full=True)
        assert dict(store.db.query("SELECT review_id, added FROM reviews")) == {rid: 1, coded: 0}
        assert _one(store, review_state="rejected")["event_id"] == "rv-" + rid


def test_merge_and_split_never_give_back_a_version_a_client_saw(target: str) -> None:
    """A merge or a split makes new reviews; their versions start above those they replace, so
    a decision sent with a version read before them is refused (409), not applied to them."""
    with open_store(target) as store:
        store.write(_doc("art-a", [{"sentence": 0, "place": HAMA}]))
        store.write(_doc("art-b", [{"sentence": 0, "place": HOMS}]))
        store.merge()
        a, b = sorted(e["event_id"] for e in store.events())
        _settle(store, [a], [review.decide(store.db, a, user="ana", decision="accepted")])
        seen = review.state(store.db, a)["version"]
        assert seen == 1
        with pytest.raises(review.Stale):
            review.regroup(store.db, [a, b], user="bo", if_versions=[0, 0])
        with pytest.raises(review.ReviewError):
            review.regroup(store.db, [a, b], user="bo", if_versions=[1])
        merged = review.regroup(store.db, [a, b], user="bo", if_versions=[1, 0])
        _settle(store, [a, b], [merged])
        both = _one(store)
        assert review.state(store.db, both["event_id"])["version"] > seen
        with pytest.raises(review.Stale):
            review.decide(
                store.db, a, user="ana", decision="corrected", fields={"fatalities": 7}, if_version=seen
            )

        version = review.state(store.db, both["event_id"])["version"]
        member = store.event(both["event_id"])["sources"][1]["event_id"]
        with pytest.raises(review.Stale):
            review.split(store.db, both["event_id"], [member], user="ana", if_version=version - 1)
        part = review.split(store.db, both["event_id"], [member], user="ana", if_version=version)
        _settle(store, [both["event_id"]], [part])
        for e in store.events():
            assert review.state(store.db, e["event_id"])["version"] > version


@pytest.mark.parametrize("rejected_first", [True, False])
def test_a_merge_takes_the_values_of_a_kept_event_whatever_the_order(
    target: str, rejected_first: bool
) -> None:
    """Merging a corrected event with a rejected one: the corrected values lead, in either order."""
    with open_store(target) as store:
        store.write(_doc("art-a", [{"sentence": 0, "place": HAMA}]))
        store.write(_doc("art-b", [{"sentence": 0, "place": HOMS}]))
        store.merge()
        by_place = _by_location(store)
        kept, dropped = by_place["Hama"]["event_id"], by_place["Homs"]["event_id"]
        fixed = review.decide(store.db, kept, user="ana", decision="corrected", fields={"fatalities": 6})
        _settle(store, [kept], [fixed])
        _settle(
            store,
            [dropped],
            [review.decide(store.db, dropped, user="ana", decision="rejected", reason="duplicate")],
        )
        ids = [dropped, kept] if rejected_first else [kept, dropped]
        _settle(store, ids, [review.regroup(store.db, ids, user="bo")])
        both = _one(store)
        assert (both["doc_ids"], both["reviewed"], both["fatalities"]) == (["art-a", "art-b"], "corrected", 6)
        assert both["location"] == "Hama"
        assert review.state(store.db, both["event_id"])["conflicts"] == []


def test_splitting_an_unreviewed_event_holds_after_the_local_merge(target: str) -> None:
    """Two articles' reports of one strike, never reviewed: split, then merged locally with only
    the new part's review (as the API does); the part kept has a review too, and holds."""
    with open_store(target) as store:
        store.write(_doc("art-a", [{"sentence": 0, "fatalities": 2}]))
        store.write(_doc("art-b", [{"sentence": 0, "fatalities": 3}]))
        store.merge()
        both = _one(store)
        reports = {s["doc_id"]: s["event_id"] for s in store.event(both["event_id"])["sources"]}
        first, second = reports["art-a"], reports["art-b"]
        _settle(store, [both["event_id"]], [review.split(store.db, both["event_id"], [second], user="ana")])
        assert sorted(e["doc_ids"] for e in store.events()) == [["art-a"], ["art-b"]]
        # Then one part is corrected: the other stays apart, each report under one review.
        part = review.locate(store.db, first)
        _settle(
            store,
            [part],
            [review.decide(store.db, part, user="ana", decision="corrected", fields={"fatalities": 9})],
        )
        shown = {e["doc_ids"][0]: e for e in store.events()}
        assert (shown["art-a"]["fatalities"], shown["art-b"]["fatalities"]) == (9, 3)
        anchored = store.db.query(
            "SELECT a.member_id, COUNT(*) FROM review_anchors a JOIN reviews r ON r.review_id = a.review_id"
            " WHERE r.active = 1 GROUP BY a.member_id ORDER BY a.member_id"
        )
        assert anchored == sorted([(first, 1), (second, 1)])


def test_an_incremental_merge_meets_reports_on_the_reviewed_values(target: str) -> None:
    """A report may be one event with a reviewed event on the analyst's place, type or day only,
    which none of the machine's reports of it shares. Whether the correction comes after the
    report or the report after the correction, the incremental merge must find the pair, as a
    full merge does."""

    def merged(store, full: bool = False) -> list:
        store.merge(full=full)
        return [(e, review.state(store.db, e["event_id"])) for e in store.events(review_state="all")]

    with open_store(target) as store:
        store.FULL_MERGE_SHARE = 2.0  # never fall back to a full merge
        store.write(_doc("art-a", [{"sentence": 0, "actor1": REGIME, "fatalities": 2}]))
        store.write(_doc("art-b", [{"sentence": 2, "place": IDLIB, "actor1": REBELS, "fatalities": 2}]))
        store.write(_doc("art-c", [{"sentence": 1, "sub_event_type": "Armed clash", "place": HOMS}]))
        store.merge()
        assert len(list(store.events())) == 3

        # The report came first: the analyst moves the Hama strike to Idlib, where art-b has it.
        hama = _by_location(store)["Hama"]["event_id"]
        review.decide(store.db, hama, user="ana", decision="corrected", fields={**IDLIB, "actor1": REBELS})
        local = merged(store)
        assert local == merged(store, full=True)
        assert _by_location(store)["Idlib"]["doc_ids"] == ["art-a", "art-b"]

        # The correction came first: the Homs clash was shelling two days later; then an article
        # reports that shelling.
        homs = _by_location(store)["Homs"]["event_id"]
        fields = {"sub_event_type": "Shelling/artillery/missile attack", "event_date": "2015-07-06"}
        review.decide(store.db, homs, user="ana", decision="corrected", fields=fields)
        store.merge()
        store.write(_doc("art-d", [{"sentence": 1, "place": HOMS, "event_date": "2015-07-06"}]))
        local = merged(store)
        assert local == merged(store, full=True)
        assert _by_location(store)["Homs"]["doc_ids"] == ["art-c", "art-d"]


def test_gold_files_of_two_ids_alike_once_made_safe_are_two(target: str, tmp_path) -> None:
    """Ids that differ only in characters a file name cannot hold (":" and "/" against "_"), or
    only in case (one file where names ignore case: macOS, Windows), go to gold files of their
    own: neither article's gold overwrites the other's."""
    import json

    from marsad.store.gold import _safe, export_gold

    names = ["wire:2015/7", "wire_2015_7", "wire-2015-7", "WIRE-2015-7"]
    aleppo = {"location": "Aleppo", "geonameid": 170063, "latitude": 36.20124, "longitude": 37.16117}
    with open_store(target) as store:
        for i, name in enumerate(names):
            doc = _doc(f"art-{i}", [{"sentence": i % 3, "place": [HAMA, HOMS, IDLIB, aleppo][i]}])
            doc.meta.update(id_given=True, source_id=name)
            store.write(doc)
        store.merge()
        for e in list(store.events()):
            _settle(
                store,
                [e["event_id"]],
                [review.decide(store.db, e["event_id"], user="ana", decision="accepted")],
            )
        out = tmp_path / "desk" / "gold"
        assert export_gold(store, out)["articles"] == 4
        files = sorted(out.glob("*.gold.json"))
        assert len(files) == len({f.name.casefold() for f in files}) == 4
        assert "wire-2015-7.gold.json" in {f.name for f in files}
        golds = {json.loads(f.read_text(encoding="utf-8"))["doc_id"]: f for f in files}
        assert sorted(golds) == sorted(names)
        assert all(len(json.loads(f.read_text(encoding="utf-8"))["events"]) == 1 for f in files)

        # An id written to be the file name another id was given: a file of its own too.
        doc = _doc("art-9", [{"sentence": 0, "place": HOMS, "event_date": "2015-07-20"}])
        doc.meta.update(id_given=True, source_id=_safe(names[0]))
        store.write(doc)
        store.merge()
        (late,) = [e["event_id"] for e in store.events(review_state="pending")]
        _settle(store, [late], [review.decide(store.db, late, user="ana", decision="accepted")])
        assert export_gold(store, out)["articles"] == 5
        golds = {json.loads(f.read_text(encoding="utf-8"))["doc_id"] for f in out.glob("*.gold.json")}
        assert golds == {*names, _safe(names[0])}
