"""What the map page loads at scale: the extent of the events, and compact points by view.

A year of a desk's news is tens of thousands of events; the page cannot take them as full
event records. It asks for the area and dates of the data once (to open there and size the
time slider), then for the points of the current view as parallel arrays (id, coordinates,
type, day), and groups them by zoom itself. The filters are those of every event list.
"""

from __future__ import annotations

from typing import Any

from marsad.store.store import Store, event_filter

# ACLED's event types, in the order the ``types`` array of :func:`points` indexes.
EVENT_TYPES = (
    "Battles",
    "Explosions/Remote violence",
    "Violence against civilians",
    "Protests",
    "Riots",
    "Strategic developments",
)
_TYPE_INDEX = {t: i for i, t in enumerate(EVENT_TYPES)}


def _quantile(values: list[float], q: float) -> float:
    return values[min(len(values) - 1, max(0, round(q * (len(values) - 1))))]


def extent(store: Store, filters: dict[str, Any]) -> dict[str, Any]:
    """How many events, their first and last day, their bounding box and the box that holds
    the middle 90% of them in each direction (where the page opens: a few events far away
    must not make it open on the whole world)."""
    store._fresh()
    where, params = event_filter(**filters)
    row = store.db.one(f"SELECT COUNT(*), MIN(e.event_date), MAX(e.event_date) FROM events e{where}", params)
    count, first, last = row if row else (0, None, None)
    where_xy = (where + " AND" if where else " WHERE") + " e.latitude IS NOT NULL AND e.longitude IS NOT NULL"
    lats = sorted(r[0] for r in store.db.query(f"SELECT e.latitude FROM events e{where_xy}", params))
    lons = sorted(r[0] for r in store.db.query(f"SELECT e.longitude FROM events e{where_xy}", params))
    out: dict[str, Any] = {
        "count": int(count or 0),
        "first_date": first,
        "last_date": last,
        "bbox": None,
        "core": None,
    }
    if lats:
        out["bbox"] = [lons[0], lats[0], lons[-1], lats[-1]]
        out["core"] = [
            _quantile(lons, 0.05),
            _quantile(lats, 0.05),
            _quantile(lons, 0.95),
            _quantile(lats, 0.95),
        ]
    return out


def points(store: Store, filters: dict[str, Any], limit: int) -> dict[str, Any]:
    """The mapped events of a view as parallel arrays, oldest first; ``truncated`` past ``limit``."""
    store._fresh()
    where, params = event_filter(**filters)
    where += (" AND" if where else " WHERE") + " e.latitude IS NOT NULL AND e.longitude IS NOT NULL"
    rows = store.db.query(
        "SELECT e.event_id, e.latitude, e.longitude, e.event_type, e.event_date FROM events e"
        f"{where} ORDER BY e.event_date IS NULL, e.event_date, e.event_id LIMIT ?",
        [*params, limit + 1],
    )
    truncated = len(rows) > limit
    rows = rows[:limit]
    return {
        "count": len(rows),
        "truncated": truncated,
        "event_types": list(EVENT_TYPES),
        "ids": [r[0] for r in rows],
        "lat": [round(r[1], 5) for r in rows],
        "lon": [round(r[2], 5) for r in rows],
        "types": [_TYPE_INDEX.get(r[3], len(EVENT_TYPES) - 1) for r in rows],
        "dates": [r[4] for r in rows],
    }
