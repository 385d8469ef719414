"""Quality floors of the event coder, pinned where it was not fitted.

The rules were written against dev/, so a dev figure pins fit, not generalisation. The floors
stand on the measure-only sets (test/ and feed/: their totals, never their errors) and on
cross-validation over dev+train: the event model is trained on the other stories and scores the
ones left out, beside the rules alone on the same articles. The figures come from
`marsad eval events ../shared/eval/test ../shared/eval/feed` and `marsad eval events
../shared/eval/dev ../shared/eval/train --cv --folds 5 ...`; raise a floor when a figure
rises, never lower one to pass.
"""

from __future__ import annotations

from pathlib import Path

from marsad.evaluate import alias_hit, evaluate_events, withhold_errors
from tests.conftest import DEV_GOLD, SHARED

TRAIN_GOLD = SHARED / "eval" / "train"
TEST_GOLD = SHARED / "eval" / "test"
FEED_GOLD = SHARED / "eval" / "feed"
CORPUS = SHARED / "corpus" / "saudinewsnet" / "all-2015.jsonl.gz"
JUDGED = Path(__file__).resolve().parents[1] / "marsad" / "events" / "data" / "judged" / "all-2015.jsonl"

# Leave-one-story-out cross-validation over dev+train with every training negative, as `marsad
# eval events --cv` reports it (5 folds and 300 negatives moved by an event or two whenever the
# training data changed: one fold model's noise). The judged check keeps its first 300 negatives.
JUDGED_NEGATIVES = 300
# A territory noun said to be a priority or a goal no capture (2026-12-06): f1 .767 -> .769,
# precision .775 -> .780, recall unchanged. A claimant the claimed deed's source, and the Kurdish
# separatists Turkey's PKK (2026-12-06): f1 .769 -> .771, recall .759 -> .762. An ambush laid
# ("نصبت المقاومة كمينا"، "كمين نصبته"): f1 .771 -> .773, precision .780 -> .781, recall .762 -> .765.
# An attack that names only its fallen soldiers or police ("قتل جنديا في هجوم") the state's forces
# attacked by an unidentified group: f1 .773 -> .775, precision .781 -> .782, recall .765 -> .768.
# The aircraft of a backing ("هجوم شنته القوات مدعومة من طيران التحالف"، "بإسناد من طيران الأباتشي") no
# air strike of the ground attack they backed: f1 .775 -> .777, recall .768 -> .771.
# A group driven out of a town ("طردوا الحوثيين من مدينة لودر") its loss of it: f1 .777 -> .778,
# precision .782 -> .783, recall .771 -> .774, status .992 -> .993.
# Anbar University, two Yemeni villages and Iraq's Counter Terrorism Service as a source (2026-12-07):
# f1 .778 -> .780, precision .783 -> .785.
# Suruç as Arabic news also spells it (سوروتش, 65 articles of all-2015) and "جهاز مكافحة الإرهاب" outside
# Iraq another state's unit, not Iraq's service (2026-12-07): f1 .780 -> .781, precision .785 -> .786,
# recall .774 -> .777, source .917 -> .918, fatalities .766 -> .769.
# Afghanistan's provinces and Pul-e Alam in the Arabic spellings GeoNames lacks (region_af.tsv), a bare
# "ناشطين" an activists' source only after a reporting word ("غير ناشطين" is "inactive"), and an event
# whose source was carried from a sentence about another is also the report of the speaker that opens the
# next sentence (2026-12-07): f1 .781 -> .783, precision .786 -> .787, recall .777 -> .780, actor1
# .951 -> .952, source .918 -> .938 (events so changed list 2.0 sources, 1.3 before), fatalities
# .769 -> .773.
# An event placed only at a governorate folded into the one of its kind the article places in a town
# or site of that governorate (a lead's "مواجهات غربي محافظة مأرب" and the clash in al-Jufainah below
# it, 2026-12-07): f1 .783 -> .790, precision .787 -> .801; test/ f1 .734 -> .740 (outside Syria
# .627 -> .640).
# A place taken one event whichever side the rules read as taking it ("استعادت المقاومة والجيش"
# coded as the army's and as the resistance's capture): f1 .790 -> .791, precision .801 -> .803;
# test/ f1 .740 -> .746 (outside Syria .640 -> .653).
# A well-known past event (policy.yaml known_events: the Kuwait and Qudaih mosque bombings, Aden
# retaken, the Houthis' Sanaa) told again weeks on with no day of its own is that day's, background
# (2026-12-07): f1 .791 -> .794, precision .803 -> .808; the judged held-out events of ordinary news
# kept as current events that are none 135 -> 115, every right one kept.
# A place the gazetteer lacks, placed by the town beside it or the area after it, keeps its own
# name ("الحماميات (Taji)"، "معرستي (near Mayer)"), so that two such villages are two events and
# not the town's one; the second of two unknown to the gazetteer lies by the first (2026-12-08):
# f1 .794 -> .795, recall .780 -> .783, source .938 -> .939; test/ and feed/ unchanged. The first of
# two, unknown, lies by the second ("قريتي معرستي وماير"): f1 .795 -> .797, precision .808 -> .809,
# recall .783 -> .786, date .981 -> .982. Neighbourhoods of one city sharing one toll one event at
# the first of them (FORMAT.md), and the second name after a dual street head no place ("شارعي الثورة
# وبغداد"), with it: f1 .798, precision .811, fatalities .773 -> .788; test/ F1 .746 -> .752
# (precision .825 -> .839), feed/ unchanged.
CV_FLOORS = {"f1": 0.798, "precision": 0.811, "recall": 0.786}
# fatalities: of the matched events whose gold gives a toll, the share coded with that toll
CV_ATTRIBUTE_FLOORS = {"actor1": 0.952, "date": 0.982, "status": 0.993, "source": 0.939, "fatalities": 0.788}
TEST_FLOORS = {"f1": 0.752, "precision": 0.839, "recall": 0.681}
TEST_ATTRIBUTE_FLOORS = {"actor1": 0.979, "date": 0.979, "status": 1.0, "source": 0.935, "fatalities": 0.5}
# actor1 and source on test/'s articles outside Syria, with the shipped event model, and their event F1
TEST_REGION_FLOORS = {"actor1": 0.938, "source": 0.9}
TEST_REGION_F1_FLOOR = 0.653
# false events an article on the feed (ordinary news drawn at random), and its required events found
# (0.10 -> 0.05 when a well-known event told again became that event, its own type and actors)
FEED_MAX_FALSE_PER_ARTICLE = 0.05
FEED_MIN_REQUIRED_FOUND = 4
# Coded events of ordinary news a reader judged (marsad/events/data/judged/): of those a model
# keeps, the share an analyst would keep (precision) and the share of those it keeps (recall). The
# shipped model trains on them: "with judged" decides each half of the judged articles having
# trained on the other half (the shipped model's held-out figure); "without judged" is the model of
# the gold and negatives alone.
# Counted before duplicates merge, like the rules' events. "without judged" recall went .997 -> .994
# when the rules of foiled bombs, purposes and vague anaphors landed: one right event (a clash in a
# governorate, p .0505 -> .034 at keep .05, same features, weights moved) for 22 wrong ones dropped.
# "with judged" recall went .997 -> .991 when the countryside's sides got their own points and the
# rules of oil barrels, blows, calls to stop, cyber attacks and accidents landed (5-fold CV F1 rose,
# the rules' judged precision .523 -> .529 with no right event lost): the two right events it
# drops were kept at p .051 and .052 against keep .05 (snn-all-23500, snn-all-30813: weights moved).
# Since 2026-12-02 an event the rules date as background counts as not kept (it is no current
# event in an analyst's table); at that change the figures were rules .536, without .538, with .566.
# Since 2026-12-03 a reader's verdict on a coding (its type, its place) lapses when the rules code
# the event otherwise (event_training.Judgement): it neither counts nor teaches. At that change,
# on the code before it, 8 right and 16 wrong events of the 614 lapsed (drift since they were
# read) and the figures were rules (.556, 1.0), without (.557, .997), with (.585, .991). With the
# change itself (the group a place is taken from is the other side; a bare strike goes on with
# the coalition's aircraft of the sentences before) 2 more right ones lapse (Dhale and Zinjibar
# retaken, judged as taken by a non-state actor, now "Government regains territory" by Hadi's
# army) and 2 fewer wrong ones count (now air strikes, as the readers said), and "without"
# drops two right events it kept at p .057 and .053 against keep .05 (snn-all-00053, -01147:
# weights moved): rules (.557, 1.0), without (.555, .991), with (.587, .991). The quarter of Taiz
# "التحرير الأسفل" no longer a capture: rules (.558, 1.0), without (.557, .994), with (.588, .994).
# An operation or battle to take a place ("عملية تحرير"، "معركة تحرير") no longer its capture:
# rules (.565, 1.0), without (.564, .997), with (.593, .994). "في مواجهة الإرهاب" (in the face of)
# no longer a clash: rules (.566, 1.0), without (.565, .997), with (.596, .994). A hard blow to
# someone ("ضربة قاسية للحوثيين") no longer a strike: rules (.567, 1.0), without (.566, .997).
# The fronts ("جبهات القتال") no longer a clash: 5 wrong events and 2 right ones go from the rules'
# (a front in Lahij and one in Dhale "witnessed" fighting), and "without" drops one right event
# more (weights moved): rules (.570, 1.0), without (.570, .994), with (.597, .994). "القوات التي
# تقاتل" (whom a force fights) no longer a clash: rules (.571, 1.0), without (.571, .994), with (.598, .994).
# Stop 42 (aggregate tolls, habits and plans, withdrawals asked for, the settlers' attacks, groups
# and forces far from home): rules (.593, 1.0), without (.595, .994), with (.617, .994).
# Stop 44 (a bare "التحالف" is the coalition; a force that strikes only from the air takes no
# territory): rules (.597, 1.0), without (.598, .994), with (.623, .997). An attack known by its
# town ("هجوم سوروتش") no new report, a bombing told twice one: rules (.598, 1.0), without (.600,
# .994), with (.624, .997). Strikes "since" a day long gone a campaign: rules (.600, 1.0), without
# (.602, .994), with (.625, .997). A count over a month ("خلال يوليو") an aggregate: rules (.602,
# 1.0), without (.604, .994), with (.628, .997). A condemnation past an aside ("ودانت المنظمة، أمس،
# قصف"): rules (.605, 1.0), without (.607, .994), with (.629, .997). Taking part in the fighting
# ("المشاركة في القتال") no clash: rules (.612, 1.0), without (.614, .994), with (.633, .997).
# Stop 45: a threat before ب ("تهديدات بالاستيلاء") no event: rules (.613, 1.0), without (.615,
# .994), with (.633, .997). Yemen's fronts in the gazetteer, with two judged events coded at the
# place their reader named judged again (Tabbat Masoud, Lawdar: judged/README.md), and a call
# ("تدعو المدنيين إلى القتال") no event: rules (.614, 1.0), without (.615, .994), with (.634, .997).
# "المنطقة الجنوبية" Israel's district only where the story is, and a GeoNames namesake far from the
# town it is said to be beside falls back to the town: unchanged. (At 4cf0f57 the fallback also took a
# direction ("سبها جنوب طرابلس" at Tripoli): rules (.615, 1.0), without (.617, .997), with (.636, .997),
# floors raised with it; narrowed to "beside" at the next commit, the figures and floors went back.)
# Stop 46: an ability ("قادرة على صد", "تمتلك القدرة على مواجهة") no deed, and a prior for Yemen's,
# Libya's, Egypt's and Saudi Arabia's places: rules (.616, 1.0), without (.617, .994), with (.636, .997).
# The sentence's aircraft go on past the group they hit ("مستهدفا وحدات من مقاتلي داعش"): four events
# judged wrong as shelling ("coalition air strikes, not shelling") are air strikes, their verdicts
# lapse: rules (.621, 1.0), without (.622, .994), with (.641, .997).
# Strikes that backed a capture ("بدعم من غارات التحالف") no strike of their own: rules (.621, 1.0),
# without (.623, .997), with (.642, .997).
# Stop 48: a sit-in a protest, a protest's actor1 its protesters, and villages named inside a
# strike's area its places (each with its own toll): unchanged, two judged events coded at the
# governorate now at the town the sentence names lapse.
# A capture only fought for ("في محاولة لانتزاع السيطرة على"، "لاستعادة السيطرة على") no capture:
# rules (.623, 1.0), without (.624, .997), with (.642, .997). Flares, stun and hand grenades no air
# strike ("قنابل مضيئة"، "قنابل الصوت"، "قنبلة يدوية"): rules (.630, 1.0), without (.632, .997), with
# (.649, .997). A negation past words of happening ("دون حدوث أي اشتباكات"): rules (.631, 1.0),
# without (.633, .997), with (.651, .997). Any event named after a verbal noun of purpose ("لإكمال
# الهجوم البري"، "لإطلاق صواريخ") no event, unless a verb of suffering stands before ("تعرض لسقوط
# قذيفة"): rules (.638, 1.0), without (.640, .997), with (.658, .997). Weeks ago or for weeks
# ("قبل أسابيع"، "منذ أسابيع"، "في الأسابيع الأخيرة") background unless the unit names the news'
# day, and "منذ أن سيطر" a time reckoned from an event: rules (.640, 1.0), without (.641, .997).
# What forces work or strive for ("تعمل على السيطرة على"، "تسعى إلى استعادة") no event: rules (.642,
# 1.0), without (.644, .997), with (.660, .997). "القتال ضد داعش" a war, no one fight: rules (.643,
# 1.0), without (.645, .997), with (.662, .997).
# A past year opening a sentence dates its every clause ("وفي عام 2009، وقعت حادثة ...، حيث هاجمت"):
# rules (.645, 1.0), without (.647, .997), with (.665, .997). A capture that "will cut the supplies"
# ("السيطرة على القاعدة ستقطع الإمدادات") talk, no capture: rules (.647, 1.0), without (.649, .997),
# with (.667, .997). "عاصفة الحزم" an operation, no town: rules (.651, 1.0), without (.653, .997),
# with (.672, .997).
# The aircraft of a backing no air strike of the ground attack (2026-12-06): rules (.654, 1.0), without
# (.656, .997), with (.673, .997).
# A place of detention no arrest ("مركز احتجاز"، "أماكن احتجازهم", 2026-12-07): rules (.657, 1.0), without
# (.659, .997), with (.676, .997).
# Anbar University a site of its own (2026-12-07): three right events coded at Ramadi or the governorate
# now there, judged again (judged/README.md): with (.677, .997).
# Suruç's Arabic spelling and the Counter-terrorism apparatus outside Iraq (2026-12-07): without (.660, .997).
# A well-known past event told again with no day of its own is background (policy.yaml known_events,
# 2026-12-07), counted so once judged_decisions reads the events as coded: rules (.677, 1.0), without
# (.679, .997), with (.692, .997).
# A place the gazetteer lacks keeps its own name (2026-12-08): with (.693, .997); without was .680 already.
# Since 2026-12-08 (third session) "with judged" pools five ways of halving the judged articles
# (event_training.JUDGED_SPLITS), not one: the one split alone rested on decisions within a hair of
# their thresholds (p .0496 against keep .05, .4990 against .5), which any change to the gold's
# proposals flipped (benchmarks/judged_flips.py). On the same code the one split gave (.693, .997)
# and the five (.689, .997): 1,561 kept right, 703 kept wrong, 4 dropped right, 207 dropped wrong;
# the floor is that figure of the new measure, not a lower bar for the old one.
JUDGED_FLOORS = {"rules": (0.677, 1.0), "without judged": (0.68, 0.997), "with judged": (0.689, 0.997)}


def test_cross_validated_floors(shared):
    from marsad.event_training import cross_validate, judged_check, training_data

    articles, negatives = training_data([DEV_GOLD, TRAIN_GOLD], CORPUS, [TEST_GOLD, FEED_GOLD], judged=JUDGED)
    plain = [a for a in negatives if a.judged is None]
    result = cross_validate(articles, plain)
    judged = judged_check(articles, plain[:JUDGED_NEGATIVES] + [a for a in negatives if a.judged is not None])
    model, rules = result["model"]["all"], result["rules"]["all"]
    # every figure first: a change that moves several floors shows them all, not the first to fail
    print("judged", judged)
    print({k: (rules[k], model[k]) for k in ("precision", "recall", "f1")}, model["attribute_accuracy"])
    for name, (precision, recall) in JUDGED_FLOORS.items():
        assert judged[name]["precision"] >= precision and judged[name]["recall"] >= recall, (
            name,
            judged[name],
        )
    for name, floor in CV_FLOORS.items():
        assert model[name] >= floor, f"cross-validated {name} {model[name]} fell below its floor {floor}"
    for name, floor in CV_ATTRIBUTE_FLOORS.items():
        got = model["attribute_accuracy"][name]
        assert got >= floor, f"cross-validated {name} accuracy {got} fell below {floor}"
    # the model is worth its keep: no worse than the rules alone on the same stories
    assert (
        model["f1"] >= rules["f1"]
        and model["attribute_accuracy"]["actor1"] > rules["attribute_accuracy"]["actor1"]
    )
    assert model["historical_violations"] == 0


def test_measure_only_totals(shared):
    report = withhold_errors(evaluate_events(TEST_GOLD))
    print({k: report[k] for k in ("precision", "recall", "f1")}, report["attribute_accuracy"])
    for name, floor in TEST_FLOORS.items():
        assert report[name] >= floor, f"test {name} {report[name]} fell below its floor {floor}"
    for name, floor in TEST_ATTRIBUTE_FLOORS.items():
        got = report["attribute_accuracy"][name]
        assert got >= floor, f"test {name} accuracy {got} fell below {floor}"
    assert report["historical_violations"] == 0

    feed = withhold_errors(evaluate_events(FEED_GOLD))
    articles = len(list(FEED_GOLD.glob("*.gold.json")))
    print({"false per article": feed["fp"] / articles, "required found": feed["tp"]})
    assert feed["fp"] / articles <= FEED_MAX_FALSE_PER_ARTICLE
    assert feed["tp"] >= FEED_MIN_REQUIRED_FOUND
    assert feed["historical_violations"] == 0


def test_measure_only_region_attributes(shared):
    from marsad import event_training as learn
    from marsad.events.learn import load_model

    comparison = learn.totals(learn.compare(learn.gold_articles([TEST_GOLD]), load_model()))
    scores = comparison["model"]["elsewhere"]
    region = scores["attribute_accuracy"]
    print(scores["f1"], region)
    assert scores["f1"] >= TEST_REGION_F1_FLOOR, f"test/ F1 outside Syria {scores['f1']} fell below its floor"
    for name, floor in TEST_REGION_FLOORS.items():
        assert region[name] >= floor, f"test/ {name} accuracy outside Syria {region[name]} fell below {floor}"


def test_raw_sample_codes_the_december_offensive(shared):
    """The issue's acceptance: captures reported, the Russian strike alleged, the withdrawal
    denied, and the 1982 massacre only as background."""
    report = evaluate_events(DEV_GOLD / "000_c05be448c3f228f0.gold.json")
    doc = report["documents"][0]
    for gold_id in (
        "hama-taken",
        "nasib-crossing-taken",
        "rastan-taken",
        "talbiseh-taken",
        "aleppo-taken",
        "daraa-attacks",
        "russian-strike-hama-alleged",
        "homs-withdrawal-denied",
    ):
        assert gold_id not in doc["missed"], doc["missed"]
    assert not doc["historical_violations"]
    assert not [w for w in doc["wrong_attributes"] if w["attribute"] == "status"]


def test_a_clash_with_no_named_initiator_takes_either_side_as_actor1():
    """FORMAT.md: "in a clash with no named initiator, actor1 may be either side" -- and no more:
    an attack someone launched, or a gold that is not only a clash, keeps its actor1."""
    from marsad.evaluate import score_document

    def gold(evidence: str, types=("Armed clash",)) -> dict:
        event = {
            "id": "clash",
            "required": True,
            "sub_event_type": list(types),
            "actor1": ["Popular Resistance"],
            "actor2": ["Houthis", "Houthi Movement"],
            "location": {"lat": 15.0, "lon": 45.0, "radius_km": 25},
            "evidence": evidence,
        }
        return {"doc_id": "d", "events": [event]}

    pred = {"sub_event_type": "Armed clash", "latitude": 15.0, "longitude": 45.0, "actor1": "Houthi Movement"}

    def actor1_right(g: dict) -> bool:
        return score_document(g, [pred])["attrs"]["actor1"] == [1, 1]

    assert actor1_right(gold("دارت معارك ضارية بين الطرفين قرب السد ليلة الأحد"))
    assert not actor1_right(gold("صد المقاتلون هجوما شنه الطرف الآخر قرب السد"))
    assert not actor1_right(gold("وبعد محاولتهم التقدم نحو السد اندلعت المعارك"))
    assert not actor1_right(
        gold("دارت معارك قرب السد", types=("Armed clash", "Non-state actor overtakes territory"))
    )
    assert not actor1_right(gold(""))  # no evidence: the strict reading


def test_a_name_spelt_the_british_or_the_american_way_is_the_same_name():
    assert alias_hit(["Civil Defense"], ["Civil Defence (Saudi Arabia)"])
    assert alias_hit(["health centres"], ["Health Centers"])
    assert not alias_hit(["Civil Defense"], ["Civil Guard"])


def test_a_name_written_with_a_hyphen_or_a_space_after_its_article_is_the_same_name():
    assert alias_hit(["Al Eqtisadiah"], ["Al-Eqtisadiah"])
    assert alias_hit(["al-Nusra Front"], ["Al Nusra Front"])
    assert not alias_hit(["Al Eqtisadiah"], ["Al-Riyadh"])
