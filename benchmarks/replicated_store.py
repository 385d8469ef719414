"""A store of tens of thousands of events for the page and merge benchmarks, built honestly.

Start from a store that `marsad run` filled from the all-2015 corpus (31k articles, about
5,800 extracted and 3,250 merged events), copy it, and add ``--copies`` - 1 copies of every
per-document event with its date moved by whole years (copy k: k x 365 days), a new id, and the
same document and evidence. Each copy is a year of the same news, so nothing merges across
copies and the merged count grows by the original's each time; places, actors, types and
clusters are the corpus's own. Then merge, and print the counts and the merge time.

    marsad run ../shared/corpus/saudinewsnet/all-2015.jsonl.gz --db all2015.db
    python benchmarks/replicated_store.py all2015.db scale.db --copies 10
"""

from __future__ import annotations

import argparse
import shutil
import time
from datetime import date, timedelta
from pathlib import Path

from marsad.store import open_store
from marsad.store.store import _DOC_EVENT_COLUMNS


def _shift(day: str | None, years: int) -> str | None:
    if not day:
        return day
    return (date.fromisoformat(day[:10]) + timedelta(days=365 * years)).isoformat()


def replicate(source: str, target: str, copies: int) -> dict[str, float]:
    if Path(target).exists():
        raise SystemExit(f"{target} exists; give a new path")
    shutil.copyfile(source, target)
    with open_store(target) as store:
        db = store.db
        cols = _DOC_EVENT_COLUMNS
        rows = db.query(f"SELECT {', '.join(cols)} FROM doc_events WHERE event_id NOT LIKE '%~%'")
        sources = db.query(
            "SELECT event_id, doc_id, start_off, end_off, text, fatalities, status, attributed_to"
            " FROM event_sources WHERE event_id NOT LIKE '%~%'"
        )
        at = {c: i for i, c in enumerate(cols)}
        with db.transaction():
            for k in range(1, copies):
                out = []
                for r in rows:
                    r = list(r)
                    r[at["event_id"]] = f"{r[at['event_id']]}~{k}"
                    r[at["event_date"]] = _shift(r[at["event_date"]], k)
                    out.append(tuple(r))
                db.executemany(
                    f"INSERT INTO doc_events ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})", out
                )
                db.executemany(
                    "INSERT INTO event_sources (event_id, doc_id, start_off, end_off, text, fatalities, status,"
                    " attributed_to) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [(f"{s[0]}~{k}", *s[1:]) for s in sources],
                )
        t0 = time.perf_counter()
        counts = store.merge(full=True)  # rows added behind the store's back: no merge queue
        counts["merge_s"] = round(time.perf_counter() - t0, 2)
    return counts


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("source", help="a SQLite store filled by `marsad run` (left untouched)")
    ap.add_argument("target", help="the new SQLite store to write")
    ap.add_argument("--copies", type=int, default=10, help="years of the same news (1 = a plain copy)")
    args = ap.parse_args()
    print(replicate(args.source, args.target, args.copies))


if __name__ == "__main__":
    main()
