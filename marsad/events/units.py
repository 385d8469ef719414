"""The units of the event stage and the records built from them, shared by the rules
(``extract.py``), the proposals (``candidates.py``) and the event model (``learn.py``).

A :class:`Unit` is a part of a sentence that carries triggers (:class:`Found`); the rules' reading
of it is a :class:`Verdict`; :func:`make_event` turns a verdict into an event at one of its places
with the type and actors decided, and :func:`dedup` keeps one event per type and place of an article.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache

from marsad import rules
from marsad.document import Span
from marsad.event import INTER_CODES, SUB_EVENT_TYPES, Event, Evidence, combined_status
from marsad.events.lexicon import KnownEvent, Trigger, policy

# A toll this large in one clause counts the dead of weeks or months ("مقتل 2927 ... جراء غارات
# التحالف", "نحو ألف شخص قتلوا في عدن خلال المعارك") or of history: FORMAT.md's aggregates, never
# one event. No gold event reaches 60, and the deadliest single bombings of the region stay under it.
AGGREGATE_TOLL = 300
PROTESTERS = "Protesters (Syria)"  # named after the country of the event (actors.yaml, local)

# Place types that contain others; kept only when a clause names nothing more specific.
BROAD = {"country", "admin1", "admin2", "admin3", "region", "plain", "mountain", "governorate", "countryside"}
# Broad places that a list names beside towns as one of them: districts and subdistricts.
LISTED_DIVISIONS = frozenset({"admin2", "admin3"})

# The parts a named group may play that make it the one hit (see EventExtractor._roles).
TARGET_ROLES = frozenset({"civilian", "victim", "partitive", "target", "joined", "lost"})

# What may stand between two places of one list: "الفوعة وكفريا", "“بيت فارس”، و“بين حلبية”".
_PLACE_WORDS = "حي|أحياء|احياء|بلدة|بلدتي|بلدات|قرية|قريتي|قرى|مدينة|مدينتي|مخيم|منطقة|محيط"
LIST_GAP = re.compile(
    rf"[\s,،\"'“”«»]*(?:و|او|أو)?\s*(?:(?:{_PLACE_WORDS})\s+)?[\s\"'“”«»]*"
    # an item the gazetteer does not know may stand in the list: "وحي طريق السد وبلدتي النعيمة"
    rf"|[\s,،]*و(?:{_PLACE_WORDS})\s+[^\s,،.]+(?:\s+[^\s,،.]+){{0,2}}\s+و(?:(?:{_PLACE_WORDS})\s+)?"
)
# What may stand between a list's member and the broad place that says where it is: "كفرنبل بريف
# إدلب"، "كفرنبل في ريف إدلب".
LOCATING_GAP = re.compile(r"\s*(?:في\s+|ب)?")


def locates(clean: str, member: Span, broad: Span) -> bool:
    """Does ``broad``, a division or countryside right after ``member``, only say where it is?"""
    return (
        broad.attrs.get("type") in BROAD
        and LOCATING_GAP.fullmatch(clean[member.end : broad.start]) is not None
    )


def listed(clean: str, a: Span, b: Span, places: list[Span]) -> bool:
    """Do ``a`` and ``b`` stand in one list: only "و"، "،" or a place word between them, or the
    broad place that locates ``a`` ("كفرنبل بريف إدلب الجنوبي، وقرية اللطامنة بريف حماة")?"""
    if LIST_GAP.fullmatch(clean[a.end : b.start]) is not None:
        return True
    return any(
        a.end <= c.start
        and c.end <= b.start
        and locates(clean, a, c)
        and LIST_GAP.fullmatch(clean[c.end : b.start])
        for c in places
    ) and rules.fire("events.place.list_past_container")


@dataclass
class Found:
    """A trigger occurrence in a clause."""

    trigger: Trigger
    start: int
    end: int
    index: int  # token index of the first word
    stop: int | None = None  # where a later hoped-for or negated trigger begins ("بهدف الاستيلاء على")
    cancel: str | None = None  # why the rules drop it (negation, irrealis, ...); kept only to propose


class SpanIndex:
    """Spans of one label sorted by start, for range queries by offsets."""

    def __init__(self, spans: list[Span]) -> None:
        self.spans = sorted(spans, key=lambda s: (s.start, -s.end))
        self.starts = [s.start for s in self.spans]

    def within(self, start: int, end: int) -> list[Span]:
        i = bisect.bisect_left(self.starts, start)
        out = []
        while i < len(self.spans) and self.spans[i].start < end:
            if self.spans[i].end <= end:
                out.append(self.spans[i])
            i += 1
        return out


@dataclass
class Unit:
    """One part of a sentence that carries a trigger, with the parts that continue it.

    Token ranges: ``lo:hi`` is the trigger's own segment; ``hi:ahead_hi`` the following segments
    of the same clause that have no trigger of their own; ``back_lo:lo`` the preceding ones
    ("تعرضت مناطق في قرية X، لقصف جوي" names the place before the trigger).
    """

    found: list[Found]
    lo: int
    hi: int
    ahead_hi: int
    back_lo: int
    sent_lo: int
    opinion: bool = False  # the sentence opens with a view ("ورأى الخبير أن ...")
    heading: bool = False  # a headline, told again below
    when_lo: int = -1  # where the time that dates it may begin (``back_lo``, or before a when-clause)

    def __post_init__(self) -> None:
        if self.when_lo < 0:
            self.when_lo = self.back_lo

    @property
    def live(self) -> list[Found]:
        """The triggers the rules keep."""
        return [f for f in self.found if f.cancel is None]


@dataclass
class Verdict:
    """What the rules make of one unit: the event(s) they code, or why they code none (``drop``)."""

    main: Found
    places: list[Span]
    sub_type: str
    actor1: Span | None
    assoc1: list[Span]
    actor2: Span | None
    assoc2: list[Span]
    when: str | None
    precision: int | None
    historical: bool
    status: str
    attributed: list[str]
    fatalities: int | None
    evidence: Evidence
    unit_keys: set[str]
    drop: str | None = None  # "no place", "no side", "cancelled", "heading", "opinion", "raid", "air only"
    distinct: list[int] | None = None  # the word that makes it another event of its kind ("آخر")
    hit: list[Span] = field(default_factory=list)  # every group hit, in reading order
    # each place's own toll when the sentence counts the dead place by place (offsets -> toll)
    place_tolls: dict[tuple[int, int], int] = field(default_factory=dict)
    # the group a verb of claiming names before the trigger ("تبنى الحزب قتل شرطيين"): when it is
    # the actor1 decided, the event is claimed, and by its own account
    claimant: Span | None = None
    # the group a verb of doing it names ("كمين نصبته المقاومة"): actor1, whatever else is read
    doer: Span | None = None
    # the text names no day of it: a well-known event up to this day (the article's), of the type
    # and at the place decided, is the one it tells again (policy.yaml, known_events)
    known_by: date | None = None
    # its only day is a weekday's name ("خلال صلاة الجمعة"): a known event on that weekday may be it
    weekday_only: bool = False

    def toll_at(self, place: Span, places: int | None = None) -> int | None:
        """The toll of the event at ``place``, one of ``places`` coded (all the unit's by default):
        the one the sentence gives that place ("ثلاثة قتلى بقرية كذا وخمسة بقرية كذا"), else the
        unit's when it is coded at one place, else unknown."""
        own = self.place_tolls.get((place.start, place.end))
        if own is not None:
            return own
        return self.fatalities if (len(self.places) if places is None else places) == 1 else None

    @property
    def aggregate(self) -> bool:
        """Does its toll count many events (``AGGREGATE_TOLL``)? Such a unit is proposed as the
        rules read it, so the models learn from it as before, and never coded."""
        return self.fatalities is not None and self.fatalities >= AGGREGATE_TOLL


def _same_actor(a: Span, b: Span | None) -> bool:
    """Are two spans the one named group? Two unidentified groups may be two ("اشتباكات بين مسلحين")."""
    name = a.attrs.get("canonical")
    return b is not None and name == b.attrs.get("canonical") and not str(name).startswith("Unidentified")


# An event dated further back than this before the article is background to it.
BACKGROUND = timedelta(days=14)

# Events only a state's (or a coalition's) aircraft make: never an unidentified group's, nor a
# rebel group's or militia's (policy.yaml, air_actor_types).
FROM_THE_AIR = frozenset({"Air/drone strike"})


@cache
def airborne() -> frozenset[str]:
    """The types of actor that strike from the air (policy.yaml, air_actor_types)."""
    return frozenset(policy().air_actor_types)


def known_past(v: Verdict, sub_type: str, place: Span) -> KnownEvent | None:
    """The well-known past event a verdict that names no day of its own tells again, as this type
    at this place (policy.yaml, known_events), if any."""
    if v.known_by is None:
        return None
    known = policy().known_event(sub_type, place.attrs.get("name"), v.known_by)
    if (
        known is not None
        and v.weekday_only
        and v.when
        and known.day.weekday() != date.fromisoformat(v.when).weekday()
    ):
        return None
    return known


def known_background(v: Verdict, sub_type: str, place: Span) -> bool:
    """Is it a well-known event told again more than two weeks after its day (background)?"""
    known = known_past(v, sub_type, place)
    return known is not None and _long_after(known, v)


def _long_after(known: KnownEvent, v: Verdict) -> bool:
    """Is the article that tells ``known`` again more than two weeks after its day?"""
    return v.known_by is not None and v.known_by - known.day > BACKGROUND


def make_event(v: Verdict, place: Span, sub_type: str, actor1, actor2, fatalities) -> Event:
    """The event a verdict gives at one of its places, with the type and actors decided."""
    a = place.attrs
    if SUB_EVENT_TYPES.get(sub_type) == "Protests" and (
        actor1 is None or actor1.attrs.get("type") != "protesters"
    ):
        # ACLED's protest is always its protesters' ("خرج أهالي البصرة في مظاهرات"); a force named
        # in the sentence is what they protest about or who stood by ("احتجاجا على قتل ضابط في الجيش")
        actor1 = unread_actor(PROTESTERS) or actor1
    if sub_type in FROM_THE_AIR and actor1 is not None and actor1.attrs.get("type") not in airborne():
        # a group with no aircraft named with an air strike is what it hit: the other side, unless
        # that side is the one that flies (the rules read them the wrong way round)
        if actor2 is not None and actor2.attrs.get("type") in airborne():
            actor1, actor2 = actor2, actor1
        else:
            actor1, actor2 = None, actor2 or actor1
    if actor1 is not None and _same_actor(actor1, actor2):
        # a group is not its own opponent: the one hit was also read as the one acting (by the
        # rules, or by the actor model among the rules' groups). The other side is the rules' own
        # actor1, else the next group hit: "قتل 17 حوثيا في اشتباكات مع القوات الموالية لهادي"
        others = (v.actor1, *v.hit, *v.assoc2)
        actor2 = next(
            (
                s
                for s in others
                if s is not None and not s.attrs.get("default") and not _same_actor(s, actor1)
            ),
            None,
        )
    # an actor is not also its own associate (the model may choose a side the rules had beside it)
    sides = {s.attrs.get("canonical") for s in (actor1, actor2) if s is not None}
    assoc1 = [s for s in v.assoc1 if s.attrs.get("canonical") not in sides]
    assoc2 = [s for s in v.assoc2 if s.attrs.get("canonical") not in sides]
    status, attributed = v.status, v.attributed
    when, precision, historical = v.when, v.precision, v.historical
    known = known_past(v, sub_type, place)
    if known is not None:
        # "وقوف أهل الكويت ضد مرتكبي جريمة تفجير مسجد الإمام الصادق" in August: the June bombing
        # everyone knows, told again with no date
        rules.fire(known.rule)
        # within two weeks it is still news, but of its own day: told again on later days, it
        # merges with its first report instead of making one event a day
        when, precision = known.day.isoformat(), 1
        historical = _long_after(known, v)
        sub_type = known.sub_event_types[0]
        actor1 = unread_actor(known.actor1) if known.actor1 else actor1
        actor2 = unread_actor(known.actor2) if known.actor2 else actor2
    if v.claimant is not None and status == "reported" and _same_actor(v.claimant, actor1):
        status, attributed = "claimed", list(dict.fromkeys([*attributed, v.claimant.attrs["canonical"]]))
    ev = Event(
        sub_event_type=sub_type,
        doc_ids=[v.evidence.doc_id],
        evidence=[v.evidence],
        event_date=when,
        time_precision=precision,
        actor1=local_label(actor1, a, when) if actor1 else None,
        assoc_actor_1="; ".join(s.attrs["canonical"] for s in assoc1) or None,
        actor2=local_label(actor2, a, when) if actor2 else None,
        assoc_actor_2="; ".join(s.attrs["canonical"] for s in assoc2) or None,
        inter1=INTER_CODES.get(actor1.attrs.get("type", "")) if actor1 else None,
        inter2=INTER_CODES.get(actor2.attrs.get("type", "")) if actor2 else None,
        location=a.get("name"),
        admin1=a.get("admin1"),
        country=a.get("country"),
        country_code=a.get("country_code"),
        latitude=a.get("lat"),
        longitude=a.get("lon"),
        geonameid=a.get("geonameid"),
        geo_precision=a.get("precision") or 1,
        fatalities=fatalities,
        status=status,
        historical=historical,
        attributed_to=attributed,
        arguments={
            "trigger": [v.main.start, v.main.end],
            "location": [place.start, place.end],
            **({"actor1": [actor1.start, actor1.end]} if actor1 and actor1.end > actor1.start else {}),
            **({"actor2": [actor2.start, actor2.end]} if actor2 and actor2.end > actor2.start else {}),
            **({"distinct": v.distinct} if v.distinct else {}),
        },
    )
    ev.ensure_id()
    return ev


# The sub-event types a trigger of a class may code, by who did it and with what.
CLASS_TYPES = {
    "strike": ("Air/drone strike", "Shelling/artillery/missile attack"),
    "attack": ("Armed clash", "Attack", "Air/drone strike"),
    "territory": ("Government regains territory", "Non-state actor overtakes territory"),
}


def trigger_types(trigger: Trigger) -> tuple[str, ...]:
    """The sub-event types a trigger may code."""
    return (trigger.sub_event_type,) if trigger.sub_event_type else CLASS_TYPES[trigger.klass]


# One event however a sentence names it: a bombing ("تفجير انتحاري" and "التفجير" at one place),
# and a place changing hands, whichever side the rules read as taking it ("استعادت المقاومة
# والجيش ..." is a capture by the army and by the resistance, one event; FORMAT.md accepts either
# type for a government-aligned side).
KINDS = {
    "Suicide bomb": "blast",
    "Remote explosive/landmine/IED": "blast",
    "Government regains territory": "territory",
    "Non-state actor overtakes territory": "territory",
}


def kind_of(sub_type: str) -> str:
    """The kind of event a sub-event type is one telling of (``KINDS``)."""
    return KINDS.get(sub_type, sub_type)


# ACLED's geo-precision of a place known only to its governorate (1: the town, 2: near it).
GOVERNORATE_LEVEL = 3


def place_identity(geonameid: int | None, lat: float | None, lon: float | None, name: str | None) -> object:
    """Which place a coded place is: its GeoNames id, else its point and name (a village placed
    beside a town, "معرستي (near Mayer)", shares the town's point and is another place)."""
    return geonameid or (lat, lon, name)


def dedup(events: list[Event]) -> list[Event]:
    """One event per kind (``KINDS``) and place in an article: a headline and its paragraph are
    one event, and a later denial of it makes it disputed, with both sentences as evidence.
    "Another" explosion there ("انفجار آخر") is a second event, told once or more. An event
    placed only at a governorate is the one the article places finer there, if it does
    (see :func:`_finer`)."""
    kept: dict[tuple, Event] = {}
    toll_claimed: dict[tuple, bool] = {}  # the kept toll is a party's claim
    for ev in events:
        place = place_identity(ev.geonameid, ev.latitude, ev.longitude, ev.location)
        key = (kind_of(ev.sub_event_type), place, ev.historical, "distinct" in ev.arguments)
        first = kept.get(key)
        if first is None:
            kept[key] = ev
            toll_claimed[key] = ev.status == "claimed"
            continue
        rules.fire("events.one_per_type_and_place")
        toll_claimed[key] = _absorb(first, ev, toll_claimed[key])
    out = list(kept.values())
    for ev in list(out):
        finer = _finer(ev, out)
        if finer:
            rules.fire("events.governorate_told_finer")
            if len(finer) > 1:
                ev.fatalities = None  # a toll the governorate's places share is none of theirs
            _absorb(finer[0], ev, finer[0].status == "claimed")
            out.remove(ev)
    return out


def _finer(ev: Event, events: list[Event]) -> list[Event]:
    """The events of the same kind the article places in a town or site of the governorate
    ``ev`` is placed at: "مواجهات غربي محافظة مأرب" in a lead and "اشتباكات في الجفينة غربي
    مأرب" below it tell one clash (in the gold's articles a governorate-level event beside a
    finer one of its kind is that one told again far more often than an event of its own)."""
    if ev.geo_precision is None or ev.geo_precision < GOVERNORATE_LEVEL or not ev.admin1:
        return []
    return [
        other
        for other in events
        if other is not ev
        and (other.geo_precision or 1) < GOVERNORATE_LEVEL
        and other.admin1 == ev.admin1
        and other.country_code == ev.country_code
        and kind_of(other.sub_event_type) == kind_of(ev.sub_event_type)
        and other.historical == ev.historical
    ]


def _absorb(first: Event, ev: Event, toll_claimed: bool) -> bool:
    """Fold a second report ``ev`` of one event into ``first``; returns whether the kept toll is
    a party's claim."""
    if first.sub_event_type != ev.sub_event_type and kind_of(first.sub_event_type) == "blast":
        # "هجوم انتحاري ... في سوروتش" then "ووقع التفجير ... في سوروتش": the bombing told
        # again; a suicide bomber said once makes it a suicide bombing (FORMAT.md)
        rules.fire("events.blast_told_again")
        first.sub_event_type = "Suicide bomb"
    elif first.sub_event_type != ev.sub_event_type:
        rules.fire("events.capture_told_again")  # the first telling's type stands
    first.attributed_to = list(dict.fromkeys([*first.attributed_to, *ev.attributed_to]))
    first.status = combined_status([first.status, ev.status])  # a report and a denial: disputed
    first.evidence = list({(e.start, e.end): e for e in [*first.evidence, *ev.evidence]}.values())
    if ev.fatalities is not None and (first.fatalities is None or toll_claimed and ev.status == "reported"):
        # a toll reported by a source wins over one a party claims (FORMAT.md)
        first.fatalities, toll_claimed = ev.fatalities, ev.status == "claimed"
    if first.actor1 is None and ev.actor1 is not None:
        first.actor1, first.inter1 = ev.actor1, ev.inter1
    if ev.confidence is not None and (first.confidence is None or ev.confidence > first.confidence):
        first.confidence = ev.confidence
    return toll_claimed


# FORMAT.md: an unnamed perpetrator is an unidentified armed group of the event's country (the
# label follows the country: local_label)
UNIDENTIFIED = "Unidentified Armed Group (Syria)"


def unread_actor(name: str) -> Span | None:
    """An actor the text does not name (a default, a spokesman's side): no offsets, marked so."""
    from marsad.entities.actors import lookup_actor

    rec = lookup_actor(name)
    if rec is None:
        return None
    return Span(0, 0, "actor", {"canonical": rec["canonical"], "type": rec.get("type"), "default": True})


def local_label(actor: Span, place: dict, when: str | None) -> str:
    """The actor's label for this event: civilians, protesters and unidentified groups belong to
    the country the event is in ("Civilians (Iraq)" for a strike on Rutba), and a state's forces
    to the government of the event's date."""
    from marsad.entities.actors import label

    return label(actor.attrs["canonical"], place.get("country"), when)
