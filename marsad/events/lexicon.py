"""Trigger and context lexicons and the coding policy, loaded once from the files beside this module.

Each file is validated on load (:mod:`marsad.datafile`): a misspelt field, an unknown
sub-event type or a word list the extractor does not read is an error naming the file and line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator

from marsad import datafile
from marsad.datafile import Strict
from marsad.event import SUB_EVENT_TYPES
from marsad.text.normalize import normalize_key

DATA = Path(__file__).with_name("data")

# Person/number endings of a past-tense verb, and the pronouns that may follow them.
_PAST_ENDINGS = ("", "ت", "وا", "ا", "تا", "ن", "نا", "تم", "و")
_PRESENT = (
    ("ي", ""),
    ("ت", ""),
    ("ن", ""),
    ("ا", ""),
    ("ي", "ون"),
    ("ت", "ون"),
    ("ي", "ان"),
    ("ت", "ان"),
    ("ي", "ن"),
)
_ENCLITICS = ("", "ه", "ها", "هم", "هما", "كم")


SubEventType = Literal[tuple(SUB_EVENT_TYPES)]  # type: ignore[valid-type]
PlaceKind = Literal[
    "city", "town", "village", "neighbourhood", "camp", "region", "plain", "mountain", "airbase", "airport"
]


class TriggerEntry(Strict):
    """One entry of triggers.yaml (see the comment at its top)."""

    id: str
    rank: int = 50
    sub_event_type: SubEventType | None = None
    klass: Literal["strike", "territory", "attack"] | None = Field(None, alias="class")
    verbs: list[str] = []
    present: bool = True
    nouns: list[str] = []
    phrases: list[str] = []
    needs_weapon: list[str] = []
    not_after: list[str] = []
    not_before: list[str] = []
    unarmed_actor: bool = False
    one_sided: bool = False
    territorial: bool = False
    aimed_at_forces: str | None = None

    @model_validator(mode="after")
    def _one_type(self) -> TriggerEntry:
        if (self.sub_event_type is None) == (self.klass is None):
            raise ValueError("give exactly one of sub_event_type and class")
        return self


class ContextLists(Strict):
    """context.yaml: every word list the extractor reads, and nothing else."""

    air_words: list[str]
    weapon_words: list[str]
    armed_targets: list[str]
    civilian_targets: list[str]
    connectors: list[str]
    irrealis: list[str]
    opinion: list[str]
    coalition_words: list[str]
    aim_verbs: list[str]
    negation: list[str]
    denial: list[str]
    allegation: list[str]
    dispute: list[str]
    source_cues: list[str]
    continuation_openers: list[str]
    continuation_verbs: list[str]
    actor_anaphors: list[str]
    speaker_roles: list[str]
    control_state: list[str]
    holder_markers: list[str]
    direction: list[str]
    direction_territory: list[str]
    past_spans: list[str]
    past_openers: list[str]
    approx: list[str]
    proximity: list[str]
    anaphors: dict[str, list[PlaceKind]]
    agent_markers: list[str]
    victim_markers: list[str]
    causes: list[str]
    count_words: list[str]
    target_markers: list[str]


class DefaultActor(Strict):
    """An actor an unnamed event of a sub-event type gets, in some countries and dates."""

    sub_event_type: SubEventType
    actor: str
    countries: list[str] = Field(min_length=1)
    start: date | None = Field(None, alias="from")
    until: date | None = None
    when: Literal["coalition"] | None = None


class AirOnly(Strict):
    actor: str
    countries: list[str] = []


class Policy(Strict):
    """policy.yaml: what analysts decide when the text leaves it open."""

    default_actors: list[DefaultActor]
    air_only: list[AirOnly]

    def default_actor(
        self, sub_type: str, countries: set[str], day: date | None, coalition: bool
    ) -> str | None:
        """The first rule that fits: its type, a country of the event's places, its dates."""
        for rule in self.default_actors:
            if rule.sub_event_type != sub_type or not countries & set(rule.countries):
                continue
            if rule.when == "coalition" and not coalition:
                continue
            if day is not None and (
                (rule.start is not None and day < rule.start) or (rule.until is not None and day > rule.until)
            ):
                continue
            return rule.actor
        return None

    def air_only_actor(self, actor: str | None, country: str | None) -> bool:
        """Does this actor strike only from the air (its "ضربات" are air strikes) there?"""
        return any(r.actor == actor and (not r.countries or country in r.countries) for r in self.air_only)


@dataclass(frozen=True)
class Trigger:
    id: str
    rank: int
    sub_event_type: str | None = None  # None when `klass` decides from context
    klass: str | None = None
    needs_weapon: frozenset[str] = field(default_factory=frozenset)
    not_after: frozenset[str] = field(default_factory=frozenset)  # words right before that cancel it
    not_before: frozenset[str] = field(default_factory=frozenset)  # words right after that cancel it
    unarmed_actor: bool = False  # civilians and protesters may be its actor1 (a protest)
    one_sided: bool = False  # an attack class that is always one side killing (a massacre)
    territorial: bool = False  # places are read as for a change of territory (a withdrawal)
    aimed_at_forces: str | None = None  # the trigger it becomes when aimed at forces, no weapon named


def verb_forms(stem: str, present: bool = True) -> set[str]:
    """The inflected forms news prose uses for a past-tense stem (normalised)."""
    forms: set[str] = set()
    bases = [stem]
    if stem.endswith("ي"):  # استولى -> استولت، استولوا
        bases.append(stem[:-1])
    for base in bases:
        for end in _PAST_ENDINGS:
            for pron in _ENCLITICS:
                forms.add(base + end + pron)
    if present:
        for pre, end in _PRESENT:
            for pron in _ENCLITICS:
                forms.add(pre + stem + end + pron)
    return forms


@dataclass
class Lexicon:
    words: dict[str, Trigger]  # one-token forms
    phrases: dict[str, list[tuple[tuple[str, ...], Trigger]]]  # first word -> (words, trigger), longest first
    context: dict[str, frozenset[str]]
    anaphors: dict[str, tuple[str, ...]]
    weapon_verbs: dict[str, str]  # inflected form -> stem, for verbs that need a weapon word
    by_id: dict[str, Trigger]


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
    words: dict[str, Trigger] = {}
    phrases: dict[str, list[tuple[tuple[str, ...], Trigger]]] = {}
    weapon_verbs: dict[str, str] = {}
    by_id: dict[str, Trigger] = {}
    for e in entries:
        needs = frozenset(normalize_key(v) for v in e.needs_weapon)
        trig = by_id[e.id] = Trigger(
            e.id,
            e.rank,
            e.sub_event_type,
            e.klass,
            needs,
            frozenset(normalize_key(v) for v in e.not_after),
            frozenset(normalize_key(v) for v in e.not_before),
            e.unarmed_actor,
            e.one_sided,
            e.territorial or e.klass == "territory",
            e.aimed_at_forces,
        )
        for verb in e.verbs:
            stem = normalize_key(verb)
            for form in verb_forms(stem, e.present):
                _keep_higher(words, form, trig)
                if stem in needs:
                    weapon_verbs[form] = stem
        for noun in e.nouns:
            _keep_higher(words, normalize_key(noun), trig)
        for phrase in e.phrases:
            toks = tuple(normalize_key(w) for w in phrase.split())
            phrases.setdefault(toks[0], []).append((toks, trig))
    for lst in phrases.values():
        lst.sort(key=lambda p: -len(p[0]))
    raw = datafile.load(DATA / "context.yaml", ContextLists).model_dump()
    anaphors = {normalize_key(k): tuple(v) for k, v in raw.pop("anaphors").items()}
    context = {k: frozenset(normalize_key(w) for w in v) for k, v in raw.items()}
    return Lexicon(words, phrases, context, anaphors, weapon_verbs, by_id)


@cache
def policy() -> Policy:
    return datafile.load(DATA / "policy.yaml", Policy)


def _keep_higher(table: dict[str, Trigger], form: str, trig: Trigger) -> None:
    old = table.get(form)
    if old is None or trig.rank > old.rank:
        table[form] = trig
