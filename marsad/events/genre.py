"""What kind of piece an article is: a dated news report or an opinion or analysis piece.

A report is credited to an agency or a correspondent somewhere ("دمشق - وكالات", "(أ ف ب)", a
byline "عدن: فلان"); a column or an essay is signed by a name alone, sits in an opinion section
of its site, speaks in the first person and asks rhetorical questions. Columns speak of wars
without reporting a current event, so the kind is a feature of the event model and raises the
bar the rules' events must pass there (``keep_opinion``). The word lists are data
(``events/data/genre.yaml``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from marsad import datafile
from marsad.datafile import Strict
from marsad.document import Document
from marsad.text import match
from marsad.text.normalize import normalize_key

DATA = Path(__file__).with_name("data") / "genre.yaml"
# A byline that names a place or a desk besides the writer: "عدن: فلان", "فلان (جدة)", "فلان من
# الرياض", "بيروت - «الشرق الأوسط»".
_DATELINE = re.compile(r"[:\-–/()]|(?:^|\s)من\s")
_WORD = re.compile(r"\w+")
_SCAFFOLD = {"home", "article", "node", "new", "issues", "news", "a", "details"}


class GenreFile(Strict):
    """genre.yaml: agency credits, opinion sections, first-person words and the counts that decide."""

    agencies: list[str]
    edge_words: int
    opinion_sections: list[str]
    first_person: list[str]
    min_first_person: int
    min_questions: int


@dataclass(frozen=True)
class GenreCues:
    agencies: tuple[tuple[str, ...], ...]
    edge_words: int
    opinion_sections: frozenset[str]
    first_person: frozenset[str]
    min_first_person: int
    min_questions: int


@cache
def cues() -> GenreCues:
    raw = datafile.load(DATA, GenreFile)
    return GenreCues(
        tuple(tuple(normalize_key(w) for w in a.split()) for a in raw.agencies),
        raw.edge_words,
        frozenset(s.lower() for s in raw.opinion_sections),
        frozenset(normalize_key(w) for w in raw.first_person),
        raw.min_first_person,
        raw.min_questions,
    )


@cache
def first_person() -> match.Lexicon:
    """The first-person words, tagged by the match stage (a lexicon of the events stage): an
    article's are counted from its tags, not by a look-up per token."""
    return match.word_set("events.first_person", cues().first_person)


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


@cache
def _by_first(agencies: tuple[tuple[str, ...], ...]) -> dict[str, list[tuple[str, ...]]]:
    """The agency credits by their first word, in the list's order: a word is compared only with
    the credits it may begin (one dictionary look-up a word instead of one slice per credit)."""
    out: dict[str, list[tuple[str, ...]]] = {}
    for a in agencies:
        out.setdefault(a[0] if a else "", []).append(a)
    return out


def _credited(words: list[str], agencies: tuple[tuple[str, ...], ...]) -> bool:
    by_first = _by_first(agencies)
    if words and "" in by_first:  # an empty credit is in every text
        return True
    for i, w in enumerate(words):
        for a in by_first.get(w, ()):
            if tuple(words[i : i + len(a)]) == a:
                return True
    return False


def genre_features(doc: Document, tokens: list) -> list[str]:
    """The article's kind (``g=news``, ``g=opinion`` or ``g=plain``) and the cues behind it."""
    c = cues()
    feats = []
    byline = str(doc.meta.get("byline") or "").strip()
    by_words = [normalize_key(w) for w in _WORD.findall(byline)]
    n = c.edge_words
    edges = [t.norm for t in tokens[:n]] + [t.norm for t in tokens[-n:]]
    credit = _credited(by_words, c.agencies) or _credited(edges, c.agencies)
    dateline = bool(byline) and bool(_DATELINE.search(byline))
    if credit:
        feats.append("gc=credit")
    if dateline:
        feats.append("gc=dateline")
    elif by_words:
        feats.append("gc=byname")  # signed by a name alone: a column, or a local reporter
    if section_of(doc.url).lower() in c.opinion_sections:
        feats.append("gc=section")
    if len(match.words_in(tokens, doc.matches, first_person())) >= c.min_first_person:
        feats.append("gc=first")
    if doc.clean.count("؟") + doc.clean.count("?") >= c.min_questions:
        feats.append("gc=questions")
    if credit or dateline:
        kind = "news"
    elif {"gc=section", "gc=first", "gc=questions"} & set(feats):
        kind = "opinion"
    else:
        kind = "plain"
    return ["g=" + kind, *feats]
