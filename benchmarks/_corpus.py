"""The shared war-news corpus that several benchmarks time their stages on, and articles made here."""

from __future__ import annotations

import json
import random
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


WORDS = (  # noqa: SIM905 - a sentence reads better than a list of words
    "قصفت قوات النظام مدينة حلب أمس وقتل خمسة مدنيين في غارة جوية على سوق شعبي بريف إدلب الجنوبي"
    " وقال المرصد السوري إن الاشتباكات تواصلت بين الفصائل المسلحة والجيش في محيط بلدة كفرنبودة شمال"
    " حماة بينما سيطر التنظيم على قرى جديدة قرب الحدود التركية وأعلنت وزارة الدفاع مقتل عشرات المسلحين"
    " خلال عملية عسكرية واسعة استمرت ثلاثة أيام ودمرت مستودعات للأسلحة والذخيرة"
).split()


def article(i: int, n: int = 80) -> str:
    """A distinct Arabic text of ``n`` words: a seeded draw from one news vocabulary, so that no
    two share their word shingles (never copies of each other) and any one can be made again."""
    rng = random.Random(i)
    return " ".join(rng.choice(WORDS) for _ in range(n)) + "."
