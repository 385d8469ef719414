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
    # The dataset names the article as its source did (here its file's name), in the events and
    # their evidence; the store keys it by a hash of its text.
    assert {d for e in events for d in e["doc_ids"]} == {"sample-ar"}
    assert {ev["doc_id"] for e in events for ev in e["evidence"]} == {"sample-ar"}
    with open_store(db) as store:
        (key,) = {d for e in store.events() for d in e["doc_ids"]}
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


# -- issue 13, item 9 and what users expect ---------------------------------------------------------
def test_version():
    result = run("--version")
    assert result.exit_code == 0 and result.stdout.startswith("marsad ")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--format", "xml"), "expected one of jsonl, acled-csv, geojson"),
        (("--from", "garbage"), "expected YYYY-MM-DD"),
        (("--to", "2024-13-01"), "expected YYYY-MM-DD"),
    ],
)
def test_export_refuses_what_it_cannot_do(tmp_path, args, message):
    db = str(tmp_path / "m.db")
    assert run("run", str(SAMPLE), "--db", db).exit_code == 0
    result = runner.invoke(app, ["export", "--db", db, *args])
    assert result.exit_code == 2 and message in " ".join(result.output.split())


@pytest.mark.parametrize("command", ["export", "control", "quarantine"])
def test_a_mistyped_store_is_an_error_not_a_new_store(tmp_path, command):
    db = tmp_path / "typo.db"
    extra = ["--date", "2024-12-06"] if command == "control" else []
    result = runner.invoke(app, [command, "--db", str(db), *extra])
    assert result.exit_code == 2 and "no store at" in result.output
    assert not db.exists()


def test_a_store_from_the_previous_version_is_refused_with_its_reason(tmp_path):
    from marsad.store.backend import connect
    from marsad.store.schema import MIGRATIONS

    path = str(tmp_path / "old.db")
    db = connect(path)
    with db.transaction():
        db.execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at TEXT)")
        for step in MIGRATIONS[:2]:
            for sql in step:
                db.execute(sql)
        db.execute("INSERT INTO schema_version VALUES (2, 'then')")
        db.execute(
            "INSERT INTO quarantine (doc_id, file, line, reason, raw, written_at) VALUES ('a:1', 'a', 1, 'x', NULL, 0)"
        )
    db.close()
    for args in (["export", "--db", path], ["run", str(SAMPLE), "--db", path]):
        result = runner.invoke(app, args)
        assert result.exit_code == 1 and "older marsad" in " ".join(result.output.split())


def test_quarantine_lists_and_exports_what_was_kept_out(tmp_path):
    src, db = tmp_path / "bad.jsonl", str(tmp_path / "m.db")
    src.write_bytes(b'{"id": "x", "text": "\\u0000 nul"}\n{not json\n')
    assert run("run", str(src), "--db", db).exit_code == 0
    table = runner.invoke(app, ["quarantine", "--db", db], env={"COLUMNS": "300"})
    assert table.exit_code == 0 and "2 record(s)" in table.stdout
    assert "malformed JSON at bad.jsonl:2" in table.stdout and "NUL character at bad.jsonl:1" in table.stdout
    out = tmp_path / "q.jsonl"
    assert (
        run(
            "quarantine", "--db", db, "--reason", "malformed json", "--format", "jsonl", "--out", str(out)
        ).exit_code
        == 0
    )
    (record,) = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert (record["line"], record["text"]) == (2, "{not json")
    assert record["reason"].startswith("malformed JSON at bad.jsonl:2: ")


def test_progress_lines_when_stderr_is_not_a_terminal(tmp_path):
    result = run("run", str(SAMPLE), "--db", str(tmp_path / "m.db"), "--progress-every", "0")
    assert result.exit_code == 0
    assert "marsad: 1 articles in" in result.stderr and "(done)" in result.stderr


@pytest.mark.parametrize("model", ["ner", "places"])
def test_training_does_not_overwrite_the_packaged_model_by_default(tmp_path, model):
    from marsad.entities import ner, place_model

    packaged = ner.MODEL_PATH if model == "ner" else place_model.MODEL_PATH
    before = packaged.read_bytes()
    train = tmp_path / "train.txt"
    train.write_text("دمشق B-LOC\n", encoding="utf-8")
    command = (
        ["train", "ner", str(train)] if model == "ner" else ["train", "places", "--shared", str(tmp_path)]
    )
    for args in ([], ["--out", str(packaged)]):
        result = runner.invoke(app, [*command, *args])
        assert result.exit_code == 2 and "--replace-packaged" in " ".join(result.output.split())
    assert packaged.read_bytes() == before


def test_export_writes_utf8_whatever_the_locale(tmp_path):
    """Under a C locale (cron, a bare container) Python's stdout is ASCII: the console script
    still writes the Arabic of an export, in UTF-8."""
    import os
    import subprocess
    import sys

    db = str(tmp_path / "m.db")
    assert run("run", str(SAMPLE), "--published", "2024-12-06", "--db", db).exit_code == 0
    env = {**os.environ, "PYTHONIOENCODING": "ascii", "LC_ALL": "C"}
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "from marsad.cli import main; main()",
            "export",
            "--db",
            db,
            "--format",
            "jsonl",
        ],
        env=env,
        capture_output=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")
    events = [json.loads(line) for line in done.stdout.decode("utf-8").splitlines() if line.strip()]
    assert events and any(
        "\u0600" <= ch <= "\u06ff" for e in events for ev in e["evidence"] for ch in ev["text"]
    )
