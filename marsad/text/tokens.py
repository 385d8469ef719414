"""Tokens with offsets and clitic-aware bases, so that وبحمص، لحلب، والرستن find حمص، حلب، الرستن.

One precompiled regex walks the clean text; the analysis of each distinct word (its key, base,
prefix and lookup candidates) is cached, because news vocabulary repeats heavily across articles
and recomputing it per token would dominate the cost of the layer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from marsad import datafile
from marsad.document import Document
from marsad.pipeline import component
from marsad.text.normalize import normalize_key


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


_DATA = datafile.load(Path(__file__).with_name("tokens.yaml"), CliticRules).model_dump()


def _keys(words: list[str]) -> list[str]:
    return sorted({normalize_key(w) for w in words}, key=len, reverse=True)


_ARTICLE_PREFIXES = _keys(_DATA["proclitics_with_article"])
_PREFIXES = _keys(_DATA["proclitics"])
_FUTURE = _keys(_DATA["future"])
_FUTURE_NEXT = frozenset(normalize_key("".join(_DATA["future_next_letters"])))
_ENCLITICS = _keys(_DATA["enclitics"])
_WHOLE = frozenset(normalize_key(w) for w in _DATA["whole_words"])
_MIN_STEM = int(_DATA["min_stem"])
_MIN_STEM_ART = int(_DATA["min_stem_after_article"])
_MIN_STEM_ENC = int(_DATA["min_stem_before_enclitic"])
_MARKS = "\u064b-\u065f\u0670\u0640"
# Words and numbers ("3.5", "35,000" stay whole); punctuation is not a token (sentences and
# clauses carry it), which also keeps the token list, the costliest part of the layer, short.
TOKEN_RE = re.compile(rf"\d+(?:[.,\u066b\u066c]\d+)+|[\w{_MARKS}]+")


@dataclass(slots=True)
class Token:
    """A word or number of ``doc.clean``.

    ``norm`` is the dictionary key of the whole word, ``base`` the best single guess at the word
    without its clitics, ``prefix`` the proclitic string removed (``""`` if none)."""

    start: int
    end: int
    text: str
    norm: str
    base: str
    prefix: str


@lru_cache(maxsize=200_000)
def analyse(text: str) -> tuple[str, str, str, tuple[str, ...]]:
    """``(norm, base, prefix, candidates)`` of one word, candidates longest first."""
    key = normalize_key(text)
    if len(key) < 3 or not key[0].isalpha() or key in _WHOLE:
        return key, key, "", (key,)
    found: list[tuple[str, str]] = []  # (stripped prefix, remainder)
    article = False
    for p in _ARTICLE_PREFIXES:
        if key.startswith(p) and len(key) - len(p) >= _MIN_STEM_ART:
            rest = key[len(p) :]
            if p != "ال":
                found.append((p[:-2] if p.endswith("ال") else p[:-1], "ال" + rest))
            found.append((p, rest))
            article = True
            break
    if not article:
        for p in _PREFIXES:
            if key.startswith(p) and len(key) - len(p) >= _MIN_STEM:
                found.append((p, key[len(p) :]))
    # base: a known whole word wins, otherwise the longest strip that leaves a plausible stem.
    whole = [f for f in found if f[1] in _WHOLE]
    prefix, base = (whole or sorted(found, key=lambda f: -len(f[0])) or [("", key)])[0]
    if article and not whole:
        prefix, base = found[-1]
    cands = [key] + [rest for _p, rest in found]
    for p in _FUTURE:
        if key.startswith(p) and len(key) - len(p) >= 4 and key[len(p)] in _FUTURE_NEXT:
            cands.append(key[len(p) :])
    if not article and not text.endswith("ة"):
        for stem in list(cands):
            for e in _ENCLITICS:
                if stem.endswith(e) and len(stem) - len(e) >= _MIN_STEM_ENC:
                    cut = stem[: -len(e)]
                    if e == "ه" and cut.endswith("ا"):
                        continue
                    cands.append(cut)
                    if stem == base and base not in _WHOLE:
                        base = cut
                    break
    ordered = sorted(dict.fromkeys(cands), key=len, reverse=True)
    return key, base, prefix, tuple(ordered)


def candidates(token: Token | str) -> list[str]:
    """Possible dictionary forms of a token (or word), longest first: try each in turn."""
    return list(analyse(token.text if isinstance(token, Token) else token)[3])


_SEEN: dict[str, tuple[str, str, str]] = {}


def tokenize(text: str) -> list[Token]:
    """Tokens of any text, with offsets into it; usable without a Document."""
    out: list[Token] = []
    append = out.append
    seen = _SEEN
    if len(seen) > 500_000:
        seen.clear()
    for m in TOKEN_RE.finditer(text):
        word = m.group()
        info = seen.get(word)
        if info is None:
            info = seen[word] = analyse(word)[:3]
        start, end = m.span()
        append(Token(start, end, word, *info))
    return out


@component("tokens", assigns=["tokens"])
def make_tokens() -> object:
    def tokens(doc: Document) -> Document:
        doc.tokens = tokenize(doc.clean)
        return doc

    return tokens
