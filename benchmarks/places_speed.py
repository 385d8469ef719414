"""Cost of the ``places`` stage per article over the Syria 2015 SaudiNewsNet sample, alone or side by side.

Every stage up to ``actors`` runs (their tokens and matches are the stage's input), but only
``places`` is reported, with ``match`` (since the one matcher it does the places' word lookups for
every stage) and ``places + actors`` (the place model reads the document's actor names, which the
actors stage then reuses: work moved from one stage to the other). A fresh pipeline per repeat keeps the dedup stage from rejecting the second
pass; the best repeat is kept.

``--against REF`` times this checkout and the commit REF (unpacked with ``git archive`` into a
temporary folder) in turn, one process each, round after round, and prints each round's ratio:
a busy machine slows both alike, so the ratio means more than either figure. It also counts the
place spans that differ between the two (what a change that should keep outputs prints).

    python3 benchmarks/places_speed.py [--repeat 3]
    python3 benchmarks/places_speed.py --against 3d78bee [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
from io import BytesIO
from pathlib import Path

from _corpus import SYRIA_2015, load

ROOT = Path(__file__).resolve().parents[1]


def measure(corpus: Path, repeat: int, dump: Path | None) -> dict:
    """ms/article of places (and match) in this process's marsad, best of ``repeat``."""
    from marsad.document import Document
    from marsad.pipeline import DEFAULT_PIPELINE, Pipeline

    stages = DEFAULT_PIPELINE[: DEFAULT_PIPELINE.index("actors") + 1]
    rows = load(corpus)
    best: dict[str, float] = {}
    spans: list[tuple] = []
    seen = 0
    for _ in range(repeat):
        pipe = Pipeline.from_names(stages)
        spans, seen = [], 0
        for i, t, p in rows:
            doc = pipe(Document(id=i, text=t, published=p))
            if not doc.rejected:
                seen += 1
                for s in doc.spans_of("place"):
                    a = s.attrs
                    spans.append((i, s.start, s.end, a["name"], a["lat"], a["lon"], a["type"], a.get("role")))
        pipe.timings["places+actors"] = pipe.timings["places"] + pipe.timings["actors"]
        for stage in ("places", "match", "places+actors"):
            if stage in pipe.timings:
                ms = pipe.timings[stage] / max(seen, 1) * 1000
                best[stage] = min(best.get(stage, ms), ms)
    if dump is not None:
        dump.write_text("\n".join(json.dumps(s, ensure_ascii=False) for s in spans), encoding="utf-8")
    return {"articles": len(rows), "seen": seen, "spans": len(spans), **best}


def unpack(ref: str, into: Path) -> str:
    """The tree of commit ``ref`` under ``into``; returns the full commit id."""
    commit = subprocess.run(
        ["git", "rev-parse", ref], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout.strip()
    tar = subprocess.run(["git", "archive", commit], cwd=ROOT, check=True, capture_output=True).stdout
    with tarfile.open(fileobj=BytesIO(tar)) as tf:
        # git's own archive of our own commit; the "data" filter exists from Python 3.11.4 and 3.12
        safe = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
        tf.extractall(into, **safe)
    return commit


def child(tree: Path, args: argparse.Namespace, dump: Path) -> dict:
    """One measure in a fresh process whose ``marsad`` is the one under ``tree``."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    cmd = [sys.executable, __file__, "--json", "--repeat", str(args.repeat), "--corpus", str(args.corpus)]
    out = subprocess.run([*cmd, "--dump", str(dump)], env=env, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def diff_count(a: Path, b: Path) -> int:
    """Place spans in one dump and not the other (both directions)."""
    sa = set(a.read_text(encoding="utf-8").splitlines())
    sb = set(b.read_text(encoding="utf-8").splitlines())
    return len(sa ^ sb)


def side_by_side(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="places-speed-") as tmp:
        ref_tree = Path(tmp) / "ref"
        commit = unpack(args.against, ref_tree)
        print(f"this checkout: {ROOT}   against: {args.against} ({commit[:10]})")
        print(
            f"{'round':>5} {'this ms':>8} {'ref ms':>8} {'ratio':>6}   {'+actors this':>12} {'ref':>7} {'ratio':>6}"
        )
        ratios: dict[str, list[float]] = {"places": [], "places+actors": []}
        here = there = {}
        for r in range(args.rounds):
            here = child(ROOT, args, Path(tmp) / "this.jsonl")
            there = child(ref_tree, args, Path(tmp) / "ref.jsonl")
            for k, v in ratios.items():
                v.append(here[k] / there[k])
            print(
                f"{r + 1:>5} {here['places']:>8.3f} {there['places']:>8.3f} {ratios['places'][-1]:>6.2f}"
                f"   {here['places+actors']:>12.3f} {there['places+actors']:>7.3f}"
                f" {ratios['places+actors'][-1]:>6.2f}"
            )
        for k, v in ratios.items():
            print(f"median ratio this/ref, {k}: {statistics.median(v):.2f} over {args.rounds} rounds")
        print(
            f"match (every stage's word lookups, this only): {here.get('match', float('nan')):.3f} ms/article"
        )
        print(f"place spans: this {here['spans']}, ref {there['spans']}")
        print(f"place spans that differ: {diff_count(Path(tmp) / 'this.jsonl', Path(tmp) / 'ref.jsonl')}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--corpus", type=Path, default=SYRIA_2015)
    ap.add_argument("--against", help="a commit to time side by side with this checkout")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--dump", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    args.corpus = args.corpus.resolve()
    if args.against:
        side_by_side(args)
        return
    got = measure(args.corpus, args.repeat, args.dump)
    if args.json:
        print(json.dumps(got))
        return
    print(f"articles: {got['articles']} ({got['seen']} reach places)  place spans: {got['spans']}")
    print(f"places: {got['places']:.3f} ms/article (best of {args.repeat})")
    print(f"places + actors: {got['places+actors']:.3f} ms/article")
    if "match" in got:
        print(f"match (every stage's word lookups): {got['match']:.3f} ms/article")


if __name__ == "__main__":
    main()
