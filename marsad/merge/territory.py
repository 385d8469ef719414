"""The territorial-control timeline: who holds each place, since when, on which events' word.

Built from merged events, so several reports of one capture make one change with several
supporting events. Only reported or claimed, current, dated territory events move control: an
alleged, denied or disputed capture is a claim to watch, not a change, and historical background
(the 1982 siege) says nothing about today. Only a side that can stand on the ground takes a
place: an armed group or a state's forces, never civilians, protesters or rioters, nor a force
that fights there only from the air (the US-led coalition's strikes).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

OVERTAKE = "Non-state actor overtakes territory"
REGAIN = "Government regains territory"
TRANSFER = "Non-violent transfer of territory"
TERRITORY = frozenset({OVERTAKE, REGAIN, TRANSFER})
BATTLES = frozenset({"Armed clash", OVERTAKE, REGAIN})
FLIPPING_STATUSES = frozenset({"reported", "claimed"})
UNARMED_INTER = frozenset({5, 6, 7})  # rioters, protesters, civilians (ACLED interaction codes)
UNARMED_TYPES = frozenset({"rioters", "protesters", "civilians"})


def holds_ground(actor: str | None, inter: int | None = None) -> bool:
    """Can this side hold a place? Armed groups and state forces can; civilians, protesters,
    rioters and forces that strike only from the air cannot."""
    if not actor:
        return False
    from marsad.events.lexicon import policy

    if policy().air_only_actor(actor, None):
        return False
    if inter is None:
        from marsad.entities.actors import lookup_actor

        rec = lookup_actor(actor)
        return not (rec and rec.get("type") in UNARMED_TYPES)
    return int(inter) not in UNARMED_INTER


def place_key(ev: dict[str, Any]) -> str | None:
    """One key per place: the GeoNames id when known, else the coded name."""
    if ev.get("geonameid"):
        return f"g{int(ev['geonameid'])}"
    if ev.get("location"):
        return "n" + " ".join(str(ev["location"]).casefold().split())
    return None


def _opponent(actor: str, history: list[dict[str, Any]]) -> str | None:
    """The other side of the latest fight at this place involving ``actor`` (a battle: the
    victims of an attack on civilians do not take a place their attackers leave)."""
    for ev in reversed(history):
        if ev.get("sub_event_type") not in BATTLES:
            continue
        sides = (ev.get("actor1"), ev.get("actor2"))
        if actor in sides:
            other = sides[1] if sides[0] == actor else sides[0]
            if other:
                return other
    return None


def new_controller(ev: dict[str, Any], history: list[dict[str, Any]], current: str | None) -> str | None:
    """Who holds the place after ``ev``; None when the event does not say."""
    sub = ev.get("sub_event_type")
    if sub in (OVERTAKE, REGAIN):
        return ev["actor1"] if holds_ground(ev.get("actor1"), ev.get("inter1")) else None
    if sub == TRANSFER:
        if ev.get("actor2"):
            return ev["actor2"] if holds_ground(ev["actor2"], ev.get("inter2")) else None
        leaving = ev.get("actor1")
        if leaving and current and current != leaving:
            # Someone else already holds it: the withdrawal was from around it, not of it.
            return current
        taker = _opponent(leaving, history) if leaving else None
        return taker if holds_ground(taker) else None
    return None


def timeline(events: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Control changes, per place in date order, each with ``event_ids`` as ``[id, date]`` pairs.

    An event that confirms the current holder is added to the state's support instead of
    opening a new state.
    """
    by_place: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for ev in events:
        if ev.get("historical") or not ev.get("event_date"):
            continue
        if ev.get("sub_event_type") not in BATTLES | TERRITORY:
            continue
        key = place_key(ev)
        if key:
            by_place[key].append(ev)
    changes: list[dict[str, Any]] = []
    for key in sorted(by_place):
        evs = sorted(by_place[key], key=lambda e: (e["event_date"], e["event_id"]))
        history: list[dict[str, Any]] = []
        current: dict[str, Any] | None = None
        seq = 0
        for ev in evs:
            if ev["sub_event_type"] in TERRITORY and ev.get("status") in FLIPPING_STATUSES:
                holder = current["controller"] if current else None
                controller = new_controller(ev, history, holder)
                if controller and current and controller == holder:
                    current["event_ids"].append([ev["event_id"], ev["event_date"]])
                elif controller:
                    current = {
                        "place_key": key,
                        "seq": seq,
                        "since": ev["event_date"],
                        "controller": controller,
                        "previous": holder,
                        "location": ev.get("location"),
                        "geonameid": ev.get("geonameid"),
                        "latitude": ev.get("latitude"),
                        "longitude": ev.get("longitude"),
                        "event_ids": [[ev["event_id"], ev["event_date"]]],
                    }
                    seq += 1
                    changes.append(current)
            if ev.get("status") in FLIPPING_STATUSES:
                history.append(ev)
    return changes
