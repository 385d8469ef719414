"""How far the cross-validated figures move when the training data change by one unit and
nothing else: the noise under the gate's floors (tests/test_events_eval.py).

A rule that removes one false place proposal, or finds one more event, also changes the rows the
event model trains on. ``--unit negative`` leaves out one article of ordinary news the rules
propose events in; ``--unit proposal`` leaves out one proposal of one gold article (what a rule
that drops a wrong candidate does): the left-out proposal's own article may lose or gain that one
event, and whatever else moves is the model retrained. Same data and options as
benchmarks/cv_errors.py:

python benchmarks/cv_noise.py ../shared/eval/dev ../shared/eval/train \
    --negatives ../shared/corpus/saudinewsnet/all-2015.jsonl.gz \
    --exclude ../shared/eval/test --exclude ../shared/eval/feed [--unit proposal] [--runs 8] [--pickle P]

Prints the rules + model figures of the full data, then of each run without one unit (drawn with a
fixed seed, each unit once), and the range of each figure over the runs. Never test/ or feed/.
"""

from __future__ import annotations

import argparse
import random
import time
from dataclasses import replace
from pathlib import Path

from cv_errors import proposed

from marsad import event_training as learn

FIGURES = ("precision", "recall", "f1", "tp", "fp")
ATTRIBUTES = ("actor1", "source", "fatalities")


def figures(articles: list, negatives: list) -> dict[str, float]:
    model = learn.region_scores(articles, learn.held_out_events(articles, negatives))["all"]
    out = {k: model[k] for k in FIGURES}
    out.update({a: model["attribute_accuracy"][a] for a in ATTRIBUTES})
    return out


def line(label: str, f: dict[str, float]) -> str:
    cells = " ".join(f"{k}={f[k]:.3f}" if isinstance(f[k], float) else f"{k}={f[k]}" for k in f)
    return f"{label:<24} {cells}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("gold", type=Path, nargs="+")
    ap.add_argument("--negatives", type=Path, required=True)
    ap.add_argument("--exclude", type=Path, action="append", default=[])
    ap.add_argument("--unit", choices=("negative", "proposal"), default="negative")
    ap.add_argument("--runs", type=int, default=8)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--pickle", type=Path, help="save the proposals here, or read them if it exists")
    args = ap.parse_args()
    if args.runs < 1:
        ap.error("--runs must be at least 1")
    articles, negatives = proposed(args)
    print(f"{len(articles)} gold articles, {len(negatives)} negative articles", flush=True)
    t0 = time.perf_counter()
    base = figures(articles, negatives)
    print(line("all the data", base), f"({time.perf_counter() - t0:.0f} s)", flush=True)
    if args.unit == "negative":
        # an article the rules code nothing in trains nothing: one they propose events in
        units = [(i, None) for i, a in enumerate(negatives) if a.judged is None and a.proposals]
    else:
        units = [(k, j) for k, a in enumerate(articles) for j in range(len(a.proposals))]
    runs = []
    drawn = random.Random(args.seed).sample(units, min(args.runs, len(units)))
    for n, (k, j) in enumerate(drawn, 1):
        if j is None:
            label = f"without {negatives[k].doc_id}"
            f = figures(articles, negatives[:k] + negatives[k + 1 :])
        else:
            art = articles[k]
            label = f"without proposal {j} of {art.doc_id}"
            less = replace(art, proposals=art.proposals[:j] + art.proposals[j + 1 :])
            f = figures(articles[:k] + [less] + articles[k + 1 :], negatives)
        runs.append(f)
        print(line(f"{n}/{len(drawn)} {label}", f), flush=True)
    print("range over the runs (lowest .. highest; the full data's value in brackets):")
    for k in base:
        lo, hi = min(r[k] for r in runs), max(r[k] for r in runs)
        print(
            f"  {k:<11} {lo:.3f} .. {hi:.3f}  [{base[k]:.3f}]"
            if isinstance(base[k], float)
            else f"  {k:<11} {lo} .. {hi}  [{base[k]}]"
        )


if __name__ == "__main__":
    main()
