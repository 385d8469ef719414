"""Put our hand-written Syrian villages and towns (``sy_*.tsv``, "coordinates approximate") on the
published centroid of the same locality in OpenSyria Data Geography (CC BY 4.0; OCHA's p-coded
populated places and GeoNames), where exactly one locality of that Arabic name lies in the same
governorate within ``--max-km`` of our point (or, where there is none, in any governorate within half
that: a town near a boundary may carry the wrong one in our files). A town that seats a subdistrict of its own name keeps
our point: "ناحية X" resolves to it and it stands for the whole subdistrict, whose own centroid the
gazetteer does not ship (moving two such towns 11-12 km, to their published point, put "ناحية X"
beyond 10 km of the subdistrict's centroid in ``benchmarks/opensyria_coverage.py``).

    python benchmarks/opensyria_points.py path/to/localities.json|copy.tsv [--max-km 20] [--dry-run]

Rows keep their names, types and order; only ``lat`` and ``lon`` change, and a comment line at the
top of each file says how many were moved. Prints every move with its distance.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

from benchmarks.opensyria_localities import SUBDISTRICTS, _names, checked, read_copy
from marsad.entities.gazetteer import DATA_DIR, SUPPLEMENT_COLUMNS, article_variants, haversine_km, key_of

KINDS = {"village", "town"}  # a quarter or a city may share its name with a village
NOTE = (
    "# Points of {n} localities moved to OpenSyria's published centroid by benchmarks/opensyria_points.py.\n"
)


def localities(path: Path) -> tuple[dict[tuple[str, str], list[tuple[float, float]]], set[tuple[str, str]]]:
    """(name key, our governorate name) -> the centroids of the localities of that name there; and
    the (name key, governorate) of the towns that seat the subdistrict named after them."""
    if path.suffix == ".tsv":
        records = checked(read_copy(path), SUBDISTRICTS, 100.0)
    else:
        records = json.loads(path.read_text(encoding="utf-8"))
    out: dict[tuple[str, str], list[tuple[float, float]]] = defaultdict(list)
    seats: set[tuple[str, str]] = set()
    for loc in records:
        gov = loc.get("governorateId", "").removeprefix("sy-").replace("-", " ")
        point = (float(loc["centroid"]["latitude"]), float(loc["centroid"]["longitude"]))
        sub = loc.get("subdistrictId", "")
        seat = loc["id"].startswith(f"{sub}-{sub.rsplit('-', 1)[-1]}")  # ...-tamanaah-tamanaah
        for name in _names(loc):
            out[(key_of(name), gov)].append(point)
            if seat:
                seats.add((key_of(name), gov))
    return out, seats


def move(path: Path, index: dict, seats: set[tuple[str, str]], max_km: float, dry_run: bool) -> int:
    """Rewrite one supplement file's points; returns how many moved."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    noted = [ln for ln in lines if ln.startswith("# Points of ") and "opensyria_points" in ln]
    before = int(noted[0].split()[3]) if noted else 0  # moved by an earlier run
    lines = [ln for ln in lines if ln not in noted]
    header = next(k for k, ln in enumerate(lines) if ln.startswith("name_ar\t"))
    col = {c: k for k, c in enumerate(SUPPLEMENT_COLUMNS)}
    moved = 0
    for k in range(header + 1, len(lines)):
        if lines[k].startswith("#") or not lines[k].strip():
            continue
        cells = lines[k].rstrip("\n").split("\t")
        if cells[col["type"]] not in KINDS or cells[col["country_code"]] != "SY":
            continue
        ours = (float(cells[col["lat"]]), float(cells[col["lon"]]))
        gov = cells[col["admin1"]].lower().replace("-", " ")
        keys = {key_of(name) for name in cells[col["name_ar"]].split("|")}
        names = [(k, gov) for k in keys | {v for k in keys for v in article_variants(k)}]
        if any(n in seats for n in names):
            continue
        found = {p for n in names for p in index.get(n, ())}
        near = [p for p in found if haversine_km(*ours, *p) <= max_km]
        if not near:  # our governorate may be the error: the same name close by, in the next one
            wanted = {n for n, _ in names}
            found = {p for (k, _), points in index.items() if k in wanted for p in points}
            near = [p for p in found if haversine_km(*ours, *p) <= max_km / 2]
        if len(near) != 1 or haversine_km(*ours, *near[0]) < 0.5:
            continue
        (lat, lon), km = near[0], haversine_km(*ours, *near[0])
        print(f"{path.name}: {cells[col['name_en']]} moved {km:.1f} km", file=sys.stderr)
        cells[col["lat"]], cells[col["lon"]] = f"{lat:.4f}", f"{lon:.4f}"
        lines[k] = "\t".join(cells) + "\n"
        moved += 1
    if moved and not dry_run:
        path.write_text(
            "".join(lines[:header]) + NOTE.format(n=before + moved) + "".join(lines[header:]),
            encoding="utf-8",
        )
    return moved


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("localities", type=Path)
    ap.add_argument("--max-km", type=float, default=20.0)
    ap.add_argument("--dry-run", action="store_true")
    args = ap.parse_args(argv)
    index, seats = localities(args.localities)
    total = sum(move(p, index, seats, args.max_km, args.dry_run) for p in sorted(DATA_DIR.glob("sy_*.tsv")))
    print(f"{total} points moved", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
