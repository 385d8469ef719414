"""Arabic normalisation for matching only; the stored text is never overwritten.

``normalize`` keeps the string length unchanged (one character in, one character out, removed
characters become nothing only in ``normalize_key``), so offsets found on the normalised clean
text are offsets in the clean text.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from typing import Any

DIACRITICS = "\u064b\u064c\u064d\u064e\u064f\u0650\u0651\u0652\u0653\u0654\u0655\u0656\u0657\u0658\u0670"
TATWEEL = "\u0640"

# One-to-one character folds: same length out as in, so offsets survive.
_FOLD = {
    "أ": "ا",
    "إ": "ا",
    "آ": "ا",
    "ٱ": "ا",
    "ة": "ه",
    "ى": "ي",
    "ؤ": "و",
    "ئ": "ي",
    "ی": "ي",  # Persian yeh
    "ک": "ك",  # Persian kaf
    "،": ",",
    "؛": ";",
    "؟": "?",
    "“": '"',
    "”": '"',
    "«": '"',
    "»": '"',
    "„": '"',
    "‘": "'",
    "’": "'",
}
for _i, _d in enumerate("٠١٢٣٤٥٦٧٨٩"):
    _FOLD[_d] = str(_i)
for _i, _d in enumerate("۰۱۲۳۴۵۶۷۸۹"):
    _FOLD[_d] = str(_i)


def runs_of(char_class: str) -> re.Pattern[str]:
    """A pattern for runs of ``char_class`` (``"[...]"``), spelt ``[...][...]*`` and not ``[...]+``.

    The two match the same, but only a pattern that opens with a character class lets the regex
    engine's search skip ahead to the next character of the class; one that opens with a repeat
    is tried at every position, two to three times slower where the runs are rare."""
    return re.compile(f"{char_class}{char_class}*")


def _code_points(mapping: dict[str, str | None]) -> list[int | str | None]:
    """A ``str.translate`` table as a list indexed by code point, up to the last one mapped.

    With a dict, ``translate`` raises and clears a KeyError for every character the dict lacks
    (most letters of a word); a list answers every one, and a character past its end (an
    IndexError, a LookupError) is kept as the dict would keep it: ``normalize_key`` three times
    faster, 28,000 calls at every start."""
    table: list[int | str | None] = list(range(max(map(ord, mapping)) + 1))
    for ch, to in mapping.items():
        table[ord(ch)] = to
    return table


_STRIP_TABLE = _code_points({**_FOLD, **{c: None for c in DIACRITICS + TATWEEL}})
_MARK_CHARS = DIACRITICS + TATWEEL


_PAIRS = tuple(_FOLD.items())
_CLASSES: dict[str, str] = {}
for _a, _b in _FOLD.items():
    _CLASSES[_b] = _CLASSES.get(_b, _b) + _a


def variants(ch: str) -> str:
    """Every character that folds like ``ch`` (itself included): "ا" -> "اأإآٱ"; for patterns."""
    return _CLASSES.get(_FOLD.get(ch, ch), ch)


def marks(text: str, chars: str) -> list[int]:
    """The offsets in ``text`` of any of ``chars``, in order: a scan per character in C's
    ``find`` costs a quarter to a half of a regular expression's class, which tests every
    character of the text against the class in turn."""
    out: list[int] = []
    for c in chars:
        i = text.find(c)
        while i >= 0:
            out.append(i)
            i = text.find(c, i + 1)
    out.sort()
    return out


def normalize(text: str) -> str:
    """Fold letter variants, digits and punctuation one character for one, so offsets stay valid.

    Diacritics and tatweel are kept here (removing them would shift offsets); ``normalize_key``
    drops them for dictionary keys. A chain of C-level ``str.replace`` calls is about twenty
    times faster than ``str.translate`` with a dict table on article-sized Arabic text."""
    for a, b in _PAIRS:
        if a in text:
            text = text.replace(a, b)
    return text


def normalize_key(text: str) -> str:
    """The matching key of a word or name: folded, without diacritics or tatweel."""
    return text.translate(_STRIP_TABLE)


def key_map(table: dict[str, Any]) -> dict[str, Any]:
    """A word table keyed by ``normalize_key``."""
    return {normalize_key(k): v for k, v in table.items()}


def key_set(words: Iterable[str]) -> frozenset[str]:
    """Words as a set of ``normalize_key`` keys."""
    return frozenset(normalize_key(w) for w in words)


def alternation(words: Iterable[str]) -> str:
    """A regex alternation of folded words and phrases for patterns over ``Folded.key``: longest
    first, a space matching any run of white space."""
    keys = sorted({normalize_key(w) for w in words}, key=len, reverse=True)
    return "(?:" + "|".join(re.escape(k).replace(r"\ ", r"\s+") for k in keys) + ")"


class Folded:
    """``normalize_key`` of a whole text plus the way back to its offsets.

    Regexes for dates, numbers and clitics are simpler and faster on letters alone (no
    diacritics or tatweel in the way); ``start``/``end`` map a match on ``key`` back to offsets
    in the text it was built from. Marks are rare, so the map is a short sorted list of cut
    points searched with bisect, not a per-character array.
    """

    __slots__ = ("norm", "key", "_cuts", "_marks")

    def __init__(self, text: str) -> None:
        self.norm = normalize(text)  # all the sentences stage reads, before the dates stage

    def __getattr__(self, name: str) -> Any:
        """The key and the marks' offsets, made when first read (slots unset until then)."""
        if name not in ("key", "_cuts", "_marks"):
            raise AttributeError(name)
        norm = self.norm
        at = self._marks = marks(norm, _MARK_CHARS)
        self._cuts = [pos - k for k, pos in enumerate(at)]
        # the text between the marks, a slice each, where a regex would test every character
        pieces = zip([-1, *at], [*at, len(norm)], strict=True)
        self.key = "".join([norm[a + 1 : b] for a, b in pieces]) if at else norm
        return getattr(self, name)

    def start(self, i: int) -> int:
        """Offset in the source text of key character ``i``."""
        return i + bisect_right(self._cuts, i) if self._cuts else i

    def end(self, i: int) -> int:
        """Exclusive source offset for a key range ending (exclusive) at ``i``."""
        if not self._cuts:
            return i
        return self.start(i - 1) + 1 if i > 0 else 0

    def to_key(self, i: int) -> int:
        """Key offset of source offset ``i`` (the inverse of ``start``)."""
        return i - bisect_left(self._marks, i) if self._marks else i


_last: tuple[str, Folded] | None = None


def folded(text: str) -> Folded:
    """``Folded(text)``, reused while consecutive stages look at the same clean text."""
    global _last
    if _last is not None and _last[0] is text:
        return _last[1]
    view = Folded(text)
    _last = (text, view)
    return view
