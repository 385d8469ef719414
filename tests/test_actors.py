"""Actor and source dictionary matching."""

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
    assert ("الجيش التركي", "actor", "Military Forces of Turkey (2016-)") in hits
    assert ("الطيران الروسي", "actor", "Military Forces of Russia (2000-)") in hits
    assert ("الجيش السوري الحر", "actor", "Free Syrian Army") in hits


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
