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
# The quantiles of the box the page opens on (on all-2015: the Levant to Yemen, where the
# middle 90% would take in Europe and West Africa).
CORE = (0.15, 0.85)


def _quantile(values: list[float], q: float) -> float:
    return values[min(len(values) - 1, max(0, round(q * (len(values) - 1))))]


def extent(store: Store, filters: dict[str, Any]) -> dict[str, Any]:
    """How many events, their first and last day, their bounding box and the box that holds
    the middle 70% of them in each direction (where the page opens: a desk's news reaches
    every continent, its events crowd in a few countries, and the page opens on those)."""
    store._fresh()
    return _extent(store, filters)


def _extent(store: Store, filters: dict[str, Any]) -> dict[str, Any]:
    where, params = event_filter(**filters)
    rows = store.db.query(f"SELECT e.event_date, e.latitude, e.longitude FROM events e{where}", params)
    return _extent_of(rows)


def _extent_of(rows: list[tuple]) -> dict[str, Any]:
    """The extent of ``(event_date, latitude, longitude, ...)`` rows."""
    days = [r[0] for r in rows if r[0]]
    mapped = [r for r in rows if r[1] is not None and r[2] is not None]
    lats = sorted(r[1] for r in mapped)
    lons = sorted(r[2] for r in mapped)
    out: dict[str, Any] = {
        "count": len(rows),
        "first_date": min(days) if days else None,
        "last_date": max(days) if days else None,
        "bbox": None,
        "core": None,
    }
    if lats:
        out["bbox"] = [lons[0], lats[0], lons[-1], lats[-1]]
        out["core"] = [
            _quantile(lons, CORE[0]),
            _quantile(lats, CORE[0]),
            _quantile(lons, CORE[1]),
            _quantile(lats, CORE[1]),
        ]
    return out


def points(store: Store, filters: dict[str, Any], limit: int, with_extent: bool = False) -> dict[str, Any]:
    """The mapped events of a view as parallel arrays; ``truncated`` past ``limit``.

    ``with_extent`` adds :func:`extent` of the same filters without the view: what the page
    needs at start, in one request (one pass over the table when no view is given)."""
    store._fresh()
    out: dict[str, Any] = {}
    where, params = event_filter(**filters)
    cols = "e.event_date, e.latitude, e.longitude, e.event_id, e.event_type"
    if with_extent and not filters.get("bbox"):
        rows = store.db.query(f"SELECT {cols} FROM events e{where}", params)
        out["extent"] = _extent_of(rows)
        rows = [r for r in rows if r[1] is not None and r[2] is not None][: limit + 1]
    else:
        if with_extent:
            out["extent"] = _extent(store, {k: v for k, v in filters.items() if k != "bbox"})
        where += (" AND" if where else " WHERE") + " e.latitude IS NOT NULL AND e.longitude IS NOT NULL"
        # In the table's order: sorting tens of thousands of rows would cost more than the
        # page's whole drawing, and the page bins them by place and day anyway.
        rows = store.db.query(f"SELECT {cols} FROM events e{where} LIMIT ?", [*params, limit + 1])
    truncated = len(rows) > limit
    rows = rows[:limit]
    return out | {
        "count": len(rows),
        "truncated": truncated,
        "event_types": list(EVENT_TYPES),
        "ids": [r[3] for r in rows],
        "lat": [round(r[1], 5) for r in rows],
        "lon": [round(r[2], 5) for r in rows],
        "types": [_TYPE_INDEX.get(r[4], len(EVENT_TYPES) - 1) for r in rows],
        "dates": [r[0] for r in rows],
    }
