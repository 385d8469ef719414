"""Tokens, clitic candidates and the normalisation they rely on."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from marsad.document import Document
from marsad.pipeline import make
from marsad.text.normalize import Folded, normalize, normalize_key
from marsad.text.tokens import _MARKS, analyse, candidates, keys, tokenize
from marsad.text.tokens import word as analysis


def test_clitic_candidates_reach_the_base() -> None:
    assert "حمص" in candidates("وبحمص")
    assert "حلب" in candidates("لحلب")
    assert candidates("والرستن")[:3] == ["والرستن", "الرستن", "رستن"]
    assert "الغوطه" in candidates("بالغوطة")
    assert "المدينه" in candidates("للمدينة")


def test_candidates_are_longest_first_and_start_with_the_word() -> None:
    for word in ["وبحمص", "بالغوطة", "مصرعهم", "قواتها", "وسيقوم"]:
        cands = candidates(word)
        assert cands[0] == normalize_key(word)
        assert [len(c) for c in cands] == sorted((len(c) for c in cands), reverse=True)


def test_short_remainders_are_not_stripped() -> None:
    assert analyse("بلدة")[1] == "بلده"
    assert candidates("بلدة") == ["بلده"]
    assert analyse("مدينة")[1] == "مدينه"  # ta marbuta is not the pronoun ه
    assert analyse("اتجاه")[1] == "اتجاه"


def test_base_and_prefix() -> None:
    norm, base, prefix, _ = analyse("وبحمص")
    assert (norm, base, prefix) == ("وبحمص", "حمص", "وب")
    assert analyse("مصرعهم")[1] == "مصرع"
    assert analyse("والرستن")[1:3] == ("رستن", "وال")


def test_tokenize_offsets_and_numbers() -> None:
    text = "قُتل 3.5 ألف، وبحمص ٢٠ شخصاً."
    toks = tokenize(text)
    assert [t.text for t in toks] == ["قُتل", "3.5", "ألف", "وبحمص", "٢٠", "شخصاً"]
    for t in toks:
        assert text[t.start : t.end] == t.text
    assert toks[0].norm == "قتل" and toks[4].norm == "20"


def test_digits_never_glue_to_letters() -> None:
    """A missing space must not hide a place or a month inside a number's token."""
    text = "سقط 12 قتيلا في الموصل30 يوم 4يونيو2016"
    assert [t.text for t in tokenize(text)] == [
        "سقط",
        "12",
        "قتيلا",
        "في",
        "الموصل",
        "30",
        "يوم",
        "4",
        "يونيو",
        "2016",
    ]
    assert [t.text for t in tokenize("بلغ العدد 1,250 و3.5")] == ["بلغ", "العدد", "1,250", "و", "3.5"]


def test_component_fills_doc_tokens() -> None:
    doc = make("tokens")(Document(id="t", text="سيطر المقاتلون على بلدة وبحمص"))
    assert [t.base for t in doc.tokens][-1] == "حمص"


_TEXT = st.text(
    alphabet=st.sampled_from(list("ابتةجحدرسعفقكلمنهوىيأإآؤئ ،.«»“”٠١٢٣0129\u064b\u064e\u0651\u0640\nx")),
    max_size=200,
)


@settings(max_examples=300, deadline=None)
@given(_TEXT)
def test_normalisation_keeps_length_and_folded_maps_back(text: str) -> None:
    assert len(normalize(text)) == len(text)
    view = Folded(text)
    assert view.norm == normalize(text) and view.key == normalize_key(text)
    for i in range(len(view.key)):
        assert normalize_key(text[view.start(i)]) == view.key[i]
        assert view.to_key(view.start(i)) == i


@settings(max_examples=300, deadline=None)
@given(_TEXT)
def test_tokens_are_within_bounds(text: str) -> None:
    last = 0
    for t in tokenize(text):
        assert last <= t.start < t.end <= len(text)
        assert text[t.start : t.end] == t.text
        assert t.norm == normalize_key(t.text)
        assert t.norm in candidates(t)
        last = t.end


# What a token is, written plainly: a number, or a run of letters and marks.
_PLAIN_TOKEN = re.compile(rf"\d+(?:[.,\u066b\u066c]\d+)*|(?:[^\W\d]|[{_MARKS}])+")


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list("ابةىئ ء،٫٬,._x0٠٩\u064b\u0651\u065f\u0670\u0640\u06a9\u0671é")),
        max_size=80,
    )
)
def test_tokens_are_the_plainly_written_runs(text: str) -> None:
    """The tokenizer's faster spelling of a word (Arabic letters and marks as a class of their
    own) cuts the same tokens as the plain one."""
    assert [(t.start, t.end) for t in tokenize(text)] == [m.span() for m in _PLAIN_TOKEN.finditer(text)]


def test_a_phrase_is_keyed_as_its_tokens_are() -> None:
    phrase = "قوات سوريا-الديمقراطية (قسد)"
    assert keys(phrase) == tuple(t.norm for t in tokenize(phrase))
    assert keys(phrase) == ("قوات", "سوريا", "الديمقراطيه", "قسد")


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list("ابةىء،x_0٩ é\u064b\u0651\u0640\u06a9\u0671ªⅣ\t\u00a0")), max_size=12
    )
)
def test_a_phrase_of_letters_alone_is_keyed_as_one_token(phrase: str) -> None:
    """Letters alone, or words of them between white space of any kind, as the regex cuts them."""
    assert keys(phrase) == tuple(normalize_key(t.text) for t in tokenize(phrase))


def test_proclitics_are_the_prefix_without_the_article() -> None:
    li, wabi, lil = tokenize("لتحرير وبالرقة للسيطرة")
    assert (li.proclitics, wabi.proclitics, lil.proclitics) == ("ل", "وب", "لل")


def test_every_per_word_result_lives_on_the_one_cached_word() -> None:
    from marsad.entities.ner import featurizer

    feats = featurizer()
    first = feats.word("والقوات")
    assert feats.word("والقوات") is first
    assert analysis("والقوات").memo[feats] is first


def test_the_word_cache_stays_bounded_and_keeps_the_newer_words(monkeypatch):
    from marsad.text import tokens

    monkeypatch.setattr(tokens, "_WORDS", {})
    monkeypatch.setattr(tokens, "_MAX_WORDS", 10)
    words = ["قرية" + "ب" * i for i in range(25)]
    for w in words:
        tokens.word(w)
    assert len(tokens._WORDS) <= 10
    assert words[-1] in tokens._WORDS and words[0] not in tokens._WORDS
    assert tokens.word(words[0]).norm == tokens.word(words[0]).norm  # analysed again on demand


def test_a_two_letter_stem_only_begins_a_longer_name() -> None:
    wa_tal = tokenize("وتل")[0].word
    assert [r.key for r in wa_tal.readings] == ["وتل"]  # never the word's stripped form
    assert [(r.key, r.skip) for r in wa_tal.short] == [("تل", 1)]
    assert tokenize("وعين")[0].word.short == ()  # a three-letter stem is an ordinary reading
