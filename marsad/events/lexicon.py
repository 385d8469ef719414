"""Trigger and context lexicons, loaded once from the YAML files beside this module."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

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


@dataclass(frozen=True)
class Trigger:
    id: str
    rank: int
    sub_event_type: str | None = None  # None when `klass` decides from context
    klass: str | None = None
    needs_weapon: frozenset[str] = field(default_factory=frozenset)
    not_after: frozenset[str] = field(default_factory=frozenset)  # words right before that cancel it
    not_before: frozenset[str] = field(default_factory=frozenset)  # words right after that cancel it
    weak: bool = False  # too common to code an event alone: only proposed, for the model to weigh


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
    # one-token form -> (lexeme, "past" | "present" | "noun"): what a model may learn from
    forms: dict[str, tuple[str, str]] = field(default_factory=dict)


@cache
def load() -> Lexicon:
    entries = yaml.safe_load((DATA / "triggers.yaml").read_text(encoding="utf-8"))
    words: dict[str, Trigger] = {}
    phrases: dict[str, list[tuple[tuple[str, ...], Trigger]]] = {}
    weapon_verbs: dict[str, str] = {}
    forms: dict[str, tuple[str, str]] = {}
    for e in entries:
        needs = frozenset(normalize_key(v) for v in e.get("needs_weapon", []))
        not_after = frozenset(normalize_key(v) for v in e.get("not_after", []))
        not_before = frozenset(normalize_key(v) for v in e.get("not_before", []))
        trig = Trigger(
            e["id"],
            int(e.get("rank", 50)),
            e.get("sub_event_type"),
            e.get("class"),
            needs,
            not_after,
            not_before,
            bool(e.get("weak", False)),
        )
        for verb in e.get("verbs", []):
            stem = normalize_key(verb)
            past = verb_forms(stem, present=False)
            for form in verb_forms(stem, e.get("present", True)):
                _keep_higher(words, form, trig)
                forms.setdefault(form, (stem, "past" if form in past else "present"))
                if stem in needs:
                    weapon_verbs[form] = stem
        for noun in e.get("nouns", []):
            _keep_higher(words, normalize_key(noun), trig)
            forms.setdefault(normalize_key(noun), (normalize_key(noun), "noun"))
        for phrase in e.get("phrases", []):
            toks = tuple(normalize_key(w) for w in phrase.split())
            phrases.setdefault(toks[0], []).append((toks, trig))
    for lst in phrases.values():
        lst.sort(key=lambda p: -len(p[0]))
    raw = yaml.safe_load((DATA / "context.yaml").read_text(encoding="utf-8"))
    anaphors = {normalize_key(k): tuple(v) for k, v in raw.pop("anaphors").items()}
    context = {k: frozenset(normalize_key(w) for w in v) for k, v in raw.items()}
    return Lexicon(words, phrases, context, anaphors, weapon_verbs, forms)


@dataclass(frozen=True)
class Cues:
    """The cue words of ``cues.yaml``: word -> group, the groups that cancel a trigger, and the
    words around a place (prepositions and place words)."""

    groups: dict[str, str]
    cancel: frozenset[str]
    prepositions: frozenset[str]
    place_heads: frozenset[str]


@cache
def cues() -> Cues:
    raw = yaml.safe_load((DATA / "cues.yaml").read_text(encoding="utf-8"))
    groups = {normalize_key(w): g for g, words in raw["groups"].items() for w in words}
    cancel = frozenset(w for w, g in groups.items() if g in set(raw["cancel"]))
    return Cues(
        groups,
        cancel,
        frozenset(normalize_key(w) for w in raw["prepositions"]),
        frozenset(normalize_key(w) for w in raw["place_heads"]),
    )


def _keep_higher(table: dict[str, Trigger], form: str, trig: Trigger) -> None:
    old = table.get(form)
    if old is None or trig.rank > old.rank:
        table[form] = trig
