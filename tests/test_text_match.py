"""The one matcher: lexicons over the token readings, phrases, verb stems, and the rules report."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from marsad import rules
from marsad.cli import app
from marsad.document import Document
from marsad.entities.gazetteer import several_words
from marsad.pipeline import Pipeline
from marsad.text.match import _LAZY, ANY, VERB, Forms, Lexicon, Matcher, Phrases, forms, verb_forms, words_in
from marsad.text.tokens import CLITIC, NAMES, tokenize, word


def matches(text: str, *lexicons: Lexicon):
    return Matcher(lexicons)(text, tokenize(text))


def test_a_lexicon_takes_only_the_readings_it_allows() -> None:
    names = Lexicon("t.names", [("حمص", "حمص", "Homs"), ("الرستن", "الرستن", "Rastan")], NAMES)
    m = matches("قصف وبحمص والرستن ورستن", names)
    assert [m.value(i, "t.names") for i in range(4)] == [None, "Homs", "Rastan", None]
    homs = m.single(1, "t.names")[0]
    assert homs.reading.kind == CLITIC and homs.reading.skip == 2  # "وب" before the name


def test_phrases_follow_the_lexicons_gap_and_rest_rules() -> None:
    places = Lexicon("t.places", [("دير الزور", "دير الزور", 1)], NAMES)
    phrases = Lexicon("t.phrases", [("قصف جوي", "قصف جوي", 2)], ANY, rest="readings", gap="any")
    m = matches("في دير الزور، ودير، الزور والقصف، الجوي", places, phrases)
    assert [(x.start, x.end) for x in m.starting(1, "t.places")] == [(1, 3)]
    assert m.starting(3, "t.places") == []  # a comma between: two words, not one name
    assert [(x.start, x.end) for x in m.starting(5, "t.phrases")] == [(5, 7)]


def test_a_name_may_be_quoted_after_its_head_noun() -> None:
    sites = Lexicon(
        "t.sites", [("جبل الأربعين", "جبل الأربعين", 1), ("مطار تي فور", "مطار تي فور", 2)], NAMES
    )
    m = matches('قرب جبل «الأربعين» ومطار "تي فور" وجبل، الأربعين وجبل «» الأربعين', sites)
    assert [(x.start, x.end) for x in m.starting(1, "t.sites")] == [(1, 3)]
    assert [(x.start, x.end) for x in m.starting(3, "t.sites")] == [(3, 6)]
    assert m.starting(6, "t.sites") == []  # a comma is no quotation mark
    assert m.starting(8, "t.sites") == []  # one mark at most between two words


def test_verbs_are_stems_inflected_by_the_generator() -> None:
    assert {"قالت", "قالوا", "نفت", "ينفي"} <= verb_forms("قال") | verb_forms("نفي")
    assert all(accept == VERB for _id, _form, accept in forms(Forms(verbs=["نفى"])))
    denial = Lexicon.words("t.denial", Forms(verbs=["رجح"], words=["نفي"]))
    m = matches("ويرجح المراقبون، الأرجح، والنفي", denial)
    assert [("t.denial" in t) for t in m.tags] == [True, False, False, True]  # no verb after "ال"


def test_each_word_is_analysed_and_matched_once() -> None:
    lex = Lexicon.words("t.words", ["قصف"])
    matcher = Matcher([lex])
    w = word("وقصف")
    first = matcher.word_hits(w)
    assert matcher.word_hits(w) is first and w.hits is first  # kept on the one cached Word
    other = Matcher([lex])
    assert other.word_hits(w) is not first  # another matcher recomputes, never reads stale hits


def test_a_lexicon_of_a_test_tags_the_words_that_pass_it() -> None:
    asked: list[str] = []

    def digit_end(w) -> bool:
        asked.append(w.text)
        return w.norm[-1:].isdigit()

    tested = Lexicon.where("t.digits", digit_end)
    text = "قتل 12 شخصا و3 آخرون في 2015 و12"
    m = matches(text, tested, Lexicon.words("t.words", ["قتل"]))
    assert m.tagged("t.digits") == [1, 4, 7, 9]
    assert sorted(asked) == sorted(set(asked))  # once per distinct word ("12" twice in the text)
    assert words_in(m.tokens, m, tested) == words_in(m.tokens, None, tested) == [1, 4, 7, 9]
    assert m.single(1, "t.digits")[0].reading.kind == 0 and m.value(0, "t.words", "-") is None
    assert tested.size == 0 and list(tested.entries()) == []


def test_a_lazy_lexicon_matches_as_the_whole_one_in_the_same_order() -> None:
    """Names compiled a first word at a time, when the text asks, give the same matches, in the
    same lexicon order, as the same names compiled whole."""
    table = {"حمص": 0, "دير الزور": 1, "دير": 2, "دير حافر": 3, "تل": 4, "تل ابيض": 5, "الرقه": 6, "ادلب": 7}
    whole = Lexicon("t.names", [(k, tuple(k.split(" ")), k) for k in table if len(k) >= 3], NAMES)
    lazy = Lexicon.lazy("t.names", Phrases(table, 5, 3, several_words(table)), NAMES)
    before = Lexicon.words("t.before", ["حمص", "تل"])
    text = "من حمص الى دير الزور ودير حافر وتل ابيض والرقه، ثم دير"
    eager = Matcher([before, whole])
    for lexicons in ([before, lazy], [before, lazy]):  # the second compiles nothing again
        got = Matcher(lexicons)
        tokens = tokenize(text)
        m, want = got(text, tokens), eager(text, tokens)
        assert list(m) == list(want) and m.tags == want.tags
        assert [lex.name for lex, _ in got.index["حمص"]] == ["t.before", "t.names"]
        assert got.index["ادلب"] is _LAZY and "ابيض" not in got.index  # not asked; begins no name
    assert sorted(e.id for e in lazy.entries()) == sorted(e.id for e in whole.entries())


def test_the_pipeline_compiles_every_stages_lexicons_into_one_index() -> None:
    pipeline = Pipeline.from_names(["clean", "tokens", "match", "sentences", "places", "actors"])
    names = set(pipeline.get("match").matcher.lexicons)
    assert {"places.names", "places.triggers", "actors.names", "actors.heads"} <= names
    doc = pipeline(Document(id="m", text="قصفت قوات النظام مدينة حمص."))
    assert {m.lexicon for m in doc.matches} >= {"places.names", "actors.names", "places.triggers"}


def test_rules_name_themselves_only_while_counted() -> None:
    assert rules.fire("x.y") is True
    with rules.counting() as counts:
        rules.fire("x.y")
        rules.fire("x.y")
    assert counts == {"x.y": 2}


def test_rules_report_counts_entries_and_rules(tmp_path) -> None:
    corpus = tmp_path / "c.jsonl"
    texts = [
        "قصفت قوات النظام بالبراميل المتفجرة مدينة داريا بريف دمشق، ما أدى إلى مقتل خمسة مدنيين.",
        "وقال المرصد السوري لحقوق الإنسان إن الطائرات لم تشن أي غارة على مدينة حلب أمس.",
    ]
    corpus.write_text(
        "".join(
            json.dumps({"id": f"d{i}", "text": t}, ensure_ascii=False) + "\n" for i, t in enumerate(texts)
        ),
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["rules", "report", str(corpus), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["documents"] == 2
    triggers = report["lexicons"]["events.triggers"]
    assert triggers["fired"] >= 2 and triggers["entries"] > triggers["fired"]
    assert report["rules"]["events.cancel.negation"] == {"fires": 1, "articles": 1}
    assert "events.cancel.not_before" in report["rules"]  # declared rules are listed even when silent
    text = CliRunner().invoke(app, ["rules", "report", str(corpus)]).stdout
    assert "never fired:" in text and "events.cancel.negation" in text


def test_rules_report_samples_evenly_and_shows_progress(tmp_path) -> None:
    corpus = tmp_path / "c.jsonl"
    texts = [f"قصفت الطائرات مدينة حلب يوم {n} من الشهر." for n in range(1, 9)]
    corpus.write_text(
        "".join(
            json.dumps({"id": f"d{i}", "text": t}, ensure_ascii=False) + "\n" for i, t in enumerate(texts)
        ),
        encoding="utf-8",
    )
    args = ["rules", "report", str(corpus), "--json", "--sample", "0.25", "--progress-every", "0"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["documents"] == 2  # one in four, spread over the corpus
    assert "marsad: 2 articles" in result.stderr
