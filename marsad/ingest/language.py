"""Language and size check: only Arabic articles of a workable size go further.

A letter count is enough to tell Arabic news from English pages, menus and empty scrapes, and it
costs a tenth of a millisecond where a language-identification model would cost far more. Each
reason starts with a short category before the first colon, which the run summary counts; an
empty text, a fault of the input like the readers' (an empty field, a blank file), names where it
was read as theirs do: "empty text at news.jsonl:12: ...".
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from typing import Any

from marsad.document import Document
from marsad.ingest.identity import where
from marsad.pipeline import component
from marsad.text.normalize import runs_of

# Arabic letters (not digits, punctuation or diacritics), including the extended and
# presentation-form blocks that some scraped pages still use.
ARABIC_LETTERS = (
    "\u0620-\u064a\u066e\u066f\u0671-\u06d3\u06d5\u06ee\u06ef\u06fa-\u06fc\u06ff"
    "\u0750-\u077f\u08a0-\u08c9\ufb50-\ufdfb\ufe70-\ufefc"
)
_ARABIC = runs_of(f"[{ARABIC_LETTERS}]")
_LETTERS = re.compile(r"[^\W\d_]+")


@cache
def _arabic_table() -> Any:
    """Whether each code point of the Basic Multilingual Plane is one of :data:`ARABIC_LETTERS`
    (a numpy bool array), read from its ranges; made on first use, with numpy (which dedup's
    fingerprint has imported by then), so that importing this module costs nothing more."""
    import numpy as np

    table = np.zeros(0x10000, dtype=np.bool_)
    for first, last in re.findall(r"(.)(?:-(.))?", ARABIC_LETTERS, re.S):
        table[ord(first) : ord(last or first) + 1] = True
    return table


def letter_counts(text: str) -> tuple[int, int]:
    """(Arabic letters, other letters) in ``text``.

    The Arabic letters are cut out by a table look-up of each UTF-16 code unit in numpy, in less
    than half the time of the regex, which tests every character against its class; the others
    are counted by the regex in what is left, a quarter of an Arabic article. A text with a
    character beyond the BMP (two code units: an emoji) or a lone surrogate takes the regex for
    both."""
    try:
        raw = text.encode("utf-16-le")
    except UnicodeEncodeError:
        raw = b""
    if len(raw) == 2 * len(text):
        import numpy as np

        units = np.frombuffer(raw, dtype="<u2")
        rest = units[~_arabic_table()[units]].tobytes().decode("utf-16-le")
    else:
        rest = _ARABIC.sub("", text)
    return len(text) - len(rest), sum(map(len, _LETTERS.findall(rest)))


@component(
    "language", assigns=["meta.arabic_share"], note="(quarantines empty, short, non-Arabic, oversize texts)"
)
def make_language(
    min_arabic_letters: int = 20,
    min_arabic_share: float = 0.5,
    max_chars: int = 1_000_000,
    sample_chars: int = 20_000,
) -> Callable[[Document], Document]:
    """Quarantine empty, too short, non-Arabic and oversize texts.

    The share is measured on the first ``sample_chars`` characters: a long article does not change
    language half-way, and a bounded sample keeps the check fast on very long texts."""

    def language(doc: Document) -> Document:
        text = doc.clean
        if not text.strip():
            return doc.reject(f"empty text at {where(doc)}: nothing left after cleaning")
        if len(text) > max_chars:
            return doc.reject(f"oversize: {len(text):,} characters > {max_chars:,}")
        arabic, other = letter_counts(text[:sample_chars])
        share = arabic / (arabic + other) if arabic + other else 0.0
        if share < min_arabic_share and arabic + other >= min_arabic_letters:
            return doc.reject(f"not Arabic: {share:.0%} of letters Arabic < {min_arabic_share:.0%}")
        if arabic < min_arabic_letters:
            return doc.reject(f"too short: {arabic} Arabic letters < {min_arabic_letters}")
        doc.meta["arabic_share"] = round(share, 3)
        return doc

    return language
