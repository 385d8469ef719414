"""Which trigger words make the rules' wrong events in ordinary news: the judged events that train
(``marsad/events/data/judged/``, read by people), counted by the coded sub-event type and by the
trigger's words as written.

For each event the rules code now in a judged article, the readers' verdict that still applies (its
type at its place, as ``marsad eval events --judged`` counts it) says right or wrong; events no
verdict applies to are left out. A word that gives many wrong events for few right ones is where a
general rule or a model feature may pay; measure any change with the floors of
``tests/test_events_eval.py`` and ``benchmarks/judged_heldout.py``, never on these counts alone.

    python benchmarks/judged_triggers.py [--top 30]
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

from marsad import event_training as learn

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / ".." / "shared" / "corpus" / "saudinewsnet" / "all-2015.jsonl.gz"
JUDGED = ROOT / "marsad" / "events" / "data" / "judged"
GOLD = [ROOT / ".." / "shared" / "eval" / d for d in ("dev", "train", "test", "feed")]


def tallies(articles: list[learn.Article]) -> tuple[Counter, Counter]:
    """(by sub-event type, by trigger words): counts of (key, 1) right and (key, 0) wrong."""
    by_type: Counter = Counter()
    by_word: Counter = Counter()
    for art in articles:
        for prop in art.proposals:
            v = prop.verdict
            if v.drop is not None or v.historical or not v.places:
                continue
            label = learn.judged_verdict(art.judged.get(v.main.start), v.sub_type, v.places)
            if label is None:
                continue
            lo = v.main.start - v.evidence.start
            word = v.evidence.text[lo : lo + v.main.end - v.main.start]
            by_type[v.sub_type, label] += 1
            by_word[word, label] += 1
    return by_type, by_word


def table(counts: Counter, top: int) -> list[str]:
    keys = {k for k, _ in counts}
    rows = sorted(keys, key=lambda k: (-counts[k, 0], -counts[k, 1], k))[:top]
    return [
        f"{counts[k, 0]:>6} {counts[k, 1]:>6}  {counts[k, 1] / (counts[k, 0] + counts[k, 1]):.2f}  {k}"
        for k in rows
    ]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--top", type=int, default=30)
    args = ap.parse_args()
    # no gold article is a negative: the gold folders only exclude, nothing trains here
    _, others = learn.training_data([], CORPUS, GOLD, judged=JUDGED)
    judged = [a for a in others if a.judged is not None]
    by_type, by_word = tallies(judged)
    print(f"{len(judged)} judged articles; the rules' events a verdict applies to")
    print(" wrong  right  precision  sub-event type")
    print("\n".join(table(by_type, args.top)))
    print("\n wrong  right  precision  trigger as written")
    print("\n".join(table(by_word, args.top)))


if __name__ == "__main__":
    main()
