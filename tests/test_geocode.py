"""Mention detection, clitics, typed mentions, qualifiers, lists and disambiguation."""

from __future__ import annotations

from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from marsad.document import Document
from marsad.entities.geocode import geocode_text, make_places

_places = cache(make_places)  # one geocoder for the examples: building it takes a second


def names(text: str) -> list[tuple[str, str]]:
    return [(r["words"], r["name"]) for r in geocode_text(text)]


def test_multiword_longest_match():
    got = geocode_text("اشتباكات في دير الزور وجسر الشغور ورأس العين")
    assert [r["words"] for r in got] == ["دير الزور", "جسر الشغور", "رأس العين"]
    assert all(r["country_code"] == "SY" for r in got)


@pytest.mark.parametrize(
    ("text", "words", "en"),
    [
        ("قصف على وبحمص", "حمص", "Homs"),
        ("وصل لحلب", "حلب", "Aleppo"),
        ("في تلبيسة والرستن", "الرستن", "Rastan"),
    ],
)
def test_clitics(text, words, en):
    got = geocode_text(text)
    assert got[-1]["words"] == words
    assert en in got[-1]["name"]


def test_names_are_read_without_their_proclitics():
    """One clitic analysis (marsad.text.tokens) serves the gazetteer: و/ف and ب/ل/ك come off,
    "لل" is ل + the article, and the span keeps the fused "لل" whole."""
    [homs] = geocode_text("قصف على وبحمص")
    assert (homs["name"], homs["words"]) == ("Homs", "حمص")
    [raqqa] = geocode_text("ووصلت التعزيزات للرقة أمس")
    assert (raqqa["name"], raqqa["words"]) == ("Raqqa", "للرقة")


def test_a_proclitic_before_a_two_word_name():
    """ "وتل عفر": the conjunction leaves a two-letter first word; "تل" alone is no place."""
    assert [n for _, n in names("تقدمت القوات نحو سنجار وتل عفر")] == ["Sinjar", "Tal Afar"]
    assert names("وقف الجنود على التل وتل") == []


def test_governorate_versus_city():
    gov, city = geocode_text("في محافظة حماة وفي حماة")
    assert gov["type"] == "admin1" and gov["precision"] == 3
    assert city["type"] == "city" and city["precision"] == 1


def test_countryside_with_side():
    (r,) = geocode_text("في ريف حلب الشرقي")
    assert r["words"] == "ريف حلب الشرقي"
    assert r["type"] == "countryside" and r["admin1"] == "Aleppo" and r["precision"] == 2
    assert r["qualifier"] == "countryside east"
    # that side lies about 28 km east of the city, not at the governorate's centre
    (city,) = geocode_text("في مدينة حلب")
    assert r["lat"] == pytest.approx(city["lat"], abs=0.01)
    assert 0.28 < r["lon"] - city["lon"] < 0.34
    (north,) = geocode_text("في ريف حلب الشمالي")
    assert 0.24 < north["lat"] - city["lat"] < 0.26 and north["lon"] == pytest.approx(city["lon"], abs=0.01)


def test_typed_mentions():
    got = geocode_text("قصف مدينة عربين وقرية كفر داعل ومخيم اليرموك وحي جوبر")
    assert [r["type"] for r in got] == ["city", "village", "camp", "neighbourhood"]


@pytest.mark.parametrize(
    ("text", "qualifier"),
    [
        ("سقطت قذائف قرب جسر الشغور", "near"),
        ("غارات شمال حماة", "north"),
        ("على بعد 5 كيلومترات من دير الزور", "distance"),
        ("في محيط مدينة القريتين", "outskirts"),
    ],
)
def test_qualifiers_make_precision_two(text, qualifier):
    r = geocode_text(text)[-1]
    assert r["qualifier"] == qualifier
    assert r["precision"] == 2


def test_lists_of_villages_give_one_span_each():
    got = geocode_text("قصف على بلدتي الفوعة وكفريا بإدلب")
    assert [r["words"] for r in got][:2] == ["الفوعة", "كفريا"]
    got = geocode_text("اشتباكات في قرى الحواش والقاهرة والعنكاوي في سهل الغاب")
    assert [r["words"] for r in got] == ["الحواش", "القاهرة", "العنكاوي", "سهل الغاب"]
    assert got[1]["country_code"] == "SY"  # not Cairo inside a list of Ghab villages


def test_ariha_in_syria_is_not_jericho():
    (r, *_) = geocode_text("قتل 31 شخصا في أريحا بريف إدلب")
    assert r["name"] == "Ariha" and r["admin1"] == "Idlib"


def test_a_capital_beats_a_nameless_syrian_homonym():
    # a village of the supplement has no population; Cairo is the capital meant
    got = geocode_text("سافر الوفد إلى القاهرة صباح اليوم")
    assert [(r["name"], r["country_code"]) for r in got] == [("Cairo", "EG")]


def test_a_homonym_abroad_loses_to_one_in_the_countries_the_article_names():
    # GeoNames spells Zanzibar "مدينة زنجبار" too: the head noun no longer hides Zinjibar
    got = geocode_text("دخلت القوات مدينة زنجبار بعد معارك في عدن جنوب اليمن")
    assert got[0]["name"] == "Zinjibar" and got[0]["country_code"] == "YE"


def test_a_namesake_in_the_region_beats_one_far_away():
    # the countries marsad's users code have a prior over a bigger namesake elsewhere
    (r,) = geocode_text("وصلت التعزيزات إلى زنجبار صباح اليوم")
    assert r["name"] == "Zinjibar" and r["country_code"] == "YE"


@pytest.mark.parametrize(
    ("text", "country"),
    [
        ("وبعد معارك في طرابلس وبنغازي الليبيتين، قتل مسلح 39 سائحا في فندق بمدينة سوسة بتونس", "TN"),
        ("وقال الباحث الأمريكي في واشنطن إنه درس في جامعة أكسفورد في بريطانيا", "GB"),
    ],
    ids=["sousse", "oxford"],
)
def test_a_country_named_right_after_a_town_picks_its_namesake(text, country):
    # the article's other country does not carry the town there: its own country follows it
    assert geocode_text(text)[-2]["country_code"] == country


def test_a_place_named_inside_another_picks_the_namesake_that_holds_it():
    # Musaymir lies in Lahij governorate, far from the town of Lahij (al-Hawtah)
    got = geocode_text("واستعادت المقاومة بلدة المسيمير في لحج بعد معارك")
    assert [r["name"] for r in got] == ["Al Musaymīr", "Lahij Governorate"]


def test_admin_context_picks_homonym():
    (r, *_) = geocode_text("قصفت قوات النظام بلدة الطيبة بالغوطة الغربية")
    assert r["admin1"] == "Rif Dimashq"


def test_common_words_are_not_places():
    got = names("قال الجيش إن الحرب مستمرة اليوم وكان النصر قريبا")
    assert got == []


def test_a_family_name_is_no_town_abroad():
    """stoplist.txt: "الأحمدي" (a Kuwaiti town) is in all-2015 mostly a family name, after a given
    name or a verb of speech; beside a head noun it is still the place."""
    assert names("وقال المتحدث علي الأحمدي إن المقاتلين تقدموا. وأكد الأحمدي أن المعارك مستمرة.") == []
    assert [n for _, n in names("اندلع حريق في مصفاة بمحافظة الأحمدي جنوب الكويت أمس.")][0] == "Al Aḩmadī"


def test_confidence_and_alternatives_in_span_attrs():
    comp = make_places()
    doc = comp(Document(id="t", text="سقطت قذائف على أريحا في إدلب"))
    span = doc.spans_of("place")[0]
    assert 0 < span.attrs["confidence"] <= 1
    assert span.attrs["alternatives"], "the rejected homonyms are listed"
    assert {"geonameid", "name", "country_code"} <= set(span.attrs["alternatives"][0])
    assert doc.clean[span.start : span.end] == "أريحا"


def test_offsets_point_into_clean_text():
    text = "وَقَصَفَت الطائرات مدينةَ حلب"
    for r in geocode_text(text):
        assert text[r["start"] : r["end"]] == r["words"]


@pytest.mark.parametrize(
    "text",
    [
        "اشتباكات في ريف حماة الشمالي الغربي، بين قوات النظام والفصائل",  # بين is not Pine
        "قصف على بلدتي نبل والزهراء، عقبه قصف من قبل الفصائل",  # عقبه is not Aqaba
        "خرجت احتجاجات سلمية في المدينة",  # سلمية is an adjective here
        "تقع محافظة اللاذقية المطلة على البحر المتوسط",  # المطلة is not Metula
        "عاصمة الثورة",  # a weak trigger does not make a common word a place
    ],
)
def test_common_words_in_lists_and_after_weak_triggers_are_not_places(text):
    assert all(
        r["country_code"] == "SY" and r["name"] not in ("Al-Tabqa", "Salamiyah") for r in geocode_text(text)
    )
    assert not any(r["words"] in ("بين", "عقبه", "سلمية", "المطلة", "الثورة") for r in geocode_text(text))


def test_lone_trigger_word_is_not_a_name():
    got = geocode_text("قصف بلدتي النعيمة واليادودة ومدينة بصرى الشام")
    assert "مدينة" not in [r["words"] for r in got]
    assert got[-1]["name"] == "Bosra"


def test_country_adjective_after_a_noun():
    assert [r["words"] for r in geocode_text("مقاتلون من جنسيات سورية وعربية")] == []
    assert [r["name"] for r in geocode_text("قتل في سورية")] == ["Syria"]
    assert [r["words"] for r in geocode_text("قتلى سوريًا")] == []


def test_a_relative_adjective_after_a_definite_noun_is_no_town():
    """ "القوات الهندية" are Indian forces and "المظاهرات السلمية" peaceful protests; after a head
    noun, a preposition or another adjective of that form the word may still be the town."""
    assert geocode_text("أطلقت القوات الهندية النار على الحدود") == []
    assert geocode_text("فرقت الشرطة المظاهرات السلمية في الساحة") == []
    assert [r["name"] for r in geocode_text("قصفت الطائرات مدينة السلمية")] == ["Salamiyah"]
    assert [r["name"] for r in geocode_text("دخلت القوات السورية اللاذقية")] == ["Latakia"]


def test_container_bounds_the_candidates():
    got = geocode_text("انفجار في حي الشريعة بمدينة حماة")
    r = got[0]
    assert r["words"] == "الشريعة" or r["words"] == "حي الشريعة"
    assert r["admin1"] == "Hama" and abs(r["lat"] - 35.13) < 0.1 and r["type"] == "neighbourhood"


def test_one_span_per_mention():
    comp = make_places()
    doc = comp(Document(id="t", text="قصف على حماة وريف حماة ومحافظة حماة"))
    offsets = [(s.start, s.end) for s in doc.spans_of("place")]
    assert len(offsets) == len(set(offsets))


def test_subdistrict_stands_on_its_seat_and_prefers_syria():
    """ "ناحية X" is the division; without imported admin data its seat town's point stands for it."""
    (sarrin,) = geocode_text("ناحية صرين")
    assert sarrin["type"] == "admin3" and sarrin["precision"] == 2 and sarrin["geonameid"] is None
    assert sarrin["name"] == "Sarrin"
    (jiza,) = geocode_text("ناحية الجيزة")  # Daraa's subdistrict, not Giza in Egypt
    assert jiza["country_code"] == "SY" and jiza["admin1"] == "Daraa"
    (town,) = geocode_text("بلدة صرين")
    assert town["type"] == "town" and town["precision"] == 1


def test_a_container_after_a_list_holds_every_member():
    """In "قرى A وB وC بسهل الغاب" the plain holds each village; a name the gazetteer knows only
    abroad (Iraq's Hawija) is a Ghab village it lacks, placed at the plain with precision 2."""
    places = geocode_text("قصف على قرى الحواش والقاهرة والحويجة وقسطون بسهل الغاب")
    by_word = {p["words"]: p for p in places}
    assert by_word["القاهرة"]["country_code"] == "SY"  # not Cairo
    hawija = by_word["الحويجة"]
    assert hawija["country_code"] == "SY" and hawija["precision"] == 2 and hawija["geonameid"] is None
    assert hawija["confidence"] < 0.6 < by_word["القاهرة"]["confidence"]  # only its container is sure
    assert abs(hawija["lat"] - 35.6) < 0.3 and abs(hawija["lon"] - 36.35) < 0.3


def test_a_district_holds_the_place_named_in_it():
    (village, district) = geocode_text("قصفت الطائرات قرية الحمراء بمديرية الوضيع")
    assert village["words"] == "الحمراء" and village["country_code"] == "YE" and village["precision"] == 2
    assert (village["lat"], village["lon"]) == (district["lat"], district["lon"])
    # a governorate lies in no district: "بين محافظة X وY في مديرية Z" keeps Y the governorate
    by_word = {p["words"]: p for p in geocode_text("الواقعة بين محافظة البيضاء وشبوة في مديرية بيحان")}
    assert by_word["شبوة"]["type"] == "admin1"


def test_a_common_word_after_a_weak_head_is_a_place_when_a_town_holds_it():
    places = geocode_text("قصفت قوات النظام في منطقة الصالحية بمدينة الحسكة")
    assert [p["words"] for p in places] == ["الصالحية", "مدينة الحسكة"]
    assert places[0]["admin1"] == "Al-Hasakah"
    assert [p["words"] for p in geocode_text("وقعت اشتباكات في منطقة الحدود بمحافظة صعدة")] == ["محافظة صعدة"]


def test_a_university_fought_over_is_a_site_of_its_own():
    (uni, town) = geocode_text("تقدمت القوات نحو جامعة الأنبار جنوب الرمادي")
    assert uni["words"] == "جامعة الأنبار" and uni["type"] == "site" and town["name"] == "Ramadi"


def test_a_site_inside_a_named_area_falls_back_to_the_area():
    (site, town) = geocode_text("قصف محيط المحطة الحرارية بمنطقة زيزون")
    assert town["name"] == "Ziyzun" and town["admin1"] == "Hama"
    assert (site["lat"], site["lon"]) == (town["lat"], town["lon"]) and site["precision"] == 2
    assert site["type"] == "site"


@pytest.mark.parametrize(
    ("text", "roles"),
    [
        ("وتتهم واشنطن ولندن وباريس الجيش السوري بشن هجمات", ["government"] * 3),
        ("قبل ما وصفته أنقرة بأنه معركة شاملة", ["government"]),
        ("موسكو تنفي قصف المدنيين", ["government"]),
        ("كما بدأت انقرة بشن غارات ضد مواقع التنظيم", ["government"]),
        ("قال إن أنقرة وواشنطن متفقتان على الحاجة", ["government"] * 2),
        ("وهي أي حكومة بغداد غير قادرة على توفير الكهرباء", ["government"]),
        ("ورفضت حكومة طبرق الاتفاق", ["government"]),  # a seat of government, not a capital
        ("والتقى وزير خارجية إيران نظيره في بغداد", ["government", None]),  # a ministry's country
        ("وقال رئيس وزراء تركيا إن بلاده ستواصل الضربات", ["government"]),
        ("سقطت قذيفة شمال بغداد", [None]),  # a direction before it: the city
        ("الطريق بين دمشق وحمص", [None, None]),
        ("في دمشق قال مسؤول إن القصف مستمر", [None]),
        ("قصفت الطائرات دمشق", [None]),
        ("وأكدت تركيا أنها سترسل قوات", ["government"]),  # a country speaks as its capital does
        ("وقالت مصادر إن إيران شرعت في إرسال خبراء", ["government"]),
        ("كما أعلنت تل أبيب أن طائراتها قصفت الموقع", ["government"]),  # a seat that is no capital
        ("وفي تركيا قالت الشرطة إن الانفجار وقع", [None]),  # و + في before it: the place
        ("زار الوفد العراق، وقال إن الزيارة ناجحة", [None]),  # a comma ends its clause
        ("تمتد الحدود بين العراق وسوريا. وقال المتحدث إنها مغلقة", [None, None]),
    ],
)
def test_a_capital_that_speaks_is_its_government(text, roles):
    doc = _places()(Document(id="t", text=text))
    assert [s.attrs.get("role") for s in doc.spans_of("place")] == roles


def test_the_dual_countryside_covers_both_names():
    places = geocode_text("قصفت المعارضة بلدات بريفي إدلب وحلب")
    assert [(p["name"], p["type"], p["precision"]) for p in places] == [
        ("Idlib", "countryside", 2),
        ("Aleppo", "countryside", 2),
    ]


def test_a_quoted_name_longer_than_the_match_is_placed_by_its_container():
    """The hill "جورة البلوط" is not Deir ez-Zor's Joura; "الواقعة في جبل التركمان" places it."""
    first = geocode_text('سيطرت المعارضة على تلة "جورة البلوط" الواقعة في جبل التركمان بريف اللاذقية.')[0]
    assert first["words"] == "جورة البلوط" and first["name"] == "جورة البلوط (Jabal al-Turkman)"
    assert first["type"] == "mountain" and first["precision"] == 2
    assert geocode_text('سيطرت على تلة "جورة الماء" أمس') == []  # nothing to place it by
    (joura, _) = geocode_text('قصف على حي "جورة" في دير الزور')
    assert joura["name"] == "Al-Joura"


def test_a_name_before_a_direction_and_a_town_lies_by_that_town():
    """«قريتي تل X والفريكة جنوب مدينة جسر الشغور»: names the gazetteer lacks or knows elsewhere
    lie by the town the text puts them next to (its point, precision 2), named as written: two
    villages by one town are two places, not the town thrice."""
    both = geocode_text("دارت معارك في قريتي تل الزعرور والفريكة جنوب مدينة جسر الشغور")
    assert [p["words"] for p in both] == ["تل الزعرور", "الفريكة", "جسر الشغور"]
    assert [p["name"] for p in both] == [
        "تل الزعرور (near Jisr al-Shughur)",
        "الفريكة (near Jisr al-Shughur)",
        "Jisr al-Shughur",
    ]
    assert {(p["lat"], p["lon"]) for p in both} == {(both[2]["lat"], both[2]["lon"])}
    assert both[0]["precision"] == 2
    assert geocode_text("دارت معارك في قريتي تل الزعرور والفريكة أمس") == []  # nothing to place them by


def test_a_quarter_the_gazetteer_lacks_lies_in_the_city_the_article_named():
    """«حي التأميم» is no governorate (Kirkuk's old name): a quarter of the city named before."""
    got = geocode_text("اشتدت المعارك في مدينة الرمادي. وقصفت القوات حي التأميم أمس")
    assert [(p["words"], p["name"], p["precision"]) for p in got][-1] == ("التأميم", "Ramadi", 2)
    assert geocode_text("وقصفت القوات حي التأميم أمس") == []  # no city named before


def test_a_homonym_in_another_country_yields_to_the_town_beside_it():
    """«جاردن سيتي وسط القاهرة» is Cairo's quarter, not the town in Michigan."""
    garden, cairo = geocode_text("انفجرت عبوة في منطقة جاردن سيتي وسط القاهرة")
    assert garden["country_code"] == "EG" and garden["precision"] == 2 and cairo["name"] == "Cairo"
    raqqa = geocode_text("تقدمت القوات نحو الرقة شرق حلب")[0]
    assert raqqa["name"] == "Raqqa"  # a known town of the same country keeps its own place


def test_a_weak_name_opening_a_list_of_places_takes_the_country_of_the_next():
    """«البريقة والسدرة»: a list of places stays in one country; not a list of countries or clubs."""
    got = geocode_text("تعرضت موانئ النفط مثل البريقة ورأس لانوف لهجمات")
    assert [(p["words"], p["country_code"]) for p in got] == [("البريقة", "LY"), ("رأس لانوف", "LY")]
    assert [p["name"] for p in geocode_text("مباراتين ضد البيرو وكولومبيا")] == ["Peru", "Colombia"]


def test_a_town_far_from_home_needs_its_country_named():
    """A name whose every place lies outside the region marsad codes is a place only when the
    article names that country (by name or adjective) or it is a capital or a big city."""
    assert geocode_text("انفجر لغم قرب بلدة باجو على الحدود أمس") == []
    # Korea named does not bring the Philippines' Bago City back: its own country must be named
    got = geocode_text("انفجر لغم قرب بلدة باجو على الحدود مع كوريا الشمالية أمس")
    assert [p["name"] for p in got] == ["North Korea"]
    assert [p["name"] for p in geocode_text("مسيرة في مدينة فيرجسون الأمريكية")] == ["Ferguson"]
    assert [p["name"] for p in geocode_text("عقدت المحادثات في فيينا")] == ["Vienna"]
    assert [p["country_code"] for p in geocode_text("قصفت الطائرات بلدة الهندية")] == ["IQ"]


def test_a_homonym_abroad_is_chosen_by_its_container():
    (kefraya, bekaa) = geocode_text("اختفى خمسة أشخاص في بلدة كفريا في البقاع الغربي")
    assert kefraya["country_code"] == "LB" and bekaa["name"] == "West Bekaa"
    assert geocode_text("قصف على بلدتي الفوعة وكفريا بريف إدلب")[1]["country_code"] == "SY"


def test_a_bare_town_after_a_place_is_its_container():
    """ "X ببغداد" with no head noun: X's homonyms near the town or in its province stand, one
    known only in another country falls back to the town, and a country, a capital or a name
    of our own lists is never pulled into the next name."""
    (husseiniya, baghdad) = geocode_text("انفجرت عبوة في منطقة الحسينية ببغداد")
    assert husseiniya["country_code"] == "IQ"  # not Jordan's
    assert (husseiniya["lat"], husseiniya["lon"]) == (baghdad["lat"], baghdad["lon"])
    (quarter, _) = geocode_text("افتتح المعرض في حي العزيزية بجدة")
    assert quarter["country_code"] == "SA"
    (khalidiya, _) = geocode_text("تقدمت فصائل المعارضة في حي الخالدية بحلب")
    assert khalidiya["name"] == "Khalidiyah (Aleppo)"
    assert [p["name"] for p in geocode_text("توصلت الدول إلى اتفاق مع طهران في فيينا")] == [
        "Tehran",
        "Vienna",
    ]
    assert geocode_text("نصبت المقاومة كمينا في منطقة لودر بأبين")[0]["name"] == "Lawdar"


def test_a_place_by_a_town_after_a_comma():
    """ "منطقة X، شمال شرقي Y": the direction after a comma places X by the town Y too, so a
    homonym abroad gives way to Y's point."""
    (husseiniya, baghdad) = geocode_text("انفجرت عبوة في منطقة الحسينية، شمال شرقي بغداد")
    assert husseiniya["country_code"] == "IQ"
    assert (husseiniya["lat"], husseiniya["lon"]) == (baghdad["lat"], baghdad["lon"])


_PIECES = [
    "قرى", "بلدة", "ريف", "ريفي", "ناحية", "مركز", "محافظة", "قرب", "شمال", "في", "على", "بسهل الغاب",
    "حماة", "حلب", "وكفريا", "والفوعة", "الزبداني", "أنقرة", "قالت", "وصفته", "حكومة", "جبل التركمان",
    "الواقعة في", "التابعة لمنطقة", "بمنطقة", "زيزون", "الحويجة", "القاهرة", "\"", "«", "»", "،", ".",
    "جورة", "الماء", "ريف إدلب الجنوبي", "و", "دمشق", "واشنطن", "ولندن",
]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), min_size=1, max_size=14))
def test_place_spans_stay_inside_the_text_and_carry_a_point(pieces):
    """Whatever order triggers, names, quotes and containers come in, every span lies in the
    text, spans never overlap, and every place has a point and a precision of 1 to 3."""
    text = " ".join(pieces)
    doc = _places()(Document(id="p", text=text))
    spans = sorted(doc.spans_of("place"), key=lambda s: s.start)
    for a, b in zip(spans, spans[1:], strict=False):
        assert a.end <= b.start
    for s in spans:
        assert 0 <= s.start < s.end <= len(text) and text[s.start : s.end].strip()
        assert s.attrs["lat"] is not None and s.attrs["precision"] in (1, 2, 3)


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("مشروع التسوية موجود في جنيف 1 وجنيف 2", []),
        ("مفاوضات جنيف 3، التي انطلقت", []),
        ("قصف على حلب 3 مرات", ["حلب"]),
        ("عقد المؤتمر في جنيف أمس", ["جنيف"]),
    ],
)
def test_a_numbered_round_is_a_conference_not_a_city(text, found):
    assert [p["words"] for p in geocode_text(text)] == found


def test_a_town_contains_its_quarters():
    """The quarter in "حي القصور ببلدة تلبيسة" is not Homs' Qusour 13 km away: the town holds it."""
    quarter = geocode_text("قصف على حي القصور ببلدة تلبيسة")[0]
    assert quarter["name"] == "Talbiseh" and quarter["type"] == "neighbourhood"
    assert geocode_text("قصف على حي القصور في مدينة حمص")[0]["name"] == "Homs"


def test_function_words_are_never_candidates_without_a_head_noun():
    """أن، إلى، كان name small places somewhere; without a head noun the model is not asked."""
    assert geocode_text("وقال إن الوفد كان قد وصل إلى الاجتماع") == []


def test_a_quoted_group_name_is_no_place():
    """«كتائب X دوما»: a quoted phrase opened by an organisation's head noun names a group."""
    assert geocode_text("وانضمت «كتائب أنصار دوما» إلى الاتحاد الجديد") == []
    assert [p["name"] for p in geocode_text("وقال إن «الجيش قصف مواقع في دوما» أمس")] == ["Douma"]
    # a news outlet's name is the sources' business: its place stays a place
    assert [p["name"] for p in geocode_text("ونقلت «شبكة أخبار حلب» أن القصف تواصل")] == ["Aleppo"]


def test_a_quarter_is_not_the_governorate_of_the_same_name():
    """A quarter head wants a point: حي التأميم is a quarter, التأميم also Kirkuk's old governorate."""
    assert all(p["type"] != "admin1" for p in geocode_text("تقدمت القوات نحو حي التأميم صباحا"))
    assert geocode_text("انفجار في بلدة تركية قرب الحدود")[0]["name"] == "Turkey"  # a Turkish town


def test_a_countryside_is_not_contained_by_the_next_one():
    places = geocode_text(
        "وصلت المساعدات إلى بلدتي نبل والزهراء في ريف حلب الشمالي، وكفريا والفوعة في ريف إدلب أمس"
    )
    got = {p["words"]: p["admin1"] for p in places}
    assert got["نبل"] == got["الزهراء"] == got["ريف حلب الشمالي"] == "Aleppo"
    assert got["كفريا"] == got["الفوعة"] == "Idlib"


def test_a_generic_anaphor_after_a_head_noun_is_no_gazetteer_entry():
    assert geocode_text("سقطت قذائف على مركز المدينة وأحياء المدينة القديمة") == []


@pytest.mark.parametrize(
    ("text", "places"),
    [
        ("أعلنت غرفة عمليات فتح درعا بدء المعركة", []),  # an organisation's name
        ("قال مدير أمن الأنبار إن الوضع مستقر", []),
        ("انتقل اللاعب إلى نادي برشلونة", []),
        ("قصفت الطائرات مقرات ثوار إدلب", ["Idlib"]),  # rebels in Idlib: the place
        ("سيطر المقاتلون على قريتي تل عيسى والفرحانية ثم تقدموا من القريتين نحو الطريق", None),
        ("سيطر التنظيم على القريتين في ريف حمص", ["Al-Qaryatayn", "Homs"]),
        ("يقوم الراعي بحلب الماعز كل صباح", []),  # the verbal noun of "قام بـ"
        ("وصل الوفد إلى حلب أمس", ["Aleppo"]),
        ("تتوفر السيارة بالألوان الأبيض، والأحمر، والرمادي، والأخضر", []),  # a list of words
        ("تقدمت القوات نحو الفلوجة والرمادي وهيت", ["Fallujah", "Ramadi", "Hit"]),
    ],
)
def test_names_inside_organisations_light_verbs_and_word_lists_are_not_places(text, places):
    got = [r["name"] for r in geocode_text(text)]
    if places is None:  # the two villages: no gazetteer town for "القريتين"
        assert "Al-Qaryatayn" not in got
    else:
        assert got == places


def test_a_common_word_name_between_two_names_of_a_list_is_a_place():
    """ "صور" (pictures) is Tyre between two Lebanese towns of one list, not elsewhere."""
    got = [r["name"] for r in geocode_text("زار الوفد جبيل وصيدا وصور وطرابلس")]
    assert "Tyre" in got
    assert geocode_text("نشر الموقع صور المعرض") == []


def test_an_area_head_names_a_saudi_region():
    """Saudi Arabia's first-level divisions are مناطق: "منطقة الجوف" is its Al-Jawf region."""
    (jawf,) = geocode_text("أعلنت الجوازات في منطقة الجوف ارتفاع عدد المسافرين")
    assert jawf["country_code"] == "SA" and jawf["type"] == "admin1"


def test_a_border_governorate_named_like_a_common_word_needs_its_context():
    """الحرث, a Saudi governorate shelled from Yemen, is also the word "tillage" of an idiom."""
    assert names("سقط مقذوف على منزل في محافظة الحرث") == [("محافظة الحرث", "Al-Harth governorate")]
    assert names("هاجم المسلحون القرية وأهلكوا الحرث والنسل") == []


@pytest.mark.parametrize(
    ("text", "places"),
    [
        # a village of the open dataset, after its head noun, in a story about Syria
        ("قصفت الطائرات قرية عكاكير في ريف حماة أمس", [("عكاكير", "Akakir"), ("ريف حماة", "Hama")]),
        (
            "قصف على بلدة طير جبة وقرية بشنين في سوريا",
            [("طير جبة", "Teir Jebeh"), ("بشنين", "Beshnine"), ("سوريا", "Syria")],
        ),
        # without a head noun its name is a word like any other
        ("قال إن عكاكير كانت هادئة", []),
        # a story about Yemen does not mean the Syrian village of that name
        ("اشتباكات في قرية عكاكير بمحافظة تعز اليمنية", [("محافظة تعز", "Taiz Governorate")]),
    ],
)
def test_open_dataset_villages_need_their_head_noun_and_their_country(text, places):
    assert names(text) == places


@pytest.mark.parametrize(
    ("text", "places"),
    [
        # a Yemeni subdistrict of an open dataset after منطقة (a weak head for other names)
        (
            "سيطرت المقاومة الشعبية على منطقة عتمة في محافظة ذمار اليمنية",
            [("عتمة", "Otmah"), ("محافظة ذمار", "Dhamar Governorate")],
        ),
        # an Iraqi subdistrict after ناحية
        (
            "سيطر الجيش على ناحية كبيسة غرب الأنبار",
            [("كبيسة", "Kubaisa"), ("الأنبار", "Al Anbar Governorate")],
        ),
        # without its head noun, or in a story about another country, it is no place
        ("قال إن عتمة كانت هادئة", []),
        ("دارت اشتباكات في منطقة عتمة بريف حماة السورية", [("ريف حماة", "Hama")]),
        # كتلة is a bloc, not ك + تلة (a hill): no head noun
        ("انتقد وزراء كتلة الأحرار في بغداد القرار", [("بغداد", "Baghdad")]),
    ],
)
def test_open_dataset_divisions_of_yemen_and_iraq_need_their_head_noun(text, places):
    assert names(text) == places


@pytest.mark.parametrize(
    ("text", "places"),
    [
        # a district's head noun names no subdistrict: with only the subdistrict عتمة known (in
        # another governorate), "مديرية عتمة" is the district the data lacks
        (
            "سيطرت المقاومة الشعبية على مديرية عتمة في محافظة ذمار اليمنية",
            [("محافظة ذمار", "Dhamar Governorate")],
        ),
        (
            "قتل مسلحون في مديرية «نعمان» التابعة لمحافظة البيضاء اليمنية",
            [("محافظة البيضاء", "Al Bayda Governorate")],
        ),
        # Iraq: ناحية names the subdistrict, قضاء the district
        (
            "سيطر الجيش على ناحية كبيسة غرب الأنبار",
            [("كبيسة", "Kubaisa"), ("الأنبار", "Al Anbar Governorate")],
        ),
        ("سيطر الجيش على قضاء كبيسة غرب الأنبار", [("الأنبار", "Al Anbar Governorate")]),
        ("دارت معارك في قضاء المدائن جنوب بغداد", [("المدائن", "Al-Mada'in"), ("بغداد", "Baghdad")]),
    ],
)
def test_a_division_head_decides_the_level(text, places):
    assert names(text) == places


@pytest.mark.parametrize(
    ("text", "places"),
    [
        # a prayer time after صلاة is no country
        ("اجتمع الأهالي بعد صلاة المغرب في المسجد الكبير", []),
        ("وصل الوفد إلى المغرب أمس", [("المغرب", "Morocco")]),
        # a dual head noun with one member is "my village", no head noun for a word of an open dataset
        ("قال إن الحياة في قريتي عكاكير، بعيدا عن حماة، هادئة", [("حماة", "Hama")]),
        (
            "قصفت الطائرات قريتي عكاكير وبشنين في ريف حماة",
            [("عكاكير", "Akakir"), ("بشنين", "Beshnine"), ("ريف حماة", "Hama")],
        ),
    ],
)
def test_prayer_times_and_one_member_duals(text, places):
    assert names(text) == places


@pytest.mark.parametrize(
    ("text", "places"),
    [
        # a stoplisted name after a preposition, in fighting, in the country the story is about
        (
            "قصفت طائرات التحالف في اليمن مواقع الحوثيين في البيضاء",
            [("اليمن", "Yemen"), ("البيضاء", "Al Bayda Governorate")],
        ),
        (
            "سيطرت قوات المعارضة في سوريا على الضمير بعد معارك عنيفة",
            [("سوريا", "Syria"), ("الضمير", "Dumayr")],
        ),
        # or after a direction: "شمال X" points at the town or division X
        (
            "هاجم مسلحون القوات العراقية في بيجي شمال صلاح الدين",
            [("بيجي", "Baiji"), ("صلاح الدين", "Saladin Governorate")],
        ),
        # the common word: a phrase with a definite word after it, no fighting, or far from the story
        ("قتل ثلاثة أشخاص في سوريا في الثورة السورية", [("سوريا", "Syria")]),
        ("قرأ الطلاب في سوريا على الباب لافتة", [("سوريا", "Syria")]),
        (
            "قصف الطيران قرى في ريف اللاذقية، وسيطرت المعارضة على التل بعد معارك",
            [("ريف اللاذقية", "Latakia")],
        ),
    ],
)
def test_a_stoplisted_name_in_fighting_is_our_town_there(text, places):
    assert names(text) == places


@pytest.mark.parametrize(
    ("text", "places"),
    [
        # a region named by a direction alone is Israel's district only where the story is there
        ("سيطر جيش الفتح على المنطقة الجنوبية بعد معارك", []),
        (
            "سقطت صواريخ أطلقت من غزة على المنطقة الجنوبية في إسرائيل",
            [("غزة", "Gaza"), ("المنطقة الجنوبية", "Southern District"), ("إسرائيل", "Israel")],
        ),
        # a place of GeoNames' of that name far across the country is not the one beside the town:
        # the town's point (Husaybah by the Syrian border is not the one by Ramadi); a direction may
        # span a country
        (
            "هاجمت القوات العراقية مواقع لتنظيم داعش في منطقة حصيبة قرب الرمادي",
            [("حصيبة", "حصيبة (near Ramadi)"), ("الرمادي", "Ramadi")],
        ),
        ("اندلعت اشتباكات في مدينة سبها جنوب طرابلس", [("سبها", "Sabha"), ("طرابلس", "Tripoli")]),
    ],
)
def test_a_direction_region_and_a_far_namesake(text, places):
    assert names(text) == places


def test_the_fronts_of_aden_are_places():
    got = names("وأصبحت مناطق جعولة وبئر أحمد في اليمن تحت سيطرة المقاومة بعد معارك في مثلث العلم")
    assert got == [
        ("جعولة", "Ja'ula (Aden)"),
        ("بئر أحمد", "Bir Ahmad (Aden)"),
        ("اليمن", "Yemen"),
        ("مثلث العلم", "Al-Alam triangle (Aden)"),
    ]


def test_tear_gas_and_a_square_named_for_a_man_are_no_places():
    got = names("أطلقت الشرطة القنابل المسيلة للدموع على المحتجين في ساحة رياض الصلح وسط بيروت")
    assert got == [("بيروت", "Beirut")]


@pytest.mark.parametrize(
    ("text", "words", "admin1"),
    [
        ("افتتح المحافظ مدرسة جديدة في شبين القناطر بالقليوبية", "شبين القناطر", "القليوبية"),
        ("يسكن أقاربه في مودية بأبين منذ سنوات", "مودية", "أبين"),
    ],
)
def test_a_town_the_next_words_place_in_its_governorate_is_a_place(text, words, admin1):
    # alone, in a sentence of no violence, neither name is read as a place: its governorate says it is
    assert [r["words"] for r in geocode_text(text)] == [words, admin1]
    assert geocode_text(text.replace(f" ب{admin1}", "")) == []


def test_a_governorate_that_holds_no_place_of_the_name_places_nothing():
    assert [r["words"] for r in geocode_text("يسكن أقاربه في مودية بحلب منذ سنوات")] == ["حلب"]


def test_a_town_a_direction_sets_by_a_town_that_lies_there_is_a_place():
    got = geocode_text("انتقلت عائلته إلى الخالدية شرق الرمادي قبل سنوات")
    assert [(r["words"], r["admin1"]) for r in got][0] == ("الخالدية", "Anbar")
    assert geocode_text("انتقلت عائلته إلى الخالدية قبل سنوات") == []


def test_a_name_only_an_open_dataset_knows_is_a_place_where_a_town_by_it_holds_it():
    # an open dataset's district needs a head noun, or a town or governorate after it that holds it
    got = geocode_text("وصلت تعزيزات عسكرية يمنية إلى دمنة خدير شرق مدينة تعز في اليمن")
    assert [r["name"] for r in got] == ["Dimnat Khadir", "Taiz", "Yemen"]
    got = geocode_text("وصلت تعزيزات عسكرية يمنية إلى دمنة خدير في اليمن")
    assert [r["name"] for r in got] == ["Yemen"]
