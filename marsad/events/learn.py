"""The event model: rules propose (``events/candidates.py``), a model trained on gold decides.

Two logistic regressions over the proposals' feature strings:

- the event model: is this option (a trigger family, a sub-event type, a place) a current event
  the gold codes there? An option matches the gold as scoring does (``marsad.evaluate``): its
  type is one the gold accepts and its place lies within the gold radius. Options that only an
  optional gold event matches, and background ones, teach nothing and are left out.
- the actor model: which of a unit's groups (named, carried over, a spokesman's side, a
  default) is actor1 of an event it codes.

Ordinary news teaches what is not an event: besides the gold articles, the options of articles
from sports outlets and economy, culture and technology pages of a corpus are negatives. The
weights are a JSON map from feature to weight: scoring is a sum of lookups, the model loads in
milliseconds, and ``marsad train events`` writes it with the command, seed and a digest of the
data beside the weights.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import zlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from marsad.document import Document, Span
from marsad.evaluate import alias_hit, gold_documents, load_golds, place_matches, score
from marsad.events.candidates import Family, Proposal
from marsad.events.extract import EventExtractor, _local
from marsad.events.model import Event

MODEL_PATH = Path(__file__).with_name("data") / "model" / "events.json"
FORMAT = 1
SEED = 17
MIN_COUNT = 2  # a feature seen in fewer training options is dropped
# Ordinary news for negatives: sports outlets, and these sections of the others.
SPORTS_OUTLETS = frozenset({"arreyadi", "arriyadiyah"})
NEGATIVE_SECTIONS = frozenset({"sp", "sports", "ec", "economy", "finance", "cu", "culture", "technology"})
_SCAFFOLD = {"home", "article", "node", "new", "issues", "news", "a", "details"}


def section_of(url: str | None) -> str:
    """A section read off the address where the site puts one ("/Economy/...", "/news/pol/a/...",
    "/2015/20150809/sp35.htm"), else "-". The last path part names the article, not a section."""
    if not url:
        return "-"
    parts = [unquote(p) for p in urlsplit(url).path.split("/") if p]
    for part in parts[:-1]:
        low = part.lower()
        if low not in _SCAFFOLD and low.isascii() and low.isalpha():
            return part
    last = parts[-1].lower() if parts else ""
    head = last.rstrip("0123456789.htmls")
    if (
        head
        and head.isascii()
        and head.isalpha()
        and last.endswith((".htm", ".html"))
        and last[len(head)].isdigit()
    ):
        return head  # "sp35.htm" (al-Jazirah), "Con2015...htm" (Okaz)
    return "-"


def ordinary_news(doc: Document) -> bool:
    """An article of sport, economy or culture."""
    return doc.outlet in SPORTS_OUTLETS or section_of(doc.url).lower() in NEGATIVE_SECTIONS


def trains(doc_id: str) -> bool:
    """Half the ordinary news trains (its proposals are negatives), chosen by a hash of the id;
    the other half is left to measure what the coder invents in news it never saw."""
    return zlib.crc32(doc_id.encode("utf-8")) % 2 == 0


# -- the model ------------------------------------------------------------------------------------
@dataclass
class Linear:
    bias: float
    weights: dict[str, float]

    def score(self, feats: Iterable[str]) -> float:
        w = self.weights
        return self.bias + sum(w.get(f, 0.0) for f in feats)


def sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x)) if x > -60 else 0.0


# How sure the event model must be: to keep an event the rules code (in an article that names
# armed groups, and in one that names none: sport, markets, culture), to add the main trigger of
# a unit the rules drop, to add a second trigger family of a unit ("قصف ... وغارات"); None:
# never. Chosen by cross-validation over dev+train, one story left out at a time: adding what
# the rules drop gained nothing there (F1 0.621 either way), so the shipped model adds nothing;
# `marsad train events --add P` turns it on for a user whose gold says it pays.
THRESHOLDS: dict[str, float | None] = {"keep": 0.0, "keep_unarmed": 0.5, "add": None, "add_second": None}
# Where an added event may be placed: the unit's own words or the place "المدينة" points back to.
NEAR = frozenset({"own", "ahead", "back", "anaphor"})


@dataclass
class Decider:
    """Chooses among a document's proposals, in the order a coder would: does a trigger family
    of a unit report a current event (``event``), of which sub-event type (``type``), at which
    place (``place``), done by whom (``actor``).

    The rules' own event for a unit stands, with their type and places, unless the event model
    finds it unlikely (below ``keep``); what the rules drop becomes an event only when the model
    is sure of it (``add``; ``add_second`` for a second trigger family of a unit the rules code),
    and a weak trigger ("قتل") only in a unit with no other trigger."""

    event: Linear
    type: Linear
    place: Linear
    actor: Linear
    thresholds: dict[str, float | None] = field(default_factory=lambda: dict(THRESHOLDS))
    meta: dict[str, Any] = field(default_factory=dict)

    def decide(self, doc: Document | None, proposals: list[Proposal]) -> list[Event]:
        out: list[Event] = []
        for prop in proposals:
            v = prop.verdict
            chosen = [c for fam in prop.families for c in self.choose(prop, fam)]
            n_places = len({id(place) for _, _, place, _ in chosen})
            for fam, sub_type, place, p in chosen:
                actor1 = self.actor1(prop, sub_type, place) if prop.actors else v.actor1
                actor2 = v.actor2
                if actor1 is not None and actor2 is not None and _name(actor2) == _name(actor1):
                    actor2 = v.actor1 if v.actor1 is not None and not v.actor1.attrs.get("default") else None
                assoc1 = [a for a in v.assoc1 if actor1 is None or _name(a) != _name(actor1)]
                fatalities = v.fatalities if n_places == 1 else None
                ev = EventExtractor.event(v, place, sub_type, actor1, actor2, fatalities, assoc1)
                ev.confidence = round(p, 3)
                out.append(ev)
                if doc is not None:
                    doc.add(
                        fam.found.start, fam.found.end, "trigger", sub_event_type=sub_type, lemma=fam.name
                    )
        return out

    def probability(self, fam: Family) -> float:
        return sigmoid(self.event.score(fam.feats))

    def choose(self, prop: Proposal, fam: Family) -> list[tuple[Family, str, Span, float]]:
        """A family's events, if it reports one: at the rules' type and places when it is the
        event the rules code, else at the model's likeliest type and place (with the other
        places of its list: "قصفت بلدتي الفوعة وكفريا" is two events)."""
        v = prop.verdict
        if not prop.places:
            return []
        t = self.thresholds
        if v.drop is None and fam.found is v.main:
            p = self.probability(fam)
            keep = t["keep"] if "d_armed" in fam.feats else t["keep_unarmed"]
            return [(fam, v.sub_type, place, p) for place in v.places] if p >= keep else []
        need = t["add"] if fam.found is v.main else t["add_second"]
        if need is None or (
            fam.found.cancel == "weak" and any(f.found.cancel != "weak" for f in prop.families)
        ):
            return []
        p = self.probability(fam)
        if p < need:
            return []
        places = [pl for pl in prop.places if pl.where in NEAR]
        if not places:
            return []
        sub_type = max(fam.types, key=lambda st: self.type.score(st[1]))[0]
        scored = [(self.place.score(pl.with_event(fam.name, sub_type)), pl) for pl in places]
        _, top = max(scored, key=lambda sp: sp[0])
        return [
            (fam, sub_type, pl.span, p) for s, pl in scored if pl is top or (pl.run == top.run and s >= 0.0)
        ]

    def actor1(self, prop: Proposal, sub_type: str, place: Span) -> Span | None:
        country = place.attrs.get("country")
        best = max(
            prop.actors, key=lambda a: self.actor.score(a.feats + _actor_dynamic(a.span, sub_type, country))
        )
        return best.span


def _name(span: Span) -> str | None:
    return span.attrs.get("canonical")


def _actor_dynamic(a: Span, sub_type: str, country: str | None) -> list[str]:
    """Actor features that depend on the event: its type, and whether the group belongs where
    the event is ("Military Forces of Syria" in Yemen is a wrong reading)."""
    own = a.attrs.get("country")
    match = "none" if not own or not country else str(own == country)
    t = str(a.attrs.get("type"))
    return ["cm=" + match, "at|t|" + t + "|" + sub_type, "cm|" + match + "|" + t]


MODELS = ("event", "type", "place", "actor")


@lru_cache(maxsize=4)
def load_model(path: str | None = None) -> Decider | None:
    """The model at ``path``, else at $MARSAD_EVENTS_MODEL (a user's own, from ``marsad train
    events --out``), else the one the package ships; None when there is none."""
    path = path or os.environ.get("MARSAD_EVENTS_MODEL") or None
    p = Path(path) if path else MODEL_PATH
    if not p.exists():
        if path:
            raise FileNotFoundError(f"no event model at {p}")
        return None
    raw = json.loads(p.read_text(encoding="utf-8"))
    if raw.get("format") != FORMAT:
        raise ValueError(f"{p}: event model format {raw.get('format')!r}, this marsad reads {FORMAT}")
    linear = [Linear(raw[name]["bias"], raw[name]["weights"]) for name in MODELS]
    return Decider(*linear, thresholds=raw["thresholds"], meta=raw.get("trained", {}))


# -- training data --------------------------------------------------------------------------------
@dataclass
class Article:
    """One coded article: its gold (None for an ordinary-news negative) and its proposals."""

    doc_id: str
    gold: dict | None
    proposals: list[Proposal]
    region: str = "none"


def proposing_pipeline():
    from marsad.pipeline import Pipeline
    from marsad.runner import quiet_gc

    pipeline = Pipeline.from_names(None, {"events": {"model": "propose"}})
    quiet_gc()
    return pipeline


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
    corpus: Path, exclude: set[str], pipeline=None, limit: int | None = None
) -> list[Article]:
    """Ordinary news from a corpus (sport, economy, culture pages), never an excluded article."""
    from marsad.ingest.readers import read

    pipeline = pipeline or proposing_pipeline()
    out = []
    for doc in read([str(corpus)]):
        if doc.id in exclude or not trains(doc.id) or not ordinary_news(doc):
            continue
        doc = pipeline(doc)
        if doc.rejected:
            continue
        out.append(Article(doc.id, None, doc.meta.pop("event_proposals", [])))
        if limit and len(out) >= limit:
            break
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
    """Training rows ``(features, label, group)`` for each of the four models.

    A family is an event when one of its types at one of its places matches a required gold
    event as scoring matches them; one that matches only optional events teaches nothing. Type,
    place and actor rows come from the families that are events."""
    rows: dict[str, list] = {name: [] for name in MODELS}
    for art in articles:
        for n, prop in enumerate(art.proposals):
            if art.gold is not None and prop.verdict.historical:
                continue  # background: never scored, nothing to learn
            if not prop.places:
                continue  # nowhere to code it: never an event
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
                labels = [alias_hit(ge["actor1"], [_local(a.span, place.attrs)]) for a in prop.actors]
                if any(labels):
                    country = place.attrs.get("country")
                    for a, y in zip(prop.actors, labels, strict=True):
                        feats = a.feats + _actor_dynamic(a.span, sub_type, country)
                        rows["actor"].append((feats, int(y), group))
    return rows


def fit_linear(rows: list, c: float, seed: int = SEED) -> Linear:
    """A logistic regression on feature strings; features seen fewer than MIN_COUNT times are dropped."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    counts = Counter(f for feats, _, _ in rows for f in set(feats))
    keep = {f for f, n in counts.items() if n >= MIN_COUNT}
    y = [label for _, label, _ in rows]
    if len(set(y)) < 2:
        return Linear(-5.0 if not any(y) else 5.0, {})
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


C = {"event": 0.3, "type": 0.3, "place": 0.3, "actor": 0.3}


def fit(articles: list[Article], seed: int = SEED) -> Decider:
    rows = examples(articles)
    return Decider(*(fit_linear(rows[name], C[name], seed) for name in MODELS))


# -- rules alone, from the same proposals ---------------------------------------------------------
def rule_events(proposals: list[Proposal]) -> list[Event]:
    """The events the rules alone code, rebuilt from the proposals (same as ``model="rules"``)."""
    out = []
    for prop in proposals:
        v = prop.verdict
        if v.drop is not None:
            continue
        for place in v.places:
            fatalities = v.fatalities if len(v.places) == 1 else None
            out.append(EventExtractor.event(v, place, v.sub_type, v.actor1, v.actor2, fatalities))
    return EventExtractor._dedup(out)


def model_events(decider: Decider, proposals: list[Proposal]) -> list[Event]:
    return EventExtractor._dedup(decider.decide(None, proposals))


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


def cross_validate(
    articles: list[Article], negatives: list[Article], seed: int = SEED, folds: int | None = None
) -> dict[str, Any]:
    """Leave one story out (or, with ``folds``, every ``folds``-th story out together): train on
    the other gold articles and the negatives, code the ones left out; rules alone on the same
    proposals for comparison."""
    story = stories(articles)
    order = sorted(set(story.values()))
    k = folds or len(order)
    fold = {s: i % k for i, s in enumerate(order)}
    model_out = {}
    for f in range(k):
        held = [a for a in articles if fold[story[a.doc_id]] == f]
        decider = fit([a for a in articles if fold[story[a.doc_id]] != f] + negatives, seed)
        for art in held:
            model_out[art.doc_id] = model_events(decider, art.proposals)
    return {
        "rules": region_scores(articles, {a.doc_id: rule_events(a.proposals) for a in articles}),
        "model": region_scores(articles, model_out),
    }


def format_comparison(result: dict[str, Any], title: str) -> str:
    """One line per decider and region: precision, recall, F1, counts, attribute accuracy."""
    attrs = ("actor1", "date", "status", "source")
    head = f"{'':<12}{'region':<10}{'P':>6}{'R':>7}{'F1':>7}{'tp':>5}{'fp':>5}{'fn':>5}" + "".join(
        f"{a:>8}" for a in attrs
    )
    lines = [title, head]
    for name, label in (("rules", "rules"), ("model", "rules+model")):
        for region, r in result[name].items():
            acc = r["attribute_accuracy"]
            cells = "".join(f"{'-' if acc[a] is None else f'{acc[a]:.3f}':>8}" for a in attrs)
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
    load_model.cache_clear()


def training_data(
    gold_dirs: list[Path],
    corpus: Path | None = None,
    exclude: list[Path] | None = None,
    limit: int | None = None,
) -> tuple[list[Article], list[Article]]:
    """The gold articles, proposed, and (with ``corpus``) its ordinary news as negatives, never
    an article any gold folder codes: neither the training gold nor the ``exclude`` folders
    (gold kept for measuring only)."""
    pipeline = proposing_pipeline()
    articles = gold_articles(gold_dirs, pipeline)
    negatives = []
    if corpus is not None:
        negatives = negative_articles(corpus, gold_ids([*gold_dirs, *(exclude or [])]), pipeline, limit)
    return articles, negatives


def train(
    gold_dirs: list[Path],
    out: Path,
    corpus: Path | None = None,
    exclude: list[Path] | None = None,
    seed: int = SEED,
    command: str = "",
    thresholds: dict[str, float | None] | None = None,
) -> dict[str, Any]:
    """Train on gold folders (and ordinary news of ``corpus``) and write the model to ``out``."""
    articles, negatives = training_data(gold_dirs, corpus, exclude)
    decider = fit(articles + negatives, seed)
    decider.thresholds.update(thresholds or {})
    meta = {
        "command": command,
        "seed": seed,
        "data_digest": digest(articles, negatives),
        "gold_articles": len(articles),
        "negative_articles": len(negatives),
        "features": {name: len(getattr(decider, name).weights) for name in MODELS},
        "c": C,
    }
    save(decider, out, meta)
    return meta
