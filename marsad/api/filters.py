"""The query parameters every event listing shares: the map's points, the event pages and the
review queue filter the same way, through :func:`marsad.store.store.event_filter`."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import Depends, Query
from fastapi.exceptions import RequestValidationError

from marsad.api.models import EventType, Status, SubEventType

FilterText = Annotated[str | None, Query(max_length=200, pattern=r"^[^\x00]*$")]


def _bbox(
    bbox: Annotated[
        str | None,
        Query(
            description="W,S,E,N in degrees, e.g. 35.5,32.3,42.4,37.4",
            max_length=100,
            pattern=r"^\s*-?[0-9.]+\s*(,\s*-?[0-9.]+\s*){3}$",
        ),
    ] = None,
) -> tuple[float, float, float, float] | None:
    if bbox is None:
        return None
    try:
        w, s, e, n = (float(x) for x in bbox.split(","))
    except ValueError:
        w = s = e = n = float("nan")
    if not (-180 <= w <= e <= 180 and -90 <= s <= n <= 90):  # NaN fails every comparison
        # The same shape as FastAPI's own validation errors, so clients parse one format.
        raise RequestValidationError(
            [
                {
                    "loc": ("query", "bbox"),
                    "msg": "bbox must be W,S,E,N with -180 <= W <= E <= 180 and -90 <= S <= N <= 90",
                    "type": "value_error",
                    "input": bbox,
                }
            ]
        )
    return (w, s, e, n)


BBox = Annotated[tuple[float, float, float, float] | None, Depends(_bbox)]


def event_filters(
    bbox: BBox,
    date_from: Annotated[date | None, Query(description="First day, inclusive")] = None,
    date_to: Annotated[date | None, Query(description="Last day, inclusive")] = None,
    event_type: Annotated[EventType | None, Query()] = None,
    sub_event_type: Annotated[SubEventType | None, Query()] = None,
    actor: FilterText = None,
    status: Annotated[Status | None, Query()] = None,
    source: Annotated[
        str | None, Query(max_length=200, pattern=r"^[^\x00]*$", description="Cited source")
    ] = None,
    text: Annotated[
        str | None, Query(max_length=200, pattern=r"^[^\x00]*$", description="In evidence or notes")
    ] = None,
    country: Annotated[str | None, Query(max_length=100, pattern=r"^[^\x00]*$")] = None,
    historical: bool | None = None,
    min_confidence: Annotated[
        float | None, Query(ge=0.0, le=1.0, description="Only events the event model is this sure of")
    ] = None,
) -> dict[str, Any]:
    """The store's filter arguments, without the unset ones."""
    filters = {
        "date_from": date_from.isoformat() if date_from else None,
        "date_to": date_to.isoformat() if date_to else None,
        "bbox": bbox,
        "event_type": event_type,
        "sub_event_type": sub_event_type,
        "actor": actor,
        "status": status,
        "source": source,
        "text": text,
        "country": country,
        "historical": historical,
        "min_confidence": min_confidence,
    }
    return {k: v for k, v in filters.items() if v is not None}


EventFilters = Annotated[dict[str, Any], Depends(event_filters)]
