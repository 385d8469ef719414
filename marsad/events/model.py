"""The event record: ACLED's fields plus attribution, modality and evidence."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from typing import Any

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

STATUSES = ("reported", "claimed", "alleged", "denied", "disputed")

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

    @property
    def event_type(self) -> str:
        return SUB_EVENT_TYPES.get(self.sub_event_type, "Strategic developments")

    def ensure_id(self) -> str:
        """A stable id from the first evidence and the coded place, so re-runs never double."""
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
        self.ensure_id()
        return {
            "event_id": self.event_id,
            "doc_ids": list(self.doc_ids),
            "event_date": self.event_date,
            "time_precision": self.time_precision,
            "event_type": self.event_type,
            "sub_event_type": self.sub_event_type,
            "actor1": self.actor1,
            "assoc_actor_1": self.assoc_actor_1,
            "actor2": self.actor2,
            "assoc_actor_2": self.assoc_actor_2,
            "inter1": self.inter1,
            "inter2": self.inter2,
            "location": self.location,
            "admin1": self.admin1,
            "country": self.country,
            "country_code": self.country_code,
            "latitude": self.latitude,
            "longitude": self.longitude,
            "geonameid": self.geonameid,
            "geo_precision": self.geo_precision,
            "fatalities": self.fatalities,
            "status": self.status,
            "historical": self.historical,
            "attributed_to": list(self.attributed_to),
            "confidence": self.confidence,
            "evidence": [e.to_dict() for e in self.evidence],
            "notes": self.notes or self.make_notes(),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Event:
        kw = {k: v for k, v in d.items() if k in cls.__dataclass_fields__ and k != "evidence"}
        kw["evidence"] = [Evidence(**e) for e in d.get("evidence") or []]
        return cls(**kw)
