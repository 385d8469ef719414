"""More news than the corpus has: all-2015 replicated with perturbed text and dates.

Replica k of an article gets a new id, a publication date moved by -1, 0 or +1 day, and a
short token ("r3") after every word that ends a clause or a sentence. That leaves what the
coder reads nearly intact (on 400 articles, 270 of 274 events come back) while changing a third
of the word 3-shingles dedup compares, so a replica is a new article to dedup (4% of them are
still near copies, as in real feeds). One replica in ten is instead the article with one
sentence added, the classic wire copy, which dedup must catch. Events of replicas fall on the
same days and places as the originals', so the merge sees many reports of each event, as a
large feed gives it.
"""

from __future__ import annotations

import gzip
import json
import random
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

CORPUS = (
    Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus" / "saudinewsnet" / "all-2015.jsonl.gz"
)
NEAR_COPY = " وأضاف المصدر أن التحقيقات ما زالت جارية لمعرفة ملابسات ما جرى."
ENDS = ".،؛:!?"


def records(src: Path = CORPUS, limit: int | None = None) -> Iterator[dict]:
    opener = gzip.open if src.suffix == ".gz" else open
    with opener(src, "rt", encoding="utf-8") as fh:
        for n, line in enumerate(line for line in fh if line.strip()):
            if limit is not None and n >= limit:
                return
            yield json.loads(line)


def perturb(text: str, k: int) -> str:
    return " ".join(w + (f" r{k}" if w and w[-1] in ENDS else "") for w in text.split(" "))


def replica(rec: dict, k: int, seed: int = 15) -> dict:
    """Replica ``k`` (>= 1) of a record; the same every time for the same seed."""
    rng = random.Random(f"{seed}-{k}-{rec.get('id')}")
    out = dict(rec, id=f"{rec.get('id')}~r{k}")
    if rec.get("published"):
        day = date.fromisoformat(str(rec["published"])[:10]) + timedelta(days=rng.choice((-1, 0, 0, 1)))
        out["published"] = day.isoformat()
    if rng.random() < 0.1:
        out["text"] = rec["text"] + NEAR_COPY
    else:
        out["text"] = perturb(rec["text"], k)
    return out


def replicated(
    src: Path, copies: int, seed: int = 15, only_replicas: bool = False, limit: int | None = None
) -> Iterator[dict]:
    """The corpus (unless ``only_replicas``), then replicas 1 .. copies-1 of every article (of its
    first ``limit``)."""
    for k in range(0 if not only_replicas else 1, copies):
        for rec in records(src, limit):
            yield rec if k == 0 else replica(rec, k, seed)


def write_replicas(
    src: Path, out: Path, copies: int, limit: int | None = None, only_replicas: bool = False, seed: int = 15
) -> int:
    """Replicated records as one JSONL file; returns how many."""
    n = 0
    with out.open("w", encoding="utf-8") as fh:
        for rec in replicated(src, copies, seed, only_replicas):
            if limit is not None and n >= limit:
                break
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
            n += 1
    return n


def write_days(
    src: Path, folder: Path, copies: int, seed: int = 15, limit: int | None = None
) -> dict[str, int]:
    """Replicated records as one JSONL file per publication day, ``folder/date=YYYY-MM-DD/part-0.jsonl``
    (records without a date go to ``date=none``), the layout a feed lands in; the count a day."""
    counts: dict[str, int] = {}
    handles = {}
    try:
        for rec in replicated(src, copies, seed, limit=limit):
            day = str(rec.get("published") or "none")[:10]
            fh = handles.get(day)
            if fh is None:
                part = folder / f"date={day}" / "part-0.jsonl"
                part.parent.mkdir(parents=True, exist_ok=True)
                fh = handles[day] = part.open("w", encoding="utf-8")
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
            counts[day] = counts.get(day, 0) + 1
    finally:
        for fh in handles.values():
            fh.close()
    return dict(sorted(counts.items()))
