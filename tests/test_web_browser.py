"""The map page in a real browser: Debian's chromium driven by Playwright, against a live server.

Run as a script it refreshes the screenshot in the docs:
``python tests/test_web_browser.py docs/screenshot-map.png``.
"""

from __future__ import annotations

import socket
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from test_api_support import IMG, SCRIPT, build_sample_store, synthetic_docs  # noqa: E402

from marsad.store import open_store  # noqa: E402
from tests.conftest import need  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.browser


def _need_chromium() -> None:
    need(Path(CHROMIUM).exists(), f"{CHROMIUM} (Debian's chromium, which .ci/run installs)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_server(db: str) -> Iterator[str]:
    """uvicorn on a free localhost port in a thread; yields the base URL."""
    import uvicorn

    from marsad.api.app import create_app

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(db), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        for _ in range(200):
            if server.started:
                break
            thread.join(0.05)
        assert server.started, "uvicorn did not start"
        yield f"http://127.0.0.1:{port}/"
    finally:
        server.should_exit = True
        thread.join(10)


@contextmanager
def browser_page(profile: Path) -> Iterator[object]:
    """A fresh chromium profile, offline apart from localhost, 1280x800."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(profile),
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 800},
        )
        try:
            yield context.new_page()
        finally:
            context.close()


def _hostile_doc():
    return next(d for d in synthetic_docs() if d.id == "syn-xss")


def open_popup(page, event_id: str, zoom_steps: int = 3) -> object:
    """Zoom in on one event's marker with the wheel, as a reader would to part a cluster of
    markers, click it and wait for its evidence to load into the popup."""
    marker = page.locator(f'path.ev-marker[data-event-id="{event_id}"]')
    for _ in range(zoom_steps):
        box = marker.bounding_box()
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.mouse.wheel(0, -300)
        page.wait_for_timeout(400)
    marker.click()
    popup = page.locator(f'.leaflet-popup .ev-popup[data-event-id="{event_id}"]')
    popup.locator("blockquote.evidence").first.wait_for(timeout=10_000)
    return popup


@pytest.fixture(scope="module")
def page_store(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    """The shared sample through the pipeline (or synthetic events), plus the hostile article."""
    path = str(tmp_path_factory.mktemp("web") / "store.db")
    _, how = build_sample_store(path)
    with open_store(path) as store:
        store.write(_hostile_doc())
        store.merge()
    return path, how


def test_page_in_chromium(page_store: tuple[str, str], tmp_path: Path) -> None:
    _need_chromium()
    db, how = page_store
    with open_store(db) as store:
        events = list(store.events(historical=False))  # the page hides background by default
    dated = sorted({e["event_date"] for e in events if e["event_date"]})
    hostile = next(e for e in events if "syn-xss" in e["doc_ids"])
    shown = [e for e in events if e["latitude"] is not None and "syn-xss" not in e["doc_ids"]]
    assert shown, f"no mappable event in the {how} store"
    from playwright.sync_api import expect  # waits by polling the DOM: no eval, which the CSP forbids

    dialogs: list[str] = []
    with running_server(db) as base, browser_page(tmp_path / "profile") as page:
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(base)
        page.wait_for_selector("body[data-ready='1']", timeout=15_000)

        # All events are on the map at the last day.
        markers = page.locator("path.ev-marker")
        mapped = [e for e in events if e["latitude"] is not None]
        assert markers.count() == len(mapped)
        assert page.locator("#day-label").text_content() == dated[-1]

        # Back to the first day: only the events of that day (and undated ones) remain.
        page.locator("#day").fill("0")
        assert page.locator("#day-label").text_content() == dated[0]
        first_day = sum(
            1 for e in events if e["latitude"] is not None and (e["event_date"] or "") <= dated[0]
        )
        assert markers.count() == first_day
        # Play replays the days forward from there; pause stops it.
        if len(dated) > 1:
            page.locator("#play").click()
            expect(page.locator("#day-label")).not_to_have_text(dated[0])
            page.locator("#play").click()
        page.locator("#day").fill(str(len_days(dated) - 1))

        # A filter goes to the server and leaves only that type on the map.
        page.locator("#f-type").select_option("Battles")
        battles = sum(1 for e in events if e["latitude"] is not None and e["event_type"] == "Battles")
        expect(page.locator("#map")).to_have_attribute("data-markers", str(battles))
        assert markers.count() == battles
        page.locator("#f-type").select_option("")
        expect(page.locator("#map")).to_have_attribute("data-markers", str(len(mapped)))
        page.wait_for_selector(f"#map[data-control-day='{dated[-1]}']", timeout=10_000)

        # A real popup: the Arabic evidence, right to left, as the API has it, source named.
        target = max(shown, key=lambda e: len(e["evidence"][0]["text"]) if e["evidence"] else 0)
        popup = open_popup(page, target["event_id"])
        quote = popup.locator("blockquote.evidence").first
        assert quote.get_attribute("dir") == "rtl"
        assert quote.text_content() == target["evidence"][0]["text"]
        assert popup.locator(".ev-source").text_content().startswith("Source:")
        assert "Reported by" in popup.locator(".ev-doc").first.text_content()
        if how == "synthetic":
            assert popup.locator("mark.hl").count() > 0
        page.screenshot(path=str(tmp_path / "map.png"))
        page.keyboard.press("Escape")
        page.goto(base)  # back to the whole map for the next marker
        page.wait_for_selector("body[data-ready='1']", timeout=15_000)

        # The hostile article: its markup is shown as text and nothing runs.
        popup = open_popup(page, hostile["event_id"])
        quote_text = popup.locator("blockquote.evidence").first.text_content()
        assert SCRIPT in quote_text and IMG in quote_text
        assert SCRIPT in popup.locator(".ev-title").first.text_content()
        assert popup.locator("script, img").count() == 0
        page.wait_for_timeout(300)
        assert dialogs == []
    assert (tmp_path / "map.png").stat().st_size > 10_000


def len_days(dated: list[str]) -> int:
    """Calendar days from the first to the last event date, as the slider counts them."""
    from datetime import date

    return (date.fromisoformat(dated[-1]) - date.fromisoformat(dated[0])).days + 1


def make_screenshot(out: Path) -> str:
    """The December 2024 sample on the map with one popup open; returns how the store was built."""
    with tempfile.TemporaryDirectory() as tmp:
        db, how = build_sample_store(str(Path(tmp) / "store.db"))
        with open_store(db) as store:
            events = [
                e for e in store.events(historical=False) if e["latitude"] is not None and e["evidence"]
            ]
        # The northernmost Syrian event: its popup opens above it, leaving the rest in view.
        syrian = [e for e in events if e["country_code"] in ("SY", None)] or events
        target = max(syrian, key=lambda e: e["latitude"])
        with running_server(db) as base, browser_page(Path(tmp) / "profile") as page:
            page.goto(base + "#map=7/34.9/38.2")  # Syria and its neighbours
            page.wait_for_selector("body[data-ready='1']", timeout=15_000)
            page.wait_for_selector("#map[data-control-day]", timeout=10_000)
            open_popup(page, target["event_id"], zoom_steps=0)
            page.wait_for_timeout(500)
            page.screenshot(path=str(out))
    return how


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshot-map.png")
    target.parent.mkdir(parents=True, exist_ok=True)
    print(make_screenshot(target), target.stat().st_size)
