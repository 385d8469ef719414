"""The review API: accounts and roles, the queue, the review card, decisions and their limits,
the map's data at scale, and the CLI around them (users, export --reviewed-only, gold export)."""

from __future__ import annotations

import json
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from test_api_support import DARAA, HAMA, HOMS, OPPOSITION, REGIME, SENT_DARAA, build_synthetic_store  # noqa: E402

from marsad.api.app import create_app  # noqa: E402
from marsad.store import open_store, review  # noqa: E402

with warnings.catch_warnings():  # starlette's note about httpx versions is not ours to fix
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

SERVER_TOKEN = "server-token"


@pytest.fixture
def db(tmp_path: Path) -> str:
    return build_synthetic_store(str(tmp_path / "store.db"))


@pytest.fixture
def tokens(db: str) -> dict[str, str]:
    with open_store(db) as store:
        return {role: review.add_user(store.db, f"{role}-1", role) for role in review.ROLES}


@pytest.fixture
def client(db: str, tokens: dict[str, str]) -> Iterator[TestClient]:
    with TestClient(
        create_app(db, token=SERVER_TOKEN, reads_per_minute=10_000, writes_per_minute=10_000)
    ) as c:
        yield c


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def by_location(client: TestClient, **params) -> dict[str, dict]:
    return {e["location"]: e for e in client.get("/events", params=params).json()["events"]}


def test_roles(client: TestClient, tokens: dict[str, str]) -> None:
    assert client.get("/me", headers=auth(tokens["editor"])).json() == {"name": "editor-1", "role": "editor"}
    assert client.get("/me", headers=auth(SERVER_TOKEN)).json() == {"name": "server", "role": "admin"}
    assert client.get("/me").status_code == 401
    hama = by_location(client)["Hama"]["event_id"]
    url = f"/review/events/{hama}/accept"
    assert client.post(url, json={}).status_code == 401
    assert client.post(url, json={}, headers=auth("nobody's")).status_code == 401
    assert client.post(url, json={}, headers=auth(tokens["reader"])).status_code == 403
    assert client.post("/documents", json={"text": "x"}, headers=auth(tokens["reader"])).status_code == 403
    assert client.get("/users", headers=auth(tokens["editor"])).status_code == 403
    assert [u["name"] for u in client.get("/users", headers=auth(tokens["admin"])).json()] == [
        "admin-1",
        "editor-1",
        "reader-1",
    ]
    assert client.post(url, json={}, headers=auth(tokens["editor"])).status_code == 200
    # Reads are open on a public server, whoever asks.
    assert client.get("/review/queue").status_code == 200


def test_a_private_server_needs_a_reader(db: str, tokens: dict[str, str]) -> None:
    with TestClient(create_app(db, private=True)) as c:
        assert c.get("/config").json()["private"] is True
        assert c.get("/").status_code == 200  # the page itself loads, to sign in
        for path in ("/events", "/map/points", "/review/queue", "/stats", "/control?date=2024-12-06"):
            assert c.get(path).status_code == 401, path
            assert c.get(path, headers=auth(tokens["reader"])).status_code == 200, path


def test_writes_are_disabled_without_any_account(tmp_path: Path) -> None:
    db = build_synthetic_store(str(tmp_path / "bare.db"))
    with TestClient(create_app(db)) as c:
        eid = by_location(c)["Hama"]["event_id"]
        assert c.post(f"/review/events/{eid}/accept", json={}, headers=auth("x")).status_code == 403


def test_queue_card_and_decisions(client: TestClient, tokens: dict[str, str]) -> None:
    ed = auth(tokens["editor"])
    queue = client.get("/review/queue", params={"order": "date"}).json()
    assert [i["location"] for i in queue["items"]] == ["Homs", "Hama", "Daraa"]
    assert all(i["review"] is None for i in queue["items"])
    daraa = next(i for i in queue["items"] if i["location"] == "Daraa")

    card = client.get(f"/review/events/{daraa['event_id']}").json()
    assert card["event"]["evidence"][0]["text"] == SENT_DARAA
    assert card["review"] is None and card["history"] == []
    assert "not an event" in card["reject_reasons"]
    # The coder's own place first, then the other place the sentence names: one click away.
    assert [p["location"] for p in card["candidates"]["places"]][:2] == ["Daraa", "Hama"]
    assert card["members"][0]["doc_id"] == "syn-hama"

    # Correct the place (to Hama, a candidate) and the actor, against the version we saw.
    hama_place = next(p for p in card["candidates"]["places"] if p["location"] == "Hama")
    fields = {
        k: hama_place[k] for k in ("location", "latitude", "longitude", "geonameid", "admin1", "country")
    }
    res = client.post(
        f"/review/events/{daraa['event_id']}/correct",
        json={"fields": fields | {"actor1": OPPOSITION, "inter1": 2}, "if_version": 0},
        headers=ed,
    )
    assert res.status_code == 200, res.text
    result = res.json()
    assert result["decision"] == "corrected" and result["version"] == 1
    again = client.post(
        f"/review/events/{daraa['event_id']}/correct",
        json={"fields": {"fatalities": 3}, "if_version": 0},
        headers=ed,
    )
    assert again.status_code == 409  # someone (we) moved it on meanwhile
    fixed = client.get(f"/events/{result['event_id']}").json()
    assert (fixed["location"], fixed["actor1"], fixed["reviewed"]) == ("Hama", OPPOSITION, "corrected")
    assert (
        fixed["latitude"]
        == pytest.approx(hama_place["latitude"], abs=0.01)
        == pytest.approx(HAMA[2], abs=0.01)
    )
    card = client.get(f"/review/events/{result['event_id']}").json()
    assert card["review"]["changed"] == ["actor1", "place"]
    assert [(h["action"], h["user"]) for h in card["history"]] == [("corrected", "editor-1")]
    assert card["history"][0]["before"]["decision"] is None
    assert card["history"][0]["after"]["fields"]["location"] == "Hama"

    # Reject the Homs clash: it leaves the map and the exports, stays in the queue's "rejected".
    homs = by_location(client)["Homs"]["event_id"]
    bad = client.post(f"/review/events/{homs}/reject", json={"reason": "boring"}, headers=ed)
    assert bad.status_code == 422
    assert (
        client.post(f"/review/events/{homs}/reject", json={"reason": "not an event"}, headers=ed).status_code
        == 200
    )
    assert "Homs" not in by_location(client)
    rejected = client.get("/review/queue", params={"state": "rejected"}).json()["items"]
    assert [(i["location"], i["review"]["reason"]) for i in rejected] == [("Homs", "not an event")]
    todo = client.get("/review/queue").json()["items"]
    assert [i["sub_event_type"] for i in todo] == ["Non-state actor overtakes territory"]
    reviewed = client.get("/review/queue", params={"state": "reviewed"}).json()["items"]
    assert [i["reviewed"] for i in reviewed] == ["corrected"]
    # Reopened, the rejected event is back on the map.
    assert client.post(f"/review/events/{homs}/reopen", json={}, headers=ed).status_code == 200
    assert "Homs" in by_location(client)


def test_merge_split_add_and_document_done(client: TestClient, tokens: dict[str, str]) -> None:
    ed = auth(tokens["editor"])
    ids = [e["event_id"] for e in by_location(client).values()]
    res = client.post("/review/merge", json={"event_ids": ids[:2]}, headers=ed)
    assert res.status_code == 200, res.text
    merged = client.get(f"/review/events/{res.json()['event_id']}").json()
    assert len(merged["members"]) == 2
    res = client.post(
        f"/review/events/{merged['event']['event_id']}/split",
        json={"member_ids": [merged["members"][0]["event_id"]]},
        headers=ed,
    )
    assert res.status_code == 200 and len(by_location(client)) == 3
    assert (
        client.post(f"/review/events/{ids[0]}/split", json={"member_ids": ["ev-x"]}, headers=ed).status_code
        == 400
    )

    doc = client.get("/documents/syn-hama").json()
    start = doc["text"].index(SENT_DARAA)
    new = {
        "doc_id": "syn-hama",
        "start": start,
        "end": start + len(SENT_DARAA),
        "fields": {
            "sub_event_type": "Attack",
            "event_date": "2024-12-06",
            "location": "Daraa",
            "latitude": DARAA[2],
            "longitude": DARAA[3],
        },
    }
    res = client.post("/review/events", json=new, headers=ed)
    assert res.status_code == 201, res.text
    assert res.json()["event_id"].startswith("rv-") and res.json()["decision"] == "added"
    assert client.post("/review/events", json=new | {"doc_id": "nope"}, headers=ed).status_code == 404
    assert client.post("/review/events", json=new | {"end": 10**6}, headers=ed).status_code == 400
    no_type = new | {"fields": {"location": "Daraa"}}
    assert client.post("/review/events", json=no_type, headers=ed).status_code == 400

    # An article is done only when none of its events waits.
    assert client.post("/review/documents/syn-hama/done", headers=ed).status_code == 409
    for item in client.get("/review/queue", params={"state": "pending", "limit": 200}).json()["items"]:
        assert (
            client.post(f"/review/events/{item['event_id']}/accept", json={}, headers=ed).status_code == 200
        )
    assert client.post("/review/documents/syn-hama/done", headers=ed).status_code == 200


def test_a_card_read_before_a_merge_or_split_is_stale(client: TestClient, tokens: dict[str, str]) -> None:
    ed = auth(tokens["editor"])
    ids = sorted(e["event_id"] for e in by_location(client).values())[:2]
    client.post(f"/review/events/{ids[0]}/accept", json={"if_version": 0}, headers=ed)
    seen = client.get(f"/review/events/{ids[0]}").json()["review"]["version"]
    merge = {"event_ids": ids, "if_versions": [seen - 1, 0]}
    assert client.post("/review/merge", json=merge, headers=ed).status_code == 409
    res = client.post("/review/merge", json=merge | {"if_versions": [seen, 0]}, headers=ed)
    assert res.status_code == 200 and res.json()["version"] > seen
    stale = {"fields": {"fatalities": 7}, "if_version": seen}
    assert client.post(f"/review/events/{ids[0]}/correct", json=stale, headers=ed).status_code == 409
    card = client.get(f"/review/events/{res.json()['event_id']}").json()
    split = {"member_ids": [card["members"][1]["event_id"]], "if_version": card["review"]["version"] - 1}
    url = f"/review/events/{res.json()['event_id']}/split"
    assert client.post(url, json=split, headers=ed).status_code == 409
    assert (
        client.post(url, json=split | {"if_version": card["review"]["version"]}, headers=ed).status_code
        == 200
    )


def test_an_added_event_is_rejected_and_reopened_like_any_other(
    client: TestClient, tokens: dict[str, str]
) -> None:
    ed = auth(tokens["editor"])
    start = client.get("/documents/syn-hama").json()["text"].index(SENT_DARAA)
    fields = {"sub_event_type": "Attack", "location": "Daraa", "latitude": DARAA[2], "longitude": DARAA[3]}
    new = {"doc_id": "syn-hama", "start": start, "end": start + len(SENT_DARAA), "fields": fields}
    eid = client.post("/review/events", json=new, headers=ed).json()["event_id"]
    res = client.post(f"/review/events/{eid}/correct", json={"fields": {"fatalities": 2}}, headers=ed)
    assert res.json()["decision"] == "added"
    res = client.post(f"/review/events/{eid}/reject", json={"reason": "other", "if_version": 2}, headers=ed)
    assert (res.status_code, res.json()["event_id"], res.json()["decision"]) == (200, eid, "rejected")
    assert eid not in {e["event_id"] for e in by_location(client).values()}
    rejected = client.get("/review/queue", params={"state": "rejected"}).json()["items"]
    assert [(i["event_id"], i["location"]) for i in rejected] == [(eid, "Daraa")]
    assert client.get(f"/review/events/{eid}").json()["review"]["decision"] == "rejected"
    res = client.post(f"/review/events/{eid}/reopen", json={"if_version": 3}, headers=ed)
    assert (res.status_code, res.json()["decision"]) == (200, "added")
    assert client.get(f"/events/{eid}").json()["fatalities"] == 2


def test_searches(client: TestClient) -> None:
    places = client.get("/review/places", params={"q": "Hama"}).json()
    assert places[0]["location"] == "Hama" and places[0]["country"] == "Syria"
    assert client.get("/review/places", params={"q": "حمص"}).json()[0]["location"].startswith("Homs")
    near = client.get("/review/places", params={"lat": HOMS[2] + 0.01, "lon": HOMS[3]}).json()
    assert near[0]["location"] == "Homs" and near[0]["distance_km"] < 2  # before its quarters
    assert client.get("/review/places").status_code == 400
    actors = client.get("/review/actors", params={"q": "nusra"}).json()
    assert actors[0]["name"] == "Jabhat al-Nusra" and actors[0]["inter"] == 2
    assert REGIME in [
        a["name"] for a in client.get("/review/actors", params={"q": "Military Forces of Syria (2000"}).json()
    ]


def test_map_extent_and_points(client: TestClient) -> None:
    ext = client.get("/map/extent").json()
    assert ext["count"] == 3 and (ext["first_date"], ext["last_date"]) == ("2024-12-04", "2024-12-06")
    w, s, e, n = ext["bbox"]
    assert s == pytest.approx(DARAA[2]) and n == pytest.approx(HAMA[2])
    pts = client.get("/map/points").json()
    assert pts["count"] == 3 and not pts["truncated"]
    rows = sorted(zip(pts["dates"], (pts["event_types"][t] for t in pts["types"]), pts["ids"], strict=True))
    assert [r[:2] for r in rows] == [
        ("2024-12-04", "Battles"),
        ("2024-12-05", "Battles"),
        ("2024-12-06", "Explosions/Remote violence"),
    ]
    assert {r[2] for r in rows} == {e["event_id"] for e in client.get("/events").json()["events"]}
    some = client.get("/map/points", params={"bbox": "35.9,32.4,36.3,32.8"}).json()
    assert some["count"] == 1 and some["lat"] == [pytest.approx(DARAA[2])]
    assert client.get("/map/points", params={"limit": 2}).json()["truncated"] is True
    # At start the page asks once: the world's points and where to open.
    both = client.get("/map/points", params={"with_extent": "true", "bbox": "35.9,32.4,36.3,32.8"}).json()
    assert both["count"] == 1 and both["extent"] == ext  # the extent ignores the view
    assert "extent" not in pts
    window = client.get("/map/points", params={"date_from": "2024-12-05", "date_to": "2024-12-05"}).json()
    assert window["dates"] == ["2024-12-05"]


def test_cli_users_export_and_gold(db: str, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from marsad.cli import app

    runner = CliRunner()
    res = runner.invoke(app, ["users", "add", "ana", "--role", "editor", "--db", db])
    assert res.exit_code == 0, res.output
    token = res.stdout.strip().splitlines()[0]
    assert token.startswith("mrs_")
    assert runner.invoke(app, ["users", "add", "ana", "--db", db]).exit_code == 1
    assert "ana\teditor" in runner.invoke(app, ["users", "list", "--db", db]).stdout

    with TestClient(create_app(db)) as c:
        daraa = by_location(c)["Daraa"]["event_id"]
        assert (
            c.post(
                f"/review/events/{daraa}/correct", json={"fields": {"fatalities": 11}}, headers=auth(token)
            ).status_code
            == 200
        )
        hama = by_location(c)["Hama"]["event_id"]
        assert (
            c.post(
                f"/review/events/{hama}/reject", json={"reason": "background"}, headers=auth(token)
            ).status_code
            == 200
        )

    out = runner.invoke(app, ["export", "--db", db, "--reviewed-only"]).stdout
    assert [(json.loads(x)["location"], json.loads(x)["reviewed"]) for x in out.splitlines()] == [
        ("Daraa", "corrected")
    ]
    assert len(runner.invoke(app, ["export", "--db", db]).stdout.splitlines()) == 2  # Hama is rejected

    gold_dir = tmp_path / "desk" / "gold"
    res = runner.invoke(app, ["gold", "export", "--db", db, "--out", str(gold_dir)])
    assert res.exit_code == 0, res.output
    (gold_file,) = sorted(gold_dir.glob("*.gold.json"))  # syn-hama; syn-xss still waits
    gold = json.loads(gold_file.read_text(encoding="utf-8"))
    assert gold["doc_id"] == "syn-hama" and gold["file"].endswith("articles.jsonl#syn-hama")
    (event,) = gold["events"]
    assert event["sub_event_type"] == ["Shelling/artillery/missile attack"] and event["fatalities"] == 11
    assert event["location"]["geonameid"] == DARAA[1] and event["evidence"] == SENT_DARAA
    # The folder is whole: the readers of gold find the article through "file".
    from marsad.evaluate import gold_documents, load_golds

    (doc,) = gold_documents(load_golds(gold_dir), gold_dir.resolve().parents[1])
    assert doc.id == "syn-hama" and SENT_DARAA in doc.text

    assert runner.invoke(app, ["users", "remove", "ana", "--db", db]).exit_code == 0
    with TestClient(create_app(db)) as c:
        assert c.get("/me", headers=auth(token)).status_code == 401
