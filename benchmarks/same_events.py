"""Same events as another version: code a corpus with this checkout and with another one (a
commit extracted to a folder), each in a fresh process, and count the articles and events that
differ. A change meant to keep the coding as it was must print 0; one that changes it on purpose
shows what it changed (``--show``).

    git archive <commit> | tar -x -C /tmp/base
    python benchmarks/same_events.py --against /tmp/base [--input CORPUS] [--limit N] [--show 10]

Events are compared per article (in input order), every field but the content keys that name the
article (``doc_ids``, ``event_id``, the evidence's ``doc_id``); articles whose content key changed
are counted apart. The articles of the measure-only gold (``shared/eval/test`` and ``feed``, or the
folders given with ``--hide``) are counted but never shown: their errors are not for reading.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / ".." / "shared" / "corpus" / "saudinewsnet" / "syria-2015.jsonl"
MEASURE_ONLY = [ROOT / ".." / "shared" / "eval" / name for name in ("test", "feed")]
_KEYS = ("doc_ids", "event_id")


def child(path: str, limit: int | None, out: str) -> None:
    """Code ``path`` with the marsad on ``sys.path``; one JSON line per article into ``out``."""
    import marsad
    from marsad.ingest.readers import read
    from marsad.runner import build_pipeline

    pipeline = build_pipeline()
    with open(out, "w", encoding="utf-8") as fh:
        fh.write(json.dumps({"marsad": str(Path(marsad.__file__).parent)}) + "\n")
        for doc in itertools.islice(read([path]), limit):
            doc = pipeline(doc)
            events = []
            for ev in doc.events:
                d = ev.to_dict()
                for k in _KEYS:
                    d.pop(k, None)
                for e in d.get("evidence", []):
                    e.pop("doc_id", None)
                events.append(json.dumps(d, sort_keys=True, ensure_ascii=False, default=str))
            row = {"key": doc.id, "rejected": bool(doc.rejected), "events": sorted(events)}
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def gold_ids(folders: list[Path]) -> set[str]:
    """The article ids of the gold files in ``folders`` (missing folders hold none)."""
    return {
        json.loads(f.read_text(encoding="utf-8"))["doc_id"]
        for folder in folders
        if folder.is_dir()
        for f in folder.glob("*.gold.json")
    }


def code(checkout: Path, path: Path, limit: int | None, out: Path) -> list[dict]:
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    cmd = [sys.executable, __file__, "--child", "--input", str(path), "--out", str(out)]
    if limit is not None:
        cmd += ["--limit", str(limit)]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=checkout)
    if done.returncode != 0:
        raise SystemExit(f"coding with {checkout} failed:\n{done.stderr[-3000:]}")
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    print(f"coded with {rows[0]['marsad']}")
    return rows[1:]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--against", type=Path, help="a checkout of the version to compare with")
    ap.add_argument("--input", type=Path, default=CORPUS)
    ap.add_argument("--limit", type=int, default=None, help="only the first N articles")
    ap.add_argument("--show", type=int, default=5, help="differing articles to print")
    ap.add_argument("--hide", type=Path, action="append", help="gold folders whose articles are never shown")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--out", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(str(args.input), args.limit, args.out)
        return
    if args.against is None or not (args.against / "marsad").is_dir():
        raise SystemExit("--against needs a checkout (a folder holding marsad/)")
    with tempfile.TemporaryDirectory() as tmp:
        # each child runs in its own checkout: a relative --input would name another file there
        source = args.input.resolve()
        old = code(args.against.resolve(), source, args.limit, Path(tmp) / "old.jsonl")
        new = code(ROOT, source, args.limit, Path(tmp) / "new.jsonl")
    if len(old) != len(new):
        raise SystemExit(f"the two versions read {len(old)} and {len(new)} articles")
    hidden = gold_ids(MEASURE_ONLY if args.hide is None else args.hide)
    counts: Counter[str] = Counter()
    shown = 0
    for i, (a, b) in enumerate(zip(old, new, strict=True)):
        counts["articles"] += 1
        counts["keys changed"] += a["key"] != b["key"]
        counts["rejection changed"] += a["rejected"] != b["rejected"]
        ea, eb = Counter(a["events"]), Counter(b["events"])
        counts["events before"] += len(a["events"])
        counts["events after"] += len(b["events"])
        counts["events identical"] += sum((ea & eb).values())
        if ea != eb:
            counts["articles with other events"] += 1
            if b["key"] in hidden:
                counts["of them measure-only (not shown)"] += 1
            elif shown < args.show:
                shown += 1
                print(f"article {i + 1} ({b['key']}):")
                for e in sorted((ea - eb).elements()):
                    print(f"  - {e}")
                for e in sorted((eb - ea).elements()):
                    print(f"  + {e}")
    print(f"input: {args.input.name}{f' (first {args.limit})' if args.limit else ''}; against {args.against}")
    for k in (
        "articles",
        "keys changed",
        "rejection changed",
        "articles with other events",
        "of them measure-only (not shown)",
        "events before",
        "events after",
        "events identical",
    ):
        print(f"{k}: {counts[k]:,}")


if __name__ == "__main__":
    main()
