"""Cleaning: each rule, the shared raw sample, idempotence and offsets that map back."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from marsad.document import Document
from marsad.ingest import clean
from marsad.ingest.clean import CONTROLS, RULES, clean_text, make_clean, unescape_entities
from marsad.ingest.language import make_language
from marsad.ingest.readers import read
from marsad.text.normalize import variants

ROOT = Path(__file__).resolve().parents[1]
BODY = "قال المرصد السوري إن غارة جوية قتلت ثلاثة مدنيين في بلدة كفرنبودة."

clean_component = make_clean()


def run(text: str, title: str | None = None) -> Document:
    return clean_component(Document(id="t", text=text, title=title))


def rules_used(doc: Document) -> set[str]:
    return {r["rule"] for r in doc.meta.get("cleaning", [])}


_CONTROL_RE = re.compile(f"[{CONTROLS}]")


def fold(original: str) -> str:
    """What a stretch of the original reads as once entities and invisible characters are gone."""
    return _CONTROL_RE.sub("", unescape_entities(_CONTROL_RE.sub("", original)))


def assert_words_map_back(doc: Document) -> None:
    for m in re.finditer(r"\S+", doc.clean):
        s, e = doc.original_range(*m.span())
        assert fold(doc.text[s:e]) == m.group(), (m.group(), doc.text[s:e])


# -- one test per rule ------------------------------------------------------------------------------
def test_rule_list_is_named_and_ordered() -> None:
    assert [r.name for r in RULES] == [
        "html_entities",
        "invisible_controls",
        "ad_placeholders",
        "share_boilerplate",
        "dangling_source",
        "repeated_title",
        "whitespace",
    ]


def test_html_entities() -> None:
    doc = run("قال &quot;المرصد&quot; &amp;amp; &#1575;&#x644; &nbsp;إن &bogus; &amp")
    assert doc.clean == 'قال "المرصد" & ال إن &bogus; &amp'
    assert "html_entities" in rules_used(doc)
    s, e = doc.original_range(4, 5)
    assert doc.text[s:e] == "&quot;"


def test_invisible_controls() -> None:
    doc = run("\ufeffقال\u200f المرصد\u200b\u200b السوري\u202bإن\u202c")
    assert doc.clean == "قال المرصد السوريإن"
    assert "invisible_controls" in rules_used(doc)


def test_ad_placeholders() -> None:
    doc = run("عنوان\n\n[ad_1]\n\nنص أول[ad_2]نص ثان [AD_12]")
    assert doc.clean == "عنوان\n\nنص أول نص ثان"
    assert "[ad" not in doc.clean.lower()


def test_share_and_read_more_boilerplate() -> None:
    text = (
        f"{BODY}\n\nاقرأ أيضاً: مقتل قيادي في درعا\n\nوأضاف المرصد ...المزيد\n\n"
        "شارك\n\n• Share this\n\nإقرأ المزيد...\n\nشارك مئات المتظاهرين في المسيرة."
    )
    doc = run(text)
    assert doc.clean == f"{BODY}\n\nوأضاف المرصد\n\nشارك مئات المتظاهرين في المسيرة."
    assert rules_used(doc) == {"share_boilerplate"}


def test_dangling_source_label() -> None:
    assert run(f"{BODY}\n\nالمصدر").clean == BODY
    assert run(f"{BODY}\nالمصدر:\n\nSource \n").clean == BODY
    assert run(f"{BODY}\n\nالمصدر: وكالة الأنباء").clean.endswith("المصدر: وكالة الأنباء")
    assert run(f"ذكر المصدر\n\n{BODY}").clean.startswith("ذكر المصدر")


def test_repeated_title_sets_missing_title() -> None:
    doc = run(f"عنوان الخبر\n\nعنوان  الخبر\n\n{BODY}")
    assert doc.clean == f"عنوان الخبر\n\n{BODY}"
    assert doc.title == "عنوان الخبر"
    (span,) = doc.spans_of("title")
    assert doc.span_text(span) == "عنوان الخبر" and span.attrs == {"rule": "repeated_title"}


def test_known_title_repeated_as_first_lines() -> None:
    doc = run(f"عنوان\nعنوان\nعنوان\n{BODY}", title="عنوان")
    assert doc.clean == f"عنوان\n{BODY}"
    assert doc.spans_of("title")[0].end == len("عنوان")
    other = run(f"سطر آخر\n\nسطر آخر\n\n{BODY}", title="عنوان")
    assert other.clean == f"سطر آخر\n\n{BODY}" and other.title == "عنوان" and not other.spans_of("title")


def test_whitespace() -> None:
    doc = run("  قال\t\u00a0المرصد  \r\n\r\n\r\nإن   غارة\r\nقتلت\u2028\u2028ثلاثة  \n")
    assert doc.clean == "قال المرصد\n\nإن غارة\nقتلت\n\nثلاثة"
    assert "whitespace" not in rules_used(doc)  # collapsing is not recorded: it removes nothing


def test_cleaning_record_points_into_the_original() -> None:
    doc = run(f"عنوان\n\nعنوان\n\n[ad_1]\n\n{BODY}\n\nالمصدر")
    found = {r["rule"]: doc.text[r["original_start"] : r["original_end"]] for r in doc.meta["cleaning"]}
    assert found["ad_placeholders"] == "[ad_1]"
    assert found["dangling_source"].strip() == "المصدر"
    assert found["repeated_title"].strip() == "عنوان"


def test_component_is_idempotent_on_a_document() -> None:
    doc = run(f"عنوان\n\nعنوان\n\n{BODY}  [ad_1]")
    clean, spans = doc.clean, list(doc.spans)
    again = clean_component(doc)
    assert again.clean == clean and again.spans == spans
    assert_words_map_back(again)


def test_oversize_text_is_left_for_the_language_stage() -> None:
    comp = make_clean(max_chars=10)
    doc = comp(Document(id="big", text="  " + BODY))
    assert doc.clean == doc.text
    assert make_language(max_chars=10)(doc).quarantine.startswith("oversize")


# -- the shipped sample and the shared raw article -------------------------------------------------
def _check_scraped(doc: Document) -> None:
    assert "[ad_" not in doc.clean
    assert doc.title and doc.clean.count(doc.title) == 1
    assert not doc.clean.rstrip().endswith("المصدر")
    assert doc.spans_of("title")[0].start == 0
    assert_words_map_back(doc)
    for m in re.finditer(r"\S+", doc.clean):  # no entities or controls here: exact characters
        s, e = doc.original_range(*m.span())
        assert doc.text[s:e] == m.group()


def test_shipped_sample() -> None:
    (doc,) = read([str(ROOT / "examples" / "sample-ar.txt")])
    doc = clean_component(doc)
    _check_scraped(doc)
    assert "مساء الأربعاء" in doc.clean and "2011" in doc.clean


def test_shared_raw_sample(shared: Path) -> None:
    (doc,) = read([str(shared / "corpus" / "raw" / "000_c05be448c3f228f0.txt")])
    doc = clean_component(doc)
    _check_scraped(doc)
    assert doc.title.startswith("الثوار السوريون")


# -- properties -------------------------------------------------------------------------------------
_PIECES = st.sampled_from(
    [
        "قال",
        "المرصد",
        "عنوان",
        " ",
        "  ",
        "\n",
        "\n\n",
        "\r\n",
        "\t",
        "\u00a0",
        "\u200b",
        "\u202b",
        "&amp;",
        "&#38;",
        "amp;",
        "lt;",
        "&",
        "&nbsp;",
        "[ad_1]",
        "[ad_",
        "1]",
        "المصدر",
        "Source",
        "شارك",
        "اقرأ أيضا",
        "...المزيد",
        ":",
        "x",
    ]
)
_TEXTS = st.one_of(st.lists(_PIECES, max_size=30).map("".join), st.text(max_size=120))


@settings(max_examples=300, deadline=None)
@given(text=_TEXTS, title=st.one_of(st.none(), st.sampled_from(["عنوان", "قال المرصد"])))
def test_cleaning_is_idempotent(text: str, title: str | None) -> None:
    once = clean_text(text, title)
    assert clean_text(once.text, once.title).text == once.text
    assert clean_text(once.text).text == once.text


@settings(max_examples=300, deadline=None)
@given(text=_TEXTS)
def test_offsets_always_map_back(text: str) -> None:
    doc = run(text)
    assert len(doc.offsets) == len(doc.clean)
    assert_words_map_back(doc)
    for i in range(len(doc.clean)):
        s, e = doc.original_range(i, i + 1)
        assert 0 <= s <= e <= len(doc.text)


_MARK_CHARS = "\u064b\u064c\u064d\u064e\u064f\u0650\u0651\u0652\u0670\u0640"


def _unfolded(phrases: list[str]) -> str:
    """The phrases' alternation over the text as it is (the oracle): each letter a class of all
    its variants, any marks after it; "..." two dots or more, or "…"."""
    alts = []
    for phrase in phrases:
        out = []
        for piece in re.split(r"(\.\.\.|…| )", phrase):
            if piece in ("...", "…"):
                out.append(r"(?:\.{2,}|…)")
            elif piece == " ":
                out.append(r"[^\S\n]+")
            for ch in piece if piece not in ("...", "…", " ") else "":
                letter = "\u0621" <= ch <= "\u064a"
                out.append(f"[{variants(ch)}][{_MARK_CHARS}]*" if letter else re.escape(ch))
        alts.append("".join(out))
    return "|".join(alts)


_H = r"[^\S\n]"
_ORACLE_LINE = re.compile(
    rf"(?i){_H}*[-–—•·*|»>]*{_H}*(?:{_unfolded(clean._PHRASES['line'])}){_H}*[:：.!…»]*{_H}*"
)
_ORACLE_PREFIX = re.compile(rf"(?i){_H}*(?:{_unfolded(clean._PHRASES['line_prefix'])})")
_SPELLINGS = {ch: variants(ch) for ch in "اأإآٱيىئیهةوؤكک"}


@settings(max_examples=400, deadline=None)
@given(
    st.sampled_from([p for ps in clean._PHRASES.values() for p in ps]),
    st.lists(st.tuples(st.integers(0, 4), st.text(_MARK_CHARS, max_size=2)), max_size=30),
    st.sampled_from(["", " ", "- ", "• ", "- • ", "x ", "\u064e"]),
    st.sampled_from(["", ":", " …", " x", "\u064e", "ـ"]),
)
def test_folding_changes_no_match(phrase: str, spelling: list, before: str, after: str) -> None:
    """On folded text the line and prefix patterns match what every spelling of a phrase
    (variant letters, any marks, either case) matches in the text itself, and nothing else."""
    chars = []
    for ch, (pick, marks) in zip(phrase, spelling + [(0, "")] * len(phrase), strict=False):
        same = _SPELLINGS.get(ch, ch + ch.swapcase())
        chars.append(same[pick % len(same)] + marks)
    line = before + "".join(chars) + after
    assert bool(clean._BOILER_LINE.fullmatch(clean.folded(line))) == bool(_ORACLE_LINE.fullmatch(line))
    assert bool(clean._BOILER_PREFIX.match(clean.folded(line))) == bool(_ORACLE_PREFIX.match(line))


def test_phrase_classes_compile_at_once() -> None:
    """Every Arabic character class of the phrase patterns spans two runs of code points or
    fewer: with a third, ``re`` builds a 64 KB table for it at every start-up."""
    for pattern in (clean._BOILER_LINE, clean._BOILER_PREFIX, clean._BOILER_SUFFIX, clean._SOURCE_LABEL):
        for body in re.findall(r"\[([^\]\\^]+)\]", pattern.pattern):
            points = sorted(
                {p for a, b in re.findall(r"(.)(?:-(.))?", body) for p in range(ord(a), ord(b or a) + 1)}
            )
            runs = 1 + sum(b - a > 1 for a, b in itertools.pairwise(points))
            assert runs <= 2 or not 0x600 <= points[-1] < 0x700, body
