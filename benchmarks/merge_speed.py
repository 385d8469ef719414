"""The incremental merge of a day's reports against a full merge, on a stored corpus, side by side.

    python benchmarks/merge_speed.py --db postgresql://marsad:marsad@localhost:5432/marsad_rep300b \
        --day 2015-08-11 [--against /tmp/base] [--rounds 1]

The store must be merged (an empty ``merge_queue``); it is written to (the merged events are
re-merged, each run gives them back), so use a copy of a store you care about
(``CREATE DATABASE copy TEMPLATE store``). Each round queues every report of the documents read
from the ``date=<day>`` folder (what that day's run queued, as ``benchmarks/replicated_run.py``
lays out its input) and times ``Store.merge()`` in a fresh process, for this version and, with
``--against``, for another version (a commit extracted to a folder: ``git archive <commit> |
tar -x -C /tmp/base``), taking turns; then times a full merge (``marsad merge --full``) with this
version. Prints seconds, reports re-merged, milliseconds a queued report and the load average
of each, the ratios, and whether every run left the same events, members and control timeline
(a digest of them) as the full merge.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = r"""
import hashlib, json, sys, time
import marsad
from marsad.store import open_store
from marsad.store.store import _MERGED_COLUMNS

url, day, full = sys.argv[1], sys.argv[2], sys.argv[3] == "full"

def digest(db):
    h = hashlib.sha256()
    cols = ", ".join(c for c in _MERGED_COLUMNS if c != "merged_at")
    for sql in (
        f"SELECT {cols} FROM events ORDER BY event_id",
        "SELECT event_id, member_id FROM event_members ORDER BY member_id",
        "SELECT * FROM control_changes ORDER BY place_key, seq",
    ):
        for row in db.query(sql):
            h.update(repr(list(row)).encode())
    return h.hexdigest()[:16]

with open_store(url) as s:
    queued = 0
    if not full:
        s.db.execute("DELETE FROM merge_queue")
        ids = [r[0] for r in s.db.query(
            "SELECT e.event_id FROM doc_events e JOIN documents d ON d.id = e.doc_id"
            " WHERE d.source LIKE ?", (f"%date={day}/%",))]
        s.db.executemany("INSERT INTO merge_queue (event_id) VALUES (?)", [(i,) for i in ids])
        queued = len(ids)
    t = time.perf_counter()
    counts = s.merge(full=full)
    seconds = time.perf_counter() - t
    print(json.dumps({"seconds": seconds, "queued": queued, "digest": digest(s.db), "code": marsad.__file__, **counts}))
"""


def load() -> str:
    return "load average " + ", ".join(f"{x:.2f}" for x in os.getloadavg())


def run(checkout: Path, url: str, day: str, full: bool) -> dict:
    env = dict(os.environ, PYTHONPATH=str(checkout))
    out = subprocess.run(
        [sys.executable, "-c", CHILD, url, day, "full" if full else "day"],
        env=env,
        cwd=checkout,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def show(label: str, res: dict, before: str) -> None:
    per = f", {1000 * res['seconds'] / res['queued']:.2f} ms a queued report" if res["queued"] else ""
    print(
        f"{label}: {res['seconds']:.2f} s, {res['queued']:,} queued, {res['remerged']:,} re-merged of"
        f" {res['before']:,} reports{per}; {res['after']:,} events, digest {res['digest']}, code"
        f" {Path(res['code']).parent.parent}  ({before})",
        flush=True,
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", required=True, help="a merged store (a copy: it is written to)")
    ap.add_argument("--day", required=True, help="re-merge the reports of documents from date=DAY")
    ap.add_argument("--against", type=Path, help="a checkout of another version, timed too")
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--no-full", action="store_true", help="skip the full merge")
    args = ap.parse_args()
    print(f"{time.strftime('%Y-%m-%d %H:%M:%S', time.gmtime())} UTC, {os.cpu_count()} CPUs", flush=True)
    versions = [("this", ROOT)] + ([("other", args.against.resolve())] if args.against else [])
    digests: set[str] = set()
    times: dict[str, list[float]] = {who: [] for who, _ in versions}
    for r in range(args.rounds):
        for who, checkout in versions if r % 2 == 0 else versions[::-1]:
            before = load()
            res = run(checkout, args.db, args.day, full=False)
            show(f"[round {r + 1}] incremental, {who} version ({checkout})", res, before)
            times[who].append(res["seconds"])
            digests.add(res["digest"])
    this = sorted(times["this"])[len(times["this"]) // 2]
    if not args.no_full:
        before = load()
        res = run(ROOT, args.db, args.day, full=True)
        show("full merge, this version", res, before)
        digests.add(res["digest"])
        print(f"full merge / incremental (this version, median): {res['seconds'] / this:.1f}x")
    if args.against:
        other = sorted(times["other"])[len(times["other"]) // 2]
        print(f"other version / this version, incremental (medians): {other / this:.1f}x")
    print(f"same events, members and control timeline in every run: {'yes' if len(digests) == 1 else 'NO'}")
    if len(digests) != 1:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
