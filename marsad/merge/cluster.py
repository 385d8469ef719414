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
from collections.abc import Iterable, Iterator
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
    return _Report(a).fits(_Report(b), radius_km, window_days)


class _Report:
    """What :func:`compatible` reads of a record, worked out once: a merge compares a report
    with many others, and each comparison then costs a few tuple and number tests."""

    __slots__ = ("_identity", "actor1", "actor2", "area", "block", "country", "day", "doc", "gid")
    __slots__ += ("lat", "lon", "name", "precise", "rec", "xyz")

    def __init__(self, rec: dict[str, Any]) -> None:
        self.rec = rec
        self.doc = rec["doc_id"]
        self._identity: tuple | None = None  # read only for two reports of one document
        self.block = (bool(rec.get("historical")), rec["sub_event_type"])
        day = _day(rec)
        self.day = None if day is None else day.toordinal()
        self.precise = rec.get("time_precision") == 1
        self.country = whole_country(rec)
        self.gid = rec.get("geonameid") or None
        self.name = _norm(rec.get("location"))
        lat, lon = rec.get("latitude"), rec.get("longitude")
        self.lat, self.lon = (None, None) if lat is None or lon is None else (lat, lon)
        self.xyz = None if self.lat is None else _point(self.lat, self.lon)
        self.area = _area(rec)
        self.actor1, self.actor2 = _norm(_actor1(rec)), _norm(rec.get("actor2"))

    def fits(self, other: _Report, radius_km: float, window_days: int) -> bool:
        """:func:`compatible` of the two records, rule for rule."""
        if self.doc == other.doc:
            return self.identity() == other.identity()
        if self.block != other.block or self.day is None or other.day is None:
            return False
        # Two dates both known to the day are two days unless one night apart ("last night",
        # reports filed after midnight); the wider window is for dates known to the week or month.
        precise = self.precise and other.precise
        if abs(self.day - other.day) > (min(window_days, DAY_PRECISE_WINDOW) if precise else window_days):
            return False
        return self._same_place(other, radius_km) and self._actors_agree(other)

    def identity(self) -> tuple:
        if self._identity is None:
            self._identity = tuple(_norm(self.rec.get(f)) for f in IDENTITY_FIELDS)
        return self._identity

    def _same_place(self, other: _Report, radius_km: float) -> bool:
        """:func:`same_place`."""
        if self.country or other.country:
            return False
        if self.gid is not None and self.gid == other.gid:
            return True
        if self.name is not None and self.name == other.name:
            return True
        if self.lat is None or other.lat is None:
            return False
        distance = haversine_km(self.lat, self.lon, other.lat, other.lon)
        return distance <= (radius_km if self.area or other.area else SAME_POINT_KM)

    def _actors_agree(self, other: _Report) -> bool:
        """:func:`compatible_actors`."""
        a1, a2, b1, b2 = self.actor1, self.actor2, other.actor1, other.actor2
        if (a1 is None or b1 is None or a1 == b1) and (a2 is None or b2 is None or a2 == b2):
            return True
        return self.block[1] in SYMMETRIC and (
            (a1 is None or b2 is None or a1 == b2) and (a2 is None or b1 is None or a2 == b1)
        )


_EARTH_KM = 6371.0088


def _point(lat: float, lon: float) -> tuple[float, float, float]:
    """The place in kilometres in space: a chord is never longer than its arc, so two places
    within r km on the ground are within r km on every axis."""
    p, la = math.radians(lat), math.radians(lon)
    return (
        _EARTH_KM * math.cos(p) * math.cos(la),
        _EARTH_KM * math.cos(p) * math.sin(la),
        _EARTH_KM * math.sin(p),
    )


def _cube(xyz: tuple[float, float, float], side: float) -> tuple[int, int, int]:
    return (math.floor(xyz[0] / side), math.floor(xyz[1] / side), math.floor(xyz[2] / side))


def _near_cubes(xyz: tuple[float, float, float], side: float) -> Iterator[tuple[int, int, int]]:
    """The 8 cubes of side ``side`` that hold every point within ``side / 2`` on each axis:
    the point's own and its neighbours towards the nearer face on each axis."""
    spans = []
    for v in xyz:
        c = math.floor(v / side)
        spans.append((c, c - 1 if v / side - c < 0.5 else c + 1))
    for x in spans[0]:
        for y in spans[1]:
            for z in spans[2]:
                yield (x, y, z)


class _Alike:
    """Reports of one block and day that every rule reads alike (place, actors, precision).
    Two of them from different documents are compatible, so once it holds two documents they
    are all in one group and one member with another document than a newcomer stands for all."""

    __slots__ = ("first", "members", "other")

    def __init__(self) -> None:
        self.members: list[int] = []
        self.first: str | None = None  # the document of the first member
        self.other: int | None = None  # the first member from another document

    def add(self, i: int, doc: str) -> None:
        if self.first is None:
            self.first = doc
        elif self.other is None and doc != self.first:
            self.other = i
        self.members.append(i)

    def standing_for(self, doc: str) -> Iterable[int]:
        """The members a report of ``doc`` must be compared with (not those of its document:
        they are compared as such)."""
        if self.other is None:
            return () if doc == self.first else self.members
        return (self.other,) if doc == self.first else (self.members[0],)


class Linker:
    """Reports joined into the groups that may hold one event: the connected parts of
    :func:`compatible`, kept as a union-find.

    A cluster only joins reports that are pairwise compatible, so it never reaches outside such
    a group, and clustering each group alone gives the clusters of the whole. Reports may be
    added in any order and in several batches (a store reads them day by day): a new report is
    compared with the reports already added from its document, and with those of its block
    (historical flag and type) within the window that may share its place (same GeoNames id,
    same name, or a cube within reach); never with one already in its group, each pair once,
    and with one of a set of alike reports (:class:`_Alike`) for all.
    """

    def __init__(self, radius_km: float = 25.0, window_days: int = 3) -> None:
        self.radius_km, self.window_days = radius_km, window_days
        # Cube sides a little over twice each distance rule, so rounding never splits a pair.
        self.coarse, self.fine = 2.02 * max(radius_km, SAME_POINT_KM), 2.02 * SAME_POINT_KM
        self.records: list[dict[str, Any]] = []
        self.reports: list[_Report] = []
        self.parent: list[int] = []
        self.members: dict[int, list[int]] = {}  # root -> its group
        self.position: dict[str, int] = {}
        self.alike: dict[tuple, _Alike] = {}
        self.index: dict[tuple, dict[int, list[_Alike]]] = {}  # place key -> day -> alike sets
        self.by_doc: dict[str, list[int]] = {}

    def __contains__(self, event_id: str) -> bool:
        return event_id in self.position

    def add(self, records: Iterable[dict[str, Any]]) -> None:
        """Add reports (each once: see ``in``) and link each to those it fits."""
        for rec in records:
            i = len(self.records)
            rep = _Report(rec)
            self.position[rec["event_id"]] = i
            self.records.append(rec)
            self.reports.append(rep)
            self.parent.append(i)
            self.members[i] = [i]
            root = i
            for j in self._candidates(rep):
                if root != self._find(j) and rep.fits(self.reports[j], self.radius_km, self.window_days):
                    root = self._union(root, j)
            self.by_doc.setdefault(rep.doc, []).append(i)
            if rep.day is not None and not rep.country:
                self._file(i, rep)

    def group(self, event_ids: Iterable[str]) -> list[dict[str, Any]]:
        """The records of the groups of these reports (all added)."""
        roots = {self._find(self.position[e]) for e in event_ids}
        return [self.records[i] for r in sorted(roots) for i in self.members[r]]

    def groups(self) -> list[list[int]]:
        return list(self.members.values())

    def _file(self, i: int, rep: _Report) -> None:
        sig = (rep.block, rep.day, rep.precise, rep.gid, rep.name, rep.lat, rep.lon, rep.area)
        sig += (rep.actor1, rep.actor2)
        alike = self.alike.get(sig)
        if alike is None:
            alike = self.alike[sig] = _Alike()
            keys = []
            if rep.gid is not None:
                keys.append(("g", rep.block, rep.gid))
            if rep.name is not None:
                keys.append(("n", rep.block, rep.name))
            if rep.xyz is not None:
                coarse = _cube(rep.xyz, self.coarse)
                keys.append(("c", rep.block, coarse))  # every placed report, for the areas
                keys.append(
                    ("a", rep.block, coarse) if rep.area else ("f", rep.block, _cube(rep.xyz, self.fine))
                )
            for key in keys:
                self.index.setdefault(key, {}).setdefault(rep.day, []).append(alike)
        alike.add(i, rep.doc)

    def _near(self, rep: _Report) -> Iterator[tuple]:
        """The keys under which reports that may share ``rep``'s place are filed: its GeoNames
        id and name; an area reaches every placed report within the radius, a named place the
        areas within the radius and the named places within a kilometre."""
        if rep.gid is not None:
            yield ("g", rep.block, rep.gid)
        if rep.name is not None:
            yield ("n", rep.block, rep.name)
        if rep.xyz is not None:
            for cube in _near_cubes(rep.xyz, self.coarse):
                yield ("c" if rep.area else "a", rep.block, cube)
            if not rep.area:
                for cube in _near_cubes(rep.xyz, self.fine):
                    yield ("f", rep.block, cube)

    def _candidates(self, rep: _Report) -> set[int]:
        found = set(self.by_doc.get(rep.doc, ()))
        if rep.day is None or rep.country:
            return found
        w = self.window_days
        for key in self._near(rep):
            days = self.index.get(key)
            if days is None:
                continue
            for day in range(rep.day - w, rep.day + w + 1) if len(days) > 2 * w + 1 else list(days):
                if abs(day - rep.day) <= w:
                    for alike in days.get(day, ()):
                        found.update(alike.standing_for(rep.doc))
        return found

    def root(self, i: int) -> int:
        """The root of report ``i``'s group."""
        return self._find(i)

    def _find(self, i: int) -> int:
        parent = self.parent
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def _union(self, root: int, j: int) -> int:
        """Join the group of ``root`` (a root) and of ``j``; returns the new root."""
        a, b = root, self._find(j)
        if len(self.members[a]) < len(self.members[b]):
            a, b = b, a
        self.parent[b] = a
        self.members[a] += self.members.pop(b)
        return a


def cluster(
    records: Iterable[dict[str, Any]],
    radius_km: float = 25.0,
    window_days: int = 3,
    linker: Linker | None = None,
) -> list[list[dict]]:
    """Group records into events; deterministic for a given set of records, whatever their order.

    In order of (historical, type, date, id), a report joins the oldest open cluster whose every
    member it is compatible with, or opens one; a cluster closes when its first report falls out
    of the window. Clusters of another group of :class:`Linker` would refuse the report anyway,
    so each group is clustered alone; the clusters come out in the order they open. A
    ``linker`` that holds the records already (with the same rules) saves linking them again:
    its groups over more reports are unions of the records' own groups.
    """
    if linker is None:
        linker = Linker(radius_km, window_days)
        linker.add(records)
        parts = linker.groups()
    else:
        by_root: dict[int, list[int]] = {}
        for r in records:
            i = linker.position[r["event_id"]]
            by_root.setdefault(linker.root(i), []).append(i)
        parts = list(by_root.values())
    clusters: list[list[dict[str, Any]]] = []
    for part in parts:
        ordered = sorted(part, key=lambda i: _order(linker.records[i]))
        clusters += _greedy(ordered, linker.reports, radius_km, window_days)
    return sorted(([linker.records[i] for i in c] for c in clusters), key=lambda c: _order(c[0]))


def _order(r: dict[str, Any]) -> tuple:
    return (bool(r.get("historical")), r["sub_event_type"], r.get("event_date") or "", r["event_id"])


def _greedy(ordered: list[int], reps: list[_Report], radius_km: float, window_days: int) -> list[list[int]]:
    """The clusters of the reports ``ordered`` (positions in ``reps``, in :func:`_order`)."""
    clusters: list[list[int]] = []
    # Open clusters of the current (historical, sub-event type) block, oldest first.
    block: tuple | None = None
    active: list[list[int]] = []
    for n in ordered:
        rep = reps[n]
        if rep.block != block:
            block, active = rep.block, []
        if rep.day is not None:
            # Clusters whose oldest member is out of the window can take nothing more.
            active = [c for c in active if reps[c[0]].day is None or rep.day - reps[c[0]].day <= window_days]
        best = next(
            (c for c in active if all(rep.fits(reps[m], radius_km, window_days) for m in c)),
            None,
        )
        if best is None:
            best = [n]
            clusters.append(best)
            active.append(best)
        else:
            best.append(n)
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
