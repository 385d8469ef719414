"""`marsad eval places`: score place mentions against the place-mention gold (``eval/places``).

Each gold line is a sentence of a corpus article with its place mentions (coordinates and a
radius) and its traps (common words, organisations, generic anaphors, metonymy). The article is
geocoded whole, as a run would (the article's other places are the context that decides), and
only the places inside the sentence are scored: a predicted place is right when it overlaps a
gold mention and lies within its radius (or carries its GeoNames id); a trap overlapped by a
predicted place counts against. A place predicted as a government (metonymy) is not a place.
"""

from __future__ import annotations

import gzip
import json
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from marsad.evaluate import km

CORPUS = Path("corpus/saudinewsnet/all-2015.jsonl.gz")
STAGES = ["clean", "tokens", "match", "sentences", "places"]


def load_gold(path: Path) -> list[dict]:
    """The gold lines; a broken line is an error naming the file and the line."""
    out = []
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                for m in row["mentions"] + row["traps"]:
                    if row["sentence"][m["start"] : m["end"]] != m["text"]:
                        raise ValueError(f"span {m['start']}-{m['end']} is not {m['text']!r}")
            except (ValueError, KeyError, TypeError) as e:
                raise ValueError(f"{path}:{n}: {e}") from None
            out.append(row)
    return out


def read_articles(corpus: Path, ids: set[str]) -> dict[str, dict]:
    """The corpus records whose id is wanted (the corpus is read once, front to back)."""
    opener = gzip.open if corpus.suffix == ".gz" else open
    out: dict[str, dict] = {}
    with opener(corpus, "rt", encoding="utf-8") as fh:
        for line in fh:
            if '"id"' not in line:
                continue
            rec = json.loads(line)
            if rec.get("id") in ids:
                out[rec["id"]] = rec
    return out


def predict(gold: list[dict], corpus: Path | None) -> list[list[dict]]:
    """Predicted places of each gold sentence: ``{start, end, lat, lon, geonameid, country, role}``.

    With the corpus, each article is geocoded whole and its places inside the sentence are kept;
    without it (or when the sentence is not found) the sentence is geocoded alone."""
    from marsad.document import Document
    from marsad.pipeline import Pipeline

    pipeline = Pipeline.from_names(STAGES)
    articles = read_articles(corpus, {g["doc_id"] for g in gold}) if corpus else {}
    done: dict[str, Document] = {}
    out = []
    for g in gold:
        rec = articles.get(g["doc_id"])
        doc, base = None, 0
        if rec is not None and g["sentence"] in rec.get("text", ""):
            doc = done.get(g["doc_id"])
            if doc is None:
                doc = done[g["doc_id"]] = pipeline(Document(id=g["doc_id"], text=rec["text"]))
            base = rec["text"].index(g["sentence"])
        else:
            doc = pipeline(Document(id=g["doc_id"], text=g["sentence"]))
        places = []
        for span in doc.spans_of("place"):
            s, e = doc.original_range(span.start, span.end)
            if base <= s and e <= base + len(g["sentence"]):
                a = span.attrs
                places.append(
                    {
                        "start": s - base,
                        "end": e - base,
                        "text": g["sentence"][s - base : e - base],
                        "lat": a["lat"],
                        "lon": a["lon"],
                        "geonameid": a.get("geonameid"),
                        "country": a.get("country_code"),
                        "name": a.get("name"),
                        "role": a.get("role"),
                    }
                )
        out.append(places)
    return out


def _overlap(a: dict, b: dict) -> bool:
    return a["start"] < b["end"] and b["start"] < a["end"]


def _within(p: dict, m: dict) -> bool:
    if m.get("geonameid") and p.get("geonameid") and int(m["geonameid"]) == int(p["geonameid"]):
        return True
    return km(p["lat"], p["lon"], m["lat"], m["lon"]) <= m["radius_km"]


def _bucket() -> dict[str, int]:
    return {"predicted": 0, "correct": 0, "mentions": 0, "found": 0, "traps": 0, "trapped": 0}


def score(gold: list[dict], predicted: list[list[dict]]) -> dict[str, Any]:
    """Precision, recall within radius and trap rate, overall, by country and by mention type."""
    total = _bucket()
    by_country: dict[str, dict[str, int]] = defaultdict(_bucket)
    by_type: dict[str, dict[str, int]] = defaultdict(_bucket)
    errors: list[dict] = []
    for g, preds in zip(gold, predicted, strict=True):
        places = [p for p in preds if p.get("role") != "government"]
        for p in places:
            hit = next((m for m in g["mentions"] if _overlap(p, m) and _within(p, m)), None)
            near = hit or next((m for m in g["mentions"] if _overlap(p, m)), None)
            country = near["country"] if near else (p.get("country") or "?")
            for b in (total, by_country[country], by_type[near["type"] if near else "(none)"]):
                b["predicted"] += 1
                b["correct"] += hit is not None
            if hit is None:
                why = "wrong place" if near else "not a gold place"
                errors.append(
                    {"doc": g["doc_id"], "text": p["text"], "error": why, "predicted": p.get("name")}
                )
        for m in g["mentions"]:
            found = any(_overlap(p, m) and _within(p, m) for p in places)
            for b in (total, by_country[m["country"]], by_type[m["type"]]):
                b["mentions"] += 1
                b["found"] += found
            if not found:
                errors.append({"doc": g["doc_id"], "text": m["text"], "error": "missed", "gold": m["name"]})
        for t in g["traps"]:
            hit = any(_overlap(p, t) for p in places)
            for b in (total, by_type["trap: " + t["why"]]):
                b["traps"] += 1
                b["trapped"] += hit
            if hit:
                errors.append({"doc": g["doc_id"], "text": t["text"], "error": "trap: " + t["why"]})
    return {
        **_rates(total),
        "sentences": len(gold),
        "by_country": {
            k: _rates(v) for k, v in sorted(by_country.items(), key=lambda kv: -kv[1]["mentions"])
        },
        "by_type": {k: _rates(v) for k, v in sorted(by_type.items())},
        "errors": errors,
    }


def _rates(b: dict[str, int]) -> dict[str, Any]:
    return {
        "precision": round(b["correct"] / b["predicted"], 3) if b["predicted"] else None,
        "recall": round(b["found"] / b["mentions"], 3) if b["mentions"] else None,
        "trap_rate": round(b["trapped"] / b["traps"], 3) if b["traps"] else None,
        **b,
    }


def evaluate(
    gold_path: Path,
    corpus: Path | None = None,
    predictor: Callable[[list[dict], Path | None], list[list[dict]]] = predict,
) -> dict[str, Any]:
    """Score the shipped geocoder on a gold file (the corpus is found beside the gold by default)."""
    gold = load_gold(gold_path)
    if corpus is None:
        guess = gold_path.resolve().parents[2] / CORPUS
        corpus = guess if guess.exists() else None
    return score(gold, predictor(gold, corpus))


def format_report(report: dict[str, Any], errors: bool = False) -> str:
    def row(name: str, r: dict[str, Any]) -> str:
        def f(v: float | None) -> str:
            return "   -  " if v is None else f"{v:6.3f}"

        return (
            f"{name:<28} P={f(r['precision'])} ({r['correct']}/{r['predicted']})"
            f"  R={f(r['recall'])} ({r['found']}/{r['mentions']})"
            f"  traps={f(r['trap_rate'])} ({r['trapped']}/{r['traps']})"
        )

    lines = []
    if errors:
        lines += [json.dumps(e, ensure_ascii=False) for e in report["errors"]]
    lines.append("by country:")
    lines += ["  " + row(k, v) for k, v in report["by_country"].items()]
    lines.append("by mention type:")
    lines += ["  " + row(k, v) for k, v in report["by_type"].items()]
    lines.append(row(f"all ({report['sentences']} sentences)", report))
    return "\n".join(lines) + "\n"
