"""The event model: the rules' proposals, the model trained on gold that decides among them, and
the commands that train and score it, on a small gold folder written for these tests
(tests/data/events: six articles of our own wording, two of them with no event)."""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from marsad.cli import app
from marsad.document import Document
from marsad.event_training import (
    Article,
    Judgement,
    cross_validate,
    examples,
    judged_decisions,
    judged_labels,
    stories,
    train,
    training_data,
)
from marsad.events.learn import Decider, Linear, clear_models, load_model
from marsad.runner import build_pipeline

GOLD = Path(__file__).parent / "data" / "events" / "eval" / "gold"


@pytest.fixture(scope="module")
def propose():
    pipeline = build_pipeline(config={"events": {"model": "propose"}})
    return lambda text: pipeline(Document(id="t", text=text, published=date(2015, 8, 10))).meta[
        "event_proposals"
    ]


@pytest.fixture(scope="module")
def trained(tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("model") / "events.json"
    return out, train([GOLD], out, command="marsad train events --gold tests/data/events/eval/gold")


def test_a_negated_trigger_is_proposed_with_its_reason(propose):
    [prop] = propose("لم تقصف قوات النظام مدينة حماة يوم أمس.")
    assert prop.verdict.drop == "cancelled" and prop.verdict.main.cancel == "negation"
    assert [p.span.attrs["name"] for p in prop.places] == ["Hama"]
    assert {f.name for f in prop.families} == {"strike"}


def test_a_weak_trigger_is_proposed_but_never_coded_by_the_rules(propose):
    [prop] = propose("قتل مسلحون مجهولون شرطيا في مدينة درعا مساء أمس.")
    assert [f.name for f in prop.families] == ["kill"] and prop.verdict.drop == "cancelled"
    rules = build_pipeline(config={"events": {"model": "rules"}})
    assert not rules(Document(id="k", text="قتل مسلحون مجهولون شرطيا في مدينة درعا مساء أمس.")).events


def test_the_places_the_rules_pass_over_are_options(propose):
    """The rules take the place of the trigger's own words; the others of the sentence stay
    options, each with where it stands and the word before it."""
    [prop] = propose("وفي محافظة حماة، قصفت قوات النظام بلدة كفرزيتا صباح أمس.")
    where = {p.span.attrs["name"]: (p.where, p.rule) for p in prop.places}
    assert where["Kafr Zita"] == ("own", True)
    assert where["Hama Governorate"][1] is False


def test_articles_sharing_a_gold_event_are_one_story() -> None:
    def art(doc_id: str, *ids: str) -> Article:
        return Article(doc_id, {"events": [{"id": i} for i in ids], "historical": []}, [])

    group = stories([art("a", "x"), art("b", "y", "x"), art("c", "z"), art("d", "y")])
    assert group["a"] == group["b"] == group["d"] != group["c"]


def test_training_is_reproducible_and_says_how(trained, tmp_path) -> None:
    out, meta = trained
    again = tmp_path / "again.json"
    train([GOLD], again, command=meta["command"])
    assert out.read_bytes() == again.read_bytes()
    saved = json.loads(out.read_text(encoding="utf-8"))["trained"]
    assert saved["command"].startswith("marsad train events") and saved["seed"] == 17
    assert saved["data_digest"] and saved["gold_articles"] == 6


def test_a_trained_model_codes_with_a_confidence(trained) -> None:
    out, _ = trained
    assert isinstance(load_model(str(out)), Decider)
    pipeline = build_pipeline(config={"events": {"model": str(out)}})
    text = json.loads(
        (GOLD.parent.parent / "corpus" / "articles.jsonl").read_text(encoding="utf-8").splitlines()[0]
    )
    doc = pipeline(Document(id="t1", text=text["text"], published=date(2015, 8, 10)))
    [event] = doc.events
    assert event.location == "Kafr Nabl" and 0.0 < event.confidence < 1.0


def test_cross_validation_scores_rules_and_model_on_held_out_stories() -> None:
    articles, negatives = training_data([GOLD])
    result = cross_validate(articles, negatives, folds=2)
    rules, model = result["rules"]["all"], result["model"]["all"]
    assert rules["tp"] == 4 and rules["fp"] == 0
    assert model["tp"] + model["fn"] == 4 and set(result["model"]) >= {"all", "Syria", "none"}


def test_in_an_article_naming_no_armed_group_only_likely_events_stand(propose) -> None:
    text = "انفجرت قنبلة في سوق مدينة الباب صباح أمس وأصيب ثلاثة أشخاص."
    proposals = propose(text)
    none = Linear(0.0, {})
    doubtful = Decider(Linear(0.0, {"d_unarmed": -2.0}), none, none, none)
    assert doubtful.decide(None, proposals) == []
    doubtful.thresholds["keep_unarmed"] = 0.0
    [event] = doubtful.decide(None, proposals)
    assert event.confidence == pytest.approx(0.119, abs=1e-3)


def test_a_protest_needs_no_armed_group_named_to_stand(propose) -> None:
    proposals = propose("وتظاهر مئات الطلاب أمس أمام مبنى الجامعة في مدينة البصرة للمطالبة بالكهرباء.")
    none = Linear(0.0, {})
    doubtful = Decider(Linear(0.0, {"d_unarmed": -2.0}), none, none, none)
    [event] = doubtful.decide(None, proposals)  # p = 0.119: under keep_unarmed, over keep
    assert event.sub_event_type == "Peaceful protest"


def test_an_attack_never_has_the_ones_it_hit_as_actor1(propose) -> None:
    proposals = propose("وقتل أربعة من عناصر الشرطة في هجوم على حاجز أمني في مدينة العريش أمس.")
    none = Linear(0.0, {})
    # an actor model that would prefer the ones hit, and a keep model that keeps everything
    partial = Decider(Linear(5.0, {}), none, none, Linear(0.0, {"target_role": 5.0}))
    [event] = partial.decide(None, proposals)
    assert not event.actor1.startswith("Police Forces")


def test_a_bomb_never_has_the_forces_it_hit_as_actor1(propose) -> None:
    proposals = propose("وانفجرت عبوة ناسفة أمس بدورية لقوات الأمن في مدينة العريش، وأصيب ثلاثة من أفرادها.")
    none = Linear(0.0, {})
    # an actor model that would prefer the state's own forces named in the sentence
    partial = Decider(Linear(5.0, {}), none, none, Linear(0.0, {"at=state forces": 5.0}))
    [event] = partial.decide(None, proposals)
    assert event.sub_event_type == "Remote explosive/landmine/IED"
    assert not event.actor1.startswith(("Police Forces", "Military Forces"))


def test_a_group_that_claims_an_attack_is_an_actor_option(propose) -> None:
    claimed = propose("انفجرت عبوة ناسفة بحافلة في مدينة الموصل صباح أمس. وتبنى تنظيم داعش التفجير في بيان.")
    blamed = propose(
        "وقع تفجير انتحاري في سوق مدينة الرمادي أمس. وقال مسؤولون إن تنظيم داعش يقف وراء الاعتداء."
    )
    ascribed = propose(
        "انفجرت سيارة مفخخة قرب سوق مدينة بعقوبة أمس. ونسبت الحكومة الهجوم إلى تنظيم داعش في بيان."
    )
    for proposals in (claimed, blamed, ascribed):
        options = {a.span.attrs["canonical"]: a.feats for a in proposals[0].actors}
        assert "r=claimant" in options["Islamic State"]
    # an event told far from any claim gets no claimant
    assert not any(
        "r=claimant" in a.feats for p in propose("انفجرت عبوة ناسفة في الموصل أمس.") for a in p.actors
    )


def test_a_bomb_goes_to_the_group_that_claims_it(propose) -> None:
    proposals = propose(
        "انفجرت سيارة مفخخة قرب مركز للشرطة في مدينة ديار بكر أمس. وتبنى حزب العمال الكردستاني الهجوم."
    )
    none = Linear(0.0, {})
    # an actor model that would prefer the analysts' default
    partial = Decider(Linear(5.0, {}), none, none, Linear(0.0, {"r=default": 5.0}))
    bomb = next(e for e in partial.decide(None, proposals) if e.location.startswith("Diyarbak"))
    assert bomb.actor1.startswith("PKK")


def test_an_arrest_nobody_is_named_for_is_the_state_police_s(propose) -> None:
    """policy.yaml state_defaults: the police of the state where it happened arrest; an armed group
    that seizes people abducts them, so no unidentified group is an option."""
    [proposal] = propose("واعتقل خمسة أشخاص أمس في مدينة إزمير بتهمة الانتماء إلى خلية مسلحة.")
    assert proposal.verdict.sub_type == "Arrests"
    options = {a.span.attrs["canonical"] for a in proposal.actors}
    assert "Police Forces of Turkey (2002-)" in options
    assert not any(name.startswith("Unidentified") for name in options)
    none = Linear(0.0, {})
    partial = Decider(Linear(5.0, {}), none, none, Linear(0.0, {"r=default": 5.0}))
    [event] = partial.decide(None, [proposal])
    assert event.actor1 == "Police Forces of Turkey (2002-)"


def test_the_model_a_user_trained_is_read_from_the_environment(trained, monkeypatch) -> None:
    out, _ = trained
    monkeypatch.setenv("MARSAD_EVENTS_MODEL", str(out))
    clear_models()
    try:
        assert load_model().meta["gold_articles"] == 6
    finally:
        monkeypatch.delenv("MARSAD_EVENTS_MODEL")
        clear_models()


def test_train_events_writes_nothing_unasked_and_eval_cross_validates(tmp_path) -> None:
    runner = CliRunner()
    refused = runner.invoke(app, ["train", "events", "--gold", str(GOLD)])
    assert refused.exit_code != 0 and "--replace-packaged" in refused.output
    scored = runner.invoke(app, ["eval", "events", str(GOLD), "--cv", "--folds", "2"])
    assert scored.exit_code == 0, scored.output
    assert "2-fold cross-validation over 6 articles" in scored.output and "rules+model" in scored.output
    kept = tmp_path / "test"
    kept.mkdir()
    (kept / "t1.gold.json").write_text((GOLD / "t1.gold.json").read_text(encoding="utf-8"), encoding="utf-8")
    measured = runner.invoke(app, ["eval", "events", str(kept), "--cv"])
    assert measured.exit_code != 0 and "measuring only" in measured.output


def test_judged_events_read_with_their_labels_and_errors_name_the_line(tmp_path) -> None:
    rows = [
        {"doc_id": "a", "trigger": [10, 14], "event": "yes", "type": "right", "place": "right"},
        {"doc_id": "a", "trigger": [30, 35], "event": "yes", "type": "right", "place": "wrong"},
        {"doc_id": "b", "trigger": [5, 9], "event": "no", "type": "-", "place": "-", "why": "history"},
        {"doc_id": "b", "trigger": [50, 55], "event": "optional", "type": "right", "place": "unsure"},
    ]
    path = tmp_path / "judged.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    labels = judged_labels(path)
    assert {d: {t: [j.label for j in js] for t, js in v.items()} for d, v in labels.items()} == {
        "a": {10: [1], 30: [0]},
        "b": {5: [0]},
    }
    assert labels["b"][5] == [Judgement(0)]  # "not an event" is a verdict on the words alone
    path.write_text(json.dumps(rows[0]) + "\n" + json.dumps({**rows[1], "event": "maybe"}) + "\n")
    with pytest.raises(ValueError, match=r"judged.jsonl:2: bad or missing event"):
        judged_labels(path)


def test_a_folder_of_judged_files_reads_them_all(tmp_path) -> None:
    """A second reading of other events joins the first; a folder with no file is an error."""
    first = {"doc_id": "a", "trigger": [10, 14], "event": "yes", "type": "right", "place": "right"}
    second = {"doc_id": "a", "trigger": [40, 44], "event": "no", "type": "-", "place": "-"}
    (tmp_path / "one.jsonl").write_text(json.dumps(first) + "\n", encoding="utf-8")
    (tmp_path / "two.jsonl").write_text(json.dumps(second) + "\n", encoding="utf-8")
    (tmp_path / "notes.md").write_text("not read", encoding="utf-8")
    assert judged_labels(tmp_path) == {"a": {10: [Judgement(1)], 40: [Judgement(0)]}}
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ValueError, match="no judged events"):
        judged_labels(empty)


def test_a_judged_event_teaches_the_keep_model_only(propose) -> None:
    """A coded event a reader judged gives one ``keep`` row with the reader's label, found again
    by its trigger; nothing else of that article trains (its other units were not judged)."""
    text = "قصفت قوات النظام بلدة كفرزيتا صباح أمس. وقال محلل إن الحرب ستطول."
    proposals = propose(text)
    coded = [p for p in proposals if p.verdict.drop is None]
    start = coded[0].verdict.main.start
    rows = examples(
        [Article("j", None, proposals, judged={start: [Judgement(0)], start + 999: [Judgement(1)]})]
    )
    assert [label for _, label, _ in rows["keep"]] == [0]
    assert not rows["event"] and not rows["place"]


def test_a_verdict_on_a_coding_lapses_when_the_coding_changes(propose) -> None:
    """A reader who judged an event's type or place judged that coding: once the rules code the
    trigger with another type or at another place, the verdict neither counts nor teaches;
    "not an event" holds whatever the coding."""
    proposals = propose("قصفت قوات النظام بلدة كفرزيتا صباح أمس.")
    v = next(p.verdict for p in proposals if p.verdict.drop is None)
    start, place = v.main.start, v.places[0]
    here = Judgement(0, v.sub_type, place.start, place.attrs.get("geonameid"))
    elsewhere = Judgement(1, v.sub_type, place.start + 50, place.attrs.get("geonameid"))
    other_type = Judgement(1, "Air/drone strike", place.start, place.attrs.get("geonameid"))
    assert v.sub_type != "Air/drone strike"
    none = Linear(0.0, {})
    decider = Decider(none, none, none, none, keep=Linear(0.0, {}))
    decider.thresholds.update(keep=0.0, keep_unarmed=0.0)
    for judged, label in (([here], 0), ([elsewhere], None), ([other_type], None), ([Judgement(1)], 1)):
        assert [(s, lab) for s, lab, _ in judged_decisions(decider, proposals, {start: judged})] == [
            (start, label)
        ]
        rows = examples([Article("j", None, proposals, judged={start: judged})])["keep"]
        assert [y for _, y, _ in rows] == ([] if label is None else [label])


# A piece on something else that mentions one strike in passing, and a report of two.
ALONE = "قال الوزير في مؤتمر صحافي إن الاقتصاد ينمو، وأشار إلى أن طائرات حربية قصفت بلدة كفرنبل أمس."
TWO = (
    "قصفت طائرات حربية بلدة كفرنبل في ريف إدلب صباح أمس وقتل خمسة مدنيين. "
    "ودارت اشتباكات عنيفة بين فصائل المعارضة وقوات النظام في مدينة حلب."
)


def test_the_feed_profile_asks_more_of_an_article_s_lone_event(propose) -> None:
    none = Linear(0.0, {})
    decider = Decider(none, none, none, none, keep=Linear(0.0, {}))  # every event at p = 0.5
    decider.thresholds.update(keep=0.0, keep_unarmed=0.0)
    alone, two = propose(ALONE), propose(TWO)
    assert len(decider.decide(None, alone)) == 1 and len(decider.decide(None, two)) >= 2
    decider.thresholds["keep_single"] = 0.6  # above every event's 0.5
    assert decider.decide(None, alone) == []
    assert len(decider.decide(None, two)) >= 2  # not alone: the keep bar as before


def test_a_profile_sets_the_operating_point_over_the_model_s_thresholds(monkeypatch) -> None:
    from marsad.events.learn import PROFILES, THRESHOLDS

    report = load_model()
    assert report is not None and report.thresholds.get("keep_single") is THRESHOLDS["keep_single"] is None
    feed = load_model(profile="feed")
    assert feed is not None and feed.thresholds["keep_single"] == PROFILES["feed"]["keep_single"]
    assert {k: v for k, v in feed.thresholds.items() if k != "keep_single"} == {
        k: v for k, v in report.thresholds.items() if k != "keep_single"
    }
    monkeypatch.setenv("MARSAD_EVENTS_PROFILE", "feed")
    assert load_model() is feed
    monkeypatch.setenv("MARSAD_EVENTS_PROFILE", "everything")
    with pytest.raises(ValueError, match="no event profile 'everything'"):
        load_model()


def test_run_takes_a_profile(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("MARSAD_EVENTS_PROFILE", "report")  # and back as it was after the test
    article = tmp_path / "a.txt"
    article.write_text(TWO, encoding="utf-8")
    bad = CliRunner().invoke(app, ["run", str(article), "--db", str(tmp_path / "x.db"), "--profile", "all"])
    assert bad.exit_code != 0 and "--profile takes report or feed" in bad.output
    ok = CliRunner().invoke(
        app,
        [
            "run",
            str(article),
            "--db",
            str(tmp_path / "x.db"),
            "--profile",
            "feed",
            "--published",
            "2015-08-10",
        ],
    )
    assert ok.exit_code == 0, ok.output
    assert os.environ["MARSAD_EVENTS_PROFILE"] == "feed"  # the workers' environment too


def test_the_ways_of_halving_the_judged_articles_differ() -> None:
    """Each split of the judged articles is another pair of halves (a CRC of a salted id would
    flip every id's half or none: the same pair), and the first is the one used before."""
    import zlib

    from marsad.event_training import JUDGED_SPLITS, _half

    ids = [f"snn-all-{n:05d}" for n in range(400)]
    assert [_half(i, 0) for i in ids] == [zlib.crc32(i.encode()) % 2 for i in ids]
    splits = [tuple(_half(i, s) for i in ids) for s in range(JUDGED_SPLITS)]
    for a in range(JUDGED_SPLITS):
        assert 150 < sum(splits[a]) < 250  # halves, near enough
        for b in range(a + 1, JUDGED_SPLITS):
            same = sum(x == y for x, y in zip(splits[a], splits[b], strict=True))
            assert 120 < same < 280  # neither the same pair nor its mirror
