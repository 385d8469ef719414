"""Convert Yemen's subdistricts (عزل, admin level 3 of OCHA's COD-AB, CC BY-IGO) from the yemmaps
R package into a place supplement of ``open/``: Arabic names and the centroids of their
boundaries, keeping the names the gazetteer lacks that occur in the 31k-article corpus.

    python benchmarks/yemmaps_uzlas.py yemmap_adm3.rda yemmap_adm1.rda
        [--out marsad/entities/data/places/open/ye_uzlas.tsv] [--min-articles 3] [--keep OLD.tsv]

The files are ``data/yemmap_adm3.rda`` and ``data/yemmap_adm1.rda`` of github.com/ig-impact/yemmaps
(``sf`` data frames: ``ADM3_AR``, ``ADM3_EN``, p-codes, multipolygons), read with the ``rdata``
package (``pip install rdata``: a development tool, not a dependency of marsad). A subdistrict is
``admin3``; its point is the area-weighted centroid of its polygons' outer rings. Names are kept
as :mod:`openadmin_divisions` keeps them (new, in 3+ articles, not a common word). ``--keep`` adds
the rows of an earlier conversion whose names this run leaves out: a stricter run over every
subdistrict widens the file without dropping names already shipped and measured.
"""

from __future__ import annotations

import argparse
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path

from openadmin_divisions import CITY_PREFIX, add_filter_options, admin1_names, filtered, write

from marsad.entities import gazetteer
from marsad.text.normalize import normalize_key

OUT = (
    Path(__file__).resolve().parents[1] / "marsad" / "entities" / "data" / "places" / "open" / "ye_uzlas.tsv"
)
SOURCE = "OCHA Yemen COD-AB admin 3 (CSO Yemen, CC BY-IGO) as packaged by ig-impact/yemmaps"


def read_rda(path: Path) -> object:
    """The one data frame an ``.rda`` file holds."""
    import rdata

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # rdata knows no sf classes: geometry stays nested lists
        return next(
            iter(rdata.conversion.convert(rdata.parser.parse_file(path), default_encoding="utf-8").values())
        )


def centroid(multipolygon: Sequence) -> tuple[float, float] | None:
    """(lat, lon) of the area-weighted centroid of the polygons' outer rings (shoelace formula)."""
    area = cx = cy = 0.0
    for polygon in multipolygon:
        ring = polygon[0]
        for (x0, y0), (x1, y1) in zip(ring[:-1], ring[1:], strict=True):
            cross = x0 * y1 - x1 * y0
            area += cross
            cx += (x0 + x1) * cross
            cy += (y0 + y1) * cross
    if abs(area) < 1e-12:
        return None
    return cy / (3 * area), cx / (3 * area)


def rows(adm3: object, governorates: dict[str, str], admin1: dict[str, str]) -> Iterator[dict[str, object]]:
    """Supplement rows of the subdistricts with an Arabic name and a boundary; ``governorates``
    maps an ADM1 p-code to its Arabic name, ``admin1`` a name key to our governorate name."""
    for r in adm3.itertuples():
        name = " ".join(str(r.ADM3_AR or "").split()).removeprefix(CITY_PREFIX)
        point = centroid(r.geometry)
        if point is None or len(normalize_key(name)) < 3:
            continue
        yield {
            "name_ar": name,
            "name_en": str(r.ADM3_EN or "") or name,
            "type": "admin3",
            "lat": round(point[0], 4),
            "lon": round(point[1], 4),
            "country_code": "YE",
            "admin1": admin1.get(gazetteer.key_of(governorates.get(r.ADM1_PCODE, "")), ""),
        }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("adm3", type=Path)
    ap.add_argument("adm1", type=Path)
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--source", default=SOURCE, help="named in the file's header")
    ap.add_argument("--keep", type=Path, help="an earlier conversion: its rows this run leaves out stay")
    add_filter_options(ap)
    args = ap.parse_args(argv)
    adm1 = read_rda(args.adm1)
    governorates = dict(zip(adm1.ADM1_PCODE, adm1.ADM1_AR, strict=True))
    gaz = gazetteer.load()
    out, counts, headed = filtered(
        list(rows(read_rda(args.adm3), governorates, admin1_names(gaz))), gaz, args
    )
    if args.keep:
        names = {gazetteer.key_of(str(r["name_ar"])) for r in out}
        kept = [r for r in gazetteer.read_tsv(args.keep) if gazetteer.key_of(r["name_ar"]) not in names]
        out = sorted([*out, *kept], key=lambda r: (r["type"], r["name_ar"]))
    write(out, args.out, args.source, counts, headed, args.min_articles, args.keep)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
