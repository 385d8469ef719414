"""Actor and source dictionary matching."""

import pytest

from marsad.document import Document
from marsad.entities.actors import expand, lexicon, lookup_actor
from marsad.pipeline import Pipeline


def _found(text: str) -> list[tuple[str, str, str]]:
    return [(text[s:e], en.label, dict(en.attrs)["canonical"]) for s, e, en in lexicon().find(text)]


def test_clitics_on_first_word() -> None:
    hits = _found("والمرصد يقول إن لقوات النظام ووحدات حماية الشعب وداعش مواقع")
    assert ("المرصد", "source", "Syrian Observatory for Human Rights") in hits
    assert ("قوات النظام", "actor", "Military Forces of Syria (2000-2024)") in hits
    assert ("داعش", "actor", "Islamic State") in hits
    assert ("وحدات حماية الشعب", "actor", "YPG: People's Protection Units") in hits


def test_longest_match_and_heads() -> None:
    hits = _found("ألقت طائرات النظام براميل على مواقع عناصر من تنظيم داعش ومقاتلي المعارضة")
    assert ("طائرات النظام", "actor", "Military Forces of Syria (2000-2024)") in hits
    assert ("عناصر من تنظيم داعش", "actor", "Islamic State") in hits
    assert ("مقاتلي المعارضة", "actor", "Opposition Rebels (Syria)") in hits
    assert not any(t == "النظام" for t, _, _ in hits)


def test_sources_are_not_actors() -> None:
    hits = _found("نقلت وكالة أنباء النظام سانا عن المرصد السوري لحقوق الإنسان")
    assert hits == [
        ("وكالة أنباء النظام سانا", "source", "SANA"),
        ("المرصد السوري لحقوق الإنسان", "source", "Syrian Observatory for Human Rights"),
    ]


def test_nationality_forms_and_free_army() -> None:
    hits = _found("قصف الجيش التركي والطيران الروسي بينما تقدم الجيش السوري الحر")
    assert ("الجيش التركي", "actor", "Military Forces of Turkey (2002-)") in hits
    assert ("الطيران الروسي", "actor", "Military Forces of Russia (2000-)") in hits
    assert ("الجيش السوري الحر", "actor", "Free Syrian Army") in hits
    # the longer name wins: Libya's "national army" is Haftar's, not Yemen's "الجيش الوطني"
    hits = _found("قصفت طائرات الجيش الوطني الليبي مواقع في بنغازي")
    assert (
        "طائرات الجيش الوطني الليبي",
        "actor",
        "Military Forces of Libya (2014-) House of Representatives",
    ) in hits


def test_a_group_counted_by_a_figure_is_named() -> None:
    # the singular a number from 11 to 99 counts, and the broken plural
    hits = _found("قتل 22 داعشيا و14 حوثيا، واعتقل 6 دواعش")
    assert ("داعشيا", "actor", "Islamic State") in hits
    assert ("حوثيا", "actor", "Houthi Movement") in hits
    assert ("دواعش", "actor", "Islamic State") in hits


def test_common_word_sources_need_a_title_or_quotes() -> None:
    assert _found("يشهد الشرق الأوسط اليوم توترا") == []
    assert ("الشرق الأوسط", "source", "Asharq Al-Awsat") in _found("وقال لـ«الشرق الأوسط» إن")
    assert ("صحيفة الحياة", "source", "Al-Hayat") in _found("ذكرت صحيفة الحياة")


def test_diacritics_do_not_block_a_match() -> None:
    assert ("قُوّات النّظام", "actor", "Military Forces of Syria (2000-2024)") in _found("قصفت قُوّات النّظام")


def test_lookup_actor() -> None:
    rec = lookup_actor("ولقوات النظام")
    assert (
        rec is not None and rec["canonical"] == "Military Forces of Syria (2000-2024)" and rec["inter"] == 1
    )
    assert lookup_actor("Hezbollah")["type"] == "political militia"  # type: ignore[index]
    assert lookup_actor("مقاتلي داعش")["canonical"] == "Islamic State"  # type: ignore[index]
    assert lookup_actor("كلام لا معنى له") is None


def test_expand() -> None:
    assert expand("مقاتل{و|ي} {ال|}معارضة") == [
        "مقاتلو المعارضة",
        "مقاتلو معارضة",
        "مقاتلي المعارضة",
        "مقاتلي معارضة",
    ]


def test_component_offsets() -> None:
    doc = Document(id="t", text="وأفاد المرصد بأن مسلحين مجهولين قتلوا مدنيين.")
    doc = Pipeline.from_names(["tokens", "match", "actors"])(doc)
    got = {(doc.span_text(s), s.label, s.attrs["canonical"]) for s in doc.spans}
    assert ("المرصد", "source", "Syrian Observatory for Human Rights") in got
    assert ("مسلحين مجهولين", "actor", "Unidentified Armed Group (Syria)") in got
    assert ("مدنيين", "actor", "Civilians (Syria)") in got


@pytest.mark.parametrize(
    ("name", "country", "day", "expected"),
    [
        ("Military Forces of Syria (2000-2024)", "Syria", "2025-01-10", "Military Forces of Syria (2024-)"),
        (
            "Military Forces of Syria (2000-2024)",
            "Syria",
            "2015-08-01",
            "Military Forces of Syria (2000-2024)",
        ),
        ("Military Forces of France (2017-)", "Syria", "2015-11-20", "Military Forces of France (2012-2017)"),
        ("Military Forces of Lebanon (2022-)", "Lebanon", "2015-03-01", "Military Forces of Lebanon"),
        (
            "Military Forces of Yemen (2012-) Hadi faction",
            "Yemen",
            "2015-05-01",
            "Military Forces of Yemen (2012-) Hadi faction",
        ),
        ("Unidentified Armed Group (Syria)", "Egypt", "2015-05-01", "Unidentified Armed Group (Egypt)"),
        ("Civilians (Syria)", "Yemen", None, "Civilians (Yemen)"),
        ("Hezbollah", "Syria", "2015-05-01", "Hezbollah"),
    ],
)
def test_label_by_date_and_country(name, country, day, expected):
    from marsad.entities.actors import label

    assert label(name, country, day) == expected


def _read(text: str):
    from marsad.runner import build_pipeline

    return build_pipeline(names=["clean", "tokens", "match", "sentences", "places", "actors"])(
        Document(id="t", text=text)
    )


def _names(doc, label: str) -> dict[str, str]:
    return {doc.span_text(s): s.attrs["canonical"] for s in doc.spans_of(label)}


@pytest.mark.parametrize(
    ("text", "word", "expected"),
    [
        ("تقدمت المقاومة في مدينة تعز بعد معارك عنيفة", "المقاومة", "Popular Resistance (Yemen)"),
        ("قالت المقاومة إن مقاتليها استهدفوا موقعا قرب مدينة صور في جنوب لبنان", "المقاومة", "Hezbollah"),
        ("شنت طائرات التحالف غارات على مواقع في صعدة", "طائرات التحالف", "Coalition (Saudi Arabia)"),
        ("شنت طائرات التحالف غارات على مواقع في الرقة", "طائرات التحالف", "Coalition (United States)"),
        ("اقتحم الجيش حيا في مدينة الموصل", "الجيش", "Military Forces of Iraq (2014-)"),
        ("اعتقلت الشرطة ثلاثة رجال في مدينة بغداد", "الشرطة", "Police Forces of Iraq (2014-)"),
        ("اعتقلت قوات الأمن خمسة في مدينة العريش", "قوات الأمن", "Police Forces of Egypt (2014-)"),
        ("قصف الطيران الحربي مواقع في مدينة صعدة", "الطيران الحربي", "Coalition (Saudi Arabia)"),
        ("قصف الطيران الحربي مواقع في مدينة حلب", "الطيران الحربي", "Military Forces of Syria (2000-2024)"),
        ("هاجم المتمردون مواقع في مدينة تعز", "المتمردون", "Houthi Movement"),
        ("هاجم المسلحون حاجزا في مدينة العريش", "المسلحون", "Unidentified Armed Group (Syria)"),
        ("خطفت مجموعة مسلحة مهندسين في مدينة درنة", "مجموعة مسلحة", "Unidentified Armed Group (Syria)"),
        ("تقدمت ميليشيات الحوثي نحو مدينة تعز", "ميليشيات الحوثي", "Houthi Movement"),
        ("قصف الانقلابيون أحياء مدينة تعز", "الانقلابيون", "Houthi Movement"),
        (
            "هاجمت قوات المخلوع مواقع في مدينة تعز",
            "قوات المخلوع",
            "Military Forces of Yemen (2012-) Saleh faction",
        ),
        (
            "سيطرت قوات الطوارئ على الموقع في مدينة جازان",
            "قوات الطوارئ",
            "Police Forces of Saudi Arabia (2015-)",
        ),
        (
            "داهمت قوات مكافحة الإرهاب وكرا في مدينة الفيوم",
            "قوات مكافحة الإرهاب",
            "Police Forces of Egypt (2014-)",
        ),
        ("هاجم أنصار الشريعة ثكنة في مدينة بنغازي", "أنصار الشريعة", "Ansar al-Sharia (Libya)"),
        ("تقدم الثوار نحو مدينة الضالع", "الثوار", "Popular Resistance (Yemen)"),
        (
            "قصف سلاح الجو التركي مواقع قرب مدينة كيليس",
            "سلاح الجو التركي",
            "Military Forces of Turkey (2002-)",
        ),
        (
            "اعتقلت قوات الأمن التركية عشرة في إسطنبول",
            "قوات الأمن التركية",
            "Police Forces of Turkey (2002-)",
        ),
        ("داهمت قوة أمنية منزلا في مدينة الرمادي", "قوة أمنية", "Military Forces of Iraq (2014-)"),
        (
            "هاجمت الحركة الانفصالية الكردية مركزا للدرك في مدينة ماردين",
            "الحركة الانفصالية الكردية",
            "PKK: Kurdistan Workers Party",
        ),
    ],
)
def test_a_generic_word_is_read_by_the_country_of_the_text(text, word, expected):
    assert _names(_read(text), "actor")[word] == expected


def test_a_country_word_with_no_actor_there_names_none():
    doc = _read("تحدث الكاتب عن المقاومة في رواية جديدة عن باريس")
    assert not [s for s in doc.spans_of("actor") if doc.span_text(s) == "المقاومة"]


def test_a_local_actor_takes_the_country_of_the_text():
    doc = _read("قتل خمسة مدنيين في قصف على مدينة تعز")
    civilians = [s for s in doc.spans_of("actor") if s.attrs["type"] == "civilians"]
    assert civilians and civilians[0].attrs["country"] == "Yemen"


@pytest.mark.parametrize(
    ("text", "word", "expected"),
    [
        (
            "وقالت وزارة الداخلية إن الشرطة اعتقلت رجلين في بغداد",
            "وزارة الداخلية",
            "Ministry of Interior (Iraq)",
        ),
        ("وقالت مصادر إن اشتباكات وقعت قرب الحدود", "مصادر", "Sources"),
        ("وأفادت مصادر محلية بسقوط قذائف", "مصادر محلية", "Local sources"),
        (
            "وأكد مصدر في المقاومة الشعبية أن المعارك مستمرة",
            "مصدر في المقاومة الشعبية",
            "Popular Resistance sources",
        ),
        (
            "وقال المتحدث باسم جبهة النصرة إن مقاتليها تقدموا",
            "المتحدث باسم جبهة النصرة",
            "Jabhat al-Nusra spokesman",
        ),
        ("وأكدت مصادر في حزب الله أن ثلاثة قتلوا في القلمون", "مصادر في حزب الله", "Hezbollah sources"),
        (
            "وأضاف بيان للإعلام الحربي أن الطيران قصف مواقع في الرمادي",
            "للإعلام الحربي",
            "Iraqi War Media Cell",
        ),
        ("وصلت فرق الدفاع المدني إلى الموقع في جازان", "فرق الدفاع المدني", "Civil Defence (Saudi Arabia)"),
        (
            "وذكر مصدر في قيادة عمليات بغداد أن عبوة انفجرت في الكرادة",
            "مصدر في قيادة عمليات بغداد",
            "Baghdad Operations Command",
        ),
        # a state's own media named bare are the media of the state the text is about there
        (
            "وقال بيان بثه التلفزيون الرسمي إن القوات دخلت الرمادي",
            "التلفزيون الرسمي",
            "State television (Iraq)",
        ),
        (
            "وذكرت وكالة الأنباء الرسمية أن قذائف سقطت في عدن",
            "وكالة الأنباء الرسمية",
            "State news agency (Yemen)",
        ),
        ("وذكرت وكالة الأنباء الرسمية أن الطيران قصف دوما", "وكالة الأنباء الرسمية", "SANA"),
        (
            "وأعلن جهاز مكافحة الإرهاب أن قواته طوقت مبنى في الفلوجة",
            "جهاز مكافحة الإرهاب",
            "Counter Terrorism Service (Iraq)",
        ),
        # the same words name another state's unit elsewhere, not Iraq's
        (
            "وقال رئيس جهاز مكافحة الإرهاب إن الجيش تقدم في حي الصابري ببنغازي",
            "جهاز مكافحة الإرهاب",
            "Counter-terrorism apparatus (Libya)",
        ),
    ],
)
def test_sources_by_country_speakers_and_bare_sources_after_a_cue(text, word, expected):
    assert _names(_read(text), "source")[word] == expected


def test_a_bare_source_word_needs_a_cue_and_a_definite_one_is_the_source_before():
    assert not _read("تنويع مصادر الدخل في البلاد").spans_of("source")
    # "ناشطين" is also the adjective "active"
    assert not _read("وأضاف أن المسلحين غير ناشطين في تلك المنطقة").spans_of("source")
    assert [s.attrs["canonical"] for s in _read("وقال ناشطون إن القصف طال البلدة").spans_of("source")] == [
        "Activists"
    ]
    doc = _read("وقال مصدر أمني إن عبوة انفجرت. وأضاف المصدر أن شخصين قتلا.")
    assert [s.attrs["canonical"] for s in doc.spans_of("source")] == ["Security sources", "Security sources"]


def test_a_spokesmans_group_is_still_named_and_a_ministry_needs_a_cue():
    doc = _read("وقال الناطق باسم الجبهة الجنوبية إن مقاتليها سيطروا على البلدة")
    assert [s.attrs["canonical"] for s in doc.spans_of("actor")] == ["Southern Front"]
    assert not _read("قتل أحد منتسبي وزارة الداخلية في بغداد").spans_of("source")


def test_an_event_nobody_reports_is_its_outlets():
    from marsad.entities.actors import outlet_source
    from marsad.runner import build_pipeline

    assert outlet_source("www.okaz.com.sa") == outlet_source("okaz") == "Okaz"
    assert outlet_source("example.org") is None
    text = "قصفت قوات النظام بلدة كفرنبل في ريف إدلب أمس بالبراميل المتفجرة."
    events = build_pipeline()(Document(id="t", text=text, outlet="okaz")).events
    assert events and all(ev.attributed_to == ["Okaz"] for ev in events)


def test_a_groups_sources_drop_the_country_its_name_repeats():
    doc = _read("أعلنت مصادر في المقاومة الشعبية أن مقاتليها حرروا مدينة لحج")
    assert [s.attrs["canonical"] for s in doc.spans_of("source")] == ["Popular Resistance sources"]


@pytest.mark.parametrize(
    "label, kind, country",
    [
        ("Civilians (Yemen)", "civilians", "Yemen"),
        ("Protesters (Tunisia)", "protesters", "Tunisia"),
        ("Military Forces of Syria (2024-)", "state forces", "Syria"),
        ("Military Forces of Lebanon", "state forces", "Lebanon"),
        ("Military Forces of Yemen Hadi faction", "state forces", "Yemen"),
    ],
)
def test_every_label_the_coder_writes_is_read_back(label, kind, country):
    from marsad.entities.actors import lookup_actor

    rec = lookup_actor(label)
    assert rec is not None and (rec["canonical"], rec["type"], rec["country"]) == (label, kind, country)


def test_a_country_we_do_not_list_is_named_not_coded():
    from marsad.entities import gazetteer

    names = gazetteer.get().country_names
    assert names["TZ"] == "Tanzania" and names["SY"] == "Syria"
