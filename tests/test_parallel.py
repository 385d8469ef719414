"""Parallel runs must write exactly the events of a single-process run."""

from __future__ import annotations

import json
import re
from itertools import islice
from pathlib import Path

import pytest
from typer.testing import CliRunner

from marsad.cli import app
from marsad.store import open_store
from tests.conftest import need_shared

CORPUS = Path(__file__).parents[1] / ".." / "shared" / "corpus" / "saudinewsnet" / "syria-2015.jsonl"
N_ARTICLES = 24


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small JSONL prefix of the shared corpus, written to a temporary folder (never the repo)."""
    need_shared(CORPUS)
    path = tmp_path_factory.mktemp("parallel") / "sample.jsonl"
    with CORPUS.open("rb") as src:
        path.write_bytes(b"".join(islice(src, N_ARTICLES)))
    return path


def run_events(sample: Path, db: Path, *args: str) -> list[dict]:
    result = CliRunner().invoke(app, ["run", str(sample), "--db", str(db), *args])
    assert result.exit_code == 0, result.output
    with open_store(db) as store:
        rows = list(store.events())
    return sorted(rows, key=lambda r: r["event_id"])


def canonical(rows: list[dict]) -> str:
    return json.dumps(rows, sort_keys=True, ensure_ascii=False, default=str)


@pytest.fixture(scope="module")
def single(sample: Path, tmp_path_factory: pytest.TempPathFactory) -> list[dict]:
    rows = run_events(sample, tmp_path_factory.mktemp("one") / "one.db")
    assert rows, "the sample should code at least one event"
    return rows


def test_two_workers_match_one(sample: Path, single: list[dict], tmp_path: Path) -> None:
    rows = run_events(sample, tmp_path / "two.db", "--workers", "2")
    assert canonical(rows) == canonical(single)


def test_dask_local_cluster_matches_one(sample: Path, single: list[dict], tmp_path: Path) -> None:
    pytest.importorskip("dask.distributed")
    rows = run_events(sample, tmp_path / "dask.db", "--engine", "dask", "--workers", "2")
    assert canonical(rows) == canonical(single)


def test_dask_to_parquet_then_load_matches_one(
    sample: Path, single: list[dict], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The store-free path: a Dask run writes partitions, `marsad load` writes them to a store."""
    pytest.importorskip("dask.distributed")
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "parts"
    result = CliRunner().invoke(
        app, ["run", str(sample), "--engine", "dask", "--workers", "2", "--out-parquet", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "marsad.db").exists(), "with --out-parquet alone no store is written"
    import pyarrow.parquet as pq

    table = pq.read_table(out, columns=["id", "state", "events"])
    assert table.num_rows == N_ARTICLES
    db = tmp_path / "loaded.db"
    for _ in range(2):  # loading twice adds nothing
        loaded = CliRunner().invoke(app, ["load", str(out), "--db", str(db)])
        assert loaded.exit_code == 0, loaded.output
    with open_store(db) as store:
        rows = sorted(store.events(), key=lambda r: r["event_id"])
    assert canonical(rows) == canonical(single)


def test_parquet_input_matches_jsonl(sample: Path, single: list[dict], tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    records = [json.loads(line) for line in sample.read_text(encoding="utf-8").splitlines() if line]
    cols = ("id", "text", "title", "published", "url", "outlet")
    table = pa.Table.from_pylist([{c: rec.get(c) for c in cols} for rec in records])
    pq.write_table(table, tmp_path / "sample.parquet")
    got = run_events(tmp_path / "sample.parquet", tmp_path / "pq.db")
    assert canonical(got) == canonical(single)


def test_rerun_with_workers_skips_stored(sample: Path, single: list[dict], tmp_path: Path) -> None:
    db = tmp_path / "again.db"
    run_events(sample, db, "--workers", "2")
    result = CliRunner().invoke(app, ["run", str(sample), "--db", str(db), "--workers", "2"])
    assert result.exit_code == 0, result.output
    assert re.search(rf"already in the store\W+{N_ARTICLES}\b", result.output), result.output
    with open_store(db) as store:
        again = sorted(store.events(), key=lambda r: r["event_id"])
    assert canonical(again) == canonical(single)
