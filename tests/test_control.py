"""The territorial-control timeline on both backends: who holds each place on a date, and why."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

from test_store_support import make_event, store_target  # noqa: F401 - the `target` fixture

from marsad.document import Document
from marsad.merge.territory import holds_ground, timeline
from marsad.store import open_store
from marsad.store.control import write_control
from tests.conftest import need_shared

OPP = "Opposition Rebels (Syria)"
GOV = "Military Forces of Syria"
OVERTAKE = "Non-state actor overtakes territory"
REGAIN = "Government regains territory"
TRANSFER = "Non-violent transfer of territory"
PLACES = {
    "Hama": (170017, 35.13179, 36.75783),
    "Ar Rastan": (172946, 34.92667, 36.73241),
    "Talbiseh": (163779, 34.84072, 36.73092),
    "Aleppo": (170063, 36.20124, 37.16117),
    "Homs": (169577, 34.72682, 36.72339),
    "Nasib border crossing": (None, 32.5536, 36.2046),
}


def ev(doc_id: str, k: int, sub: str, place: str, day: str, **fields: object):
    gid, lat, lon = PLACES[place]
    return make_event(
        doc_id,
        k,
        sub,
        event_date=day,
        time_precision=1,
        location=place,
        geonameid=gid,
        latitude=lat,
        longitude=lon,
        geo_precision=1,
        country="Syria",
        country_code="SY",
        **fields,
    )


def sample_article() -> Document:
    """The events the raw sample article (2024-12-06) should yield, as the events stage codes them."""
    doc = Document(id="000_c05be448c3f228f0", text="x" * 500, published=date(2024, 12, 6))
    doc.events = [
        ev(doc.id, 0, OVERTAKE, "Hama", "2024-12-05", actor1=OPP, actor2=GOV),
        ev(
            doc.id,
            1,
            OVERTAKE,
            "Nasib border crossing",
            "2024-12-06",
            actor1=OPP,
            attributed_to=["Al-Araby TV"],
        ),
        ev(doc.id, 2, OVERTAKE, "Ar Rastan", "2024-12-06", actor1=OPP),
        ev(doc.id, 3, OVERTAKE, "Talbiseh", "2024-12-06", actor1=OPP),
        ev(doc.id, 4, OVERTAKE, "Aleppo", "2024-11-30", actor1=OPP),
        ev(doc.id, 5, TRANSFER, "Homs", "2024-12-06", actor1=GOV, status="denied", attributed_to=["SANA"]),
        ev(
            doc.id,
            6,
            "Air/drone strike",
            "Hama",
            "2024-12-06",
            actor1="Military Forces of Russia",
            status="alleged",
        ),
        ev(doc.id, 7, REGAIN, "Hama", "1982-02-28", actor1=GOV, historical=True, fatalities=None),
    ]
    return doc


def test_sample_article_control_on_2024_12_06(target: str) -> None:
    with open_store(target) as store:
        earlier = Document(id="older", text="y" * 50)
        earlier.events = [ev("older", 0, REGAIN, "Homs", "2024-05-01", actor1=GOV)]
        store.write_many([sample_article(), earlier])
        state = {s["place"]: s for s in store.control("2024-12-06")}
        for place in ("Hama", "Ar Rastan", "Talbiseh", "Aleppo", "Nasib border crossing"):
            assert state[place]["controller"] == OPP, place
            assert state[place]["event_ids"], place
        # The denied withdrawal leaves Homs as it was; the 1982 background gives Hama no state.
        assert state["Homs"]["controller"] == GOV and state["Homs"]["since"] == "2024-05-01"
        assert state["Hama"]["since"] == "2024-12-05" and state["Hama"]["previous"] is None
        # Before the offensive only Homs had a known holder.
        assert [s["place"] for s in store.control("2024-11-01")] == ["Homs"]
        # Aleppo fell first.
        assert {s["place"] for s in store.control("2024-12-01")} == {"Homs", "Aleppo"}
        # A bbox around Homs governorate's north keeps Rastan, Talbiseh, Homs, not Aleppo or Nasib.
        near = {s["place"] for s in store.control("2024-12-06", bbox=(36.5, 34.6, 36.9, 35.0))}
        assert near == {"Ar Rastan", "Talbiseh", "Homs"}


def test_a_later_report_keeps_the_history_of_a_place_named_beyond_ascii(target: str) -> None:
    """A merge of new reports recomputes the timeline of their places, found by the place's
    name in any case: on SQLite, whose LOWER folded ASCII only, "ḤALFĀYA" (no GeoNames id) was
    not found, and its control history vanished until a full re-merge."""
    place = "ḤALFĀYA"

    def report(i: int, day: str, sub: str, actor: str) -> Document:
        doc = Document(id=f"r{i}", text="z" * 60)
        doc.events = [
            make_event(
                doc.id, 0, sub, event_date=day, location=place, latitude=35.26, longitude=36.6, actor1=actor
            )
        ]
        return doc

    with open_store(target) as store:
        others = [Document(id=f"other{i}", text="w" * 60) for i in range(12)]
        for i, doc in enumerate(others):
            doc.events = [ev(doc.id, 0, "Armed clash", "Aleppo", f"2016-01-{1 + i:02d}", actor1=GOV)]
        store.write_many([*others, report(1, "2016-03-01", OVERTAKE, OPP)])
        store.merge()
        store.write_many([report(2, "2016-04-01", REGAIN, GOV)])
        assert store.merge()["remerged"] < store.stats()["extracted_events"]  # not a full merge
        (held,) = [s for s in store.control("2016-04-15") if s["place"] == place]
        assert (held["since"], held["controller"], held["previous"]) == ("2016-04-01", GOV, OPP)


def test_alleged_denied_disputed_do_not_flip_and_confirmations_support(target: str) -> None:
    with open_store(target) as store:
        a = Document(id="a", text="z" * 50)
        a.events = [
            ev("a", 0, REGAIN, "Hama", "2015-08-01", actor1=GOV),
            ev("a", 1, OVERTAKE, "Hama", "2015-08-03", actor1=OPP, status="alleged"),
            ev("a", 2, OVERTAKE, "Aleppo", "2015-08-03", actor1=OPP, status="disputed"),
        ]
        b = Document(id="b", text="z" * 50)
        b.events = [
            ev("b", 0, OVERTAKE, "Hama", "2015-08-04", actor1=OPP, status="denied"),
            ev("b", 1, REGAIN, "Hama", "2015-08-10", actor1=GOV),  # confirms the holder
        ]
        store.write_many([a, b])
        (hama,) = store.control("2015-08-20")
        assert hama["controller"] == GOV and hama["since"] == "2015-08-01"
        assert len(hama["event_ids"]) == 2
        assert len(store.control("2015-08-05")[0]["event_ids"]) == 1
        history = store.control_history("Hama")
        assert [h["controller"] for h in history] == [GOV]


def test_transfers_and_withdrawals() -> None:
    base = {
        "time_precision": 1,
        "status": "reported",
        "historical": False,
        "location": "Tadmur",
        "geonameid": 1,
    }
    events = [
        {
            **base,
            "event_id": "e1",
            "event_date": "2015-05-01",
            "sub_event_type": "Armed clash",
            "actor1": GOV,
            "actor2": "IS",
        },
        {**base, "event_id": "e2", "event_date": "2015-05-20", "sub_event_type": TRANSFER, "actor1": GOV},
        {
            **base,
            "event_id": "e3",
            "event_date": "2015-06-01",
            "sub_event_type": TRANSFER,
            "actor1": "IS",
            "actor2": "X",
        },
        {
            **base,
            "event_id": "e4",
            "event_date": "2016-03-27",
            "sub_event_type": REGAIN,
            "actor1": GOV,
            "historical": True,
        },
    ]
    changes = timeline(events)
    # The army's withdrawal hands Tadmur to its opponent in the fight there; then a handover to X.
    assert [(c["controller"], c["previous"], c["since"]) for c in changes] == [
        ("IS", None, "2015-05-20"),
        ("X", "IS", "2015-06-01"),
    ]


def test_control_output_formats(target: str) -> None:
    with open_store(target) as store:
        store.write(sample_article())
        out = io.StringIO()
        assert write_control(store, "2024-12-06", out, "json") == 5
        doc = json.loads(out.getvalue())
        assert doc["date"] == "2024-12-06" and len(doc["places"]) == 5
        assert set(doc["places"][0]) >= {
            "place",
            "latitude",
            "longitude",
            "geonameid",
            "controller",
            "since",
            "event_ids",
        }
        out = io.StringIO()
        write_control(store, "2024-12-06", out, "geojson")
        gj = json.loads(out.getvalue())
        assert gj["type"] == "FeatureCollection" and len(gj["features"]) == 5
        for f in gj["features"]:
            lon, lat = f["geometry"]["coordinates"]
            assert f["geometry"]["type"] == "Point" and -180 <= lon <= 180 and -90 <= lat <= 90


SHARED = Path(__file__).parents[1] / ".." / "shared"
RAW = SHARED / "corpus" / "raw" / "000_c05be448c3f228f0.txt"


def test_raw_sample_article_through_the_pipeline(tmp_path: Path) -> None:
    """Issue 7's acceptance: the raw article gives these places to the opposition, Homs unchanged."""
    need_shared(RAW)
    from marsad.ingest.readers import read
    from marsad.runner import build_pipeline, with_defaults

    with open_store(str(tmp_path / "raw.db")) as store:
        pipeline = build_pipeline(store)
        for doc in with_defaults(read([str(RAW)]), date(2024, 12, 6)):
            store.write(pipeline(doc))
        state = {s["place"]: s for s in store.control("2024-12-06")}
        opposition = {
            name
            for name, s in state.items()
            if s["controller"] and any(k in s["controller"] for k in ("Opposition", "Hayat Tahrir", "Rebel"))
        }
        for wanted in ("Hama", "Rastan", "Talbiseh", "Aleppo", "Nasib"):
            assert any(wanted in name for name in opposition), wanted
        assert "Homs" not in state


def test_only_armed_forces_on_the_ground_take_a_place() -> None:
    assert holds_ground("Opposition Rebels (Syria)", 2) and holds_ground("Islamic State")
    assert not holds_ground("Civilians (Syria)", 7) and not holds_ground("Protesters (Syria)")
    # labels made for another country are read back as what they are
    assert not holds_ground("Civilians (Yemen)") and not holds_ground("Protesters (Egypt)")
    assert not holds_ground("Coalition (United States)", 8)  # it strikes from the air
    changes = timeline(
        [
            {"event_id": "e1", "sub_event_type": OVERTAKE, "event_date": "2015-08-01", "status": "reported",
             "actor1": "Coalition (United States)", "inter1": 8, "location": "Raqqa", "geonameid": 163915},
            {"event_id": "e2", "sub_event_type": OVERTAKE, "event_date": "2015-08-02", "status": "reported",
             "actor1": "Civilians (Syria)", "inter1": 7, "location": "Raqqa", "geonameid": 163915},
        ]
    )  # fmt: skip
    assert changes == []


def test_a_withdrawal_hands_the_place_to_the_last_armed_opponent_not_to_victims() -> None:
    base = {"status": "reported", "historical": False, "location": "Qaryat", "geonameid": 7}
    changes = timeline(
        [
            {**base, "event_id": "e1", "event_date": "2015-03-01", "sub_event_type": "Armed clash",
             "actor1": "Houthi Movement", "actor2": "Popular Resistance (Yemen)"},
            {**base, "event_id": "e2", "event_date": "2015-03-05", "sub_event_type": "Attack",
             "actor1": "Houthi Movement", "actor2": "Civilians (Yemen)"},
            {**base, "event_id": "e3", "event_date": "2015-03-09", "sub_event_type": TRANSFER,
             "actor1": "Houthi Movement"},
        ]
    )  # fmt: skip
    assert [(c["controller"], c["since"]) for c in changes] == [("Popular Resistance (Yemen)", "2015-03-09")]
