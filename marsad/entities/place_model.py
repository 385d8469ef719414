"""Whether a gazetteer match is a place: context decides, not a stoplist.

Every gazetteer match in a text is a candidate. A multinomial logistic regression reads its
context and calls it a ``place``, a ``common`` word (سلمية "peaceful", الرمادي "grey"), a
``person`` (البغدادي), an ``org`` (فجر ليبيا، لواء شهداء اليرموك) or a ``government`` (أعلنت
أنقرة). Its features are general: the word before and after, the head noun or preposition, a
trigger word, a violence word in the clause, a country of the candidates named in the sentence,
the name seen elsewhere in the article after a head noun, population and source of the
candidates, an actor or source name around it, and stoplist membership (a feature, not a wall).

The model is trained (``marsad train places``) on ANERcorp's train split, where LOC/ORG/PERS/O
tell what each gazetteer match is, and on examples made from the 31k-article corpus, where a
head noun, an actor name, a person title or a verb of speech around a match says what it is.
It is stored as plain JSON weights (loaded in milliseconds, no scikit-learn at run time) with its
training command, seed and data digests in ``place_model.meta.json`` beside it.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import math
import random
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from marsad.entities import gazetteer

CLASSES = ("place", "common", "person", "org", "government")
MODEL_PATH = gazetteer.DATA_DIR / "place_model.json"
META_PATH = gazetteer.DATA_DIR / "place_model.meta.json"
# Countries a conflict desk reads about: a candidate there is a likelier place than one abroad.
# Head nouns that make the next word a settlement or division ("مدينة X"); others ("مديرية أمن",
# "منطقة الحدود", "قاعدة بيانات") also head names that are not places.
SETTLEMENT_HEADS = frozenset(
    {"city", "town", "village", "neighbourhood", "camp", "countryside", "admin1", "subdistrict"}
)
REGION = frozenset({"SY", "IQ", "YE", "LY", "EG", "LB", "PS", "JO", "TR", "SA", "AF", "SO", "SD", "IL"})


@dataclass
class Article:
    """What the whole text says about a name, read once per document on first need."""

    headed: set[str] = field(default_factory=set)  # names seen right after a place head noun
    violent: list[int] = field(default_factory=list)  # offsets of violence words
    breaks: list[int] = field(default_factory=list)  # offsets of clause breaks


@dataclass(frozen=True)
class Words:
    """The word lists behind the features, folded like the text."""

    violence: frozenset[str]
    org_heads: frozenset[str]
    person_titles: frozenset[str]
    prepositions: frozenset[str]


@cache
def words() -> Words:
    from marsad.entities.actors import expand
    from marsad.entities.ner import DATA as NER_DATA
    from marsad.text.normalize import normalize_key

    raw = yaml.safe_load((gazetteer.DATA_DIR / "geocode.yaml").read_text(encoding="utf-8"))
    ner = yaml.safe_load((NER_DATA / "lexicon.yaml").read_text(encoding="utf-8"))

    def fold(items: Iterable[str]) -> frozenset[str]:
        return frozenset(normalize_key(w) for p in items for w in expand(p))

    return Words(
        violence=fold(raw["violence_words"]),
        org_heads=fold(list(raw["org_heads"]) + list(ner["org_triggers"])),
        person_titles=fold(ner["person_triggers"]),
        prepositions=fold(raw["country_before"]),
    )


def _bucket(population: int) -> str:
    if population >= 1_000_000:
        return "1m"
    if population >= 100_000:
        return "100k"
    if population >= 5_000:
        return "5k"
    return "0" if population == 0 else "small"


def features(
    *,
    key: str,
    n: int,
    plen: int,
    prefix: str,
    places: list[gazetteer.Place],
    strong: bool,
    stop: bool,
    variant: bool,
    trigger: str | None,
    weak_trigger: bool,
    in_list: bool,
    qualifier: bool,
    country_named: bool,
    prev: list[str],
    nxt: list[str],
    headed: bool,
    violent: bool,
    in_alias: bool,
    gov_cue: bool,
) -> list[str]:
    """The feature strings of one candidate (``prev``: the two words before, nearest first)."""
    w = words()
    out = ["bias", f"trig={trigger or '-'}", f"nw={min(n, 3)}", f"len={min(len(key), 8)}"]
    if weak_trigger:
        out.append("weaktrig")
    if trigger is None and not in_list:
        out.append("bare")
    for flag, name in (
        (strong, "strong"),
        (stop, "stop"),
        (variant, "variant"),
        (in_list, "list"),
        (qualifier, "qual"),
        (country_named, "cty_named"),
        (headed, "headed"),
        (violent, "violent"),
        (in_alias, "in_alias"),
        (gov_cue, "gov_cue"),
        (key.startswith("ال"), "al"),
    ):
        if flag:
            out.append(name)
    if stop and trigger is None and not in_list:
        out.append("stop&bare")
    if prefix:
        out.append(f"clitic={prefix[-1]}")
    pop = max((p.population for p in places), default=0)
    out.append(f"pop={_bucket(pop)}")
    kinds = {p.type for p in places}
    if kinds <= {"country"}:
        out.append("country")
    elif kinds <= {"country", "admin1"}:
        out.append("admin1")
    if any(p.source != "gn" for p in places):
        out.append("ours")
    if any(p.country_code in REGION for p in places):
        out.append("region")
    for k, word in enumerate(prev[:2]):
        out.append(f"p{k + 1}={word}")
    if prev:
        p1 = prev[0]
        if p1 in w.org_heads:
            out.append("p1_org")
        if p1 in w.person_titles:
            out.append("p1_title")
        if p1 in w.prepositions:
            out.append("p1_prep")
    if nxt:
        out.append(f"n1={nxt[0]}")
        if nxt[0] in ("بن", "ابن"):
            out.append("n1_son")
    return out


class PlaceModel:
    """Multinomial logistic regression weights: ``feature -> one weight per class``."""

    def __init__(self, classes: tuple[str, ...], bias: list[float], weights: dict[str, list[float]]):
        self.classes = classes
        self.bias = bias
        self.weights = weights

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> PlaceModel:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return cls(tuple(raw["classes"]), raw["bias"], raw["weights"])

    def proba(self, feats: Iterable[str]) -> dict[str, float]:
        scores = list(self.bias)
        for f in feats:
            w = self.weights.get(f)
            if w is not None:
                for c, v in enumerate(w):
                    scores[c] += v
        top = max(scores)
        exp = [math.exp(s - top) for s in scores]
        total = sum(exp)
        return {c: e / total for c, e in zip(self.classes, exp, strict=True)}

    def decide(self, feats: Iterable[str]) -> tuple[str, float]:
        """The likeliest class and its probability."""
        probs = self.proba(feats)
        best = max(probs, key=probs.__getitem__)
        return best, probs[best]


@cache
def model() -> PlaceModel | None:
    """The shipped model, or None when it has not been trained (the rules decide alone)."""
    return PlaceModel.load() if MODEL_PATH.exists() else None


# -- training ----------------------------------------------------------------------------------
Example = tuple[list[str], str]
# Decides a candidate during a training pass: (start, end, features) -> its label or None.
Labeller = Callable[[int, int, list[str]], str | None]


def anercorp_examples(path: Path) -> Iterator[Example]:
    """Every gazetteer match in ANERcorp, labelled by the entity it lies in (O and MISC: common)."""
    from marsad.entities.geocode import Geocoder
    from marsad.entities.ner import read_conll

    geo = Geocoder(use_model=False)
    kinds = {"LOC": "place", "ORG": "org", "PERS": "person"}
    for tokens, spans in read_conll(path):
        text = " ".join(tokens)
        starts, pos = [], 0
        for t in tokens:
            starts.append(pos)
            pos += len(t) + 1
        found: list[Example] = []

        def label(start: int, end: int, feats: list[str], found=found, starts=starts, spans=spans) -> str:
            first = max(k for k, s in enumerate(starts) if s <= start)
            last = max(k for k, s in enumerate(starts) if s < end)
            kind = next((kinds.get(t, "common") for s, e, t in spans if s <= first and last < e), "common")
            found.append((feats, kind))
            return kind

        geo.detect(text, labeller=label)
        yield from found


def corpus_examples(path: Path, skip: set[str], limit: int, seed: int) -> Iterator[Example]:
    """Matches in corpus articles whose surroundings say what they are.

    A place head noun before a name makes it a place (مدينة الطبقة); a name inside an actor or
    source name is an organisation (فجر ليبيا); a person title before or "بن" after makes a
    person; a capital beside a verb of speech is a government. Other matches are left out."""
    from marsad.document import Document
    from marsad.entities.geocode import Geocoder
    from marsad.pipeline import make

    geo = Geocoder(use_model=False)
    clean = make("clean")
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        records = [json.loads(line) for line in fh if line.strip()]
    records = [r for r in records if r.get("id") not in skip and _digest_text(r.get("text", "")) not in skip]
    random.Random(seed).shuffle(records)
    for rec in records[:limit]:
        text = clean(Document(id=rec.get("id", ""), text=rec.get("text") or "")).clean
        found: list[Example] = []

        def label(start: int, end: int, feats: list[str], found=found) -> str | None:
            kind = silver(feats)
            if kind is not None:
                found.append((feats, kind))
            return kind

        geo.detect(text, labeller=label)
        yield from found


def silver(feats: list[str]) -> str | None:
    """The label a corpus match's own surroundings give it, or None when they say nothing.

    A head noun, an actor name, a title or a verb of speech labels it; so do the rules where
    they are sure (a known town named bare; a stoplisted word with nothing that places it)."""
    have = set(feats)
    if "in_alias" in have:
        return "org"
    if "p1_title" in have or "n1_son" in have:
        return "person"
    if "gov_cue" in have:
        return "government"
    if have & {f"trig={t}" for t in SETTLEMENT_HEADS}:
        return "place"
    if "rules" in have and "strong" in have and "stop" not in have:
        return "place"  # a known town or city, named bare
    if "stop&bare" in have and not have & {"headed", "cty_named", "p1_prep", "violent", "qual"}:
        return "common"  # a name that is also a word, with nothing around it that places it
    return None


def _digest_text(text: str) -> str:
    return hashlib.sha1(text.strip()[:2000].encode()).hexdigest()


def held_out(shared: Path) -> set[str]:
    """Ids and text digests of the articles kept for measuring (test/, feed/, the place gold)."""
    out: set[str] = set()
    ids: dict[str, set[str]] = {}
    for name in ("test", "feed"):
        for f in sorted((shared / "eval" / name).glob("*.gold.json")):
            g = json.loads(f.read_text(encoding="utf-8"))
            corpus, _, doc_id = g["file"].partition("#")
            ids.setdefault(corpus, set()).add(doc_id or g["doc_id"])
            out.add(g["doc_id"])
    places = shared / "eval" / "places" / "places.jsonl"
    if places.exists():
        for line in places.read_text(encoding="utf-8").splitlines():
            if line.strip():
                out.add(json.loads(line)["doc_id"])
    for corpus, wanted in ids.items():
        path = shared / corpus
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8") as fh:
            for line in fh:
                rec = json.loads(line)
                if rec.get("id") in wanted:
                    out.add(_digest_text(rec.get("text", "")))
    return out


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def fit(examples: list[Example], seed: int, c: float = 1.0, min_count: int = 2) -> PlaceModel:
    """A multinomial logistic regression over binary features seen ``min_count`` times or more."""
    import numpy as np
    from scipy.sparse import csr_matrix
    from sklearn.linear_model import LogisticRegression

    counts = Counter(f for feats, _ in examples for f in set(feats))
    vocab = {f: k for k, f in enumerate(sorted(f for f, n in counts.items() if n >= min_count))}
    rows, cols = [], []
    for r, (feats, _) in enumerate(examples):
        for f in set(feats):
            if f in vocab:
                rows.append(r)
                cols.append(vocab[f])
    x = csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(examples), len(vocab)))
    classes = [c for c in CLASSES if any(lab == c for _, lab in examples)]
    y = np.array([classes.index(lab) for _, lab in examples])
    lr = LogisticRegression(C=c, max_iter=2000, random_state=seed)
    lr.fit(x, y)
    coef = lr.coef_ if len(classes) > 2 else np.vstack([-lr.coef_[0] / 2, lr.coef_[0] / 2])
    bias = lr.intercept_ if len(classes) > 2 else np.array([-lr.intercept_[0] / 2, lr.intercept_[0] / 2])
    weights = {
        f: [round(float(v), 4) for v in coef[:, k]]
        for f, k in vocab.items()
        if float(np.abs(coef[:, k]).max()) >= 1e-3
    }
    return PlaceModel(tuple(classes), [round(float(b), 4) for b in bias], weights)


def accuracy(model_: PlaceModel, examples: list[Example]) -> dict[str, Any]:
    """Place-or-not precision and recall, and overall class accuracy, on labelled examples."""
    tp = fp = fn = right = 0
    for feats, lab in examples:
        got, _ = model_.decide(feats)
        right += got == lab
        tp += got == "place" and lab == "place"
        fp += got == "place" and lab != "place"
        fn += got != "place" and lab == "place"
    return {
        "examples": len(examples),
        "accuracy": round(right / len(examples), 4) if examples else None,
        "place_precision": round(tp / (tp + fp), 4) if tp + fp else None,
        "place_recall": round(tp / (tp + fn), 4) if tp + fn else None,
    }


def train(
    anercorp: Path,
    corpus: Path,
    shared: Path,
    out: Path = MODEL_PATH,
    seed: int = 13,
    corpus_limit: int = 6000,
    folds: int = 5,
) -> dict[str, Any]:
    """Train on ANERcorp and corpus examples, report k-fold figures, write the model and its meta."""
    t0 = time.perf_counter()
    skip = held_out(shared)
    ane = list(anercorp_examples(anercorp))
    cor = list(corpus_examples(corpus, skip, corpus_limit, seed))
    examples = ane + cor
    random.Random(seed).shuffle(examples)
    cv = []
    for k in range(folds):
        test = [e for i, e in enumerate(examples) if i % folds == k]
        cv.append(accuracy(fit([e for i, e in enumerate(examples) if i % folds != k], seed), test))
    final = fit(examples, seed)
    out.write_text(
        json.dumps(
            {"classes": list(final.classes), "bias": final.bias, "weights": final.weights},
            ensure_ascii=False,
            separators=(",", ":"),
        ),
        encoding="utf-8",
    )
    meta = {
        "command": f"marsad train places --anercorp {anercorp} --corpus {corpus} --seed {seed}"
        f" --corpus-limit {corpus_limit}",
        "seed": seed,
        "anercorp": str(anercorp),
        "anercorp_sha256": sha256(anercorp),
        "corpus": str(corpus),
        "corpus_sha256": sha256(corpus),
        "held_out_articles": len(skip),
        "corpus_articles": corpus_limit,
        "examples": {"anercorp": Counter(lab for _, lab in ane), "corpus": Counter(lab for _, lab in cor)},
        "features": len(final.weights),
        f"cv_{folds}_fold": {
            k: round(sum(r[k] for r in cv) / folds, 4)
            for k in ("accuracy", "place_precision", "place_recall")
        },
        "seconds": round(time.perf_counter() - t0, 1),
    }
    Path(out).with_name(Path(out).stem + ".meta.json").write_text(
        json.dumps(meta, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    model.cache_clear()
    return meta
