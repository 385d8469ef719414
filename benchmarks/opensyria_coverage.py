"""Share of the OpenSyria governorates, subdistricts and border crossings that our geocoder puts
within 10 km of the published point, from their Arabic names alone (the files are never imported).

    python benchmarks/opensyria_coverage.py [path/to/opensyria]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from marsad.entities.gazetteer import haversine_km
from marsad.entities.geocode import geocode_text

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


def main() -> None:
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    for level, (hits, total) in coverage(root).items():
        print(f"{level:18s} {hits:4d}/{total:<4d} {hits / total:.1%}")


if __name__ == "__main__":
    main()
