"""Fault injection: issue 13's corpus of bad inputs through the real `marsad run`, and what was lost.

    python benchmarks/faults.py [--keep DIR]

Each case writes its inputs (Arabic articles made here, each with a marker phrase of its own),
runs ``marsad run --strict`` on them in a fresh store (some cases run twice, like a daily job
or two pipes), and prints one row: the exit code of each run, the documents stored, the copies
recorded, the records quarantined, the articles the input holds, and how many were lost. An article is lost when its marker is in the
bytes the input still holds (after decompressing what a cut gzip still gives) but neither in a
stored document nor in a quarantined record. The script exits 1 if anything was lost or a run
crashed (an exit code other than 0 or 1, or a run that did not end in time).
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks._corpus import article  # noqa: E402

TIMEOUT = 300


def marker(i: int) -> str:
    """Six words from the middle of article ``i``: far from where a case damages it."""
    return " ".join(article(i).split()[40:46])


@dataclass
class Case:
    name: str
    build: Callable[[Path], list[tuple[list[str], bytes | None]]]  # -> runs: (inputs, stdin)
    articles: range = field(default_factory=lambda: range(0))


def _jsonl(records: list[dict]) -> bytes:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode()


def _write(path: Path, data: bytes) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return str(path)


def _warc(ids: range, gz: bool) -> bytes:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=gz)
    for i in ids:
        page = f"<html><body><article><p>{article(i)}</p><p>{article(i)}</p></article></body></html>"
        headers = StatusAndHeaders(
            "200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1"
        )
        writer.write_record(
            writer.create_warc_record(
                f"https://example.org/{i}",
                "response",
                payload=io.BytesIO(page.encode()),
                http_headers=headers,
            )
        )
    return buf.getvalue()


def _cut(data: bytes, keep: float) -> bytes:
    return data[: int(len(data) * keep)]


def cases() -> list[Case]:
    def one(name: str, n: int, make: Callable[[Path], bytes], suffix: str) -> Case:
        return Case(name, lambda d: [([_write(d / f"in{suffix}", make(d))], None)], range(n))

    def surrogate(_: Path) -> bytes:
        lines = _jsonl([{"id": f"s{i}", "text": article(i)} for i in range(3)]).decode().splitlines()
        lines[1] = lines[1].replace('"text": "', '"text": "\\ud800', 1)
        return ("\n".join(lines) + "\n").encode()

    def nul_json(_: Path) -> bytes:
        return (
            _jsonl([{"id": "n0", "text": article(0)}])
            + b'{"id": "n1", "text": "\\u0000'
            + article(1).encode()
            + b'"}\n'
        )

    def bad_byte(_: Path) -> bytes:
        text = article(0).encode()
        return text[:50] + b"\xff" + text[50:]

    def same_names(d: Path) -> list[tuple[list[str], bytes | None]]:
        return [([_write(d / f"site{i}" / "index.txt", article(i).encode()) for i in range(2)], None)]

    def daily(d: Path) -> list[tuple[list[str], bytes | None]]:
        runs = []
        for day in range(2):  # the same file name, rewritten each day, without ids
            path = d / f"day{day}" / "news.jsonl"
            _write(path, _jsonl([{"text": article(5 * day + i)} for i in range(5)]))
            runs.append(([str(path)], None))
        return runs

    def renamed_daily(d: Path) -> list[tuple[list[str], bytes | None]]:
        path = d / "news.jsonl"
        first = _jsonl([{"text": article(i)} for i in range(5)])
        _write(path, first)
        return [([str(path)], None), ([str(path)], None)]  # the same file twice: nothing added

    def bad_name(d: Path) -> list[tuple[list[str], bytes | None]]:
        path = os.fsdecode(bytes(d) + b"/caf\xe9.txt")
        Path(path).write_bytes(article(0).encode())
        return [([path], None)]

    truncated_gz = gzip.compress(_jsonl([{"text": article(i)} for i in range(20)]))
    return [
        one("lone surrogate (JSON \\ud800)", 3, surrogate, ".jsonl"),
        one("NUL in a .txt", 1, lambda _: article(0).encode() + b"\x00" + article(1).encode(), ".txt"),
        one("NUL in JSON (\\u0000)", 2, nul_json, ".jsonl"),
        one(
            "UTF-8 BOM before JSONL",
            2,
            lambda _: b"\xef\xbb\xbf" + _jsonl([{"text": article(i)} for i in range(2)]),
            ".jsonl",
        ),
        one("UTF-16 text with BOM", 1, lambda _: article(0).encode("utf-16"), ".txt"),
        one("UTF-16-LE text, no BOM", 1, lambda _: article(0).encode("utf-16-le"), ".txt"),
        one("one bad byte in a .txt", 1, bad_byte, ".txt"),
        one("windows-1256 text", 0, lambda _: "نص عربي بترميز ويندوز".encode("cp1256") * 20, ".txt"),
        one(
            "malformed JSON line",
            2,
            lambda _: _jsonl([{"text": article(0)}]) + b'{"text": "\n' + _jsonl([{"text": article(1)}]),
            ".jsonl",
        ),
        one("truncated .jsonl.gz, no ids", 20, lambda _: _cut(truncated_gz, 0.6), ".jsonl.gz"),
        one("truncated .warc", 3, lambda _: _cut(_warc(range(3), False), 0.9), ".warc"),
        one("truncated .warc.gz", 3, lambda _: _cut(_warc(range(3), True), 0.9), ".warc.gz"),
        one(
            "duplicate ids, two texts",
            2,
            lambda _: _jsonl([{"id": "x", "text": article(i)} for i in range(2)]),
            ".jsonl",
        ),
        one(
            "same text under two ids",
            1,
            lambda _: _jsonl([{"id": f"x{i}", "text": article(0)} for i in range(2)]),
            ".jsonl",
        ),
        one("binary junk", 0, lambda _: random.Random(1).randbytes(50_000), ".bin"),
        one("empty file", 0, lambda _: b"", ".txt"),
        Case("same file names, two folders", same_names, range(2)),
        Case("a daily news.jsonl without ids", daily, range(10)),
        Case("the same file twice", renamed_daily, range(5)),
        Case(
            "stdin twice, two articles", lambda _: [(["-"], article(i).encode()) for i in range(2)], range(2)
        ),
        Case("a file name that is not UTF-8", bad_name, range(1)),
        Case("/dev/zero (endless)", lambda _: [(["/dev/zero"], None)], range(0)),
    ]


def readable(paths: list[str], stdin: bytes | None) -> str:
    """What the inputs still hold (a cut gzip decompressed as far as it goes), to find markers in."""
    out = []
    for raw in [stdin] if stdin is not None else [Path(p).read_bytes() for p in paths if p != "/dev/zero"]:
        if raw[:2] == b"\x1f\x8b":
            data = b""
            while raw[:2] == b"\x1f\x8b":
                d = zlib.decompressobj(wbits=31)
                data += d.decompress(raw)
                raw = d.unused_data
            raw = data
        encodings = ("utf-16",) if raw[:2] in (b"\xff\xfe", b"\xfe\xff") else ("utf-8", "utf-16-le")
        out += [raw.decode(enc, "replace") for enc in encodings]
    return "\n".join(out)


def run_case(case: Case, workdir: Path) -> dict:
    db = workdir / "store.db"
    runs = case.build(workdir)
    codes, held = [], []
    for inputs, stdin in runs:
        held.append(readable(inputs, stdin))
        try:
            proc = subprocess.run(
                [sys.executable, "-m", "marsad.cli", "run", *inputs, "--db", str(db), "--strict"],
                input=stdin or b"",
                capture_output=True,
                timeout=TIMEOUT,
                cwd=ROOT,
            )
            codes.append(proc.returncode)
            if proc.returncode not in (0, 1):
                sys.stderr.write(proc.stderr.decode(errors="replace")[-2000:])
        except subprocess.TimeoutExpired:
            codes.append("timeout")
    with sqlite3.connect(db) as con:
        docs = con.execute("SELECT text FROM documents").fetchall()
        rejects = con.execute("SELECT raw FROM quarantine").fetchall()
        copies = con.execute("SELECT COUNT(*) FROM duplicates").fetchone()[0]
    stored = "\n".join(t for (t,) in docs) + "\n".join(
        bytes(r or b"").decode("utf-8", "replace") for (r,) in rejects
    )
    everything = "\n".join(held)
    expected = [i for i in case.articles if marker(i) in everything]
    lost = [i for i in expected if marker(i) not in stored]
    return {
        "input": case.name,
        "exit": "/".join(str(c) for c in codes),
        "documents": len(docs),
        "quarantined": len(rejects),
        "copies": copies,
        "expected": len(expected),
        "lost": len(lost),
        "crashed": any(c not in (0, 1) for c in codes),
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--keep", help="Write the inputs and stores here (default: a temporary folder).")
    args = parser.parse_args()
    base = Path(args.keep or tempfile.mkdtemp(prefix="marsad-faults-"))
    rows = []
    for n, case in enumerate(cases()):
        work = base / f"{n:02d}"
        work.mkdir(parents=True, exist_ok=True)
        rows.append(run_case(case, work))
        sys.stderr.write(f"{case.name}: done\n")
    head = ("input", "exit code", "documents in", "copies", "quarantined", "articles held", "lost")
    keys = ("input", "exit", "documents", "copies", "quarantined", "expected", "lost")
    widths = [max(len(str(x)) for x in [h, *(r[k] for r in rows)]) for h, k in zip(head, keys, strict=True)]
    line = " | ".join(h.ljust(w) for h, w in zip(head, widths, strict=True))
    print(line)
    print("-|-".join("-" * w for w in widths))
    for r in rows:
        print(" | ".join(str(r[k]).ljust(w) for k, w in zip(keys, widths, strict=True)))
    lost, crashed = sum(r["lost"] for r in rows), sum(r["crashed"] for r in rows)
    print(f"\n{len(rows)} inputs, {lost} article(s) lost, {crashed} run(s) crashed or hung")
    return 1 if lost or crashed else 0


if __name__ == "__main__":
    sys.exit(main())
