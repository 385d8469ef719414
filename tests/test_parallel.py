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


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Many chunks over few articles, so that workers interleave and verdicts cross chunks."""
    from marsad import parallel

    monkeypatch.setattr(parallel, "RANGE_BYTES", 12_000)
    monkeypatch.setattr(parallel, "CHUNK", 4)


@pytest.fixture(scope="module")
def tangled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample with what the decider must settle in input order: a record read twice, an
    exact and a near copy under new ids, a second text under an id already read, a broken line."""
    lines = [json.loads(line) for line in islice(CORPUS.open(encoding="utf-8"), N_ARTICLES)]
    extra = [
        dict(lines[3]),
        dict(lines[5], id="exact-copy"),
        dict(lines[7], id="near-copy", text=lines[7]["text"] + " وأضاف المصدر أن الوضع هادئ"),
        dict(lines[10], id=lines[9]["id"]),
        dict(lines[12], id="copy-then-clash"),
        dict(lines[14], id="copy-then-clash"),
    ]
    out = [json.dumps(x, ensure_ascii=False) for x in lines[:6]] + ["{broken"]
    out += [json.dumps(x, ensure_ascii=False) for x in lines[6:] + extra]
    path = tmp_path_factory.mktemp("tangled") / "tangled.jsonl"
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return path


def state(db: Path) -> tuple:
    """Every table a run decides: documents, copies and their originals, rejects and reasons."""
    with open_store(db) as store:
        return (
            store.db.query("SELECT id, source, line, source_id FROM documents ORDER BY id"),
            store.db.query("SELECT doc_id, duplicate_of, kind, similarity FROM duplicates ORDER BY doc_id"),
            store.db.query("SELECT doc_id, reason FROM quarantine ORDER BY doc_id"),
        )


@pytest.mark.parametrize(
    "how", [("--workers", "2"), ("--engine", "dask", "--workers", "2")], ids=["workers", "dask"]
)
def test_copies_repeats_and_clashes_are_decided_as_one_process_does(
    tangled: Path, tmp_path: Path, how
) -> None:
    one = tmp_path / "one.db"
    expected = canonical(run_events(tangled, one))
    if "dask" in how:
        pytest.importorskip("dask.distributed")
    par = tmp_path / "par.db"
    assert canonical(run_events(tangled, par, *how)) == expected
    documents, duplicates, quarantine = state(par)
    assert (documents, duplicates, quarantine) == state(one)
    assert {d[2] for d in duplicates} == {"exact", "near"} and len(duplicates) >= 3
    assert sum("id collision" in q[1] for q in quarantine) == 2


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
    cols = ("id", "text", "title", "published", "url", "outlet", "author")
    table = pa.Table.from_pylist([{c: rec.get(c) for c in cols} for rec in records])
    pq.write_table(table, tmp_path / "sample.parquet")
    got = run_events(tmp_path / "sample.parquet", tmp_path / "pq.db")
    assert canonical(got) == canonical(single)
    # Workers take records the parent read (Parquet is not cut into byte ranges).
    got = run_events(tmp_path / "sample.parquet", tmp_path / "pq2.db", "--workers", "2")
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
