"""What one page of GET /events costs the server, in-process, with no client or network around it.

Asks ``--pages`` pages as ``benchmarks/api_load.py`` does (a month, Syria's box or a type, 100
events, sometimes a later page), one at a time, twice: through ``Store.events`` alone (the
store's part: its queries and rows) and through the app itself (an ASGI call in this process:
parameters, the store, the page written, and httpx reading it). Prints mean, p50 and p99 of each and the load average.
Only the ``marsad`` it imports is timed, so ``PYTHONPATH=/tmp/base`` times another version
(``git archive <commit> | tar -x -C /tmp/base``) against a copy of the same store: run both in
turn.

    python benchmarks/page_cost.py --db postgresql://.../store [--pages 200]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from api_load import queries  # noqa: E402


def figures(seconds: list[float]) -> str:
    q = statistics.quantiles(seconds, n=100, method="inclusive")
    return f"mean {1000 * statistics.mean(seconds):.1f} ms, p50 {1000 * q[49]:.1f}, p99 {1000 * q[98]:.1f}"


def store_part(db: str, urls: list[str]) -> list[float]:
    from urllib.parse import parse_qsl, urlsplit

    from marsad.store import open_store

    out = []
    with open_store(db, merge_on_read=False) as store:
        for url in urls:
            params = dict(parse_qsl(urlsplit(url).query))
            filters: dict = {"limit": int(params.pop("limit")) + 1, "evidence": 5}
            if "offset" in params:
                filters["offset"] = int(params.pop("offset"))
            if "bbox" in params:
                filters["bbox"] = [float(x) for x in params.pop("bbox").split(",")]
            filters.update(params)
            t0 = time.perf_counter()
            list(store.events(**filters))
            out.append(time.perf_counter() - t0)
    return out


def whole_request(db: str, urls: list[str]) -> list[float]:
    import httpx

    from marsad.api.app import create_app

    app = create_app(db, reads_per_minute=10**9)
    out = []

    async def run() -> None:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://page-cost") as client:
            for url in urls:
                t0 = time.perf_counter()
                response = await client.get(url)
                out.append(time.perf_counter() - t0)
                response.raise_for_status()

    asyncio.run(run())
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", required=True, help="a full store (SQLite path or postgresql:// URL)")
    ap.add_argument("--pages", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    warnings.simplefilter("ignore")

    from marsad.store import open_store

    with open_store(args.db, merge_on_read=False) as store:
        days = sorted({e["event_date"] for e in store.events(limit=1000) if e.get("event_date")})
    rng = random.Random(args.seed)
    urls = [queries(rng, days) for _ in range(args.pages)]
    import marsad

    print(f"marsad from {Path(marsad.__file__).parent}; {args.pages} pages; load average", os.getloadavg())
    print(f"store part:    {figures(store_part(args.db, urls))}")
    print(f"whole request: {figures(whole_request(args.db, urls))}")
    print("end: load average", os.getloadavg())


if __name__ == "__main__":
    main()
