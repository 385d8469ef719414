"""Issue 13's reproductions: content identity, hostile bytes and cut inputs through `marsad run`,
and the later ingest audit's (inputs that crashed a run or lost records silently).

Each test is one of the cases, run through the real command on articles written here, and
checks the store: what went in, what was quarantined (with file and line), and that nothing
was skipped silently."""

from __future__ import annotations

import gzip
import io
import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from benchmarks._corpus import article
from marsad.cli import app
from marsad.store import open_store
from tests.test_store_support import store_target  # noqa: F401 - the `target` fixture


def run(*args: str, stdin: str | bytes | None = None):
    return CliRunner().invoke(app, list(args), input=stdin)


def counts(db: str) -> dict[str, int]:
    with open_store(db) as store:
        stats = store.stats()
    return {k: stats[k] for k in ("documents", "duplicates", "quarantined")}


def quarantined(db: str) -> list[dict]:
    with open_store(db) as store:
        return list(store.quarantined())


def jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


# -- item 2: a lone surrogate -----------------------------------------------------------------------
@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_lone_surrogate_is_quarantined_and_the_rest_goes_in(tmp_path, target, workers):
    path = tmp_path / "news.jsonl"
    lines = [json.dumps({"id": f"a{i}", "text": article(i)}, ensure_ascii=False) for i in range(3)]
    lines[1] = lines[1].replace(article(1)[:10], article(1)[:10] + "\\ud800")  # a JSON escape
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    for _ in range(2):  # the re-run does not crash either, and adds nothing
        result = run("run", str(path), "--db", target, "--workers", workers)
        assert result.exit_code == 0, result.output
    assert counts(target) == {"documents": 2, "duplicates": 0, "quarantined": 1}
    (q,) = quarantined(target)
    assert q["reason"].startswith("lone surrogate at news.jsonl:2: U+D800 in the text")
    assert (q["file"], q["line"]) == (str(path), 2) and "\ud800" in q["text"]
    assert run("run", str(path), "--db", str(tmp_path / "s.db"), "--strict").exit_code == 1


@pytest.mark.parametrize("workers", ["1", "2"])
@pytest.mark.parametrize(("field", "value", "named"), [
    ("author", "\ud800", "the byline at character 0"),
    ("published", "x\udfff", "the published_raw at character 1"),  # unreadable: kept raw
    ("id", "a\ud800", "the id at character 1"),
])  # fmt: skip
def test_a_lone_surrogate_in_a_field_is_quarantined_too(tmp_path, target, workers, field, value, named):
    """Stored as metadata or asked of the store, these fields crashed the run, not the text."""
    records = [{"id": f"a{i}", "text": article(i)} for i in range(3)]
    records[1][field] = value
    path = tmp_path / "news.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    for _ in range(2):
        result = run("run", str(path), "--db", target, "--workers", workers)
        assert result.exit_code == 0, result.output
    assert counts(target) == {"documents": 2, "duplicates": 0, "quarantined": 1}
    (q,) = quarantined(target)
    assert q["reason"] == f"lone surrogate at news.jsonl:2: U+{ord(value[-1]):04X} in {named}"


# -- item 3: identity from content ------------------------------------------------------------------
def test_same_file_names_in_two_folders_are_two_articles(tmp_path):
    for i, site in enumerate(("site1", "site2")):
        (tmp_path / site).mkdir()
        (tmp_path / site / "index.txt").write_text(article(i), encoding="utf-8")
    db = str(tmp_path / "m.db")
    result = run("run", str(tmp_path / "site1"), str(tmp_path / "site2"), "--db", db, "--strict")
    assert result.exit_code == 0, result.output
    assert counts(db)["documents"] == 2


def test_two_articles_piped_on_stdin_in_two_runs(tmp_path):
    db = str(tmp_path / "m.db")
    for i in range(2):
        assert run("run", "-", "--db", db, "--strict", stdin=article(i)).exit_code == 0
    assert counts(db)["documents"] == 2
    assert run("run", "-", "--db", db, stdin=article(1)).exit_code == 0  # the same again: nothing
    assert counts(db) == {"documents": 2, "duplicates": 0, "quarantined": 0}


def test_a_daily_file_without_ids_adds_each_day(tmp_path):
    path, db = tmp_path / "news.jsonl", str(tmp_path / "m.db")
    for day in range(2):
        jsonl(path, [{"text": article(100 * day + i)} for i in range(5)])
        assert run("run", str(path), "--db", db, "--strict").exit_code == 0
        assert counts(db)["documents"] == 5 * (day + 1)
    assert run("run", str(path), "--db", db).exit_code == 0  # day 2 again: nothing new
    assert counts(db)["documents"] == 10


def test_one_id_for_two_texts_is_a_quarantine_record(tmp_path):
    path, db = tmp_path / "news.jsonl", str(tmp_path / "m.db")
    jsonl(path, [{"id": "x1", "text": article(1)}, {"id": "x1", "text": article(2)}])
    result = run("run", str(path), "--db", db, "--strict")
    assert result.exit_code == 1 and "id collision" in result.output
    assert counts(db) == {"documents": 1, "duplicates": 0, "quarantined": 1}
    (q,) = quarantined(db)
    assert q["reason"].startswith("id collision at news.jsonl:2: id 'x1' already names another text")
    assert q["text"] == article(2)
    # The same id in a later run, with a third text, is refused the same way.
    jsonl(path, [{"id": "x1", "text": article(3)}])
    assert run("run", str(path), "--db", db, "--strict").exit_code == 1
    assert counts(db) == {"documents": 1, "duplicates": 0, "quarantined": 2}


def test_the_same_text_under_another_id_is_a_copy_and_a_rerun_adds_nothing(tmp_path):
    path, db = tmp_path / "news.jsonl", str(tmp_path / "m.db")
    jsonl(path, [{"id": "x1", "text": article(1)}, {"id": "x2", "text": article(1)}])
    for _ in range(2):
        assert run("run", str(path), "--db", db, "--strict").exit_code == 0
        assert counts(db) == {"documents": 1, "duplicates": 1, "quarantined": 0}


# -- item 6: quarantines at write time are visible -----------------------------------------------
def test_a_nul_byte_is_counted_as_quarantined_and_strict_fails(tmp_path):
    path, db = tmp_path / "nul.txt", str(tmp_path / "m.db")
    path.write_text(article(1) + "\x00" + article(2), encoding="utf-8")
    result = run("run", str(path), "--db", db, "--strict")
    assert result.exit_code == 1
    assert "NUL character" in result.output
    assert counts(db) == {"documents": 0, "duplicates": 0, "quarantined": 1}
    with open_store(db) as store:
        assert store.stats()["extracted_events"] == 0


# -- item 7: truncated inputs -------------------------------------------------------------------------
def test_a_truncated_jsonl_gz_without_ids_keeps_every_whole_line(tmp_path):
    data = "".join(json.dumps({"text": article(i)}, ensure_ascii=False) + "\n" for i in range(40))
    packed = gzip.compress(data.encode())
    path, db = tmp_path / "cut.jsonl.gz", str(tmp_path / "m.db")
    path.write_bytes(packed[: len(packed) * 2 // 3])
    result = run("run", str(path), "--db", db, "--strict")
    assert result.exit_code == 1
    (q,) = quarantined(db)
    whole = counts(db)["documents"]
    assert q["reason"].startswith(f"truncated input at cut.jsonl.gz:{whole + 1}: ")
    assert q["line"] == whole + 1 and data.splitlines()[whole].startswith(q["text"].rstrip("\ufffd"))


def test_a_jsonl_gz_with_a_bad_checksum_stores_every_record_and_flags_it(tmp_path):
    data = "".join(json.dumps({"text": article(i)}, ensure_ascii=False) + "\n" for i in range(40))
    packed = bytearray(gzip.compress(data.encode()))
    packed[-6] ^= 0x01  # the CRC32 in the trailer: every byte of the data is whole
    path, db = tmp_path / "sum.jsonl.gz", str(tmp_path / "m.db")
    path.write_bytes(bytes(packed))
    result = run("run", str(path), "--db", db, "--strict")
    assert result.exit_code == 1 and "checksum mismatch" in result.output
    assert counts(db) == {"documents": 40, "duplicates": 0, "quarantined": 1}
    (q,) = quarantined(db)
    assert q["reason"].startswith("checksum mismatch at sum.jsonl.gz: gzip member 1 ")


def _warc(gz: bool, n: int = 3) -> bytes:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=gz)
    for i in range(n):
        page = f"<html><body><article><p>{article(i, 160)}</p></article></body></html>".encode()
        headers = StatusAndHeaders(
            "200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1"
        )
        record = writer.create_warc_record(
            f"https://example.org/{i}", "response", payload=io.BytesIO(page), http_headers=headers
        )
        writer.write_record(record)
    return buf.getvalue()


@pytest.mark.parametrize("name", ["cut.warc", "cut.warc.gz"])
def test_a_truncated_warc_keeps_its_whole_records_and_quarantines_the_torn_one(tmp_path, name):
    data = _warc(name.endswith(".gz"))
    path, db = tmp_path / name, str(tmp_path / "m.db")
    path.write_bytes(data[:-200])
    result = run("run", str(path), "--db", db, "--strict")
    assert result.exit_code == 1
    assert counts(db)["documents"] == 2
    (q,) = quarantined(db)
    assert q["line"] == 3 and q["reason"].startswith(("truncated record at", "truncated input at"))


@pytest.mark.parametrize("name", ["cut.warc", "cut.warc.gz"])
def test_a_warc_cut_in_the_headers_of_a_record_quarantines_it(tmp_path, name):
    """warcio ends quietly there: the record was neither stored nor quarantined."""
    data = _warc(False)
    last = data.rindex(b"WARC/1.")
    cut = data[: last + 120]
    path, db = tmp_path / name, str(tmp_path / "m.db")
    path.write_bytes(gzip.compress(cut) if name.endswith(".gz") else cut)
    result = run("run", str(path), "--db", db, "--strict")
    assert result.exit_code == 1
    assert counts(db) == {"documents": 2, "duplicates": 0, "quarantined": 1}
    (q,) = quarantined(db)
    assert q["line"] == 3 and q["reason"].startswith(
        f"truncated record at {name}:3: the input ends inside its headers"
    )


def test_a_warc_that_is_no_warc_is_quarantined_not_skipped(tmp_path):
    path, db = tmp_path / "crawl.warc", str(tmp_path / "m.db")
    path.write_text(f"<html><body><p>{article(1)}</p></body></html>", encoding="utf-8")
    assert run("run", str(path), "--db", db).exit_code == 0
    (q,) = quarantined(db)
    assert q["reason"].startswith("unreadable warc at crawl.warc: ") and article(1) in q["text"]


# -- item 9: smaller ----------------------------------------------------------------------------------
def test_a_byte_order_mark_does_not_quarantine_the_first_record(tmp_path):
    path, db = tmp_path / "bom.jsonl", str(tmp_path / "m.db")
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps({"id": "b1", "text": article(1)}).encode() + b"\n")
    assert run("run", str(path), "--db", db, "--strict").exit_code == 0
    assert counts(db)["documents"] == 1


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le"])
def test_utf16_text_is_read(tmp_path, encoding):
    path, db = tmp_path / "notepad.txt", str(tmp_path / "m.db")
    path.write_bytes(article(1).encode(encoding))
    assert run("run", str(path), "--db", db, "--strict").exit_code == 0
    with open_store(db) as store:
        (doc_id,) = (r[0] for r in store.db.query("SELECT id FROM documents"))
        assert store.document(doc_id)["text"] == article(1)


def test_one_bad_byte_does_not_quarantine_a_whole_article(tmp_path):
    path, db = tmp_path / "one.txt", str(tmp_path / "m.db")
    text = article(1)
    path.write_bytes(text[:100].encode() + b"\xff" + text[100:].encode())
    assert run("run", str(path), "--db", db, "--strict").exit_code == 0
    with open_store(db) as store:
        (meta,) = (json.loads(r[0]) for r in store.db.query("SELECT meta FROM documents"))
    assert meta["repaired"].startswith("1 undecodable byte(s) replaced")


def test_an_endless_input_ends(tmp_path):
    db = str(tmp_path / "m.db")
    result = run("run", "/dev/zero", "--db", db)
    assert result.exit_code == 0
    (q,) = quarantined(db)
    assert q["reason"].startswith("endless input at zero: ")


# -- the ingest audit: input that crashed a run or lost records -----------------------------------
def _stored(db: str) -> list[tuple]:
    """(file line, published, published_raw) of every stored document, in line order."""
    with open_store(db) as store:
        rows = store.db.query("SELECT line, published, meta FROM documents ORDER BY line")
    return [(line, pub, json.loads(meta).get("published_raw")) for line, pub, meta in rows]


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_placeholder_published_date_neither_crashes_nor_dates_the_article(tmp_path, workers):
    rows = [{"id": f"p{i}", "text": article(i), "published": "2015-06-0" + str(i + 1)} for i in range(3)]
    rows[1]["published"] = "0001-01-01"  # what some scrapers write for "unknown"
    path, db = jsonl(tmp_path / "news.jsonl", rows), str(tmp_path / "m.db")
    result = run("run", str(path), "--db", db, "--workers", workers, "--strict")
    assert result.exit_code == 0, result.output
    assert _stored(db) == [(1, "2015-06-01", None), (2, None, "0001-01-01"), (3, "2015-06-03", None)]


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_utf16_jsonl_file_is_read_alike_by_one_and_two_workers(tmp_path, workers):
    path, db = tmp_path / "notepad.jsonl", str(tmp_path / "m.db")
    lines = "".join(
        json.dumps({"id": f"u{i}", "text": article(i)}, ensure_ascii=False) + "\n" for i in range(3)
    )
    path.write_bytes(lines.encode("utf-16"))  # a byte order mark, then UTF-16-LE
    result = run("run", str(path), "--db", db, "--workers", workers, "--strict")
    assert result.exit_code == 0, result.output
    assert counts(db) == {"documents": 3, "duplicates": 0, "quarantined": 0}


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_jsonl_file_of_lone_carriage_returns_is_one_record_a_line(tmp_path, workers):
    path, db = tmp_path / "mac.jsonl", str(tmp_path / "m.db")
    path.write_bytes("".join(json.dumps({"text": article(i)}) + "\r" for i in range(3)).encode())
    result = run("run", str(path), "--db", db, "--workers", workers, "--strict")
    assert result.exit_code == 0, result.output
    assert [line for line, _, _ in _stored(db)] == [1, 2, 3]


@pytest.mark.parametrize("workers", ["1", "2"])
def test_an_article_repeated_in_one_run_is_not_said_to_be_in_the_store(tmp_path, workers):
    a, b = {"id": "a", "text": article(1)}, {"id": "b", "text": article(2)}
    respaced = dict(a, text=article(1).replace(" ", "  ", 3))  # another record of the same text
    path, db = jsonl(tmp_path / "news.jsonl", [a, b, a, respaced]), str(tmp_path / "m.db")
    result = run("run", str(path), "--db", db, "--workers", workers, "--strict")
    assert result.exit_code == 0, result.output
    assert re.search(r"repeated in this run\W+2\b", result.output), result.output
    assert re.search(r"already in the store\W+0\b", result.output), result.output
    assert counts(db) == {"documents": 2, "duplicates": 0, "quarantined": 0}
    result = run("run", str(path), "--db", db, "--workers", workers)
    assert re.search(r"already in the store\W+4\b", result.output), result.output
