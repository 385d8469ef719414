"""`marsad eval places`: scoring place mentions against sentence gold."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from marsad.cli import app
from marsad.evaluate_places import evaluate, load_gold, score


def _gold(tmp_path, rows):
    path = tmp_path / "places.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    return path


def _mention(sentence, text, **kw):
    start = sentence.index(text)
    return {"text": text, "start": start, "end": start + len(text), **kw}


SENT = "قصفت الطائرات مدينة حمص أمس، وقال مصدر إن المدينة هادئة."
ROWS = [
    {
        "doc_id": "t1",
        "sentence": SENT,
        "mentions": [
            _mention(
                SENT,
                "حمص",
                kind="place",
                name="Homs",
                country="SY",
                type="city",
                lat=34.73,
                lon=36.71,
                radius_km=20,
            )
        ],
        "traps": [_mention(SENT, "المدينة", why="generic")],
    }
]


def test_scores_a_sentence_alone(tmp_path):
    report = evaluate(_gold(tmp_path, ROWS))
    assert (report["precision"], report["recall"], report["trap_rate"]) == (1.0, 1.0, 0.0)
    assert report["by_country"]["SY"]["found"] == 1
    assert report["by_type"]["trap: generic"]["traps"] == 1


def test_wrong_point_is_neither_precise_nor_found():
    far = [[{"start": 20, "end": 23, "text": "حمص", "lat": 30.0, "lon": 31.0, "country": "EG"}]]
    report = score(ROWS, far)
    assert report["precision"] == 0.0 and report["recall"] == 0.0
    assert report["errors"][0]["error"] == "wrong place"


def test_government_is_not_a_place():
    gov = [[{"start": 20, "end": 23, "text": "حمص", "lat": 34.73, "lon": 36.71, "role": "government"}]]
    assert score(ROWS, gov)["predicted"] == 0


def test_bad_span_names_file_and_line(tmp_path):
    bad = dict(ROWS[0], traps=[{"text": "حلب", "start": 0, "end": 3, "why": "generic"}])
    path = _gold(tmp_path, [ROWS[0], bad])
    with pytest.raises(ValueError, match=r"places.jsonl:2"):
        load_gold(path)
    result = CliRunner().invoke(app, ["eval", "places", str(path)])
    assert result.exit_code == 1


def test_cli_prints_by_country_and_type(tmp_path):
    result = CliRunner().invoke(app, ["eval", "places", str(_gold(tmp_path, ROWS))])
    assert result.exit_code == 0, result.output
    assert "by country:" in result.output and "by mention type:" in result.output
