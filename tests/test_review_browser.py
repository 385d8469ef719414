"""Issue 18 in a real browser (Debian's chromium through Playwright, a live server): an editor
signs in, corrects an event's place by clicking the map and its actor from the dictionary,
rejects another, reloads and finds both kept; a reader cannot write; the hostile article's
markup stays text in the review card."""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from test_api_support import DARAA, IMG, SCRIPT, build_synthetic_store  # noqa: E402
from test_web_browser import _need_chromium, browser_page, running_server  # noqa: E402

from marsad.store import open_store, review  # noqa: E402

pytestmark = pytest.mark.browser


def _events(db: str, **filters) -> dict[str, dict]:
    with open_store(db) as store:
        return {e["event_id"]: e for e in store.events(**filters)}


def _open_queue(page, base: str, token: str, who: str):
    """Sign in with ``token`` and open the review queue (the synthetic store's three events)."""
    from playwright.sync_api import expect

    page.goto(base)
    page.wait_for_selector("body[data-ready='1']", timeout=20_000)
    page.locator("#token").fill(token)
    page.locator("#signin button").click()
    expect(page.locator("#whoami")).to_have_text(who)
    page.locator("#review-toggle").click()
    queue = page.locator("#rv-queue li")
    expect(queue).to_have_count(3)
    return queue


def test_review_in_chromium(tmp_path: Path) -> None:
    _need_chromium()
    from playwright.sync_api import expect

    from marsad.api.review import warm_up

    warm_up()  # the gazetteer behind the place search, loaded before the clock runs
    db = build_synthetic_store(str(tmp_path / "store.db"))
    with open_store(db) as store:
        editor = review.add_user(store.db, "ana", "editor")
        reader = review.add_user(store.db, "rui", "reader")
    before = {e["location"]: e for e in _events(db).values()}
    daraa, homs = before["Daraa"], before["Homs"]  # Homs is the hostile article's event

    dialogs: list[str] = []
    with running_server(db) as base, browser_page(tmp_path / "profile") as page:
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        queue = _open_queue(page, base, editor, "ana (editor)")

        # The Daraa strike: its place is wrong (we say Hama), its author too.
        page.locator(f'#rv-queue li[data-event-id="{daraa["event_id"]}"]').click()
        card = page.locator(f'#rv-card[data-event-id="{daraa["event_id"]}"]')
        expect(card).to_be_visible()
        expect(card.locator("blockquote.evidence").first).to_contain_text("درعا")
        # Pick the place on the map: click where the Hama event's mark is.
        hama_mark = page.locator(f'path.ev-marker[data-event-id="{before["Hama"]["event_id"]}"]')
        box = hama_mark.bounding_box()
        page.locator("#rv-pick").click()
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        near = page.locator("#rv-near[data-ready='1'] button.chip")
        expect(near.first).to_be_visible(timeout=20_000)
        near.filter(has_text="Hama").first.click()
        expect(page.locator("#rv-place-name")).to_contain_text("Hama")
        # The author from the actor dictionary.
        page.locator("#rv-actor1").fill("nusra")
        page.locator("#rv-actor1-options button.chip", has_text="Jabhat al-Nusra").click()
        expect(page.locator("#rv-actor1")).to_have_value("Jabhat al-Nusra")
        page.locator("#rv-save").click()
        expect(page.locator("#rv-note")).to_have_text("Saved.")

        # The hostile article's event: its markup stays text; then reject it, by keyboard.
        page.locator("#rv-state").select_option("all")
        page.locator(f'#rv-queue li[data-event-id="{homs["event_id"]}"]').click()
        hostile = page.locator(f'#rv-card[data-event-id="{homs["event_id"]}"]')
        expect(hostile).to_be_visible()
        quote = hostile.locator("blockquote.evidence").first
        assert SCRIPT in quote.text_content() and IMG in quote.text_content()
        assert SCRIPT in hostile.locator(".ev-title").first.text_content()
        assert page.locator("#review script, #review img").count() == 0
        page.locator("#rv-reason").select_option("not an event")
        page.locator("#rv-reject").click()
        expect(page.locator("#rv-note")).to_have_text("Rejected.")
        expect(page.locator(f'path.ev-marker[data-event-id="{homs["event_id"]}"]')).to_have_count(0)

        # Reload: still signed in (this tab), and both decisions are there.
        page.reload()
        page.wait_for_selector("body[data-ready='1']", timeout=20_000)
        expect(page.locator("#whoami")).to_have_text("ana (editor)")
        page.locator("#review-toggle").click()
        page.locator("#rv-state").select_option("reviewed")
        expect(queue).to_have_count(1)
        queue.first.click()
        expect(page.locator("#rv-card")).to_have_attribute("data-decision", "corrected")
        expect(page.locator("#rv-place-name")).to_contain_text("Hama")
        expect(page.locator("#rv-actor1")).to_have_value("Jabhat al-Nusra")
        page.locator("#rv-state").select_option("rejected")
        expect(queue).to_have_count(1)
        expect(queue.first).to_have_attribute("data-event-id", homs["event_id"])
        expect(page.locator(f'path.ev-marker[data-event-id="{homs["event_id"]}"]')).to_have_count(0)
        page.screenshot(path=str(tmp_path / "review.png"))

        # A reader sees the queue but every write control is off.
        page.locator("#signout").click()
        page.locator("#token").fill(reader)
        page.locator("#signin button").click()
        expect(page.locator("#whoami")).to_have_text("rui (reader)")
        page.locator("#rv-state").select_option("all")
        queue.first.click()
        expect(page.locator("#rv-accept")).to_be_disabled()
        expect(page.locator("#rv-reject")).to_be_disabled()
        page.wait_for_timeout(300)
        assert dialogs == []

    # What the page did is what the store holds.
    after = _events(db)
    fixed = next(
        e for e in after.values() if "syn-hama" in e["doc_ids"] and e["sub_event_type"].startswith("Shelling")
    )
    assert (fixed["location"], fixed["actor1"], fixed["reviewed"]) == ("Hama", "Jabhat al-Nusra", "corrected")
    assert fixed["latitude"] != pytest.approx(DARAA[2], abs=0.1)
    assert homs["event_id"] not in after
    # And the API refuses the reader's token a write (403), whatever the page shows.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    from marsad.api.app import create_app

    with TestClient(create_app(db)) as c:
        res = c.post(
            f"/review/events/{fixed['event_id']}/accept",
            json={},
            headers={"Authorization": f"Bearer {reader}"},
        )
        assert res.status_code == 403
    assert (tmp_path / "review.png").stat().st_size > 10_000


def _post(base: str, path: str, token: str, body: dict) -> int:
    import json
    import urllib.error
    import urllib.request

    req = urllib.request.Request(
        base.rstrip("/") + path,
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(req, timeout=10) as res:
            return res.status
    except urllib.error.HTTPError as err:
        return err.code


def test_a_stale_merge_on_the_page_is_refused(tmp_path: Path) -> None:
    """The page sends the review versions it showed: a decision another editor made since is
    not folded into a merge (409), and the merge goes through once the queue is reloaded."""
    _need_chromium()
    from playwright.sync_api import expect

    db = build_synthetic_store(str(tmp_path / "store.db"))
    with open_store(db) as store:
        ana = review.add_user(store.db, "ana", "editor")
        bea = review.add_user(store.db, "bea", "editor")
    by_place = {e["location"]: e for e in _events(db).values()}
    first, second = by_place["Daraa"]["event_id"], by_place["Hama"]["event_id"]

    with running_server(db) as base, browser_page(tmp_path / "profile") as page:
        _open_queue(page, base, ana, "ana (editor)")

        def tick() -> None:
            for event_id in (first, second):
                page.locator(f'#rv-queue li[data-event-id="{event_id}"] input.rv-pick').check()

        tick()
        # Meanwhile, another editor accepts one of the two.
        assert _post(base, f"/review/events/{first}/accept", bea, {"if_version": 0}) == 200
        page.locator("#rv-merge").click()
        expect(page.locator("#rv-note")).to_contain_text("HTTP 409")
        assert {first, second} <= set(_events(db))

        page.locator("#rv-state").select_option("all")
        expect(page.locator("#rv-queue li")).to_have_count(3)
        tick()
        page.locator("#rv-merge").click()
        expect(page.locator("#rv-note")).to_have_text("Merged.")
    after = _events(db)
    assert not {first, second} <= set(after)
