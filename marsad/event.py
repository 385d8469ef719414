"""The event record: ACLED's fields plus attribution, modality and evidence, defined once.

It sits beside :mod:`marsad.document` because every stage after the extractor reads it: the
store's columns, the exports and the API's model are checked against :data:`EXPORT_FIELDS` and
:func:`export_types` (``tests/test_event_record.py``), and the status of several reports of one
event is decided here, for the extractor (one article) and the merge (many) alike.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, get_type_hints

# ACLED's sub-event types and the event type each belongs to (ACLED spelling).
SUB_EVENT_TYPES: dict[str, str] = {
    "Government regains territory": "Battles",
    "Non-state actor overtakes territory": "Battles",
    "Armed clash": "Battles",
    "Chemical weapon": "Explosions/Remote violence",
    "Air/drone strike": "Explosions/Remote violence",
    "Suicide bomb": "Explosions/Remote violence",
    "Shelling/artillery/missile attack": "Explosions/Remote violence",
    "Remote explosive/landmine/IED": "Explosions/Remote violence",
    "Grenade": "Explosions/Remote violence",
    "Sexual violence": "Violence against civilians",
    "Attack": "Violence against civilians",
    "Abduction/forced disappearance": "Violence against civilians",
    "Peaceful protest": "Protests",
    "Protest with intervention": "Protests",
    "Excessive force against protesters": "Protests",
    "Violent demonstration": "Riots",
    "Mob violence": "Riots",
    "Agreement": "Strategic developments",
    "Arrests": "Strategic developments",
    "Change to group/activity": "Strategic developments",
    "Disrupted weapons use": "Strategic developments",
    "Headquarters or base established": "Strategic developments",
    "Looting/property destruction": "Strategic developments",
    "Non-violent transfer of territory": "Strategic developments",
    "Other": "Strategic developments",
}

EVENT_TYPES: tuple[str, ...] = tuple(dict.fromkeys(SUB_EVENT_TYPES.values()))

STATUSES = ("reported", "claimed", "alleged", "denied", "disputed")
# Which status several reports of one event give: a positive report beats an accusation, but any
# denial next to a positive account, or any source that already says the accounts conflict,
# gives disputed.
_POSITIVE = ("reported", "claimed", "alleged")

# ACLED interaction codes by actor type.
INTER_CODES: dict[str, int] = {
    "state forces": 1,
    "rebel group": 2,
    "political militia": 3,
    "identity militia": 4,
    "rioters": 5,
    "protesters": 6,
    "civilians": 7,
    "external forces": 8,
}


# Fields that describe the place; taken together from one report so they never mix two places.
PLACE_FIELDS = (
    "location",
    "admin1",
    "country",
    "country_code",
    "latitude",
    "longitude",
    "geonameid",
    "geo_precision",
)
# The exported record, in the order of issue 6: JSONL keys, the API model's fields, and (less the
# id, the documents and the evidence, which have tables of their own, and the analyst's decision,
# which the review tables hold) the store's event columns.
EXPORT_FIELDS = (
    "event_id",
    "doc_ids",
    "event_date",
    "time_precision",
    "event_type",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "actor2",
    "assoc_actor_2",
    "inter1",
    "inter2",
    *PLACE_FIELDS,
    "fatalities",
    "status",
    "historical",
    "attributed_to",
    "confidence",
    "evidence",
    "notes",
    "reviewed",
)


def combined_status(statuses: Sequence[str]) -> str:
    """The status of one event told by several reports (in one article or across many)."""
    found = set(statuses)
    if "disputed" in found or ("denied" in found and found & set(_POSITIVE)):
        return "disputed"
    for status in _POSITIVE + ("denied",):
        if status in found:
            return status
    return statuses[0] if statuses else "reported"


@dataclass(slots=True)
class Evidence:
    doc_id: str
    start: int
    end: int
    text: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Event:
    """One coded event; field names are those of the JSONL export."""

    sub_event_type: str
    doc_ids: list[str]
    evidence: list[Evidence]
    event_date: str | None = None
    time_precision: int | None = None
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
    status: str = "reported"
    historical: bool = False
    attributed_to: list[str] = field(default_factory=list)
    # The event model's probability that this is a current, codable event (None: coded by rules alone).
    confidence: float | None = None
    notes: str = ""
    event_id: str = ""
    # Spans (clean offsets) of the words behind each argument: trigger, actor1, location, ...
    arguments: dict[str, list[int]] = field(default_factory=dict)
    # The analyst's decision on a merged event (accepted, corrected, added), set by the store's
    # review tables (marsad.store.review), never by the coder; None until someone reviews it.
    reviewed: str | None = None

    @property
    def event_type(self) -> str:
        return SUB_EVENT_TYPES.get(self.sub_event_type, "Strategic developments")

    def ensure_id(self) -> str:
        """A stable id from the first evidence, the coded place and the date, so re-runs never
        double and two events of one sentence on two days stay two."""
        if not self.event_id:
            ev = self.evidence[0] if self.evidence else None
            key = "|".join(
                str(x)
                for x in (
                    ev.doc_id if ev else "",
                    ev.start if ev else "",
                    self.sub_event_type,
                    self.geonameid or self.location or "",
                    self.arguments.get("location", ""),
                    self.event_date or "",
                )
            )
            self.event_id = "ev-" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]
        return self.event_id

    def make_notes(self) -> str:
        """One plain English sentence built from the fields, for analysts who skim."""
        who = self.actor1 or "An unidentified actor"
        what = self.sub_event_type.lower()
        parts = [f"{who}: {what}"]
        if self.actor2:
            parts.append(f"against {self.actor2}")
        if self.location:
            parts.append(f"in {self.location}" + (f" ({self.admin1})" if self.admin1 else ""))
        if self.event_date:
            parts.append(f"on or about {self.event_date}")
        sentence = " ".join(parts)
        if self.fatalities:
            sentence += f", {self.fatalities} killed"
        if self.status != "reported":
            sentence += f"; {self.status}"
        if self.attributed_to:
            sentence += f", according to {', '.join(self.attributed_to)}"
        if self.historical:
            sentence += " (historical background, not a current event)"
        return sentence + "."

    def to_dict(self) -> dict[str, Any]:
        """The exported record: :data:`EXPORT_FIELDS`, in that order."""
        self.ensure_id()
        out: dict[str, Any] = {}
        for f in EXPORT_FIELDS:
            if f == "evidence":
                out[f] = [e.to_dict() for e in self.evidence]
            elif f == "notes":
                out[f] = self.notes or self.make_notes()
            elif f in ("doc_ids", "attributed_to"):
                out[f] = list(getattr(self, f))
            else:
                out[f] = getattr(self, f)
        return out

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Event:
        kw = {k: v for k, v in d.items() if k in cls.__dataclass_fields__ and k != "evidence"}
        kw["evidence"] = [Evidence(**e) for e in d.get("evidence") or []]
        return cls(**kw)


def export_types() -> dict[str, Any]:
    """The type of each exported field, read from the dataclass (``event_type`` is derived)."""
    hints = get_type_hints(Event)
    hints["event_type"] = str
    hints["evidence"] = list[dict[str, Any]]
    return {f: hints[f] for f in EXPORT_FIELDS}
