"""The event stage's rules, one class of wording each, on sentences written for these tests.

The rules alone code here (no event model), so that each test pins what the rules propose."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from marsad.document import Document, Span
from marsad.event import Event, Evidence
from marsad.events.lexicon import Trigger
from marsad.events.units import Found, Verdict, dedup, make_event
from marsad.pipeline import DEFAULT_PIPELINE
from marsad.runner import build_pipeline


@pytest.fixture(scope="module")
def code_doc():
    pipeline = build_pipeline(config={"events": {"model": "rules"}})
    return lambda text, published=date(2015, 8, 10): pipeline(
        Document(id="t", text=text, published=published)
    )


@pytest.fixture(scope="module")
def code(code_doc):
    return lambda text: code_doc(text).events


def test_a_list_of_villages_gives_one_event_each(code):
    events = code("قصفت قوات النظام صباح أمس بلدتي الفوعة وكفريا بريف إدلب.")
    assert sorted(e.location for e in events if e.sub_event_type == "Shelling/artillery/missile attack") == [
        "Fuaa",
        "Kefraya",
    ]
    assert all(e.event_date == "2015-08-09" for e in events)
    # the countryside that says where the first is does not end the list
    events = code("قصفت قوات النظام بلدة الفوعة بريف إدلب ومدينة مورك بريف حماة.")
    assert sorted(e.location for e in events) == ["Fuaa", "Murak"]


def test_a_village_the_gazetteer_lacks_is_its_own_place_beside_the_one_it_knows(code):
    """The second of two villages, unknown, lies by the first (its point, precision 2) and keeps
    its own name: one event each, not the first village's event twice."""
    events = code("قصفت قوات النظام صباح أمس قريتي ماير وكفرزيتونة الغربية.")
    mayer, other = sorted(events, key=lambda e: e.geo_precision or 1)
    assert (mayer.location, other.location) == ("Mayer", "كفرزيتونة (near Mayer)")
    assert (other.latitude, other.longitude, other.geo_precision) == (mayer.latitude, mayer.longitude, 2)
    # the first of two, unknown, lies by the second
    events = code("قصفت قوات النظام صباح أمس قريتي كفرزيتونة وماير.")
    assert [e.location for e in events] == ["كفرزيتونة (near Mayer)", "Mayer"]
    # two unknown villages by one town are two places
    events = code("قصفت قوات النظام قريتي تل الزعرور والفريكة جنوب مدينة جسر الشغور.")
    assert [e.location for e in events] == [
        "تل الزعرور (near Jisr al-Shughur)",
        "الفريكة (near Jisr al-Shughur)",
    ]


def test_a_list_of_districts_gives_each_even_where_the_gazetteer_knows_some_as_towns(code):
    """After a plural head a district is a member of the list, not the container of the towns
    beside it; after a singular head a name with و in it is one district."""
    events = code("وشنت طائرات التحالف غارات على مديريات مجزر وصرواح ومدغل في محافظة مأرب.")
    assert [e.location for e in events] == ["Majzar", "Sirwah", "Madghil"]
    [harasta] = code("قصفت قوات النظام مدينة حرستا بالغوطة الشرقية.")
    assert harasta.location == "Harasta"
    assert "Hadnan" not in {e.location for e in code("وقصف المتمردون مديرية مشرعة وحدنان في محافظة تعز.")}


def test_barrel_bombs_are_air_strikes_by_the_regime(code):
    [event] = code("ألقى الطيران المروحي براميل متفجرة على مدينة داريا ما أدى إلى مقتل خمسة مدنيين.")
    assert event.sub_event_type == "Air/drone strike"
    assert event.actor1.startswith("Military Forces of Syria")
    assert event.fatalities == 5


def test_a_denial_in_the_next_sentence_disputes_the_report(code):
    [event] = code(
        "قال المرصد السوري لحقوق الإنسان إن غارة جوية استهدفت سوقا في مدينة دوما. "
        "ونفت وكالة سانا أن يكون الطيران استهدف المدنيين وقالت إن الغارات طالت مقرات المسلحين في المدينة."
    )
    assert event.status == "disputed"
    assert {"Syrian Observatory for Human Rights", "SANA"} <= set(event.attributed_to)
    assert len(event.evidence) == 2


def test_hopes_and_threats_are_not_events(code):
    assert not code("وهدد قائد الفصيل باقتحام مدينة حماة خلال أيام.")
    assert not code("ويأمل المقاتلون أن يسيطروا على مدينة حمص قريبا.")
    assert not code("ومن المتوقع استعادة قوات المعارضة مدينة إدلب خلال أسابيع.")
    assert not code("ويخشى السكان هجوما لتنظيم داعش على مدينة الرمادي.")
    assert not code("وتحدث القائد عن سيطرة فصائل المعارضة على مدينة الرقة، مرجحا حدوثها خلال أسابيع.")
    # an aim or a preparation: what is meant to happen
    assert not code("وبدأت القوات الحكومية أمس عملية تهدف إلى استعادة مدينة الرمادي.")
    assert not code("ووصلت تعزيزات إلى محافظة لحج أمس استعدادا لاقتحام مدينة الحوطة.")
    # a plan ("للتخطيط لهجمات"): what it plans is not told as done
    assert not code("وكان المبنى مركزا يستخدمه المسلحون للتخطيط للمعارك في مدينة الرمادي.")
    # a withdrawal asked for, offered or threatened; one under way is an event
    assert not code("وطالبت المقاومة المسلحين بالانسحاب من مدينة تعز خلال يومين.")
    assert not code("وطرح الوسطاء مبادرة للانسحاب من مدينة تعز.")
    assert code("وبدأ المسلحون أمس بالانسحاب من مدينة تعز.")
    # a threat or a demand: what comes after it with ب is not done
    assert not code("وأطلق المسلحون تهديدات بتفجير الجسر في مدينة الرقة.")
    assert not code("وجدد التنظيم تهديده بقصف مدينة الحسكة.")
    # what one can or cannot do: an ability, not a deed
    assert not code("وأكد الوزير أن بلاده تمتلك القدرة على مواجهة المسلحين في مدينة الرقة.")
    assert not code("وأكد القائد أن قواته قادرة على صد هجوم المسلحين على مدينة مأرب.")
    # a name is no ability: "عبد القادر" abducted
    assert code("وكان مسلحون اختطفوا الناشط عبد القادر أمس في مدينة تعز.")
    # a call: what it calls for is not done
    assert not code("وجابت سيارات المسلحين شوارع المدينة أمس وهي تدعو السكان إلى القتال في مدينة عدن.")
    assert code("وهو ما دعا الجيش العراقي إلى الانسحاب من مدينة الرمادي أمس.")  # what led it to withdraw
    assert "Remote explosive/landmine/IED" not in {
        e.sub_event_type for e in code("واعتقلت الشرطة رجلين بتهمة التخطيط لتفجير في مدينة الدمام.")
    }
    # what was being done or used to be done ("كان" before a present verb): a past scene, no report
    assert not code("وكانت الطائرات الحربية تقصف مدينة إدلب طوال سنوات الحرب.")
    assert code("وقصفت الطائرات الحربية مدينة إدلب أمس.")


def test_a_condemnation_reaches_past_a_name_with_a_word_of_fighting_in_it():
    """ "وأدان رئيس اللجنة الوطنية لمواجهة الإرهاب، أمس، الهجوم": the committee's name holds a word of
    fighting that is no event, and the verb still governs what it condemns past the aside, for the
    shipped model's proposals as for the rules alone."""
    text = "وأدان رئيس اللجنة الوطنية لمواجهة الإرهاب، أمس، الهجوم الذي نفذه مسلحون على حاجز للجيش في مدينة ديار بكر."
    assert not build_pipeline()(Document(id="t", text=text, published=date(2015, 8, 10))).events


def test_and_in_another_place_opens_a_report_of_its_own(code):
    """The toll told after "، وفي مدينة X" is not the cost of the event before it."""
    [strike] = code("قصفت طائرات حربية مواقع في مدينة إدلب أمس، وفي مدينة أريحا قتل ثلاثة مدنيين.")
    assert strike.location == "Idlib" and strike.fatalities is None


def test_a_season_gone_makes_an_event_background(code):
    """ "الشتاء الماضي"، "الصيف الماضي": a season of last year, not the news of a day."""
    [event] = code("واعتقلت الشرطة عشرات المحتجين في مدينة القدس الشتاء الماضي.")
    assert event.historical


def test_a_past_year_makes_an_event_background(code):
    [event] = code("وشهدت مدينة حماة مجزرة ارتكبتها قوات النظام عام 1982 أسفرت عن مقتل الآلاف.")
    assert event.historical and not event.event_date.startswith("2015")


def test_whoever_holds_a_place_is_not_the_attacker(code):
    [event] = code("شن الطيران الحربي غارات على قرية الزكاة التي يسيطر عليها تنظيم داعش.")
    assert not event.actor1.startswith("Islamic State")


def test_a_battle_with_no_one_in_it_is_a_figure_of_speech(code):
    assert not code("وتبقى معركة النفوذ مستمرة في دمشق بين الخطابين.")


def test_an_attack_that_names_only_its_fallen_soldiers_hit_the_state_forces(code):
    """Soldiers or policemen killed in an attack nobody is named for: the state's forces were
    attacked by an unidentified armed group, not a clash with nobody in it."""
    [event] = code("أفادت مصادر أمنية اليوم. ولقي ثلاثة جنود حتفهم أمس في هجوم على حاجز قرب مدينة الرمادي.")
    assert event.sub_event_type == "Armed clash"
    assert event.actor1 == "Unidentified Armed Group (Iraq)" and event.actor2.startswith(
        "Military Forces of Iraq"
    )
    [police] = code("أفادت مصادر أمنية اليوم. وأصيب أربعة شرطيين أمس في هجوم استهدف دورية في مدينة العريش.")
    assert police.actor2.startswith("Police Forces of Egypt") and police.actor1.startswith("Unidentified")


def test_soldiers_named_outside_the_toll_or_killed_in_a_battle_make_no_side(code):
    # a military source speaks (no one hit), and soldiers killed in battles nobody is named in
    assert not code("أفادت مصادر اليوم. وأكد مصدر عسكري أن هجوما وقع أمس في مدينة الرمادي.")
    assert not code("أفادت مصادر اليوم. وقتل خمسة جنود أمس خلال معارك في مدينة الرمادي.")


def test_a_group_with_no_aircraft_named_with_an_air_strike_is_what_it_hit(code):
    [strike] = code(
        "أفادت مصادر اليوم. وأجبرت الغارات قيادة حزب العمال الكردستاني على مغادرة مواقعها في جبال قنديل أمس."
    )
    assert strike.sub_event_type == "Air/drone strike"
    assert strike.actor1 is None and strike.actor2.startswith("PKK")
    # the state that flew stays actor1
    [flown] = code(
        "أفادت مصادر اليوم. وشنت طائرات حربية تركية غارات على مواقع حزب العمال الكردستاني في جبال قنديل أمس."
    )
    assert flown.actor1.startswith("Military Forces of Turkey") and flown.actor2.startswith("PKK")


def test_aircraft_that_back_a_ground_attack_make_no_air_strike_of_it(code):
    # the verb that launched the attack is the attack's, and the aircraft backing it a supporter
    [attack] = code(
        "أفادت مصادر اليوم. وسقطت مدينة زنجبار بعد هجوم شنته المقاومة الشعبية مدعومة من طيران التحالف أمس."
    )
    assert attack.sub_event_type == "Armed clash" and attack.actor1.startswith("Popular Resistance")
    [clash] = code(
        "أفادت مصادر اليوم. واندلعت معارك بين الجيش والمسلحين في مدينة الرمادي بإسناد من طيران الجيش أمس."
    )
    assert clash.sub_event_type == "Armed clash"


def test_a_group_driven_out_of_a_town_lost_it(code):
    """The weak "طرد" tells a change of territory when the place it drove someone from follows;
    the group driven out is the side that lost it, not the one that took it."""
    [taken] = code("أفادت مصادر اليوم. ونجحت قوات المقاومة الشعبية في طرد الحوثيين من مدينة لودر أمس.")
    assert taken.sub_event_type == "Non-state actor overtakes territory"
    assert taken.actor1.startswith("Popular Resistance") and taken.actor2 == "Houthi Movement"
    # driving workers out of a city is no event; nor is expelling with no place after "من"
    assert not code("أفادت مصادر اليوم. وطردت الشركة عشرة موظفين من مدينة جدة أمس.")
    assert not code("أفادت مصادر اليوم. وطردت قوات المقاومة الحوثيين أمس في مدينة لودر.")
    # verb, subject, object: the group named first drove out the one named last before "من"
    [taken] = code("أفادت مصادر اليوم. وطردت المقاومة الشعبية مسلحي الحوثي من مدينة لودر أمس.")
    assert taken.actor1.startswith("Popular Resistance") and taken.actor2 == "Houthi Movement"
    # ... and a group joined by "و" is driven out with the one before it
    [taken] = code("أفادت مصادر اليوم. ونجحت المقاومة الشعبية في طرد الحوثيين وقوات صالح من مدينة لودر.")
    assert taken.actor2 == "Houthi Movement"


def test_the_group_that_speaks_of_its_own_attack_claims_it(code):
    events = code("قالت جبهة النصرة إنها استهدفت بصواريخ غراد مواقع قوات النظام في بلدة نبل.")
    assert events and events[0].status == "claimed"
    reported = code("أفاد ناشطون بأن مجهولين اغتالوا عنصرا سابقا قرب بلدة طفس.")
    assert reported and reported[0].status == "reported" and reported[0].sub_event_type == "Attack"


def test_an_allegation_governs_its_own_clause_only(code):
    """An accusation in one clause of a long sentence does not make every event in it alleged."""
    events = code(
        "اتهم ناشطون قوات النظام بقصف بلدة نبل بالصواريخ، "
        "فيما سيطرت فصائل المعارضة على قرية الزكاة بريف حماة بعد اشتباكات."
    )
    assert {e.location: e.status for e in events} == {"Nubl": "alleged", "Al-Zakat": "reported"}


def test_a_source_that_also_reports_stands_behind_what_came_before(code):
    """After "كما أعلن المرصد ..." (also announced), the unattributed reports before it are the Observatory's."""
    events = code(
        "ألقى الطيران المروحي براميل متفجرة على بلدة اللطامنة بريف حماة الشمالي. "
        "كما أعلن المرصد السوري لحقوق الإنسان مقتل ثلاثة مدنيين بقصف على مدينة داريا."
    )
    assert {e.location: e.attributed_to for e in events} == {
        "Al-Lataminah": ["Syrian Observatory for Human Rights"],
        "Darayya": ["Syrian Observatory for Human Rights"],
    }
    [earlier, *_] = code(
        "ألقى الطيران المروحي براميل متفجرة على بلدة اللطامنة بريف حماة الشمالي. "
        "وأعلنت الحكومة خطة جديدة للطرق. "
        "وقال المرصد السوري لحقوق الإنسان إن ثلاثة مدنيين قتلوا بقصف على مدينة داريا."
    )
    assert earlier.attributed_to == []  # "وقال" two sentences on starts a new report, not a continuation


def test_a_lede_with_no_source_is_the_report_of_the_source_that_speaks_next(code):
    """News opens on the fact and names its source in the next sentence ("وقال المرصد ...")."""
    lede, _ = code(
        "ألقى الطيران المروحي براميل متفجرة على بلدة اللطامنة بريف حماة الشمالي. "
        "وقال المرصد السوري لحقوق الإنسان إن ثلاثة مدنيين قتلوا بقصف على مدينة داريا."
    )
    assert lede.attributed_to == ["Syrian Observatory for Human Rights"]


def test_an_event_whose_source_was_carried_is_also_the_report_of_the_source_that_speaks_next(code):
    """A source carried from a sentence about another event stays; the speaker right after adds."""
    events = code(
        "وقالت مصادر محلية إن غارة استهدفت مبنى في مدينة إدلب. "
        "وألقى الطيران المروحي أمس براميل متفجرة على بلدة اللطامنة بريف حماة الشمالي. "
        "وقال المرصد السوري لحقوق الإنسان إن البراميل دمرت منازل المدنيين."
    )
    [idlib] = [e for e in events if e.location == "Idlib"]
    [lataminah] = [e for e in events if e.location == "Al-Lataminah"]
    assert idlib.attributed_to == ["Local sources"]
    assert lataminah.attributed_to == ["Local sources", "Syrian Observatory for Human Rights"]


def test_one_anaphor_word_keeps_one_referent_in_a_sentence(code):
    """In "من المدينة ... إلى طرطوس ... من المدينة" the second المدينة is still the first one's city."""
    events = code(
        "سيطرت فصائل المعارضة على مدينة حمص. "
        "وتظهر مقاطع مئات الأشخاص يفرون من المدينة إلى مدينة طرطوس، وسط أنباء عن انسحاب قوات النظام من المدينة."
    )
    assert "Tartus" not in {e.location for e in events}


def test_no_event_is_placed_in_a_capital_that_only_speaks(code):
    events = code("وتتهم واشنطن ولندن وباريس الجيش السوري بشن هجمات بغاز الكلور على بلدة سرمين.")
    assert {e.location for e in events} <= {"Sarmin"}
    assert not code("واستخدمت القوات الأمريكية قاعدة لتوجيه ضربة جوية قبل ما وصفته أنقرة بأنه معركة شاملة.")


def test_what_will_be_is_not_an_event(code):
    assert not code('وقال الجنرال "سيكون لهذه الضربات أثر عميق على قدرة داعش على تنفيذ عمليات في الرمادي".')
    assert not code("وقال إن قوات النظام ستشن هجوما على مدينة الزبداني.")


@pytest.mark.parametrize(
    ("text", "bomb"),
    [
        ("وأصابت الضربات الجوية وحدات تكتيكية وحقول ألغام قريبة من مدينة الرقة.", False),  # a minefield
        ("وزعت الحملة 8538 عبوة حليب للأطفال الرضع في مخيم الزعتري في الأردن.", False),  # a milk can
        ("قتل ثلاثة مدنيين بانفجار لغم أرضي في بلدة تل أبيض.", True),
        ("قتل شخصان بانفجار عبوة ناسفة في مدينة درعا.", True),
        ("قتل جنديان بلغم أرضي قرب بلدة الشيخ زويد.", True),  # a toll says the mine went off
        # mines laid, searched for or found: none went off (triggers.yaml needs_blast)
        ("زرعت الميليشيات آلاف الألغام في أحياء مدينة الحوطة.", False),
        ("تواصل فرق الهندسة البحث عن الألغام في بلدة تل أبيض.", False),
    ],
)
def test_mines_that_went_off_and_bombs_are_explosions_minefields_and_cans_are_not(code, text, bomb):
    assert ("Remote explosive/landmine/IED" in {e.sub_event_type for e in code(text)}) == bomb


def test_a_counted_group_is_the_victim_and_its_toll_comes_before_the_cause(code):
    [event] = code(
        "قتل ما لا يقل عن 18 عنصراً من قوات النظام، جراء تفجير عناصر من تنظيم داعش عربة مفخخة قرب مطار التيفور."
    )
    assert event.sub_event_type == "Suicide bomb"
    assert (event.actor1, event.actor2) == ("Islamic State", "Military Forces of Syria (2000-2024)")
    assert event.fatalities == 18


@pytest.mark.parametrize(
    "text, toll",
    [
        # the toll, a wounded clause, then "في" right before the event word
        ("قتل أربعة مدنيين، وأصيب سبعة آخرون، في غارة جوية على بلدة سراقب بريف إدلب.", 4),
        ("قتل جنديان، خلال اشتباكات مع مسلحين في مدينة العريش.", 2),
        # a wounded aside between the toll and its event ("فيما أصيب آخرون") is no event of its own
        ("وقال مصدر إن 6 مسلحين قتلوا، فيما أصيب آخرون، في هجوم للمقاومة على حاجز في مدينة رداع.", 6),
        # a when-clause: the toll just before it is the clause's
        ("قالت مصادر طبية إن 9 أشخاص قتلوا حين سقطت قذائف على حي المزة في دمشق.", 9),
        # "في حين" (while) is another clause's toll, not this one's
        ("قتل ثلاثة مدنيين في حلب، في حين قصفت الطائرات بلدة سراقب بريف إدلب.", None),
    ],
)
def test_a_toll_told_before_the_event_word_is_its_toll(code, text, toll):
    [event] = [e for e in code(text) if e.location != "Aleppo"]
    assert event.fatalities == toll


def test_a_toll_of_hundreds_counts_many_days_not_one_event(code):
    # a count of weeks of strikes told as one toll is an aggregate (FORMAT.md), a day's toll is news
    assert not code("وقال المرصد إن 1450 عنصرا من التنظيم قتلوا جراء غارات التحالف على مدينة الرقة.")
    [event] = code("وقال المرصد إن 14 عنصرا من التنظيم قتلوا جراء غارات التحالف على مدينة الرقة.")
    assert event.fatalities == 14


@pytest.mark.parametrize(
    "text",
    [
        "وقال القائد إن الفصائل عازمة على تحرير مدينة جسر الشغور من قوات النظام.",
        "وأعلن الجيش عزمه تحرير مدينة الفلوجة من تنظيم داعش.",
    ],
)
def test_a_resolve_is_no_event(text):
    # coded with the shipped model too: before "عازمة" and "عزمه" were read as a resolve, it kept both
    assert not build_pipeline()(Document(id="t", text=text, published=date(2015, 8, 10))).events


def test_a_counted_victim_and_the_group_it_fought_are_the_two_sides():
    # the singular counted by a number from 11 to 99 ("14 حوثيا") names the group as its plural does
    pipeline = build_pipeline()  # the rules and the shipped model: the model picks actor1
    doc = pipeline(Document(id="t", text="قتل 14 حوثيا في مواجهات مع المقاومة الشعبية في مدينة الضالع.",
                            published=date(2015, 8, 10)))  # fmt: skip
    [event] = doc.events
    assert {event.actor1, event.actor2} == {"Houthi Movement", "Popular Resistance (Yemen)"}
    assert event.fatalities == 14


def _verdict(actor1: str, actor2: str, assoc2: list[str]) -> tuple[Verdict, Span]:
    def group(name: str, at: int) -> Span:
        return Span(at, at + 5, "actor", {"canonical": name, "type": "rebel group"})

    place = Span(0, 4, "place", {"name": "Taiz", "country_code": "YE", "lat": 13.58, "lon": 44.02})
    v = Verdict(
        Found(Trigger("clash", 50, "Armed clash"), 10, 16, 2),
        [place], "Armed clash", group(actor1, 20), [group(actor1, 40)], group(actor2, 30),
        [group(a, 50 + 10 * k) for k, a in enumerate(assoc2)], "2015-07-20", 1, False, "reported", [],
        None, Evidence("d", 0, 20, "..."), set(),
    )  # fmt: skip
    return v, place


@pytest.mark.parametrize(
    "assoc2, actor2, assoc_actor_2",
    [
        (["Houthi Movement", "Popular Resistance (Yemen)"], "Popular Resistance (Yemen)", None),
        (
            ["Popular Resistance (Yemen)", "Southern Movement"],
            "Popular Resistance (Yemen)",
            "Southern Movement",
        ),
        ([], None, None),
    ],
)
def test_a_named_group_is_never_its_own_opponent_nor_its_own_associate(assoc2, actor2, assoc_actor_2):
    v, place = _verdict("Houthi Movement", "Houthi Movement", assoc2)
    ev = make_event(v, place, "Armed clash", v.actor1, v.actor2, None)
    assert (ev.actor1, ev.actor2, ev.assoc_actor_1, ev.assoc_actor_2) == (
        "Houthi Movement", actor2, None, assoc_actor_2
    )  # fmt: skip


def test_two_unidentified_groups_may_fight_each_other():
    v, place = _verdict("Unidentified Armed Group", "Unidentified Armed Group", [])
    ev = make_event(v, place, "Armed clash", v.actor1, v.actor2, None)
    assert ev.actor1 == ev.actor2 == "Unidentified Armed Group"


def test_a_note_of_protest_is_no_protest(code):
    assert not code("واستدعت الخارجية في الكويت السفير وسلمته مذكرة احتجاج على التصريحات.")


def test_its_manifestations_are_no_demonstration(code):
    # "مظاهره" is مظاهر + ه (its manifestations), not مظاهرة (a demonstration)
    assert not code("وجدد الوزير في مدينة جدة رفضه للتطرف بكل صوره ومظاهره.")
    assert [e.sub_event_type for e in code("نظم السكان مظاهرة في مدينة حمص.")] == ["Peaceful protest"]


@pytest.mark.parametrize(
    "text, current",
    [
        # a toll counted from the start of a span up to now is a summary, not an event
        ("وقتل 900 مدني في مدينة حلب بالبراميل المتفجرة منذ بداية العام.", False),
        ("وشنت الطائرات الحربية 300 غارة على مدينة دوما منذ مطلع الشهر.", False),
        # and so is one over months or years
        ("وقتل 459 مدنيا في غارات التحالف على مدينة الرقة خلال عشرة أشهر.", False),
        ("خرج آلاف المتظاهرين أمس في مدينة البصرة في أكبر مظاهرة مقارنة بما خرج خلال الأعوام السابقة.", True),
        # measured against the span, the news is the first of its kind
        ("ونفذت قوات التحالف أول هجوم من نوعه منذ بدء العملية على مواقع الحوثيين في مدينة المخا.", True),
    ],
)
def test_a_count_since_the_start_of_a_span_is_a_summary(code, text, current):
    assert bool([e for e in code(text) if not e.historical]) == current


@pytest.mark.parametrize(
    "tolls, want",
    [
        ([("claimed", 40), ("reported", 12)], 12),  # a source's toll wins over a party's claim
        ([("reported", 12), ("claimed", 40)], 12),
        ([("claimed", None), ("claimed", 40)], 40),  # a claim is better than no toll
        ([("reported", 12), ("reported", 15)], 12),  # the first report stands
    ],
)
def test_one_event_per_type_and_place_takes_the_reported_toll(tolls, want):
    events = []
    for k, (status, toll) in enumerate(tolls):
        ev = Event(
            sub_event_type="Armed clash", doc_ids=["d"], evidence=[Evidence("d", 10 * k, 10 * k + 5, "...")]
        )
        ev.geonameid, ev.status, ev.fatalities = 170063, status, toll
        events.append(ev)
    [event] = dedup(events)
    assert event.fatalities == want


@pytest.mark.parametrize(
    "text, toll",
    [
        # the event again by its definite noun, no place of its own: its toll
        (
            "شنت طائرات التحالف غارات على مواقع المسلحين في مدينة زنجبار أمس. وأسفرت الغارات عن مقتل 12 مسلحا.",
            12,
        ),
        ("سيطرت المقاومة على بلدة الحوطة أمس بعد قتال عنيف. وأسفرت المعارك عن مقتل 9 من المتمردين.", 9),
        ("سيطرت المقاومة على بلدة الحوطة أمس بعد قتال عنيف. وقالت المصادر إن 9 من المتمردين قتلوا.", 9),
        # another event, or a denial of the toll, is no toll of the one before
        (
            "شنت طائرات التحالف غارات على مواقع المسلحين في مدينة زنجبار أمس. وقتل 12 شخصا في هجوم انتحاري.",
            None,
        ),
        (
            "شنت طائرات التحالف غارات على مواقع المسلحين في مدينة زنجبار أمس. ونفى المتحدث أن تكون الغارات قتلت 12 مدنيا.",
            None,
        ),
        # a sentence that turns to another item
        (
            "شنت طائرات التحالف غارات على مواقع المسلحين في مدينة زنجبار أمس. وفي سياق متصل أعلن الجيش مقتل 12 مسلحا.",
            None,
        ),
    ],
)
def test_a_toll_the_next_sentence_tells_is_the_event_before(code, text, toll):
    [event] = [e for e in code(text) if e.location in ("Zinjibar", "Al Hawtah (Lahij)")]
    assert event.fatalities == toll


def _placed(sub_type: str, where: str, precision: int, k: int, toll: int | None = None) -> Event:
    ev = Event(sub_event_type=sub_type, doc_ids=["d"], evidence=[Evidence("d", 10 * k, 10 * k + 5, "...")])
    ev.location, ev.geo_precision, ev.admin1, ev.country_code = where, precision, "Marib", "YE"
    ev.latitude, ev.longitude, ev.fatalities = 15.0 + k, 45.0, toll
    return ev


def test_a_place_taken_is_one_event_whichever_side_the_rules_read_as_taking_it():
    army = _placed("Government regains territory", "Zinjibar", 1, 0)
    army.latitude, army.geonameid, army.confidence = 13.1, 70225, 0.6
    resistance = _placed("Non-state actor overtakes territory", "Zinjibar", 1, 1)
    resistance.latitude, resistance.geonameid, resistance.confidence = 13.1, 70225, 0.9
    [event] = dedup([army, resistance])
    assert event.sub_event_type == "Government regains territory"  # the first telling's type stands
    assert len(event.evidence) == 2


def test_a_governorate_level_event_is_the_one_the_article_places_finer_there():
    lead = _placed("Armed clash", "Marib Governorate", 3, 0, toll=13)
    detail = _placed("Armed clash", "Al-Jufainah", 1, 1)
    strike = _placed("Air/drone strike", "Marib Governorate", 3, 2)
    events = dedup([lead, detail, strike])
    assert [(e.location, e.sub_event_type) for e in events] == [
        ("Al-Jufainah", "Armed clash"),
        ("Marib Governorate", "Air/drone strike"),  # no strike placed finer: it stands
    ]
    assert events[0].fatalities == 13 and len(events[0].evidence) == 2
    # a governorate's toll over two of its places is neither's
    lead = _placed("Armed clash", "Marib Governorate", 3, 0, toll=13)
    towns = [_placed("Armed clash", "Al-Jufainah", 1, 1), _placed("Armed clash", "Sirwah", 1, 2)]
    assert [(e.location, e.fatalities) for e in dedup([lead, *towns])] == [
        ("Al-Jufainah", None),
        ("Sirwah", None),
    ]


@pytest.mark.parametrize(
    "text, place",
    [
        # where the fire came from is not where it fell
        ("وأطلقت قوات النظام صواريخ من مطار حماة العسكري على بلدة اللطامنة.", "Al-Lataminah"),
        ("وقصفت طائرة حربية من قاعدة طبرق الجوية مركبا قبالة سواحل درنة.", "Darnah"),
        # "near", "east of": the place locates the event
        ("وقصفت الطائرات مواقع بالقرب من مدينة تدمر في ريف حمص الشرقي.", "Palmyra"),
    ],
)
def test_a_strike_is_placed_where_it_fell_not_where_it_came_from(code, text, place):
    assert [e.location for e in code(text)] == [place]


def test_a_bomb_nobody_is_named_for_is_an_unidentified_groups(code):
    events = code(
        "قصفت قوات النظام بلدة اللطامنة، فيما سمع دوي انفجار في حي الشريعة بمدينة حماة، ناجم عن انفجار"
        " عبوة ناسفة موضوعة بدراجة نارية في الحي، ما أدى لإصابة 8 أشخاص."
    )
    [bomb] = [e for e in events if e.sub_event_type == "Remote explosive/landmine/IED"]
    assert bomb.actor1 == "Unidentified Armed Group (Syria)"


def test_a_capture_that_could_not_be_made_is_not_one(code):
    assert not code("واعتبر أن المعارك ستعيد تجربة داريا التي لم تستطع قوات النظام السيطرة عليها.")


def test_an_expected_attack_named_after_its_trigger_did_not_happen(code):
    assert not code("وتحدثت مصادر عن هجوم مرتقب على مدينة إدلب.")


def test_a_verb_that_carries_its_subject_takes_the_group_after_it_as_target(code):
    """In "استهدفوا قوات النظام" they targeted the regime (a verb before a named subject is singular)."""
    [event] = code("وقال القائد إن فصائل المعارضة استهدفوا قوات النظام المنتشرة في بلدة سلمى بالصواريخ.")
    assert event.actor2 == "Military Forces of Syria (2000-2024)"
    assert event.actor1 != "Military Forces of Syria (2000-2024)"


def test_the_hill_points_back_to_the_hill_just_taken(code):
    events = code(
        'سيطرت قوات المعارضة على تلة "جورة الماء" الواقعة في جبل التركمان بريف اللاذقية. '
        "ونقلت وكالة الأناضول عن قائد ميداني أن فصائل المعارضة تمكنت من بسط سيطرتها على التلة."
    )
    [taken] = [e for e in events if e.sub_event_type == "Non-state actor overtakes territory"]
    assert taken.location == "Joret Elmaa" and taken.attributed_to == ["Anadolu Agency"]
    assert len(taken.evidence) == 2


def test_civilians_belong_to_the_country_of_the_event(code):
    [strike] = code(
        "قتل 35 مدنيا خلال قصف جوي للقوات العراقية استهدف أحد المنازل في قضاء الرطبة غرب الأنبار."
    )
    assert strike.actor2 == "Civilians (Iraq)"


def test_a_strike_to_be_launched_and_a_capture_months_ago_are_not_current(code):
    assert not code(
        "ينوي الأمريكيون استخدام قاعدة انجرليك، لشن مزيد من الضربات على تنظيم داعش في مدينة الرقة."
    )
    events = code("ذكر أن قوات الأسد أحكمت السيطرة، قبل نحو شهرين، على التلال المشرفة على حقل جزل النفطي.")
    assert events and all(e.historical for e in events)


def test_figures_of_speech_and_what_was_about_to_happen_are_not_events(code):
    assert not code("واحتلت قضية المخطوفين في بلدة كفريا في البقاع الغربي صدارة الملفات الأمنية.")
    assert not code("كان الشاب على وشك تنفيذ هجوم انتحاري في بغداد.")
    # a hard, painful blow to someone (strike not_before قاسية, موجعة, قوية)
    assert not code("وتعتبر خسارة قاعدة العند ضربة قاسية للحوثيين في محافظة لحج.")
    assert not code("ووجه المقاتلون الموالون ضربات موجعة للمتمردين في محافظة أبين.")


def test_a_strike_that_was_not_launched_is_no_strike(code):
    assert not code("وحلقت مقاتلات تركية في اجواء جبل قنديل شمال محافظة اربيل، من دون ان تشن غارات.")


def test_strikes_told_by_the_coalition_spokesman_are_its_air_strikes(code):
    events = code(
        'وقالت قوة المهام المشتركة في بيان: "إن الضربات التي وجهت في سوريا أصابت مواقع قتالية قرب الحسكة".'
    )
    assert [(e.sub_event_type, e.actor1) for e in events] == [
        ("Air/drone strike", "Coalition (United States)")
    ]


_WORDS = [
    "قصفت", "قوات النظام", "بلدة", "الزبداني", "سيطرت", "المعارضة", "على", "تلة", "\"جورة الماء\"",
    "الواقعة في", "جبل التركمان", "،", ".", "كما", "أعلن", "المرصد السوري لحقوق الإنسان", "مقتل", "5",
    "مدنيين", "في", "غارة", "جوية", "المدينة", "لم", "تستطع", "استهدفوا", "عبوة ناسفة", "انفجار", "بريفي",
    "إدلب", "وحلب", "قرى", "الحواش", "والحويجة", "بسهل الغاب", "وصفته أنقرة", "سيكون", "عام 1982", "أمس",
]  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(_WORDS), min_size=1, max_size=25))
def test_every_event_points_into_its_text(code_doc, words):
    """Whatever the wording, each event's evidence and arguments are ranges of the clean text."""
    doc = code_doc(" ".join(words))
    for ev in doc.events:
        assert ev.sub_event_type and ev.latitude is not None
        for e in ev.evidence:
            assert doc.clean[e.start : e.end] == e.text
        for start, end in ev.arguments.values():
            assert 0 <= start < end <= len(doc.clean)


def test_a_view_is_not_a_report(code):
    assert not code(
        "ورأى الخبير العسكري أن كل ما يمكن أن يقوم به النظام هو قصف بلدات مثل دوما بالبراميل المتفجرة."
    )
    assert code("وقصفت قوات النظام مدينة دوما بالبراميل المتفجرة.")


def test_a_spokesman_going_on_keeps_speaking_for_his_side(code):
    events = code(
        "وقالت قوة المهام المشتركة في بيان إن الضربات أصابت مواقع قرب الحسكة. "
        "وأضاف البيان أن الغارات الجوية تركزت حول مدينة حلب. "
        "وألقى الطيران المروحي براميل متفجرة على مدينة داريا."
    )
    assert {e.location: e.actor1 for e in events} == {
        "Al-Hasakah": "Coalition (United States)",
        "Aleppo": "Coalition (United States)",
        "Darayya": "Military Forces of Syria (2000-2024)",
    }


def test_barrel_bombs_far_from_their_verb_are_still_a_strike(code):
    """The regime's alias "براميل متفجرة" does not hide the strike it names."""
    [strike] = code(
        "ألقى الطيران المروحي بعد منتصف ليل السبت- الأحد عدة براميل متفجرة على مناطق في مدينة الزبداني."
    )
    assert strike.sub_event_type == "Air/drone strike" and strike.location == "Zabadani"


def test_rockets_fired_toward_a_town_fell_there_when_nothing_else_is_named(code):
    [strike] = code("أطلقت الفصائل صواريخ باتجاه مدينة القرداحة.")
    assert strike.location == "Qardaha"
    assert "Palmyra" not in {e.location for e in code("سيطرت قوات النظام على تلال باتجاه مدينة تدمر.")}


def test_ongoing_fighting_is_dated_by_the_report_not_by_when_it_began(code):
    [clash] = code("وتستمر الاشتباكات بين قوات النظام والفصائل في مدينة الزبداني منذ الرابع من الشهر الجاري.")
    assert clash.event_date == "2015-08-09"  # the day before publication, not 2015-08-04


def test_an_unnamed_strike_in_a_sentence_about_the_coalition_is_the_coalitions(code):
    [strike] = code("وقال بيان التحالف إن ست غارات جوية نفذت قرب الحسكة.")
    assert strike.actor1 == "Coalition (United States)"
    [barrels] = code("وقال التحالف إن الطيران المروحي ألقى براميل متفجرة على مدينة داريا.")
    assert barrels.actor1 == "Military Forces of Syria (2000-2024)"


def test_a_speaker_is_actor1_only_when_its_words_name_no_group(code):
    [strike] = code("وذكر جيش الإسلام أن المروحيات التابعة للنظام أسقطت براميل متفجرة على مدينة دوما.")
    assert strike.actor1 == "Military Forces of Syria (2000-2024)"
    assert "Jaish al-Islam" in strike.attributed_to  # the group that speaks is the report's source
    [capture] = code("وذكر جيش الإسلام أنه سيطر صباح أمس على بلدة حوش الفارة في الغوطة الشرقية.")
    assert (capture.actor1, capture.status) == ("Jaish al-Islam", "claimed")
    # the day it spoke may stand between the speaker and its "أن"
    [strike] = code(
        "وذكر جيش الإسلام يوم الأحد أن المروحيات التابعة للنظام أسقطت براميل متفجرة على مدينة دوما."
    )
    assert strike.actor1 == "Military Forces of Syria (2000-2024)"


def test_a_killing_a_group_claims_is_its_event_a_passing_toll_is_not(code):
    [claimed] = code("وتبنى تنظيم داعش يوم الجمعة قتل ثلاثة جنود في مدينة العريش.")
    assert (claimed.actor1, claimed.location) == ("Islamic State", "Arīsh")
    # the group that claims it is the event's source, and the event is claimed
    assert (claimed.status, claimed.attributed_to) == ("claimed", ["Islamic State"])
    assert not code("وتحدث الوزير عن قتل ثلاثة جنود في مدينة العريش قبل عامين.")


def test_an_ambush_laid_is_an_event_a_checkpoint_or_a_passing_word_is_not(code):
    [laid] = code("ونصبت المقاومة الشعبية كمينا لدورية حوثية في مدينة رداع أمس.")
    assert (laid.sub_event_type, laid.location) == ("Armed clash", "Rada'a")
    # the group that laid it did it, whoever it hit and wherever the verb stands
    [after] = code("وقتل سبعة مسلحين حوثيين في كمين نصبته لهم المقاومة الشعبية قرب مدينة رداع.")
    assert (after.location, after.actor1, after.actor2) == (
        "Rada'a",
        "Popular Resistance (Yemen)",
        "Houthi Movement",
    )
    [before] = code("وقال الجيش التركي إن عناصر من حزب العمال الكردستاني نصبوا كمينا لقافلة في مدينة جزرة.")
    assert before.actor1 == "PKK: Kurdistan Workers Party"
    assert not code("وتحدث الضابط عن الكمين في مدينة رداع.")


def test_the_group_a_strike_was_aimed_at_is_its_target(code):
    [strike] = code("وقصفت طائرات التحالف مواقع قرب الرقة مستهدفة وحدات من مقاتلي تنظيم داعش.")
    assert (strike.actor1, strike.actor2) == ("Coalition (United States)", "Islamic State")


def test_a_past_year_before_the_comma_and_a_condition_are_not_current_events(code):
    [old] = code("ويذكر أنه في عام 2006، قتلت غارة جوية أميركية الزرقاوي في شمال بغداد.")
    assert old.historical
    assert not code("وفي حال تمكنت الفصائل المقاتلة من السيطرة على جورين، يصبح بإمكانها التقدم.")


def test_targeting_forces_with_no_weapon_named_is_an_attack_on_them(code):
    [clash] = code(
        "كما استهدف عناصر تنظيم داعش مناطق سيطرة قوات النظام في تل معاز شرقي قرية شقا في ريف السويداء."
    )
    assert (clash.sub_event_type, clash.actor1, clash.location) == ("Armed clash", "Islamic State", "Shaqqā")
    assert not code("أطلق سراح المعتقلين في مدينة حماة.")


def test_the_latter_is_the_subject_that_retook_the_points(code):
    events = code(
        "ولا تزال المعارك متواصلة بين قوات النظام من جانب، ومقاتلي الفصائل المعارضة من جانب آخر، حيث تمكن"
        " الأخير من استعادة السيطرة على نقاط تقدمت إليها قوات النظام في بلدة جورين."
    )
    [retaken] = [e for e in events if "territory" in e.sub_event_type]
    assert retaken.actor1 == "Opposition Rebels (Syria)"
    assert retaken.sub_event_type == "Non-state actor overtakes territory"


def test_fighters_of_a_named_group_killed_by_strikes_are_that_groups_loss(code):
    [strike] = code(
        "كما لقي ما لا يقل عن 115 مسلحاً من جبهة النصرة حتفهم جراء ضربات نفذها طيران التحالف في ريف حلب."
    )
    assert (strike.actor1, strike.actor2, strike.fatalities) == (
        "Coalition (United States)",
        "Jabhat al-Nusra",
        115,
    )


def test_the_unnamed_air_strike_default_has_dates_and_countries():
    """policy.yaml: the regime's air force is presumed over Syria only until it fell (2024-12-08)."""
    pipeline = build_pipeline(names=[n for n in DEFAULT_PIPELINE if n != "dedup"])  # one text, twice
    text = "وقتل خمسة مدنيين في غارة جوية على مدينة دوما."
    for published, actor in (
        (date(2015, 8, 10), "Military Forces of Syria (2000-2024)"),
        (date(2025, 3, 2), None),
    ):
        [strike] = pipeline(Document(id="t", text=text, published=published)).events
        assert strike.sub_event_type == "Air/drone strike" and strike.actor1 == actor
    [abroad] = pipeline(Document(id="t", text="قتل خمسة مدنيين في غارة جوية على مدينة الموصل.")).events
    assert abroad.actor1 is None  # the rule names Syria only


@pytest.mark.parametrize(
    ("text", "sub_event_type"),
    [
        # a condemnation, a mine clearance and tear gas report no event of their own
        ("وندد الائتلاف الوطني بقصف قوات النظام لمدينة دوما أمس.", None),
        ("ودانت الجامعة العربية قصف قوات النظام لمدينة دوما أمس.", None),
        ("وتعمل فرق الهندسة على تفكيك العبوات الناسفة في مدينة الرمادي.", None),
        ("وأطلقت الشرطة القنابل المسيلة للدموع على المتظاهرين في مدينة الحسكة.", None),
        # the same words with nothing of the kind around them still report one
        ("قصفت قوات النظام مدينة دوما بالمدفعية أمس.", "Shelling/artillery/missile attack"),
        ("انفجرت عبوة ناسفة في مدينة الرمادي أمس.", "Remote explosive/landmine/IED"),
        ("ألقت طائرات النظام قنابل على مدينة الحسكة أمس.", "Air/drone strike"),
    ],
)
def test_condemnations_clearance_and_tear_gas_are_no_events(code, text, sub_event_type):
    assert [e.sub_event_type for e in code(text)] == ([sub_event_type] if sub_event_type else [])


def test_an_event_weeks_before_the_article_is_background(code):
    [event] = code("وفي الثالث من يوليو، قصفت قوات النظام مدينة حماة بالمدفعية.")
    assert event.historical and event.event_date == "2015-07-03"


def test_a_bomb_that_goes_off_is_no_air_strike(code):
    [planted] = code("قتل شرطيان في انفجار قنبلة زرعت على جانب الطريق قرب مدينة العريش أمس.")
    assert planted.sub_event_type == "Remote explosive/landmine/IED"
    [detonated] = code("وأصيب ثلاثة جنود إثر تفجير قنبلة على طريق يؤدي إلى مدينة بنغازي.")
    assert detonated.sub_event_type == "Remote explosive/landmine/IED"
    assert not code("وحذر الوزير من أن مخيمات النازحين في مدينة حلب قنبلة موقوتة.")


def test_a_protest_nobody_is_named_for_is_the_protesters_of_its_country(code):
    [homs] = code("خرجت مظاهرات في مدينة حمص أمس.")
    assert homs.actor1 == "Protesters (Syria)"
    [karbala] = code("وخرجت مظاهرات في مدينة كربلاء العراقية أمس احتجاجا على انقطاع الكهرباء.")
    assert karbala.actor1 == "Protesters (Iraq)"


def test_a_fire_or_a_situation_brought_under_control_is_no_territory(code):
    assert not code("وتمكنت فرق الدفاع المدني من السيطرة على الحريق في مستودع بمدينة حلب أمس.")
    assert not code("وقامت قوات الأمن بالسيطرة على الوضع في مدينة حمص بعد الشغب.")
    [taken] = code("وسيطرت قوات المعارضة على بلدة مورك في ريف حماة أمس.")
    assert taken.sub_event_type == "Non-state actor overtakes territory"


def test_a_sentence_opening_on_a_coordinated_verb_goes_on_with_the_last_subject(code):
    """ "ونفذت 11 غارة ...": the group that struck in the sentence before struck again, even when
    that sentence named no place to code; a sentence with its own subject keeps it."""
    events = code(
        "أعلنت وزارة الدفاع الأمريكية أن الطائرات الأمريكية شنت 18 غارة جوية على مواقع تنظيم داعش في العراق أمس. "
        "ونفذت 11 غارة منها قرب مدينتي الرمادي والموصل مستهدفة مخازن أسلحة لتنظيم داعش."
    )
    assert {e.location for e in events} == {"Ramadi", "Mosul"}
    assert all(e.actor1 == "Coalition (United States)" and e.actor2 == "Islamic State" for e in events)
    [arrest] = code(
        "وقال شهود إن مسلحين قتلوا خمسة أشخاص في العراق أمس. ونفذت الشرطة حملة اعتقالات في مدينة الرمادي."
    )
    assert arrest.actor1.startswith("Police Forces of Iraq")


def test_a_place_after_a_compass_word_behind_another_place_locates_it(code):
    """ "بمنطقة X غرب Y": the event is in X (here a district), Y only says where X lies; a place
    "around" another ("ومحيط المحطة") is a place of its own."""
    [event] = code("وشنت طائرات التحالف غارة على مواقع للحوثيين بمنطقة صرواح غرب مأرب مساء أمس.")
    assert event.location == "Sirwah"
    [alone] = code("وشنت طائرات التحالف غارة على مواقع للحوثيين غرب مأرب مساء أمس.")
    assert alone.location == "Ma'rib"


def test_a_counted_span_ago_is_background_but_how_long_is_not(code):
    """ "قبل حوالي ثلاثة أشهر", "قبل 5 سنوات", "قبل عامين": long ago, so background; "قبل ثلاثة
    أيام" is news, and "منذ ثلاثة أشهر" says how long a siege lasts, not when the shelling was."""
    for when in ("قبل حوالي ثلاثة أشهر", "قبل 5 سنوات", "قبل عامين"):
        [event] = code(f"وقصفت قوات النظام بلدة كفرنبل بريف إدلب {when} موقعة قتلى.")
        assert event.historical, when
    [recent] = code("وقصفت قوات النظام بلدة كفرنبل بريف إدلب قبل ثلاثة أيام موقعة قتلى.")
    assert not recent.historical and recent.event_date == "2015-08-07"
    [weeks] = code("وقصفت قوات النظام بلدة كفرنبل بريف إدلب قبل ثلاثة أسابيع موقعة قتلى.")
    assert weeks.historical and weeks.event_date == "2015-07-20"
    [siege] = code("قتل ثلاثة مدنيين في قصف على بلدة كفرنبل، التي تحاصرها قوات النظام منذ ثلاثة أشهر.")
    assert not siege.historical


def test_an_event_framed_by_what_came_before_is_not_told_again(code):
    """ "ويأتي X بعد Y": X is an event already told, set in its scene; Y may be news."""
    assert (
        code("ويأتي التقدم الذي حققته القوات العراقية في مدينة الرمادي بعد يومين من زيارة وزير الدفاع.") == []
    )
    [event] = code("ويأتي قصف مدينة حلب بعد غارات شنتها طائرات النظام على مدينة إدلب أمس.")
    assert (event.sub_event_type, event.location) == ("Air/drone strike", "Idlib")


def test_a_group_that_backs_a_capture_from_the_air_never_takes_the_place():
    text = "وبدعم من التحالف الذي تقوده السعودية سيطر مقاتلو المقاومة الشعبية على مطار عدن أمس بعد معارك مع الحوثيين."
    doc = build_pipeline()(Document(id="s", text=text, published=date(2015, 8, 1)))
    (ev,) = [e.to_dict() for e in doc.events if "territory" in e.sub_event_type]
    assert ev["actor1"] == "Popular Resistance (Yemen)"
    assert ev["actor2"] != "Coalition (Saudi Arabia)" and "Coalition (Saudi Arabia)" in (
        ev["assoc_actor_1"] or ""
    )


def test_the_group_after_with_in_a_clash_is_the_other_side():
    text = "وخاضت المقاومة الشعبية معارك ضارية مع الحوثيين في مديرية صرواح."
    doc = build_pipeline()(Document(id="s", text=text, published=date(2015, 8, 1)))
    (ev,) = [e.to_dict() for e in doc.events]
    assert (ev["actor1"], ev["actor2"]) == ("Popular Resistance (Yemen)", "Houthi Movement")


def test_where_the_speaker_is_is_not_where_it_happened(code):
    """ "قالت مصادر في X إن ...": X is where the sources are; the event is at the place of what
    they said, or nowhere if that names none."""
    [event] = code("وقالت مصادر محلية في مدينة الحديدة إن طائرات التحالف شنت غارات على مدينة تعز أمس.")
    assert event.location == "Taiz"
    assert code("وقال الوزير للصحافيين في أنقرة إن التحقيق في التفجير الانتحاري مستمر.") == []


def test_a_warplane_carries_the_weapon_of_a_general_verb(code):
    """ "استهدف" needs a weapon to be a strike; the warplane that does it carries one."""
    [event] = code("واستهدفت طائرات التحالف مواقع لتنظيم داعش في مدينة الفلوجة أمس.")
    assert (event.sub_event_type, event.location) == ("Air/drone strike", "Fallujah")


def test_the_aircraft_go_on_past_the_group_they_hit(code):
    """A later sentence that names only whom the strikes hit still tells the same aircraft's strikes."""
    events = code(
        "وقال التحالف إنه نفذ 20 ضربة جوية ضد التنظيم في العراق أمس. "
        "وتركزت 12 ضربة قرب مدينة الموصل مستهدفة وحدات من مقاتلي تنظيم داعش."
    )
    assert [(e.sub_event_type, e.location) for e in events] == [("Air/drone strike", "Mosul")]


def test_strikes_that_backed_a_capture_are_not_events_of_their_own(code):
    """The capture the strikes backed is the event; "لدعم" (for the sake of) is no backing."""
    events = code("واستعادت المقاومة الشعبية مدينة عدن بدعم من غارات التحالف.")
    assert [e.sub_event_type for e in events] == ["Non-state actor overtakes territory"]
    [event] = code("وشن طيران التحالف العربي لدعم الشرعية غارات جوية على مواقع للحوثيين في مأرب.")
    assert event.sub_event_type == "Air/drone strike"


def test_the_city_is_not_the_place_another_is_located_from(code):
    """ "وفي الزبداني شمال غرب دمشق ... على المدينة": Damascus only says where Zabadani lies."""
    events = code(
        "وفي الزبداني شمال غرب دمشق استمرت الاشتباكات أمس، في حين ألقى الطيران المروحي براميل متفجرة على المدينة."
    )
    assert {e.location for e in events if e.sub_event_type == "Air/drone strike"} == {"Zabadani"}


def test_this_day_in_history_and_anniversaries_are_background(code):
    events = code(
        "في مثل هذا اليوم:\n1994 - اغتيال رئيس الوزراء في مدينة القاهرة.\n"
        "وأحيت المدينة أمس الذكرى الستين لقصف مدينة هيروشيما."
    )
    assert events and all(e.historical for e in events)
    # the list's entries run together after full stops
    events = code("1990 - تفجير في مدينة بيروت. 2004 - اغتيال قائد الحركة في مدينة غزة.")
    assert len(events) == 2 and all(e.historical for e in events)


def test_a_time_reckoned_from_an_event_is_background(code):
    """ "منذ تحريرها": since a capture told before; the news is what follows."""
    [event] = code("وأجرى الوزير أمس أول زيارة منذ تحرير مدينة عدن من الحوثيين.")
    assert event.historical


def test_a_rocket_of_a_shot_is_football(code):
    assert code("وسجل المهاجم الهدف الثاني بتسديدة صاروخية في ملعب مدينة جدة.") == []


def test_the_centre_of_a_city_is_a_place_not_a_new_clause(code):
    """ "وسط" is "amid" ("وسط قصف عنيف") but, before a place, the centre of it."""
    [event] = code("ونفذت مقاتلات التحالف غارات على فندق يتجمع فيه الحوثيون وسط مدينة حرض أمس.")
    assert (event.sub_event_type, event.location) == ("Air/drone strike", "Harad")


def test_the_saudi_led_coalitions_strikes_in_yemen_are_from_the_air(code):
    """policy.yaml air_only: an unqualified "قصف" of the coalition in Yemen is an air strike."""
    [event] = code("وقصف التحالف بقيادة السعودية مواقع للحوثيين في مدينة صعدة أمس.")
    assert event.sub_event_type == "Air/drone strike"


def test_a_group_of_one_country_fights_at_home_or_across_its_borders_only(code):
    """A domestic group at a place far from its country is a misreading, never its event."""
    assert not code("واندلعت أمس اشتباكات بين مسلحين حوثيين ورجال القبائل في مدينة دبي.")
    [home] = code("واندلعت أمس اشتباكات بين مسلحين حوثيين ورجال القبائل في مدينة مأرب.")
    assert home.location == "Ma'rib"
    [border] = code("وقصف الحوثيون أمس مدينة نجران السعودية بقذائف الهاون.")
    assert border.country_code == "SA"
    # a state's forces too, unless policy.yaml lists them among those that fight farther
    assert not code("وقصفت قوات الجيش السوري أمس مواقع المسلحين في مدينة عدن.")
    [far] = code("وقصفت طائرات سعودية أمس مواقع الحوثيين في مدينة صعدة.")
    assert far.country_code == "YE"


def test_the_states_that_fight_abroad_are_countries_the_gazetteer_knows():
    from marsad.entities import gazetteer
    from marsad.events.lexicon import policy

    known = gazetteer.get().country_codes
    assert [c for c in policy().forces_abroad if c not in known] == []


def test_settlers_attacking_a_village_is_an_attack_not_a_clash(code):
    """policy.yaml one_sided: the settlers' "هجوم" in the West Bank falls on the unarmed."""
    [event] = code("وهاجم مستوطنون فجر أمس منزلا في قرية دوما جنوب نابلس وأضرموا فيه النار.")
    assert (event.sub_event_type, event.actor1) == ("Attack", "Israeli settlers")


def test_an_israeli_raid_in_the_west_bank_takes_no_territory(code):
    """policy.yaml raids: the army storming a town in the West Bank enters and leaves; elsewhere
    the same verb is a capture."""
    raid = code("واقتحمت قوات الاحتلال الإسرائيلي فجر أمس مخيم بلاطة شرق مدينة نابلس.")
    assert not [e for e in raid if "territory" in e.sub_event_type]
    [capture] = code("واقتحمت قوات النظام أمس بلدة مورك في ريف حماة الشمالي.")
    assert capture.sub_event_type == "Government regains territory"


def test_a_force_that_strikes_from_the_air_takes_no_territory(code):
    """policy.yaml air_only: the coalition's "قصف" in Yemen is an air strike, and a capture with
    only the coalition to credit is nobody's (the ground forces it backed are not named)."""
    [strike] = code("وقصف التحالف صباح أمس مخازن للسلاح في محيط مدينة صعدة.")
    assert (strike.sub_event_type, strike.actor1) == ("Air/drone strike", "Coalition (Saudi Arabia)")
    assert not code("وأكدت قيادة التحالف أن قواتها حررت مدينة زنجبار بمحافظة أبين أمس.")
    [capture] = code("وأكدت المقاومة الشعبية أنها حررت مدينة زنجبار بمحافظة أبين أمس.")
    assert capture.sub_event_type == "Non-state actor overtakes territory"


def test_an_attack_known_by_its_town_is_no_new_report(code):
    """ "بعد تفجير الكرادة" names a bombing told before; "تفجير في الكرادة" reports one."""
    named = code("وتزامن ذلك مع تفجير الرمادي، إذ قصفت طائرات التحالف مواقع للتنظيم قرب مدينة الفلوجة أمس.")
    assert [e.location for e in named] == ["Fallujah"]
    [told] = code("وقتل خمسة أشخاص في تفجير بمدينة الرمادي أمس.")
    assert told.location == "Ramadi"


def test_a_bombing_told_twice_is_one_suicide_bombing(code):
    """One blast at one place, once a suicide attack and once "the explosion": one event (FORMAT.md:
    a bombing said once to be a suicide attack is a suicide bombing)."""
    events = code(
        "وقتل عشرة أشخاص في هجوم انتحاري استهدف سوقا في مدينة الرمادي أمس. "
        "ووقع الانفجار قرب مبنى البلدية في مدينة الرمادي عند الظهر."
    )
    assert [(e.sub_event_type, e.location) for e in events] == [("Suicide bomb", "Ramadi")]


def test_a_toll_whose_verb_opens_the_clause_is_its_toll(code):
    """ "إن 12 عنصرا ... وخمسة من المهاجمين، قتلوا في الهجوم على X": the sides' toll told before
    the clause its verb opens."""
    [clash] = code(
        "وقال مسؤول محلي إن 12 عنصرا على الأقل من القوات الحكومية النظامية وخمسة من المسلحين "
        "المهاجمين، قتلوا في الهجوم على بلدة حرستا."
    )
    assert (clash.location, clash.fatalities) == ("Harasta", 17)


def test_strikes_since_a_day_long_gone_are_a_campaign_told_in_sum(code):
    """ "منذ 26 مارس" months before the article: a campaign up to now, not a day's news; "منذ صباح
    أمس" is news, and a place held "since" a date says nothing of the strike's day."""
    [campaign] = code("وتشن طائرات التحالف غارات على مواقع الحوثيين في مدينة عدن منذ 26 مارس الماضي.")
    assert campaign.historical
    [news] = code("وقصفت طائرات التحالف مواقع الحوثيين في مدينة عدن منذ صباح أمس.")
    assert not news.historical
    [held] = code("وقصفت طائرات النظام مواقع في مدينة الرقة التي يسيطر عليها التنظيم منذ مارس 2014.")
    assert not held.historical
    # the main clause's "since" dates what a clause after it tells ("خسر ... منذ مارس ... بعد معارك")
    [losses] = code("وخسر الجيش منذ مطلع مارس الماضي عدة بلدات في مدينة إدلب بعد معارك عنيفة مع الفصائل.")
    assert losses.historical


def test_a_count_over_a_month_is_no_event(code):
    """ "خلال يوليو الحالي": the dead of a whole month, an aggregate; "خلال الليل" is a night's news."""
    [month] = code("وقتل 40 مدنيا في محافظة درعا خلال يوليو الحالي جراء قصف قوات النظام بالبراميل المتفجرة.")
    assert month.historical
    [night] = code("وقتل 12 شخصا في قصف على مدينة درعا خلال الليل.")
    assert not night.historical


def test_a_condemnation_governs_its_object_past_an_aside(code):
    """ "ودانت المنظمة، أمس، قصف ...": a reaction to shelling told elsewhere, the aside between
    commas notwithstanding; a meeting named earlier stops no event."""
    assert not code("ودانت منظمة حقوقية، في بيان أمس، قصف المتمردين لأحياء سكنية في مدينة تعز.")
    [abduction] = code("وكان الصحفيون عائدين من اجتماع في مدينة اعزاز، عندما خطفهم مسلحون في قرية المالكية.")
    assert abduction.sub_event_type == "Abduction/forced disappearance"


def test_taking_part_in_the_fighting_is_no_clash(code):
    """ "المشاركة في القتال": what people did or refused to do, not a clash at a place."""
    assert not code(
        "وقتل عشرات المقاتلين الأجانب خلال مشاركتهم في المعارك في مدينة حلب إلى جانب قوات النظام."
    )
    [clash] = code("واندلعت اشتباكات عنيفة بين الحوثيين والمقاومة الشعبية في مدينة تعز أمس.")
    assert clash.sub_event_type == "Armed clash"


def test_policy_actor_rules_name_actors_of_the_catalogue():
    """A rule on an actor nobody can be read as never holds: its name must be a catalogue name."""
    from marsad.entities.actors import lexicon
    from marsad.events.lexicon import policy

    names = set(lexicon().actors)
    rules = [*policy().air_only, *policy().one_sided, *policy().raids]
    assert [r.actor for r in rules if r.actor not in names] == []


def test_policy_known_events_are_at_places_of_the_gazetteer():
    """A known event at a name no place is coded with never holds: its places are gazetteer names."""
    from marsad.entities import gazetteer
    from marsad.events.lexicon import policy

    names = {p.name for p in gazetteer.get().places}
    assert [(e.name, p) for e in policy().known_events for p in e.places if p not in names] == []


def test_policy_known_events_name_actors_of_the_catalogue():
    """A known event's actors are catalogue names: one that resolves to nothing would be dropped."""
    from marsad.entities.actors import lookup_actor
    from marsad.events.lexicon import policy

    named = [n for e in policy().known_events for n in (e.actor1, e.actor2) if n]
    assert named and [n for n in named if lookup_actor(n) is None] == []


def test_a_known_past_event_told_again_with_no_day_is_background(code_doc):
    """policy.yaml known_events: weeks after the Kuwait mosque bombing, a sentence that tells it
    again with no day of its own is that day's event, background; with a day of its own it is news,
    and within two weeks of the known day it is news of that day (one event, however often told)."""
    again = "وكان انتحاري قد فجر نفسه في مسجد بمدينة الكويت، ما أسفر عن مقتل 26 شخصا."
    [told_again] = code_doc(again).events
    assert told_again.historical and told_again.event_date == "2015-06-26"
    [new] = code_doc("فجر انتحاري نفسه أمس في مسجد بمدينة الكويت، ما أسفر عن مقتل 26 شخصا.").events
    assert not new.historical and new.event_date == "2015-08-09"
    soon = "وكان انتحاري قد فجر نفسه في مسجد بمدينة الكويت، ما أدى إلى مقتل 26 شخصا وإصابة العشرات."
    [soon] = code_doc(soon, published=date(2015, 7, 2)).events
    assert not soon.historical and soon.event_date == "2015-06-26"
    # told again, it is the known event itself, so that its retellings merge into one
    assert (soon.sub_event_type, soon.actor1) == ("Suicide bomb", "Islamic State")


def test_a_known_past_event_dated_by_its_weekday_alone_is_background(code_doc):
    """A weekday's name alone ("خلال صلاة الجمعة") is every week's: weeks after the Kuwait mosque
    bombing, a Friday there is that Friday's; another weekday, or the day before the news, is news."""
    friday = "وكان انتحاري قد فجر نفسه خلال صلاة الجمعة في مسجد بمدينة الكويت، ما أسفر عن مقتل 26 شخصا."
    [told_again] = code_doc(friday).events
    assert told_again.historical and told_again.event_date == "2015-06-26"
    sunday = "فجر انتحاري نفسه يوم الأحد في مسجد بمدينة الكويت، ما أسفر عن مقتل 26 شخصا."
    [new] = code_doc(sunday).events
    assert not new.historical and new.event_date == "2015-08-09"
    yesterday = "فجر انتحاري نفسه أمس الجمعة في مسجد بمدينة الكويت، ما أسفر عن مقتل 26 شخصا."
    [yesterday] = code_doc(yesterday, published=date(2015, 8, 8)).events
    assert not yesterday.historical and yesterday.event_date == "2015-08-07"


def test_a_capture_fought_for_is_no_capture(code):
    """ "حتى تحرير المدينة", "من أجل استعادة": the goal of the fighting; "حتى سيطرت" is done."""
    assert not code("وقال القائد إن المقاتلين سيواصلون القتال حتى تحرير مدينة تعز من الحوثيين.")
    assert not code("وأكد المتحدث أن القوات تحتشد من أجل استعادة مدينة الرمادي من التنظيم.")
    # the noun in ة is no "استعاده" (regained it), and the goal holds through its construct
    assert not code("ودفع المتمردون بتعزيزات كبيرة من أجل استعادة بلدة التربة.")
    assert not code("ودفع المتمردون بتعزيزات كبيرة من أجل استعادة السيطرة على بلدة التربة.")
    [done] = code("وتقدمت قوات المقاومة حتى سيطرت على مدينة تعز أمس.")
    assert done.location == "Taiz"


def test_a_capture_named_as_a_priority_or_a_prospect_is_no_capture(code):
    """A territory noun said to be a priority or a goal ("على رأس أولويات"), or said to bring
    something ("ستقطع الإمدادات"), is talk of the future; a capture done stays one, whatever is
    said of it after."""
    assert not code("وصرح القائد أمس بأن استعادة السيطرة على مدينة تعز تأتي على رأس أولويات قواته.")
    assert not code("وقال المتحدث إن تحرير مدينة الموصل يبقى من الأهداف الأولى للحكومة.")
    assert not code("ويرى الخبير أن السيطرة على مدينة الحديدة ستفتح الطريق أمام القوات نحو الشمال.")
    [done] = code("واستعادت القوات الحكومية أمس السيطرة على مدينة تعز، وهي من أولويات الحكومة.")
    assert done.sub_event_type == "Government regains territory"
    # "و" opens another clause: what it says is no prospect of the capture before it
    [told] = code("وأعلن الجيش أمس استعادة السيطرة على مدينة الرمادي وسيكون بوسع السكان العودة قريبا.")
    assert told.sub_event_type == "Government regains territory"


def test_a_past_year_that_opens_the_sentence_dates_its_every_clause(code_doc):
    """ "وفي عام 2010، ...، حيث هاجم": a time put first dates the whole sentence; a day the
    event's own clause names is still its day."""
    [old] = code_doc(
        "وفي عام 2010، عشت يوما عصيبا لا أنساه، حيث هاجم مسلحون مركزا للشرطة في مدينة قندهار."
    ).events
    assert old.historical and old.event_date.startswith("2010")
    [now] = code_doc(
        "وفي عام 2014 سيطر التنظيم على المدينة، واليوم قصفت الطائرات مواقعه في مدينة الموصل."
    ).events
    assert not now.historical and now.sub_event_type == "Air/drone strike"


def test_a_habit_or_a_pretext_is_no_event(code):
    """ "ويقصف النظام بانتظام ...": what is done again and again is background; "بحجة مواجهة":
    the aim claimed, not a clash."""
    assert code("ويقصف النظام بانتظام أحياء المعارضة في مدينة حلب بالبراميل المتفجرة.") == []
    assert not code("وكانت محطة الكهرباء تعرضت أكثر من مرة للقصف في مدينة عدن.")
    assert not code("وقصف المسلحون المصفاة في عدن مرارا.")
    assert not code("وشهدت مدينة العريش عدة مرات هجمات بسيارات مفخخة.")
    # once more, or for the first time: one event
    assert code("وقصفت قوات النظام أمس بلدة داريا مرة أخرى.")
    assert code("وقصفت قوات النظام أمس بلدة داريا للمرة الأولى بصواريخ أرض أرض.")
    assert code("وتنسق أنقرة مع واشنطن للتدخل في سوريا بحجة مواجهة تنظيم داعش.") == []
    assert code("ورفعت السلطات حالة التأهب تحسبا لاحتمال وقوع هجوم على مطار مدينة كابول.") == []


def test_no_reports_of_a_clash_is_no_clash(code):
    """ "ولم ترد أي تقارير عن وقوع اشتباكات": the negation governs the news of it, a few words back."""
    text = "اعتصم العشرات في مدينة حمص، ولم ترد أي تقارير عن وقوع اشتباكات بين قوات النظام وفصائل المعارضة."
    assert not [e for e in code(text) if e.sub_event_type == "Armed clash"]
    text = (
        "اندلعت اشتباكات عنيفة بين قوات النظام وفصائل المعارضة في مدينة حمص، ولم ترد معلومات عن سقوط ضحايا."
    )
    assert [e.sub_event_type for e in code(text)] == ["Armed clash"]


def test_a_car_bomb_destroyed_or_seized_never_went_off(code):
    """triggers.yaml foiled_by: a bomb destroyed, seized or foiled before use is no suicide bombing
    nor explosion."""
    assert code("وضبطت الشرطة أمس سيارتين مفخختين في حي المنصور غرب مدينة بغداد.") == []
    assert code("وأعلن الجيش إحباط هجوم انتحاري قرب سوق مدينة كركوك أمس.") == []
    assert code("ودمر الجيش أمس عربة مفخخة قبل وصولها إلى حاجز قرب مدينة بيجي.") == []
    events = code("وقتل خمسة جنود أمس حين فجر انتحاري سيارة مفخخة عند حاجز قرب مدينة بيجي.")
    assert [e.sub_event_type for e in events] == ["Suicide bomb"]


def test_the_verb_of_an_explosion_is_no_attack_of_its_own(code):
    """triggers.yaml verb_of: "التفجير الذي استهدف مقرا للقوات" is the explosion's target, not a clash."""
    events = code("وأسفر التفجير الذي استهدف مقرا لقوات الأمن في مدينة العريش أمس عن مقتل ثلاثة جنود.")
    assert [e.sub_event_type for e in events] == ["Remote explosive/landmine/IED"]
    events = code("ونفذ مسلحون هجوما انتحاريا على مركز للشرطة في مدينة كركوك أمس.")
    assert [e.sub_event_type for e in events] == ["Suicide bomb"]


def test_to_fight_a_group_is_a_purpose_not_a_clash(code):
    """triggers.yaml purpose: "لمواجهة"/"للقتال" say what someone is for; "في مواجهات" is fighting."""
    assert code("وأرسلت الحكومة ألف جندي إلى مدينة الرمادي لمواجهة تنظيم داعش.") == []
    assert code("وسافر الشاب إلى مدينة حلب للقتال مع الفصائل هناك.") == []
    events = code("وقتل جنديان في مواجهات مع مسلحي تنظيم داعش في مدينة الرمادي أمس.")
    assert [e.sub_event_type for e in events] == ["Armed clash"]


def test_aircraft_go_on_striking_in_a_later_part_of_the_sentence(code):
    """A strike that names nobody and no weapon takes the aircraft named before it in its
    sentence, or in the sentence before; a ground weapon right after the strike word is shelling."""
    events = code("وشن الطيران الحربي أمس عشر غارات على ريف إدلب، حيث قصف بلدتي كفرنبل وحاس في جبل الزاوية.")
    assert {e.sub_event_type for e in events} == {"Air/drone strike"}
    events = code(
        "وقالت قوة المهام المشتركة إن طائرات التحالف نفذت 20 غارة جوية في العراق أمس. "
        "وأضافت أن خمس ضربات نفذت قرب مدينة الموصل."
    )
    assert "Shelling/artillery/missile attack" not in {e.sub_event_type for e in events}
    [event] = code("وتعرض حي الوعر في مدينة حمص أمس لقصف عنيف بقذائف الدبابات من الكلية الحربية.")
    assert event.sub_event_type == "Shelling/artillery/missile attack"


def test_a_bare_strike_goes_on_with_the_coalitions_aircraft_of_earlier_sentences(code):
    """A strike told by a bare strike word ("ضربات") in a sentence that names nobody takes the
    aircraft, and the coalition, of a sentence up to two back; a ground weapon since, a group
    named in its sentence or a strike told by its weapon ("صاروخ") does not."""
    text = (
        "قال بيان إن التحالف الذي تقوده الولايات المتحدة نفذ 20 ضربة جوية ضد التنظيم أمس. "
        "وأضاف البيان أن الضربات أصابت مواقع ومركبات. "
        "وأفاد البيان أن ثماني ضربات استهدفت مواقع قرب مدينة الحسكة."
    )
    [event] = [e for e in code(text) if e.location == "Al-Hasakah"]
    assert (event.sub_event_type, event.actor1) == ("Air/drone strike", "Coalition (United States)")
    text = (
        "قال بيان إن التحالف نفذ 20 ضربة جوية ضد التنظيم أمس. "
        "وقصفت المدفعية مواقع للتنظيم بقذائف الهاون. "
        "وأفاد البيان أن ثماني ضربات استهدفت مواقع قرب مدينة الحسكة."
    )
    assert {e.sub_event_type for e in code(text) if e.location == "Al-Hasakah"} == {
        "Shelling/artillery/missile attack"
    }
    text = (
        "قال بيان إن التحالف نفذ 20 ضربة جوية ضد التنظيم أمس. "
        "وقالت مصادر محلية إن الحوثيين شنوا حملة قصف على أحياء مدينة تعز."
    )
    assert {e.sub_event_type for e in code(text) if e.location == "Taiz"} == {
        "Shelling/artillery/missile attack"
    }


def test_the_group_a_place_is_taken_from_is_the_other_side(code):
    """ "من قبضة"، "من أيدي"، "من سيطرة" (after "من"): the group that lost the place, never the one
    that took it."""
    events = code("وتمكنت المقاومة الشعبية أمس من تحرير مدينة الحوطة من قبضة ميليشيات الحوثي.")
    assert [(e.actor1, e.actor2) for e in events if "territory" in e.sub_event_type] == [
        ("Popular Resistance (Yemen)", "Houthi Movement")
    ]
    events = code("واستعاد الجيش العراقي أمس جامعة الأنبار في مدينة الرمادي من أيدي مسلحي تنظيم داعش.")
    assert [(e.actor1, e.actor2) for e in events if "territory" in e.sub_event_type] == [
        ("Military Forces of Iraq (2014-)", "Islamic State")
    ]
    # a bare "من" after the change of territory, and a second group joined to the first by "و"
    events = code(
        "وتمكنت المقاومة أمس من تحرير مدينة الحوطة من الميليشيات الحوثية والقوات الموالية للرئيس المخلوع صالح."
    )
    assert [e.actor1 for e in events if "territory" in e.sub_event_type] == ["Popular Resistance (Yemen)"]
    events = code("بعد تحرير مدينة الحوطة أمس من الحوثيين والقوات الموالية للرئيس المخلوع علي عبدالله صالح.")
    assert not {"Houthi Movement", "Military Forces of Yemen (2012-) Saleh faction"} & {
        e.actor1 for e in events
    }


def test_the_region_alone_is_the_middle_east(code):
    """context.yaml sentence_anaphors: "المنطقة" points back only to a place of its sentence or
    the one before, or with "نفسها"; "الأوضاع في المنطقة" is the whole region."""
    text = (
        "اندلعت اشتباكات عنيفة بين قوات النظام وفصائل المعارضة في مدينة درعا أمس. "
        "وقال الوزير إن الأسلحة الإيرانية تؤجج الصراع والمعارك في سوريا. "
        "وحذر الخبراء من تصاعد العنف وقالوا إن المعارك مستمرة في المنطقة منذ أعوام."
    )
    assert [e.location for e in code(text) if not e.historical] == ["Daraa"]
    text = (
        "اندلعت اشتباكات عنيفة بين قوات النظام وفصائل المعارضة في مدينة درعا أمس. "
        "وشن مقاتلو المعارضة هجوما على حاجز للقوات في المنطقة نفسها ليلة أمس."
    )
    assert {e.location for e in code(text)} == {"Daraa"}


def test_a_projectile_falling_on_a_border_town_is_shelling_but_fireworks_are_not(code):
    """triggers.yaml strike: "مقذوف" (a projectile) as the border towns' reports name a shell."""
    [event] = code("سقط مقذوف من الأراضي اليمنية على مزرعة في محافظة الطوال صباح اليوم.")
    assert (event.sub_event_type, event.location) == ("Shelling/artillery/missile attack", "Al-Tuwal")
    assert event.actor1 == "Houthi Movement"  # policy.yaml: the shells that fall on Saudi Arabia
    assert not code("وأطلق الجمهور مقذوفات نارية احتفالا بالفوز في مدينة الرياض.")


def test_the_attack_of_a_force_that_strikes_only_from_the_air_is_an_air_strike(code):
    """policy.yaml air_only: the Saudi-led coalition's "هجوم" in Yemen is no armed clash."""
    events = code("شنت قوات التحالف هجوما على مواقع الحوثيين في مدينة المخا.")
    assert [(e.sub_event_type, e.location) for e in events] == [("Air/drone strike", "Mocha")]


def test_the_toll_of_a_consequence_clause_past_a_connector(code):
    """ "... شرق ووسط وجنوبي المدينة ما تسبب بمقتل": "وسط" opens a clause, but the consequence
    clause after it still tells the toll of the shelling before it."""
    [event] = code(
        "وذكر شهود أن الجيش المتمركز حول مدينة الرمادي رمى قذائف الهاون دون تمييز على البيوت "
        "شرق ووسط وجنوبي الرمادي ما تسبب بمقتل أربعة مدنيين."
    )
    assert event.sub_event_type == "Shelling/artillery/missile attack"
    assert event.fatalities == 4


def test_a_counted_subject_before_its_verb_is_the_events_toll(code):
    [event] = code("وقال مسعفون إن تسعة مدنيين على الأقل قتلوا في قصف مدفعي على بلدة كفرنبل.")
    assert event.fatalities == 9


def test_a_place_abroad_that_a_place_at_home_locates_is_a_homonym_there(code):
    """ "المنطقة الوسطى بمحافظة أبين" is Abyan's central district, not Israel's, in an article of
    Yemeni places and actors; a list of two capitals is no such homonym."""
    events = code("وقعت اشتباكات بين المقاومة الشعبية والحوثيين في المنطقة الوسطى بمحافظة أبين.")
    assert [(e.sub_event_type, e.country) for e in events] == [("Armed clash", "Yemen")]


def test_another_explosion_at_the_same_place_is_a_second_event(code):
    """One event per type and place, unless the text says it is another one ("سيارة مفخخة أخرى")."""
    first = "انفجرت سيارة مفخخة في سوق مدينة بعقوبة صباح اليوم."
    again = code(first + " وقالت الشرطة إن السيارة المفخخة انفجرت قرب السوق في المدينة.")
    another = code(first + " وبعد ساعة انفجرت سيارة مفخخة أخرى في المدينة.")
    assert len(again) == 1
    assert len(another) == 2
    assert {e.location for e in another} == {"Baqubah"}


def test_an_operation_to_take_a_place_is_not_its_capture(code):
    """triggers.yaml territory not_after: "عملية تحرير"، "معركة تحرير"، "خطة استعادة" name an
    operation under way or to come; the place is taken when the capture itself is told."""
    assert not [
        e
        for e in code("وبدأت القوات الحكومية أمس عملية تحرير محافظة أبين من الحوثيين.")
        if "territory" in e.sub_event_type
    ]
    assert not [
        e
        for e in code("وقال قائد معركة تحرير مدينة الرمادي إن القوات تتقدم ببطء.")
        if "territory" in e.sub_event_type
    ]
    [taken] = code("وأعلن الجيش العراقي أمس تحرير مدينة الرمادي من تنظيم داعش.")
    assert taken.sub_event_type == "Government regains territory"
    # "من سيطرة X" says whose the place was: no capture of its own once the operation is cancelled
    text = "وبدأت القوات المرحلة الثانية من عملية تحرير مدينة الرمادي من سيطرة تنظيم داعش."
    assert not [e for e in code(text) if "territory" in e.sub_event_type]
    # the noun in construct after it shares its verdict: "عملية استعادة السيطرة" is one operation
    text = "وقاد الضابط عملية استعادة السيطرة على مدينة تدمر من التنظيم."
    assert not [e for e in code(text) if "territory" in e.sub_event_type]
    [retaken] = code("وأعلن الجيش العراقي أمس استعادة السيطرة على مدينة الرمادي من تنظيم داعش.")
    assert retaken.sub_event_type == "Government regains territory"


def test_the_fronts_are_no_fight(code):
    """triggers.yaml clash not_after: "جبهات القتال" and "جبهة القتال" are where fighters stand,
    and "القوات التي تقاتل" whom a force fights, no fight of one day."""
    assert not code("وتفقد القائد أمس عناصر المقاومة على جبهات القتال في مدينة تعز.")
    assert not code("وزار المسؤول الأمريكي القوات العراقية التي تقاتل تنظيم داعش في مدينة الرمادي أمس.")


def test_in_the_face_of_is_no_confrontation(code):
    """context.yaml facing: "في مواجهة" before a definite noun or a determiner means "in the face
    of"; with "مع" or a verb of its own it is the clash."""
    assert not code("ويقف رجال الأمن في مواجهة الإرهاب في مدينة القطيف.")
    assert not code("وتقف قوات الأمن في مواجهة هذه الأعمال في مدينة القطيف.")
    [clash] = code("وقتل جنديان في مواجهة مع مسلحين في مدينة العريش أمس.")
    assert clash.sub_event_type == "Armed clash"


def test_what_must_be_done_is_not_an_event(code):
    assert not code("وأكد زعماء القبائل على ضرورة طرد المسلحين من مدينة لحج.")
    assert not code("ودعا البيان إلى ضرورة قصف مواقع التنظيم في مدينة الرقة.")


def test_a_trigger_word_naming_a_square_or_a_group_is_no_event(code):
    # construct state: the head noun bare, the trigger word with its article
    assert not code("واحتشد الآلاف مساء أمس في ميدان التحرير بالقاهرة.")
    assert not code("وقال مسؤول في منظمة التحرير الفلسطينية في رام الله إن الاجتماع تأجل.")
    [event] = code("وتظاهر الآلاف في ساحة التحرير ببغداد للمطالبة بالإصلاح.")
    assert (event.sub_event_type, event.location) == ("Peaceful protest", "Baghdad")
    # with the article on the noun before it, the trigger is the army's capture
    [taken] = code("وأعلن الجيش العراقي تحرير مدينة تكريت من تنظيم داعش.")
    assert taken.sub_event_type in ("Government regains territory", "Non-state actor overtakes territory")
    # a quarter of Taiz: "التحرير الأسفل"
    events = code("وقصفت ميليشيات الحوثي أمس أحياء الروضة والتحرير الأسفل في مدينة تعز بقذائف الدبابات.")
    assert {e.sub_event_type for e in events} == {"Shelling/artillery/missile attack"}


def test_a_festival_is_no_protest(code):
    assert not code("وتعيش مدينة جدة هذه الأيام تظاهرة ثقافية واحتفالية كبيرة.")
    [event] = code("وخرجت تظاهرة حاشدة في مدينة البصرة احتجاجا على انقطاع الكهرباء.")
    assert event.sub_event_type == "Peaceful protest"


def test_a_sit_in_is_a_protest_and_holding_fast_to_a_rope_is_not(code):
    """triggers.yaml: a sit-in is a protest in every form; "واعتصموا بحبل الله" is a verse."""
    [event] = code("واعتصم العشرات من الموظفين أمس أمام مبنى المحافظة في مدينة اللاذقية.")
    assert event.sub_event_type == "Peaceful protest"
    [event] = code("ونفذ طلاب الجامعة اعتصاما أمس أمام مبنى الوزارة في مدينة الحديدة.")
    assert event.sub_event_type == "Peaceful protest"
    assert not code("ودعا الخطيب في مدينة جدة المصلين إلى أن يعتصموا بحبل الله.")
    # a protest is its protesters', whatever force the sentence names (ACLED's convention)
    [event] = code("واعتصم المئات أمس في مدينة اللاذقية احتجاجا على مقتل ضابط في الجيش برصاص مسلح.")
    assert event.actor1 == "Protesters (Syria)"


@pytest.mark.parametrize(
    "text",
    [
        "وارتفع سعر برميل النفط في تداولات نيويورك أمس.",  # a barrel of oil
        "وتلقت السياحة في تونس ضربة قاصمة هذا الصيف.",  # a crushing blow
        "وسجل اللاعب من ضربة جزاء في ملعب الرياض.",  # a penalty
        "وطالبت المنظمة بوقف القصف على الأحياء السكنية في تعز.",  # a call to stop
        "وتعرضت مواقع وزارة في الرياض لهجوم إلكتروني أمس.",  # on websites
        "وأعلن المرشح انسحابه من الانتخابات البلدية في الدمام.",  # from an election
        "وانفجرت أسطوانة غاز في مطعم بمكة المكرمة.",  # an accident
        "ومن المقرر أن يشن الجيش هجوما على مواقع المسلحين في مأرب.",  # scheduled, not done
    ],
)
def test_figures_of_speech_accidents_and_calls_are_no_events(code, text):
    assert not code(text)


def test_al_qaeda_in_yemen_is_aqap_and_the_bare_word_is_a_base(code):
    [event] = code("وهاجم مسلحو تنظيم القاعدة نقطة للجيش في مدينة المكلا أمس.")
    assert event.actor1 == "AQAP: Al Qaeda in the Arabian Peninsula"
    [event] = code("واشتبك الجيش مع عناصر القاعدة في مدينة درنة أمس.")
    assert "Al Qaeda" in (event.actor1, event.actor2)
    [event] = code("وقصفت الطائرات القاعدة الجوية في مدينة الطبقة أمس.")
    assert "Al Qaeda" not in (event.actor1, event.actor2)


def test_a_protest_for_a_demand_stands_and_its_people_are_protesters(code):
    [event] = code("وخرج المئات من أهالي مدينة البصرة في مظاهرات للمطالبة بتحسين الكهرباء.")
    assert (event.sub_event_type, event.actor1) == ("Peaceful protest", "Protesters (Iraq)")
    [event] = code("ونظم عمال المصنع وقفة احتجاجية أمام مبنى المحافظة في مدينة الإسكندرية.")
    assert event.sub_event_type == "Peaceful protest"
    assert not code("ومن المتوقع خروج مظاهرات في مدينة بغداد يوم الجمعة.")


def test_a_trial_of_an_attack_is_no_event(code):
    assert not code("وأجلت المحكمة في الكويت محاكمة المتهمين في تفجير مسجد بمدينة الكويت.")


def test_the_houthis_named_by_an_adjective(code):
    [event] = code("وقتل ستة مسلحين حوثيين في اشتباكات مع المقاومة الشعبية في مدينة تعز أمس.")
    assert "Houthi Movement" in (event.actor1, event.actor2)


def test_an_assassination_told_in_the_passive(code):
    [event] = code("واغتيل قائد محلي أمس في مدينة بعقوبة.")
    assert event.sub_event_type == "Attack"


def test_an_arrest_for_a_crime_is_police_work(code):
    assert not code("واعتقلت الشرطة ثلاثة أشخاص بتهمة ترويج المخدرات في مدينة جدة.")
    [event] = code("واعتقلت قوات الأمن عشرة من أنصار الجماعة في مدينة القاهرة أمس.")
    assert event.sub_event_type == "Arrests"


def test_a_month_long_gone_is_background_unless_another_event_stands_between(code):
    """ "في مايو الماضي" in a July report: background, as a past year is; this month is news; a
    month that dates an earlier event told in a clause of its own leaves the news alone."""
    [may] = code("وفي مايو الماضي، سيطر مسلحو التنظيم على مدينة الرمادي.")
    assert may.historical and may.event_date == "2015-05-01"
    [june] = code("قصفت قوات النظام بلدة كفرنبل بريف إدلب بالمدفعية في يونيو الماضي.")
    assert june.historical
    [july] = code("قصفت قوات النظام بلدة كفرنبل بريف إدلب بالمدفعية في يوليو الجاري.")
    assert not july.historical
    [news] = code(
        "وطردت الوحدات الكردية التنظيم من حي في مدينة الحسكة أمس بعد معارك اندلعت في المدينة الشهر الماضي."
    )
    assert not news.historical


def test_a_month_at_the_end_of_the_clause_or_before_a_toll_dates_the_event(code):
    """The clause's time may come after the words the unit reads, or before the toll ("قتل")
    that opens the sentence; not past a comma, where a clause of its own tells the place's past."""
    [late] = code(
        "وانتزع مسلحو التنظيم السيطرة على مدينة تدمر بوسط البلاد من يد القوات الحكومية في مايو الماضي."
    )
    assert late.historical and late.event_date == "2015-05-01"
    [toll] = code(
        "وفي يناير الماضي، قتل القائد جهاد، البالغ من العمر 26 عاما، في غارة جوية على مدينة القنيطرة."
    )
    assert toll.historical
    [news] = code(
        "واستولى مقاتلو المعارضة على مدينة الرستن، وكانت معقلا لهم منذ عام 2011 قبل أن تعود إلى سيطرة النظام في عام 2018."
    )
    assert not news.historical


def test_a_month_past_a_trigger_phrase_dates_it_but_not_past_another_clause(code):
    """The second word of a phrase ("عبوة ناسفة") is the same event, not one that stands between
    the trigger and its month; a clause that a comma and و open tells its own time."""
    [ied] = code("قتل جنديان في انفجار عبوة ناسفة في مدينة العريش في شهر مايو.")
    assert ied.historical and ied.event_date == "2015-05-01"
    [news] = code(
        "قتل جنديان في انفجار عبوة ناسفة في مدينة العريش، ونقلت أسرتاهما إلى القاهرة التي انتقلتا إليها في مايو الماضي."
    )
    assert not news.historical
    [listed] = code("قصفت قوات النظام بلدة كفرنبل بريف إدلب، في يونيو الماضي.")
    assert listed.historical
    [joined] = code("قصفت قوات النظام بلدة كفرنبل بريف إدلب، وعلى مواقع أخرى جنوبها، في يونيو الماضي.")
    assert joined.historical


def test_the_part_of_a_month_decides_whether_it_is_long_gone(code):
    """On 10 August "أوائل يوليو" ended a month ago: background; "أواخر يوليو" is news."""
    [early] = code("قصفت قوات النظام بلدة كفرنبل بريف إدلب بالمدفعية في أوائل يوليو.")
    assert early.historical and early.event_date == "2015-07-01"
    [late] = code("قصفت قوات النظام بلدة كفرنبل بريف إدلب بالمدفعية في أواخر يوليو.")
    assert not late.historical


def test_a_when_clause_is_dated_by_the_time_before_it(code):
    """ "في أواخر عام 2009 حين هاجم ...": the past year just before a when-clause dates it; a
    when-clause after the news ("... أمس حين كانت") is still the news."""
    [old] = code("وفي أواخر عام 2009 حين هاجم مسلحون مركزا للشرطة في مدينة الموصل، قتل أربعة جنود.")
    assert old.historical and old.event_date == "2009-01-01"
    [news] = code("قصفت الطائرات الحربية أمس بلدة كفرنبل بريف إدلب حين كانت القوات تتقدم نحو البلدة.")
    assert not news.historical


def test_a_time_told_before_or_a_decade_gone_is_background(code):
    """ "وقد قتل آنذاك": at a time the article told before; "في ثمانينيات القرن الماضي": long
    gone; but "حينها" in a sentence of yesterday is yesterday."""
    [then] = code("وكان مسلحون قد هاجموا مركزا للشرطة في مدينة بعقوبة، وقتل حينها أربعة جنود.")
    assert then.historical
    [decade] = code("وفي ثمانينيات القرن الماضي قصفت قوات النظام مدينة حماة بالمدفعية.")
    assert decade.historical
    [news] = code("سيطرت قوات النظام أمس على بلدة كفرنبل بريف إدلب، وقتل حينها خمسة من عناصر التنظيم.")
    assert not news.historical


def test_months_or_years_up_to_now_are_a_summary(code):
    """ "في السنوات الأخيرة", "خلال الأشهر الماضية": no one event; a day of the news keeps it news."""
    [years] = code("وفي السنوات الأخيرة قصفت قوات النظام مدينة داريا بالبراميل المتفجرة.")
    assert years.historical
    [news] = code("قصفت قوات النظام أمس مدينة داريا بالبراميل في أعنف قصف خلال الأشهر الماضية.")
    assert not news.historical


def test_what_had_happened_before_is_background(code):
    """ "سبق أن/وأن" before the trigger: it had happened before; "سبق" alone is another verb."""
    [before] = code("سبق وأن قصفت قوات النظام مدينة داريا بالبراميل المتفجرة.")
    assert before.historical


def test_the_general_verb_of_a_new_event_word_keeps_the_event_s_place(code):
    # "شنه": the attack's own verb, no strike of its own (no weapon): the place after it is the attack's
    [event] = code("قتل أربعة جنود في هجوم شنه مسلحون على حاجز للجيش في مدينة العريش أمس.")
    assert (event.sub_event_type, event.location, event.fatalities) == ("Armed clash", "Arīsh", 4)
    # the same verb of attacks already known ("الهجمات التي استهدفت ...") or of a habit ("تشنها") does
    # not carry them to the place
    assert code("وأشار إلى الهجمات التي استهدفت عددا من المساجد في مدينة العريش.") == []
    assert code("وتحدث عن هجمات تشنها الجماعة على مواقع في مدينة العريش.") == []


def test_the_villages_a_toll_names_inside_the_struck_area_are_its_places(code):
    """extract.py named_inside: an area (a mountain, a governorate) and then the villages inside it
    that the toll names are one event per village, each with its own toll."""
    events = code(
        "وقصفت الطائرات الحربية أمس قرى جبل الزاوية في ريف إدلب، ما أدى إلى مقتل أربعة مدنيين في "
        "قرية أرنبة وسبعة في قرية الموزرة."
    )
    assert sorted((e.location, e.fatalities) for e in events) == [("Al-Muzrah", 7), ("Arnaba", 4)]
    # a town the wounded were taken to is not where the strike fell
    events = code("وقصفت الطائرات الحربية أمس مواقع في ريف حلب الشرقي، ونقل الجرحى إلى مستشفى منبج.")
    assert "Manbij" not in [e.location for e in events]
    # one toll over a list is nobody's in particular
    events = code("وقتل عشرة مدنيين أمس في غارات على بلدتي كفرنبل ومعرة النعمان.")
    assert [e.fatalities for e in events] == [None, None]


def test_a_group_after_lam_past_an_event_noun_is_whose_it_was(code):
    """extract.py _owner_of_noun: "في هجوم لحزب العمال" is the party's attack; past a verb that
    takes the noun ("نصبوا كمينا للميليشيات") the group is its target; "آخرين من الحوثيين" counts
    the Houthis hit, and "قافلة لقوة من الجيش" is the army's convoy, hit."""
    [event] = code("وقتل ثلاثة جنود أتراك أمس في هجوم لحزب العمال الكردستاني في ولاية هكاري.")
    assert event.actor1 == "PKK: Kurdistan Workers Party"
    [event] = code("وقتل 5 وأصيب 11 آخرين من الحوثيين في هجوم للمقاومة الشعبية قرب مدينة تعز أمس.")
    assert (event.actor1, event.actor2) == ("Popular Resistance (Yemen)", "Houthi Movement")
    [event] = code("وهاجم مسلحو داعش أمس قافلة لقوة من الجيش العراقي قرب مدينة بيجي.")
    assert event.actor1 == "Islamic State"


def test_the_opposition_alone_is_syria_s_armed_opposition_there(code):
    """actors.yaml by_country: "المعارضة" acting in Syria is its armed opposition; a group said to
    belong to it ("التابع للمعارضة") is on its side, not the other."""
    [event] = code("وسيطرت المعارضة أمس على بلدة مورك في ريف حماة.")
    assert event.actor1 == "Opposition Rebels (Syria)"
    [event] = code("وسيطر جيش الفتح التابع للمعارضة السورية أمس على مواقع قرب بلدة الفوعة.")
    assert (event.actor1, event.actor2) == ("Jaish al-Fateh", None)
    assert not code("وقالت المعارضة في القاهرة إنها ستشارك في الانتخابات البرلمانية المقبلة.")


def test_a_capture_after_a_verbal_noun_of_purpose_is_what_was_fought_for(code):
    """extract.py purpose_object: "لانتزاع السيطرة"، "لاستعادة السيطرة" say what the fighting was
    for; the shelling or the clash is the event, not a capture."""
    events = code(
        "وكثفت المعارضة قصفها أمس على مواقع قوات النظام في مدينة درعا في محاولة جديدة لانتزاع "
        "السيطرة على المدينة."
    )
    assert [e.sub_event_type for e in events] == ["Shelling/artillery/missile attack"]
    events = code("ويشن الجيش وحلفاؤه منذ أمس هجوما على مدينة الزبداني لاستعادة السيطرة عليها.")
    assert "Government regains territory" not in [e.sub_event_type for e in events]


def test_flares_stun_grenades_and_human_bombs_are_no_air_strike(code):
    """triggers.yaml air not_before: "قنابل مضيئة"، "قنابل الصوت"، "القنابل البشرية" name no
    bombing from the air."""
    events = code("وأطلقت قوات الاحتلال فجر اليوم قنابل مضيئة فوق مرتفعات جبل الشيخ جنوب لبنان.")
    assert "Air/drone strike" not in [e.sub_event_type for e in events]
    events = code("واستخدمت الشرطة قنابل الصوت لتفريق المتظاهرين في مدينة القدس أمس.")
    assert "Air/drone strike" not in [e.sub_event_type for e in events]
    assert not code("ويرسل التنظيم القنابل البشرية إلى المدن لتفجير نفسها.")


def test_a_place_of_detention_is_no_arrest(code):
    """triggers.yaml arrest not_after: "مركز احتجاز"، "أماكن احتجازهم" name where people are held."""
    assert not code("وينقل المهاجرون الذين يتم إنقاذهم في البحر إلى مركز احتجاز قرب مدينة طرابلس.")
    assert not code("وطالبت المنظمة بالكشف عن أماكن احتجازهم في مدينة الخليل منذ أشهر.")
    events = code("واعتقلت الشرطة أمس ثلاثة مطلوبين في مدينة الخليل.")
    assert [e.sub_event_type for e in events] == ["Arrests"]


def test_mortar_bombs_are_shelling_not_an_air_strike(code):
    """triggers.yaml air not_before: "قنابل الهاون" are the mortar's, fired from the ground."""
    events = code("وقصف المسلحون حي الشيخ عثمان في مدينة عدن أمس بقنابل الهاون وصواريخ الكاتيوشا.")
    assert [e.sub_event_type for e in events] == ["Shelling/artillery/missile attack"]
    events = code("وسقطت قنابل هاون على سوق شعبي في مدينة درعا اليوم ما أدى إلى مقتل ثلاثة مدنيين.")
    assert "Air/drone strike" not in [e.sub_event_type for e in events]


def test_no_clash_happening_is_no_clash(code):
    """context.yaml occurrence: "دون حدوث أي اشتباكات" negates the clash past the words of happening."""
    assert not code("وانتشرت القوات في البلدة أمس دون حدوث أي اشتباكات مع المسلحين في مدينة الضالع.")
    events = code("وانسحب المقاتلون من مواقعهم في مدينة الرمادي من دون أن تحدث أي مواجهات مع الجيش.")
    assert "Armed clash" not in [e.sub_event_type for e in events]


def test_an_event_named_after_a_verbal_noun_of_purpose_is_no_event(code):
    """extract.py purpose_object: "لإكمال الهجوم"، "لإطلاق صواريخ" say what the forces were gathered
    for; after a verb of suffering ("تعرض المنزل لسقوط قذيفة") the noun is what befell, and coded."""
    events = code("وحشد الجيش قواته أمس قرب مدينة الرمادي لإكمال الهجوم البري على المدينة.")
    assert "Armed clash" not in [e.sub_event_type for e in events]
    events = code("وتعرض منزل في حي الميدان بدمشق أمس لسقوط قذيفة هاون أطلقها مسلحون.")
    assert [e.sub_event_type for e in events] == ["Shelling/artillery/missile attack"]


def test_weeks_ago_is_background_unless_the_unit_names_the_news_day(code):
    """context.yaml past_spans "أسابيع": "قبل أسابيع"، "منذ أسابيع"، "في الأسابيع الأخيرة" tell a
    time weeks back or a span up to now; a day of the news in the unit makes the span another
    thing's ("التي تحاصرها منذ أسابيع"). "منذ أن سيطر" reckons from an event told before."""
    for when in ("قبل أسابيع", "منذ أسابيع", "خلال الأسابيع الماضية"):
        events = code(f"وقتل خمسة جنود {when} في هجوم شنه مسلحون على حاجز للجيش في مدينة العريش.")
        assert events and all(e.historical for e in events), when
    [event] = code("وقصفت قوات النظام أمس بلدة كفرنبل التي تحاصرها منذ أسابيع موقعة قتلى.")
    assert not event.historical
    events = code("وهبطت الطائرة أمس في مطار عدن لأول مرة منذ أن سيطر الحوثيون على المدينة.")
    assert all(e.historical for e in events if e.sub_event_type == "Non-state actor overtakes territory")


def test_what_forces_work_or_strive_for_is_no_event(code):
    """context.yaml endeavours: "تعمل ... على السيطرة"، "تسعى إلى استعادة" tell an aim, not a deed."""
    assert not code("وتعمل المقاومة بالتنسيق مع التحالف على السيطرة على مدينة زنجبار.")
    assert not code("وتسعى القوات الحكومية إلى استعادة مدينة زنجبار من المسلحين.")
    [event] = code("وسيطرت المقاومة أمس على مدينة زنجبار بعد معارك مع الحوثيين.")
    assert event.location == "Zinjibar"


def test_thousands_of_strikes_are_a_campaign_not_an_event(code):
    """context.yaml thousands: "شن آلاف الغارات"، "عشرات الآلاف من الصواريخ" tell many events in sum."""
    assert not code("وشن التحالف آلاف الغارات الجوية على مواقع التنظيم في مدينة الرقة.")
    assert not code("ويمتلك الحزب عشرات الآلاف من الصواريخ الموجهة نحو مدينة حيفا.")
    [event] = code("وشنت طائرات التحالف أمس عشرات الغارات الجوية على مواقع التنظيم في مدينة الرقة.")
    assert event.sub_event_type == "Air/drone strike"


def test_the_fighting_against_a_group_is_a_war_not_a_fight(code):
    """context.yaml against: "القتال ضد داعش" (with the article) is a war told in general; "خاضت
    معارك ضد قوات الحوثي" is one fight."""
    assert not code("وتضغط واشنطن على أنقرة لتأخذ دورا أكبر في القتال ضد داعش في مدينة الرقة.")
    [event] = code("وخاضت المقاومة أمس معارك ضد قوات الحوثي في مدينة لودر.")
    assert (event.sub_event_type, event.location) == ("Armed clash", "Lawdar")


def test_the_capital_that_leads_a_coalition_is_not_where_it_strikes(code):
    """context.yaml led_by: "بقيادة واشنطن" names who leads; the strike is in Raqqa."""
    [event] = code("وشنت طائرات التحالف بقيادة واشنطن أمس غارات على مواقع التنظيم في مدينة الرقة.")
    assert event.location == "Raqqa"
    events = code("وتواصل طائرات التحالف بقيادة واشنطن غاراتها ضد التنظيم.")
    assert "Washington, D.C." not in [e.location for e in events]


def test_a_trigger_in_the_future_tense_is_no_event(code):
    """extract.py _future: "ستهاجم"، "ستقصف" (the future marker read off the verb) tell what is to
    come; "سيطرت" is a past verb whose first letter only looks like the marker."""
    assert not code("وقال المسؤول إن قوات الجيش ستهاجم مواقع التنظيم في مدينة الرقة.")
    assert not code("وقال المسؤول إن الطائرات ستقصف مواقع التنظيم في مدينة الرقة.")
    [event] = code("وسيطرت قوات الجيش أمس على مدينة الرقة.")
    assert event.location == "Raqqa"


def test_a_source_that_is_the_group_itself_still_fights(code):
    # the words name both who reports and who fights: the group is no mere speaker
    events = code("وقال الضابط إن قوات جهاز مكافحة الإرهاب سيطرت على حي التأميم في الرمادي أمس.")
    assert [(e.sub_event_type, e.actor1) for e in events] == [
        ("Government regains territory", "Military Forces of Iraq (2014-)")
    ]
    # a speaker's words are still only a speaker's
    (event,) = code("وقال المتحدث باسم الجيش الأمريكي إن طائرات التحالف قصفت مواقع في الرقة أمس.")
    assert event.actor1 != "Military Forces of the United States (2009-2017)"


def test_a_noun_in_the_indefinite_accusative_is_its_trigger(code):
    """The alif of "قتالا" or "انفجارا" is kept by the tokenizer: the loader makes those forms."""
    [clash] = code("وخاض الجيش أمس قتالا عنيفا مع مسلحي داعش في مدينة بيجي.")
    assert (clash.sub_event_type, clash.location) == ("Armed clash", "Baiji")
    [blast] = code("وقالت الشرطة إن انفجارا هز سوقا شعبية في حي الكرادة ببغداد أمس.")
    assert blast.sub_event_type == "Remote explosive/landmine/IED"


def test_an_accusative_an_entry_lists_stays_that_entrys():
    """ "احتجاجا على" (in protest at) is the weak sit-in's, not the protest noun's accusative."""
    from marsad.events import lexicon
    from marsad.events.lexicon import _accusative

    assert _accusative("انفجار") == ("انفجارا",)
    assert _accusative("غارة") == _accusative("الكمين") == _accusative("سيطرتهم") == ()
    listed = {e.id for e in lexicon.load().triggers.entries() if e.value[2] in ("احتجاجا", "انفجار")}
    assert listed == {"sit-in:احتجاجا", "explosion:انفجار"}


def test_neighbourhoods_of_one_city_sharing_one_toll_are_one_event(code):
    """FORMAT.md: quarters of one city with one toll between them are one event, which has it."""
    (ev,) = code("وسقطت قذائف أمس على حيي القصاع وباب توما في دمشق ما أدى إلى مقتل سبعة أشخاص.")
    assert (ev.location, ev.fatalities) == ("Qassaa", 7)
    # without a shared toll each quarter is its own event
    assert len(code("وسقطت قذائف أمس على حيي القصاع وباب توما في دمشق.")) == 2


def test_the_second_name_after_a_dual_street_head_is_a_street(code):
    """ "شارعي الثورة وبغداد": Baghdad Street in Damascus, not Iraq's capital."""
    events = code("وسقطت قذائف أمس على شارعي الثورة وبغداد في دمشق.")
    assert [e.location for e in events] == ["Damascus"]


def test_a_road_between_two_places_is_one_place_of_the_event(code):
    """ "الطريق الرابط بين X وY" is where the road runs: one event, at the first named, not two."""
    (ev,) = code("وانفجرت عبوة ناسفة أمس على الطريق الرابط بين مدينتي حمص وحماة ما أدى إلى مقتل جنديين.")
    assert ev.location == "Homs"
    # two places of a list with no road between them stay two events
    assert len(code("وقصفت الطائرات أمس بلدتي كفرنبل ومعرة النعمان.")) == 2
