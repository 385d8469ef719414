"""The API's request and response shapes.

Every model forbids unknown fields, so the OpenAPI schema is the whole truth about what goes in
and comes out, and a client typo in a POST body is a 422 rather than silently ignored data.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from marsad.event import EVENT_TYPES, STATUSES, SUB_EVENT_TYPES
from marsad.ingest.readers import plausible_date

EventType = Literal[tuple(EVENT_TYPES)]  # type: ignore[valid-type]
SubEventType = Literal[tuple(SUB_EVENT_TYPES)]  # type: ignore[valid-type]
Status = Literal[tuple(STATUSES)]  # type: ignore[valid-type]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Evidence(Strict):
    """The sentence an event was read from; offsets are into the document's clean text."""

    doc_id: str
    start: int
    end: int
    text: str


class Highlight(Strict):
    """A matched word inside an evidence sentence; offsets count code points of ``text``."""

    start: int
    end: int
    label: str


class DocumentRef(Strict):
    id: str
    title: str | None = None
    outlet: str | None = None
    url: str | None = None
    published: str | None = None


class EvidenceDetail(Evidence):
    highlights: list[Highlight] = []
    document: DocumentRef | None = None


class Event(Strict):
    """A merged event with the fields of the JSONL export."""

    event_id: str
    doc_ids: list[str]
    event_date: str | None = None
    time_precision: int | None = None
    event_type: str
    sub_event_type: str
    actor1: str | None = None
    assoc_actor_1: str | None = None
    actor2: str | None = None
    assoc_actor_2: str | None = None
    inter1: int | None = None
    inter2: int | None = None
    location: str | None = None
    admin1: str | None = None
    country: str | None = None
    country_code: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    geonameid: int | None = None
    geo_precision: int | None = None
    fatalities: int | None = None
    status: str
    historical: bool
    attributed_to: list[str]
    confidence: float | None = None  # the event model's probability; None when coded by rules alone
    evidence: list[Evidence]
    notes: str
    reviewed: str | None = Field(
        None, description="accepted, corrected or added once an analyst confirmed it; null until then"
    )


class EventReport(Strict):
    """One document's report of a merged event (reports can disagree on status or toll)."""

    event_id: str
    doc_id: str
    status: str | None = None
    fatalities: int | None = None
    attributed_to: list[str] = []
    event_date: str | None = None
    location: str | None = None


class EventDetail(Event):
    evidence: list[EvidenceDetail]  # type: ignore[assignment]
    sources: list[EventReport] = []
    outlets: list[str] = []
    fatalities_max: int | None = None


class ListedEvent(Event):
    """An event in a list page: its first evidence sentences only, and how many it has."""

    evidence_total: int = Field(description="evidence sentences in all (GET /events/{event_id} has them)")


class EventPage(Strict):
    count: int = Field(description="Events in this page")
    limit: int
    offset: int
    next_offset: int | None = Field(description="Offset of the next page, null on the last one")
    events: list[ListedEvent]


class PointGeometry(Strict):
    type: Literal["Point"] = "Point"
    coordinates: tuple[float, float]


class Feature(Strict):
    type: Literal["Feature"] = "Feature"
    id: str
    geometry: PointGeometry | None
    properties: dict[str, Any]


class FeatureCollection(Strict):
    type: Literal["FeatureCollection"] = "FeatureCollection"
    features: list[Feature]
    next_offset: int | None = None
    date: str | None = None


class ControlPlace(Strict):
    """Who held a place on the asked date, since when, and the events that say so."""

    place: str | None = None
    place_key: str
    latitude: float | None = None
    longitude: float | None = None
    geonameid: int | None = None
    controller: str | None = None
    previous: str | None = None
    since: str | None = None
    event_ids: list[str] = []


class ControlMap(Strict):
    date: str
    bbox: list[float] | None = None
    places: list[ControlPlace]


class SpanOut(Strict):
    start: int
    end: int
    label: str
    attrs: dict[str, Any] = {}


class DocumentOut(Strict):
    """A stored document: its clean text as data (never HTML-escaped or unescaped) and its spans."""

    id: str
    state: Literal["processed", "quarantined", "duplicate"]
    title: str | None = None
    outlet: str | None = None
    url: str | None = None
    published: str | None = None
    text: str | None = Field(None, description="The clean text every span points into")
    spans: list[SpanOut] = []
    event_ids: list[str] = []
    duplicate_of: str | None = None
    reason: str | None = None


class ArticleIn(Strict):
    """A new article to ingest; without an id one is derived from the text."""

    id: str | None = Field(None, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")
    text: str = Field(min_length=1, max_length=500_000)
    title: str | None = Field(None, max_length=2000)
    published: date | None = None
    url: str | None = Field(None, max_length=2048, pattern=r"^https?://\S+$")
    outlet: str | None = Field(None, max_length=200)

    @field_validator("published")
    @classmethod
    def _plausible(cls, value: date | None) -> date | None:
        """Dates are coded relative to publication: year 1 would make "yesterday" unrepresentable."""
        if value is not None and plausible_date(value) is None:
            raise ValueError("a publication date between 1900 and next year")
        return value


class IngestResult(Strict):
    id: str
    state: Literal["processed", "quarantined", "duplicate"]
    events: list[str] = Field(description="Ids of the events extracted from this article")
    quarantine: str | None = None
    duplicate_of: str | None = None


class PageConfig(Strict):
    """What the map page needs to know about the server: an optional tile layer, and whether
    reading needs signing in."""

    tile_url: str | None = None
    tile_attribution: str | None = None
    private: bool = False


class Problem(Strict):
    detail: str
