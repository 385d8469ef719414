"""Events before and after merging on a corpus, and a fixed sample of merged events to check by hand.

    python3 benchmarks/merge_report.py [--input ../shared/corpus/saudinewsnet/syria-2015.jsonl] [--sample 20]

Runs the whole pipeline into a fresh SQLite store, merges, prints the counts, then prints
``--sample`` events that merged several reports (seeded, so the same sample comes back), each
with its sources' evidence sentences, for an analyst to judge.
"""

from __future__ import annotations

import argparse
import random
import tempfile
from pathlib import Path

from marsad.ingest.readers import read
from marsad.runner import Coder, Summary, process
from marsad.store import open_store

CORPUS = (
    Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus" / "saudinewsnet" / "syria-2015.jsonl"
)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--input", default=str(CORPUS))
    ap.add_argument("--sample", type=int, default=20)
    ap.add_argument("--seed", type=int, default=5)
    args = ap.parse_args()
    with (
        tempfile.TemporaryDirectory() as tmp,
        open_store(str(Path(tmp) / "merge.db"), batch_size=64) as store,
    ):
        summary = Summary()
        for _ in process(read([args.input]), Coder(store), store, summary):
            pass
        counts = store.merge()
        print(f"documents processed: {summary.processed}, duplicates: {summary.duplicates}")
        print(f"events before merging: {counts['before']}, after: {counts['after']}")
        print(f"merged events with several sources: {counts['multi_source']}, disputed: {counts['disputed']}")
        merged = [e for e in store.events(historical=None) if len(e["doc_ids"]) > 1]
        random.Random(args.seed).shuffle(merged)
        for n, ev in enumerate(sorted(merged[: args.sample], key=lambda e: e["event_id"]), 1):
            print(
                f"\n{n}. {ev['event_id']} {ev['event_date']} {ev['sub_event_type']} @ {ev['location']}"
                f" | {ev['actor1']} | {ev['status']} | fatalities {ev['fatalities']} | docs {', '.join(ev['doc_ids'])}"
            )
            for e in ev["evidence"]:
                print(f"   [{e['doc_id']}] {e['text'][:160]}")


if __name__ == "__main__":
    main()
