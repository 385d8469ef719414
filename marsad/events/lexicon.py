"""Trigger and context lexicons and the coding policy, loaded once from the files beside this module.

Each file is validated on load (:mod:`marsad.datafile`): a misspelt field, an unknown
sub-event type or a word list the extractor does not read is an error naming the file and line.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date
from functools import cache
from pathlib import Path
from typing import Literal

from marsad import datafile
from marsad.datafile import Strict
from marsad.entities.actors import ActorType
from marsad.event import SUB_EVENT_TYPES
from marsad.events.genre import first_person
from marsad.text import match
from marsad.text.normalize import normalize_key
from marsad.text.tokens import CLITIC

DATA = Path(__file__).with_name("data")


SubEventType = Literal[tuple(SUB_EVENT_TYPES)]  # type: ignore[valid-type]
PlaceKind = Literal[
    "city", "town", "village", "neighbourhood", "camp", "region", "plain", "mountain", "airbase", "airport"
]


class TriggerEntry(Strict, aliases={"klass": "class"}):
    """One entry of triggers.yaml (see the comment at its top)."""

    id: str
    rank: int = 50
    sub_event_type: SubEventType | None = None
    klass: Literal["strike", "territory", "attack"] | None = None
    verbs: list[str] = []
    present: bool = True
    nouns: list[str] = []
    phrases: list[str] = []
    needs_weapon: list[str] = []
    not_after: list[str] = []
    name_heads: list[str] = []
    not_before: list[str] = []
    foiled_by: match.WordList = []
    laid_by: match.WordList = []
    from_place: list[str] = []
    unarmed_actor: bool = False
    one_sided: bool = False
    territorial: bool = False
    aimed_at_forces: str | None = None
    verb_of: list[str] = []
    purpose: list[str] = []
    asked: list[str] = []
    needs_blast: list[str] = []
    written_with_ta: list[str] = []
    weak: bool = False
    taken_part_in: bool = False
    named_by_place: bool = False

    def __post_init__(self) -> None:
        if (self.sub_event_type is None) == (self.klass is None):
            raise ValueError("give exactly one of sub_event_type and class")


class ContextLists(Strict):
    """context.yaml: every word list the extractor reads, and nothing else."""

    air_words: list[str]
    ground_weapons: list[str]
    weapon_words: list[str]
    armed_targets: list[str]
    fallen_soldiers: list[str]
    fallen_police: list[str]
    civilian_targets: list[str]
    connectors: list[str]
    when_clause: list[str]
    centre_words: list[str]
    irrealis: list[str]
    habitual: list[str]
    was: list[str]
    times: list[str]
    many_times: list[str]
    thousands: list[str]
    crime: list[str]
    blast: list[str]
    opinion: match.WordList
    framing: list[str]
    sequel: list[str]
    coalition_words: list[str]
    aim_verbs: list[str]
    negation: list[str]
    occurrence: list[str]
    exposure: list[str]
    report_nouns: list[str]
    denial: match.WordList
    allegation: match.WordList
    dispute: match.WordList
    source_cues: match.WordList
    continuation_openers: list[str]
    new_item_openers: list[str]
    continuation_verbs: match.WordList
    coordinated_verbs: match.WordList
    actor_anaphors: list[str]
    speaker_roles: list[str]
    control_state: list[str]
    holder_markers: list[str]
    lost_from: list[str]
    facing: list[str]
    facing_objects: list[str]
    bare_strikes: list[str]
    support_markers: list[str]
    support_links: list[str]
    noun_governors: list[str]
    affiliation: list[str]
    opponent_markers: list[str]
    direction: list[str]
    direction_territory: list[str]
    origin: list[str]
    origin_heads: list[str]
    origin_not_after: list[str]
    past_spans: list[str]
    past_openers: list[str]
    participation: list[str]
    then_words: list[str]
    ongoing_verbs: list[str]
    threatening: list[str]
    calls: list[str]
    call_to: list[str]
    call_causes: list[str]
    endeavours: list[str]
    against: list[str]
    led_by: list[str]
    endeavour_to: list[str]
    place_frames: list[str]
    previously: list[str]
    previously_links: list[str]
    recent_past: list[str]
    span_starts: list[str]
    firsts: list[str]
    durations: list[str]
    pluperfect: list[str]
    list_heads: list[str]
    goals: list[str]
    prospects: list[str]
    anniversary: list[str]
    ago: list[str]
    approx: list[str]
    proximity: list[str]
    anaphors: dict[str, list[PlaceKind]]
    sentence_anaphors: list[str]
    same_words: list[str]
    agent_markers: list[str]
    victim_markers: list[str]
    causes: list[str]
    toll_links: list[str]
    consequences: list[str]
    count_words: list[str]
    target_markers: list[str]
    claim_verbs: list[str]
    claim_nouns: list[str]
    blame_verbs: list[str]
    blame_behind: list[str]
    blame_to: list[str]
    complementizers: list[str]
    between: list[str]
    routes: list[str]
    partitive: list[str]
    side_words: list[str]
    distinct: list[str]

    def __post_init__(self) -> None:
        for name in (f.name for f in fields(self)):
            value = getattr(self, name)
            if name == "anaphors":
                continue
            words = value if isinstance(value, list) else value.words + value.verbs + value.past
            longer = [w for w in words if len(w.split()) != 1]
            if longer:
                raise ValueError(f"{name}: the lists hold single words, not {longer}")


class DefaultActor(Strict, aliases={"start": "from"}):
    """An actor an unnamed event of a sub-event type gets, in some countries (none listed:
    anywhere) and dates."""

    sub_event_type: SubEventType
    actor: str
    countries: list[str] = []
    start: date | None = None
    until: date | None = None
    when: Literal["coalition"] | None = None

    @property
    def name(self) -> str:
        """The rule's name in ``marsad rules report``."""
        when = f", when {self.when}" if self.when else ""
        dates = f" {self.start or ''}..{self.until or ''}" if self.start or self.until else ""
        where = ",".join(self.countries) or "any country"
        return f"policy.default_actor: {self.sub_event_type} in {where}{dates}{when} -> {self.actor}"


class StateDefault(Strict):
    """The forces of the state where an unnamed event of a sub-event type happens: who did it."""

    sub_event_type: SubEventType
    forces: Literal["military", "police"]


class ActorRule(Strict):
    """An actor and where a policy holds for it (everywhere when no country is listed)."""

    actor: str
    countries: list[str] = []

    def holds(self, actor: str | None, country: str | None) -> bool:
        return self.actor == actor and (not self.countries or country in self.countries)


class KnownEvent(Strict, aliases={"day": "date"}):
    """A well-known past event that later news names without a date ("تفجير مسجد الإمام الصادق"):
    told again weeks on at one of its places, as one of its types, it is that day's event."""

    name: str
    day: date
    places: list[str]  # the gazetteer's names of the places the coder reads for it
    # the types a retelling may be coded as; the first is the event's own
    sub_event_types: list[SubEventType]
    # who did it and to whom, as the actor catalogue names them: every retelling is coded so,
    # and merges with the others, whoever the sentence that tells it again puts first
    actor1: str | None = None
    actor2: str | None = None

    @property
    def rule(self) -> str:
        """The rule's name in ``marsad rules report``."""
        return f"policy.known_event: {self.name} ({self.day})"


class Policy(Strict):
    """policy.yaml: what analysts decide when the text leaves it open."""

    default_actors: list[DefaultActor]
    state_defaults: list[StateDefault] = []  # unnamed, it is that state's forces, never a group's
    air_only: list[ActorRule]
    one_sided: list[ActorRule] = []
    raids: list[ActorRule] = []
    air_actor_types: list[ActorType] = []  # who strikes from the air; others named are what it hit
    forces_abroad: list[str] = []  # countries whose forces fight beyond their neighbours
    clash_initiation: list[str] = []  # word starts that name who began a clash (for scoring)
    known_events: list[KnownEvent] = []  # past events later news refers to without a date

    def known_event(self, sub_type: str, place: str | None, by: date) -> KnownEvent | None:
        """The known event of this type at this place on or before ``by``, if any."""
        return next(
            (
                e
                for e in self.known_events
                if e.day <= by and sub_type in e.sub_event_types and place in e.places
            ),
            None,
        )

    def default_actor(
        self, sub_type: str, countries: set[str], day: date | None, coalition: bool
    ) -> DefaultActor | None:
        """The first rule that fits: its type, a country of the event's places, its dates."""
        for rule in self.default_actors:
            if rule.sub_event_type != sub_type or (rule.countries and not countries & set(rule.countries)):
                continue
            if rule.when == "coalition" and not coalition:
                continue
            if day is not None and (
                (rule.start is not None and day < rule.start) or (rule.until is not None and day > rule.until)
            ):
                continue
            return rule
        return None

    def state_forces_for(self, sub_type: str) -> str | None:
        """Which of a state's forces an unnamed event of this type is ("police" for arrests)."""
        return next((r.forces for r in self.state_defaults if r.sub_event_type == sub_type), None)

    def air_only_actor(self, actor: str | None, country: str | None) -> bool:
        """Does this actor strike only from the air (its "ضربات" are air strikes) there?"""
        return any(r.holds(actor, country) for r in self.air_only)

    def one_sided_actor(self, actor: str | None, country: str | None) -> bool:
        """Are this actor's attacks there on the unarmed (its "هجوم" is an Attack, no clash)?"""
        return any(r.holds(actor, country) for r in self.one_sided)

    def raiding_actor(self, actor: str | None, country: str | None) -> bool:
        """Do this actor's forces storm places there without taking them (a raid, no territory)?"""
        return any(r.holds(actor, country) for r in self.raids)


@dataclass(frozen=True)
class Trigger:
    id: str
    rank: int
    sub_event_type: str | None = None  # None when `klass` decides from context
    klass: str | None = None
    needs_weapon: frozenset[str] = field(default_factory=frozenset)  # verb stems
    not_after: str = ""  # the lexicon of words right before it that cancel it
    not_before: str = ""  # the lexicon of words right after it that cancel it
    foiled_by: str = ""  # the lexicon of words a few tokens before it that say it never went off
    unarmed_actor: bool = False  # civilians and protesters may be its actor1 (a protest)
    one_sided: bool = False  # an attack class that is always one side killing (a massacre)
    territorial: bool = False  # places are read as for a change of territory (a withdrawal)
    aimed_at_forces: str | None = None  # the trigger it becomes when aimed at forces, no weapon named
    weak: bool = False  # too common to code an event alone: only proposed, for the model to weigh
    verb_of: frozenset[str] = frozenset()  # triggers whose verb it is when one of them is its subject
    purpose: frozenset[str] = frozenset()  # its forms that, after the preposition ل, say what for
    name_heads: str = ""  # the lexicon of head nouns it names a square or a group with ("ميدان التحرير")
    needs_blast: frozenset[str] = frozenset()  # its forms that report an event only with a blast or a toll
    written_with_ta: frozenset[str] = frozenset()  # its forms that are another word when written with ه
    # its forms that, after the preposition ب, say what is asked, threatened or promised
    # ("طالبهم بالانسحاب"), unless a verb of starting or going on stands before them ("بدأوا بالانسحاب")
    asked: frozenset[str] = frozenset()
    named_by_place: bool = False  # its noun with a town's name right after it names a known event
    taken_part_in: bool = False  # a word of taking part just before it: who joined the fighting, no clash
    # its nouns in ة whose folded form is also a verb form with a pronoun: "استعادة" (regaining) and
    # "استعاده" (he regained it) fold alike, and written with ة it is the noun
    nouns_with_ta: frozenset[str] = frozenset()
    # the lexicon of verbs right before or after a weak trigger that say it was done ("نصبوا كمينا"،
    # "كمين نصبته المقاومة"): an event, not a passing word
    laid_by: str = ""
    # its forms that, weak, tell an event when a place follows "من" a few words on ("طردوا الحوثيين من
    # مدينة لودر"): driven from a place, not a passing word
    from_place: frozenset[str] = frozenset()


# Context lists read as the word is written (no clitic stripped): "ان" is a complementizer, "بان"
# (with its preposition) too, but not every word that ends up as "ان" once stripped.
WHOLE_WORD_LISTS = frozenset(
    {"complementizers", "between", "actor_anaphors", "causes", "toll_links", "previously_links", "blame_to"}
)
# Lists read with a proclitic (و، ف) but never a pronoun: "وحين" opens a when-clause, "حينها" is "then"
PROCLITIC_LISTS = frozenset({"when_clause", "origin", "habitual", "was", "times", "many_times", "thousands"})
TRIGGERS = "events.triggers"


@dataclass
class Lexicon:
    """The events stage's lexicons, compiled by the matcher; ``context`` maps a list's name in
    context.yaml to its lexicon's name."""

    # entry value: (Trigger, the verb stem when it needs a weapon, the lexeme, "past" | "present"
    # | "noun" | "phrase"): the last two are what the event model may learn from
    triggers: match.Lexicon
    cancel: list[match.Lexicon]  # each trigger's not_after / not_before words
    context: dict[str, str]
    anaphors: str  # the lexicon of nominal anaphors; entry value: the place kinds
    aim_verbs: frozenset[str]  # verb stems
    by_id: dict[str, Trigger]
    lexicons: list[match.Lexicon]
    cues: Cues  # the lexicons of cues.yaml, compiled with the rest


@cache
def load() -> Lexicon:
    entries = datafile.load(DATA / "triggers.yaml", list[TriggerEntry])
    ids = [e.id for e in entries]
    if len(set(ids)) < len(ids):
        raise datafile.DataFileError(f"{DATA / 'triggers.yaml'}: trigger ids repeat: {ids}")
    for e in entries:
        if e.aimed_at_forces is not None and e.aimed_at_forces not in ids:
            raise datafile.DataFileError(
                f"{DATA / 'triggers.yaml'}: entry {e.id}, field aimed_at_forces: no trigger {e.aimed_at_forces!r}"
            )
        unknown = [t for t in e.verb_of if t not in ids]
        if unknown:
            raise datafile.DataFileError(
                f"{DATA / 'triggers.yaml'}: entry {e.id}, field verb_of: no trigger {unknown}"
            )
    words: dict[str, tuple[str, tuple[Trigger, str | None]]] = {}  # form -> (entry id, value)
    phrases: list[tuple[str, str, tuple[Trigger, None]]] = []
    cancel: list[match.Lexicon] = []
    by_id: dict[str, Trigger] = {}
    listed = {normalize_key(n) for e in entries for n in e.nouns}
    for e in entries:
        needs = frozenset(normalize_key(v) for v in e.needs_weapon)
        after = f"events.not_after.{e.id}" if e.not_after else ""
        heads = f"events.name_heads.{e.id}" if e.name_heads else ""
        before = f"events.not_before.{e.id}" if e.not_before else ""
        foiled = f"events.foiled_by.{e.id}" if e.foiled_by else ""
        laid = f"events.laid_by.{e.id}" if e.laid_by else ""
        forms = {normalize_key(v): match.verb_forms(normalize_key(v), e.present) for v in e.verbs}
        trig = by_id[e.id] = Trigger(
            e.id,
            e.rank,
            e.sub_event_type,
            e.klass,
            needs,
            after,
            before,
            foiled,
            e.unarmed_actor,
            e.one_sided,
            e.territorial or e.klass == "territory",
            e.aimed_at_forces,
            e.weak,
            frozenset(e.verb_of),
            frozenset(normalize_key(w) for w in e.purpose),
            heads,
            frozenset(normalize_key(w) for w in e.needs_blast),
            frozenset(normalize_key(w) for w in e.written_with_ta),
            frozenset(normalize_key(w) for w in e.asked),
            e.named_by_place,
            e.taken_part_in,
            _nouns_with_ta(e.nouns, {f for fs in forms.values() for f in fs}),
            laid,
            frozenset(normalize_key(w) for w in e.from_place),
        )
        if after:
            cancel.append(match.Lexicon.words(after, e.not_after))
        if heads:  # the head noun as written or after a proclitic, never with the article
            cancel.append(match.Lexicon.words(heads, e.name_heads, CLITIC))
        if before:
            cancel.append(match.Lexicon.words(before, e.not_before))
        if foiled:
            cancel.append(match.Lexicon.words(foiled, e.foiled_by))
        if laid:
            cancel.append(match.Lexicon.words(laid, e.laid_by))
        for verb in e.verbs:
            stem = normalize_key(verb)
            past = match.verb_forms(stem, present=False)
            for form in forms[stem]:
                kind = "past" if form in past else "present"
                _keep_higher(
                    words, form, f"{e.id}:{verb}", (trig, stem if stem in needs else None, stem, kind)
                )
        for noun in e.nouns:
            key = normalize_key(noun)
            _keep_higher(words, key, f"{e.id}:{noun}", (trig, None, key, "noun"))
            for form in map(normalize_key, _accusative(noun)):
                if form not in listed:  # a form an entry lists is that entry's ("احتجاجا على")
                    _keep_higher(words, form, f"{e.id}:{noun}", (trig, None, key, "noun"))
        phrases += [(f"{e.id}:{phrase}", phrase, (trig, None, e.id, "phrase")) for phrase in e.phrases]
    triggers = match.Lexicon(
        TRIGGERS,
        [(entry_id, (form,), value) for form, (entry_id, value) in words.items()] + phrases,
        rest="readings",
        gap="any",
    )
    raw = datafile.load(DATA / "context.yaml", ContextLists)
    context: dict[str, str] = {}
    lexicons = [triggers, *cancel]
    for name in (f.name for f in fields(ContextLists)):
        if name in ("anaphors", "aim_verbs"):
            continue
        context[name] = f"events.{name}"
        accept = 0 if name in WHOLE_WORD_LISTS else match.CLITIC if name in PROCLITIC_LISTS else match.ANY
        lexicons.append(match.Lexicon.words(context[name], getattr(raw, name), accept))
    anaphors = match.Lexicon("events.anaphors", ((w, w, tuple(kinds)) for w, kinds in raw.anaphors.items()))
    lexicons.append(anaphors)
    aim = frozenset(normalize_key(v) for v in raw.aim_verbs)
    cue = cues()
    lexicons += [*cue.lexicons, first_person()]
    return Lexicon(triggers, cancel, context, anaphors.name, aim, by_id, lexicons, cue)


@cache
def policy() -> Policy:
    return datafile.load(DATA / "policy.yaml", Policy)


class CueFile(Strict):
    """cues.yaml: word groups the event model reads, those of them that cancel a trigger, and
    the words around a place."""

    groups: dict[str, list[str]]
    cancel: list[str]
    reaction_verbs: list[str]
    prepositions: list[str]
    place_heads: list[str]

    def __post_init__(self) -> None:
        unknown = set(self.cancel) - set(self.groups)
        if unknown:
            raise ValueError(f"cancel names groups that are not defined: {sorted(unknown)}")


@dataclass(frozen=True)
class Cues:
    """The lexicons of the cue words: ``groups`` (entry value: the group), ``cancel`` (the
    groups that cancel a trigger), ``reactions`` (verbs of condemning or warning, that govern a
    clause past an aside), ``prepositions`` (entry value: the word) and ``place_heads`` (place
    words, read as written)."""

    groups: str
    cancel: str
    reactions: str
    prepositions: str
    place_heads: str
    lexicons: tuple[match.Lexicon, ...]


@cache
def cues() -> Cues:
    raw = datafile.load(DATA / "cues.yaml", CueFile)
    groups = match.Lexicon("events.cues", ((w, w, g) for g, words in raw.groups.items() for w in words))
    cancel = match.Lexicon.words("events.cues.cancel", [w for g in raw.cancel for w in raw.groups[g]])
    reactions = match.Lexicon.words("events.cues.reactions", raw.reaction_verbs)
    preps = match.Lexicon("events.cues.prepositions", ((w, w, normalize_key(w)) for w in raw.prepositions))
    heads = match.Lexicon.words("events.cues.place_heads", raw.place_heads, 0)
    return Cues(
        groups.name,
        cancel.name,
        reactions.name,
        preps.name,
        heads.name,
        (groups, cancel, reactions, preps, heads),
    )


def _nouns_with_ta(nouns: list[str], verb_forms: set[str]) -> frozenset[str]:
    """The folded nouns in ة of a trigger that one of its verb forms folds to as well."""
    return frozenset(k for n in nouns if n.endswith("ة") and (k := normalize_key(n)) in verb_forms)


# What an indefinite noun in the accusative cannot end in: ة, a long vowel, hamza, a pronoun or
# nisba ending (ه, ي, هم, كم), or a sound plural or dual ending (ات, ون, ين, ان); nor carry the article.
_NO_ACCUSATIVE_END = ("ة", "ا", "ى", "ء", "ه", "ي", "هم", "كم", "ات", "ون", "ين", "ان")


def _accusative(noun: str) -> tuple[str, ...]:
    """The noun's indefinite accusative as written, with its alif ("شنوا هجوما"، "نصبوا كمينا"):
    the tokenizer keeps that alif, so a noun trigger lists the form unless it is made here."""
    if " " in noun or noun.startswith("ال") or noun.endswith(_NO_ACCUSATIVE_END):
        return ()
    return (noun + "ا",)


def _keep_higher(table: dict, form: str, entry_id: str, value: tuple) -> None:
    old = table.get(form)
    if old is None or value[0].rank > old[1][0].rank:
        table[form] = (entry_id, value)
