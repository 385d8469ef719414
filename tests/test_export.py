"""Exports on both backends: JSONL field list, ACLED CSV header, valid GeoJSON, every filter."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest
from test_store_support import make_event, store_target  # noqa: F401 - the `target` fixture

from marsad.document import Document
from marsad.store import open_store
from marsad.store.export import CSV_COLUMNS, export, interaction

# Issue 6's field list, in its order.
ISSUE_FIELDS = [
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
    "location",
    "admin1",
    "country",
    "country_code",
    "latitude",
    "longitude",
    "geonameid",
    "geo_precision",
    "fatalities",
    "status",
    "historical",
    "attributed_to",
    "confidence",
    "evidence",
    "notes",
    "reviewed",  # issue 18: the analyst's decision, null until someone reviews the event
]


def _store_with_events(target: str):
    store = open_store(target)
    a = Document(id="a", text="x" * 100, outlet="aawsat", published=date(2015, 8, 5))
    a.events = [
        make_event(
            "a",
            0,
            "Air/drone strike",
            event_date="2015-08-04",
            time_precision=1,
            actor1="Military Forces of Russia",
            inter1=8,
            actor2="Civilians (Syria)",
            inter2=7,
            location="Hama",
            admin1="Hama",
            geonameid=170017,
            latitude=35.13,
            longitude=36.75,
            geo_precision=1,
            country="Syria",
            country_code="SY",
            fatalities=9,
            attributed_to=["Syrian Observatory for Human Rights"],
            confidence=0.9,
        ),
        make_event(
            "a",
            1,
            "Peaceful protest",
            event_date="2015-08-02",
            time_precision=1,
            actor1="Protesters (Syria)",
            inter1=6,
            location="Idlib",
            country="Syria",
            country_code="SY",
        ),
        make_event(
            "a",
            2,
            "Government regains territory",
            event_date=None,
            historical=True,
            actor1="Military Forces of Syria",
            inter1=1,
            location="Hama",
            geonameid=170017,
            latitude=35.13,
            longitude=36.75,
            country="Syria",
            country_code="SY",
        ),
    ]
    b = Document(id="b", text="y" * 100, outlet="alriyadh", published=date(2015, 8, 6))
    b.events = [
        make_event(
            "b",
            0,
            "Armed clash",
            event_date="2015-08-05",
            time_precision=2,
            actor1="Military Forces of Syria",
            inter1=1,
            actor2="Islamic State (Iraq and Syria)",
            inter2=2,
            location="Aleppo",
            geonameid=170063,
            latitude=36.2,
            longitude=37.16,
            geo_precision=1,
            country="Syria",
            country_code="SY",
            status="claimed",
            fatalities=4,
        ),
        make_event(
            "b",
            1,
            "Armed clash",
            event_date="2015-08-05",
            time_precision=1,
            actor1="Military Forces of Iraq",
            inter1=1,
            location="Mosul",
            latitude=36.34,
            longitude=43.13,
            country="Iraq",
            country_code="IQ",
        ),
    ]
    store.write_many([a, b])
    return store


def test_jsonl_has_exactly_the_issue_fields(target: str) -> None:
    with _store_with_events(target) as store:
        out = io.StringIO()
        assert export(store, "jsonl", out) == 5
        lines = [json.loads(line) for line in out.getvalue().splitlines()]
        assert len(lines) == 5
        for rec in lines:
            assert list(rec) == ISSUE_FIELDS
            assert isinstance(rec["historical"], bool) and isinstance(rec["doc_ids"], list)
            assert all(set(e) == {"doc_id", "start", "end", "text"} for e in rec["evidence"])
            assert rec["notes"].endswith(".")
        strike = next(r for r in lines if r["sub_event_type"] == "Air/drone strike")
        assert strike["event_type"] == "Explosions/Remote violence"
        assert strike["attributed_to"] == ["Syrian Observatory for Human Rights"]
        assert strike["fatalities"] == 9 and strike["geonameid"] == 170017


def test_acled_csv(target: str) -> None:
    with _store_with_events(target) as store:
        out = io.StringIO()
        n = export(store, "acled-csv", out)
        rows = list(csv.DictReader(io.StringIO(out.getvalue())))
        assert n == len(rows) == 4  # the historical event stays out of an ACLED file unless asked for
        assert tuple(csv.reader(io.StringIO(out.getvalue())).__next__()) == CSV_COLUMNS
        strike = next(r for r in rows if r["sub_event_type"] == "Air/drone strike")
        assert strike["disorder_type"] == "Political violence"
        assert strike["civilian_targeting"] == "Civilian targeting"
        assert strike["interaction"] == "78" and strike["iso"] == "760" and strike["year"] == "2015"
        assert strike["source"] == "aawsat; Syrian Observatory for Human Rights"
        protest = next(r for r in rows if r["event_type"] == "Protests")
        assert protest["disorder_type"] == "Demonstrations" and protest["interaction"] == "60"
        assert protest["fatalities"] == "0"
        clash = next(r for r in rows if r["location"] == "Aleppo")
        assert clash["tags"] == "status: claimed" and clash["interaction"] == "12"
        out = io.StringIO()
        assert export(store, "acled-csv", out, historical=None) == 5


def test_geojson(target: str) -> None:
    with _store_with_events(target) as store:
        out = io.StringIO()
        assert export(store, "geojson", out) == 4  # Idlib has no coordinates
        gj = json.loads(out.getvalue())
        assert gj["type"] == "FeatureCollection" and len(gj["features"]) == 4
        for f in gj["features"]:
            assert f["type"] == "Feature" and f["geometry"]["type"] == "Point"
            lon, lat = f["geometry"]["coordinates"]
            assert (lon, lat) == (f["properties"]["longitude"], f["properties"]["latitude"])
            assert list(f["properties"]) == ISSUE_FIELDS
        empty = io.StringIO()
        assert export(store, "geojson", empty, country="France") == 0
        assert json.loads(empty.getvalue())["features"] == []


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, 5),
        ({"date_from": "2015-08-04"}, 3),
        ({"date_from": "2015-08-03", "date_to": "2015-08-04"}, 1),
        ({"bbox": (36.0, 34.0, 38.0, 37.0)}, 3),  # W,S,E,N around Hama and Aleppo
        ({"actor": "islamic state"}, 1),
        ({"actor": "Syria"}, 4),
        ({"event_type": "Battles"}, 3),
        ({"sub_event_type": "Armed clash"}, 2),
        ({"country": "Iraq"}, 1),
        ({"country": "SY"}, 4),
        ({"status": "claimed"}, 1),
        ({"source": "observatory"}, 1),
        ({"text": "sentence 1"}, 2),
        ({"historical": True}, 1),
        ({"min_confidence": 0.5}, 1),  # events coded without the model carry no confidence
        ({"limit": 2}, 2),
        ({"limit": 2, "offset": 4}, 1),
        ({"country": "Syria", "event_type": "Battles", "date_from": "2015-08-01"}, 1),
    ],
)
def test_filters(target: str, filters: dict, expected: int) -> None:
    with _store_with_events(target) as store:
        assert len(list(store.events(**filters))) == expected
        out = io.StringIO()
        assert export(store, "jsonl", out, **filters) == expected


def test_unknown_format_and_interaction_codes(target: str) -> None:
    with _store_with_events(target) as store, pytest.raises(ValueError):
        export(store, "xml", io.StringIO())
    assert interaction(2, 1) == 12 and interaction(3, None) == 30 and interaction(None, None) is None
