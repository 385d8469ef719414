"""Import users' own gazetteer data (GeoNames country dumps, OCHA-style admin files) offline.

Imported rows are written as supplement TSVs into the user gazetteer directory
(``$MARSAD_GAZETTEER_DIR``); the gazetteer loads them on top of the packaged data and its cache
digest changes, so the next load rebuilds the index.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from marsad.entities import gazetteer
from marsad.entities.gazetteer import read_tsv, user_dir, write_tsv

_ARABIC_RE = re.compile(r"[\u0621-\u064a]")

# GeoNames feature codes -> our place types (anything else populated is a village).
_FEATURE_TYPES = {
    "ADM1": "admin1",
    "ADM2": "admin2",
    "ADM3": "admin3",
    "AIRP": "airport",
    "AIRB": "airbase",
    "AIRF": "airbase",
    "MT": "mountain",
    "MTS": "mountain",
    "HLL": "mountain",
    "PLN": "plain",
    "DAM": "dam",
    "PRN": "prison",
    "CMP": "camp",
    "CMPRF": "camp",
    "PPLX": "neighbourhood",
    "RGN": "region",
    "AREA": "region",
    "VAL": "region",
    "OILF": "field",
    "GASF": "field",
    "MILB": "military_site",
    "INSM": "military_site",
    "BDGQ": "crossing",
    "PSTB": "crossing",
}


def _admin1_names() -> dict[tuple[str, str], str]:
    out: dict[tuple[str, str], str] = {}
    for row in read_tsv(gazetteer.DATA_DIR / "admin1.tsv"):
        for code in (row.get("code") or "").split("|"):
            if code:
                out[(row["country_code"], code)] = row["admin1"]
    return out


def _settlement_type(code: str, population: int) -> str:
    if code in ("PPLC", "PPLA") or population >= 100_000:
        return "city"
    return "town" if population >= 5_000 else "village"


def import_geonames(path: str | Path) -> int:
    """Import a GeoNames country dump (``SY.txt`` layout); returns the number of places written.

    Only rows with an Arabic name (in ``name`` or ``alternatenames``) are kept: the matcher
    reads Arabic text."""
    path = Path(path)
    admin1 = _admin1_names()
    rows: list[dict[str, Any]] = []
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            f = line.rstrip("\n").split("\t")
            if not line.strip():
                continue
            if len(f) < 15:
                raise ValueError(f"{path}:{lineno}: {len(f)} tab-separated fields, a GeoNames dump has 19")
            names = [n.strip() for n in [f[1], *f[3].split(",")] if _ARABIC_RE.search(n)]
            if not names:
                continue
            fclass, fcode, cc = f[6], f[7], f[8]
            pop = int(f[14] or 0)
            if fclass == "P":
                kind = _FEATURE_TYPES.get(fcode) or _settlement_type(fcode, pop)
            else:
                kind = _FEATURE_TYPES.get(fcode)
                if kind is None:
                    continue
            rows.append(
                {
                    "name_ar": "|".join(dict.fromkeys(names)),
                    "name_en": f[2] or f[1],
                    "type": kind,
                    "lat": f[4],
                    "lon": f[5],
                    "country_code": cc,
                    "admin1": admin1.get((cc, f[10]), ""),
                    "geonameid": f[0],
                    "population": pop or "",
                }
            )
    return _write(f"geonames-{path.stem}.tsv", rows)


def _ocha_admin1(gov_id: str, cc: str) -> str:
    """Our English admin1 name for an id like ``sy-al-hasakah`` (letters compared, no punctuation)."""

    def squash(s: str) -> str:
        return (
            re.sub(r"[^a-z]", "", s.lower().replace("governorate", "")).removeprefix("al").removeprefix("as")
        )

    target = squash(gov_id.split("-", 1)[1] if "-" in gov_id else gov_id)
    for row in read_tsv(gazetteer.DATA_DIR / "admin1.tsv"):
        if row["country_code"] == cc and target and squash(row["admin1"]) == target:
            return row["admin1"]
    return ""


def _json_rows(data: list[dict[str, Any]], cc: str) -> Iterator[dict[str, Any]]:
    for item in data:
        name = item.get("name") or {}
        names = [name.get("ar", "")] if isinstance(name, dict) else []
        loc = item.get("administrativeLocation") or {}
        locality = (loc.get("localityName") or {}).get("ar", "")
        names += [a["value"] for a in item.get("aliases", []) if a.get("language") == "ar"]
        names += [part.strip() for part in locality.split(" - ")] if locality else []
        names = [n for n in dict.fromkeys(names) if n and _ARABIC_RE.search(n)]
        point = item.get("centroid") or item.get("coordinates") or {}
        if not names or "latitude" not in point:
            continue
        if item.get("locationTypes"):
            kind = {"border_crossing": "crossing", "airport": "airport", "seaport": "port"}.get(
                item["locationTypes"][0], "station"
            )
        elif item.get("districtId"):
            kind = "admin3"
        elif item.get("governorateId"):
            kind = "admin2"
        else:
            kind = "admin1"
        gov = item.get("governorateId") or loc.get("governorateId") or item.get("id", "")
        gid = (item.get("externalIds") or {}).get("geonames") or ""
        yield {
            "name_ar": "|".join(names),
            "name_en": (name.get("en") if isinstance(name, dict) else "") or "",
            "type": kind,
            "lat": point["latitude"],
            "lon": point["longitude"],
            "country_code": cc,
            "admin1": _ocha_admin1(gov, cc),
            "geonameid": gid if str(gid).isdigit() else "",
            "population": "",
        }


def _csv_rows(path: Path, cc: str) -> Iterator[dict[str, Any]]:
    """OCHA COD tables: the deepest ``admNName_ar``/``admNName_en`` pair, with latitude/longitude columns."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        cols = reader.fieldnames or []
        lower = {c.lower(): c for c in cols}
        levels = sorted(
            {int(m.group(1)) for c in cols if (m := re.match(r"adm(?:in)?(\d)name_ar", c.lower()))},
            reverse=True,
        )
        lat_col = next((lower[c] for c in ("latitude", "lat", "y", "centroid_lat") if c in lower), None)
        lon_col = next(
            (lower[c] for c in ("longitude", "lon", "long", "x", "centroid_lon") if c in lower), None
        )
        if not levels or lat_col is None or lon_col is None:
            raise ValueError(f"{path}: no admN name_ar or latitude/longitude columns")
        level = levels[0]

        def col(suffix: str, lvl: int) -> str | None:
            for pat in (f"adm{lvl}name_{suffix}", f"admin{lvl}name_{suffix}"):
                if pat in lower:
                    return lower[pat]
            return None

        ar, en, a1en = col("ar", level), col("en", level), col("en", 1)
        kind = {1: "admin1", 2: "admin2", 3: "admin3"}.get(level, "village")
        for row in reader:
            name = (row.get(ar) or "").strip() if ar else ""
            if not name:
                continue
            yield {
                "name_ar": name,
                "name_en": row.get(en, "") if en else "",
                "type": kind,
                "lat": row[lat_col],
                "lon": row[lon_col],
                "country_code": cc,
                "admin1": _ocha_admin1(row.get(a1en, "") if a1en else "", cc),
                "geonameid": "",
                "population": "",
            }


def import_ocha(path: str | Path, country_code: str = "SY") -> int:
    """Import an OCHA-style admin file (JSON list as in OpenSyria, or a COD CSV); returns the count."""
    path = Path(path)
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as e:
            raise ValueError(f"{path}:{e.lineno}:{e.colno}: not valid JSON ({e.msg})") from None
        if isinstance(data, dict):
            data = next((v for v in data.values() if isinstance(v, list)), [])
        rows = list(_json_rows(data, country_code))
    else:
        rows = list(_csv_rows(path, country_code))
    return _write(f"ocha-{path.stem}.tsv", rows)


def _write(name: str, rows: list[dict[str, Any]]) -> int:
    n = write_tsv(user_dir() / name, rows)
    gazetteer.get.cache_clear()
    return n
