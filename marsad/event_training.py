"""Training and evaluating the event model (``marsad train events``, ``marsad eval events``).

Training rows come from gold articles (``shared/eval/FORMAT.md``): an option matches the gold as
scoring does (:mod:`marsad.evaluate`: its type is one the gold accepts, its place within the gold
radius). Options that only an optional gold event matches, and background ones, teach nothing
and are left out. Ordinary news teaches what is not an event: besides the gold articles, half the
articles of sports outlets and of the sport, economy, culture and technology pages of a corpus
are negatives (the other half is held out to measure). ``marsad train events`` writes the model
with the command, seed and a digest of the data beside the weights.
"""

from __future__ import annotations

import hashlib
import json
import math
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from marsad.document import Document, Span
from marsad.evaluate import alias_hit, either_side, gold_documents, load_golds, place_matches, score
from marsad.event import Event
from marsad.events.candidates import Proposal
from marsad.events.genre import section_of
from marsad.events.learn import (
    FORMAT,
    MODELS,
    PROFILES,
    THRESHOLDS,
    Decider,
    Linear,
    _actor_dynamic,
    active_profile,
    clear_models,
    keep_features,
    model_events,
    rule_events,
    sigmoid,
)
from marsad.events.units import known_background, local_label

SEED = 17
MIN_COUNT = 2  # a feature seen in fewer training options is dropped
# Ordinary news for negatives: sports outlets, and these sections of the others.
SPORTS_OUTLETS = frozenset({"arreyadi", "arriyadiyah"})
NEGATIVE_SECTIONS = frozenset({"sp", "sports", "ec", "economy", "finance", "cu", "culture", "technology"})


def ordinary_news(doc: Document) -> bool:
    """An article of sport, economy or culture."""
    return doc.outlet in SPORTS_OUTLETS or section_of(doc.url).lower() in NEGATIVE_SECTIONS


def trains(doc_id: str) -> bool:
    """Half the ordinary news trains (its proposals are negatives), chosen by a hash of the id;
    the other half is left to measure what the coder invents in news it never saw."""
    return zlib.crc32(doc_id.encode("utf-8")) % 2 == 0


# -- the model ------------------------------------------------------------------------------------
@dataclass
class Article:
    """One coded article: its gold (None for an ordinary-news negative) and its proposals."""

    doc_id: str
    gold: dict | None
    proposals: list[Proposal]
    region: str = "none"
    # Ordinary news whose coded events a reader judged: trigger start -> the readers' verdicts
    # (``judged_labels``); None for gold articles and negatives.
    judged: dict[int, list[Judgement]] | None = None


def proposing_pipeline():
    from marsad.pipeline import Pipeline
    from marsad.runner import long_lived

    with long_lived():
        return Pipeline.from_names(None, {"events": {"model": "propose"}})


def gold_articles(gold_dirs: list[Path], pipeline=None) -> list[Article]:
    """The articles of gold folders, read from the corpora they name and proposed."""
    pipeline = pipeline or proposing_pipeline()
    out = []
    for gold_dir in gold_dirs:
        golds = load_golds(gold_dir)
        by_id = {g["doc_id"]: g for g in golds}
        root = (gold_dir if gold_dir.is_dir() else gold_dir.parent).resolve().parents[1]
        for doc in gold_documents(golds, root):
            doc = pipeline(doc)
            gold = by_id[doc.id]
            out.append(Article(doc.id, gold, doc.meta.pop("event_proposals", []), region_of(gold)))
    return out


def negative_articles(
    corpus: Path,
    exclude: set[str],
    pipeline=None,
    limit: int | None = None,
    judged: dict[str, dict[int, list[Judgement]]] | None = None,
) -> list[Article]:
    """Ordinary news from a corpus (sport, economy, culture pages), never an excluded article;
    and the corpus's articles with ``judged`` events (see :func:`judged_labels`)."""
    from marsad.ingest.readers import read

    pipeline = pipeline or proposing_pipeline()
    judged = {k: v for k, v in (judged or {}).items() if k not in exclude}
    out, seen = [], 0
    for doc in read([str(corpus)]):
        labels = judged.pop(doc.id, None)
        negative = seen < (limit or math.inf) and trains(doc.id) and ordinary_news(doc)
        if doc.id in exclude or not (negative or labels):
            if limit and seen >= limit and not judged:
                break
            continue
        doc = pipeline(doc)
        if doc.rejected:
            continue
        seen += labels is None
        out.append(Article(doc.id, None, doc.meta.pop("event_proposals", []), judged=labels))
    return out


# What an analyst's judgement of a coded event teaches the ``keep`` model: a current event of the
# coded type at the coded place stands; history, statements, figures of speech, a wrong type or a
# wrong place do not; a borderline one ("optional") teaches nothing, as optional gold does not.
@dataclass(frozen=True)
class Judgement:
    """A reader's verdict on one coded event: keep it (1) or not (0).

    "Not an event" is a verdict on the words alone and holds whatever the coder makes of them;
    any other is a verdict on a coding (its type at its place), which holds only while the coder
    still gives that type at that place: once a fix codes the event otherwise, nobody has judged
    the new coding, and it counts and teaches nothing."""

    label: int
    sub_event_type: str | None = None  # None: a verdict on the words alone
    location: int | None = None  # start of the coded place's words
    geonameid: int | None = None

    def applies(self, sub_type: str, places: list[Span]) -> bool:
        if self.sub_event_type is None:
            return True
        return sub_type == self.sub_event_type and any(
            p.start == self.location and p.attrs.get("geonameid") == self.geonameid for p in places
        )


def judged_label(row: dict) -> Judgement | None:
    if row["event"] == "optional":
        return None
    if row["event"] == "no":
        return Judgement(0)
    label = int(row["type"] == "right" and row["place"] != "wrong")
    location = row.get("location")
    return Judgement(
        label, row.get("sub_event_type"), location[0] if location else None, row.get("geonameid")
    )


def judged_verdict(judgements: list[Judgement] | None, sub_type: str, places: list[Span]) -> int | None:
    """What readers said of a coded event (found by its trigger) as it is coded now: 1 if one
    verdict that still applies keeps it, 0 if those that apply drop it, None if none applies."""
    labels = [j.label for j in judgements or () if j.applies(sub_type, places)]
    return max(labels) if labels else None


JUDGED_FIELDS = {"doc_id": str, "trigger": list, "event": str, "type": str, "place": str}
JUDGED_VALUES = {"event": {"yes", "optional", "no"}, "type": {"right", "wrong", "-"}}


def judged_labels(path: Path) -> dict[str, dict[int, list[Judgement]]]:
    """Judged events (``marsad/events/data/judged/``: a JSONL file, or a folder's ``*.jsonl``):
    article id -> trigger start -> the verdicts on it (one a coded place). A malformed line is an
    error naming the file and line."""
    out: dict[str, dict[int, list[Judgement]]] = {}
    files = sorted(path.glob("*.jsonl")) if path.is_dir() else [path]
    if not files:
        raise ValueError(f"{path}: no judged events (*.jsonl) in this folder")
    for f in files:
        for n, line in enumerate(f.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                bad = [k for k, t in JUDGED_FIELDS.items() if not isinstance(row.get(k), t)]
                bad += [k for k, ok in JUDGED_VALUES.items() if row.get(k) not in ok]
                if bad:
                    raise ValueError(f"bad or missing {', '.join(bad)}")
                label = judged_label(row)
            except ValueError as e:
                raise ValueError(f"{f}:{n}: {e}") from None
            if label is not None:
                out.setdefault(row["doc_id"], {}).setdefault(int(row["trigger"][0]), []).append(label)
    return out


def gold_ids(dirs: Iterable[Path]) -> set[str]:
    """The article ids gold folders code, read from their ``doc_id`` and ``file`` fields only."""
    ids = set()
    for d in dirs:
        for f in sorted(d.glob("*.gold.json")) if d.is_dir() else [d]:
            g = json.loads(f.read_text(encoding="utf-8"))
            ids.add(str(g.get("doc_id")))
            ids.add(str(g.get("file", "")).partition("#")[2] or str(g.get("doc_id")))
    return ids


def region_of(gold: dict) -> str:
    """ "Syria" when most of the article's required events lie in Syria, "elsewhere" when they
    lie elsewhere, "none" when it codes no required event."""
    from marsad.entities.gazetteer import get

    points = [(e["location"]["lat"], e["location"]["lon"]) for e in gold["events"] if e.get("required")]
    if not points:
        return "none"
    codes = Counter(_country_at(get(), lat, lon) for lat, lon in points)
    return "Syria" if codes.most_common(1)[0][0] == "SY" else "elsewhere"


@lru_cache(maxsize=4096)
def _country_at(gaz, lat: float, lon: float) -> str:
    import numpy as np

    lats, lons, codes = _coords(gaz)
    d = (lats - lat) ** 2 + ((lons - lon) * math.cos(math.radians(lat))) ** 2
    return codes[int(np.argmin(d))]


@lru_cache(maxsize=1)
def _coords(gaz):
    import numpy as np

    places = [p for p in gaz.places if p.type in ("city", "town", "village")]
    return (
        np.array([p.lat for p in places]),
        np.array([p.lon for p in places]),
        [p.country_code for p in places],
    )


def _matches(place: Span, types: Iterable[str], gold: dict) -> list[dict]:
    """The gold events a place and any of these types would match, as scoring matches."""
    a = place.attrs
    ev = {"latitude": a.get("lat"), "longitude": a.get("lon"), "geonameid": a.get("geonameid")}
    types = set(types)
    return [
        g for g in gold["events"] if types & set(g["sub_event_type"]) and place_matches(ev, g["location"])
    ]


def examples(articles: Iterable[Article]) -> dict[str, list]:
    """Training rows ``(features, label, group)`` for each of the five models.

    A family is an event when one of its types at one of its places matches a required gold
    event as scoring matches them; one that matches only optional events teaches nothing. Type,
    place and actor rows come from the families that are events. The rules' own event stands
    (``keep``) when, at their type and places, scoring would count it right, not merely when
    some option of its family would."""
    rows: dict[str, list] = {name: [] for name in MODELS}
    for art in articles:
        if art.judged is not None:
            rows["keep"] += _judged_rows(art)
            continue
        for n, prop in enumerate(art.proposals):
            if art.gold is not None and prop.verdict.historical:
                continue  # background: never scored, nothing to learn
            if not prop.places:
                continue  # nowhere to code it: never an event
            keep = _keep_row(art, prop)
            if keep is not None:
                rows["keep"].append((*keep, art.doc_id))
            for fam in prop.families:
                if art.gold is None:
                    rows["event"].append((fam.feats, 0, art.doc_id))
                    continue
                names = [t for t, _ in fam.types]
                hits = {id(pl): _matches(pl.span, names, art.gold) for pl in prop.places}
                told = {key: [g for g in gs if g.get("required")] for key, gs in hits.items()}
                required = [g for gs in told.values() for g in gs]
                if not required:
                    if not any(hits.values()):
                        rows["event"].append((fam.feats, 0, art.doc_id))
                    continue
                rows["event"].append((fam.feats, 1, art.doc_id))
                group = (art.doc_id, n, fam.name)
                accepted = {t for g in required for t in g["sub_event_type"]}
                if len(fam.types) > 1:
                    for t, tf in fam.types:
                        rows["type"].append((tf, int(t in accepted), group))
                sub_type = next((t for t, _ in fam.types if t in accepted), names[0])
                for pl in prop.places:
                    y = int(bool(told[id(pl)]))
                    rows["place"].append((pl.with_event(fam.name, sub_type), y, group))
                ge = required[0]
                if not ge.get("actor1") or not prop.actors:
                    continue
                place = next(pl.span for pl in prop.places if ge in told[id(pl)])
                # as scoring reads it: in a clash with no named initiator either side is actor1
                sides = [
                    ge["actor1"],
                    *([ge["actor2"]] if either_side({"sub_event_type": sub_type}, ge) else []),
                ]
                labels = [
                    any(alias_hit(s, [local_label(a.span, place.attrs, prop.verdict.when)]) for s in sides)
                    for a in prop.actors
                ]
                if any(labels):
                    country = place.attrs.get("country")
                    for a, y in zip(prop.actors, labels, strict=True):
                        feats = a.feats + _actor_dynamic(a.span, sub_type, country)
                        rows["actor"].append((feats, int(y), group))
    return rows


def _judged_rows(art: Article) -> list[tuple[list[str], int, str]]:
    """``keep`` rows of the rules' events a reader judged (found again by their trigger)."""
    out = []
    assert art.judged is not None
    for prop in art.proposals:
        v = prop.verdict
        if v.drop is not None or v.historical or not v.places:
            continue
        label = judged_verdict(art.judged.get(v.main.start), v.sub_type, v.places)
        if label is None:
            continue
        fam = next((f for f in prop.families if f.found is v.main), None)
        if fam is not None:
            out.append((keep_features(prop, fam), label, art.doc_id))
    return out


def _keep_row(art: Article, prop: Proposal) -> tuple[list[str], int] | None:
    """The rules' event of a unit as a ``keep`` row: right (its type at one of its places matches
    a required gold event), wrong (matches nothing), or None (no rules' event, or only optional
    gold matches it)."""
    v = prop.verdict
    if v.drop is not None or not v.places:
        return None
    fam = next((f for f in prop.families if f.found is v.main), None)
    if fam is None:
        return None
    if art.gold is None:
        return keep_features(prop, fam), 0
    hits = [g for place in v.places for g in _matches(place, [v.sub_type], art.gold)]
    if any(g.get("required") for g in hits):
        return keep_features(prop, fam), 1
    return None if hits else (keep_features(prop, fam), 0)


def fit_linear(rows: list, c: float, seed: int = SEED) -> Linear:
    """A logistic regression on feature strings; features seen fewer than MIN_COUNT times are dropped."""
    from marsad.extras import require

    DictVectorizer = require("sklearn.feature_extraction", "train").DictVectorizer
    LogisticRegression = require("sklearn.linear_model", "train").LogisticRegression

    counts = Counter(f for feats, _, _ in rows for f in set(feats))
    keep = {f for f, n in counts.items() if n >= MIN_COUNT}
    y = [label for _, label, _ in rows]
    if len(set(y)) < 2 or not keep:
        # too little to learn from: the share of positives alone (a little smoothed)
        share = (sum(y) + 0.5) / (len(y) + 1.0)
        return Linear(round(math.log(share / (1.0 - share)), 5), {})
    vec = DictVectorizer()
    x = vec.fit_transform([{f: 1.0 for f in feats if f in keep} for feats, _, _ in rows])
    lr = LogisticRegression(C=c, max_iter=3000, random_state=seed)
    lr.fit(x, y)
    weights = {
        name: round(float(w), 5)
        for name, w in zip(vec.feature_names_, lr.coef_[0], strict=True)
        if abs(w) >= 1e-5
    }
    return Linear(round(float(lr.intercept_[0]), 5), dict(sorted(weights.items())))


C = {"event": 0.3, "type": 0.3, "place": 0.3, "actor": 0.3, "keep": 1.0}


def fit(articles: list[Article], seed: int = SEED) -> Decider:
    rows = examples(articles)
    return Decider(*(fit_linear(rows[name], C[name], seed) for name in MODELS))


# -- a desk's own gold sets the operating point -----------------------------------------------------
# The thresholds a desk's reviewed articles may move (``marsad train events --calibrate``): how
# sure the model must be to keep an event the rules code in an article that names armed groups,
# and to add one they drop (None: never). The first of each is the shipped value.
CALIBRATION_GRID: dict[str, tuple[float | None, ...]] = {
    "keep": (THRESHOLDS["keep"], 0.2, 0.3, 0.4, 0.5),
    "add": (None, 0.9, 0.8, 0.7, 0.6, 0.5),
}


# A desk's few articles must say it clearly: the new thresholds may code the desk's articles worse
# than the current ones in at most this share of bootstrap resamples of those articles.
CALIBRATION_RESAMPLES = 200
CALIBRATION_RISK = 0.05


def coded_counts(
    decider: Decider, articles: list[Article], thresholds: dict[str, float | None]
) -> list[tuple[int, int, int]]:
    """Each gold article's (tp, fp, fn) under these thresholds (the decider is left as it was)."""
    before = decider.thresholds
    decider.thresholds = {**before, **thresholds}
    try:
        return [
            (d["tp"], d["fp"], d["fn"])
            for a in articles
            if a.gold is not None
            for d in score([a.gold], [e.to_dict() for e in model_events(decider, a.proposals)])["documents"]
        ]
    finally:
        decider.thresholds = before


def _f1(counts: list[tuple[int, int, int]]) -> float:
    tp, fp, fn = (sum(c) for c in zip(*counts, strict=True)) if counts else (0, 0, 0)
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def calibrate(
    decider: Decider, articles: list[Article], seed: int = SEED, risk: float = CALIBRATION_RISK
) -> dict[str, Any]:
    """The keep and add thresholds under which ``decider`` (a model that never saw these
    articles) codes a desk's reviewed articles best. Rejections the rules keep making raise
    ``keep``; events the analysts had to add that the model proposes lower ``add``.

    The decider's own thresholds stand unless others code the desk's articles better *and* are
    worse in at most ``risk`` (``CALIBRATION_RISK``) of ``CALIBRATION_RESAMPLES`` resamples of the articles
    (drawn with replacement, seeded): one lucky article does not move the operating point.
    Returns the chosen thresholds, the F1 over the articles before and after, and that risk."""
    import random

    current = {k: decider.thresholds.get(k) for k in CALIBRATION_GRID}
    base = coded_counts(decider, articles, current)
    n = len(base)
    rng = random.Random(seed)
    draws = [[rng.randrange(n) for _ in range(n)] for _ in range(CALIBRATION_RESAMPLES if n else 0)]
    best, best_f1, taken = current, _f1(base), 0.0
    for keep in CALIBRATION_GRID["keep"]:
        for add in CALIBRATION_GRID["add"]:
            counts = coded_counts(decider, articles, {"keep": keep, "add": add})
            f1 = _f1(counts)
            if f1 <= best_f1:
                continue
            worse = sum(_f1([counts[i] for i in d]) < _f1([base[i] for i in d]) for d in draws)
            if worse <= risk * len(draws):
                best, best_f1, taken = {"keep": keep, "add": add}, f1, worse / len(draws)
    return {
        "thresholds": best,
        "f1_before": round(_f1(base), 3),
        "f1_after": round(best_f1, 3),
        "risk": round(taken, 3),
        "articles": len(articles),
    }


def held_apart(articles: list[Article], held: list[Article]) -> list[Article]:
    """``articles`` less any that shares a story with ``held`` (a copy of a held-out article
    must not train the model that judges it)."""
    story = stories(articles + held)
    away = {story[a.doc_id] for a in held}
    return [a for a in articles if story[a.doc_id] not in away]


# -- rules alone, from the same proposals ---------------------------------------------------------
# -- evaluation -----------------------------------------------------------------------------------
def region_scores(articles: list[Article], events: dict[str, list[Event]]) -> dict[str, dict]:
    """Scores over all articles and by region (Syria / elsewhere; articles without required
    events count with both their false events under "none")."""
    out = {}
    for name, keep in (
        ("all", lambda a: True),
        ("Syria", lambda a: a.region == "Syria"),
        ("elsewhere", lambda a: a.region == "elsewhere"),
        ("none", lambda a: a.region == "none"),
    ):
        arts = [a for a in articles if keep(a)]
        if arts:
            out[name] = score(
                [a.gold for a in arts], [e.to_dict() for a in arts for e in events.get(a.doc_id, [])]
            )
    return out


def compare(articles: list[Article], decider: Decider) -> dict[str, Any]:
    """Rules alone and rules with the model on the same proposals, over all articles and by region."""
    return {
        "rules": region_scores(articles, {a.doc_id: rule_events(a.proposals) for a in articles}),
        "model": region_scores(articles, {a.doc_id: model_events(decider, a.proposals) for a in articles}),
    }


def stories(articles: list[Article]) -> dict[str, str]:
    """Article id -> story: articles whose gold shares an event id (one bombing told by two
    papers, a story followed over days) are one story, so that no copy of a held-out article's
    wording is left in training."""
    parent = {a.doc_id: a.doc_id for a in articles}

    def root(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    seen: dict[str, str] = {}
    for a in articles:
        for e in [*(a.gold or {}).get("events", []), *(a.gold or {}).get("historical", [])]:
            first = seen.setdefault(e["id"], a.doc_id)
            parent[root(a.doc_id)] = root(first)
    return {a.doc_id: root(a.doc_id) for a in articles}


def held_out_events(
    articles: list[Article], negatives: list[Article], seed: int = SEED, folds: int | None = None
) -> dict[str, list[Event]]:
    """The rules + model events of each gold article, coded by a model trained on the other
    stories (or, with ``folds``, on the other folds of stories) and the negatives, at the
    operating point of $MARSAD_EVENTS_PROFILE (``PROFILES``) as a run would code them."""
    profile = PROFILES[active_profile()]
    story = stories(articles)
    order = sorted(set(story.values()))
    k = folds or len(order)
    fold = {s: i % k for i, s in enumerate(order)}
    out = {}
    for f in range(k):
        held = [a for a in articles if fold[story[a.doc_id]] == f]
        decider = fit([a for a in articles if fold[story[a.doc_id]] != f] + negatives, seed)
        decider.thresholds.update(profile)
        for art in held:
            out[art.doc_id] = model_events(decider, art.proposals)
    return out


def cross_validate(
    articles: list[Article], negatives: list[Article], seed: int = SEED, folds: int | None = None
) -> dict[str, Any]:
    """Leave one story out (or, with ``folds``, every ``folds``-th story out together): train on
    the other gold articles and the negatives, code the ones left out; rules alone on the same
    proposals for comparison."""
    return {
        "rules": region_scores(articles, {a.doc_id: rule_events(a.proposals) for a in articles}),
        "model": region_scores(articles, held_out_events(articles, negatives, seed, folds)),
    }


def format_comparison(result: dict[str, Any], title: str) -> str:
    """One line per decider and region: precision, recall, F1, counts, attribute accuracy."""
    attrs = ("actor1", "date", "status", "source", "fatalities")
    head = f"{'':<12}{'region':<10}{'P':>6}{'R':>7}{'F1':>7}{'tp':>5}{'fp':>5}{'fn':>5}" + "".join(
        f"{a:>{max(8, len(a) + 1)}}" for a in attrs
    )
    lines = [title, head]
    for name, label in (("rules", "rules"), ("model", "rules+model")):
        for region, r in result[name].items():
            acc = r["attribute_accuracy"]
            cells = "".join(
                f"{'-' if acc[a] is None else f'{acc[a]:.3f}':>{max(8, len(a) + 1)}}" for a in attrs
            )
            lines.append(
                f"{label:<12}{region:<10}{r['precision']:>6.3f}{r['recall']:>7.3f}{r['f1']:>7.3f}"
                f"{r['tp']:>5}{r['fp']:>5}{r['fn']:>5}{cells}"
            )
            label = ""
    return "\n".join(lines) + "\n"


def totals(result: dict[str, Any]) -> dict[str, Any]:
    """A comparison without per-document errors (for measure-only gold sets)."""
    return {
        name: {region: {k: v for k, v in r.items() if k != "documents"} for region, r in regions.items()}
        for name, regions in result.items()
    }


def digest(articles: list[Article], negatives: list[Article]) -> str:
    """What the model learnt from: the gold files' content and the negatives' ids."""
    h = hashlib.sha256()
    for a in sorted(articles, key=lambda a: a.doc_id):
        h.update(json.dumps(a.gold, sort_keys=True, ensure_ascii=False).encode("utf-8"))
    for a in sorted(negatives, key=lambda a: a.doc_id):
        h.update(a.doc_id.encode("utf-8"))
        if a.judged is not None:
            verdicts = sorted((start, [asdict(j) for j in js]) for start, js in a.judged.items())
            h.update(json.dumps(verdicts).encode("utf-8"))
    return h.hexdigest()[:16]


def save(decider: Decider, out: Path, meta: dict[str, Any]) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    raw = {
        "format": FORMAT,
        "thresholds": decider.thresholds,
        "trained": meta,
        **{
            name: {"bias": getattr(decider, name).bias, "weights": getattr(decider, name).weights}
            for name in MODELS
        },
    }
    tmp = out.with_suffix(".tmp")
    tmp.write_text(json.dumps(raw, ensure_ascii=False, indent=0, sort_keys=False) + "\n", encoding="utf-8")
    tmp.replace(out)
    clear_models()


def training_data(
    gold_dirs: list[Path],
    corpus: Path | None = None,
    exclude: list[Path] | None = None,
    limit: int | None = None,
    judged: Path | None = None,
) -> tuple[list[Article], list[Article]]:
    """The gold articles, proposed, and (with ``corpus``) its ordinary news as negatives and its
    articles with ``judged`` events, never an article any gold folder codes: neither the training
    gold nor the ``exclude`` folders (gold kept for measuring only)."""
    if judged is not None and corpus is None:
        raise ValueError("judged events are read from the corpus of negatives: give it too")
    pipeline = proposing_pipeline()
    articles = gold_articles(gold_dirs, pipeline)
    negatives = []
    if corpus is not None:
        labels = judged_labels(judged) if judged is not None else None
        ids = gold_ids([*gold_dirs, *(exclude or [])])
        negatives = negative_articles(corpus, ids, pipeline, limit, labels)
    return articles, negatives


# The judged articles are split in two halves this many ways (a salt in the hash of the id), and
# "with judged" pools its decisions over all of them: one split alone left the figure to a decision
# or two within a hair of its threshold (p .0496 against .05), which any change to what the models
# train on flips either way.
JUDGED_SPLITS = 5


def judged_check(
    articles: list[Article], others: list[Article], seed: int = SEED, splits: int = JUDGED_SPLITS
) -> dict[str, Any]:
    """How the model decides judged events it never trained on (:func:`judged_rows`): kept or
    dropped, right (1) or not (0), by decider; "with judged" counted over every split."""
    counts: dict[str, Counter] = {"rules": Counter(), "without judged": Counter(), "with judged": Counter()}
    for row in judged_rows(articles, others, seed, splits):
        counts[row.decider][(row.kept, row.label)] += 1
    return {name: judged_rates(c) for name, c in counts.items()}


@dataclass(frozen=True)
class JudgedRow:
    """One judged event as one decider treats it. ``p``: the keep model's probability of the
    rules' event (None for "rules", which keeps every current one); ``split``: which of the
    ways to halve the judged articles decided it (0 for the deciders that do not train on them)."""

    decider: str
    doc_id: str
    start: int
    label: int
    kept: bool
    p: float | None
    split: int = 0


def _half(doc_id: str, split: int) -> int:
    """Which half of the judged articles ``doc_id`` falls in, in the ``split``-th way of halving
    them (the first is the hash of the id alone, as before there were several)."""
    if split == 0:
        return zlib.crc32(doc_id.encode("utf-8")) % 2
    # not a CRC of a salted id: a CRC is linear, so a salt flips every id's half or none
    return hashlib.blake2b(f"{split}:{doc_id}".encode(), digest_size=8).digest()[0] % 2


def judged_rows(
    articles: list[Article], others: list[Article], seed: int = SEED, splits: int = JUDGED_SPLITS
) -> Iterator[JudgedRow]:
    """Each judged event of ``others`` as "rules", "without judged" and "with judged" decide it.
    The judged articles fall in two halves by a hash of their id, ``splits`` ways; in each, each
    half is decided by a model trained on the gold, the negatives and the other half. "without
    judged" (a model trained without any judged event) and "rules" (which keeps all) do not depend
    on the split and are counted once. Only the rules' events a reader judged count, before
    duplicates merge (a merged duplicate is not a dropped event)."""
    judged = [a for a in others if a.judged is not None]
    plain = [a for a in others if a.judged is None]
    base = fit(articles + plain, seed)
    for split in range(splits):
        half = {a.doc_id: _half(a.doc_id, split) for a in judged}
        for h in (0, 1):
            model = fit(articles + plain + [a for a in judged if half[a.doc_id] != h], seed)
            for art in (a for a in judged if half[a.doc_id] == h):
                assert art.judged is not None
                current = _current(art.proposals) if split == 0 else set()  # read by "rules" alone
                deciders = (
                    (("without judged", base), ("with judged", model))
                    if split == 0
                    else (("with judged", model),)
                )
                for name, decider in deciders:
                    p = keep_probabilities(decider, art.proposals)
                    for start, label, kept in judged_decisions(decider, art.proposals, art.judged):
                        if kept is not None and label is not None:
                            yield JudgedRow(name, art.doc_id, start, label, kept, p.get(start), split)
                            if name == "with judged" and split == 0:
                                yield JudgedRow("rules", art.doc_id, start, label, start in current, None)


def keep_probabilities(decider: Decider, proposals: list[Proposal]) -> dict[int, float]:
    """The keep model's probability of each of the rules' events, by its trigger's start."""
    if decider.keep is None:
        return {}
    return {
        p.verdict.main.start: sigmoid(decider.keep.score(keep_features(p, fam)))
        for p in proposals
        for fam in p.families
        if fam.found is p.verdict.main
    }


def judged_decisions(
    decider: Decider, proposals: list[Proposal], labels: dict[int, list[Judgement]]
) -> Iterator[tuple[int, int | None, bool | None]]:
    """Each judged event of an article: its trigger's start, its label as the rules code it now
    (None: no verdict applies to that coding, see :class:`Judgement`), and whether ``decider``
    keeps it as a current event (None: the rules no longer code it; an event they now date as
    background is coded but not kept, as an analyst's table of current events leaves it out)."""
    coded = {
        p.verdict.main.start: p.verdict for p in proposals if p.verdict.drop is None and p.verdict.places
    }
    kept = {
        ev.arguments["trigger"][0] for ev in decider.decide(None, proposals) if not ev.historical
    } & _current(proposals)
    for start, judgements in sorted(labels.items()):
        v = coded.get(start)
        if v is None:
            yield start, None, None
        else:
            yield start, judged_verdict(judgements, v.sub_type, v.places), start in kept


def _current(proposals: list[Proposal]) -> set[int]:
    """The trigger starts of the rules' events that are news, not background (dated so, or a
    well-known past event told again at each of its places)."""
    return {
        v.main.start
        for v in (p.verdict for p in proposals)
        if not v.historical
        and not (v.places and all(known_background(v, v.sub_type, place) for place in v.places))
    }


def judged_rates(c: Counter) -> dict[str, Any]:
    """Judged events kept and dropped, right (1) or not (0), counted as ``(kept, label)``."""
    kept_right, kept_wrong, right = c[(True, 1)], c[(True, 0)], c[(True, 1)] + c[(False, 1)]
    return {
        "kept right": kept_right,
        "kept wrong": kept_wrong,
        "dropped right": c[(False, 1)],
        "dropped wrong": c[(False, 0)],
        "precision": round(kept_right / max(kept_right + kept_wrong, 1), 3),
        "recall": round(kept_right / max(right, 1), 3),
    }


def format_judged(check: dict[str, Any]) -> str:
    lines = [
        "judged events of ordinary news, each half decided by a model that never saw it"
        f" (with judged: over {JUDGED_SPLITS} ways of halving them)"
    ]
    lines.append(
        f"{'':<16}{'kept right':>11}{'kept wrong':>11}{'dropped right':>14}{'dropped wrong':>14}{'P':>7}{'R':>7}"
    )
    for name, r in check.items():
        lines.append(
            f"{name:<16}{r['kept right']:>11}{r['kept wrong']:>11}{r['dropped right']:>14}"
            f"{r['dropped wrong']:>14}{r['precision']:>7.3f}{r['recall']:>7.3f}"
        )
    return "\n".join(lines) + "\n"


def train(
    gold_dirs: list[Path],
    out: Path,
    corpus: Path | None = None,
    exclude: list[Path] | None = None,
    seed: int = SEED,
    command: str = "",
    thresholds: dict[str, float | None] | None = None,
    calibrate_dirs: list[Path] | None = None,
    judged: Path | None = None,
) -> dict[str, Any]:
    """Train on gold folders (and ordinary news of ``corpus``) and write the model to ``out``.

    ``calibrate_dirs``: a desk's own reviewed gold (``marsad gold export``). It trains with the
    rest, and first chooses the keep and add thresholds (:func:`calibrate`) for a model trained
    without it (nor any article of its stories), so the desk's corrections move what the coder
    keeps and adds, not only the weights."""
    articles, negatives = training_data([*gold_dirs, *(calibrate_dirs or [])], corpus, exclude, judged=judged)
    calibration = None
    if calibrate_dirs:
        desk_ids = {g["doc_id"] for d in calibrate_dirs for g in load_golds(d)}
        desk = [a for a in articles if a.doc_id in desk_ids]
        base = fit(held_apart([a for a in articles if a.doc_id not in desk_ids], desk) + negatives, seed)
        calibration = calibrate(base, desk)
    decider = fit(articles + negatives, seed)
    decider.thresholds.update(thresholds or {})
    if calibration is not None:
        decider.thresholds.update(calibration["thresholds"])
    meta = {
        "command": command,
        "seed": seed,
        "data_digest": digest(articles, negatives),
        "gold_articles": len(articles),
        "negative_articles": sum(a.judged is None for a in negatives),
        **(
            {"judged_events": sum(len(a.judged) for a in negatives if a.judged is not None)}
            if judged is not None
            else {}
        ),
        "features": {name: len(getattr(decider, name).weights) for name in MODELS},
        "c": C,
    }
    if calibration is not None:
        meta["calibrated_on"] = calibration
    save(decider, out, meta)
    return meta
