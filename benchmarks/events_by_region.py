"""Event scores of a gold folder split into Syria and the region, totals only.

An article from the Syria-war corpus (syria-2015.jsonl) counts as Syria, one from the all-topic
corpus (all-2015.jsonl.gz) as the region: the split is read from each gold file's ``file`` field,
never from its events. Only totals are printed, so it can run on the measure-only sets.

    python benchmarks/events_by_region.py ../shared/eval/test
"""

from __future__ import annotations

import argparse
from pathlib import Path

from marsad.evaluate import gold_documents, load_golds, score
from marsad.runner import build_pipeline


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("gold", type=Path)
    args = ap.parse_args()
    golds = load_golds(args.gold)
    root = args.gold.resolve().parents[1]
    pipeline = build_pipeline()
    events = [ev.to_dict() for doc in gold_documents(golds, root) for ev in pipeline(doc).events]
    for region, keep in (("Syria", "syria-2015"), ("region", "all-2015")):
        part = [g for g in golds if keep in g["file"]]
        r = score(part, events)
        acc = ", ".join(f"{k}={v}" for k, v in r["attribute_accuracy"].items())
        print(
            f"{region:<7} articles={len(part)} P={r['precision']} R={r['recall']} F1={r['f1']}"
            f" (tp={r['tp']} fp={r['fp']} fn={r['fn']}) {acc}"
        )
    r = score(golds, events)
    print(f"all     articles={len(golds)} P={r['precision']} R={r['recall']} F1={r['f1']}")


if __name__ == "__main__":
    main()
