"""What the shipped event model keeps of judged events it never trained on (ordinary news, read by people).

``marsad/events/data/judged/heldout/`` holds events of the shipped coder's output over all-2015 that readers
judged and that no model trains on (``--judged`` reads a folder's own files, not its sub-folders). This
proposes their articles again and lets the model decide (the shipped one, or ``MARSAD_EVENTS_MODEL``), then
counts the judged events it keeps and drops, right (a current event of the coded type at the coded place) or
not; optional ones count nothing. No training, so no fold's noise: a change to the rules or the model reads
here as events kept or dropped, one by one if ``--list``.

    python benchmarks/judged_heldout.py [--judged marsad/events/data/judged/heldout] [--list]
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

from marsad import event_training as learn
from marsad.events.learn import load_model
from marsad.ingest.readers import read

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / ".." / "shared" / "corpus" / "saudinewsnet" / "all-2015.jsonl.gz"
HELDOUT = ROOT / "marsad" / "events" / "data" / "judged" / "heldout"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--judged", type=Path, default=HELDOUT, help="a judged JSONL file or folder")
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument(
        "--list",
        action="store_true",
        help="print every judged event the model drops, the rules no longer code or code otherwise",
    )
    args = ap.parse_args()
    labels = learn.judged_labels(args.judged)
    model = load_model()
    if model is None:
        raise SystemExit("no event model: the rules keep every event")
    pipeline = learn.proposing_pipeline()
    counts: Counter = Counter()
    articles = not_coded = recoded = 0
    for doc in read([str(args.corpus)]):
        judged = labels.get(doc.id)
        if judged is None:
            continue
        articles += 1
        proposals = pipeline(doc).meta.pop("event_proposals", [])
        for start, label, kept in learn.judged_decisions(model, proposals, judged):
            if kept is None:
                not_coded += 1
                if args.list:
                    print(f"not coded: {doc.id} trigger at {start}")
                continue
            if label is None:
                recoded += 1  # coded with another type or place than the readers judged
                if args.list:
                    print(f"coded otherwise: {doc.id} trigger at {start}")
                continue
            counts[(kept, label)] += 1
            if args.list and not kept:
                print(f"dropped {'right' if label else 'wrong'}: {doc.id} trigger at {start}")
    r = learn.judged_rates(counts)
    print(
        f"{sum(len(v) for v in labels.values())} judged events (optional ones left out) in {articles} articles"
    )
    print(f"kept:    {r['kept right']} right, {r['kept wrong']} wrong: precision {r['precision']:.3f}")
    print(f"dropped: {r['dropped right']} right, {r['dropped wrong']} wrong")
    print(f"not coded by the rules now: {not_coded}")
    print(f"coded with another type or place than the one judged (no verdict applies): {recoded}")


if __name__ == "__main__":
    main()
