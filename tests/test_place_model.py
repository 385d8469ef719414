"""Context decides whether a gazetteer match is a place (sentences written for these tests)."""

from __future__ import annotations

import itertools

import pytest

from marsad.entities.geocode import Geocoder, geocode_text
from marsad.entities.place_model import CLASSES, Context, PlaceModel, context_features, model, words


def places(text: str) -> list[tuple[str, str]]:
    return [(r["words"], r["country_code"]) for r in geocode_text(text)]


def test_the_shipped_model_is_there_and_gives_probabilities():
    m = model()
    assert m is not None and set(m.classes) <= set(CLASSES)
    probs = m.proba(["bias", "trig=city", "strong"])
    assert abs(sum(probs.values()) - 1.0) < 1e-9
    assert m.decide(["bias", "trig=city", "strong", "violent"])[0] == "place"


def test_weights_decide_by_their_sum():
    m = PlaceModel(("place", "common"), [0.0, 0.0], {"a": [2.0, -2.0]})
    assert m.decide(["a"])[0] == "place" and m.decide(["b"])[0] in ("place", "common")


def test_a_name_beaten_whatever_the_lazy_flags_is_decided_without_them():
    """PlaceModel.beaten: only when no value of the costlier flags could make it a place."""
    m = PlaceModel(("place", "common"), [0.0, 0.0], {"a": [-3.0, 3.0], "in_alias": [2.0, -2.0]})
    assert m.beaten(m.scores(["a"]))  # 6 apart, the flag moves them 4
    weak = PlaceModel(("place", "common"), [0.0, 0.0], {"a": [-1.0, 1.0], "in_alias": [2.0, -2.0]})
    assert not weak.beaten(weak.scores(["a"])) and weak.decide(["in_alias"], weak.scores(["a"]))[0] == "place"


def test_context_scores_are_the_sums_of_the_context_features():
    """PlaceModel.context_scores finds the rows by word; the floats are those of the features."""
    m = model()
    assert m is not None
    base = m.partial(["bias", "name=حلب", "strong"])
    w = words()
    some = [
        next(iter(w.org_heads)),
        next(iter(w.person_titles)),
        next(iter(w.prepositions)),
        "في",
        "بن",
        "لا-كلمة",
    ]
    for trigger, in_list, prev, nxt, flags in itertools.product(
        (None, "city", "countryside"),
        (False, True),
        ([], *([a] for a in some), *([a, b] for a, b in zip(some, reversed(some), strict=True))),
        ([], *([a] for a in some)),
        itertools.product((False, True), repeat=3),
    ):
        for key, plen, prefix in (("الرمادي", 0, ""), ("حلب", 1, "ب"), ("الكردي", 0, "")):
            c = Context(key, plen, prefix, flags[0], trigger, flags[1], in_list, prev, nxt, flags[2], True)
            for rules in (False, True):
                feats = [*context_features(c), "rules" if rules else "no_rules"]
                assert m.context_scores(base, c, rules) == m.scores(feats, base)


def test_a_head_noun_makes_a_stoplisted_name_a_place():
    assert ("الطبقة", "SY") in places("دخلت قوات النظام مدينة الطبقة بعد معارك استمرت يومين")


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("أعلنت قوات فجر ليبيا سيطرتها على المطار", "ليبيا"),
        ("تبنى لواء شهداء اليرموك الهجوم", "اليرموك"),
        ("سقطت قذيفتان على شارع بغداد وسط دمشق", "بغداد"),
        ("هاجم مسلحون سفارة الجزائر في طرابلس", "الجزائر"),
        ("أشاد المتحدث بدور المملكة في عاصفة الحزم", "الحزم"),  # an operation, no town of al-Jawf
    ],
)
def test_a_place_inside_an_organisation_name_is_no_place(text, word):
    assert word not in [w for w, _ in places(text)]


def test_generic_anaphors_are_never_looked_up():
    assert places("عاد الهدوء إلى المدينة بعد اشتباكات في ريف المدينة") == []


def test_the_second_of_a_dual_is_kept_for_its_container():
    got = geocode_text("سقطت قذائف على بلدتي الفوعة وكفرية بريف إدلب")
    assert [r["words"] for r in got][:2] == ["الفوعة", "كفرية"]
    assert got[1]["admin1"] == "Idlib" and got[1]["precision"] >= 2


def test_an_opener_before_an_unknown_word_is_a_longer_name():
    assert places("قتل ثلاثة مدنيين في بلدة دير هجاري") == []


def test_a_capital_beats_its_homonyms():
    assert places("وصل الوفد إلى الدوحة صباح اليوم") == [("الدوحة", "QA")]


def test_training_sees_every_candidate_with_its_features():
    seen = []

    def labeller(start, end, feats):
        seen.append(feats)
        return "place"

    Geocoder(use_model=False).detect("قصفت الطائرات بلدة الطبقة", labeller=labeller)
    assert seen and "trig=town" in seen[0] and any(f.startswith("name=") for f in seen[0])
