"""Convert Open Admin Data's administrative divisions of a country (districts, subdistricts: Arabic
names and centroids, CC BY 4.0) into a place supplement of ``open/``, keeping the names the
gazetteer lacks that occur in the 31k-article corpus.

    python benchmarks/openadmin_divisions.py all-district.json [all-subdistrict.json ...]
        --out marsad/entities/data/places/open/ye_districts.tsv [--min-articles 3]

The files are the repositories' ``data/all-district.json`` and ``data/all-subdistrict.json``
(github.com/open-admin-data/yemen-administrative-divisions, .../iraq-administrative-divisions):
one record a division, ``name.local`` its Arabic name, ``geo`` its centroid, ``ancestors[0]`` its
governorate. A district is ``admin2`` (مديرية، قضاء), a subdistrict ``admin3`` (ناحية). A name is
kept when it is new (not a name of ours or of GeoNames, with or without its article), occurs in at
least ``--min-articles`` articles, and is not a common word: a name in more than ``--common``
articles, fewer than ``--headed-share`` of them after a division's or settlement's head noun
(geocode.yaml ``open_heads``), is a word ("العدل"، "الفجر"), not a district. ``--common 0`` asks it
of every name; ``--drop-shadowing`` leaves out a name of several words one of which is a place of
ours or GeoNames' ("مشرعة وحدنان" would shadow the village مشرعة).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

from opensyria_localities import CORPUS, article_counts

from marsad.entities import gazetteer
from marsad.entities.geocode import lexicon
from marsad.text.normalize import normalize_key
from marsad.text.tokens import keys

LEVELS = {2: "admin2", 3: "admin3"}
# A district named after its city is written "مدينة X" (Yemen's city districts): X is the name.
CITY_PREFIX = "مدينة "
# "مركز X" is the central subdistrict of X (its seat town stands for it), and "مركز المدينة" a phrase.
CENTRAL = "مركز "


def _name(record: dict) -> str:
    """The division's Arabic name as news writes it: no "مدينة " prefix, single spaces, "و" joined."""
    name = " ".join(((record.get("name") or {}).get("local") or "").split()).replace(" و ", " و")
    return name.removeprefix(CITY_PREFIX).strip()


def rows(records: Iterable[dict], admin1: dict[str, str]) -> Iterator[dict[str, object]]:
    """Supplement rows of the divisions with a centroid and an Arabic name; ``admin1`` maps a
    governorate's name key to our governorate name."""
    for r in records:
        geo, name, kind = r.get("geo") or {}, _name(r), LEVELS.get(r.get("level"))
        if not geo.get("lat") or not geo.get("lon") or kind is None or len(normalize_key(name)) < 3:
            continue
        if name.startswith(CENTRAL):
            continue
        gov = (r.get("ancestors") or [{}])[0].get("name") or {}
        yield {
            "name_ar": name,
            "name_en": (r.get("name") or {}).get("en", "") or name,
            "type": kind,
            "lat": round(float(geo["lat"]), 4),
            "lon": round(float(geo["lon"]), 4),
            "country_code": str(r.get("id", ""))[:2],
            "admin1": admin1.get(gazetteer.key_of(gov.get("local", "")), gov.get("en", "")),
        }


def admin1_names(gaz: gazetteer.Gazetteer) -> dict[str, str]:
    """Our governorates by the keys of their Arabic names."""
    return {
        gazetteer.key_of(n): p.admin1 or p.name
        for p in gaz.places
        if p.type == "admin1" and p.source == "sup"
        for n in p.name_ar.split("|")
    }


def filtered(
    found: list[dict[str, object]], gaz: gazetteer.Gazetteer, args: argparse.Namespace
) -> tuple[list[dict[str, object]], Counter, Counter]:
    """The rows whose name is new, in ``args.min_articles`` corpus articles or more and no common
    word, with each name's article counts (all, and after a head noun)."""
    known = {k for k, ids in gaz.exact.items() if any(gaz.places[i].source != "open" for i in ids)}
    known |= {v for k in list(known) for v in gazetteer.article_variants(k)}
    found = [r for r in found if gazetteer.key_of(str(r["name_ar"])) not in known]
    heads = lexicon().open_heads
    counts, headed = article_counts({keys(str(r["name_ar"])) for r in found}, args.corpus, heads)

    openers = lexicon().openers

    def shadows(name: str) -> bool:
        """Whether a word of a longer name is a place of ours or GeoNames' ("مشرعة وحدنان" holds the
        village مشرعة, "صنعاء القديمة" Sanaa): read whole, the division would shadow that place."""
        words = name.split()
        return len(words) > 1 and any(
            k in known and k not in openers for k in (gazetteer.key_of(w.removeprefix("و")) for w in words)
        )

    def kept(name: str) -> bool:
        """In enough articles, and named after a head noun often enough not to be a common word."""
        k = keys(name)
        if counts[k] > args.common and headed[k] < args.headed_share * counts[k]:
            return False
        if args.drop_shadowing and shadows(name):
            return False
        return counts[k] >= args.min_articles

    # Two divisions of one name (a district and its central subdistrict) both stay: homonyms are
    # the disambiguator's business.
    out = sorted((r for r in found if kept(str(r["name_ar"]))), key=lambda r: (r["type"], r["name_ar"]))
    return out, counts, headed


def add_filter_options(ap: argparse.ArgumentParser) -> None:
    """The corpus and common-word options :func:`filtered` reads."""
    ap.add_argument("--min-articles", type=int, default=3)
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument(
        "--common", type=int, default=50, help="a name in more articles than this is a common word..."
    )
    ap.add_argument(
        "--headed-share", type=float, default=0.2, help="...unless this share of them follow a head noun"
    )
    ap.add_argument(
        "--drop-shadowing",
        action="store_true",
        help="leave out a name of several words one of which is a place of ours or GeoNames'",
    )


def write(
    out: list[dict[str, object]],
    path: Path,
    source: str,
    counts: Counter,
    headed: Counter,
    min_articles: int,
    kept_from: Path | None = None,
) -> int:
    """Write the rows with a header naming their source; print each name's counts."""
    n = gazetteer.write_tsv(path, out)
    where = (
        f"in {min_articles}+ articles of the corpus" if min_articles else "none a common word of the corpus"
    )
    if kept_from is not None:
        where += f", and the rows of {kept_from.name} this run leaves out"
    header = (
        f"# Districts and subdistricts from {source}, converted by\n"
        f"# benchmarks/{Path(sys.argv[0]).name}: names the gazetteer lacks, {where}.\n"
    )
    path.write_text(header + path.read_text(encoding="utf-8"), encoding="utf-8")
    for r in out:
        k = keys(str(r["name_ar"]))
        print(f"{r['name_ar']}\t{r['type']}\t{counts[k]} articles, {headed[k]} after a head", file=sys.stderr)
    print(f"{n} divisions -> {path}", file=sys.stderr)
    return n


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("files", type=Path, nargs="+")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--source", default="Open Admin Data (CC BY 4.0)", help="named in the file's header")
    add_filter_options(ap)
    args = ap.parse_args(argv)
    records = [r for f in args.files for r in json.loads(f.read_text(encoding="utf-8"))]
    gaz = gazetteer.load()
    admin1 = admin1_names(gaz)
    out, counts, headed = filtered(list(rows(records, admin1)), gaz, args)
    write(out, args.out, args.source, counts, headed, args.min_articles)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
