"""Finding a place or an actor by name, or the places near a point: what an analyst correcting
an event types into the review card or clicks on the map.

Searches the same gazetteer and actor dictionary the coder uses, so a corrected value is one
the coder could have produced (and the gold it becomes trains on names the coder knows).
"""

from __future__ import annotations

import math
from functools import cache
from typing import Any

from marsad.entities import gazetteer
from marsad.entities.actors import lexicon
from marsad.text.normalize import normalize_key

# Kinds of places an event can be coded to (not a mountain range or a region's outline).
_EVENT_PLACES = frozenset(
    {
        "city",
        "town",
        "village",
        "neighbourhood",
        "admin1",
        "country",
        "airbase",
        "crossing",
        "military_site",
        "site",
    }
)


def place_record(p: gazetteer.Place) -> dict[str, Any]:
    """A gazetteer entry in the event's place fields (ACLED precision: 1 a town, 3 a division)."""
    precision = 3 if p.type in ("admin1", "country", "region") else 1
    return {
        "location": p.name,
        "name_ar": p.name_ar,
        "type": p.type,
        "admin1": p.admin1 or None,
        "country": gazetteer.get().country_names.get(p.country_code),
        "country_code": p.country_code or None,
        "latitude": p.lat,
        "longitude": p.lon,
        "geonameid": p.geonameid,
        "geo_precision": precision,
        "population": p.population,
    }


def _fold(text: str) -> str:
    return " ".join(text.casefold().split())


@cache
def _index() -> list[tuple[gazetteer.Place, str, tuple[str, ...]]]:
    """Each event-worthy place with its folded English name and its Arabic keys, built once."""
    return [
        (p, _fold(p.name), tuple(gazetteer.key_of(n) for n in p.name_ar.split("|") if n))
        for p in gazetteer.get().places
        if p.type in _EVENT_PLACES
    ]


def places(query: str, limit: int = 20) -> list[dict[str, Any]]:
    """Places whose English or Arabic name starts with (then contains) the query, biggest first."""
    q = _fold(query)
    qa = gazetteer.key_of(query) if any("\u0600" <= c <= "\u06ff" for c in query) else None
    if not q:
        return []
    scored = []
    for p, name, keys in _index():
        if qa:
            rank = 0 if any(k.startswith(qa) for k in keys) else 1 if any(qa in k for k in keys) else None
        else:
            rank = 0 if name.startswith(q) else 1 if q in name else None
        if rank is not None:
            scored.append((rank, name != q, -p.population, p.name, p))
    scored.sort(key=lambda s: s[:4])
    return [place_record(s[-1]) for s in scored[:limit]]


def near(lat: float, lon: float, limit: int = 8, within_km: float = 60.0) -> list[dict[str, Any]]:
    """Named places around a clicked point, nearest first (a big place before its quarters),
    each with its distance."""
    # A degree of latitude is 111 km; the box is cut loose enough for the longitude at this latitude.
    dlat = within_km / 111.0
    dlon = within_km / max(111.0 * math.cos(math.radians(lat)), 1.0)
    found = []
    for p in gazetteer.get().places:
        if p.type not in _EVENT_PLACES or p.type in ("country", "admin1"):
            continue
        if abs(p.lat - lat) > dlat or abs(p.lon - lon) > dlon:
            continue
        d = gazetteer.haversine_km(lat, lon, p.lat, p.lon)
        if d <= within_km:
            # A click inside a city is in the city before it is in one of its quarters: the
            # distance shrinks with the square root of the population (in 100,000s).
            found.append((d / math.sqrt(1 + p.population / 100_000), d, p.name, p))
    found.sort(key=lambda f: f[:3])
    return [place_record(p) | {"distance_km": round(d, 2)} for _, d, _, p in found[:limit]]


def actors(
    query: str, extra: list[tuple[str, str | None, str | None]] = (), limit: int = 20
) -> list[dict[str, Any]]:
    """Actors of the dictionary (by canonical name or Arabic alias) and of ``extra`` (the store's)."""
    q = _fold(query)
    qa = normalize_key(query) if any("\u0600" <= c <= "\u06ff" for c in query) else None
    if not q:
        return []
    lex = lexicon()
    found: dict[str, tuple] = {}
    for name, rec in lex.actors.items():
        folded = _fold(name)
        rank = 0 if folded.startswith(q) else 1 if q in folded else None
        if rank is None and qa:
            rank = 2 if any(qa in normalize_key(a) for a in rec["aliases"]) else None
        if rank is not None:
            found[name] = (
                rank,
                name,
                {
                    "name": name,
                    "type": rec["type"],
                    "country": rec["country"],
                    "inter": rec["inter"],
                    "source": "dictionary",
                },
            )
    for name, type_, country in extra:
        if name in found:
            continue
        folded = _fold(name)
        rank = 0 if folded.startswith(q) else 1 if q in folded else None
        if rank is not None:
            inter = lex.actors.get(name, {}).get("inter") or _inter_of(type_)
            found[name] = (
                rank + 0.5,
                name,
                {"name": name, "type": type_, "country": country, "inter": inter, "source": "store"},
            )
    return [v[2] for v in sorted(found.values(), key=lambda v: v[:2])[:limit]]


def actor_record(name: str) -> dict[str, Any] | None:
    """The dictionary's record of a canonical actor name, for an alternative's one-click use."""
    rec = lexicon().actors.get(name)
    if rec is None:
        return None
    return {
        "name": name,
        "type": rec["type"],
        "country": rec["country"],
        "inter": rec["inter"],
        "source": "dictionary",
    }


def _inter_of(type_: str | None) -> int | None:
    from marsad.event import INTER_CODES

    return INTER_CODES.get(type_ or "")


@cache
def _by_geonameid() -> dict[int, gazetteer.Place]:
    return {p.geonameid: p for p in gazetteer.get().places if p.geonameid}


def resolve(
    name: str | None, geonameid: int | None, country_code: str | None = None
) -> dict[str, Any] | None:
    """The gazetteer entry of a coder's alternative (given by id, else English name and country)."""
    if geonameid and (p := _by_geonameid().get(int(geonameid))):
        return place_record(p)
    if not name:
        return None
    folded = _fold(name)
    for p in gazetteer.get().places:
        if _fold(p.name) == folded and (not country_code or p.country_code == country_code):
            return place_record(p)
    return None
