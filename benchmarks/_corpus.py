"""The shared war-news corpus that several benchmarks time their stages on."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

SYRIA_2015 = (
    Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus" / "saudinewsnet" / "syria-2015.jsonl"
)


def load(path: Path) -> list[tuple[str, str, date | None]]:
    """``(id, text, published)`` of every article, read before timing starts."""
    rows = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            pub = date.fromisoformat(rec["published"]) if rec.get("published") else None
            rows.append((rec["id"], rec["text"], pub))
    return rows
