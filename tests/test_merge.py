"""Merging reports of one event across documents, on both backends, and the clustering rules."""

from __future__ import annotations

import json
import random
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st
from test_store_support import make_event, store_target  # noqa: F401 - the `target` fixture

from marsad.document import Document
from marsad.event import combined_status
from marsad.merge.cluster import cluster, combine, haversine_km
from marsad.store import evidence, open_store, review

HAMA = {
    "location": "Hama",
    "geonameid": 170017,
    "latitude": 35.13179,
    "longitude": 36.75783,
    "geo_precision": 1,
}
RASTAN = {
    "location": "Ar Rastan",
    "geonameid": 172946,
    "latitude": 34.92667,
    "longitude": 36.73241,
    "geo_precision": 1,
}
ALEPPO = {
    "location": "Aleppo",
    "geonameid": 170063,
    "latitude": 36.20124,
    "longitude": 37.16117,
    "geo_precision": 1,
}
SYRIA = {"country": "Syria", "country_code": "SY"}


def doc_with(doc_id: str, outlet: str, *events: dict) -> Document:
    doc = Document(id=doc_id, text="نص " * 30, outlet=outlet, published=date(2015, 8, 5))
    for k, fields in enumerate(events):
        sub = fields.pop("sub", "Air/drone strike")
        fields.setdefault("time_precision", 1)
        doc.events.append(make_event(doc_id, k, sub, **SYRIA, **fields))
    return doc


def test_report_and_denial_give_one_disputed_event_with_both_sources(target: str) -> None:
    with open_store(target) as store:
        report = doc_with(
            "a",
            "alarabiya",
            dict(
                event_date="2015-08-04",
                actor1="Military Forces of Russia",
                status="alleged",
                attributed_to=["Al-Araby TV"],
                **HAMA,
            ),
        )
        denial = doc_with(
            "b",
            "sana",
            dict(
                event_date="2015-08-05",
                actor1="Military Forces of Russia",
                status="denied",
                attributed_to=["SANA"],
                **HAMA,
            ),
        )
        store.write_many([report, denial])
        counts = store.merge()
        assert (counts["before"], counts["after"], counts["disputed"]) == (2, 1, 1)
        (ev,) = store.events()
        assert ev["status"] == "disputed"
        assert ev["doc_ids"] == ["a", "b"]
        assert sorted(ev["attributed_to"]) == ["Al-Araby TV", "SANA"]
        assert sorted(e["doc_id"] for e in ev["evidence"]) == ["a", "b"]
        assert ev["event_date"] == "2015-08-04"
        detail = store.event(ev["event_id"])
        assert {s["doc_id"]: s["status"] for s in detail["sources"]} == {"a": "alleged", "b": "denied"}
        assert detail["outlets"] == ["alarabiya", "sana"]
        assert list(store.events(status="disputed")) == [ev]


def test_differing_fatalities_keep_every_figure_and_export_the_lowest(target: str) -> None:
    with open_store(target) as store:
        base = dict(event_date="2015-08-04", actor1="Military Forces of Syria", **HAMA)
        store.write_many(
            [
                doc_with("a", "x", dict(base, fatalities=25)),
                doc_with("b", "y", dict(base, fatalities=12)),
                doc_with("c", "z", dict(base, fatalities=None)),
            ]
        )
        store.merge()
        (ev,) = store.events()
        assert ev["fatalities"] == 12
        assert "12 to 25" in ev["notes"] and ev["notes"].endswith(".")
        detail = store.event(ev["event_id"])
        assert sorted((s["doc_id"], s["fatalities"]) for s in detail["sources"]) == [
            ("a", 25),
            ("b", 12),
            ("c", None),
        ]
        # Any member id finds the merged event.
        assert store.event(detail["sources"][0]["event_id"])["event_id"] == ev["event_id"]


def test_a_merged_event_is_as_sure_as_its_surest_report(target: str) -> None:
    with open_store(target) as store:
        base = dict(event_date="2015-08-04", actor1="Military Forces of Syria", **HAMA)
        store.write_many(
            [
                doc_with("a", "x", dict(base, confidence=0.4)),
                doc_with("b", "y", dict(base, confidence=0.8)),
                doc_with("c", "z", dict(base)),
            ]
        )
        store.merge()
        (ev,) = store.events()
        assert ev["confidence"] == 0.8
        assert [e["event_id"] for e in store.events(min_confidence=0.7)] == [ev["event_id"]]
        assert not list(store.events(min_confidence=0.9))


def test_distinct_places_dates_and_actors_stay_apart(target: str) -> None:
    with open_store(target) as store:
        day = "2015-08-04"
        store.write_many(
            [
                doc_with(
                    "a",
                    "x",
                    dict(
                        sub="Non-state actor overtakes territory",
                        event_date=day,
                        actor1="Opposition",
                        **RASTAN,
                    ),
                ),
                # Talbiseh is 10 km from Rastan: near, but another town.
                doc_with(
                    "b",
                    "y",
                    dict(
                        sub="Non-state actor overtakes territory",
                        event_date=day,
                        actor1="Opposition",
                        location="Talbiseh",
                        geonameid=163779,
                        latitude=34.84072,
                        longitude=36.73092,
                        geo_precision=1,
                    ),
                ),
                doc_with("c", "x", dict(event_date=day, **ALEPPO)),
                doc_with("d", "y", dict(event_date=day, **HAMA)),
                doc_with("e", "z", dict(event_date="2015-08-20", **HAMA)),  # outside the window
                doc_with("f", "z", dict(event_date=day, actor1="Military Forces of Syria", **HAMA)),
                doc_with(
                    "g", "w", dict(event_date=day, actor1="Military Forces of Russia", **HAMA)
                ),  # other actor
                doc_with("h", "w", dict(event_date=day, sub="Shelling/artillery/missile attack", **HAMA)),
            ]
        )
        counts = store.merge()
        # d (unknown actor1) merges with f or g, but f and g contradict each other.
        assert counts["before"] == 8
        assert counts["after"] == 7
        merged = [e for e in store.events() if len(e["doc_ids"]) > 1]
        assert [e["doc_ids"] for e in merged] in ([["d", "f"]], [["d", "g"]])


def test_historical_never_merges_with_current_and_same_doc_only_when_identical(target: str) -> None:
    with open_store(target) as store:
        day = "2015-08-04"
        store.write_many(
            [
                doc_with(
                    "a",
                    "x",
                    dict(event_date=day, **HAMA),
                    dict(event_date=day, actor2="Civilians (Syria)", **HAMA),
                ),
                doc_with("b", "y", dict(event_date=day, historical=True, **HAMA)),
                doc_with("c", "y", dict(event_date=day, **HAMA), dict(event_date=day, **HAMA)),
            ]
        )
        # c's two events are identical (a title repeated in the body): they become one.
        # a's two events differ; one of them joins c's, historical b stays alone.
        counts = store.merge()
        assert counts["before"] == 5
        events = list(store.events())
        assert counts["after"] == len(events) == 3
        hist = [e for e in events if e["historical"]]
        assert len(hist) == 1 and hist[0]["doc_ids"] == ["b"]
        assert list(store.events(historical=False)) == [e for e in events if not e["historical"]]
        assert sorted(len(e["evidence"]) for e in events) == [1, 1, 3]


def test_remerge_is_idempotent_and_incremental_runs_never_double(target: str) -> None:
    with open_store(target) as store:
        base = dict(event_date="2015-08-04", actor1="Military Forces of Syria", **HAMA)
        store.write(doc_with("a", "x", dict(base)))
        store.merge()
        first = list(store.events())
        assert store.merge()["after"] == 1
        assert list(store.events()) == first
        # A later run brings a second report: still one event, now with two sources.
        store.write(doc_with("b", "y", dict(base)))
        assert store.stale()
        (ev,) = store.events()  # merges on demand
        assert ev["doc_ids"] == ["a", "b"]
        store.write(doc_with("b", "y", dict(base)))
        assert len(list(store.events())) == 1


def _record(i: int, rng: random.Random) -> dict:
    place = rng.choice([HAMA, RASTAN, ALEPPO])
    return {
        "event_id": f"ev-{i:04d}",
        "doc_id": f"d{rng.randrange(6)}",
        "sub_event_type": rng.choice(["Armed clash", "Air/drone strike"]),
        "event_type": "x",
        "event_date": f"2015-08-0{rng.randrange(1, 9)}",
        "time_precision": 1,
        "actor1": rng.choice([None, "A", "B"]),
        "actor2": rng.choice([None, "A", "B"]),
        "status": rng.choice(["reported", "denied", "alleged"]),
        "historical": rng.random() < 0.1,
        "fatalities": rng.choice([None, 1, 5]),
        "attributed_to": [],
        **place,
    }


@settings(max_examples=6, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 25))
def test_clustering_ignores_input_order_and_keeps_every_record(seed: int, n: int) -> None:
    rng = random.Random(seed)
    records = [_record(i, rng) for i in range(n)]
    groups = cluster(records)
    shuffled = records[:]
    rng.shuffle(shuffled)
    assert sorted(sorted(r["event_id"] for r in g) for g in groups) == sorted(
        sorted(r["event_id"] for r in g) for g in cluster(shuffled)
    )
    assert sorted(r["event_id"] for g in groups for r in g) == sorted(r["event_id"] for r in records)
    for g in groups:
        merged = combine(g)
        assert merged["event_id"] == min(r["event_id"] for r in g)
        assert len({r["historical"] for r in g}) == 1
        figures = [r["fatalities"] for r in g if r["fatalities"] is not None]
        assert merged["fatalities"] == (min(figures) if figures else None)


def test_status_rules() -> None:
    assert combined_status(["reported", "denied"]) == "disputed"
    assert combined_status(["claimed", "reported"]) == "reported"
    assert combined_status(["alleged", "alleged"]) == "alleged"
    assert combined_status(["denied"]) == "denied"
    assert combined_status(["reported", "disputed"]) == "disputed"
    assert 9 < haversine_km(RASTAN["latitude"], RASTAN["longitude"], 34.84072, 36.73092) < 11


def test_country_level_places_never_merge_and_coarse_places_use_the_radius(target: str) -> None:
    with open_store(target) as store:
        day = "2015-08-04"
        syria = {
            "location": "Syria",
            "geonameid": 163843,
            "latitude": 35.0,
            "longitude": 38.0,
            "geo_precision": 3,
        }
        town = {"location": "Taybat al-Imam", "latitude": 35.265, "longitude": 36.715, "geo_precision": 1}
        # "ريف حماة": coded to the governorate's name and a point, coarser than the town 4 km off.
        countryside = {
            "location": "Hama",
            "admin1": "Hama",
            "latitude": 35.29,
            "longitude": 36.74,
            "geo_precision": 2,
        }
        store.write_many(
            [
                doc_with("a", "x", dict(event_date=day, **syria)),
                doc_with("b", "y", dict(event_date=day, **syria)),
                doc_with("c", "x", dict(event_date=day, **town)),
                doc_with("d", "y", dict(event_date=day, **countryside)),
            ]
        )
        counts = store.merge()
        assert (counts["before"], counts["after"]) == (4, 3)
        assert [e["doc_ids"] for e in store.events() if len(e["doc_ids"]) > 1] == [["c", "d"]]


def test_two_named_places_stay_apart_even_when_one_is_near(target: str) -> None:
    """ "في محيط بلدة عتمان" (near Atman, precision 2) is not Tal Shihab 8 km away."""
    with open_store(target) as store:
        day = "2015-07-25"
        near_atman = {"location": "Atman", "admin1": "Daraa", "latitude": 32.69, "longitude": 36.09}
        tal_shihab = {"location": "Tal Shihab", "admin1": "Daraa", "latitude": 32.70, "longitude": 35.99}
        store.write_many(
            [
                doc_with("a", "x", dict(event_date=day, geo_precision=2, **near_atman)),
                doc_with("b", "y", dict(event_date=day, geo_precision=1, **tal_shihab)),
            ]
        )
        assert store.merge()["after"] == 2


def test_day_precise_dates_need_to_be_one_night_apart(target: str) -> None:
    with open_store(target) as store:
        store.write_many(
            [
                doc_with("a", "x", dict(event_date="2015-08-01", **HAMA)),
                doc_with("b", "y", dict(event_date="2015-08-03", **HAMA)),  # two days later: another strike
                doc_with("c", "x", dict(event_date="2015-08-10", **HAMA)),
                doc_with("d", "y", dict(event_date="2015-08-12", time_precision=2, **HAMA)),  # "this week"
            ]
        )
        counts = store.merge()
        assert (counts["before"], counts["after"]) == (4, 3)
        assert [e["doc_ids"] for e in store.events() if len(e["doc_ids"]) > 1] == [["c", "d"]]


def test_a_default_actor_contradicts_nobody(target: str) -> None:
    """An air strike with no actor named in its text gets the regime by default; another report
    of it naming Russia is the same strike, and the merged event keeps the named actor."""
    with open_store(target) as store:
        day = "2015-08-04"
        store.write_many(
            [
                doc_with(
                    "a", "x", dict(event_date=day, actor1="Military Forces of Syria", arguments={}, **HAMA)
                ),
                doc_with("b", "y", dict(event_date=day, actor1="Military Forces of Russia", **HAMA)),
            ]
        )
        counts = store.merge()
        assert (counts["before"], counts["after"]) == (2, 1)
        [event] = store.events()
        assert event["actor1"] == "Military Forces of Russia"


# -- incremental merging ------------------------------------------------------------------------
AREA = {"location": "Hama", "admin1": "Hama", "latitude": 35.2, "longitude": 36.9, "geo_precision": 3}
NEARBY = {"location": "Kafr Nabudah", "geonameid": 169000, "latitude": 35.42, "longitude": 36.53}
# One place without a GeoNames id spelt two ways: its key folds case (ß is ss) and spaces, which
# SQL's LOWER does not, so the timeline must find its events by the key itself.
STREET = {"location": "Straße  Nord", "latitude": 35.1, "longitude": 36.7, "geo_precision": 1}
STREET_CAPS = dict(STREET, location="STRASSE Nord")


def random_doc(rng: random.Random, doc_id: str) -> Document:
    """A document with up to four events drawn from few types, places, days and actors, so
    that many reports may be one event and groups chain across days."""
    doc = Document(id=doc_id, text="نص " * 30, outlet=rng.choice("xyz"), published=date(2015, 8, 20))
    for k in range(rng.randrange(5)):
        place = rng.choice([HAMA, RASTAN, ALEPPO, AREA, NEARBY, STREET, STREET_CAPS, {"location": "Syria"}])
        fields = dict(SYRIA, **place)
        fields.update(
            event_date=date(2015, 8, 1 + rng.randrange(20)).isoformat() if rng.random() > 0.05 else None,
            time_precision=rng.choice([1, 1, 2]),
            actor1=rng.choice([None, "Military Forces of Syria", "Islamic State"]),
            actor2=rng.choice([None, None, "Civilians (Syria)"]),
            status=rng.choice(["reported", "reported", "denied"]),
            historical=rng.random() < 0.05,
            fatalities=rng.choice([None, 1, 5]),
            attributed_to=[rng.choice(["SANA", "SOHR"])],
        )
        sub = rng.choice(["Air/drone strike", "Armed clash", "Government regains territory"])
        doc.events.append(make_event(doc_id, k, sub, **fields))
    return doc


def merged_state(store) -> tuple[list, list, list]:
    cols = (
        "event_id, event_date, sub_event_type, actor1, actor2, location, fatalities, status, doc_ids, notes"
    )
    return (
        store.db.query(f"SELECT {cols} FROM events ORDER BY event_id"),
        store.db.query("SELECT event_id, member_id FROM event_members ORDER BY member_id"),
        store.db.query(
            "SELECT place_key, seq, since, controller, event_ids FROM control_changes ORDER BY 1, 2"
        ),
        store.db.query("SELECT event_id, head, total FROM event_evidence ORDER BY event_id"),
    )


@settings(max_examples=6, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_incremental_merge_equals_a_full_merge(seed: int, tmp_path_factory) -> None:
    """Documents arrive, are re-coded (other events) or removed (quarantined) in small batches;
    after every incremental merge the events, their members and the control timeline are
    exactly what a full re-merge gives."""
    rng = random.Random(seed)
    with open_store(tmp_path_factory.mktemp("inc") / "store.db") as store:
        store.FULL_MERGE_SHARE = 2.0  # never fall back to a full merge
        ids: list[str] = []
        for _ in range(8):
            batch = []
            for _ in range(rng.randrange(1, 8)):
                if ids and rng.random() < 0.25:
                    doc_id = rng.choice(ids)
                    doc = random_doc(rng, doc_id)
                    if rng.random() < 0.3:
                        doc.reject("too short: re-coded as a reject")
                else:
                    doc_id = f"d{len(ids):03d}"
                    ids.append(doc_id)
                    doc = random_doc(rng, doc_id)
                batch.append(doc)
            store.write_many(batch)
            counts = store.merge()
            assert not store.stale()
            incremental = merged_state(store)
            ids = [e[0] for e in incremental[0]]
            assert [e[0] for e in incremental[3]] == ids  # every event's sentences kept, and only theirs
            found, totals = evidence.sentences(store.db, ids, evidence.HEAD)
            assert [(h[0], json.loads(h[1]), h[2]) for h in incremental[3]] == [
                (i, found.get(i, []), totals.get(i, 0)) for i in ids
            ]
            assert store.merge(full=True)["after"] == counts["after"]
            assert merged_state(store) == incremental


@settings(max_examples=6, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_incremental_merge_equals_a_full_merge_under_reviews(seed: int, tmp_path_factory) -> None:
    """As above, with an analyst correcting (place, type, day), accepting, rejecting and merging
    events between the batches: a report may then join a reviewed event on the analyst's values
    alone, and the incremental merge must find it as the full merge does."""
    rng = random.Random(seed)
    types = ["Air/drone strike", "Armed clash", "Government regains territory"]

    def state() -> tuple:
        return merged_state(store), store.db.query("SELECT * FROM event_reviews ORDER BY event_id")

    with open_store(tmp_path_factory.mktemp("inc") / "store.db") as store:
        store.FULL_MERGE_SHARE = 2.0  # never fall back to a full merge
        for n in range(6):
            store.write_many([random_doc(rng, f"d{n}-{k}") for k in range(rng.randrange(1, 5))])
            for _ in range(2):
                store.merge()
                incremental = state()
                store.merge(full=True)
                assert state() == incremental
                shown = sorted(e["event_id"] for e in store.events())
                if not shown:
                    continue
                eid, kind = rng.choice(shown), rng.random()
                if kind < 0.5:
                    fields = dict(rng.choice([HAMA, RASTAN, ALEPPO, NEARBY]))
                    day = f"2015-08-{rng.randrange(1, 21):02d}"
                    fields.update(sub_event_type=rng.choice(types), event_date=day)
                    review.decide(store.db, eid, user="ana", decision="corrected", fields=fields)
                elif kind < 0.7:
                    review.decide(store.db, eid, user="ana", decision="rejected", reason="other")
                elif kind < 0.85:
                    review.decide(store.db, eid, user="ana", decision="accepted")
                elif len(shown) > 1:
                    review.regroup(store.db, [eid, rng.choice([e for e in shown if e != eid])], user="ana")
        store.merge()
        incremental = state()
        store.merge(full=True)
        assert state() == incremental


def test_incremental_merge_touches_only_the_group(target: str) -> None:
    """A new report re-merges the reports it may be one event with, not the whole store."""
    with open_store(target) as store:
        far = [
            doc_with(f"old{i}", "x", dict(event_date=f"2015-0{1 + i % 5}-10", **ALEPPO)) for i in range(20)
        ]
        near = doc_with("near", "x", dict(event_date="2015-08-04", **HAMA))
        store.write_many([*far, near])
        store.merge()
        store.write(doc_with("new", "y", dict(event_date="2015-08-05", **HAMA)))
        counts = store.merge()
        assert counts["remerged"] == 2 and counts["after"] == 6
        (ev,) = [e for e in store.events() if e["location"] == "Hama"]
        assert ev["doc_ids"] == ["near", "new"]
