"""The main job end to end through the command line, on the sample the project ships."""

from __future__ import annotations

import json
import sqlite3

import pytest
from typer.testing import CliRunner

from marsad.cli import app
from marsad.store import open_store
from tests.conftest import RAW_SAMPLE, ROOT

runner = CliRunner()
SAMPLE = ROOT / "examples" / "sample-ar.txt"


def run(*args: str):
    result = runner.invoke(app, list(args), catch_exceptions=False)
    return result


def test_run_export_and_rerun_adds_nothing(tmp_path):
    db = str(tmp_path / "m.db")
    first = run("run", str(SAMPLE), "--published", "2024-12-06", "--db", db)
    assert first.exit_code == 0, first.output
    out = run("export", "--db", db, "--format", "jsonl")
    events = [json.loads(line) for line in out.stdout.splitlines() if line.strip()]
    assert events, "the shipped sample must yield events"
    (key,) = {d for e in events for d in e["doc_ids"]}  # the document's key: its content's hash
    with open_store(db) as store:
        assert store.document(key)["source_id"] == "sample-ar"
    # same input again: nothing new, nothing doubled
    again = run("run", str(SAMPLE), "--published", "2024-12-06", "--db", db)
    assert again.exit_code == 0
    out2 = run("export", "--db", db, "--format", "jsonl")
    assert sorted(out2.stdout.splitlines()) == sorted(out.stdout.splitlines())
    with sqlite3.connect(db) as con:
        assert con.execute("select count(*) from documents").fetchone()[0] == 1


def test_bad_lines_are_quarantined_and_strict_fails(tmp_path):
    src = tmp_path / "bad.jsonl"
    good = {
        "id": "a1",
        "text": "قصفت قوات النظام مدينة حلب أمس مما أدى إلى مقتل خمسة أشخاص بحسب المرصد السوري.",
        "published": "2015-07-21",
    }
    src.write_text(json.dumps(good, ensure_ascii=False) + "\n{not json\n", encoding="utf-8")
    db = str(tmp_path / "m.db")
    lenient = run("run", str(src), "--db", db)
    assert lenient.exit_code == 0
    assert "quarantined" in lenient.output
    strict = run("run", str(src), "--db", str(tmp_path / "s.db"), "--strict")
    assert strict.exit_code == 1


def test_inspect_json_keeps_the_original(shared):
    out = run("inspect", str(RAW_SAMPLE), "--published", "2024-12-06", "--json")
    doc = json.loads(out.stdout)
    assert "[ad_" not in doc["clean"]
    assert doc["clean"].count("الثوار السوريون يتقدمون نحو حمص") == 1
    assert not doc["clean"].rstrip().endswith("المصدر")
    assert doc["text"] == RAW_SAMPLE.read_text(encoding="utf-8")
    for span in doc["spans"]:
        o_start, o_end = span["original"]
        clean = doc["clean"][span["start"] : span["end"]]
        assert " ".join(doc["text"][o_start:o_end].split()) == " ".join(clean.split())


@pytest.mark.parametrize(
    "args",
    [
        ("eval", "ner", "no-such-test.txt"),
        ("train", "ner", "no-such-train.txt"),
        ("gazetteer", "import", "no-such-dump.txt"),
        ("eval", "events", "no-such-gold"),
    ],
)
def test_a_missing_input_file_is_named_not_a_traceback(args):
    result = runner.invoke(app, list(args))
    assert result.exit_code == 2
    assert args[-1] in result.output and "does not exist" in result.output
