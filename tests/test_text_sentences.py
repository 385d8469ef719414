"""Sentences, clauses and datelines on news-style text."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from marsad.document import Document
from marsad.pipeline import make
from marsad.text.sentences import _SCAN_RE


def _run(text: str) -> Document:
    return make("sentences")(Document(id="t", text=text))


def _texts(doc: Document, label: str) -> list[str]:
    return [doc.span_text(s) for s in doc.spans_of(label)]


def test_terminators_quotes_parentheses_decimals_and_abbreviations() -> None:
    doc = _run(
        "قال د. محمد إن 3.5 مليون نزحوا. وأضاف: «الوضع سيئ. والقصف مستمر» (في حلب. القديمة) أمس! هل؟ نعم"
    )
    assert _texts(doc, "sentence") == [
        "قال د. محمد إن 3.5 مليون نزحوا.",
        "وأضاف: «الوضع سيئ. والقصف مستمر» (في حلب. القديمة) أمس!",
        "هل؟",
        "نعم",
    ]


def test_paragraph_breaks_end_sentences() -> None:
    doc = _run("عنوان بلا نقطة\n\nأول جملة. ثانية")
    assert _texts(doc, "sentence") == ["عنوان بلا نقطة", "أول جملة.", "ثانية"]


def test_clauses_split_chained_sentences() -> None:
    doc = _run("قصف الطيران حلب، وقتل 5 أشخاص، فيما أصيب آخرون بجروح، كما دمرت منازل في الحي.")
    assert _texts(doc, "clause") == [
        "قصف الطيران حلب",
        "وقتل 5 أشخاص",
        "فيما أصيب آخرون بجروح",
        "كما دمرت منازل في الحي.",
    ]


def test_short_pieces_stay_in_their_clause() -> None:
    doc = _run("قال المرصد، وأضاف أن القصف استمر طوال الليل على الأحياء.")
    assert len(doc.spans_of("clause")) == 1


def test_datelines_are_merged_into_the_first_sentence() -> None:
    doc = _run("عمان (رويترز) - قال مسؤول إن القتال مستمر. وأضاف أن")
    (first, _second) = doc.spans_of("sentence")
    assert first.attrs["dateline"] is True and doc.span_text(first).startswith("عمان (رويترز) - قال")
    (dl,) = doc.spans_of("dateline")
    assert dl.attrs == {"place": "عمان", "agency": "رويترز"}

    doc = _run("بيروت: «الشرق الأوسط»\n\nشيع النظام السوري أمس جثمان اللواء. ثم")
    first = doc.spans_of("sentence")[0]
    assert first.attrs["dateline"] is True and "شيع النظام" in doc.span_text(first)
    assert doc.spans_of("dateline")[0].attrs["agency"] == "الشرق الأوسط"

    doc = _run("دمشق - قصف الطيران المدينة.")
    assert doc.spans_of("sentence")[0].attrs["dateline"] is True


def test_not_a_dateline() -> None:
    doc = _run("وقال المصدر - وهو ضابط - إن الهجوم فشل.")
    assert not doc.spans_of("dateline")
    doc = _run("قال المرصد: «قتل خمسة من العناصر في الهجوم على القرية»")
    assert not doc.spans_of("dateline")


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list('ابتجدرسعلمنهوي .،!?؟؛:«»“”"()[]-\n0123د')), max_size=300))
def test_spans_in_bounds_and_ordered(text: str) -> None:
    doc = _run(text)
    sentences = doc.spans_of("sentence")
    last = 0
    for s in sentences:
        assert last <= s.start < s.end <= len(text)
        last = s.end
    for c in doc.spans_of("clause"):
        assert any(s.start <= c.start and c.end <= s.end for s in sentences)


# The scanner's boundaries, written plainly: a newline run, a terminator run, a quote or bracket.
_PLAIN_SCAN = re.compile(r"\n\s*|[.!?\u061f\u2026]+|[«»“”()\[\]\"]")


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list('\n \t\r\u2028.!?؟…«»“”()[]"اب')), max_size=60))
def test_the_scanner_finds_the_plainly_written_boundaries(text: str) -> None:
    """The sentence scanner's faster spelling (one opening class, then the run it goes on with)
    finds what the plain alternation finds."""
    assert [m.span() for m in _SCAN_RE.finditer(text)] == [m.span() for m in _PLAIN_SCAN.finditer(text)]
