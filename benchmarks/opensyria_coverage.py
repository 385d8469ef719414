"""Share of the OpenSyria governorates, subdistricts and border crossings that our geocoder puts
within 10 km of the published point, from their Arabic names alone.

    python benchmarks/opensyria_coverage.py [path/to/opensyria] [--after-import]

The first table is the shipped gazetteer's own coverage: the sample is never imported, so it is an
independent check. ``--after-import`` adds what a user gets after ``marsad gazetteer import`` of
the same files (into a throwaway gazetteer directory): it checks the importer and that imported
divisions win over the towns they are named after, and is not a measure of our data.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

from marsad.entities import gazetteer, geocode
from marsad.entities.gazetteer import haversine_km
from marsad.entities.geocode import geocode_text
from marsad.entities.importers import import_ocha

DEFAULT = Path(__file__).resolve().parents[1] / ".." / "shared" / "gazetteer" / "opensyria"
RADIUS_KM = 10.0


def _hit(query: str, lat: float, lon: float) -> bool:
    """Whether any place the geocoder finds in ``query`` lies within the radius."""
    return any(
        r["lat"] is not None and haversine_km(r["lat"], r["lon"], lat, lon) <= RADIUS_KM
        for r in geocode_text(query)
    )


def _name_query(name: str, level: str) -> str:
    """The division's formal phrase ("محافظة X", "ناحية X"); a crossing's name as written."""
    name = name.split(" - ")[0].strip()
    return {"governorates": f"محافظة {name}", "subdistricts": f"ناحية {name}"}.get(level, name)


def coverage(root: Path = DEFAULT) -> dict[str, tuple[int, int]]:
    """``{level: (hits, total)}`` for governorates, subdistricts and border crossings."""
    out: dict[str, tuple[int, int]] = {}
    for level in ("governorates", "subdistricts"):
        items = json.loads((root / f"{level}.json").read_text(encoding="utf-8"))
        hits = sum(
            _hit(
                _name_query(it["name"]["ar"], level), it["centroid"]["latitude"], it["centroid"]["longitude"]
            )
            for it in items
        )
        out[level] = (hits, len(items))
    crossings = [
        it
        for it in json.loads((root / "transport-locations.json").read_text(encoding="utf-8"))
        if "border_crossing" in it.get("locationTypes", [])
    ]
    hits = total = 0
    for it in crossings:
        name = it["name"].get("ar") or (
            (it.get("administrativeLocation") or {}).get("localityName") or {}
        ).get("ar")
        if not name:
            continue  # no Arabic name to look up
        total += 1
        point = it["coordinates"]
        hits += _hit(_name_query(name, "crossings"), point["latitude"], point["longitude"])
    out["border_crossings"] = (hits, total)
    return out


def coverage_after_import(root: Path = DEFAULT) -> dict[str, tuple[int, int]]:
    """:func:`coverage` with the sample's files imported into a temporary user gazetteer."""
    saved = {k: os.environ.get(k) for k in ("MARSAD_GAZETTEER_DIR", "MARSAD_CACHE")}
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["MARSAD_GAZETTEER_DIR"] = str(Path(tmp) / "gazetteer")
        os.environ["MARSAD_CACHE"] = str(Path(tmp) / "cache")
        try:
            for name in ("governorates", "districts", "subdistricts", "transport-locations"):
                import_ocha(root / f"{name}.json")
            geocode._default.cache_clear()
            return coverage(root)
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
            gazetteer.get.cache_clear()
            geocode._default.cache_clear()


def _print(title: str, figures: dict[str, tuple[int, int]]) -> None:
    print(title)
    for level, (hits, total) in figures.items():
        print(f"  {level:18s} {hits:4d}/{total:<4d} {hits / total:.1%}")


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    root = Path(args[0]) if args else DEFAULT
    _print("shipped gazetteer (independent of the sample):", coverage(root))
    if "--after-import" in sys.argv:
        _print(
            "after `marsad gazetteer import` of the sample (checks the importer, not our data):",
            coverage_after_import(root),
        )


if __name__ == "__main__":
    main()
