"""`marsad run` killed mid-run, or run twice at once on one store: nothing lost, nothing doubled.

These drive the real command in subprocesses over real articles, because the guarantees are
about processes and files, not about functions."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from marsad.store import open_store
from tests.conftest import SYRIA_2015, need_shared
from tests.test_store_support import store_target  # noqa: F401 - the `target` fixture

N_ARTICLES = 160


# benchmarks/concurrent_runs.sh sets this to run the concurrent tests many times in one session.
REPEAT = range(int(os.environ.get("MARSAD_REPEAT", "1")))


@pytest.fixture(scope="module")
def articles(tmp_path_factory: pytest.TempPathFactory) -> Path:
    need_shared(SYRIA_2015)
    src = tmp_path_factory.mktemp("articles") / "articles.jsonl"
    with SYRIA_2015.open(encoding="utf-8") as fh, src.open("w", encoding="utf-8") as out:
        for _, line in zip(range(N_ARTICLES), fh, strict=False):
            out.write(line)
    return src


def marsad(*args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "marsad.cli", *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )


def finish(proc: subprocess.Popen) -> None:
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err.decode(errors="replace")[-2000:]


def exported(db: Path) -> list[str]:
    out = subprocess.run(
        [sys.executable, "-m", "marsad.cli", "export", "--db", str(db), "--format", "jsonl"],
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    return sorted(line for line in out.splitlines() if line.strip())


def table_counts(db: Path | str) -> dict[str, int]:
    with open_store(str(db)) as store:
        if store.db.kind == "sqlite":
            assert store.db.one("PRAGMA integrity_check") == ("ok",)
        return {t: store.db.one(f"SELECT count(*) FROM {t}")[0] for t in ("documents", "doc_events")}


@pytest.fixture(scope="module")
def reference(articles: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[list[str], dict[str, int]]:
    db = tmp_path_factory.mktemp("reference") / "reference.db"
    finish(marsad("run", str(articles), "--db", str(db)))
    return exported(db), table_counts(db)


def stored_documents(db: Path) -> int:
    try:
        with sqlite3.connect(db, timeout=1) as con:
            return con.execute("SELECT count(*) FROM documents").fetchone()[0]
    except sqlite3.Error:
        return 0


@pytest.mark.parametrize("how", [(), ("--workers", "2")], ids=["one", "workers"])
def test_sigkill_mid_run_then_rerun_loses_and_doubles_nothing(articles, reference, tmp_path, how):
    db = tmp_path / "killed.db"
    proc = marsad("run", str(articles), "--db", str(db), *how)
    deadline = time.monotonic() + 120
    while stored_documents(db) == 0 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert proc.poll() is None, "the run finished before it could be killed; use more articles"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    partial = stored_documents(db)
    assert 0 < partial < N_ARTICLES
    table_counts(db)  # the killed store opens and passes SQLite's integrity check
    finish(marsad("run", str(articles), "--db", str(db), *how))
    assert table_counts(db) == reference[1]
    assert exported(db) == reference[0]


@pytest.mark.parametrize("how", [(), ("--workers", "2")], ids=["one", "workers"])
@pytest.mark.parametrize("attempt", REPEAT)
def test_two_runs_at_once_on_one_store(articles, reference, target, attempt, how):
    first, second = (
        marsad("run", str(articles), "--db", target, *how),
        marsad("run", str(articles), "--db", target, *how),
    )
    finish(first)
    finish(second)
    assert table_counts(target) == reference[1]
    assert exported(target) == reference[0]
    assert all(json.loads(line)["event_id"] for line in reference[0])


def near_copies(src: Path, out: Path) -> Path:
    """Every article again under another id, one word added: a near copy of each."""
    with src.open(encoding="utf-8") as fh, out.open("w", encoding="utf-8") as dst:
        for line in fh:
            rec = json.loads(line)
            rec["id"] = f"copy-{rec.get('id')}"
            rec["text"] = rec["text"] + " عاجل"
            dst.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return out


@pytest.fixture(scope="module")
def sequential(articles: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    """Near copies of the articles, and the counts of a run of each, one after the other."""
    folder = tmp_path_factory.mktemp("sequential")
    copies = near_copies(articles, folder / "copies.jsonl")
    finish(marsad("run", str(articles), "--db", str(folder / "m.db")))
    finish(marsad("run", str(copies), "--db", str(folder / "m.db")))
    expected = store_counts(str(folder / "m.db"))
    assert expected["duplicates"] >= N_ARTICLES  # every copy is one
    return copies, expected


def store_counts(target: str) -> dict[str, int]:
    with open_store(target) as store:
        stats = store.stats()
    return {k: stats[k] for k in ("documents", "duplicates", "quarantined")}


@pytest.mark.parametrize("how", [(), ("--workers", "2")], ids=["one", "workers"])
@pytest.mark.parametrize("attempt", REPEAT)
def test_near_copies_written_by_a_concurrent_run_are_seen(sequential, articles, target, attempt, how):
    """Issue 13, item 5: each run loaded the duplicate signatures once, at its start, so two runs
    at once stored each other's near copies as new articles. Now the store decides at commit,
    under the writers' lock: the result has the counts of the two runs one after the other."""
    copies, expected = sequential
    first, second = (
        marsad("run", str(articles), "--db", target, *how),
        marsad("run", str(copies), "--db", target, *how),
    )
    finish(first)
    finish(second)
    assert store_counts(target) == expected
