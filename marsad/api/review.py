"""The review API: the queue, an event's review card, and the analyst's decisions.

Reads follow the server's read rule (open, or a reader's token when private); every write needs
an editor's token and passes the same size and rate limits as any write. A decision is saved
with who and when (:mod:`marsad.store.review`), then only the events it touches are merged
again, so a click costs milliseconds on a store of tens of thousands of events.
"""

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, HTTPException, Query
from fastapi import Path as PathParam
from pydantic import BaseModel, ConfigDict, Field

from marsad.api.auth import Auth
from marsad.api.filters import EventFilters
from marsad.api.models import Event, EventDetail, EventReport, Problem, Status, SubEventType
from marsad.event import INTER_CODES, SUB_EVENT_TYPES
from marsad.store import review

ID = Annotated[str, PathParam(pattern=r"^[^\x00/]{1,200}$")]
Text = Annotated[str, Field(max_length=200, pattern=r"^[^\x00]*$")]
Note = Annotated[str | None, Field(None, max_length=2000, pattern=r"^[^\x00]*$")]
Reason = Literal[review.REJECT_REASONS]  # type: ignore[valid-type]
QueueState = Literal["todo", "pending", "conflict", "reviewed", "rejected", "all"]
Order = Literal["confidence", "disputed", "date", "recent"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Principal(Strict):
    name: str
    role: Literal["reader", "editor", "admin"]


class Account(Principal):
    created_at: str


class EventFields(Strict):
    """Values an analyst sets; a field left out keeps its value, null clears it."""

    sub_event_type: SubEventType = Field(None, description="ACLED sub-event type; sets the event type")  # type: ignore[assignment]
    event_date: date | None = None
    time_precision: int | None = Field(None, ge=1, le=3)
    actor1: Text | None = None
    assoc_actor_1: Text | None = None
    inter1: int | None = Field(None, ge=1, le=8)
    actor2: Text | None = None
    assoc_actor_2: Text | None = None
    inter2: int | None = Field(None, ge=1, le=8)
    location: Text | None = None
    admin1: Text | None = None
    country: Text | None = None
    country_code: str | None = Field(None, pattern=r"^[A-Z]{2}$")
    latitude: float | None = Field(None, ge=-90, le=90, allow_inf_nan=False)
    longitude: float | None = Field(None, ge=-180, le=180, allow_inf_nan=False)
    geonameid: int | None = Field(None, ge=1, le=2**53)
    geo_precision: int | None = Field(None, ge=1, le=3)
    fatalities: int | None = Field(None, ge=0, le=1_000_000)
    status: Status = None  # type: ignore[assignment]
    historical: bool = None  # type: ignore[assignment]
    attributed_to: list[Text] = Field(None, max_length=20)  # type: ignore[assignment]

    def values(self) -> dict[str, Any]:
        out = self.model_dump(exclude_unset=True)
        for key in ("sub_event_type", "status", "historical", "attributed_to"):
            if key in out and out[key] is None:
                out.pop(key)  # these cannot be cleared, only set
        if isinstance(out.get("event_date"), date):
            out["event_date"] = out["event_date"].isoformat()
        return out


class Decision(Strict):
    if_version: int | None = Field(
        None, ge=0, le=1_000_000_000, description="The review version the client saw; 409 if it moved"
    )
    note: Note = None


class Correction(Decision):
    fields: EventFields


class Rejection(Decision):
    reason: Reason


class MergeRequest(Strict):
    event_ids: list[Annotated[str, Field(pattern=r"^[^\x00/]{1,200}$")]] = Field(min_length=2, max_length=50)
    if_versions: list[Annotated[int, Field(ge=0, le=1_000_000_000)]] | None = Field(
        None,
        max_length=50,
        description="The review version the client saw of each event, in the order of event_ids; 409 if one moved",
    )
    note: Note = None


class SplitRequest(Decision):
    member_ids: list[Annotated[str, Field(pattern=r"^[^\x00/]{1,200}$")]] = Field(
        min_length=1, max_length=500
    )


class NewEvent(Strict):
    """An event the coder missed: its sentence in a stored document, and its values."""

    doc_id: Annotated[str, Field(pattern=r"^[^\x00/]{1,200}$")]
    start: int = Field(ge=0, le=10_000_000, description="Start of the evidence in the clean text")
    end: int = Field(ge=1, le=10_000_000)
    fields: EventFields
    note: Note = None


class Conflict(Strict):
    field: str
    reviewed: Any = None
    machine: Any = None
    machine_then: Any = None


class ReviewState(Strict):
    review_id: str
    decision: str
    reason: str | None = None
    reviewer: str | None = None
    reviewed_at: str | None = None
    version: int
    reviewed_fields: list[str]
    changed: list[str]
    conflicts: list[Conflict]
    machine: dict[str, Any] = Field(description="The machine's values now, under the analyst's")


class Result(Strict):
    review_id: str
    event_id: str | None = Field(description="The event that now holds the decision")
    decision: str
    version: int


class QueueItem(Event):
    n_sources: int = 1
    review: ReviewState | None = None


class QueuePage(Strict):
    count: int
    limit: int
    offset: int
    next_offset: int | None
    state: str
    order: str
    items: list[QueueItem]


class PlaceOption(Strict):
    location: str
    name_ar: str | None = None
    type: str | None = None
    admin1: str | None = None
    country: str | None = None
    country_code: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    geonameid: int | None = None
    geo_precision: int | None = None
    population: int | None = None
    distance_km: float | None = None
    why: str | None = None


class ActorOption(Strict):
    name: str
    type: str | None = None
    country: str | None = None
    inter: int | None = None
    source: str | None = None
    why: str | None = None


class Candidates(Strict):
    places: list[PlaceOption]
    actors: list[ActorOption]


class LogEntry(Strict):
    seq: int
    review_id: str
    action: str
    event_id: str | None = None
    user: str
    at: str
    before: dict[str, Any]
    after: dict[str, Any]
    note: str | None = None


class ReviewCard(Strict):
    event: EventDetail
    review: ReviewState | None = None
    members: list[EventReport] = Field(description="Each document's report merged into the event")
    candidates: Candidates
    history: list[LogEntry]
    reject_reasons: list[str]
    sub_event_types: list[str]


def warm_up() -> None:
    """Load the gazetteer index the place search reads (seconds), before the first search."""
    from marsad.entities import search

    search.places("x")


def _state(raw: dict[str, Any] | None) -> ReviewState | None:
    if raw is None:
        return None
    return ReviewState(**{k: raw[k] for k in ReviewState.model_fields})


def _candidates(detail: EventDetail, docs: dict[str, dict[str, Any]]) -> Candidates:
    """The places and actors the coder weighed: those of the evidence sentences and the
    alternatives it rejected for each place, then the rest of the article's actors."""
    from marsad.entities import search

    places: dict[tuple, PlaceOption] = {}
    actors: dict[str, ActorOption] = {}
    if detail.location:
        key = (detail.location, detail.country_code)
        places[key] = PlaceOption(
            **{f: getattr(detail, f) for f in PlaceOption.model_fields if hasattr(detail, f)}, why="coded"
        )
    for where in ("sentence", "article"):
        for ev in detail.evidence:
            doc = docs.get(ev.doc_id) or {}
            for span in doc.get("spans") or []:
                inside = ev.start <= span["start"] < span["end"] <= ev.end
                if inside != (where == "sentence"):
                    continue
                attrs = span.get("attrs") or {}
                word = (doc.get("clean") or "")[span["start"] : span["end"]]
                if span["label"] == "place" and where == "sentence" and attrs.get("role") != "government":
                    # The coder's own reading of the word as it coded it; its rejected
                    # alternatives carry no coordinates, so the gazetteer supplies them.
                    own = search.resolve(attrs.get("name"), attrs.get("geonameid"), attrs.get("country_code"))
                    if attrs.get("lat") is not None:
                        own = {
                            "location": attrs.get("name") or word,
                            "latitude": attrs.get("lat"),
                            "longitude": attrs.get("lon"),
                            "geonameid": attrs.get("geonameid"),
                            "admin1": attrs.get("admin1"),
                            "country": attrs.get("country"),
                            "country_code": attrs.get("country_code"),
                            "geo_precision": attrs.get("precision"),
                        }
                    options = [(own, f"read for «{word}»")] + [
                        (
                            search.resolve(a.get("name"), a.get("geonameid"), a.get("country_code")),
                            f"alternative for «{word}»",
                        )
                        for a in attrs.get("alternatives") or []
                    ]
                    for rec, why in options:
                        if rec and rec.get("location"):
                            places.setdefault(
                                (rec["location"], rec.get("country_code")),
                                PlaceOption(**_fit(rec, PlaceOption), why=why),
                            )
                if span["label"] == "actor" and attrs.get("canonical"):
                    name = attrs["canonical"]
                    if name in actors:
                        continue
                    rec = search.actor_record(name) or {
                        "name": name,
                        "type": attrs.get("type"),
                        "country": attrs.get("country"),
                        "inter": INTER_CODES.get(attrs.get("type") or ""),
                        "source": "coder",
                    }
                    actors[name] = ActorOption(**rec, why=f"«{word}» in the {where}")
    return Candidates(places=list(places.values())[:30], actors=list(actors.values())[:30])


def _fit(rec: dict[str, Any], model: type[BaseModel]) -> dict[str, Any]:
    return {k: v for k, v in rec.items() if k in model.model_fields and k != "why"}


def add_routes(
    app: FastAPI,
    using_store: Callable[[], AbstractContextManager[Any]],
    auth: Auth,
    event_detail: Callable[[Any, str], EventDetail | None],
) -> None:
    """The ``/me``, ``/users`` and ``/review/...`` operations."""

    def problems(*codes: int) -> dict[int | str, dict[str, Any]]:
        return {code: {"model": Problem} for code in codes}

    read = [Depends(auth.reader)]
    write = problems(400, 401, 403, 404, 409, 413, 429)

    @app.get("/me", response_model=Principal, tags=["accounts"], responses=problems(401, 429))
    def me(user: Annotated[dict | None, Depends(auth.reader)]) -> Principal:
        """Who the bearer token belongs to: how the page signs in."""
        if user is None:
            raise HTTPException(401, "no valid token", {"WWW-Authenticate": "Bearer"})
        return Principal(**user)

    @app.get("/users", response_model=list[Account], tags=["accounts"], responses=problems(401, 403, 429))
    def list_users(_: Annotated[dict, Depends(auth.admin)]) -> list[Account]:
        """Every account, without tokens (the store has none to give)."""
        with using_store() as s:
            return [Account(**u) for u in review.users(s.db)]

    @app.get(
        "/review/queue",
        response_model=QueuePage,
        tags=["review"],
        dependencies=read,
        responses=problems(401, 429),
    )
    def queue(
        filters: EventFilters,
        state: QueueState = "todo",
        order: Order = "confidence",
        limit: Annotated[int, Query(ge=1, le=200)] = 50,
        offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    ) -> QueuePage:
        """Events by review state: ``todo`` (no decision yet, or a conflict to settle),
        ``pending``, ``conflict``, ``reviewed``, ``rejected`` or ``all``; least certain first
        (``confidence``), disputed first, or by date."""
        with using_store() as s:
            rows = list(s.events(**filters, review_state=state, order=order, limit=limit + 1, offset=offset))
            states = {r["event_id"]: review.state(s.db, r["event_id"]) for r in rows[:limit]}
        items = []
        for r in rows[:limit]:
            fields = {k: r.get(k) for k in Event.model_fields if k in r}
            items.append(
                QueueItem(**fields, n_sources=len(r["doc_ids"]), review=_state(states[r["event_id"]]))
            )
        more = len(rows) > limit
        return QueuePage(
            count=len(items),
            limit=limit,
            offset=offset,
            next_offset=offset + limit if more else None,
            state=state,
            order=order,
            items=items,
        )

    @app.get(
        "/review/events/{event_id}",
        response_model=ReviewCard,
        tags=["review"],
        dependencies=read,
        responses=problems(401, 404, 429),
    )
    def card(event_id: ID) -> ReviewCard:
        """An event as the review card shows it: evidence with its words marked, every source
        article, the places and actors the coder weighed, the review state and its history."""
        with using_store() as s:
            detail = event_detail(s, event_id)
            if detail is None:
                raise HTTPException(404, "no such event")
            docs = {d: s.document(d) or {} for d in {e.doc_id for e in detail.evidence}}
            st = review.state(s.db, detail.event_id)
            members = [
                EventReport(**{k: m.get(k) for k in EventReport.model_fields})
                for m in (s.event(detail.event_id) or {}).get("sources", [])
            ]
            ids = [st["review_id"]] if st else []
            history = review.history(s.db, ids)
        return ReviewCard(
            event=detail,
            review=_state(st),
            members=members,
            candidates=_candidates(detail, docs),
            history=[LogEntry(**h) for h in history],
            reject_reasons=list(review.REJECT_REASONS),
            sub_event_types=list(SUB_EVENT_TYPES),
        )

    def _apply(change: Callable[[Any], str], event_ids: list[str]) -> Result:
        with using_store() as s:
            try:
                before = [e for e in (review.locate(s.db, i) for i in event_ids) if e]
                rid = change(s)
            except review.ReviewError as exc:
                raise HTTPException(exc.status, str(exc)) from None
            s.merge_local(before, [rid])
            row = s.db.one(
                "SELECT event_id, decision, version FROM event_reviews WHERE review_id = ?", (rid,)
            )
            if row is None:  # a rejected event whose reports are gone, or a reopened empty one
                rev = s.db.one("SELECT decision, version FROM reviews WHERE review_id = ?", (rid,))
                return Result(review_id=rid, event_id=None, decision=rev[0], version=rev[1])
        return Result(review_id=rid, event_id=row[0], decision=row[1], version=row[2])

    def _decide(event_id: str, user: dict, body: Decision, decision: str, **kw: Any) -> Result:
        return _apply(
            lambda s: review.decide(
                s.db,
                event_id,
                user=user["name"],
                decision=decision,
                note=body.note,
                if_version=body.if_version,
                **kw,
            ),
            [event_id],
        )

    @app.post("/review/events/{event_id}/accept", response_model=Result, tags=["review"], responses=write)
    def accept(event_id: ID, body: Decision, user: Annotated[dict, Depends(auth.editor)]) -> Result:
        """The event is right as shown: every value is frozen as reviewed."""
        return _decide(event_id, user, body, "accepted")

    @app.post("/review/events/{event_id}/correct", response_model=Result, tags=["review"], responses=write)
    def correct(event_id: ID, body: Correction, user: Annotated[dict, Depends(auth.editor)]) -> Result:
        """Set some values (the rest are accepted as shown); they win over the machine's."""
        return _decide(event_id, user, body, "corrected", fields=body.fields.values())

    @app.post("/review/events/{event_id}/reject", response_model=Result, tags=["review"], responses=write)
    def reject(event_id: ID, body: Rejection, user: Annotated[dict, Depends(auth.editor)]) -> Result:
        """Not an event (or background, a duplicate, ...): it leaves the map and the exports."""
        return _decide(event_id, user, body, "rejected", reason=body.reason)

    @app.post("/review/events/{event_id}/reopen", response_model=Result, tags=["review"], responses=write)
    def reopen(event_id: ID, body: Decision, user: Annotated[dict, Depends(auth.editor)]) -> Result:
        """Forget the decision (the log keeps it): the machine's values are shown again."""
        return _decide(event_id, user, body, "pending")

    @app.post("/review/events/{event_id}/split", response_model=Result, tags=["review"], responses=write)
    def split(event_id: ID, body: SplitRequest, user: Annotated[dict, Depends(auth.editor)]) -> Result:
        """Split the listed reports off into an event of their own, which waits for review."""
        return _apply(
            lambda s: review.split(
                s.db, event_id, body.member_ids, user=user["name"], note=body.note, if_version=body.if_version
            ),
            [event_id],
        )

    @app.post("/review/merge", response_model=Result, tags=["review"], responses=write)
    def merge(body: MergeRequest, user: Annotated[dict, Depends(auth.editor)]) -> Result:
        """Make one event of several: the reports are one event's."""
        return _apply(
            lambda s: review.regroup(
                s.db, body.event_ids, user=user["name"], note=body.note, if_versions=body.if_versions
            ),
            body.event_ids,
        )

    @app.post("/review/events", response_model=Result, status_code=201, tags=["review"], responses=write)
    def add(body: NewEvent, user: Annotated[dict, Depends(auth.editor)]) -> Result:
        """An event the coder missed, from a sentence of a stored article."""
        return _apply(
            lambda s: review.add_event(
                s.db,
                body.doc_id,
                body.start,
                body.end,
                body.fields.values(),
                user=user["name"],
                note=body.note,
            ),
            [],
        )

    @app.post("/review/documents/{doc_id}/done", response_model=Principal, tags=["review"], responses=write)
    def document_done(doc_id: ID, user: Annotated[dict, Depends(auth.editor)]) -> Principal:
        """The article is reviewed whole (none of its events waits): the gold export takes it."""
        with using_store() as s:
            try:
                review.mark_document(s.db, doc_id, user=user["name"])
            except review.ReviewError as exc:
                raise HTTPException(exc.status, str(exc)) from None
        return Principal(**user)

    @app.get(
        "/review/actors",
        response_model=list[ActorOption],
        tags=["review"],
        dependencies=read,
        responses=problems(401, 429),
    )
    def find_actors(
        q: Annotated[str, Query(min_length=1, max_length=100, pattern=r"^[^\x00]*$")],
    ) -> list[ActorOption]:
        """Actors of the dictionary and of the store whose name (or Arabic alias) holds ``q``."""
        from marsad.entities import search

        with using_store() as s:
            extra = [
                (n, t, c) for n, t, c in s.db.query("SELECT name, type, country FROM actors ORDER BY name")
            ]
        return [ActorOption(**a) for a in search.actors(q, extra)]

    @app.get(
        "/review/places",
        response_model=list[PlaceOption],
        tags=["review"],
        dependencies=read,
        responses=problems(400, 401, 429),
    )
    def find_places(
        q: Annotated[str | None, Query(min_length=1, max_length=100, pattern=r"^[^\x00]*$")] = None,
        lat: Annotated[float | None, Query(ge=-90, le=90)] = None,
        lon: Annotated[float | None, Query(ge=-180, le=180)] = None,
    ) -> list[PlaceOption]:
        """Gazetteer places by name (English or Arabic), or the named places near a clicked point."""
        from marsad.entities import search

        if lat is not None and lon is not None:
            return [PlaceOption(**_fit(p, PlaceOption)) for p in search.near(lat, lon)]
        if q:
            return [PlaceOption(**_fit(p, PlaceOption)) for p in search.places(q)]
        raise HTTPException(400, "give q, or lat and lon")
