"""Numbers, vague quantities, approximations and casualty counts."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from marsad.document import Document
from marsad.pipeline import make
from marsad.text.numbers import find_numbers, words_value


def _nums(text: str) -> list[tuple[str, object, bool, bool, object]]:
    return [(text[s:e], a["value"], a["approx"], a["vague"], a["unit"]) for s, e, a in find_numbers(text)[0]]


def _cas(text: str) -> list[tuple[int | None, str, bool, bool]]:
    return [(a["count"], a["kind"], a["approx"], a["vague"]) for _s, _e, a in find_numbers(text)[1]]


def test_digits_multipliers_and_words() -> None:
    assert _nums("35 ألف") == [("35 ألف", 35000, False, False, None)]
    assert _nums("٣٥ ألف")[0][1] == 35000
    assert _nums("2.5 مليون دولار") == [("2.5 مليون", 2500000, False, False, "usd")]
    assert _nums("على بعد خمسة كيلومترات") == [("خمسة", 5, False, False, "km")]
    assert _nums("نحو ثلاثين مقاتلا") == [("نحو ثلاثين", 30, True, False, None)]
    assert words_value(["خمسة", "وعشرين"]) == 25
    assert words_value(["ثلاثة", "آلاف"]) == 3000
    assert words_value(["ثلاثمائة", "وخمسين", "ألفا"]) == 350000
    assert words_value(["ثلاثة", "عشر"]) == 13


def test_vague_and_approximate() -> None:
    assert _nums("أطلق سراح مئات السجناء") == [("مئات", 100, False, True, None)]
    assert _nums("عشرات الآلاف من النازحين")[0][1:4] == (10000, False, True)
    assert _nums("ما يصل إلى 35 ألف شخص")[0][2] is True
    assert _nums("10 أشخاص على الأقل")[0][2] is True
    assert _nums("أكثر من 200 غارة")[0][1:3] == (200, True)


def test_casualties() -> None:
    assert _cas("أسفرت عن مقتل 26 شخصا") == [(26, "killed", False, False)]
    assert _cas("قتل ثلاثة أشخاص في القصف") == [(3, "killed", False, False)]
    assert _cas("أسفرت عن مقتل ما يصل إلى 35 ألف شخص.") == [(35000, "killed", True, False)]
    assert _cas("تأكيد مقتل عنصر من قوات النظام") == [(1, "killed", False, False)]
    assert _cas("لقي ستة من مقاتلي المعارضة في ريف حماة مصرعهم") == [(6, "killed", False, False)]
    assert _cas("وأوقعت الغارات 32 قتيلا و15 جريحا") == [
        (32, "killed", False, False),
        (15, "injured", False, False),
    ]
    assert _cas("سقط عشرات القتلى") == [(10, "killed", False, True)]
    assert _cas("وسقط قتيلين") == [(2, "killed", False, False)]
    assert _cas("إصابة 15 آخرين") == [(15, "injured", False, False)]


def test_a_dual_toll_and_a_resident() -> None:
    assert _cas("ولقي جنديان حتفهما في القصف") == [(2, "killed", False, False)]
    assert _cas("ما أدى إلى استشهاد مقيم") == [(1, "killed", False, False)]


def test_a_toll_told_in_it_and_one_death_by_its_verb() -> None:
    """ "قتل فيه 7": "in it" between the verb and its figure; "لقي مصرعه": one death, not a future one."""
    assert _cas("الهجوم الذي قتل فيه 7 أشخاص") == [(7, "killed", False, False)]
    assert _cas("وجرح خلالها 12 شخصا") == [(12, "injured", False, False)]
    assert _cas("وقال إن ضابطا لقي مصرعه في الاشتباك") == [(1, "killed", False, False)]
    assert _cas("وأفادت أن سائقة لقيت حتفها في الحادث") == [(1, "killed", False, False)]
    assert _cas("خشي أن يلقى حتفه في الطريق") == []


def test_a_death_toll_then_a_wounded_one() -> None:
    """ "مقتل 4 وإصابة 9": the "و" opens the wounded toll, it is not what the four count."""
    assert _cas("أسفر الانفجار عن مقتل 4 وإصابة 9") == [
        (4, "killed", False, False),
        (9, "injured", False, False),
    ]
    assert _cas("قتل ستة وجرح 11 في القصف") == [(6, "killed", False, False), (11, "injured", False, False)]
    # the dead and the wounded counted together are no death toll
    assert _cas("أدى القصف إلى سقوط 17 شخصا بين قتيل وجريح") == []
    assert _cas("أعلن المصدر سقوط 40 من مقاتلي التنظيم بين قتيل وجريح") == []
    assert _cas("قتل مقاتلان من الفصائل") == [(2, "killed", False, False)]


def test_people_joined_by_and_add_to_the_toll() -> None:
    assert [c for c, *_ in _cas("أسفر التفجير عن مقتل ضابط و4 مجندين أمس")] == [5]
    assert [c for c, *_ in _cas("وقتل جنديان وثلاثة مدنيين في الغارة")] == [5]
    assert [c for c, *_ in _cas("قتل قائد ميداني وأحد مرافقيه في الكمين")] == [2]
    assert [c for c, *_ in _cas("مقتل 7 من العناصر و2 من المدنيين")] == [9]
    # an approximation after the counted noun, and a comma before the next figure, end nothing
    assert [c for c, *_ in _cas("مقتل 30 مسلحا على الأقل، و4 جنود في الهجوم")] == [34]
    assert [c for c, *_ in _cas("مقتل 30 مسلحا تقريبا و4 جنود في الهجوم")] == [34]
    # what "و" joins next is another toll, an aside or no people at all: the toll stands alone
    assert _cas("أسفر القصف عن مقتل 6 أشخاص و11 جريحا") == [
        (6, "killed", False, False),
        (11, "injured", False, False),
    ]
    assert [c for c, *_ in _cas("مقتل 6 مدنيين وإصابة 9 آخرين")] == [6, 9]
    assert [c for c, *_ in _cas("مقتل 6 مدنيين بينهم طفلان")] == [6]
    assert [c for c, *_ in _cas("مقتل شخصين و3 سيارات محترقة")] == [2]
    assert [c for c, *_ in _cas("مقتل 6 مدنيين، وبعد ساعة قتل 3 آخرون")] == [6, 3]
    assert [c for c, *_ in _cas("مقتل 6 مدنيين، و3 جرحى")] == [6, 3]


def test_no_casualty_across_a_sentence_end() -> None:
    assert _cas("وصل ستة من المراقبين. وفي حادث آخر لقي رجل مصرعه") == []


def test_dates_are_not_numbers() -> None:
    doc = Document(id="t", text="قتل 5 أشخاص في 20 يوليو 2015 بحسب المرصد", published=date(2015, 7, 21))
    for name in ("tokens", "temporal", "numbers"):
        doc = make(name)(doc)
    assert [doc.span_text(s) for s in doc.spans_of("number")] == ["5"]
    assert [s.attrs["count"] for s in doc.spans_of("casualties")] == [5]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(list("ابتجدرسعلمنهوي .،0123456789٣٥"))
        | st.sampled_from([" ألف ", "مقتل ", " قتيلا", "نحو ", " عشرات "]),
        max_size=80,
    ).map("".join)
)
def test_never_raises_and_spans_in_bounds(text: str) -> None:
    nums, cas = find_numbers(text)
    for s, e, a in nums + cas:
        assert 0 <= s < e <= len(text)
        assert isinstance(a, dict)


def test_counted_things_are_not_casualties():
    """The figure in "سقوط 160 قذيفة" counts shells: the death toll is the one person killed."""
    from marsad.text.numbers import find_numbers

    text = "واكد المرصد سقوط اكثر من 160 قذيفة أمس على البلدتين، ما تسبب بمقتل شخص."
    _numbers, casualties = find_numbers(text)
    assert [c[2]["count"] for c in casualties] == [1]


def test_a_figure_glued_to_its_word_is_still_a_figure() -> None:
    # a missing space ("15جنديا") hides neither the figure nor the toll; a unit may follow it
    assert _cas("لقي 12مسلحا مصرعهم في الكمين") == [(12, "killed", False, False)]
    assert _nums("على بعد 3كم من البلدة") == [("3", 3, False, False, "km")]
    assert _cas("أعلن المصدر سقوط 40من مقاتلي التنظيم بين قتيل وجريح") == []


def test_a_counted_subject_before_its_casualty_verb() -> None:
    """ "N <noun> [على الأقل] قتلوا": the count comes first and its verb closes the phrase."""
    assert _cas("قال مسؤول إن سبعة حراس على الأقل قتلوا ليلة أمس") == [(7, "killed", True, False)]
    assert _cas("وأفاد الأطباء أن 12 متظاهرا قتلوا في الساحة") == [(12, "killed", False, False)]
    assert _cas("وذكر الشهود أن أربعة عمال أصيبوا في الانفجار") == [(4, "injured", False, False)]
    # a dual noun as the subject, and a nominative dual after the verb
    assert _cas("وأكدت الشرطة أن شرطيين قتلا عند المدخل") == [(2, "killed", False, False)]
    assert _cas("وقتل رجلان في القصف على الحي") == [(2, "killed", False, False)]
    assert _cas("واستشهد أربعة من أبناء القرية") == [(4, "killed", False, False)]


def test_the_sides_of_a_counted_subject_are_summed() -> None:
    # figures joined by "و" before one casualty verb count both sides
    assert [c for c, *_ in _cas("وقالت مصادر إن 14 مسلحا وثلاثة جنود قتلوا في الهجوم")] == [17]
    assert [c for c, *_ in _cas("وذكر المرصد أن 20 عنصرا من الفصائل وتسعة من عناصر التنظيم قتلوا")] == [29]
    # not the parts of a figure ("بينهم"): the figure itself
    assert [c for c, *_ in _cas("وأفادت مصادر أن 40 مدنيا بينهم 10 أطفال و5 نساء قتلوا في القصف")] == [40]
    # "واحدة" (one) is no second figure joined by و
    assert [c for c, *_ in _cas("وقالت مصادر إن تسعة أشخاص من عائلة واحدة قتلوا في القصف")] == [9]
    # an approximation and a side named in three words between the figures
    text = "وقال مسؤول إن 12 عنصرا على الأقل من القوات الحكومية النظامية وخمسة من المهاجمين، قتلوا"
    assert [c for c, *_ in _cas(text)] == [17]


def test_a_counted_subject_with_an_object_did_the_killing() -> None:
    """ "ثلاثة مسلحين قتلوا جنديين": the three are the attackers; the two soldiers are the toll."""
    assert _cas("وقالت المصادر إن خمسة مهاجمين قتلوا جنديين قرب البوابة") == [(2, "killed", False, False)]
    assert _cas("إن أربعة مسلحين قتلوا 9 أشخاص في السوق") == [(9, "killed", False, False)]


def test_one_person_named_in_the_accusative_after_a_casualty_word() -> None:
    # the verb's object, one person: "killed a soldier", "wounded a policeman"
    assert _cas("وقتل جنديا أمس قرب الحاجز") == [(1, "killed", False, False)]
    assert _cas("وأصيب شرطيا بجروح") == [(1, "injured", False, False)]


_TAGGED_TEXTS = [
    "قتل 5 أشخاص وجرح نحو عشرات في 20 يوليو 2015م، ولقي جنديان مصرعهما يوم الأحد الماضي",
    "وقتل شخصين بينهم طفل، وأصيب ثلاثة آخرون منذ أسبوعين، وفي 3/4 قتل ٣٥ مدنيا بحسب المرصد",
    "أعلنت المصادر مقتل جندي وإصابة اثنين في كم² ونحو ألف قتيل عام 1982 وفي الثامن من مارس",
]


def test_the_match_stages_tags_give_what_the_scans_give() -> None:
    """The anchors and lone words read from the match stage's tags, and found without them."""
    from marsad.pipeline import Pipeline
    from marsad.text.temporal import find_dates

    pipeline = Pipeline.from_names(["tokens", "match", "temporal", "numbers"])
    found = []
    for text in _TAGGED_TEXTS:
        doc = pipeline(Document(id="t", text=text, published=date(2015, 7, 21)))
        assert doc.matches is not None
        dates = find_dates(doc.clean, doc.published, doc.tokens, doc.matches)
        assert dates == find_dates(doc.clean, doc.published, doc.tokens)
        ranges = [(s, e) for s, e, _ in dates]
        tagged = find_numbers(doc.clean, doc.tokens, ranges, doc.matches)
        assert tagged == find_numbers(doc.clean, doc.tokens, ranges)
        found.append((len(dates), len(tagged[0]), len(tagged[1])))
    assert found == [(2, 2, 3), (0, 4, 3), (2, 2, 3)]
