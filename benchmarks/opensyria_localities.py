"""Convert OpenSyria Data Geography's ``localities.json`` (Syria's villages, towns and quarters with
Arabic names and centroids: OCHA p-coded populated places and GeoNames, CC BY 4.0) into a place
supplement, keeping the names the gazetteer lacks that occur in the 31k-article corpus.

    python benchmarks/opensyria_localities.py path/to/localities.json|transcription.tsv
        [--min-articles 3] [--all] [--subdistricts ../shared/gazetteer/opensyria/subdistricts.json]
        [--out marsad/entities/data/places/open/sy_localities.tsv]

Reproducible from the fetched file alone: the repository Open-Syria/data-geography keeps it under
``data/`` (its governorate ids are ours: ``sy-aleppo`` is Aleppo). A name counts an article when it
occurs there as whole words, a proclitic allowed on its first word; ``--all`` keeps every new name
but the common words: a name in more than ``--common`` articles, fewer than ``--headed-share`` of
them after a settlement's head noun (geocode.yaml ``open_heads``), is a word, not a village.
The input may also be a tab-separated copy of the file, one record a line (id, subdistrictId, kind,
name.ar, Arabic aliases joined by " | ", name.en, latitude, longitude, OCHA p-code, GeoNames id): a
copy is checked, not trusted, so a row whose centroid lies more than ``--max-km`` from its
subdistrict's published centroid, or whose p-code repeats with other values, is left out and printed.
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
from marsad.entities.gazetteer import haversine_km
from marsad.entities.geocode import lexicon
from marsad.text.normalize import normalize_key
from marsad.text.tokens import keys, tokenize

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / ".." / "shared" / "corpus" / "saudinewsnet" / "all-2015.jsonl.gz"
OUT = ROOT / "marsad" / "entities" / "data" / "places" / "open" / "sy_localities.tsv"
HEADER = (
    "# Syrian localities (villages, towns, quarters) from OpenSyria Data Geography, data/localities.json\n"
    "# (CC BY 4.0; OCHA p-coded populated places and GeoNames), converted by\n"
    "# benchmarks/opensyria_localities.py: names the gazetteer lacks, kept where they occur in the corpus.\n"
)
SUBDISTRICTS = ROOT / ".." / "shared" / "gazetteer" / "opensyria" / "subdistricts.json"
KINDS = {"city": "city", "town": "town", "neighbourhood": "neighbourhood", "neighborhood": "neighbourhood"}


def read_copy(path: Path) -> list[dict]:
    """Records of a tab-separated copy of ``localities.json`` in the file's own shape, one per id."""
    seen: dict[str, dict] = {}
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        cols = line.split("\t")
        if len(cols) != 10:
            raise SystemExit(f"{path}:{n}: {len(cols)} tab-separated fields, 10 expected")
        ident, sub, kind, name_ar, aliases, name_en, lat, lon, pcode, geonames = (c.strip() for c in cols)
        try:
            centroid = {"latitude": float(lat), "longitude": float(lon)}
        except ValueError:
            raise SystemExit(f"{path}:{n}: coordinates {lat!r}, {lon!r} are not numbers") from None
        seen[ident] = {
            "id": ident,
            "subdistrictId": sub,
            "kind": kind,
            "name": {"ar": name_ar, "en": name_en},
            "aliases": [{"value": a.strip(), "language": "ar"} for a in aliases.split(" | ") if a.strip()],
            "centroid": centroid,
            "externalIds": {"ochaPcode": pcode, "geonames": geonames},
        }
    return list(seen.values())


def checked(records: list[dict], subdistricts: Path, max_km: float) -> list[dict]:
    """The records whose centroid lies within ``max_km`` of their subdistrict's and whose p-code
    names one record only, with their subdistrict's governorate; the others are printed, so a bad
    copy cannot slip in silently."""
    published = [s for s in json.loads(subdistricts.read_text(encoding="utf-8")) if s.get("centroid")]
    centre = {s["id"]: (s["centroid"]["latitude"], s["centroid"]["longitude"]) for s in published}
    governorate = {s["id"]: s["governorateId"] for s in published}
    by_pcode = Counter((r["externalIds"].get("ochaPcode") or r["id"]) for r in records)
    kept = []
    for r in records:
        point, home = r["centroid"], centre.get(r.get("subdistrictId", ""))
        far = home is not None and haversine_km(point["latitude"], point["longitude"], *home) > max_km
        if far or home is None or by_pcode[r["externalIds"].get("ochaPcode") or r["id"]] > 1:
            print(
                f"left out {r['id']}: {'far from its subdistrict' if far else 'no subdistrict or repeated p-code'}",
                file=sys.stderr,
            )
            continue
        kept.append({**r, "governorateId": governorate[r["subdistrictId"]]})
    return kept


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


def article_counts(
    names: set[tuple[str, ...]], corpus: Path, heads: frozenset[str]
) -> tuple[Counter, Counter]:
    """In how many corpus articles each name (as dictionary keys) occurs, and in how many it
    follows one of ``heads`` (a settlement's head noun: "قرية X")."""
    longest = max((len(n) for n in names), default=0)
    counts: Counter = Counter()
    headed: Counter = Counter()
    with gzip.open(corpus, "rt", encoding="utf-8") as fh:
        for line in fh:
            toks = tokenize(json.loads(line).get("text") or "")
            seen, after_head = set(), set()
            for i, tok in enumerate(toks):
                for first in {r.key for r in tok.word.readings} | {r.key for r in tok.word.short}:
                    for n in range(1, longest + 1):
                        key = (first, *(t.norm for t in toks[i + 1 : i + n]))
                        if len(key) == n and key in names:
                            seen.add(key)
                            if i and {r.key for r in toks[i - 1].word.readings} & heads:
                                after_head.add(key)
            counts.update(seen)
            headed.update(after_head)
    return counts, headed


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("localities", type=Path)
    ap.add_argument("--min-articles", type=int, default=3)
    ap.add_argument("--all", action="store_true", help="keep every name the gazetteer lacks")
    ap.add_argument("--subdistricts", type=Path, default=SUBDISTRICTS, help="checks a tab-separated copy")
    ap.add_argument("--max-km", type=float, default=100.0)
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument(
        "--common", type=int, default=50, help="a name in more articles than this is a common word..."
    )
    ap.add_argument(
        "--headed-share",
        type=float,
        default=0.2,
        help="...unless this share of them name it after a head noun",
    )
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)
    gaz = gazetteer.load()
    ours = {p.admin1 for p in gaz.places if p.country_code == "SY" and p.source == "sup"}
    admin1 = {"sy-" + a.lower().replace(" ", "-"): a for a in ours}  # "sy-deir-ez-zor": Deir ez-Zor
    if args.localities.suffix == ".tsv":
        records = checked(read_copy(args.localities), args.subdistricts, args.max_km)
    else:
        records = json.loads(args.localities.read_text(encoding="utf-8"))
    found = list(rows(records, admin1))
    known = {k for k, ids in gaz.exact.items() if any(gaz.places[i].source != "open" for i in ids)}
    ours = {k for k, ids in gaz.exact.items() if any(gaz.places[i].curated for i in ids)}

    def new(name: str) -> bool:
        """A name the gazetteer lacks (an earlier conversion aside), and not one of ours with or
        without its article: "مزيريب" would shadow our "المزيريب" it is read as."""
        key = gazetteer.key_of(name)
        return key not in known and not any(v in ours for v in gazetteer.article_variants(key))

    for row in found:
        row["name_ar"] = "|".join(n for n in str(row["name_ar"]).split("|") if new(n))
    found = [r for r in found if r["name_ar"]]
    heads = lexicon().open_heads
    counts, headed = article_counts(
        {keys(n) for r in found for n in str(r["name_ar"]).split("|")}, args.corpus, heads
    )

    def kept(name: str) -> bool:
        """Rare enough, or named after a head noun often enough, not to be a common word."""
        k = keys(name)
        if counts[k] > args.common and headed[k] < args.headed_share * counts[k]:
            return False  # "الملك"، "صغيرة"، "دار": common words that villages are named after
        return args.all or counts[k] >= args.min_articles

    for row in found:
        row["name_ar"] = "|".join(n for n in str(row["name_ar"]).split("|") if kept(n))
    found = [r for r in found if r["name_ar"]]
    n = gazetteer.write_tsv(args.out, found)
    args.out.write_text(HEADER + args.out.read_text(encoding="utf-8"), encoding="utf-8")
    print(f"{n} localities -> {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
