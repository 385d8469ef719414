"""How many events marsad codes in ordinary news: events per 1,000 articles by outlet and section.

Runs the whole pipeline over a news stream (default: all of SaudiNewsNet 2015, sport, economy,
culture and world news together) and prints, for each outlet and for each outlet's section, the
articles read and the current events coded per 1,000 articles; then a random sample of events
(fixed seed) to read one by one. Sports outlets should give next to none (issue 17: at most one
per 1,000 articles).

    python3 benchmarks/events_rate.py [--limit N] [--sample 60] [--seed 17] [--min-confidence P]
        [--exclude ../shared/eval/test --exclude ../shared/eval/feed]

Articles of an ``--exclude`` gold folder are counted but never drawn into the sample: the sample is
for reading, and measuring-only gold must not be read event by event.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from collections import Counter
from itertools import islice
from pathlib import Path

from marsad.event_training import SPORTS_OUTLETS, gold_ids, ordinary_news, section_of, trains
from marsad.ingest.readers import read
from marsad.runner import build_pipeline

CORPUS = (
    Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus" / "saudinewsnet" / "all-2015.jsonl.gz"
)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--input", type=Path, default=CORPUS)
    ap.add_argument("--limit", type=int, default=None, help="only the first N articles")
    ap.add_argument("--sample", type=int, default=60, help="events drawn at random to read")
    ap.add_argument("--seed", type=int, default=17)
    ap.add_argument("--min-confidence", type=float, default=None, help="count only events this sure")
    ap.add_argument("--exclude", type=Path, action="append", default=[], help="gold folder: never sampled")
    ap.add_argument(
        "--write",
        type=Path,
        default=None,
        help="also write the sample as JSONL for judging (marsad/events/data/judged/README.md)",
    )
    args = ap.parse_args()
    unread = gold_ids(args.exclude)
    if not args.input.exists():
        raise SystemExit(f"corpus not found: {args.input}")

    pipeline = build_pipeline()
    articles: Counter = Counter()
    events: Counter = Counter()
    sampled: list[tuple[str, str, dict]] = []
    t0 = time.perf_counter()
    for doc in islice(read([str(args.input)]), args.limit):
        doc = pipeline(doc)
        if doc.rejected:
            continue
        key = (doc.outlet or "-", section_of(doc.url))
        articles[key] += 1
        part = ("ordinary news", "held out" if not trains(doc.id) else "trained on")
        if ordinary_news(doc):
            articles[part] += 1
        for ev in doc.events:
            conf = getattr(ev, "confidence", None)
            if ev.historical or (args.min_confidence is not None and (conf or 0.0) < args.min_confidence):
                continue
            events[key] += 1
            if ordinary_news(doc):
                events[part] += 1
            if doc.id not in unread:
                sampled.append((key[0], doc.id, ev.to_dict() | _judging(doc, ev)))
    wall = time.perf_counter() - t0
    n = sum(v for k, v in articles.items() if k[0] != "ordinary news")
    total = sum(v for k, v in events.items() if k[0] != "ordinary news")
    print(f"{n:,} articles coded (duplicates and quarantined left out) in {wall:.0f} s")
    print(f"{total:,} current events: {1000 * total / max(n, 1):.1f} per 1,000 articles\n")

    print(f"{'outlet':<14} {'articles':>8} {'events':>7} {'per 1,000':>10}")
    outlets = {o for o, _ in articles if o != "ordinary news"}
    for outlet in sorted(outlets, key=lambda o: -sum(v for k, v in articles.items() if k[0] == o)):
        a = sum(v for k, v in articles.items() if k[0] == outlet)
        e = sum(v for k, v in events.items() if k[0] == outlet)
        mark = "  (sport)" if outlet in SPORTS_OUTLETS else ""
        print(f"{outlet:<14} {a:8,} {e:7,} {1000 * e / a:10.1f}{mark}")

    print("\nordinary news (sport outlets; sport, economy, culture and technology pages): half of it")
    print("trains the event model as negatives, the other half is held out")
    for part in ("trained on", "held out"):
        a, e = articles[("ordinary news", part)], events[("ordinary news", part)]
        print(f"  {part:<12} {a:8,} articles {e:6,} events {1000 * e / max(a, 1):8.1f} per 1,000")

    print(f"\n{'outlet / section':<40} {'articles':>8} {'events':>7} {'per 1,000':>10}")
    for key, a in sorted(articles.items(), key=lambda kv: (kv[0][0], -kv[1])):
        if key[0] == "ordinary news" or (a < 20 and not events[key]):
            continue
        label = f"{key[0]} / {key[1]}"[:40]
        print(f"{label:<40} {a:8,} {events[key]:7,} {1000 * events[key] / a:10.1f}")

    rng = random.Random(args.seed)
    pick = rng.sample(sampled, min(args.sample, len(sampled)))
    print(f"\n{len(pick)} events drawn at random (seed {args.seed}):")
    for i, (outlet, doc_id, ev) in enumerate(pick, 1):
        evidence = (ev.get("evidence") or [{}])[0].get("text", "").replace("\n", " ")
        conf = ev.get("confidence")
        print(
            f"{i:2}. {doc_id} ({outlet}) {ev['sub_event_type']} @ {ev.get('location')} {ev.get('event_date')}"
            f" | {ev.get('actor1')} -> {ev.get('actor2')}"
            + (f" | p={conf:.2f}" if isinstance(conf, float) else "")
            + f"\n    {evidence[:220]}"
        )
    if args.write is not None:
        with args.write.open("w", encoding="utf-8") as fh:
            for i, (outlet, doc_id, ev) in enumerate(pick, 1):
                fh.write(
                    json.dumps({"n": i, "doc_id": doc_id, "outlet": outlet, **ev}, ensure_ascii=False) + "\n"
                )
        print(f"\nwrote {len(pick)} events to judge to {args.write}")


def _judging(doc, ev) -> dict:
    """What a reader needs to judge an event (the title, the day, the text around its trigger) and
    what finds it again (the trigger's and the place's offsets in the clean text)."""
    start, end = ev.arguments.get("trigger", [0, 0])
    text = doc.clean
    before = text.rfind("\n", 0, max(0, start - 300))
    context = {
        "title": doc.title,
        "published": doc.published.isoformat() if doc.published else None,
        "text": text[before + 1 : start] + "⟦" + text[start:end] + "⟧" + text[end : end + 300],
    }
    return {"context": context, "trigger": [start, end], "location_span": ev.arguments.get("location")}


if __name__ == "__main__":
    main()
