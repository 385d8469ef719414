"""The map page at scale, in Debian's chromium: first render and time-slider responsiveness.

Serves a store (uvicorn, in this process) and opens the page in a fresh chromium profile at
1280x800, as the browser tests do. Prints:

- first render: from the start of navigation to the first map of the data drawn (the page
  stamps ``performance.now()`` on ``body[data-first-render-ms]``), and the same seen from
  here (navigation to that stamp appearing);
- the slider: for each of ``--steps`` key presses on the focused slider (each moves it a day
  and makes the page regroup and redraw the events of the view), the page's own render time
  (``#map[data-render-ms]``) and the time from the key press to the redraw, seen from here
  (Playwright's round trips included); median, 95th percentile and worst;
- jumps: the slider dragged to 10 places across the whole range, same figures.

The store should hold tens of thousands of events: build one with
``benchmarks/replicated_store.py`` from an all-2015 run. The machine's load is printed too:
on a shared machine the figures are noisy.

    python benchmarks/page_scale.py --db scale.db [--steps 60]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from test_web_browser import CHROMIUM, browser_page  # noqa: E402


def _server(db: str):
    """uvicorn on a free port in a thread, with read limits no benchmark reaches."""
    import socket
    import threading

    import uvicorn

    from marsad.api.app import create_app

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app = create_app(db, reads_per_minute=1_000_000)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(400):
        if server.started:
            break
        time.sleep(0.05)
    return server, thread, f"http://127.0.0.1:{port}/"


def _summary(name: str, values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"{name}: median {statistics.median(ordered):.0f} ms, p95 {p95:.0f} ms, worst {ordered[-1]:.0f} ms"


def _wait_render(page, before: int, timeout_s: float = 30.0) -> int:
    deadline = time.perf_counter() + timeout_s
    while time.perf_counter() < deadline:
        now = int(page.locator("#map").get_attribute("data-renders") or 0)
        if now > before:
            return now
        time.sleep(0.002)
    raise TimeoutError("the page did not redraw")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", required=True, help="the store to serve (SQLite path or postgresql:// URL)")
    ap.add_argument("--steps", type=int, default=60, help="key presses on the slider")
    ap.add_argument("--runs", type=int, default=3, help="page loads for the first-render figure")
    args = ap.parse_args()
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"{CHROMIUM} is missing (apt-get install chromium)")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
    server, thread, base = _server(args.db)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            firsts, seen = [], []
            for run in range(args.runs):
                with browser_page(Path(tmp) / f"profile-{run}") as page:
                    t0 = time.perf_counter()
                    page.goto(base)
                    page.wait_for_selector("body[data-first-render-ms]", timeout=120_000)
                    seen.append((time.perf_counter() - t0) * 1000)
                    firsts.append(float(page.locator("body").get_attribute("data-first-render-ms")))
                    if run < args.runs - 1:
                        continue
                    page.wait_for_selector("body[data-ready='1']", timeout=60_000)
                    status = page.locator("#status-line").text_content()
                    shown = page.locator("#count").text_content()
                    marks = page.locator("#map").get_attribute("data-marks")
                    print(f"store: {status}; first view: {shown}, drawn as {marks} marks")
                    print(
                        f"  start of the last load (ms since navigation): {page.locator('body').get_attribute('data-timings')}"
                    )
                    print(
                        f"first render (page's clock, {args.runs} fresh loads): "
                        + ", ".join(f"{f:.0f}" for f in firsts)
                        + f" ms; seen from here: {', '.join(f'{s:.0f}' for s in seen)} ms"
                    )
                    slider = page.locator("#day")
                    days = int(slider.get_attribute("max") or 0) + 1
                    slider.focus()
                    page_ms, wall_ms = [], []
                    renders = int(page.locator("#map").get_attribute("data-renders") or 0)
                    for _ in range(args.steps):
                        t = time.perf_counter()
                        page.keyboard.press("ArrowLeft")
                        renders = _wait_render(page, renders)
                        wall_ms.append((time.perf_counter() - t) * 1000)
                        page_ms.append(float(page.locator("#map").get_attribute("data-render-ms")))
                    print(f"slider, {args.steps} one-day steps back from the last of {days} days:")
                    print("  " + _summary("page's redraw", page_ms))
                    print("  " + _summary("key press to redraw, seen from here", wall_ms))
                    page_ms, wall_ms = [], []
                    for k in range(10):
                        t = time.perf_counter()
                        slider.fill(str(round(k * (days - 1) / 9)))
                        renders = _wait_render(page, renders)
                        wall_ms.append((time.perf_counter() - t) * 1000)
                        page_ms.append(float(page.locator("#map").get_attribute("data-render-ms")))
                    print("slider, 10 jumps across the range:")
                    print("  " + _summary("page's redraw", page_ms))
                    print("  " + _summary("jump to redraw, seen from here", wall_ms))
    finally:
        server.should_exit = True
        thread.join(10)
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
