"""Convert OpenSyria Data Geography's ``localities.json`` (Syria's villages, towns and quarters with
Arabic names and centroids: OCHA p-coded populated places and GeoNames, CC BY 4.0) into a place
supplement, keeping the names the gazetteer lacks that occur in the 31k-article corpus.

    python benchmarks/opensyria_localities.py path/to/localities.json [--min-articles 3] [--all]
        [--out marsad/entities/data/places/sy_localities.tsv]

Reproducible from the fetched file alone: the repository Open-Syria/data-geography keeps it under
``data/`` (its governorate ids are ours: ``sy-aleppo`` is Aleppo). A name counts an article when it
occurs there as whole words, a proclitic allowed on its first word; ``--all`` keeps every new name.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

from marsad.entities import gazetteer
from marsad.text.normalize import normalize_key
from marsad.text.tokens import keys, tokenize

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / ".." / "shared" / "corpus" / "saudinewsnet" / "all-2015.jsonl.gz"
OUT = ROOT / "marsad" / "entities" / "data" / "places" / "sy_localities.tsv"
HEADER = (
    "# Syrian localities (villages, towns, quarters) from OpenSyria Data Geography, data/localities.json\n"
    "# (CC BY 4.0; OCHA p-coded populated places and GeoNames), converted by\n"
    "# benchmarks/opensyria_localities.py: names the gazetteer lacks, kept where they occur in the corpus.\n"
)
KINDS = {"city": "city", "town": "town", "neighbourhood": "neighbourhood", "neighborhood": "neighbourhood"}


def _names(loc: dict) -> list[str]:
    """The locality's Arabic names: the name without OpenSyria's " - <subdistrict>" suffix, and
    its Arabic aliases."""
    names = [(loc.get("name") or {}).get("ar", "").split(" - ")[0].strip()]
    names += [a["value"].strip() for a in loc.get("aliases", ()) if a.get("language") == "ar"]
    return list(dict.fromkeys(n for n in names if len(normalize_key(n)) >= 3))


def rows(localities: Iterable[dict], admin1: dict[str, str]) -> Iterator[dict[str, object]]:
    """Supplement rows of the localities that have a centroid and an Arabic name; ``admin1`` maps
    OpenSyria's governorate ids to our governorate names."""
    for loc in localities:
        point, names = loc.get("centroid"), _names(loc)
        if not point or not names:
            continue
        yield {
            "name_ar": "|".join(names),
            "name_en": (loc.get("name") or {}).get("en", "") or names[0],
            "type": KINDS.get(loc.get("kind", ""), "village"),
            "lat": round(float(point["latitude"]), 5),
            "lon": round(float(point["longitude"]), 5),
            "country_code": "SY",
            "admin1": admin1.get(loc.get("governorateId", ""), ""),
            "geonameid": (loc.get("externalIds") or {}).get("geonames", ""),
        }


def article_counts(names: set[tuple[str, ...]], corpus: Path) -> Counter:
    """In how many corpus articles each name (as dictionary keys) occurs."""
    longest = max((len(n) for n in names), default=0)
    counts: Counter = Counter()
    with gzip.open(corpus, "rt", encoding="utf-8") as fh:
        for line in fh:
            toks = tokenize(json.loads(line).get("text") or "")
            seen = set()
            for i, tok in enumerate(toks):
                for first in {r.key for r in tok.word.readings} | {r.key for r in tok.word.short}:
                    for n in range(1, longest + 1):
                        key = (first, *(t.norm for t in toks[i + 1 : i + n]))
                        if len(key) == n and key in names:
                            seen.add(key)
            counts.update(seen)
    return counts


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("localities", type=Path)
    ap.add_argument("--min-articles", type=int, default=3)
    ap.add_argument("--all", action="store_true", help="keep every name the gazetteer lacks")
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)
    gaz = gazetteer.load()
    ours = {p.admin1 for p in gaz.places if p.country_code == "SY" and p.source == "sup"}
    admin1 = {"sy-" + a.lower().replace(" ", "-"): a for a in ours}  # "sy-deir-ez-zor": Deir ez-Zor
    found = list(rows(json.loads(args.localities.read_text(encoding="utf-8")), admin1))
    for row in found:  # only the names the gazetteer lacks
        row["name_ar"] = "|".join(
            n for n in str(row["name_ar"]).split("|") if normalize_key(n) not in gaz.exact
        )
    found = [r for r in found if r["name_ar"]]
    if not args.all:
        counts = article_counts({keys(n) for r in found for n in str(r["name_ar"]).split("|")}, args.corpus)
        for row in found:
            row["name_ar"] = "|".join(
                n for n in str(row["name_ar"]).split("|") if counts[keys(n)] >= args.min_articles
            )
        found = [r for r in found if r["name_ar"]]
    n = gazetteer.write_tsv(args.out, found)
    args.out.write_text(HEADER + args.out.read_text(encoding="utf-8"), encoding="utf-8")
    print(f"{n} localities -> {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
