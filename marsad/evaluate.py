"""`marsad eval events`: score coded events against gold files (shared/eval/FORMAT.md).

A predicted event matches a gold event when its sub-event type is one the gold accepts and its
place lies within the gold radius (or has the same GeoNames id). Required gold events count for
recall; optional ones absorb a prediction without reward; every other current prediction of a
scored document is a false positive. Attributes are then checked on matched required events.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Iterator
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

ATTRIBUTES = ("actor1", "date", "status", "source", "fatalities")


def km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 12742.0 * math.asin(min(1.0, math.sqrt(a)))


def place_matches(event: dict, where: dict) -> bool:
    if (
        where.get("geonameid")
        and event.get("geonameid")
        and int(event["geonameid"]) == int(where["geonameid"])
    ):
        return True
    if event.get("latitude") is None or event.get("longitude") is None:
        return False
    return km(event["latitude"], event["longitude"], where["lat"], where["lon"]) <= where.get("radius_km", 25)


def names_of(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value if v]


# British and American spellings of the words in names: the gold writes both ("Civil Defence",
# "Civil Defense"), and so do the actor and source catalogues; so with a hyphen or a space after
# an article ("Al-Eqtisadiah", "Al Eqtisadiah").
_SPELLINGS = re.compile(r"(?<=defen)s(?=e)|(?<=organi)z(?=ation)|(?<=cent)er(?=s?\b)")
_BRITISH = {"s": "c", "z": "s", "er": "re"}


def _folded(name: str) -> str:
    return _SPELLINGS.sub(lambda m: _BRITISH[m.group()], name.lower()).replace("-", " ")


def alias_hit(aliases: Iterable[str], values: Iterable[str]) -> bool:
    """An alias appears in a predicted name, or a (not tiny) predicted name within an alias,
    whichever way a word is spelt."""
    vals = [_folded(v) for v in values]
    for alias in aliases:
        a = _folded(alias)
        if any(a in v or (len(v) > 3 and v in a) for v in vals):
            return True
    return False


def date_hit(predicted: str | None, gold: str | list[str]) -> bool:
    if not predicted:
        return False
    day = predicted[:10]
    if isinstance(gold, list):
        return gold[0] <= day <= gold[-1]
    return day == gold


_PROCLITIC = re.compile(r"^(?:[وف]?(?:بال|لل|ال|[بل])|[وف])")


@cache
def _initiation() -> tuple[str, ...]:
    from marsad.events.lexicon import policy
    from marsad.text.normalize import normalize_key

    return tuple(normalize_key(w) for w in policy().clash_initiation)


def names_initiator(evidence: str | None) -> bool:
    """Does a gold clash's evidence say who began it ("تصدوا لهجوم شنه الحوثيون")? Without
    evidence it is taken to (the strict reading)."""
    if not evidence:
        return True
    from marsad.text.normalize import normalize_key

    stems = _initiation()
    for word in normalize_key(evidence).split():
        word = word.strip(".,،؛:()«»\"'")
        if any(w.startswith(stems) for w in {word, _PROCLITIC.sub("", word)}):
            return True
    return False


def either_side(pred: dict, gold: dict) -> bool:
    """FORMAT.md: "in a clash with no named initiator, actor1 may be either side": a gold event
    that is only a clash, whose evidence names no initiator, takes its actor2 as actor1 too."""
    return (
        pred.get("sub_event_type") == "Armed clash"
        and set(gold.get("sub_event_type") or []) == {"Armed clash"}
        and bool(gold.get("actor2"))
        and not names_initiator(gold.get("evidence"))
    )


def attribute_checks(pred: dict, gold: dict) -> dict[str, bool]:
    checks: dict[str, bool] = {}
    if gold.get("actor1"):
        named = names_of(pred.get("actor1")) + names_of(pred.get("assoc_actor_1"))
        checks["actor1"] = alias_hit(gold["actor1"], named) or (
            either_side(pred, gold) and alias_hit(gold["actor2"], names_of(pred.get("actor1")))
        )
    if gold.get("date"):
        checks["date"] = date_hit(pred.get("event_date"), gold["date"])
    if gold.get("status"):
        checks["status"] = pred.get("status") in gold["status"]
    if gold.get("source"):
        checks["source"] = alias_hit(gold["source"], names_of(pred.get("attributed_to")))
    if gold.get("fatalities") is not None:
        checks["fatalities"] = pred.get("fatalities") == gold["fatalities"]
    return checks


def match_index(predicted: list[dict], used: set[int], ge: dict) -> int | None:
    """The first prediction not yet ``used`` that scoring matches to gold event ``ge``: one of its
    sub-event types, at its place."""
    return next(
        (
            i
            for i, p in enumerate(predicted)
            if i not in used
            and p.get("sub_event_type") in ge["sub_event_type"]
            and place_matches(p, ge["location"])
        ),
        None,
    )


def score_document(gold: dict, predicted: list[dict]) -> dict:
    current = [p for p in predicted if not p.get("historical")]
    used: set[int] = set()
    tp, fn, optional = 0, 0, 0
    missed: list[str] = []
    attrs: dict[str, list[int]] = {k: [0, 0] for k in ATTRIBUTES}
    wrong: list[dict] = []
    for required in (True, False):
        for ge in (g for g in gold["events"] if bool(g.get("required")) == required):
            hit = match_index(current, used, ge)
            if hit is None:
                if required:
                    fn += 1
                    missed.append(ge["id"])
                continue
            used.add(hit)
            if not required:
                optional += 1
                continue
            tp += 1
            for name, ok in attribute_checks(current[hit], ge).items():
                attrs[name][0] += ok
                attrs[name][1] += 1
                if not ok:
                    wrong.append(
                        {"gold": ge["id"], "attribute": name, "predicted": current[hit].get(_FIELD[name])}
                    )
    violations = [
        h["id"]
        for h in gold.get("historical", [])
        for p in current
        if place_matches(p, h["location"])
        and (
            str(p.get("event_date") or "")[:4] == str(h.get("year"))
            or (h.get("fatalities_not") is not None and p.get("fatalities") == h["fatalities_not"])
        )
    ]
    false_pos = [
        f"{p.get('sub_event_type')} @ {p.get('location')}: {(p.get('evidence') or [{}])[0].get('text', '')[:70]}"
        for i, p in enumerate(current)
        if i not in used
    ]
    return {
        "doc": gold["doc_id"],
        "tp": tp,
        "fp": len(current) - len(used),
        "fn": fn,
        "optional_matched": optional,
        "historical_violations": violations,
        "missed": missed,
        "false_positives": false_pos,
        "wrong_attributes": wrong,
        "attrs": attrs,
    }


_FIELD = {
    "actor1": "actor1",
    "date": "event_date",
    "status": "status",
    "source": "attributed_to",
    "fatalities": "fatalities",
}


def score(golds: list[dict], events: list[dict]) -> dict:
    by_doc: dict[str, list[dict]] = {}
    for ev in events:
        for d in ev.get("doc_ids") or []:
            by_doc.setdefault(str(d), []).append(ev)
    docs = [score_document(g, by_doc.get(g["doc_id"], [])) for g in golds]
    tp, fp, fn = (sum(d[k] for d in docs) for k in ("tp", "fp", "fn"))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    accuracy = {}
    for name in ATTRIBUTES:
        hits = sum(d["attrs"][name][0] for d in docs)
        total = sum(d["attrs"][name][1] for d in docs)
        accuracy[name] = round(hits / total, 3) if total else None
    return {
        "precision": round(precision, 3),
        "recall": round(recall, 3),
        "f1": round(f1, 3),
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "historical_violations": sum(len(d["historical_violations"]) for d in docs),
        "attribute_accuracy": accuracy,
        "documents": docs,
    }


def load_golds(gold_dir: Path) -> list[dict]:
    files = sorted(gold_dir.glob("*.gold.json")) if gold_dir.is_dir() else [gold_dir]
    return [json.loads(f.read_text(encoding="utf-8")) for f in files]


def gold_documents(golds: list[dict], root: Path) -> Iterator:
    """The articles the gold files annotate, read from the corpus they name (``file#id``)."""
    from marsad.ingest.readers import read

    wanted: dict[str, dict[str, dict]] = {}
    for g in golds:
        path, _, doc_id = g["file"].partition("#")
        wanted.setdefault(path, {})[doc_id or g["doc_id"]] = g
    for path, ids in wanted.items():
        for doc in read([str(root / path)]):
            g = ids.get(doc.id)
            if g is None:
                continue
            if doc.published is None and g.get("published"):
                doc.published = date.fromisoformat(g["published"])
            yield doc


def evaluate_events(gold_dir: Path, db: str | None = None, model: str = "default") -> dict:
    """Score a store's events, or, with no store, code the gold's own articles in memory (with
    the shipped event model, or ``model="rules"`` for the rules alone)."""
    golds = load_golds(gold_dir)
    if db is not None:
        from marsad.store import open_store

        with open_store(db) as store:
            events = list(store.events())
            # A store keys documents by content; the gold names them by the id their source gave.
            source = dict(store.db.query("SELECT id, source_id FROM documents"))
        for ev in events:
            ev["doc_ids"] = [source.get(d) or d for d in ev.get("doc_ids") or []]
    else:
        from marsad.runner import build_pipeline

        pipeline = build_pipeline(config={"events": {"model": model}})
        root = (gold_dir if gold_dir.is_dir() else gold_dir.parent).resolve().parents[1]
        events = [ev.to_dict() for doc in gold_documents(golds, root) for ev in pipeline(doc).events]
    return score(golds, events)


# Gold sets kept for measuring generalisation: their score is read, never their errors.
MEASURE_ONLY = frozenset({"test", "feed"})


def withhold_errors(report: dict) -> dict:
    """The totals of a report without its per-document errors (for a measure-only gold set)."""
    return {k: v for k, v in report.items() if k != "documents"} | {"documents": []}


def format_report(report: dict) -> str:
    lines = []
    for d in report["documents"]:
        lines.append(
            f"{d['doc']}: tp={d['tp']} fp={d['fp']} fn={d['fn']} optional={d['optional_matched']}"
            f" historical_violations={len(d['historical_violations'])}"
        )
        for m in d["missed"]:
            lines.append(f"    missed: {m}")
        for fp in d["false_positives"]:
            lines.append(f"    false positive: {fp}")
        for w in d["wrong_attributes"]:
            lines.append(f"    wrong {w['attribute']} on {w['gold']}: {w['predicted']}")
    acc = ", ".join(f"{k}={v}" for k, v in report["attribute_accuracy"].items())
    lines.append(f"attribute accuracy: {acc}")
    lines.append(
        f"P={report['precision']} R={report['recall']} F1={report['f1']}"
        f" (tp={report['tp']} fp={report['fp']} fn={report['fn']}) historical_violations={report['historical_violations']}"
    )
    return "\n".join(lines) + "\n"
