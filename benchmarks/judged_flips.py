"""The judged events' floors read event by event: which decisions a change flips, and how close they were.

``tests/test_events_eval.py`` pins the judged figures of the event model ("rules", "without judged",
"with judged": kept or dropped, right or wrong) on ``marsad/events/data/judged/all-2015.jsonl``. A
change to the rules changes what the models train on, and a decision within a hair of its threshold
flips. This script computes the same figures the same way (:func:`marsad.event_training.judged_rows`,
the floor test's data and its 300 ordinary-news negatives), prints them, and with ``--against DIR``
does the same for another checkout (a worktree: ``git worktree add /tmp/base HEAD``) in a second
process and prints every judged event whose decision differs, with the keep model's probability in
both. The judged events are development data: reading them is allowed (never test/ nor feed/).

    python benchmarks/judged_flips.py [--against /tmp/base]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = (ROOT / ".." / "shared").resolve()
JUDGED = ROOT / "marsad" / "events" / "data" / "judged" / "all-2015.jsonl"
NEGATIVES = 300  # as tests/test_events_eval.py (JUDGED_NEGATIVES)


def rows(judged: Path, negatives: int) -> list[dict]:
    """The floor test's judged decisions, one dict each."""
    from dataclasses import asdict

    from marsad.event_training import judged_rows, training_data

    ev = SHARED / "eval"
    articles, others = training_data(
        [ev / "dev", ev / "train"],
        SHARED / "corpus" / "saudinewsnet" / "all-2015.jsonl.gz",
        [ev / "test", ev / "feed"],
        judged=judged,
    )
    plain = [a for a in others if a.judged is None]
    chosen = plain[:negatives] + [a for a in others if a.judged is not None]
    return [asdict(r) for r in judged_rows(articles, chosen)]


def summary(found: list[dict]) -> str:
    counts: dict[str, Counter] = {}
    for r in found:
        counts.setdefault(r["decider"], Counter())[(r["kept"], r["label"])] += 1
    lines = []
    for name, c in counts.items():
        right, wrong = c[(True, 1)], c[(True, 0)]
        lines.append(
            f"  {name:15} kept right {right:4}  kept wrong {wrong:4}  dropped right {c[(False, 1)]:3}  "
            f"dropped wrong {c[(False, 0)]:3}  P {right / max(right + wrong, 1):.3f}  "
            f"R {right / max(right + c[(False, 1)], 1):.3f}"
        )
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--against", type=Path, help="another checkout to compare with")
    ap.add_argument("--judged", type=Path, default=JUDGED)
    ap.add_argument("--negatives", type=int, default=NEGATIVES)
    ap.add_argument("--emit", type=Path, help=argparse.SUPPRESS)  # the other checkout's half
    args = ap.parse_args()
    if args.emit:
        args.emit.write_text(json.dumps(rows(args.judged, args.negatives)))
        return
    other = None
    if args.against:
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "rows.json"
            env = dict(os.environ, PYTHONPATH=str(args.against.resolve()))
            cmd = [sys.executable, __file__, "--emit", str(out), "--judged", str(args.judged)]
            child = subprocess.Popen([*cmd, "--negatives", str(args.negatives)], env=env)
            here = rows(args.judged, args.negatives)
            if child.wait() != 0:
                raise SystemExit(f"{args.against}: the other checkout failed (does it have judged_rows?)")
            other = json.loads(out.read_text())
    else:
        here = rows(args.judged, args.negatives)
    print(f"this checkout ({ROOT}):\n{summary(here)}")
    if other is None:
        return
    print(f"{args.against}:\n{summary(other)}")
    before = {(r["decider"], r["doc_id"], r["start"], r.get("split", 0)): r for r in other}
    after = {(r["decider"], r["doc_id"], r["start"], r.get("split", 0)): r for r in here}
    print(
        "decisions that differ (decider, article, trigger start, split, label: kept there -> here,"
        " p there -> here):"
    )
    for key in sorted(before.keys() | after.keys()):
        a, b = before.get(key), after.get(key)
        if a and b and a["kept"] == b["kept"]:
            continue
        label = (a or b)["label"]
        kept = f"{a['kept'] if a else '-'} -> {b['kept'] if b else '-'}"
        p = " -> ".join(f"{r['p']:.4f}" if r and r["p"] is not None else "-" for r in (a, b))
        print(f"  {key[0]:15} {key[1]} {key[2]:6} {key[3]} label {label}: {kept}  p {p}")


if __name__ == "__main__":
    main()
