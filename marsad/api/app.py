"""The HTTP API and the map page, one FastAPI app over one store (``marsad serve``).

Every database read and write goes through :mod:`marsad.store`, whose SQL is parameterised.
A store holds one connection, so requests take turns on it behind a lock; reads are short and
the page fetches in pages, so the lock is never held long. The map page is a pre-built bundle
in :mod:`marsad.web`'s ``static`` folder: serving it needs no Node.js.
"""

from __future__ import annotations

import math
import os
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal, get_args
from urllib.parse import urlsplit

import orjson
from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, PlainTextResponse, Response
from fastapi.staticfiles import StaticFiles

from marsad.api import mapdata
from marsad.api import review as review_api
from marsad.api.auth import Auth
from marsad.api.filters import BBox, EventFilters
from marsad.api.limits import BodySizeLimit, RateLimit, SlidingWindow
from marsad.api.models import (
    ArticleIn,
    ControlMap,
    ControlPlace,
    DocumentOut,
    DocumentRef,
    Event,
    EventDetail,
    EventPage,
    Evidence,
    Feature,
    FeatureCollection,
    IngestResult,
    ListedEvent,
    PageConfig,
    PointGeometry,
    Problem,
    SpanOut,
)
from marsad.document import Document
from marsad.store import open_store

STATIC_DIR = Path(__file__).resolve().parents[1] / "web" / "static"
MAX_BODY_BYTES = 1_000_000
# Labels whose words the page marks inside an evidence sentence, most telling first: where two
# overlap, the earlier label wins.
HIGHLIGHT_LABELS = ("trigger", "casualties", "actor", "place", "source", "date")

ID_PATTERN = r"^[^\x00/]{1,200}$"


def _problems(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {code: {"model": Problem} for code in codes}


def _event(d: dict[str, Any], model: type[Event] = Event) -> Event:
    return model.model_validate({k: d.get(k) for k in model.model_fields if k in d})


# A listed event's fields in the model's order, those it holds as floats, an evidence sentence's.
_LISTED = tuple(ListedEvent.model_fields)
_FLOATS = tuple(
    k for k, f in ListedEvent.model_fields.items() if float in (f.annotation, *get_args(f.annotation))
)
_SENTENCE = tuple(Evidence.model_fields)


def _listed(d: dict[str, Any]) -> dict[str, Any]:
    """A store row as ``ListedEvent`` dumps it, without building the model: orjson writes a page
    of a hundred events in under a millisecond, where validating and dumping the models took
    about 13 ms, most of a request's CPU. ``tests/test_api.py`` checks that the bytes are the
    models' own."""
    out = {k: d.get(k, ListedEvent.model_fields[k].default) for k in _LISTED}
    for k in _FLOATS:
        if out[k] is not None:
            out[k] = float(out[k])
    out["evidence"] = [{k: e[k] for k in _SENTENCE} for e in out["evidence"]]
    return out


def _listed_feature(e: dict[str, Any]) -> dict[str, Any]:
    """``_feature`` of a listed event, as a dict that dumps as the ``Feature`` model does."""
    lat, lon = e["latitude"], e["longitude"]
    geometry = {"type": "Point", "coordinates": [lon, lat]} if lat is not None and lon is not None else None
    return {"type": "Feature", "id": e["event_id"], "geometry": geometry, "properties": e}


def _feature(
    d: dict[str, Any], id_key: str, lat_key: str = "latitude", lon_key: str = "longitude"
) -> Feature:
    lat, lon = d.get(lat_key), d.get(lon_key)
    geometry = PointGeometry(coordinates=(lon, lat)) if lat is not None and lon is not None else None
    return Feature(id=str(d[id_key]), geometry=geometry, properties=d)


def _control_place(d: dict[str, Any]) -> ControlPlace:
    """Accept both spellings of the store's control rows (``place``/``name``, ``lat``/``latitude``)."""
    return ControlPlace(
        place=d.get("place", d.get("name")),
        place_key=str(d.get("place_key") or d.get("geonameid") or d.get("place") or d.get("name")),
        latitude=d.get("latitude", d.get("lat")),
        longitude=d.get("longitude", d.get("lon")),
        geonameid=d.get("geonameid"),
        controller=d.get("controller"),
        previous=d.get("previous"),
        since=d.get("since"),
        event_ids=list(d.get("event_ids", d.get("events")) or []),
    )


def _about(span: dict[str, Any], event: dict[str, Any]) -> bool:
    """Whether a tagged word is one of this event's own arguments, judged from its attributes.

    A sentence often names more places and actors than its event uses; only the event's own
    are marked. A span without the attribute that would decide is kept.
    """
    attrs = span.get("attrs") or {}
    label = span["label"]
    if label == "trigger":
        return attrs.get("sub_event_type") in (None, event.get("sub_event_type"))
    if label == "place":
        name, gid = attrs.get("name"), attrs.get("geonameid")
        return (
            (name is None and gid is None)
            or name == event.get("location")
            or (gid is not None and gid == event.get("geonameid"))
        )
    if label == "actor":
        actors = {event.get(k) for k in ("actor1", "assoc_actor_1", "actor2", "assoc_actor_2")}
        return attrs.get("canonical") is None or attrs["canonical"] in actors
    if label == "source":
        return attrs.get("canonical") is None or attrs["canonical"] in (event.get("attributed_to") or [])
    return True


def _highlights(
    sentence: dict[str, Any], doc: dict[str, Any] | None, event: dict[str, Any]
) -> list[dict[str, Any]]:
    """The event's tagged words inside one evidence sentence, relative to it, never overlapping."""
    clean = (doc or {}).get("clean")
    start, end = sentence["start"], sentence["end"]
    if not clean or clean[start:end] != sentence["text"]:
        return []
    rank = {label: i for i, label in enumerate(HIGHLIGHT_LABELS)}
    found = sorted(
        (
            s
            for s in doc.get("spans") or []
            if s["label"] in rank and start <= s["start"] < s["end"] <= end and _about(s, event)
        ),
        key=lambda s: (rank[s["label"]], s["start"]),
    )
    taken: list[tuple[int, int]] = []
    out = []
    for s in found:
        if any(s["start"] < b and a < s["end"] for a, b in taken):
            continue
        taken.append((s["start"], s["end"]))
        out.append({"start": s["start"] - start, "end": s["end"] - start, "label": s["label"]})
    return sorted(out, key=lambda h: h["start"])


def event_detail(store: Any, event_id: str) -> EventDetail | None:
    """One event with its evidence sentences, the matched words in each and their documents."""
    found = store.event(event_id)
    if found is None:
        return None
    docs = {d: store.document(d) for d in {e["doc_id"] for e in found.get("evidence") or []}}
    evidence = []
    for e in found.get("evidence") or []:
        doc = docs.get(e["doc_id"])
        ref = None
        if doc is not None:
            ref = DocumentRef(**{k: doc.get(k) for k in DocumentRef.model_fields}).model_dump()
        evidence.append({**e, "highlights": _highlights(e, doc, found), "document": ref})
    fields = {k: found.get(k) for k in Event.model_fields if k in found}
    return EventDetail.model_validate(
        fields
        | {
            "evidence": evidence,
            "sources": found.get("sources") or [],
            "outlets": found.get("outlets") or [],
            "fatalities_max": found.get("fatalities_max"),
        }
    )


def _printable(value: Any) -> Any:
    """``value`` as JSON can carry it: lone surrogates replaced by U+FFFD, NaN and infinities as text.

    A request body may hold both (Python's JSON reader accepts them), and the 422 echoes it."""
    if isinstance(value, str):
        return value.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, list | tuple):
        return [_printable(v) for v in value]
    if isinstance(value, dict):
        return {_printable(k): _printable(v) for k, v in value.items()}
    return value


class _Uncounted:
    """A run summary for one posted article: its counts are not kept."""

    skipped = repeated = 0


def _csp(tile_url: str | None) -> str:
    """Scripts only from this server: injected markup could not run even if it got in."""
    images = "'self' data:"
    if tile_url:
        parts = urlsplit(tile_url)
        host = parts.netloc.replace("{s}", "*")
        if parts.scheme in ("http", "https") and host:
            images += f" {parts.scheme}://{host}"
    return (
        f"default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src {images};"
        " connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
    )


def create_app(
    db: str,
    token: str | None = None,
    *,
    tile_url: str | None = None,
    tile_attribution: str | None = None,
    max_body_bytes: int = MAX_BODY_BYTES,
    reads_per_minute: int = 600,
    writes_per_minute: int = 30,
    private: bool | None = None,
) -> FastAPI:
    """The app over the store at ``db``. Writes need an editor's token or ``token`` (or
    MARSAD_API_TOKEN); reads need a reader's token when ``private`` (or MARSAD_PRIVATE=1)."""
    token = token or os.environ.get("MARSAD_API_TOKEN") or None
    if private is None:
        private = os.environ.get("MARSAD_PRIVATE", "") not in ("", "0", "false")
    tile_url = tile_url or os.environ.get("MARSAD_TILE_URL") or None
    tile_attribution = tile_attribution or os.environ.get("MARSAD_TILE_ATTRIBUTION") or None
    store_box: list[Any] = [open_store(db, merge_on_read=False)]
    store_lock = threading.RLock()
    ingest_lock = threading.Lock()
    pipeline_box: list[Any] = []

    @contextmanager
    def using_store() -> Iterator[Any]:
        # Reopened after a shutdown: a test client (or an ASGI server) may run the lifespan again.
        with store_lock:
            if not store_box:
                store_box.append(open_store(db, merge_on_read=False))
            yield store_box[0]

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        with store_lock:
            if store_box:
                store_box.pop().close()

    app = FastAPI(
        title="marsad",
        summary="Geocoded, source-attributed conflict events read from Arabic news",
        version="0.1.0",
        lifespan=lifespan,
        # The bundled Swagger/ReDoc pages load their scripts from a CDN; the schema itself is
        # served at /openapi.json and works offline.
        docs_url=None,
        redoc_url=None,
    )
    auth = Auth(token, private, using_store)
    # Every read of the store goes through this: open, or a reader's token on a private server.
    read = [Depends(auth.reader)]

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, exc: RequestValidationError) -> Response:
        """FastAPI's own 422, made safe to send: a validation error echoes the input, and input
        with a lone surrogate (a broken JSON escape) cannot be written as UTF-8."""
        from fastapi.encoders import jsonable_encoder
        from fastapi.responses import JSONResponse

        return JSONResponse(status_code=422, content={"detail": _printable(jsonable_encoder(exc.errors()))})

    @app.get(
        "/events",
        response_model=EventPage | FeatureCollection,
        tags=["events"],
        dependencies=read,
        responses=_problems(401, 429),
    )
    def list_events(
        filters: EventFilters,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
        offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
        format: Literal["json", "geojson"] = "json",
        evidence: Annotated[int, Query(ge=0, le=1000)] = 5,
    ) -> EventPage | FeatureCollection:
        """Merged events, oldest first, filtered; JSON pages or a GeoJSON FeatureCollection.

        Each event carries its first ``evidence`` sentences and ``evidence_total``: an event
        merged from hundreds of reports is read whole at ``/events/{event_id}``. Events an
        analyst rejected are left out (the review queue lists them)."""
        with using_store() as s:
            # One extra row says whether another page follows, without counting the table.
            rows = list(s.events(**filters, limit=limit + 1, offset=offset, evidence=evidence))
        more = len(rows) > limit
        events = [_listed(r) for r in rows[:limit]]
        next_offset = offset + limit if more else None
        if format == "geojson":
            page: dict[str, Any] = {
                "type": "FeatureCollection",
                "features": [_listed_feature(e) for e in events],
                "next_offset": next_offset,
                "date": None,
            }
        else:
            page = {"count": len(events), "limit": limit, "offset": offset, "next_offset": next_offset}
            page["events"] = events
        return Response(orjson.dumps(page), media_type="application/json")

    @app.get(
        "/events/{event_id}",
        response_model=EventDetail,
        tags=["events"],
        dependencies=read,
        responses=_problems(401, 404, 429),
    )
    def get_event(event_id: Annotated[str, PathParam(pattern=ID_PATTERN)]) -> EventDetail:
        """One event with its evidence sentences, the matched words in each and their documents."""
        with using_store() as s:
            found = event_detail(s, event_id)
        if found is None:
            raise HTTPException(404, "no such event")
        return found

    @app.get(
        "/control",
        response_model=ControlMap | FeatureCollection,
        tags=["control"],
        dependencies=read,
        responses=_problems(401, 429),
    )
    def control(
        bbox: BBox,
        date: Annotated[date, Query(description="The day to show, YYYY-MM-DD")],
        format: Literal["json", "geojson"] = "json",
    ) -> ControlMap | FeatureCollection:
        """Who controls each place on ``date``, from the last change on or before it."""
        day = date.isoformat()
        with using_store() as s:
            places = [_control_place(p) for p in s.control(day, bbox)]
        if format == "geojson":
            features = [_feature(p.model_dump(), "place_key") for p in places]
            return FeatureCollection(features=features, date=day)
        return ControlMap(date=day, bbox=list(bbox) if bbox else None, places=places)

    @app.get(
        "/documents/{doc_id}",
        response_model=DocumentOut,
        tags=["documents"],
        dependencies=read,
        responses=_problems(401, 404, 429),
    )
    def get_document(doc_id: Annotated[str, PathParam(pattern=ID_PATTERN)]) -> DocumentOut:
        """A document's clean text and spans; the text is data for the client to escape."""
        with using_store() as s:
            doc = s.document(doc_id)
        if doc is None:
            raise HTTPException(404, "no such document")
        state = doc.get("state", "processed")
        return DocumentOut(
            id=doc["id"],
            state=state,
            title=doc.get("title"),
            outlet=doc.get("outlet"),
            url=doc.get("url"),
            published=doc.get("published"),
            text=doc.get("clean") if state == "processed" else None,
            spans=[
                SpanOut(**{k: sp[k] for k in ("start", "end", "label", "attrs")})
                for sp in doc.get("spans") or []
            ],
            event_ids=doc.get("event_ids") or [],
            duplicate_of=doc.get("duplicate_of"),
            reason=doc.get("reason"),
        )

    @app.get("/stats", tags=["store"], dependencies=read, responses=_problems(401, 429))
    def stats() -> dict[str, Any]:
        """Counts of documents, rejects, events and control changes in the store."""
        with using_store() as s:
            return s.stats()

    @app.post(
        "/documents",
        response_model=IngestResult,
        status_code=201,
        tags=["documents"],
        dependencies=[Depends(auth.editor)],
        responses={200: {"model": IngestResult, "description": "Already stored: the first answer"}}
        | _problems(400, 401, 403, 409, 413, 429, 503),
    )
    def ingest(article: ArticleIn, response: Response) -> IngestResult:
        """Run one article through the pipeline, store it and re-merge the events.

        The article's key is its text: posting it again (an HTTP retry) changes nothing and
        answers 200 with the first answer; an id that already names another text is refused
        (409) and the text kept in the quarantine."""
        with ingest_lock, using_store() as s:
            if not pipeline_box:
                try:
                    from marsad.runner import Coder

                    pipeline_box.append(Coder(s))
                except ImportError as exc:
                    raise HTTPException(503, f"the pipeline is not available: {exc}") from None
            coder = pipeline_box[0]
            if coder.admission.store is not s:  # the store was reopened after a shutdown
                from marsad.admission import Admission

                coder.admission = Admission(s)
            doc = Document(
                id=article.id or "api",
                text=article.text,
                source="api",
                title=article.title,
                published=article.published,
                url=article.url,
                outlet=article.outlet,
            )
            if article.id:
                doc.meta["id_given"] = True
            new = False
            for fresh in coder.admission.new_records([doc], _Uncounted()):
                doc = coder(fresh)
                done = s.write(doc) + s.flush()
                new = any(not d.meta.get("already") for d in done)
                if new:
                    s.merge()
            outcome = s.outcome(doc.meta["record"], doc.meta.get("text_hash"))
        if outcome is None:  # cannot happen: the store holds what it was just given
            raise HTTPException(500, "the article was not stored")
        reason = outcome.get("reason") or ""
        if reason.startswith("id collision"):
            raise HTTPException(409, f"{reason} (kept in the quarantine as {outcome['id']})")
        response.status_code = 201 if new else 200
        return IngestResult(
            id=outcome["id"],
            state=outcome["state"],
            events=outcome.get("event_ids") or [],
            quarantine=outcome.get("reason"),
            duplicate_of=outcome.get("duplicate_of"),
        )

    @app.get("/config", response_model=PageConfig, tags=["page"])
    def page_config() -> PageConfig:
        """Settings the map page reads at start: the optional tile layer, and whether reading
        needs signing in."""
        return PageConfig(tile_url=tile_url, tile_attribution=tile_attribution, private=private)

    mapdata.add_routes(app, using_store, read)
    review_api.add_routes(app, using_store, auth, event_detail)

    csp = _csp(tile_url)

    @app.get("/", include_in_schema=False)
    def index() -> Response:
        page = STATIC_DIR / "index.html"
        if not page.is_file():
            return PlainTextResponse(
                "The map page is not built; see docs/web.md (npm --prefix marsad/web run build).", 503
            )
        return FileResponse(page, headers={"Content-Security-Policy": csp})

    app.mount("/static", StaticFiles(directory=STATIC_DIR, check_dir=False), name="static")

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Any) -> Response:
        response = await call_next(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        return response

    # Outermost first: a client over its budget is refused before its body is even read.
    app.add_middleware(BodySizeLimit, max_bytes=max_body_bytes)
    app.add_middleware(
        RateLimit, reads=SlidingWindow(reads_per_minute), writes=SlidingWindow(writes_per_minute)
    )
    return app


def serve(db: str, host: str = "127.0.0.1", port: int = 8000, private: bool | None = None) -> None:
    """Run the app with uvicorn until interrupted (``marsad serve``)."""
    import uvicorn

    # The gazetteer behind the review card's place search loads in the background meanwhile.
    threading.Thread(target=review_api.warm_up, daemon=True).start()
    uvicorn.run(create_app(db, private=private), host=host, port=port, log_level="info")
