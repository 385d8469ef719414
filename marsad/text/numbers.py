"""Numbers, vague quantities and casualty counts.

Numbers are digits (ASCII, Arabic-Indic, Persian), multiplied digits ("35 ألف") and number words
("خمسة وعشرين", "ثلاثة آلاف"); vague plurals (عشرات، مئات، آلاف) get a lower bound and
``vague=True``; approximators (نحو، ما يصل إلى، أكثر من، على الأقل) set ``approx``. Casualty
phrases bind a number (or a lone person noun, which means one) to killed/injured words. As in the
temporal stage, the regex is tried only at tokens that can start a number, never over every
position of the text.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from marsad import datafile
from marsad.document import Document
from marsad.pipeline import Label, component
from marsad.text.match import ANY, Lexicon, Matches, word_set, words_in
from marsad.text.normalize import alternation, folded, key_map, key_set, normalize_key
from marsad.text.tokens import Token, tokenize


class KilledInjured(datafile.Strict):
    killed: list[str]
    injured: list[str]


class CasualtyWords(datafile.Strict):
    after_number: KilledInjured
    before_number: KilledInjured
    not_people: list[str]
    in_it: list[str]
    one_killed: list[str]
    after_phrase: KilledInjured
    duals: KilledInjured


class Persons(datafile.Strict):
    singular: list[str]
    dual: list[str]


class NumberLexicon(datafile.Strict):
    """numbers.yaml: number words, approximations, units and casualty words."""

    units: dict[str, int]
    teen: list[str]
    tens: dict[str, int]
    hundreds: dict[str, int]
    multipliers: dict[str, int]
    vague: dict[str, int]
    approx_before: list[str]
    approx_after: list[str]
    measure_units: dict[str, str]
    casualties: CasualtyWords
    persons: Persons
    max_phrase_words: int
    max_subject_words: int


_DATA = datafile.load(Path(__file__).with_name("numbers.yaml"), NumberLexicon, dump=True)


UNITS = key_map(_DATA["units"])
TEEN = key_set(_DATA["teen"])
TENS = key_map(_DATA["tens"])
HUNDREDS = key_map(_DATA["hundreds"])
MULTIPLIERS = key_map(_DATA["multipliers"])
VAGUE = key_map(_DATA["vague"])
MEASURES = key_map(_DATA["measure_units"])
_NUM_WORDS = {**UNITS, **TENS, **HUNDREDS, **MULTIPLIERS}

_WORD_ALT = alternation(_NUM_WORDS)
_DIGITS = r"\d+(?:[,\u066c]\d{3})*(?:[.\u066b]\d+)?"
NUMBER_RE = re.compile(
    rf"(?:(?P<ap>{alternation(_DATA['approx_before'])})\s+)?"
    rf"(?:[وبل]?(?:ال)?(?P<dg>{_DIGITS})(?:\s*(?P<mul>{alternation(MULTIPLIERS)}))?"
    rf"|[وبل]?(?P<vg>{alternation(VAGUE)})"
    rf"|[وبل]?(?P<wd>{_WORD_ALT}(?:\s+و?{_WORD_ALT}(?!\w))*))"
    # a word may end a figure: the tokenizer cuts "15حوثيا" (a missing space) into "15" "حوثيا"
    rf"(?P<ap2>\s+{alternation(_DATA['approx_after'])})?(?:(?<=\d)|(?!\w))"
)
# "10 أشخاص على الأقل": the approximator may follow the counted noun.
_APPROX_AFTER_RE = re.compile(rf"\s+\w+\s+{alternation(_DATA['approx_after'])}(?!\w)")
_MEASURE_RE = re.compile(rf"\s*(?:من\s+)?(?P<u>{alternation(MEASURES)})(?!\w)")

_APPROX_AFTER_KEYS = [tuple(normalize_key(p).split()) for p in _DATA["approx_after"]]
_APPROX_WORDS = frozenset(w for p in _DATA["approx_before"] for w in normalize_key(p).split())
_START_WORDS = set(_NUM_WORDS) | {normalize_key(k).split()[0] for k in _DATA["vague"]}
_ANCHORS = frozenset(_START_WORDS | {c + w for w in _START_WORDS for c in "وبل"})

_CAS = _DATA["casualties"]
_AFTER_NUMBER = {kind: key_set(ws) for kind, ws in _CAS["after_number"].items()}
_BEFORE_NUMBER = {kind: key_set(ws) for kind, ws in _CAS["before_number"].items()}
_NOT_PEOPLE = key_set(_CAS["not_people"])
_IN_IT = key_set(_CAS["in_it"])
_ONE_KILLED = frozenset(tuple(normalize_key(w) for w in p.split()) for p in _CAS["one_killed"])
_ONE_KILLED_FIRST = frozenset(p[0] for p in _ONE_KILLED)  # the few tokens worth a second look
# a word -> the first kind (in the file's order) whose list holds it: one lookup a word tried
# (0.08 us), not a generator over the kinds' sets (0.61 us)
_AFTER_PHRASE = {w: kind for kind, ws in reversed(_CAS["after_phrase"].items()) for w in key_set(ws)}
_DUALS = {kind: key_set(w.split()[0] for w in ws) for kind, ws in _CAS["duals"].items()}
_PERSON_ONE = key_set(_DATA["persons"]["singular"])
_PERSON_TWO = key_set(w.split()[0] for w in _DATA["persons"]["dual"])
_MAX_PHRASE = int(_DATA["max_phrase_words"])
_MAX_SUBJECT = int(_DATA["max_subject_words"])
# a dual noun that is a subject on its own ("جنديين قتلا"); "مسلحين اثنين" needs its number
_DUAL_SUBJECTS = key_set(w for w in _DATA["persons"]["dual"] if " " not in w)
_FOUND_DEAD = key_set(["لقي", "لقوا", "لقيت", "لقين"])
# "... بين قتيل وجريح" right after a toll (its counted noun, a partitive group between, no other
# figure nor item joined by و): the dead and wounded together
_MIXED_RE = re.compile(
    r"\s*(?:[^\s\dو]\S*\s+){0,3}?(?:ما\s+)?بين\s+(?:قتيل|قتلى|شهيد|شهداء)\s+و(?:جريح|جرحى|مصاب|مصابين)(?!\w)"
)
# words between a toll's count and a count "و" joins to it: the counted noun and one describing it
_JOIN_GAP = 2
# tokens from a figure to the next figure joined to it as a second subject ("25 مقاتلا على الأقل من
# الفصائل المسلحة السورية وثمانية ...": the counted noun and a partitive group of up to three words
# between, an approximation not counted)
_JOIN_SUBJECT = 6
# "57 مدنيا بينهم 12 طفلا و6 نساء": the figures after it are part of the one before
_PART_OF = frozenset({"بينهم", "منهم", "بينهن", "منهن", "بينها", "منها"})
_STOP_RE = re.compile(r"[.!?;:\u061f\u061b\n]")
# words that carry a casualty count on their own or with a following person noun
_LONE = frozenset(set().union(*_DUALS.values(), *_BEFORE_NUMBER.values()))

# Where a figure may begin (an anchor word, a key ending in a digit) and the lone words, tagged by
# the match stage: a document's are read from its tags. A lone word is tagged by any of its
# readings, more than the norm or base the stage tests, which it then tests on those few.
_ANCHOR_WORDS = word_set("numbers.anchors", _ANCHORS)
_DIGIT_END = Lexicon.where("numbers.digit_end", lambda w: w.norm[-1:].isdigit())
_LONE_WORDS = word_set("numbers.lone", _LONE, ANY)

NumberHit = tuple[int, int, dict[str, Any]]


def _as_number(x: float) -> int | float:
    return int(x) if float(x).is_integer() else x


def _base(v: int) -> int:
    return 10 ** (len(str(v)) - 1)


def words_value(words: list[str]) -> int:
    """Value of a chain of number words: "خمسة وعشرين" = 25, "ثلاثة آلاف" = 3000."""
    total = cur = 0
    prev_unit = False
    for w in map(normalize_key, words):
        if w.startswith("و") and w not in _NUM_WORDS:
            w = w[1:]
        if w in TEEN and prev_unit:
            cur += 10
            prev_unit = False
            continue
        if w in UNITS:
            cur += UNITS[w]
            prev_unit = UNITS[w] < 10
            continue
        prev_unit = False
        if w in TENS:
            cur += TENS[w]
        elif w in HUNDREDS:
            v = HUNDREDS[w]
            cur = cur * 100 if v == 100 and 0 < cur < 10 else cur + v
        elif w in MULTIPLIERS:
            v = MULTIPLIERS[w]
            cur = v if cur == 0 else cur * _base(v)
            total += cur
            cur = 0
    return total + cur


def _number_attrs(m: re.Match[str]) -> dict[str, Any] | None:
    approx = bool(m.group("ap") or m.group("ap2"))
    if m.group("dg") is not None:
        raw = m.group("dg").replace(",", "").replace("\u066c", "").replace("\u066b", ".")
        value: float = float(raw)
        if m.group("mul"):
            value *= _base(MULTIPLIERS[re.sub(r"\s+", " ", m.group("mul"))])
        return {"value": _as_number(value), "approx": approx, "vague": False}
    if m.group("vg") is not None:
        return {"value": VAGUE[re.sub(r"\s+", " ", m.group("vg"))], "approx": approx, "vague": True}
    value = words_value(m.group("wd").split())
    return {"value": value, "approx": approx, "vague": False} if value else None


def _covered(start: int, end: int, taken: list[tuple[int, int]]) -> bool:
    return any(s < end and start < e for s, e in taken)


def find_numbers(
    text: str,
    tokens: list[Token] | None = None,
    exclude: list[tuple[int, int]] | None = None,
    matches: Matches | None = None,
) -> tuple[list[NumberHit], list[NumberHit]]:
    """``(numbers, casualties)`` of ``text`` as ``(start, end, attrs)``; ``exclude`` are ranges
    (dates) where no number is read; ``matches`` those of ``tokens`` when the match stage has
    made them (with this stage's lexicons)."""
    if tokens is None:
        tokens, matches = tokenize(text), None
    exclude = exclude or []
    view = folded(text)
    key = view.key
    norms = [t.norm for t in tokens]
    numbers: list[NumberHit] = []
    spans: list[tuple[int, int, int, dict[str, Any]]] = []  # first token, end token, end, attrs
    pos = 0
    for i in words_in(tokens, matches, _ANCHOR_WORDS, _DIGIT_END):
        if tokens[i].start < pos:
            continue
        j = i
        while j > 0 and i - j < 5 and norms[j - 1] in _APPROX_WORDS:
            j -= 1
        for k in range(j, i + 1):
            m = NUMBER_RE.match(key, view.to_key(tokens[k].start))
            if m is None or view.end(m.end()) <= tokens[i].start:
                continue
            start, end = view.start(m.start()), view.end(m.end())
            attrs = _number_attrs(m)
            if attrs is None or _covered(start, end, exclude):
                break
            if not attrs["approx"] and _APPROX_AFTER_RE.match(key, m.end()):
                attrs["approx"] = True
            u = _MEASURE_RE.match(key, m.end())
            attrs["unit"] = MEASURES[re.sub(r"\s+", " ", u.group("u"))] if u else None
            numbers.append((start, end, attrs))
            e = i
            while e < len(tokens) and tokens[e].start < end:
                e += 1
            spans.append((k, e, end, attrs))
            pos = end
            break
    return numbers, _casualties(text, tokens, norms, spans, matches)


def _kind_of(tok: Token, table: dict[str, frozenset[str]]) -> str | None:
    for kind, words in table.items():
        if tok.norm in words or tok.base in words:
            return kind
    return None


def _subject_verb(
    text: str, tokens: list[Token], norms: list[str], first: int, used: set[int]
) -> tuple[int, str] | None:
    """The casualty verb a few words after a counted subject, and its kind. Not one with an
    object (a number or a person noun right after it): then the subject did the killing."""
    n = len(tokens)
    for c in range(first, min(n, first + _MAX_SUBJECT + 1)):
        if _STOP_RE.search(text, tokens[c - 1].end, tokens[c].start):
            return None
        kind = _AFTER_PHRASE.get(norms[c])
        if kind is None:
            continue
        if c in used:
            return None
        nxt = c + 1
        if nxt < n and (
            norms[nxt] in _ANCHORS
            or norms[nxt][-1:].isdigit()
            or tokens[nxt].base in _PERSON_ONE
            or norms[nxt] in _PERSON_TWO
        ):
            return None
        return c, kind
    return None


def _headcount(attrs: dict[str, Any]) -> int:
    """A number's value as people: "1.5 ألف" is 1500."""
    return attrs["value"] if isinstance(attrs["value"], int) else int(attrs["value"])


def _joined(
    text: str,
    tokens: list[Token],
    norms: list[str],
    number_at: dict[int, tuple[int, dict[str, Any]]],
    last: int,
) -> tuple[int, int]:
    """The people a toll adds by "و" ("مقتل ضابط ومجند", "قتل 4 مدنيين و3 مسلحين"): how many, and
    the toll's new last token. Only the counted noun and one word describing it may come between;
    anything else ends the toll ("مقتل 5 مدنيين وإصابة 20", "بينهم طفلان")."""
    n, added, k, loose = len(tokens), 0, last + 1, _JOIN_GAP
    while k < n:
        word = norms[k]
        gap = text[tokens[k - 1].end : tokens[k].start].strip()
        # a comma only before the next figure: "مقتل 42 حوثيا على الأقل، و9 من المقاومة"
        if gap and not (gap in ",،" and word.startswith("و") and (k + (word == "و")) in number_at):
            break
        approx = next((len(p) for p in _APPROX_AFTER_KEYS if tuple(norms[k : k + len(p)]) == p), 0)
        if approx:
            k += approx  # "على الأقل" after the counted noun is no word between
            continue
        if not word.startswith("و"):
            if loose == 0 or word in _ANCHORS:
                break
            loose, k = loose - 1, k + 1
            continue
        at = k + 1 if word == "و" else k  # "و3 مجندين" is two tokens, "وثلاثة" one
        rest = word[1:]
        if at in number_at:
            b, attrs = number_at[at]
            if b >= n or norms[b] in _NOT_PEOPLE or tokens[b].base in _NOT_PEOPLE or attrs["vague"]:
                break
            if _kind_of(tokens[b], _AFTER_NUMBER) not in (None, "killed"):
                break  # "مقتل 10 أشخاص و15 جريحا": the wounded are a toll of their own
            added += _headcount(attrs)
            last, k = b, b + 1
        elif rest in _PERSON_ONE or rest in _PERSON_TWO:
            added += 1 if rest in _PERSON_ONE else 2
            last, k = k, k + 1
        else:
            break
        loose = _JOIN_GAP - 1
    return added, last


def _casualties(
    text: str,
    tokens: list[Token],
    norms: list[str],
    spans: list[tuple[int, int, int, dict[str, Any]]],
    matches: Matches | None = None,
) -> list[NumberHit]:
    out: list[NumberHit] = []
    used: set[int] = set()  # token indices of casualty words already bound
    n = len(tokens)

    number_at = {a: (b, attrs) for a, b, _end, attrs in spans}
    counted: set[int] = set()  # number starts already in a toll

    def joined_to(a: int, k: int) -> bool:
        """Is the figure at token ``k`` joined by "و" to the subject figure at ``a``, no "بينهم"
        (a part of the one before, not another side) between?"""
        lo, hi = min(a, k), max(a, k)
        # "وخمسة", "و 11": the conjunction, not a number word that begins with و ("أسرة واحدة")
        conjunction = norms[hi].startswith("و") and norms[hi] not in _NUM_WORDS or norms[hi - 1] == "و"
        return conjunction and not any(norms[j] in _PART_OF for j in range(lo, hi))

    def words_between(lo: int, hi: int) -> int:
        """Tokens from ``lo`` to ``hi``, an approximation after the count ("على الأقل") not counted."""
        n_approx = sum(
            len(p) for k in range(lo, hi) for p in _APPROX_AFTER_KEYS if tuple(norms[k : k + len(p)]) == p
        )
        return hi - lo - n_approx

    def coordinated(a: int, verb: int) -> tuple[int, int]:
        """The figures joined by "و" to the subject figure at ``a`` of a casualty verb: "12 متشددا
        وخمسة مدنيين قتلوا", "25 مقاتلا من الفصائل وثمانية من مقاتلي التنظيم قتلوا" count both
        sides (FORMAT.md sums them); "57 مدنيا بينهم 12 طفلا و6 نساء قتلوا" counts the 57 the
        others are part of. Returns the toll's first token and its count."""
        first, total = a, _headcount(number_at[a][1])
        for k in [k for k in number_at if a < k < verb and k not in counted]:
            if joined_to(a, k):
                counted.add(k)
                total += _headcount(number_at[k][1])
        while True:
            prev = max((k for k in number_at if k < first and k not in counted), default=None)
            if prev is None or words_between(number_at[prev][0], first) > _JOIN_SUBJECT:
                return first, total
            if norms[first - 1] in _PART_OF and first - number_at[prev][0] <= 2:
                counted.add(prev)
                return prev, _headcount(number_at[prev][1])  # the whole, not its parts
            if not joined_to(prev, first):
                return first, total
            counted.add(prev)
            total += _headcount(number_at[prev][1])
            first = prev

    def add(
        first: int,
        last: int,
        kind: str,
        attrs: dict[str, Any],
        word: int,
        join: bool = False,
        subject: bool = False,
        figure: int | None = None,
    ) -> None:
        used.add(word)
        if figure is not None:
            counted.add(figure)  # the figure's toll is this one: no second subject of another
        if kind == "killed" and _MIXED_RE.match(text, tokens[last].end):
            # "سقوط 20 بين قتيل وجريح", "سقوط 20 من ميليشيات الحوثي بين قتيل وجريح": the dead and the
            # wounded together, no death toll
            return
        count = _headcount(attrs)
        if join:
            more, last = _joined(text, tokens, norms, number_at, last)
            count += more
        if subject:  # the figure is the subject of the verb at ``last``
            first, count = coordinated(first, last)
        out.append(
            (
                tokens[first].start,
                tokens[last].end,
                {"count": count, "kind": kind, "approx": attrs["approx"], "vague": attrs["vague"]},
            )
        )

    for a, b, _end, attrs in spans:
        if a in counted:
            continue  # joined to the toll of a figure before it
        nxt = b + 1 if b < n and norms[b] == "من" else b
        # "32 قتيلا"; not "مقتل 5 وإصابة 7", where "و" opens the next toll
        if nxt < n and not norms[nxt].startswith("و") and (kind := _kind_of(tokens[nxt], _AFTER_NUMBER)):
            add(a, nxt, kind, attrs, nxt, figure=a)
            continue
        counts_things = b < n and (norms[b] in _NOT_PEOPLE or tokens[b].base in _NOT_PEOPLE)
        # "مقتل 5", and "قتل فيه 5" with "in it" between
        w = a - 2 if a > 1 and norms[a - 1] in _IN_IT else a - 1
        if w >= 0 and not counts_things and (kind := _kind_of(tokens[w], _BEFORE_NUMBER)) and w not in used:
            add(w, b - 1, kind, attrs, w, join=True, figure=a)
            continue
        # "لقي 6 أشخاص مصرعهم", "ستة من مقاتلي المعارضة ... لقوا مصرعهم"
        opener = a > 0 and norms[a - 1] in _FOUND_DEAD
        if opener or (b < n and norms[b] == "من"):
            for c in range(b, min(n, b + _MAX_PHRASE)):
                if _STOP_RE.search(text, tokens[c - 1].end, tokens[c].start):
                    break
                kind = _AFTER_PHRASE.get(norms[c])
                if kind and c not in used:
                    add(a - 1 if opener else a, c, kind, attrs, c, subject=not opener, figure=a)
                    break
        elif b < n and not counts_things:
            # "خمسة جنود على الأقل قتلوا": the counted noun, then the verb whose subject it is
            hit = _subject_verb(text, tokens, norms, b + 1, used)
            if hit is not None:
                add(a, hit[0], hit[1], attrs, hit[0], subject=True, figure=a)
    # "جنديين قتلا": a dual noun as the subject of the verb. Such nouns, and the first words of
    # "one killed" phrases below, are in one article in fifty: a set test in C skips the scan of
    # every token otherwise.
    duals = (
        [] if _DUAL_SUBJECTS.isdisjoint(norms) else [i for i, w in enumerate(norms) if w in _DUAL_SUBJECTS]
    )
    for i in [i for i in duals if i not in used]:
        if i > 0 and _kind_of(tokens[i - 1], _BEFORE_NUMBER):
            continue  # "مقتل جنديين": read below
        hit = _subject_verb(text, tokens, norms, i + 1, used)
        if hit is not None:
            add(i, hit[0], hit[1], {"value": 2, "approx": False, "vague": False}, hit[0])
    for i in [
        i
        for i in words_in(tokens, matches, _LONE_WORDS)
        if tokens[i].norm in _LONE or tokens[i].base in _LONE
    ]:
        tok = tokens[i]
        if i in used:
            continue
        kind = _kind_of(tok, _DUALS)
        if kind:
            add(i, i, kind, {"value": 2, "approx": False, "vague": False}, i)
            continue
        kind = _kind_of(tok, _BEFORE_NUMBER)
        if kind and i + 1 < n:
            nb = tokens[i + 1].base
            if nb in _PERSON_ONE or tokens[i + 1].norm in _PERSON_ONE:
                add(i, i + 1, kind, {"value": 1, "approx": False, "vague": False}, i, join=True)
            elif nb in _PERSON_TWO or tokens[i + 1].norm in _PERSON_TWO:
                add(i, i + 1, kind, {"value": 2, "approx": False, "vague": False}, i, join=True)
    one_killed = (
        []
        if _ONE_KILLED_FIRST.isdisjoint(norms)
        else [i for i, w in enumerate(norms[:-1]) if w in _ONE_KILLED_FIRST]
    )
    for i in one_killed:
        if (norms[i], norms[i + 1]) in _ONE_KILLED and i not in used and i + 1 not in used:
            add(i, i + 1, "killed", {"value": 1, "approx": False, "vague": False}, i)
    out.sort()
    return out


@component(
    "numbers",
    requires=["tokens", "date"],
    assigns=[
        Label(
            "number",
            "",
            {
                "value": (int | float, "a lower bound when vague"),
                "approx": (bool, ""),
                "vague": (bool, ""),
                "unit": (str | None, "`km`/`m`/`usd`/`percent`/`year`/..."),
            },
        ),
        Label(
            "casualties",
            "",
            {
                "count": (int | None, "the lower bound when vague"),
                "kind": (str, "`killed`/`injured`"),
                "approx": (bool, ""),
                "vague": (bool, ""),
            },
        ),
    ],
)
def make_numbers() -> object:
    def numbers(doc: Document) -> Document:
        dates = [(s.start, s.end) for s in doc.spans if s.label == "date"]
        nums, cas = find_numbers(doc.clean, doc.tokens or None, dates, doc.matches)
        for start, end, attrs in nums:
            doc.add(start, end, "number", **attrs)
        for start, end, attrs in cas:
            doc.add(start, end, "casualties", **attrs)
        return doc

    numbers.lexicons = [_ANCHOR_WORDS, _DIGIT_END, _LONE_WORDS]  # type: ignore[attr-defined]  # compiled by the match stage
    return numbers
