"""Tokens with offsets and the one clitic analysis every stage reads.

``وبحمص``، ``لحلب``، ``والرستن`` find حمص، حلب، الرستن. A word's analysis is a list of
*readings*, longest first: the word itself, then the word without its proclitics (و ف ب ل ك,
the article kept, "لل" read as "ل" + "ال"), without the article, without the future marker,
without an enclitic pronoun. Each reading says what was stripped (:data:`CLITIC`,
:data:`ARTICLE`, :data:`FUTURE`, :data:`PRONOUN`) so that a lexicon takes only the readings that
make sense for it: a place name keeps its article, a trigger verb may lose its pronoun.

The analysis of each distinct word is a :class:`Word`, kept in one bounded cache (:func:`word`)
together with what the matcher found for it (``marsad.text.match``): news vocabulary repeats
heavily across articles, and recomputing it per token would dominate the cost of the layer.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, NamedTuple

from marsad import datafile
from marsad.document import Document
from marsad.pipeline import component
from marsad.text.normalize import DIACRITICS, TATWEEL, key_set, normalize_key


class CliticRules(datafile.Strict):
    """tokens.yaml: the clitics stripped for dictionary lookups."""

    proclitics_with_article: list[str]
    proclitics: list[str]
    future: list[str]
    future_next_letters: list[str]
    min_stem: int
    min_stem_after_article: int
    enclitics: list[str]
    min_stem_before_enclitic: int
    whole_words: list[str]


_DATA = datafile.load(Path(__file__).with_name("tokens.yaml"), CliticRules, dump=True)


def _keys(words: list[str]) -> list[str]:
    return sorted(key_set(words), key=len, reverse=True)


_ARTICLE_PREFIXES = _keys(_DATA["proclitics_with_article"])
_PREFIXES = _keys(_DATA["proclitics"])
_FUTURE = _keys(_DATA["future"])
_FUTURE_NEXT = frozenset(normalize_key("".join(_DATA["future_next_letters"])))
_ENCLITICS = _keys(_DATA["enclitics"])
_WHOLE = key_set(_DATA["whole_words"])
_MIN_STEM = int(_DATA["min_stem"])
_MIN_STEM_ART = int(_DATA["min_stem_after_article"])
_MIN_STEM_ENC = int(_DATA["min_stem_before_enclitic"])
_MARKS = "\u064b-\u065f\u0670\u0640"
_MARK_SET = frozenset(DIACRITICS + TATWEEL)
# Words and numbers ("3.5", "35,000" stay whole); punctuation is not a token (sentences and
# clauses carry it), which also keeps the token list, the costliest part of the layer, short.
# Digits never glue to letters: a missing space ("كركوك250", "مايو2014") hides a place or a month.
# A word is a run of letters and marks. The Arabic ones (U+0621-U+065F, U+0670: every one a letter
# or a mark) come first, one class whose run the regex engine scans in one step instead of
# alternating between the two general classes: the same runs, a fifth faster. A word never begins
# where a number does, so which of the two is tried first changes nothing.
_WORD = rf"(?:[\u0621-\u065f\u0670]++|[^\W\d]++|[{_MARKS}]++)++"
TOKEN_RE = re.compile(rf"{_WORD}|\d+(?:[.,\u066b\u066c]\d+)*")
# The same, captured: ``split`` gives gap, token, gap, ... as strings, without a match object per
# token (the offsets are the lengths added up), 11% fewer instructions than ``finditer``.
_TOKEN_SPLIT_RE = re.compile(f"({TOKEN_RE.pattern})")
_ONE_WORD_RE = re.compile(_WORD)  # a word whole (with its marks: "أيضًا"), for ``tokenize``

# What a reading stripped from the word (bit flags; 0 is the word itself).
WHOLE = 0
CLITIC = 1  # a conjunction or preposition (و ف ب ل ك), the article kept: "وبحمص" -> "حمص"
ARTICLE = 2  # the article too: "والرستن" -> "رستن"
FUTURE = 4  # the future marker: "وسيقوم" -> "يقوم"
PRONOUN = 8  # an enclitic pronoun: "مصرعهم" -> "مصرع"
# A two-letter stem left by a proclitic ("وتل" -> "تل"): too short to stand alone, it may only
# begin a name of several words ("وتل عفر"), for the lexicons that take it (``Word.short``).
SHORT = 16
NAMES = CLITIC  # what names (places, actors, sources) may lose: their article stays


class Reading(NamedTuple):
    """One dictionary form of a word: ``key``; ``skip`` raw characters and ``cut`` key
    characters of the word come before it (the proclitics); ``kind`` says what was stripped."""

    key: str
    skip: int
    kind: int
    cut: int


class Word:
    """The analysis of one distinct word, shared by all its tokens (see :func:`word`).

    ``base`` is the best single guess at the word without its clitics and ``prefix`` the
    proclitic string removed; ``readings`` every dictionary form, longest first. ``hits`` and
    ``matcher`` are the matcher's per-word results (``marsad.text.match``), filled on first use;
    ``memo`` what another reader computes from the word alone (the NER tagger's features), by
    reader, so that every per-word result lives in this one cache. ``short`` holds the
    two-letter stems a proclitic leaves (:data:`SHORT`): kept apart from ``readings`` so that no
    reader takes them for the word's stripped form."""

    __slots__ = ("text", "norm", "base", "prefix", "readings", "short", "hits", "matcher", "memo")

    def __init__(
        self,
        text: str,
        norm: str,
        base: str,
        prefix: str,
        readings: tuple[Reading, ...],
        short: tuple[Reading, ...] = (),
    ):
        self.text = text
        self.norm = norm
        self.base = base
        self.prefix = prefix
        self.readings = readings
        self.short = short
        self.hits: Any = None
        self.matcher: int = 0
        self.memo: dict[Any, Any] | None = None


@dataclass(slots=True)
class Token:
    """A word or number of ``doc.clean``.

    ``norm`` is the dictionary key of the whole word, ``base`` the best single guess at the word
    without its clitics, ``prefix`` the proclitic string removed (``""`` if none); ``word`` is
    the shared :class:`Word` with every reading."""

    start: int
    end: int
    text: str
    norm: str
    base: str
    prefix: str
    word: Word

    @property
    def proclitics(self) -> str:
        """The conjunctions and prepositions before the word (``prefix`` without the article):
        "وب" of "وبالرقة", "ل" of "لتحرير"; the fused "لل" of "للسيطرة" stays whole."""
        return self.prefix.removesuffix("ال")


def _by_letter(affixes: list[str], at: int) -> dict[str, tuple[str, ...]]:
    """``affixes`` grouped by their first (``at=0``) or last (``at=-1``) letter, each group in
    the list's order: a word is tried only against the affixes its own letter there allows,
    which gives the same readings as trying them all (the analysis runs once per distinct word,
    hundreds of thousands of times over a long run)."""
    out: dict[str, list[str]] = {}
    for a in affixes:
        out.setdefault(a[at], []).append(a)
    return {k: tuple(v) for k, v in out.items()}


_ARTICLE_PREFIXES_BY_FIRST = _by_letter(_ARTICLE_PREFIXES, 0)
_PREFIXES_BY_FIRST = _by_letter(_PREFIXES, 0)
_FUTURE_BY_FIRST = _by_letter(_FUTURE, 0)
_ENCLITICS_BY_LAST = _by_letter(_ENCLITICS, -1)
_AFFIXED_FIRST = (
    frozenset(_ARTICLE_PREFIXES_BY_FIRST) | frozenset(_PREFIXES_BY_FIRST) | frozenset(_FUTURE_BY_FIRST)
)


def _raw_skip(text: str, stripped: int) -> int:
    """Characters of the raw word covering its first ``stripped`` key characters (marks skipped)."""
    if stripped <= 0:
        return 0
    if _MARK_SET.isdisjoint(text):  # the common case: one key character per raw character
        return min(stripped, len(text))
    seen = 0
    for i, ch in enumerate(text):
        if ch not in _MARK_SET:
            seen += 1
            if seen > stripped:
                return i
    return len(text)


# A Reading built from a tuple in C, without the Python-level ``__new__`` of a NamedTuple: the
# analysis of a new word builds three on average.
_reading = partial(tuple.__new__, Reading)


def _analyse(text: str, min_stem: int = _MIN_STEM, whole: frozenset[str] = _WHOLE) -> Word:
    key = normalize_key(text)
    if (
        len(key) < 3
        or not key[0].isalpha()
        or key in whole
        # no proclitic, article or future marker begins it and no pronoun may end it: a fifth of
        # the words, read as themselves without trying any affix
        or key[0] not in _AFFIXED_FIRST
        and (text.endswith("ة") or key[-1] not in _ENCLITICS_BY_LAST)
    ):
        return Word(text, key, key, "", (Reading(key, 0, WHOLE, 0),))
    found: list[tuple[str, str, int, int]] = []  # (stripped prefix, remainder, key chars before it, kind)
    restored: list[tuple[str, int, int, int]] = []  # "لل" read two ways: (form, skip, kind, cut)
    article = False
    first = key[0]
    for p in _ARTICLE_PREFIXES_BY_FIRST.get(first, ()):
        if key.startswith(p) and len(key) - len(p) >= _MIN_STEM_ART:
            rest = key[len(p) :]
            if p.endswith("لل"):  # "للرقة" is "ل" + "الرقة", "للواء" is "ل" + "لواء": both are read
                # and the span keeps the fused "لل" whole
                restored.append(("ال" + rest, len(p) - 2, CLITIC, len(p) - 1))
                restored.append((key[len(p) - 1 :], len(p) - 1, CLITIC, len(p) - 1))
            if p != "ال":
                clitic = p[:-2] if p.endswith("ال") else p[:-1]
                found.append((clitic, "ال" + rest, len(clitic), CLITIC))
            found.append((p, rest, len(p), ARTICLE | (CLITIC if p != "ال" else 0)))
            article = True
            break
    two_letter: list[Reading] = []
    if not article:
        for p in _PREFIXES_BY_FIRST.get(first, ()):
            if key.startswith(p) and len(key) - len(p) >= min_stem:
                found.append((p, key[len(p) :], len(p), CLITIC))
            elif key.startswith(p) and len(key) - len(p) == 2 < min_stem:
                two_letter.append(Reading(key[len(p) :], _raw_skip(text, len(p)), CLITIC | SHORT, len(p)))
    # base: a known whole word wins, otherwise the longest strip that leaves a plausible stem.
    known = [f for f in found if f[1] in whole]
    prefix, base = (known or sorted(found, key=lambda f: -len(f[0])) or [("", key)])[0][:2]
    if article and not known:
        prefix, base = found[-1][:2]
    cands: list[tuple[str, int, int, int]] = [(key, 0, WHOLE, 0), *restored]
    cands += [(rest, n, kind, n) for _p, rest, n, kind in found]
    for p in _FUTURE_BY_FIRST.get(first, ()):
        if key.startswith(p) and len(key) - len(p) >= 4 and key[len(p)] in _FUTURE_NEXT:
            cands.append((key[len(p) :], len(p), FUTURE | (CLITIC if len(p) > 1 else 0), len(p)))
    if not article and not text.endswith("ة"):
        for stem, n, kind, cut in list(cands):
            for e in _ENCLITICS_BY_LAST.get(stem[-1:], ()):
                if stem.endswith(e) and len(stem) - len(e) >= _MIN_STEM_ENC:
                    short = stem[: -len(e)]
                    if e == "ه" and short.endswith("ا"):
                        continue
                    cands.append((short, n, kind | PRONOUN, cut))
                    if stem == base and base not in whole:
                        base = short
                    break
    seen: dict[str, tuple[str, int, int, int]] = {}
    for c in cands:
        seen.setdefault(c[0], c)  # a form reached twice keeps its first (least stripped) reading
    ordered = sorted(seen.values(), key=lambda c: -len(c[0]))
    if _MARK_SET.isdisjoint(text):  # the common case: one raw character per key character, so skip is n
        readings = tuple(map(_reading, ordered))
    else:
        readings = tuple([_reading((k, _raw_skip(text, n), kind, cut)) for k, n, kind, cut in ordered])
    return Word(text, key, base, prefix, readings, tuple(two_letter))


_WORDS: dict[str, Word] = {}
# Bounded: news vocabulary keeps growing over a long run (317,000 distinct words in the 31,030
# articles of all-2015, about 0.7 kB each with their readings and match hits), and a process
# must stay under 400 MB. Past the bound the older half goes; words in use come back at once.
_MAX_WORDS = 150_000


def word(text: str) -> Word:
    """The analysis of a word, from the one per-word cache."""
    w = _WORDS.get(text)
    if w is None:
        if len(_WORDS) >= _MAX_WORDS:
            for old in list(itertools.islice(_WORDS, _MAX_WORDS // 2)):
                del _WORDS[old]
        w = _WORDS[text] = _analyse(text)
    return w


def loose(text: str) -> Word:
    """The analysis with two-letter stems allowed and no whole-word list: what the shipped NER
    model was trained on (it reads "وان" as و + "ان"). Not cached: the features made from it are
    (on the word's :class:`Word`, ``memo``)."""
    return _analyse(text, 2, frozenset())


def analyse(text: str) -> tuple[str, str, str, tuple[str, ...]]:
    """``(norm, base, prefix, candidates)`` of one word, candidates longest first."""
    w = word(text)
    return w.norm, w.base, w.prefix, tuple(r.key for r in w.readings)


def candidates(token: Token | str) -> list[str]:
    """Possible dictionary forms of a token (or word), longest first: try each in turn."""
    return [r.key for r in word(token.text if isinstance(token, Token) else token).readings]


def keys(phrase: str) -> tuple[str, ...]:
    """The dictionary keys of a phrase, one per token as :func:`tokenize` cuts a text: what a
    lexicon entry written as words must equal word for word.

    A phrase of letters alone is one word, as :func:`tokenize` takes such a piece whole: most of
    the lexicons' 16,000 entries at every start, each then without the regex (13 -> 6 ms); and a
    phrase of such words between white space is those words (4,000 more: actors' names, cues)."""
    if phrase.isalpha():
        return (normalize_key(phrase),)
    words = phrase.split()
    return tuple(map(normalize_key, words if all(map(str.isalpha, words)) else TOKEN_RE.findall(phrase)))


# Punctuation that clings to a word's ends ("حلب،", "«داعش»"): in no word and no number.
_CLINGING = "،.«»:()\"؛؟,-!;'"


def tokenize(text: str) -> list[Token]:
    """Tokens of any text, with offsets into it; usable without a Document.

    The text is cut at its spaces first (in C): a piece of letters alone (``isalpha``, six pieces
    in seven of an article's clean text) is one whole token, since a letter is in every word and
    in no number, and so is one between clinging punctuation, or one of digits alone, or a word
    with its marks; only the rest go through :data:`TOKEN_RE`, which takes the same tokens from
    a piece as from the whole text (no token holds a space). A fifth less time than the regex
    over everything."""
    out: list[Token] = []
    append = out.append
    words = _WORDS
    start = 0
    for piece in text.split(" "):
        if piece.isalpha():
            w = words.get(piece) or word(piece)
            end = start + len(piece)
            append(Token(start, end, piece, w.norm, w.base, w.prefix, w))
            start = end + 1
            continue
        n = len(piece)
        core = piece.strip(_CLINGING)
        if core.isalpha() or core.isdecimal() or _ONE_WORD_RE.fullmatch(core):
            at = start + n - len(piece.lstrip(_CLINGING))
            w = words.get(core) or word(core)
            append(Token(at, at + len(core), core, w.norm, w.base, w.prefix, w))
        elif core:
            parts = iter(_TOKEN_SPLIT_RE.split(piece))
            at = start + len(next(parts))
            for raw, gap in zip(parts, parts, strict=True):
                w = words.get(raw) or word(raw)
                end = at + len(raw)
                append(Token(at, end, raw, w.norm, w.base, w.prefix, w))
                at = end + len(gap)
        start += n + 1
    return out


@component("tokens", assigns=["tokens"])
def make_tokens() -> object:
    def tokens(doc: Document) -> Document:
        doc.tokens = tokenize(doc.clean)
        return doc

    return tokens
