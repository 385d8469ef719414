"""Whether a gazetteer match is a place: context decides, not a stoplist.

Every gazetteer match in a text is a candidate. A multinomial logistic regression reads its
context and calls it a ``place``, a ``common`` word (سلمية "peaceful", الرمادي "grey"), a
``person`` (البغدادي), an ``org`` (فجر ليبيا، لواء شهداء اليرموك) or a ``government`` (أعلنت
أنقرة). Its features are general: the word before and after, the head noun or preposition, a
trigger word, a violence word in the clause, a country of the candidates named in the sentence,
the name seen elsewhere in the article after a head noun, population and source of the
candidates, an actor or source name around it, and stoplist membership (a feature, not a wall).

The model is trained (``marsad train places``, :mod:`marsad.entities.place_training`) on ANERcorp's train split, where LOC/ORG/PERS/O
tell what each gazetteer match is, and on examples made from the 31k-article corpus, where a
head noun, an actor name, a person title or a verb of speech around a match says what it is.
It is stored as plain JSON weights (no scikit-learn at run time) with its training command, seed
and data digests in ``place_model.meta.json`` beside it; a process reads the weights back from the
cache (:mod:`marsad.cache`), 0.015 s where decoding the JSON took 0.05 s.
"""

from __future__ import annotations

import itertools
import json
import math
from array import array
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache, partial
from itertools import compress
from pathlib import Path
from typing import NamedTuple

from marsad import cache as disk_cache
from marsad.entities import gazetteer

CLASSES = ("place", "common", "person", "org", "government")
CACHE_VERSION = 2  # of the weights as cached: the classes, the bias, the feature names, one array
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
    from marsad import datafile
    from marsad.entities.actors import spellings
    from marsad.entities.ner import DATA as NER_DATA
    from marsad.entities.ner import NerWords
    from marsad.entities.place_words import place_words

    raw = place_words()
    ner = datafile.load(NER_DATA / "lexicon.yaml", NerWords)
    return Words(
        violence=spellings(raw.violence_words),
        org_heads=spellings(raw.org_heads + ner.org_triggers),
        person_titles=spellings(ner.person_triggers),
        prepositions=spellings(raw.country_before),
    )


def _bucket(population: int) -> str:
    if population >= 1_000_000:
        return "1m"
    if population >= 100_000:
        return "100k"
    if population >= 5_000:
        return "5k"
    return "0" if population == 0 else "small"


def name_features(
    key: str, places: list[gazetteer.Place], strong: bool, stop: bool, variant: bool
) -> tuple[str, ...]:
    """The features a name carries wherever it stands (cached per name by the geocoder).

    The name itself is one: frequent words (بيان، الفندق) carry what they usually are; rare names
    carry nothing there and their context decides."""
    n = key.count(" ") + 1
    out = ["bias", f"name={key}", f"nw={min(n, 3)}", f"len={min(len(key), 8)}"]
    for flag, name in (
        (strong, "strong"),
        (stop, "stop"),
        (variant, "variant"),
        (key.startswith("ال"), "al"),
    ):
        if flag:
            out.append(name)
    pop = max((p.population for p in places), default=0)
    out.append(f"pop={_bucket(pop)}")
    kinds = {p.type for p in places}
    if kinds <= {"country"}:
        out.append("country")
    elif kinds <= {"country", "admin1"}:
        out.append("admin1")
    if any(p.curated for p in places):
        out.append("ours")
    if any(p.country_code in REGION for p in places):
        out.append("region")
    return tuple(out)


# Context flags that cost the geocoder a look beyond the name's neighbours (the sentence's
# countries, the clause's violence, the article's head nouns and actor names, a qualifier): read
# only when the other features leave the decision open (PlaceModel.beaten).
LAZY_FLAGS = ("qual", "cty_named", "headed", "violent", "in_alias")


def flag_features(
    *, qualifier: bool, country_named: bool, headed: bool, violent: bool, in_alias: bool
) -> list[str]:
    """The :data:`LAZY_FLAGS` that hold."""
    return list(compress(LAZY_FLAGS, (qualifier, country_named, headed, violent, in_alias)))


class Context(NamedTuple):
    """A candidate's context as the features read it but its :data:`LAZY_FLAGS` (``prev``: the two
    words before, nearest first; ``p1_definite``: the word before carries the article)."""

    key: str
    plen: int
    prefix: str
    stop: bool
    trigger: str | None
    weak_trigger: bool
    in_list: bool
    prev: list[str]
    nxt: list[str]
    gov_cue: bool
    p1_definite: bool


# A Context built from a tuple in C, without the Python-level ``__new__`` of a NamedTuple: the
# places stage makes one for each of an article's twenty candidates the model scores.
context = partial(tuple.__new__, Context)


def context_keys(c: Context) -> list[tuple[str, str | None]]:
    """The features of a candidate's context but its :data:`LAZY_FLAGS`, as (family, word) pairs
    (``("p1", "قرب")`` is "p1=قرب"; a feature that names no word has None), in the order their
    rows are summed: :func:`context_features` writes them, :meth:`PlaceModel.context_scores`
    finds their rows without a string built for each."""
    key, plen, prefix, stop, trigger, weak_trigger, in_list, prev, nxt, gov_cue, p1_definite = c
    w = words()
    out: list[tuple[str, str | None]] = [("trig", trigger or "-")]
    if weak_trigger:
        out.append(("weaktrig", None))
    if trigger is None and not in_list:
        out.append(("bare", None))
        if stop:
            out.append(("stop&bare", None))
    if in_list:
        out.append(("list", None))
    if gov_cue:
        out.append(("gov_cue", None))
    if prefix:
        out.append(("clitic", prefix[-1]))
    if prev:  # none, one or two words: no string made for each
        p1 = prev[0]
        out.append(("p1", p1))
        if len(prev) > 1:
            out.append(("p2", prev[1]))
        if p1 in w.org_heads:
            out.append(("p1_org", None))
        if p1 in w.person_titles:
            out.append(("p1_title", None))
        if p1 in w.prepositions:
            out.append(("p1_prep", None))
        if p1_definite and not plen and key.startswith("ال") and key.endswith(("ي", "يه")):
            out.append(("nisba", None))  # "وحدات حماية الشعب الكردي": an adjective agreeing with its noun
    if nxt:
        out.append(("n1", nxt[0]))
        if nxt[0] in ("بن", "ابن"):
            out.append(("n1_son", None))
    return out


def context_features(c: Context) -> list[str]:
    """The features of a candidate's context but its :data:`LAZY_FLAGS`, as strings."""
    return [family if word is None else f"{family}={word}" for family, word in context_keys(c)]


class PlaceModel:
    """Multinomial logistic regression weights: ``feature -> one weight per class``."""

    def __init__(self, classes: tuple[str, ...], bias: list[float], weights: dict[str, Sequence[float]]):
        self.classes = classes
        self.bias = bias
        # rows as tuples: a candidate's score reads a dozen rows out of 25,000, and a tuple holds
        # its items in the object itself, one memory fetch fewer than a list's separate array
        self.weights = {f: tuple(row) for f, row in weights.items()}
        # the rows by family and word ("p1=قرب" as ("p1", "قرب"), "bare" as ("bare", None)): a
        # candidate's context finds them without a string built and hashed for each, all its
        # rows in one map in C
        self._by_key: dict[tuple[str, str | None], tuple[float, ...]] = {}
        for f, row in self.weights.items():
            family, eq, word = f.partition("=")
            self._by_key[(family, word if eq else None)] = row
        # per class that takes a name (place, government): every other class with the most the
        # lazy flags can move the two apart in the taker's favour
        zero = [0.0] * len(classes)
        rows = [weights.get(f, zero) for f in LAZY_FLAGS]
        self._slack = tuple(
            (t, tuple((c, sum(min(0.0, r[c] - r[t]) for r in rows)) for c in range(len(classes)) if c != t))
            for t in (classes.index(c) for c in ("place", "government") if c in classes)
        )

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> PlaceModel:
        """The weights in ``path``, kept in the cache under a digest of its content."""
        classes, bias, weights = disk_cache.cached(
            "place_model",
            disk_cache.digest(CACHE_VERSION, [path]),
            lambda: _parsed(path),
            encode=_columns,
            decode=_from_columns,
        )
        return cls(classes, bias, weights)

    def scores(self, feats: Iterable[str], base: Sequence[float] | None = None) -> list[float]:
        """Class scores: ``base`` (the bias, or a name's :meth:`partial`) plus each feature's weights."""
        rows = filter(None, map(self.weights.get, feats))  # a feature never trained on has no row
        # one column per class, summed left to right from the base in C
        return list(map(sum, zip(self.bias if base is None else base, *rows, strict=True)))

    def context_scores(self, base: Sequence[float], c: Context, rules: bool) -> list[float]:
        """``scores([*context_features(c), "rules" if rules else "no_rules"], base)``: the same
        rows added in the same order, so the same floats, each found by its family and word."""
        keys = context_keys(c)
        keys.append(("rules" if rules else "no_rules", None))
        return list(map(sum, zip(base, *filter(None, map(self._by_key.get, keys)), strict=True)))

    def beaten(self, scores: Sequence[float]) -> bool:
        """Whether ``scores`` (every feature but the :data:`LAZY_FLAGS`) leave neither "place"
        nor "government" a chance whichever flags hold: the flags need not be read.

        Plain loops: asked for every candidate, where nested generator expressions cost more
        than the handful of comparisons they make."""
        for t, others in self._slack:
            taker = scores[t]
            for c, slack in others:
                if scores[c] - taker + slack > 0:
                    break  # c beats t whatever the flags say
            else:
                return False  # t may still win
        return True

    def partial(self, feats: Iterable[str]) -> tuple[float, ...]:
        """The scores of the features a name carries wherever it stands: summed once per name."""
        return tuple(self.scores(feats))

    def proba(self, feats: Iterable[str], base: Sequence[float] | None = None) -> dict[str, float]:
        scores = self.scores(feats, base)
        top = max(scores)
        exp = [math.exp(s - top) for s in scores]
        total = sum(exp)
        return {c: e / total for c, e in zip(self.classes, exp, strict=True)}

    def decide(self, feats: Iterable[str], base: Sequence[float] | None = None) -> tuple[str, float]:
        """The likeliest class and its probability."""
        scores = self.scores(feats, base)
        return self.likeliest(scores), self.probability(scores)

    def likeliest(self, scores: Sequence[float]) -> str:
        """The class of the highest score: :meth:`decide` without the probability, which the
        geocoder asks only of the few places the rules left (the exponentials cost more)."""
        return self.classes[scores.index(max(scores))]

    @staticmethod
    def probability(scores: Sequence[float]) -> float:
        """The probability of the likeliest class."""
        top = max(scores)
        return 1.0 / sum(math.exp(s - top) for s in scores)


Weights = tuple[tuple[str, ...], list[float], dict[str, Sequence[float]]]


def _parsed(path: Path) -> Weights:
    """The model file's classes, bias and rows; a row of another length than the classes is an
    error naming the file (scoring would fail on it mid-run)."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    classes = tuple(raw["classes"])
    for feature, row in raw["weights"].items():
        if len(row) != len(classes):
            raise ValueError(f"{path}: feature {feature!r} has {len(row)} weights for {len(classes)} classes")
        if "\n" in feature:  # the cache joins the names with it
            raise ValueError(f"{path}: feature {feature!r} holds a line break")
    return classes, raw["bias"], raw["weights"]


def _columns(weights: Weights) -> tuple:
    """What the cache keeps: the 25,000 feature names as one string and their weights as one
    array, read back at C speed (unmarshalled as a dict of lists, 125,000 floats made one by
    one took half the model's load)."""
    classes, bias, rows = weights
    flat = array("d", itertools.chain.from_iterable(rows.values()))
    return list(classes), list(bias), "\n".join(rows), flat.tobytes()


def _from_columns(payload: object) -> Weights:
    classes, bias, names, raw = payload  # type: ignore[misc]
    features = names.split("\n") if names else []
    flat = array("d")
    flat.frombytes(raw)
    if len(flat) != len(features) * len(classes):
        raise ValueError("the place model's weights do not fill its rows")
    rows = zip(*[iter(flat)] * len(classes), strict=True)  # runs of one weight per class, as tuples
    return tuple(classes), bias, dict(zip(features, rows, strict=True))


@cache
def model() -> PlaceModel | None:
    """The shipped model, or None when it has not been trained (the rules decide alone)."""
    return PlaceModel.load() if MODEL_PATH.exists() else None


# A training pass decides each candidate with a labeller: (start, end, features) -> label or None.
Example = tuple[list[str], str]
Labeller = Callable[[int, int, list[str]], str | None]
