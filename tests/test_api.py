"""The HTTP API over a store of synthetic Arabic articles: reads, filters, safety and limits."""

from __future__ import annotations

import json
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from test_api_support import (  # noqa: E402
    IMG,
    OPPOSITION,
    SCRIPT,
    SENT_DARAA,
    SENT_HAMA,
    SOHR,
    build_synthetic_store,
)

from marsad.api.app import _printable, create_app  # noqa: E402
from marsad.api.limits import SlidingWindow  # noqa: E402

with warnings.catch_warnings():  # starlette's note about httpx versions is not ours to fix
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

TOKEN = "s3cret-token"


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    return build_synthetic_store(str(tmp_path_factory.mktemp("api") / "store.db"))


@pytest.fixture(scope="module")
def client(db: str) -> Iterator[TestClient]:
    with TestClient(create_app(db, token=TOKEN, reads_per_minute=10_000)) as c:
        yield c


def _by_location(client: TestClient) -> dict[str, dict]:
    return {e["location"]: e for e in client.get("/events").json()["events"]}


# -- reading ---------------------------------------------------------------------------------
def test_events_page_in_date_order(client: TestClient) -> None:
    body = client.get("/events").json()
    assert body["count"] == 3 and body["next_offset"] is None
    assert [e["event_date"] for e in body["events"]] == ["2024-12-04", "2024-12-05", "2024-12-06"]
    first = client.get("/events", params={"limit": 1}).json()
    assert first["count"] == 1 and first["next_offset"] == 1
    rest = client.get("/events", params={"limit": 2, "offset": 1}).json()
    assert [e["event_id"] for e in first["events"] + rest["events"]] == [
        e["event_id"] for e in body["events"]
    ]
    assert client.get("/events", params={"offset": 50}).json()["events"] == []


@pytest.mark.parametrize(
    ("params", "locations"),
    [
        ({"event_type": "Battles"}, {"Homs", "Hama"}),
        ({"sub_event_type": "Shelling/artillery/missile attack"}, {"Daraa"}),
        ({"status": "reported"}, {"Homs", "Hama", "Daraa"}),
        ({"status": "denied"}, set()),
        ({"actor": "tahrir"}, {"Hama"}),
        ({"source": "observatory"}, {"Daraa"}),
        ({"text": "قصف"}, {"Daraa"}),
        ({"date_from": "2024-12-05"}, {"Hama", "Daraa"}),
        ({"date_from": "2024-12-04", "date_to": "2024-12-04"}, {"Homs"}),
        ({"bbox": "35.9,32.4,36.3,32.8"}, {"Daraa"}),
        ({"country": "SY", "historical": "false"}, {"Homs", "Hama", "Daraa"}),
        # Issue 13: a LIKE wildcard in a filter matched everything; it matches only itself now.
        ({"actor": "%"}, set()),
        ({"source": "_"}, set()),
        ({"text": "%%"}, set()),
    ],
)
def test_event_filters(client: TestClient, params: dict, locations: set[str]) -> None:
    res = client.get("/events", params=params)
    assert res.status_code == 200, res.text
    assert {e["location"] for e in res.json()["events"]} == locations


def test_filters_ignore_the_case_of_letters_beyond_ascii(tmp_path) -> None:
    """Issue: on SQLite an actor corrected to "Émigré Brigade" was found by "Brigade" only, not
    by its own spelling ("ÉMIGRÉ", "émigré"): SQLite's LOWER folded ASCII letters alone. The
    list, the map and the review queue filter alike."""
    db = build_synthetic_store(str(tmp_path / "store.db"))
    with TestClient(create_app(db, token=TOKEN)) as c:
        event = c.get("/events").json()["events"][0]["event_id"]
        fields = {"actor1": "Émigré Brigade", "country": "Åland"}
        res = c.post(
            f"/review/events/{event}/correct",
            json={"fields": fields},
            headers={"Authorization": f"Bearer {TOKEN}"},
        )
        assert res.status_code == 200, res.text
        for params in ({"actor": "ÉMIGRÉ"}, {"actor": "émigré brigade"}, {"country": "ÅLAND"}):
            assert [e["event_id"] for e in c.get("/events", params=params).json()["events"]] == [event]
            assert c.get("/map/points", params=params).json()["ids"] == [event]
            assert c.get("/map/extent", params=params).json()["count"] == 1
            queue = c.get("/review/queue", params=params | {"state": "all"}).json()["items"]
            assert [i["event_id"] for i in queue] == [event]


@pytest.mark.parametrize(
    "params",
    [
        {"limit": 1001},
        {"limit": 0},
        {"offset": -1},
        {"bbox": "1,2,3"},
        {"bbox": "40,30,35,35"},  # west of its own west
        {"bbox": "1,2,3,x"},
        {"date_from": "yesterday"},
        {"event_type": "Picnic"},
        {"status": "rumoured"},
        {"format": "xml"},
        {"actor": "x" * 201},
        {"min_confidence": "1.5"},  # a probability
    ],
)
def test_bad_event_queries_are_422(client: TestClient, params: dict) -> None:
    assert client.get("/events", params=params).status_code == 422


def test_events_as_geojson(client: TestClient) -> None:
    body = client.get(
        "/events", params={"format": "geojson", "event_type": "Explosions/Remote violence"}
    ).json()
    assert body["type"] == "FeatureCollection"
    (feature,) = body["features"]
    assert feature["geometry"] == {"type": "Point", "coordinates": [36.10213, 32.61889]}
    assert feature["properties"]["fatalities"] == 12
    assert feature["properties"]["attributed_to"] == [SOHR]


def test_event_detail_highlights_only_its_own_words(client: TestClient) -> None:
    daraa = _by_location(client)["Daraa"]
    detail = client.get(f"/events/{daraa['event_id']}").json()
    (evidence,) = detail["evidence"]
    assert evidence["text"] == SENT_DARAA
    marked = {(evidence["text"][h["start"] : h["end"]], h["label"]) for h in evidence["highlights"]}
    assert marked == {
        ("المرصد السوري", "source"),
        ("12 شخصا قتلوا", "casualties"),
        ("قصف", "trigger"),
        ("درعا", "place"),
    }  # Hama is named in the sentence but is not where this event happened
    assert evidence["document"]["id"] == "syn-hama" and evidence["document"]["outlet"] == "Example News"
    assert detail["outlets"] == ["Example News"]
    assert [s["doc_id"] for s in detail["sources"]] == ["syn-hama"]


def test_a_list_page_is_written_as_its_models_would_write_it(client: TestClient, db: str) -> None:
    """GET /events writes its page with orjson, not through the models: the bytes must be the
    models' own, for pages, GeoJSON and rows whose values the models would convert."""
    import orjson

    from marsad.api.app import _event, _feature, _listed, _listed_feature
    from marsad.api.models import EventPage, FeatureCollection, ListedEvent
    from marsad.store import open_store

    with open_store(db, merge_on_read=False) as store:
        for params in ({}, {"limit": 2, "offset": 1}, {"evidence": 0}, {"sub_event_type": "Armed clash"}):
            limit, offset = params.get("limit", 100), params.get("offset", 0)
            filters = {k: v for k, v in params.items() if k not in ("limit", "offset", "evidence")}
            rows = list(
                store.events(**filters, limit=limit + 1, offset=offset, evidence=params.get("evidence", 5))
            )
            more = len(rows) > limit
            models = [_event(r, ListedEvent) for r in rows[:limit]]
            page = EventPage(
                count=len(models),
                limit=limit,
                offset=offset,
                next_offset=offset + limit if more else None,
                events=models,
            )
            assert rows and client.get("/events", params=params).content == page.model_dump_json().encode()
            geo = FeatureCollection(
                features=[_feature(m.model_dump(), "event_id") for m in models], next_offset=page.next_offset
            )
            got = client.get("/events", params={**params, "format": "geojson"}).content
            assert got == geo.model_dump_json().encode()
    row = dict(rows[0], latitude=35, longitude=None, confidence=1, reviewed="accepted")
    row["evidence"] = [{"text": "نص", "end": 2, "doc_id": "d", "start": 0}]  # as a review stores it
    model = ListedEvent.model_validate({k: row[k] for k in ListedEvent.model_fields})
    assert orjson.dumps(_listed(row)) == model.model_dump_json().encode()
    feature = _feature(model.model_dump(), "event_id").model_dump_json().encode()
    assert orjson.dumps(_listed_feature(_listed(row))) == feature


def test_a_list_page_carries_the_first_evidence_sentences_and_their_total(client: TestClient) -> None:
    full = {e["event_id"]: e for e in client.get("/events").json()["events"]}
    assert all(e["evidence_total"] == len(e["evidence"]) for e in full.values())
    bare = client.get("/events", params={"evidence": 0}).json()["events"]
    assert bare and all(e["evidence"] == [] for e in bare)
    assert {e["event_id"]: e["evidence_total"] for e in bare} == {
        k: len(e["evidence"]) for k, e in full.items()
    }
    detail = client.get(f"/events/{bare[0]['event_id']}").json()  # the event read whole
    assert len(detail["evidence"]) == bare[0]["evidence_total"]
    assert client.get("/events", params={"evidence": -1}).status_code == 422


def test_event_detail_actor_highlights(client: TestClient) -> None:
    hama = _by_location(client)["Hama"]
    (evidence,) = client.get(f"/events/{hama['event_id']}").json()["evidence"]
    assert evidence["text"] == SENT_HAMA
    labels = [(SENT_HAMA[h["start"] : h["end"]], h["label"]) for h in evidence["highlights"]]
    assert labels == [
        ("سيطرت", "trigger"),
        ("فصائل المعارضة", "actor"),
        ("حماة", "place"),
        ("الخميس", "date"),
        ("قوات النظام", "actor"),
    ]


def test_unknown_ids_are_404(client: TestClient) -> None:
    assert client.get("/events/ev-0000000000000000").status_code == 404
    assert client.get("/documents/nope").status_code == 404


def test_control_on_a_date(client: TestClient) -> None:
    assert client.get("/control", params={"date": "2024-12-04"}).json()["places"] == []
    body = client.get("/control", params={"date": "2024-12-06"}).json()
    (hama,) = body["places"]
    assert (hama["place"], hama["controller"], hama["since"]) == ("Hama", OPPOSITION, "2024-12-05")
    assert hama["event_ids"] == [_by_location(client)["Hama"]["event_id"]]
    geo = client.get("/control", params={"date": "2024-12-06", "format": "geojson"}).json()
    assert geo["features"][0]["geometry"]["coordinates"] == [36.75783, 35.13179]
    outside = client.get("/control", params={"date": "2024-12-06", "bbox": "35.9,32.4,36.3,32.8"}).json()
    assert outside["places"] == [] and outside["bbox"] == [35.9, 32.4, 36.3, 32.8]
    assert client.get("/control").status_code == 422
    assert client.get("/control", params={"date": "2024-13-01"}).status_code == 422


def test_hostile_text_is_returned_as_plain_data(client: TestClient) -> None:
    res = client.get("/documents/syn-xss")
    assert res.headers["content-type"] == "application/json"
    doc = res.json()
    assert SCRIPT in doc["text"] and IMG in doc["text"]
    assert doc["title"] == SCRIPT and doc["outlet"] == IMG
    assert "&lt;" not in res.text  # neither escaped for HTML here nor unescaped: the client escapes
    assert [s["label"] for s in doc["spans"]] == ["trigger", "place"]
    assert doc["text"][doc["spans"][1]["start"] : doc["spans"][1]["end"]] == "حمص"


def test_stats(client: TestClient) -> None:
    stats = client.get("/stats").json()
    assert stats["documents"] == 2 and stats["events"] == 3 and stats["control_changes"] == 1


def test_page_and_assets_are_served(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and "static/app.js" in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["x-content-type-options"] == "nosniff"
    for asset in ("app.js", "app.css", "countries-50m.json", "THIRD_PARTY_LICENSES"):
        assert client.get(f"/static/{asset}").status_code == 200, asset
    assert client.get("/config").json() == {"tile_url": None, "tile_attribution": None, "private": False}


def test_tile_url_is_configurable(db: str) -> None:
    url = "https://{s}.tile.example.org/{z}/{x}/{y}.png"
    with TestClient(create_app(db, tile_url=url, tile_attribution="© Example")) as c:
        assert c.get("/config").json() == {"tile_url": url, "tile_attribution": "© Example", "private": False}
        assert (
            "img-src 'self' data: https://*.tile.example.org" in c.get("/").headers["content-security-policy"]
        )


def test_openapi_documents_the_api(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    assert {
        "/events",
        "/events/{event_id}",
        "/control",
        "/documents",
        "/documents/{doc_id}",
        "/stats",
    } <= set(schema["paths"])
    post = schema["paths"]["/documents"]["post"]
    assert post["security"] == [{"HTTPBearer": []}]
    assert {"401", "403", "413", "429"} <= set(post["responses"])
    assert schema["components"]["schemas"]["ArticleIn"]["additionalProperties"] is False


# -- writing ---------------------------------------------------------------------------------
ARTICLE = {"text": f"{SENT_HAMA} {SENT_DARAA}", "title": "خبر", "published": "2024-12-06"}


def test_post_is_refused_without_a_configured_token(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MARSAD_API_TOKEN", raising=False)
    with TestClient(create_app(db)) as c:
        res = c.post("/documents", json=ARTICLE, headers={"Authorization": "Bearer anything"})
        assert res.status_code == 403


def test_token_from_the_environment(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MARSAD_API_TOKEN", "from-env")
    with TestClient(create_app(db)) as c:
        bad = c.post("/documents", json={"text": ""}, headers={"Authorization": "Bearer wrong"})
        assert bad.status_code == 401
        assert (
            c.post("/documents", json={"text": ""}, headers={"Authorization": "Bearer from-env"}).status_code
            == 422
        )


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {TOKEN}"}, {"Authorization": TOKEN}],
)
def test_post_needs_the_bearer_token(client: TestClient, headers: dict) -> None:
    res = client.post("/documents", json=ARTICLE, headers=headers)
    assert res.status_code == 401
    assert res.headers.get("www-authenticate") == "Bearer"


@pytest.mark.parametrize(
    "body",
    [
        {"title": "no text"},
        {"text": ""},
        {"text": "x", "colour": "red"},  # unknown fields are refused, not dropped
        {"text": "x", "published": "06/12/2024"},
        {"text": "x", "published": "0001-01-01"},  # no day before it: relative dates could not be coded
        {"text": "x", "id": "../etc/passwd"},
        {"text": "x", "url": "javascript:alert(1)"},
    ],
)
def test_bad_articles_are_422(client: TestClient, body: dict) -> None:
    res = client.post("/documents", json=body, headers={"Authorization": f"Bearer {TOKEN}"})
    assert res.status_code == 422


@pytest.mark.parametrize("number", [b"NaN", b"Infinity", b"-Infinity"])
def test_non_finite_numbers_are_422_not_500(client: TestClient, number: bytes) -> None:
    """Python's JSON reader accepts NaN and Infinity; the 422 that echoes them must still be JSON."""
    body = b'{"text": "x", "published": ' + number + b"}"
    res = client.post(
        "/documents",
        content=body,
        headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"},
    )
    assert res.status_code == 422
    (error,) = res.json()["detail"]
    assert error["loc"] == ["body", "published"] and isinstance(error["input"], str)


@pytest.mark.parametrize(
    ("url", "body", "loc"),
    [
        ("/review/events/{event}/correct", b'{"fields": {"latitude": NaN}}', ["fields", "latitude"]),
        ("/review/events/{event}/correct", b'{"fields": {"fatalities": Infinity}}', ["fields", "fatalities"]),
        ("/review/events/{event}/accept", b'{"if_version": -Infinity}', ["if_version"]),
        ("/review/events/{event}/reject", b'{"reason": "other", "if_version": NaN}', ["if_version"]),
        ("/review/events/{event}/split", b'{"member_ids": [Infinity]}', ["member_ids", 0]),
        ("/review/merge", b'{"event_ids": [NaN, "{event}"]}', ["event_ids", 0]),
        (
            "/review/events",
            b'{"doc_id": "d", "start": NaN, "end": 5, "fields": {"longitude": 36.7}}',
            ["start"],
        ),
    ],
)
def test_non_finite_numbers_in_review_writes_are_422_naming_the_field(
    client: TestClient, url: str, body: bytes, loc: list
) -> None:
    """Every write that reads numbers echoes a refused NaN or Infinity in its 422 as text: the
    coordinates, counts and versions of the review endpoints as much as the article's date."""
    event = client.get("/events").json()["events"][0]["event_id"]
    res = client.post(
        url.replace("{event}", event),
        content=body.replace(b"{event}", event.encode()),
        headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"},
    )
    assert res.status_code == 422, res.text
    (error,) = res.json()["detail"]
    assert error["loc"] == ["body", *loc] and isinstance(error["input"], str)


def test_printable_makes_any_echoed_input_json() -> None:
    """The 422 handler's input may hold what JSON cannot carry; what it sends is always JSON."""
    echoed = {"a": [float("nan"), float("inf"), -float("inf")], "b\ud800": ("x\udfff", 1.5, 2, None)}
    out = _printable(echoed)
    assert out["a"] == ["nan", "inf", "-inf"]
    ((key, values),) = ((k, v) for k, v in out.items() if k != "a")
    assert key.startswith("b\ufffd") and values[0].startswith("x\ufffd") and values[1:] == [1.5, 2, None]
    assert json.loads(json.dumps(out, allow_nan=False, ensure_ascii=False).encode()) == out


def test_bodies_over_the_limit_are_413(db: str) -> None:
    with TestClient(create_app(db, token=TOKEN, max_body_bytes=1000)) as c:
        auth = {"Authorization": f"Bearer {TOKEN}"}
        declared = c.post("/documents", json={"text": "ن" * 1000}, headers=auth)
        assert declared.status_code == 413

        def chunks() -> Iterator[bytes]:  # streamed without a Content-Length
            yield b'{"text": "'
            for _ in range(20):
                yield b"a" * 100
            yield b'"}'

        streamed = c.post("/documents", content=chunks(), headers=auth | {"Content-Type": "application/json"})
        assert streamed.status_code == 413
        assert c.get("/stats").status_code == 200  # reads carry no body and pass


def test_default_body_limit_is_one_megabyte(client: TestClient) -> None:
    res = client.post(
        "/documents", json={"text": "a" * 1_000_001}, headers={"Authorization": f"Bearer {TOKEN}"}
    )
    assert res.status_code == 413


def test_rate_limits_per_client(db: str) -> None:
    with TestClient(create_app(db, token=TOKEN, reads_per_minute=3, writes_per_minute=2)) as c:
        assert [c.get("/stats").status_code for _ in range(4)] == [200, 200, 200, 429]
        limited = c.get("/stats")
        assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1
        codes = [c.post("/documents", json={"text": ""}).status_code for _ in range(3)]
        assert codes == [401, 401, 429]


def test_sliding_window_forgets_old_hits() -> None:
    window = SlidingWindow(2, window_s=10, max_keys=2)
    assert window.hit("a", now=0) == 0 and window.hit("a", now=1) == 0
    assert window.hit("a", now=2) == pytest.approx(8)
    assert window.hit("b", now=2) == 0  # another client has its own budget
    assert window.hit("a", now=10.5) == 0
    window.hit("c", now=30)  # a third key prunes the stale ones
    assert set(window._hits) <= {"b", "c", "a"} and len(window._hits) <= 2


def test_ingest_through_the_pipeline(tmp_path) -> None:
    db = build_synthetic_store(str(tmp_path / "store.db"))
    with TestClient(create_app(db, token=TOKEN)) as c:
        auth = {"Authorization": f"Bearer {TOKEN}"}
        body = ARTICLE | {"id": "api-test-1", "outlet": "Test Wire", "url": "https://example.org/a"}
        res = c.post("/documents", json=body, headers=auth)
        assert res.status_code == 201, res.text
        result = res.json()
        assert result["state"] == "processed" and result["events"]
        stored = c.get(f"/documents/{result['id']}").json()
        assert stored["state"] == "processed" and stored["text"] and stored["outlet"] == "Test Wire"
        assert result["events"] == stored["event_ids"]
        # Issue 13, item 4: an HTTP retry is a no-op that answers as the first time did (it used to
        # mark the document a duplicate of itself, and its events vanished).
        stats = c.get("/stats").json()
        for again in (body, body | {"title": "خبر معدل"}):  # the same record; the same text and id
            res = c.post("/documents", json=again, headers=auth)
            assert res.status_code == 200, res.text
            assert res.json() == result
        assert c.get("/stats").json() == stats
        # An id that names another text is refused, and the text kept in the quarantine.
        other = body | {"text": f"{SENT_DARAA} {SENT_HAMA} وأضاف المرصد."}
        res = c.post("/documents", json=other, headers=auth)
        assert res.status_code == 409 and "id collision" in res.json()["detail"]
        assert c.get(f"/documents/{result['id']}").json() == stored
        assert c.get("/stats").json()["quarantined"] == stats["quarantined"] + 1


def test_unstorable_characters_are_refused_not_a_500(tmp_path) -> None:
    """Issue 13, items 2 and 6: a NUL answered 201 with event ids for a document that ended up
    quarantined; a lone surrogate (``"\\ud800"``) was a 500. Now the NUL is a quarantine record
    the answer names, and text that is not Unicode is a 422 naming the field."""
    db = build_synthetic_store(str(tmp_path / "store.db"))
    with TestClient(create_app(db, token=TOKEN)) as c:
        headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}

        def post(bad: str):
            return c.post(
                "/documents",
                content=json.dumps(ARTICLE).replace('"text": "', '"text": "' + bad, 1),
                headers=headers,
            )

        res = post("\\u0000")
        assert res.status_code == 201, res.text
        result = res.json()
        assert result["state"] == "quarantined" and result["events"] == []
        assert result["quarantine"].startswith("NUL character at api: U+0000 in the text")
        assert c.get(f"/documents/{result['id']}").json()["state"] == "quarantined"
        res = post("\\ud800")
        assert res.status_code == 422 and res.json()["detail"][0]["loc"] == ["body", "text"]
