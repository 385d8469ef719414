"""Sentences and clauses of news text, with datelines folded into the sentence they open.

News Arabic chains whole reports with و and quotes long statements across several full stops,
so sentences end only outside «» “” "" and parentheses, paragraph breaks always end one, and long
sentences are cut again into clauses at ", و" / " كما " / " فيما " ... for the event extractor.
One regex pass finds every candidate boundary; a small loop keeps the quote and bracket depth.
"""

from __future__ import annotations

import bisect
import re
from pathlib import Path

from marsad import datafile
from marsad.document import Document
from marsad.pipeline import Label, component
from marsad.text.normalize import folded, normalize_key


class SentenceRules(datafile.Strict):
    """sentences.yaml: abbreviations, clause openers and dateline agencies."""

    abbreviations: list[str]
    clause_words: list[str]
    min_clause_words: int
    agencies: list[str]
    max_dateline_words: int
    places_with_waw: list[str]


_DATA = datafile.load(Path(__file__).with_name("sentences.yaml"), SentenceRules, dump=True)

_ABBREV = frozenset(normalize_key(a).lower() for a in _DATA["abbreviations"])
_AGENCIES = frozenset(
    normalize_key(a).replace(".", " ").replace("  ", " ").strip() for a in _DATA["agencies"]
)
_PLACES_WITH_WAW = frozenset(normalize_key(p) for p in _DATA["places_with_waw"])
_MAX_DATELINE_WORDS = int(_DATA["max_dateline_words"])
_MIN_CLAUSE_WORDS = int(_DATA["min_clause_words"])

_OPEN = "«“(["
_CLOSE = "»”)]"
# Boundaries, quotes and brackets: a newline run (``\n\s*``), a terminator run (``[.!?؟…]+``), or
# a single quote/bracket character. Spelt as one class of every character that opens one, then
# the run that character goes on with, so that the regex engine skips to the next of them instead
# of trying three alternatives at every character (the same matches, a third of the time).
_TERMINATORS = ".!?\u061f\u2026"
_SCAN_RE = re.compile(
    rf"[\n{_TERMINATORS}«»“”()\[\]\"](?:(?<=\n)\s*|(?<=[{_TERMINATORS}])[{_TERMINATORS}]*|)"
)
_WORD_BEFORE_RE = re.compile(r"(\w+)\W*$")
_QUOTE_TIMEOUT = 800  # an unclosed quote stops protecting boundaries after this many characters

_clause_alts = "|".join(
    re.escape(normalize_key(w)) for w in sorted(_DATA["clause_words"], key=len, reverse=True)
)
# A clause opens after a comma before و, or at a clause word after a space. Two patterns, each
# starting with a character the regex engine skips ahead to (a literal comma; a space, taken
# with the match and left off its start), instead of one alternation tried at every character:
# a third of the time, the same cuts (a clause word neither begins nor ends with a space nor
# holds a comma, so the matches of the two never overlap).
if any(w != w.strip() or "," in normalize_key(w) for w in _DATA["clause_words"]):
    raise ValueError("sentences.yaml: a clause word begins or ends with a space or holds a comma")
_COMMA_CUT_RE = re.compile(r",\s*(?=و\w)")
_WORD_CUT_RE = re.compile(rf"\s(?:{_clause_alts})(?!\w)")

_DATELINE_RE = re.compile(
    r"(?P<place>[^\W\d_]+(?:\s+[^\W\d_]+){0,2})\s*"
    r"(?:\((?P<ag1>[^()\n]{1,30})\)\s*)?"
    r"(?P<sep>[-\u2013\u2014:])[ \t]*"
    r"(?:[«\"“](?P<ag2>[^»\"”\n]{1,30})[»\"”][ \t]*(?:[-\u2013\u2014:][ \t]*)?)?"
)
_LINE_END_RE = re.compile(r"[^\n]*")


def _agency(text: str | None) -> bool:
    return text is not None and normalize_key(text).replace(".", " ").replace("  ", " ").strip() in _AGENCIES


def dateline(text: str, pos: int) -> tuple[int, int, str, str | None] | None:
    """``(start, end, place, agency)`` of a dateline opening a paragraph at ``pos``, or None.

    Accepted shapes: "عمان (رويترز) -", "دمشق - ", "بيروت: «الشرق الأوسط»", and a short byline
    line on its own ("بيروت: نذير رضا")."""
    m = _DATELINE_RE.match(text, pos)
    if m is None:
        return None
    place, sep = m.group("place"), m.group("sep")
    if len(place.split()) > 3 or (
        place[0] in "وف" and normalize_key(place.split()[0]) not in _PLACES_WITH_WAW
    ):
        return None
    ag1, ag2 = m.group("ag1"), m.group("ag2")
    if ag1 is not None:
        return (pos, m.end(), place, ag1.strip()) if _agency(ag1) or sep != ":" else None
    if ag2 is not None and (sep != ":" or _agency(ag2) or len(ag2.split()) <= 3):
        return pos, m.end(), place, ag2.strip()
    if sep == ":":
        rest = _LINE_END_RE.match(text, m.end()).group()
        if rest.strip() and len(rest.split()) <= _MAX_DATELINE_WORDS and not re.search(r"[.!?؟«»\"]", rest):
            return pos, m.end() + len(rest), place, rest.strip()
        return None
    return pos, m.end(), place, None


def _is_abbreviation(text: str, dot: int) -> bool:
    m = _WORD_BEFORE_RE.search(text, max(0, dot - 12), dot)
    if m is None or m.end() != dot:
        return False
    word = m.group(1)
    return len(word) == 1 or normalize_key(word).lower() in _ABBREV


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence ``(start, end)`` ranges of ``text``, whitespace trimmed."""
    out: list[tuple[int, int]] = []
    start = 0
    depth = 0
    straight = False
    opened = -1
    n = len(text)

    def close(end: int) -> None:
        s, e = start, end
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append((s, e))

    for m in _SCAN_RE.finditer(text):
        tok = m.group()
        c = tok[0]
        if c == "\n":
            close(m.start())
            start, depth, straight = m.end(), 0, False
            continue
        if c in _OPEN:
            if depth == 0 and not straight:
                opened = m.start()
            depth += 1
            continue
        if c in _CLOSE:
            depth = max(0, depth - 1)
            continue
        if c == '"':
            straight = not straight
            if straight and depth == 0:
                opened = m.start()
            continue
        # a terminator run
        if (depth or straight) and m.start() - opened < _QUOTE_TIMEOUT:
            continue
        end = m.end()
        if tok == ".":
            if m.start() > 0 and end < n and text[m.start() - 1].isdigit() and text[end].isdigit():
                continue  # decimal number
            if _is_abbreviation(text, m.start()):
                continue
        # a closing quote or bracket right after the terminator belongs to this sentence
        while end < n and text[end] in _CLOSE + '"':
            end += 1
        close(end)
        start, depth, straight = end, 0, False
    close(n)
    return out


def clause_cuts(norm: str) -> list[int]:
    """Offsets where a clause may start in ``norm`` (= ``normalize(clean)``), in order."""
    commas = [m.end() for m in _COMMA_CUT_RE.finditer(norm)]
    return sorted(commas + [m.start() + 1 for m in _WORD_CUT_RE.finditer(norm)])


def _short(piece: str) -> bool:
    """Whether ``piece`` has fewer than ``min_clause_words`` words: split no further than that
    (a clause is some twenty words; only the first few are counted)."""
    return len(piece.split(None, _MIN_CLAUSE_WORDS - 1)) < _MIN_CLAUSE_WORDS


def split_clauses(norm: str, start: int, end: int, cuts: list[int]) -> list[tuple[int, int]]:
    """Clause ranges of the sentence ``norm[start:end]``; ``cuts`` from :func:`clause_cuts`.

    Pieces shorter than ``min_clause_words`` stay with their neighbour, so "، وقال" alone is
    never a clause. ``cuts`` is in order, so the sentence's own are found by bisection rather
    than by reading every cut of the document for every sentence."""
    inner = cuts[bisect.bisect_right(cuts, start) : bisect.bisect_left(cuts, end)]
    if not inner:
        return [(start, end)]
    bounds = [start, *inner, end]
    out: list[tuple[int, int]] = []
    for a, b in zip(bounds, bounds[1:], strict=False):
        short = _short(norm[a:b])
        if out and (short or _short(norm[out[-1][0] : out[-1][1]])):
            out[-1] = (out[-1][0], b)
        else:
            out.append((a, b))
    trimmed = []
    for a, b in out:  # the cut leaves the comma and spaces on the previous clause
        while b > a and norm[b - 1] in " ,\t\n":
            b -= 1
        trimmed.append((a, b))
    return trimmed


@component(
    "sentences",
    assigns=[
        Label("sentence", "", {"dateline": (bool, "the sentence opens with a dateline, merged into it")}),
        Label(
            "dateline",
            '"عمان (رويترز) -", "بيروت: «الشرق الأوسط»"',
            {"place": (str | None, ""), "agency": (str | None, "")},
        ),
        Label("clause"),
    ],
)
def make_sentences() -> object:
    def sentences(doc: Document) -> Document:
        text = doc.clean
        ranges = split_sentences(text)
        merged: list[tuple[int, int, bool]] = []
        i = 0
        while i < len(ranges):
            s, e = ranges[i]
            dl = None
            if len(merged) < 2:  # datelines open an article, not a later paragraph
                b = s
                while b > 0 and text[b - 1] in " \t":
                    b -= 1
                if b == 0 or text[b - 1] == "\n":
                    dl = dateline(text, s)
            if dl is not None:
                doc.add(dl[0], dl[1], "dateline", place=dl[2], agency=dl[3])
                if dl[1] >= e and i + 1 < len(ranges):  # a dateline on its own line opens the next sentence
                    e = ranges[i + 1][1]
                    i += 1
                merged.append((s, e, True))
            else:
                merged.append((s, e, False))
            i += 1
        norm = folded(text).norm  # the same text the dates and numbers stages fold next
        cuts = clause_cuts(norm)
        for s, e, has_dateline in merged:
            doc.add(s, e, "sentence", dateline=has_dateline)
            for a, b in split_clauses(norm, s, e, cuts):
                doc.add(a, b, "clause")
        return doc

    return sentences
