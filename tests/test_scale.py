"""The pieces a run at scale stands on: byte ranges read as the whole file is, reads that never
merge, and the merge queue a write leaves."""

from __future__ import annotations

import json
import sys
import warnings
from datetime import date
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from test_store_support import make_event  # noqa: E402

from marsad.api.app import create_app  # noqa: E402
from marsad.document import Document  # noqa: E402
from marsad.ingest.readers import jsonl_ranges, read, read_range  # noqa: E402
from marsad.store import open_store  # noqa: E402

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

HAMA = {"location": "Hama", "geonameid": 170017, "latitude": 35.13, "longitude": 36.76, "country": "Syria"}


def _key(doc: Document) -> tuple:
    return (
        doc.id,
        doc.source,
        doc.line,
        doc.text,
        doc.quarantine,
        doc.title,
        doc.published,
        sorted(doc.meta.items()),
    )


def test_byte_ranges_read_what_the_whole_file_gives(tmp_path: Path) -> None:
    """Cut anywhere at a line end, the ranges give the same documents, ids, lines and reasons,
    blank, broken and undecodable lines and a last line without its end included."""
    lines = [
        json.dumps({"id": f"a{i}", "text": f"نص الخبر رقم {i} " * 20}, ensure_ascii=False) for i in range(40)
    ]
    lines[3] = ""
    lines[7] = "{broken"
    raw = (
        ("\n".join(lines[:12]) + "\n").encode()
        + b'{"text": "\xff\xfe bad"}\n'
        + "\n".join(lines[12:]).encode()
    )
    path = tmp_path / "feed.jsonl"
    path.write_bytes(raw)
    whole = [_key(d) for d in read([str(path)])]
    assert len(whole) == 40 and sum(d[4] is not None for d in whole) == 2
    for size in (1, 50, 700, 4096, 1 << 20):
        ranges = list(jsonl_ranges(str(path), size))
        assert ranges[0][0] == 0 and ranges[-1][1] == len(raw)
        assert [_key(d) for r in ranges for d in read_range(str(path), *r)] == whole


def test_lone_carriage_returns_are_read_alike_whole_and_in_ranges(tmp_path: Path) -> None:
    """A file of classic Mac line ends is read whole, each record on its line; in a file of line
    feeds a carriage return ends no line, in whichever range it falls."""
    records = [
        json.dumps({"id": f"m{i}", "text": f"نص الخبر رقم {i} " * 20}, ensure_ascii=False) for i in range(6)
    ]
    mac = tmp_path / "mac.jsonl"
    mac.write_bytes("\r".join(records).encode() + b"\r")
    assert jsonl_ranges(str(mac), 100) is None
    assert [(d.id, d.line, d.quarantine) for d in read([str(mac)])] == [
        (f"m{i}", i + 1, None) for i in range(6)
    ]
    mixed = tmp_path / "mixed.jsonl"
    mixed.write_bytes("\n".join(records[:4]).encode() + b"\n" + "\r".join(records[4:]).encode())
    whole = [_key(d) for d in read([str(mixed)])]
    assert len(whole) == 5 and whole[-1][4].startswith("malformed JSON at mixed.jsonl:5")
    for size in (1, 700, 1 << 20):
        ranges = list(jsonl_ranges(str(mixed), size))
        assert [_key(d) for r in ranges for d in read_range(str(mixed), *r)] == whole


def test_ranges_only_for_plain_jsonl(tmp_path: Path) -> None:
    import gzip

    (tmp_path / "a.jsonl.gz").write_bytes(gzip.compress(b'{"text": "x"}\n'))
    (tmp_path / "b.jsonl").write_bytes(b'\xef\xbb\xbf{"text": "x"}\n')
    (tmp_path / "c.txt").write_text("نص", encoding="utf-8")
    # UTF-16 (Notepad's "Unicode", with or without its mark) is re-encoded as read, never cut raw.
    lines = "".join(json.dumps({"id": f"u{i}", "text": "نص الخبر " * 5}) + "\n" for i in range(3))
    (tmp_path / "d.jsonl").write_bytes(lines.encode("utf-16"))
    (tmp_path / "e.jsonl").write_bytes(lines.encode("utf-16-be"))
    for name in ("a.jsonl.gz", "b.jsonl", "c.txt", "d.jsonl", "e.jsonl"):
        assert jsonl_ranges(str(tmp_path / name), 100) is None, name


def _doc(doc_id: str, day: str) -> Document:
    doc = Document(id=doc_id, text="نص " * 30, outlet="x", published=date(2015, 8, 5))
    doc.events.append(make_event(doc_id, 0, "Air/drone strike", event_date=day, time_precision=1, **HAMA))
    return doc


def test_api_reads_never_merge(tmp_path: Path) -> None:
    """A run writes while the API serves: the API shows what the last merge made and leaves the
    queue alone; the run's own merge brings the new report in."""
    db = str(tmp_path / "store.db")
    with open_store(db) as store:
        store.write(_doc("a", "2015-08-04"))
        store.merge()
    with TestClient(create_app(db, reads_per_minute=10_000)) as client, open_store(db) as run:
        run.write(_doc("b", "2015-08-04"))
        assert run.stale()
        (ev,) = client.get("/events").json()["events"]
        assert ev["doc_ids"] == ["a"]
        assert client.get(f"/events/{ev['event_id']}").status_code == 200
        client.get("/control", params={"date": "2015-12-31"})
        assert run.stale(), "a read merged"
        assert run.merge()["remerged"] == 2
        (ev,) = client.get("/events").json()["events"]
        assert ev["doc_ids"] == ["a", "b"]


def test_a_rewrite_and_a_move_queue_what_they_replace(tmp_path: Path) -> None:
    with open_store(str(tmp_path / "s.db")) as store:
        store.write(_doc("a", "2015-08-04"))
        store.merge()
        assert not store.stale()
        store.write(_doc("a", "2015-08-05"))  # re-coded: the old report goes, a new one comes
        assert store.stale()
        store.merge()
        (ev,) = store.events()
        assert ev["event_date"] == "2015-08-05"
        moved = _doc("a", "2015-08-05")
        moved.reject("too short: re-coded as a reject")
        store.write(moved)  # the document leaves; its report must leave the merged events
        assert store.merge()["after"] == 0 and list(store.events()) == []


def test_workers_stop_when_the_parent_dies(tmp_path: Path, workers: int = 2) -> None:
    """A killed run leaves no worker behind (they check their parent while idle)."""
    import signal
    import subprocess
    import time

    src = Path(__file__).parents[1] / ".." / "shared" / "corpus" / "saudinewsnet" / "syria-2015.jsonl"
    if not src.exists():
        pytest.skip("shared corpus absent")
    cmd = [sys.executable, "-m", "marsad.cli", "run", str(src), "--db", str(tmp_path / "s.db")]
    proc = subprocess.Popen([*cmd, "--workers", str(workers)], stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    children: set[int] = set()
    while time.monotonic() < deadline and len(children) < workers + 1:
        children = {int(p) for p in _descendants(proc.pid)}
        time.sleep(0.2)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 120  # a worker still building its caches stops once built
    while time.monotonic() < deadline and any(_alive(p) for p in children):
        time.sleep(0.5)
    left = [p for p in children if _alive(p)]
    assert not left, [
        Path(f"/proc/{p}/cmdline").read_text() + Path(f"/proc/{p}/stat").read_text()[:80] for p in left
    ]


def _descendants(pid: int) -> list[str]:
    out = []
    for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
        out += [child, *_descendants(int(child))]
    return out


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return False
    return state != "Z"
