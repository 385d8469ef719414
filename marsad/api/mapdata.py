"""The map page's data at scale: where the events are, and the points of a view (see
:mod:`marsad.store.mapview`)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Annotated, Any

import orjson
from fastapi import FastAPI, Query
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from marsad.api.filters import EventFilters
from marsad.api.models import Problem
from marsad.store import mapview


class Extent(BaseModel):
    model_config = ConfigDict(extra="forbid")
    count: int
    first_date: str | None = None
    last_date: str | None = None
    bbox: list[float] | None = Field(None, description="W,S,E,N of every mapped event")
    core: list[float] | None = Field(None, description="W,S,E,N of the middle 70% in each direction")


class Points(BaseModel):
    """Parallel arrays, one entry per event: compact enough for tens of thousands."""

    model_config = ConfigDict(extra="forbid")
    extent: Extent | None = Field(None, description="With with_extent=true: /map/extent of the same filters")
    count: int
    truncated: bool = Field(description="More events match than the limit; narrow the view or dates")
    event_types: list[str] = Field(description="What the numbers in types stand for")
    ids: list[str]
    lat: list[float]
    lon: list[float]
    types: list[int]
    dates: list[str | None]


def add_routes(app: FastAPI, using_store: Callable[[], AbstractContextManager[Any]], read: list[Any]) -> None:
    problems = {code: {"model": Problem} for code in (401, 429)}

    @app.get("/map/extent", response_model=Extent, tags=["map"], dependencies=read, responses=problems)
    def map_extent(filters: EventFilters) -> Extent:
        """Count, first and last day, and area of the filtered events: where the page opens."""
        with using_store() as s:
            return Extent(**mapview.extent(s, filters))

    @app.get("/map/points", response_model=Points, tags=["map"], dependencies=read, responses=problems)
    def map_points(
        filters: EventFilters,
        limit: Annotated[int, Query(ge=1, le=200_000)] = 100_000,
        with_extent: bool = False,
    ) -> Response:
        """The mapped events of a view (``bbox``) and time window as arrays (in no set order);
        ``with_extent`` adds the extent of the filtered events (what the page needs to open)."""
        with using_store() as s:
            points = mapview.points(s, filters, limit, with_extent)
        # Tens of thousands of numbers: written straight to JSON, not through the model's
        # validation (the schema above still documents the answer, and the tests hold it to it).
        return Response(orjson.dumps(points), media_type="application/json")
