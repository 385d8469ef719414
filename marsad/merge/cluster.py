"""Cross-article merging: the reports of one real event become one event with several sources.

Works on plain records (dicts with the export fields, ``doc_id`` and ``event_id`` of each
per-document event) so the store can recompute the whole merge from its per-document table:
the same input always gives the same clusters, which is what makes re-merging idempotent.

Two reports are of one event when they share the sub-event type and the historical flag, their
places are one (same GeoNames id or name; within ``radius_km`` when one is coarser than a town),
their dates lie within ``window_days`` (one day when both are known to the day) and their actors
do not contradict each other. A cluster
only takes an event compatible with every member (no chaining along a road of villages), and two
events of the same document join only when identical: one article listing two strikes reports
two strikes.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import date
from typing import Any

from marsad.event import PLACE_FIELDS, Event, combined_status

# Days two reports may differ by when both give the date to the day.
DAY_PRECISE_WINDOW = 1

# Two town-level places closer than this are two spellings of one point.
SAME_POINT_KM = 1.0

# Sub-event types whose two sides have no direction: "A clashed with B" is "B clashed with A".
SYMMETRIC = frozenset({"Armed clash"})

ACTOR_FIELDS = ("actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2")
IDENTITY_FIELDS = (
    "sub_event_type",
    "event_date",
    "actor1",
    "actor2",
    "location",
    "geonameid",
    "status",
    "historical",
    "fatalities",
)


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(a)))


def _norm(name: Any) -> str | None:
    return " ".join(str(name).casefold().split()) if name else None


def _day(rec: dict[str, Any]) -> date | None:
    value = rec.get("event_date")
    if not value:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def identical(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return all(_norm(a.get(f)) == _norm(b.get(f)) for f in IDENTITY_FIELDS)


def whole_country(rec: dict[str, Any]) -> bool:
    """An event placed only in a country: no place a radius can be drawn around."""
    loc = _norm(rec.get("location"))
    return loc is not None and loc == _norm(rec.get("country"))


def same_place(a: dict[str, Any], b: dict[str, Any], radius_km: float) -> bool:
    """Could the two coded places be where one event happened?

    Two named places (a town, or "near" a town) are one only with the same GeoNames id or name
    (or within a kilometre, for two spellings of one point): Rastan and Talbiseh lie ten
    kilometres apart and fall on one day, and distance alone would fuse them. The radius applies
    when one side is a division ("the Hama countryside", a governorate). A whole country is never
    a place.
    """
    if whole_country(a) or whole_country(b):
        return False
    ga, gb = a.get("geonameid"), b.get("geonameid")
    if ga and ga == gb:
        return True
    na, nb = _norm(a.get("location")), _norm(b.get("location"))
    if na is not None and na == nb:
        return True
    coords = None not in (a.get("latitude"), a.get("longitude"), b.get("latitude"), b.get("longitude"))
    if not coords:
        return False
    distance = haversine_km(a["latitude"], a["longitude"], b["latitude"], b["longitude"])
    if not _area(a) and not _area(b):
        return distance <= SAME_POINT_KM  # two named places, even "near" ones, are two places
    return distance <= radius_km


def _area(rec: dict[str, Any]) -> bool:
    """A place coded only to a division ("the Hama countryside", a governorate), not a named spot."""
    return (rec.get("geo_precision") or 1) >= 3 or (
        (rec.get("geo_precision") or 1) == 2 and _norm(rec.get("location")) == _norm(rec.get("admin1"))
    )


def _actor_ok(x: Any, y: Any) -> bool:
    nx, ny = _norm(x), _norm(y)
    return nx is None or ny is None or nx == ny


def _actor1(rec: dict[str, Any]) -> Any:
    """actor1 as read in the text; a default one (not named there) contradicts nobody."""
    return None if rec.get("actor1_inferred") else rec.get("actor1")


def compatible_actors(a: dict[str, Any], b: dict[str, Any]) -> bool:
    a1, b1 = _actor1(a), _actor1(b)
    if _actor_ok(a1, b1) and _actor_ok(a.get("actor2"), b.get("actor2")):
        return True
    return a.get("sub_event_type") in SYMMETRIC and (
        _actor_ok(a1, b.get("actor2")) and _actor_ok(a.get("actor2"), b1)
    )


def compatible(a: dict[str, Any], b: dict[str, Any], radius_km: float, window_days: int) -> bool:
    """May ``a`` and ``b`` be two reports of one event?"""
    if a["doc_id"] == b["doc_id"]:
        return identical(a, b)
    if a["sub_event_type"] != b["sub_event_type"] or bool(a.get("historical")) != bool(b.get("historical")):
        return False
    da, db = _day(a), _day(b)
    if da is None or db is None:
        return False
    # Two dates both known to the day are two days unless one night apart ("last night",
    # reports filed after midnight); the wider window is for dates known to the week or month.
    precise = a.get("time_precision") == 1 and b.get("time_precision") == 1
    if abs((da - db).days) > (min(window_days, DAY_PRECISE_WINDOW) if precise else window_days):
        return False
    return same_place(a, b, radius_km) and compatible_actors(a, b)


def cluster(
    records: Iterable[dict[str, Any]], radius_km: float = 25.0, window_days: int = 3
) -> list[list[dict]]:
    """Group records into events; deterministic for a given set of records, whatever their order."""
    ordered = sorted(
        records,
        key=lambda r: (
            bool(r.get("historical")),
            r["sub_event_type"],
            r.get("event_date") or "",
            r["event_id"],
        ),
    )
    clusters: list[list[dict[str, Any]]] = []
    # Open clusters of the current (historical, sub-event type) block, oldest first.
    block: tuple | None = None
    active: list[list[dict[str, Any]]] = []
    for rec in ordered:
        key = (bool(rec.get("historical")), rec["sub_event_type"])
        if key != block:
            block, active = key, []
        day = _day(rec)
        if day is not None:
            # Clusters whose oldest member is out of the window can take nothing more.
            active = [c for c in active if (_day(c[0]) is None or (day - _day(c[0])).days <= window_days)]
        best: list[dict[str, Any]] | None = None
        for c in active:
            if all(compatible(rec, m, radius_km, window_days) for m in c):
                best = c
                break
        if best is None:
            best = [rec]
            clusters.append(best)
            active.append(best)
        else:
            best.append(rec)
    return clusters


def _quality(rec: dict[str, Any]) -> tuple:
    """Sort key: the most precise, most complete positive report describes the merged event."""
    status_rank = {"reported": 0, "claimed": 1, "alleged": 2, "disputed": 3, "denied": 4}
    filled = sum(rec.get(f) is not None for f in ACTOR_FIELDS + PLACE_FIELDS)
    return (
        rec.get("time_precision") or 9,
        rec.get("geo_precision") or 9,
        -filled,
        status_rank.get(rec.get("status") or "", 5),
        rec["event_id"],
    )


def combine(members: list[dict[str, Any]]) -> dict[str, Any]:
    """One merged record from a cluster: every source kept, the lowest fatality figure exported."""
    if len(members) == 1:
        only = dict(members[0])
        only.update(
            members=[only["event_id"]],
            doc_ids=[only["doc_id"]],
            fatalities_max=only.get("fatalities"),
            n_sources=1,
        )
        return only
    ranked = sorted(members, key=_quality)
    base = ranked[0]
    out: dict[str, Any] = {k: base.get(k) for k in ("sub_event_type", "event_type", "historical")}
    best_precision = min(m.get("time_precision") or 9 for m in members)
    dates = sorted(
        m["event_date"]
        for m in members
        if m.get("event_date") and (m.get("time_precision") or 9) == best_precision
    )
    out["event_date"] = dates[0] if dates else None
    out["time_precision"] = None if best_precision == 9 else best_precision
    place_from = min(
        members, key=lambda m: (m.get("latitude") is None, m.get("geo_precision") or 9, m["event_id"])
    )
    for f in PLACE_FIELDS:
        out[f] = place_from.get(f)
    named_first = sorted(ranked, key=lambda m: bool(m.get("actor1_inferred")))  # stable: keeps rank
    for f in ACTOR_FIELDS:
        out[f] = next((m.get(f) for m in named_first if m.get(f) is not None), None)
    figures = [m["fatalities"] for m in members if m.get("fatalities") is not None]
    out["fatalities"] = min(figures) if figures else None
    out["fatalities_max"] = max(figures) if figures else None
    sure = [m["confidence"] for m in members if m.get("confidence") is not None]
    out["confidence"] = max(sure) if sure else None  # the surest report of it
    out["status"] = combined_status([m.get("status") or "reported" for m in ranked])
    attributed: list[str] = []
    for m in ranked:
        for name in m.get("attributed_to") or []:
            if name not in attributed:
                attributed.append(name)
    out["attributed_to"] = attributed
    out["doc_ids"] = sorted({m["doc_id"] for m in members})
    out["members"] = sorted(m["event_id"] for m in members)
    out["event_id"] = out["members"][0]
    out["n_sources"] = len(out["doc_ids"])
    out["notes"] = merged_notes(out, figures)
    return out


def merged_notes(rec: dict[str, Any], figures: list[int]) -> str:
    """The one-sentence summary, saying how many documents agree and how far their figures spread."""
    ev = Event(sub_event_type=rec["sub_event_type"], doc_ids=rec["doc_ids"], evidence=[])
    for f in ("event_date", "actor1", "actor2", "location", "admin1", "fatalities", "status", "historical"):
        setattr(ev, f, rec.get(f))
    ev.attributed_to = list(rec.get("attributed_to") or [])
    sentence = ev.make_notes().rstrip(".")
    sentence += f"; reported in {len(rec['doc_ids'])} documents"
    if figures and min(figures) != max(figures):
        sentence += f"; fatality figures range from {min(figures)} to {max(figures)}, the lowest is coded"
    return sentence + "."
