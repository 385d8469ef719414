"""Cleaning of scraping artefacts, one named rule per artefact, the original never altered.

Each rule looks at the current clean text and returns edits ``(start, end, replacement)``;
:func:`marsad.document.apply_edits` applies them and composes the offset map, so every clean
character still points at the original characters it came from. The rules run in order, and the
whole list is repeated until a pass changes nothing: removing one artefact can expose another (an
entity split by a zero-width space, a source label above an ad), and running to a fixed point is
what makes cleaning idempotent. A new rule is one function added to :data:`RULES`.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from marsad import datafile
from marsad.document import Document, OffsetMap, apply_edits
from marsad.pipeline import Label, component
from marsad.text.normalize import runs_of, variants

Edit = tuple[int, int, str]

MAX_PASSES = 6


@dataclass
class Context:
    """What rules may read or learn besides the text: the title."""

    title: str | None = None
    title_repeated: bool = False


@dataclass(frozen=True)
class Rule:
    name: str
    find: Callable[[str, Context], list[Edit]]
    record: bool = True  # whitespace edits are too many and too dull to list in doc.meta
    # Finds nothing in its own output (and reads nothing but the text): not run again on a text
    # no rule has changed since it ran, as the pass that confirms the fixed point would.
    idempotent: bool = False


# -- phrase lists --------------------------------------------------------------------------------
# The phrases are matched against the text with a few letters and one mark folded (``_FOLDS``:
# rare forms, and hamza-under alef), one character for one so that offsets stay valid. What is
# left of each letter's variants and of the marks then spans at most two runs of code points,
# a class ``re`` compiles at once: with three runs or more it builds a 64 KB table for every
# class, and these patterns hold 400 of them (22 ms of every start-up; folding costs 1 µs an
# article).
_FOLDS = (("ی", "ي"), ("ٱ", "ا"), ("إ", "ا"), ("\u0670", "\u0640"))
_MARKS = "[\u0640\u064b-\u0652]*"


def folded(text: str) -> str:
    """``text`` with :data:`_FOLDS` applied, as long as it was: what the phrase patterns read."""
    for a, b in _FOLDS:
        if a in text:
            text = text.replace(a, b)
    return text


def phrase_pattern(phrase: str) -> str:
    """Regex for a boilerplate phrase that tolerates the spelling variants of scraped Arabic
    (matched against :func:`folded` text)."""
    out: list[str] = []
    phrase = folded(phrase)
    i = 0
    while i < len(phrase):
        ch = phrase[i]
        if phrase.startswith("...", i) or ch == "…":
            out.append(r"(?:\.{2,}|…)")
            i += 3 if ch == "." else 1
            continue
        if ch.isspace():
            out.append(r"[^\S\n]+")
        elif "\u0621" <= ch <= "\u064a":
            # the letters normalize folds alike: "ا" matches "أآ" too (and "إٱ", folded to it)
            same = "".join(c for c in variants(ch) if folded(c) == c)
            out.append((f"[{same}]" if len(same) > 1 else re.escape(ch)) + _MARKS)
        else:
            out.append(re.escape(ch))
        i += 1
    return "".join(out)


def _alternation(phrases: list[str]) -> str:
    # Longest first, so that "شارك الخبر" wins over "شارك".
    return "|".join(phrase_pattern(p) for p in sorted(set(phrases), key=len, reverse=True))


class Boilerplate(datafile.Strict):
    """boilerplate.yaml: the phrases of share buttons, links and source labels."""

    line: list[str]
    line_prefix: list[str]
    line_suffix: list[str]
    source_label: list[str]


_PHRASES = datafile.load(Path(__file__).with_name("boilerplate.yaml"), Boilerplate, dump=True)
_H = r"[^\S\n]"  # horizontal whitespace
# Matched against one line at a time (with ``match``/``fullmatch``), so a 3 KB article costs a
# dozen anchored attempts instead of a scan at every character.
_BOILER_LINE = re.compile(
    rf"(?i){_H}*[-–—•·*|»>]*{_H}*(?:{_alternation(_PHRASES['line'])}){_H}*[:：.!…»]*{_H}*"
)
_BOILER_PREFIX = re.compile(rf"(?i){_H}*(?:{_alternation(_PHRASES['line_prefix'])})")
_BOILER_SUFFIX = re.compile(rf"(?i){_H}*(?:{_alternation(_PHRASES['line_suffix'])}){_H}*$")
_SUFFIX_REACH = 40  # a suffix is searched for in the last characters of a line only
# Every suffix opens with an ellipsis ("...", "…"), which ``phrase_pattern`` spells as two dots or
# more, or "…": a line end without either has none, told by two C-speed ``find`` calls instead of
# a search of the alternation at every one of 40 positions (three quarters of the rule's time).
_SUFFIX_DOTS = all(p.startswith(("...", "…")) for p in _PHRASES["line_suffix"])
_PREFIX_LINE_MAX = 300  # longer lines starting with "read also" are text, not a link
_SOURCE_LABEL = re.compile(
    rf"(?i)(?:(?:^|\n){_H}*(?:{_alternation(_PHRASES['source_label'])}){_H}*[:：]?)+\s*\Z"
)

# -- rules ---------------------------------------------------------------------------------------
_ENTITY = re.compile(r"&(?:amp;)*(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


def unescape_entities(s: str) -> str:
    """Decode entities ending in ';', including double-escaped ones (``&amp;quot;``)."""
    prev = None
    while prev != s:
        prev, s = s, _ENTITY.sub(lambda m: html.unescape(m.group()), s)
    return s


def html_entities(text: str, ctx: Context) -> list[Edit]:
    if "&" not in text:
        return []
    edits = []
    for m in _ENTITY.finditer(text):
        repl = unescape_entities(m.group())
        if repl != m.group():
            edits.append((m.start(), m.end(), repl))
    return edits


# Zero-width characters, bidi embeddings/overrides/isolates, Arabic letter mark, BOM, soft hyphen.
CONTROLS = "\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff"
_CONTROLS = runs_of(f"[{CONTROLS}]")


def invisible_controls(text: str, ctx: Context) -> list[Edit]:
    return [(m.start(), m.end(), "") for m in _CONTROLS.finditer(text)]


_AD = re.compile(r"(?i)(?:\[\s*ad[_\s-]?\d+\s*\])+")


def ad_placeholders(text: str, ctx: Context) -> list[Edit]:
    if "[" not in text:
        return []
    edits = []
    for m in _AD.finditer(text):
        s, e = m.span()
        # Between two words the placeholder was a separator: keep one, or the words would merge.
        glue = s > 0 and e < len(text) and not text[s - 1].isspace() and not text[e].isspace()
        edits.append((s, e, " " if glue else ""))
    return edits


def share_boilerplate(text: str, ctx: Context) -> list[Edit]:
    edits: list[Edit] = []
    fold = folded(text)
    pos, n = 0, len(text)
    while pos < n:
        nl = text.find("\n", pos)
        end = n if nl < 0 else nl
        if end > pos:
            if _BOILER_LINE.fullmatch(fold, pos, end) or (
                end - pos <= _PREFIX_LINE_MAX and _BOILER_PREFIX.match(fold, pos, end)
            ):
                edits.append((pos, end, ""))
            else:
                reach = max(pos, end - _SUFFIX_REACH)
                if not _SUFFIX_DOTS or text.find("..", reach, end) >= 0 or text.find("…", reach, end) >= 0:
                    m = _BOILER_SUFFIX.search(fold, reach, end)
                    if m and m.end() > m.start():
                        edits.append((m.start(), m.end(), ""))
        pos = end + 1
    return edits


def dangling_source(text: str, ctx: Context) -> list[Edit]:
    """A source label left alone at the end of the text (its name was scraped away).

    The label can only start at the text's start or at a line break: the leftmost match of a
    search over the last 400 characters is the first of those places where it matches, found by
    ``find`` in C instead of the regex trying every position (three times the time)."""
    tail = max(0, len(text) - 400)
    fold = text[:tail] + folded(text[tail:])
    at = 0 if tail == 0 else text.find("\n", tail)
    while at >= 0:
        m = _SOURCE_LABEL.match(fold, at)
        if m:
            return [(m.start(), m.end(), "")] if m.end() > m.start() else []
        at = text.find("\n", at + 1)
    return []


def _key(line: str) -> str:
    return " ".join(line.split())


def _same_words(a: str, b: str) -> bool:
    """``_key(a) == _key(b)``, their first words compared first: lines seldom repeat, and the
    whole key of a line that may be the article's one long paragraph costs a string per word."""
    return a.split(None, 1)[:1] == b.split(None, 1)[:1] and _key(a) == _key(b)


def _lines(text: str, limit: int) -> list[tuple[int, int]]:
    """(start, end) of the first ``limit`` non-blank lines, stripped of surrounding spaces."""
    out: list[tuple[int, int]] = []
    pos, n = 0, len(text)
    while pos < n and len(out) < limit:
        nl = text.find("\n", pos)
        end = n if nl < 0 else nl
        line = text[pos:end]
        stripped = line.strip()
        if stripped:
            s = pos + (len(line) - len(line.lstrip()))
            out.append((s, s + len(line.strip())))
        pos = end + 1
    return out


def repeated_title(text: str, ctx: Context) -> list[Edit]:
    """Keep the title once when scraping left it twice (or more) at the top of the text.

    A line repeated at the top is a headline whatever ``doc.title`` says (metadata titles are often
    worded differently from the page's); when the document has no title, it becomes the title."""
    lines = _lines(text, 8)
    if len(lines) < 2:
        return []
    first = text[lines[0][0] : lines[0][1]]
    last = 0
    while last + 1 < len(lines) and _same_words(text[lines[last + 1][0] : lines[last + 1][1]], first):
        last += 1
    if last == 0:
        return []
    ctx.title_repeated = True
    if ctx.title is None:
        ctx.title = _key(first)
    return [(lines[0][1], lines[last][1], "")]


_NL = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_SPACES = "".join(chr(c) for c in range(0x3001) if chr(c).isspace())  # what \s matches
# Every run that may not be canonical: two or more characters, or one that is not a space. Spelt
# out as literal classes, which the regex engine scans faster than \s, and opening with one class
# (a white-space character, then more of them, or it was no space), so that the engine skips to
# the next white space instead of trying two alternatives at every character (half the time).
_RUN = re.compile(
    f"[{re.escape(_SPACES)}](?:[{re.escape(_SPACES)}]+|(?<=[{re.escape(_SPACES.replace(' ', ''))}]))"
)
_BREAK = re.compile(rf"\r\n|[{_NL}]")


def whitespace(text: str, ctx: Context) -> list[Edit]:
    """Spaces collapse to one; a line break stays "\\n" and a blank line becomes one "\\n\\n"."""
    n = len(text)
    lead = n - len(text.lstrip())
    if lead == n:
        return [(0, n, "")] if n else []
    tail = len(text.rstrip())
    edits = [(0, lead, "")] if lead else []
    for m in _RUN.finditer(text, lead, tail):
        run = m.group()
        breaks = len(_BREAK.findall(run))
        repl = " " if breaks == 0 else "\n" if breaks == 1 else "\n\n"
        if repl != run:
            edits.append((m.start(), m.end(), repl))
    if tail < n:
        edits.append((tail, n, ""))
    return edits


RULES: list[Rule] = [
    Rule("html_entities", html_entities),
    Rule("invisible_controls", invisible_controls),
    Rule("ad_placeholders", ad_placeholders),
    Rule("share_boilerplate", share_boilerplate),
    Rule("dangling_source", dangling_source),
    Rule("repeated_title", repeated_title),
    Rule("whitespace", whitespace, record=False, idempotent=True),
]


# -- driver --------------------------------------------------------------------------------------
@dataclass
class Cleaned:
    text: str
    offsets: OffsetMap
    title: str | None
    title_repeated: bool
    removed: list[dict] = field(default_factory=list)


def clean_text(text: str, title: str | None = None, offsets: OffsetMap | None = None) -> Cleaned:
    """Run :data:`RULES` to a fixed point; ``removed`` lists what each rule took, in original offsets."""
    offsets = offsets if offsets is not None else OffsetMap.identity(len(text))
    ctx = Context(title=title)
    removed: list[dict] = []
    left: dict[str, str] = {}  # what each idempotent rule left (the very string), to skip it on
    for _ in range(MAX_PASSES):
        changed = False
        for rule in RULES:
            if rule.idempotent and left.get(rule.name) is text:
                continue
            edits = rule.find(text, ctx)
            if not edits:
                if rule.idempotent:
                    left[rule.name] = text
                continue
            if rule.record:
                for s, e, _repl in edits:
                    o_s, o_e = offsets.to_original(s, e)
                    removed.append({"rule": rule.name, "original_start": o_s, "original_end": o_e})
            text, offsets = apply_edits(text, offsets, edits)
            changed = True
            if rule.idempotent:
                left[rule.name] = text
        if not changed:
            break
    return Cleaned(text, offsets, ctx.title, ctx.title_repeated, removed)


@component(
    "clean",
    assigns=[
        "clean",
        Label("title", "the headline line at the top of `clean`, kept once", {"rule": (str, "")}),
        "meta.cleaning",
    ],
)
def make_clean(max_chars: int = 1_000_000) -> Callable[[Document], Document]:
    """Clean ``doc.clean`` in place of itself; texts over ``max_chars`` are left for the language
    stage to quarantine, since their offset map alone would cost 16 bytes a character."""

    def clean(doc: Document) -> Document:
        if len(doc.clean) > max_chars:
            return doc
        result = clean_text(doc.clean, doc.title, doc.offsets)
        doc.clean, doc.offsets = result.text, result.offsets
        if doc.title is None and result.title is not None:
            doc.title = result.title
        if result.removed:
            doc.meta.setdefault("cleaning", []).extend(result.removed)
        if doc.title and not doc.spans_of("title"):
            lines = _lines(doc.clean, 1)
            if lines and _same_words(doc.clean[lines[0][0] : lines[0][1]], doc.title):
                doc.add(lines[0][0], lines[0][1], "title", rule="repeated_title")
        return doc

    return clean
