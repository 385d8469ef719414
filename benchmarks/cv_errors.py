"""The cross-validated errors of gold articles (development sets only: never test/ or feed/).

Runs the same leave-one-story-out cross-validation as ``marsad eval events --cv`` and prints, per
article of the chosen region, the events the rules + model invent (false positives), the required
gold events they miss (with the gold's type, place and evidence) and the wrong attributes of the
matched ones. With ``--pickle`` the proposals are saved (or read back), so that a second look at
the same code costs no re-coding.

    python benchmarks/cv_errors.py ../shared/eval/dev ../shared/eval/train \
        --negatives ../shared/corpus/saudinewsnet/all-2015.jsonl.gz \
        --exclude ../shared/eval/test --exclude ../shared/eval/feed --region elsewhere
"""

from __future__ import annotations

import argparse
import json
import pickle
from collections import Counter
from pathlib import Path

from marsad import event_training as learn
from marsad.evaluate import ATTRIBUTES, MEASURE_ONLY, attribute_checks, match_index, place_matches


def proposed(args: argparse.Namespace) -> tuple[list, list]:
    """The gold articles and negatives of ``args`` with their proposals, read from ``args.pickle``
    when it exists (one code state, several analyses), else proposed now and saved there."""
    if any(d.resolve().name in MEASURE_ONLY for d in args.gold):
        raise SystemExit("test/ and feed/ are for measuring only")
    if args.pickle and args.pickle.exists():
        return pickle.loads(args.pickle.read_bytes())
    articles, negatives = learn.training_data(args.gold, args.negatives, args.exclude)
    if args.pickle:
        args.pickle.write_bytes(pickle.dumps((articles, negatives)))
    return articles, negatives


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("gold", type=Path, nargs="+")
    ap.add_argument("--negatives", type=Path)
    ap.add_argument("--exclude", type=Path, action="append", default=[])
    ap.add_argument("--region", default="elsewhere", help="all, Syria, elsewhere or none")
    ap.add_argument("--folds", type=int)
    ap.add_argument("--pickle", type=Path, help="save the proposals here, or read them if it exists")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    articles, negatives = proposed(args)
    coded = learn.held_out_events(articles, negatives, folds=args.folds)
    rules = {a.doc_id: learn.rule_events(a.proposals) for a in articles}
    result = {"rules": learn.region_scores(articles, rules), "model": learn.region_scores(articles, coded)}
    print(learn.format_comparison(learn.totals(result), "cross-validation (rules + model)"))
    print(found_and_right(articles, result["model"]["all"]["documents"]))
    gold = {a.doc_id: a.gold for a in articles}
    docs = result["model"][args.region]["documents"]
    if args.json:
        print(json.dumps(docs, ensure_ascii=False, indent=1))
        return
    kinds: Counter = Counter()
    for d in docs:
        if not (d["false_positives"] or d["missed"] or d["wrong_attributes"]):
            continue
        g = gold[d["doc"]]
        events = {e["id"]: e for e in g["events"]}
        preds = [e.to_dict() for e in coded.get(d["doc"], [])]
        print(f"\n== {d['doc']} tp={d['tp']} fp={d['fp']} fn={d['fn']}")
        false = false_events(g, preds)
        for p, kind in false:
            kinds["FP " + kind] += 1
            ev = (p.get("evidence") or [{}])[0].get("text", "")[:110]
            print(f"  FP[{kind}] {p['sub_event_type']} @ {p.get('location')} a1={p.get('actor1')} | {ev}")
        for m in d["missed"]:
            e = events[m]
            kind = miss_kind(e, [p for p, _ in false])
            kinds["FN " + kind] += 1
            print(
                f"  FN[{kind}]  {m}: {e['sub_event_type']} @ {e['location'].get('name')} "
                f"a1={e.get('actor1', [''])[:2]} | {e.get('evidence', '')[:110]}"
            )
        for w in d["wrong_attributes"]:
            e = events[w["gold"]]
            field = w["attribute"]
            kinds["ATTR " + field] += 1
            want = e.get(field)
            print(
                f"  ATTR {w['gold']} {field}: got {w['predicted']!r} want {want[:3] if isinstance(want, list) else want!r}"
            )
    print()
    for k, n in kinds.most_common():
        print(f"{n:>4}  {k}")


def found_and_right(articles: list, docs: list[dict]) -> str:
    """Each attribute counted over the required gold events that have it: found with it right, of
    all. Unlike the accuracy over matched events above, a change that finds a new event with a
    wrong attribute leaves this figure as it was, and one that breaks a found event's lowers it."""
    # the attributes a gold event has are those scoring checks on it (whatever was predicted)
    has = Counter(
        n for a in articles for g in a.gold["events"] if g.get("required") for n in attribute_checks({}, g)
    )
    cells = []
    for name in ATTRIBUTES:
        right, total = sum(d["attrs"][name][0] for d in docs), has[name]
        cells.append(f"{name} {right}/{total} = {right / total:.3f}" if total else f"{name} -")
    return "found with it right, per required gold event (rules + model, all): " + ", ".join(cells)


def false_events(gold: dict, preds: list[dict]) -> list[tuple[dict, str]]:
    """The predictions scoring leaves unmatched, each with its kind: the right type at another place
    of the gold ("place"), a gold place with another type ("type"), a place of the article's
    background or optional events ("optional"), or nothing near ("invented")."""
    current = [p for p in preds if not p.get("historical")]
    used: set[int] = set()
    for required in (True, False):
        for ge in (g for g in gold["events"] if bool(g.get("required")) == required):
            hit = match_index(current, used, ge)
            if hit is not None:
                used.add(hit)
    out = []
    for i, p in enumerate(current):
        if i in used:
            continue
        req = [g for g in gold["events"] if g.get("required")]
        if any(place_matches(p, g["location"]) for g in req):
            kind = "type"
        elif any(p.get("sub_event_type") in g["sub_event_type"] for g in req):
            kind = "place"
        else:
            kind = "invented"
        out.append((p, kind))
    return out


def miss_kind(ge: dict, preds: list[dict]) -> str:
    """A missed gold event: a false prediction at its place with another type ("type"), one of its
    type elsewhere ("place"), or none ("none")."""
    if any(place_matches(p, ge["location"]) for p in preds):
        return "type"
    if any(p.get("sub_event_type") in ge["sub_event_type"] for p in preds):
        return "place"
    return "none"


if __name__ == "__main__":
    main()
