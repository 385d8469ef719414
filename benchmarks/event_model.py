"""What the event model costs: its load time, and the pipeline with it beside the rules alone.

Loads the shipped model file (best of five, each from disk) and codes the same articles of
all-2015 with the events stage in both settings, alternating (rules, model, rules, model) so
that both see the same machine load; prints articles/s of the whole pipeline, the events stage's
ms an article, and the ratios. Issue 17 asks for a load under 0.5 s and a one-process pipeline
of at least 300 articles/s (benchmarks/throughput.py measures the latter with the store).

    python3 benchmarks/event_model.py [--limit 2000] [--rounds 2]
"""

from __future__ import annotations

import argparse
import time
from itertools import islice
from pathlib import Path

from marsad.events.learn import MODEL_PATH, clear_models, load_model
from marsad.ingest.readers import read
from marsad.runner import build_pipeline

CORPUS = (
    Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus" / "saudinewsnet" / "all-2015.jsonl.gz"
)


def load_seconds() -> float:
    best = float("inf")
    for _ in range(5):
        clear_models()
        t0 = time.perf_counter()
        load_model(str(MODEL_PATH))
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--input", type=Path, default=CORPUS)
    ap.add_argument("--limit", type=int, default=2000)
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args()
    print(
        f"model file {MODEL_PATH.name} ({MODEL_PATH.stat().st_size / 1024:.0f} KiB): load {load_seconds():.3f} s"
    )
    docs = list(islice(read([str(args.input)]), args.limit))
    configs = {"rules": {"events": {"model": "rules"}}, "rules+model": {}}
    best: dict[str, tuple[float, float]] = {}
    for _ in range(args.rounds):
        for name, config in configs.items():
            pipeline = build_pipeline(config=config)  # a fresh one: dedup has seen nothing yet
            t0 = time.perf_counter()
            for doc in docs:
                pipeline(
                    doc.__class__(
                        id=doc.id, text=doc.text, published=doc.published, url=doc.url, outlet=doc.outlet
                    )
                )
            wall = time.perf_counter() - t0
            if name not in best or wall < best[name][0]:
                best[name] = (wall, pipeline.timings.get("events", 0.0))
    n = len(docs)
    print(
        f"{n:,} articles, best of {args.rounds} alternating rounds (the machine may be shared: read the ratios)"
    )
    for name, (wall, events) in best.items():
        print(
            f"  {name:<12} {n / wall:7.0f} articles/s   events stage {1000 * events / n:6.3f} ms an article"
        )
    (rw, re_), (mw, me) = best["rules"], best["rules+model"]
    print(
        f"  rules+model / rules: pipeline time {mw / rw:.2f}x, events stage time {me / max(re_, 1e-9):.2f}x"
    )


if __name__ == "__main__":
    main()
