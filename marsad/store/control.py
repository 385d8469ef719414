"""The territorial-control map on one date, as JSON or GeoJSON (``marsad control``)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, TextIO

from marsad.store.store import Store

FORMATS = ("json", "geojson")


def control_document(store: Store, date: str, bbox: Sequence[float] | None = None) -> dict[str, Any]:
    """Who holds each place on ``date``: one entry per place, with the events behind it."""
    return {"date": str(date), "bbox": list(bbox) if bbox else None, "places": store.control(date, bbox)}


def control_geojson(store: Store, date: str, bbox: Sequence[float] | None = None) -> dict[str, Any]:
    """The same states as Point features; places without coordinates are left out."""
    features = [
        {
            "type": "Feature",
            "id": state["place_key"],
            "geometry": {"type": "Point", "coordinates": [state["longitude"], state["latitude"]]},
            "properties": state,
        }
        for state in store.control(date, bbox)
        if state["latitude"] is not None and state["longitude"] is not None
    ]
    return {"type": "FeatureCollection", "date": str(date), "features": features}


def write_control(
    store: Store, date: str, out: TextIO, fmt: str = "json", bbox: Sequence[float] | None = None
) -> int:
    """Write the control state on ``date`` in ``fmt``; returns the number of places written."""
    if fmt == "json":
        doc = control_document(store, date, bbox)
        n = len(doc["places"])
    elif fmt == "geojson":
        doc = control_geojson(store, date, bbox)
        n = len(doc["features"])
    else:
        raise ValueError(f"unknown control format {fmt!r}; expected one of {', '.join(FORMATS)}")
    json.dump(doc, out, ensure_ascii=False, indent=1)
    out.write("\n")
    return n
