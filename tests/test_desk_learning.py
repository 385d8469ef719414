"""A desk's corrections teach the coder: its reviewed gold sets how sure the event model must be
to keep or add an event (``marsad train events --calibrate``), and an event it rejected trains
as a negative. Sentences are our own wording."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from marsad.cli import app
from marsad.document import Document
from marsad.event_training import Article, calibrate, examples
from marsad.events.learn import THRESHOLDS, Decider, Linear, clear_models, load_model
from marsad.pipeline import DEFAULT_PIPELINE
from marsad.runner import build_pipeline

GOLD = Path(__file__).parent / "data" / "events" / "eval" / "gold"
NONE = Linear(0.0, {})


@pytest.fixture(scope="module")
def propose():
    # No dedup stage: one sentence is proposed again for another gold.
    names = [n for n in DEFAULT_PIPELINE if n != "dedup"]
    pipeline = build_pipeline(names=names, config={"events": {"model": "propose"}})

    def run(doc_id: str, text: str) -> list:
        doc = pipeline(Document(id=doc_id, text=text, published=date(2015, 8, 10)))
        return doc.meta["event_proposals"]

    return run


def _gold(doc_id: str, *events: tuple[list[str], float, float]) -> dict:
    return {
        "doc_id": doc_id,
        "events": [
            {
                "id": f"{doc_id}-{n}",
                "required": True,
                "sub_event_type": types,
                "location": {"lat": lat, "lon": lon, "radius_km": 25},
            }
            for n, (types, lat, lon) in enumerate(events)
        ],
        "historical": [],
    }


def test_events_a_desk_adds_that_the_model_proposes_lower_the_add_threshold(propose) -> None:
    # "killed" alone is a weak trigger the rules never code; the desk added the event.
    art = Article(
        "added",
        _gold("added", (["Attack", "Armed clash"], 32.62, 36.1)),
        propose("added", "قتل مسلحون مجهولون شرطيا في مدينة درعا مساء أمس."),
    )
    sure = Decider(Linear(3.0, {}), NONE, NONE, NONE, NONE)
    result = calibrate(sure, [art])
    assert result["thresholds"] == {"keep": THRESHOLDS["keep"], "add": 0.9}
    assert (result["f1_before"], result["f1_after"]) == (0.0, 1.0)
    assert sure.thresholds["add"] is None  # the decider itself is left as it was


def test_events_a_desk_rejects_raise_the_keep_threshold(propose) -> None:
    right = Article(
        "right",
        _gold("right", (["Air/drone strike"], 35.93, 36.63)),
        propose("right", "قصفت طائرات النظام مدينة إدلب صباح أمس."),
    )
    rejected = Article(
        "rejected",
        _gold("rejected"),
        propose("rejected", "انفجرت سيارة مفخخة في مدينة حمص مساء أمس وقتل خمسة مدنيين."),
    )
    # The keep model is sure of the air strike (0.88) and doubts the car bomb (0.27).
    doubt = Decider(NONE, NONE, NONE, NONE, Linear(0.0, {"air": 2.0, "cas": -1.0}))
    result = calibrate(doubt, [right, rejected])
    assert result["thresholds"] == {"keep": 0.3, "add": None}
    assert result["f1_before"] == pytest.approx(0.667, abs=1e-3) and result["f1_after"] == 1.0


def test_one_lucky_article_does_not_move_the_operating_point(propose) -> None:
    """Adding codes the desk's three articles better as a whole (F1 .667 -> .8), but a false
    event in one of them makes it worse in many resamples of the articles: nothing moves."""
    sure = Decider(Linear(3.0, {}), NONE, NONE, NONE, NONE)
    desk = [
        Article(
            "gain",
            _gold("gain", (["Attack", "Armed clash"], 32.62, 36.1)),
            propose("gain", "قتل مسلحون مجهولون شرطيا في مدينة درعا مساء أمس."),
        ),
        Article("loss", _gold("loss"), propose("loss", "قتل مسلحون مجهولون تاجرا في مدينة حمص مساء أمس.")),
        Article(
            "held",
            _gold("held", (["Air/drone strike"], 35.93, 36.63)),
            propose("held", "قصفت طائرات النظام مدينة إدلب صباح أمس."),
        ),
    ]
    result = calibrate(sure, desk)
    assert result["thresholds"] == {"keep": THRESHOLDS["keep"], "add": None}
    assert result["f1_before"] == result["f1_after"] == pytest.approx(0.667, abs=1e-3)


def test_a_desk_whose_gold_agrees_keeps_the_shipped_operating_point(propose) -> None:
    art = Article(
        "agree",
        _gold("agree", (["Air/drone strike"], 35.93, 36.63)),
        propose("agree", "قصفت طائرات النظام مدينة إدلب صباح أمس."),
    )
    result = calibrate(Decider(Linear(3.0, {}), NONE, NONE, NONE, NONE), [art])
    assert result["thresholds"] == {"keep": THRESHOLDS["keep"], "add": None}
    assert result["f1_before"] == result["f1_after"] == 1.0


def test_an_event_the_desk_rejected_trains_as_a_negative(propose) -> None:
    text = "انفجرت سيارة مفخخة في مدينة حمص مساء أمس وقتل خمسة مدنيين."
    kept = examples([Article("kept", _gold("kept", (["Suicide bomb"], 34.73, 36.71)), propose("kept", text))])
    rejected = examples([Article("rejected", _gold("rejected"), propose("rejected", text))])
    assert [y for _, y, _ in kept["keep"]] == [1]
    assert [y for _, y, _ in rejected["keep"]] == [0]
    assert rejected["event"] and all(y == 0 for _, y, _ in rejected["event"])


def test_train_events_calibrates_on_the_desks_gold_and_records_it(tmp_path) -> None:
    # A desk's folder as `marsad gold export` writes it: gold files beside their articles.
    desk = tmp_path / "desk" / "gold"
    desk.mkdir(parents=True)
    shutil.copytree(GOLD.parent.parent / "corpus", tmp_path / "corpus")
    for name in ("t1", "t2"):
        gold = json.loads((GOLD / f"{name}.gold.json").read_text(encoding="utf-8"))
        (desk / f"{name}.gold.json").write_text(json.dumps(gold, ensure_ascii=False), encoding="utf-8")
    shared = tmp_path / "shared" / "gold"
    shared.mkdir(parents=True)
    for name in ("t3", "t4", "t5", "t6"):
        shutil.copy(GOLD / f"{name}.gold.json", shared)
    shutil.copytree(GOLD.parent.parent / "corpus", tmp_path / "shared" / "corpus", dirs_exist_ok=True)
    out = tmp_path / "model" / "events.json"
    runner = CliRunner()
    both = runner.invoke(
        app,
        [
            "train",
            "events",
            "--gold",
            str(shared),
            "--calibrate",
            str(desk),
            "--add",
            "0.5",
            "--out",
            str(out),
        ],
    )
    assert both.exit_code != 0 and "--calibrate" in both.output
    res = runner.invoke(
        app, ["train", "events", "--gold", str(shared), "--calibrate", str(desk), "--out", str(out)]
    )
    assert res.exit_code == 0, res.output
    saved = json.loads(out.read_text(encoding="utf-8"))
    trained = saved["trained"]
    assert f"--calibrate {desk}" in trained["command"] and trained["gold_articles"] == 6
    calibrated = trained["calibrated_on"]
    assert calibrated["articles"] == 2 and calibrated["f1_after"] >= calibrated["f1_before"]
    assert {k: saved["thresholds"][k] for k in ("keep", "add")} == calibrated["thresholds"]
    clear_models()
    assert isinstance(load_model(str(out)), Decider)
