"""Names the gazetteer lacks, mined from the 31k-article corpus: the word (or two) after a place head
noun (مديرية، قضاء، قرية، بلدة، منطقة، جبل، معسكر، قاعدة ...), counted by the articles it is in.

python benchmarks/mine_places.py [--min-articles 3] [--top 200] [--known]

Prints ``articles  head  name`` for every unknown name seen in at least ``--min-articles``
articles, most frequent first; ``--known`` prints, instead, how many articles each supplement row
of the region files fires in (every gazetteer addition must fire in several articles).
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
from collections import Counter, defaultdict
from pathlib import Path

from marsad.entities import gazetteer
from marsad.text.normalize import normalize_key

CORPUS = (
    Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus" / "saudinewsnet" / "all-2015.jsonl.gz"
)
HEADS = [
    "مديرية",
    "مديريات",
    "قضاء",
    "قرية",
    "بلدة",
    "منطقة",
    "جبل",
    "معسكر",
    "قاعدة",
    "مدينة",
    "محافظة",
    "مطار",
    "ميناء",
    "حقل",
    "سد",
    "منفذ",
    "معبر",
    "حي",
    "ناحية",
    "مخيم",
    # the front lines and landmarks news fights over ("جبهة المخدرة", "تبة مسعود", "وادي دوفس")
    "جبهة",
    "محور",
    "مثلث",
    "تبة",
    "تلة",
    "وادي",
    "عزلة",
    "جسر",
    "مفرق",
    "دوار",
]
_WORD = r"[\u0621-\u064a]+"
_HEAD_RE = re.compile(rf"(?<![\u0621-\u064a])[وفب]?[لب]?({'|'.join(HEADS)})\s+({_WORD})(?:\s+({_WORD}))?")
# Words after a head that are not names ("منطقة عسكرية", "قرية صغيرة").
_NOT_NAME = re.compile(
    r"^(?:ال)?(?:تي|ذي|واقع|تابع|جديد|صغير|كبير|عسكري|آمن|حدودي|محيط|قريب|مجاور|شمال|جنوب|شرق|غرب|وسط)"
)


def articles(path: Path):
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def mine(path: Path, min_articles: int, top: int) -> None:
    gaz = gazetteer.get()
    seen: dict[tuple[str, str], set[str]] = defaultdict(set)
    for rec in articles(path):
        for m in _HEAD_RE.finditer(rec.get("text") or ""):
            head, w1, w2 = m.groups()
            for name in ([f"{w1} {w2}"] if w2 else []) + [w1]:
                key = gazetteer.key_of(name)
                if _NOT_NAME.match(key) or key in gaz.exact or key in gaz.variant:
                    break  # the longest known reading wins; a known first word means known
                if name == w1 or (w2 and not _NOT_NAME.match(w2)):
                    seen[(head, normalize_key(name))].add(rec["id"])
    counts = Counter({k: len(v) for k, v in seen.items()})
    for (head, name), n in counts.most_common():
        if n < min_articles or top <= 0:
            break
        top -= 1
        print(f"{n:5d}  {head}  {name}")


def fired(path: Path, files: list[Path]) -> None:
    """Articles each supplement row's names occur in (as whole words)."""
    rows = [(f.name, r["name_en"], r["name_ar"].split("|")) for f in files for r in gazetteer.read_tsv(f)]
    keys = {gazetteer.key_of(n): k for k, (_, _, names) in enumerate(rows) for n in names}
    hits: Counter[int] = Counter()
    for rec in articles(path):
        text = " " + " ".join(normalize_key(w) for w in re.findall(_WORD, rec.get("text") or "")) + " "
        found = set()
        for key, k in keys.items():
            if f" {key} " in text or f" ب{key} " in text or f" و{key} " in text or f" ل{key} " in text:
                found.add(k)
        hits.update(found)
    for k, (fname, en, _) in enumerate(rows):
        print(f"{hits[k]:5d}  {fname}  {en}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--min-articles", type=int, default=3)
    ap.add_argument("--top", type=int, default=200)
    ap.add_argument("--known", nargs="*", type=Path, help="supplement files whose rows to count")
    args = ap.parse_args()
    if args.known is not None:
        fired(args.corpus, args.known or sorted(gazetteer.DATA_DIR.glob("region_*.tsv")))
    else:
        mine(args.corpus, args.min_articles, args.top)


if __name__ == "__main__":
    main()
