"""Would adding what the rules drop pay? The dropped proposals, measured out of fold (issue 17).

Cross-validates the event model over gold folders as ``marsad eval events --cv`` does (one story
out, or ``--folds``), and for each held-out article looks at every trigger family the model could
add (``Decider.choose``: a family the rules drop, or a second family of a unit they code, with a
place in the unit's own words; a weak trigger only in a unit of weak triggers). It prints:

1. the tally by the rules' drop reason (``Verdict.drop``; "second" for a second family of a unit
   the rules code), the trigger's cancelling reason, and whether one of the family's types at
   one of those places matches a required gold event the model's events miss ("new"), one they
   already find ("found"), an optional one, or nothing, with how many of these the ordinary-news
   negatives hold;
2. two ceilings: every family that could give a missed event added (the event decision perfect,
   type and place by the ``type`` and ``place`` models), and how often those models pick a type
   and place that scoring accepts;
3. cross-validated scores with the ``add`` and ``add_second`` thresholds set to each of a grid,
   on the ``event`` model's probability, for all families and for each drop reason alone.

    python benchmarks/event_adds.py ../shared/eval/dev ../shared/eval/train \\
      --negatives ../shared/corpus/saudinewsnet/all-2015.jsonl.gz \\
      --exclude ../shared/eval/test --exclude ../shared/eval/feed [--folds 10]

Never on test/ or feed/: they are for measuring only.
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

from marsad import event_training as learn
from marsad.evaluate import MEASURE_ONLY, match_index
from marsad.events.learn import NEAR, Decider, model_events

GRID = (None, 0.9, 0.7, 0.5, 0.3)
CLASSES = ("new", "found", "optional", "none")


class Forced(Decider):
    """A decider whose ``event`` probability for the families the model could add is given."""

    given: dict[int, float] = {}

    def probability(self, fam) -> float:
        return self.given.get(id(fam), 0.0)


def forced(d: Decider, given: dict[int, float], add: float | None) -> Forced:
    out = Forced(d.event, d.type, d.place, d.actor, d.keep, {**d.thresholds, "add": add, "add_second": add})
    out.given = given
    return out


def addable(prop):
    """The families of a proposal the model could add, with the places it may put them at."""
    v = prop.verdict
    near = [pl for pl in prop.places if pl.where in NEAR]
    if not near:
        return []
    return [
        (fam, near)
        for fam in prop.families
        if not (v.drop is None and fam.found is v.main)
        and not (fam.found.cancel == "weak" and any(f.found.cancel != "weak" for f in prop.families))
    ]


def reason(prop, fam) -> str:
    v = prop.verdict
    if v.drop is None:
        return "second family"
    return v.drop + ("" if fam.found is v.main else " (2nd)")


def missed(gold: dict, events) -> list[dict]:
    """The required gold events these events leave unmatched, as scoring matches them."""
    current = [e.to_dict() for e in events if not e.historical]
    used: set[int] = set()
    out = []
    for g in (g for g in gold["events"] if g.get("required")):
        hit = match_index(current, used, g)
        if hit is None:
            out.append(g)
        else:
            used.add(hit)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("gold", type=Path, nargs="+")
    ap.add_argument("--negatives", type=Path)
    ap.add_argument("--exclude", type=Path, action="append", default=[])
    ap.add_argument("--folds", type=int)
    args = ap.parse_args()
    if any(d.resolve().name in MEASURE_ONLY for d in args.gold):
        raise SystemExit("test/ and feed/ are for measuring only")
    articles, negatives = learn.training_data(args.gold, args.negatives, args.exclude)
    story = learn.stories(articles)
    order = sorted(set(story.values()))
    k = args.folds or len(order)
    fold = {s: i % k for i, s in enumerate(order)}

    held_out: dict[str, tuple] = {}  # doc id -> (decider, probabilities, labels, groups)
    tally: Counter = Counter()
    picks: Counter = Counter()
    base = {}
    for f in range(k):
        held = [a for a in articles if fold[story[a.doc_id]] == f]
        d = learn.fit([a for a in articles if fold[story[a.doc_id]] != f] + negatives)
        for art in held:
            events = model_events(d, art.proposals)
            base[art.doc_id] = events
            lost = missed(art.gold, events)
            probs, new, groups = {}, {}, {}
            for prop in art.proposals:
                for fam, near in addable(prop):
                    names = [t for t, _ in fam.types]
                    hits = [g for pl in near for g in learn._matches(pl.span, names, art.gold)]
                    cls = (
                        "new"
                        if any(g in lost for g in hits)
                        else "found"
                        if any(g.get("required") for g in hits)
                        else "optional"
                        if hits
                        else "none"
                    )
                    group = reason(prop, fam) + "/" + (fam.found.cancel or "-")
                    if not prop.verdict.historical:
                        tally[(group, cls)] += 1
                    probs[id(fam)] = d.probability(fam)
                    new[id(fam)] = cls == "new"
                    groups[id(fam)] = reason(prop, fam)
                    if cls == "new":
                        sub_type = max(fam.types, key=lambda st: d.type.score(st[1]))[0]
                        top = max(near, key=lambda pl: d.place.score(pl.with_event(fam.name, sub_type)))
                        good = [
                            (pl, g)
                            for pl in near
                            for g in learn._matches(pl.span, names, art.gold)
                            if g in lost
                        ]
                        picks[
                            (
                                "type "
                                + (
                                    "right"
                                    if any(sub_type in g["sub_event_type"] for _, g in good)
                                    else "wrong"
                                ),
                                "place " + ("right" if any(pl is top for pl, _ in good) else "wrong"),
                            )
                        ] += 1
            held_out[art.doc_id] = (d, probs, new, groups)
    for art in negatives:
        for prop in art.proposals:
            for fam, _ in addable(prop):
                tally[(reason(prop, fam) + "/" + (fam.found.cancel or "-"), "negatives")] += 1

    print(f"{len(articles)} gold articles, {k} folds, {len(negatives)} ordinary-news negatives")
    print(
        f"\n1. families the model could add (current units only): {sum(len(missed(a.gold, base[a.doc_id])) for a in articles)} required gold events missed out of fold"
    )
    print(f"{'drop reason / cancel':<28}" + "".join(f"{c:>10}" for c in (*CLASSES, "negatives")))
    for group in sorted({g for g, _ in tally}):
        print(f"{group:<28}" + "".join(f"{tally[(group, c)]:>10}" for c in (*CLASSES, "negatives")))

    def run(given_for, add) -> dict:
        out = {}
        for art in articles:
            d, probs, new, groups = held_out[art.doc_id]
            out[art.doc_id] = model_events(forced(d, given_for(probs, new, groups), add), art.proposals)
        r = learn.region_scores(articles, out)["all"]
        return f"P {r['precision']:.3f} R {r['recall']:.3f} F1 {r['f1']:.3f} tp {r['tp']} fp {r['fp']} fn {r['fn']}"

    print("\n2. ceilings")
    print("   the model's events:                       ", run(lambda p, n, g: p, None))
    print(
        "   + every family that could give a missed one:",
        run(lambda p, n, g: {i: 1.0 for i in n if n[i]}, 0.5),
    )
    print("   type and place the models pick for those families:", dict(picks))
    print("\n3. adding on the event model's probability (add = add_second)")
    for add in GRID:
        print(f"   all families, {add}:".ljust(34), run(lambda p, n, g: p, add))
    for group in sorted({g for *_, gs in held_out.values() for g in gs.values()}):
        for add in GRID[1:]:
            print(
                f"   {group} only, {add}:".ljust(34),
                run(lambda p, n, g, group=group: {i: x for i, x in p.items() if g[i] == group}, add),
            )


if __name__ == "__main__":
    main()
