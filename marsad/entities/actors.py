"""Actors and sources: the longest dictionary name at each token, read from the matcher.

The dictionaries (``data/actors.yaml``, ``data/sources.yaml``) become three lexicons of the one
matcher (``marsad.text.match``): the names, the head words ("عناصر", "قوات") and the links
("من", "تابعة"). A document is scanned left to right; at each token the longest name over the
word's clitic readings wins, so "طائرات النظام" is one actor and "وكالة أنباء النظام سانا" one
source; "عناصر (من) تنظيم داعش" extends the name over its head. A name listed in both
dictionaries (``الجيش الأمريكي`` fights and reports) yields both an ``actor`` and a ``source``
span over the same words.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any, Literal

from marsad import datafile, rules
from marsad.document import Document
from marsad.pipeline import Label, component
from marsad.text import match
from marsad.text.normalize import normalize_key
from marsad.text.tokens import NAMES, Token, tokenize
from marsad.text.tokens import keys as name_keys

DATA = Path(__file__).parent / "data"

_ALT_RE = re.compile(r"\{([^{}]*)\}")
_QUOTES = frozenset("\"«»“”„'")
NAMES_LEXICON, HEADS, LINKS = "actors.names", "actors.heads", "actors.links"
_NAME_OR_HEAD = frozenset({NAMES_LEXICON, HEADS})
CUES, SPEAKERS = "actors.cues", "actors.speakers"
# "Military Forces of Yemen (2012-) Hadi faction" -> base, period, suffix
_PERIOD_RE = re.compile(r"^((?:Military|Police) Forces of .+?) \((\d{4}-(?:\d{4})?)\)(.*)$")


@dataclass(frozen=True, slots=True)
class Entry:
    """What a matched alias means: a span label and its attributes."""

    label: str  # "actor" or "source"
    attrs: tuple[tuple[str, Any], ...]
    quoted: bool = False  # a common word (اليوم، الرياض) that counts only when quoted on its own
    cued: bool = False  # a bare word ("مصادر") that counts only right after a reporting verb
    anaphor: bool = False  # "وأضاف المصدر": the source named before it, if any


def expand(alias: str) -> list[str]:
    """Every spelling of an alias written with ``{a|b|}`` alternatives, spaces collapsed."""
    parts = _ALT_RE.split(alias)
    # split() alternates literal text and group contents: literal, group, literal, ...
    choices = [[p] if i % 2 == 0 else p.split("|") for i, p in enumerate(parts)]
    out = []
    for combo in itertools.product(*choices):
        text = " ".join("".join(combo).split())
        if text and text not in out:
            out.append(text)
    return out


def spellings(patterns: Iterable[str]) -> frozenset[str]:
    """The matching keys of every spelling of ``patterns`` (one-word lists)."""
    return frozenset(normalize_key(a) for p in patterns for a in expand(p))


ActorType = Literal[
    "state forces",
    "rebel group",
    "political militia",
    "identity militia",
    "rioters",
    "protesters",
    "civilians",
    "external forces",
]


class StateEntry(datafile.Strict):
    """A state whose army and police get "army + nationality" aliases generated."""

    country: str
    code: str  # ISO 3166 alpha-2, as places carry it: what ``forces`` words resolve by
    adjectives: list[str]
    military: str
    police: str


class ActorEntry(datafile.Strict):
    canonical: str
    type: ActorType
    country: str | None = None
    aliases: list[str] = []
    local: bool = False  # "(<country>)" in the name follows the country of the event


class ByCountry(datafile.Strict, extra="allow"):
    """Words whose actor depends on the country: ``aliases`` plus country codes (or ``default``);
    ``forces`` makes the word name that state's own military or police wherever ``states`` lists
    the country and no code says otherwise ("الجيش" in Iraq is Iraq's army)."""

    aliases: list[str]
    default: str | None = None
    forces: Literal["military", "police"] | None = None

    def __post_init__(self) -> None:
        bad = [k for k, v in self.extras().items() if not (len(k) == 2 and k.isupper())]
        bad += [k for k, v in self.extras().items() if not isinstance(v, str)]
        if bad:
            raise ValueError(f"expected two-letter country codes naming an actor, got {sorted(set(bad))}")


class ActorCatalogue(datafile.Strict):
    """actors.yaml (see its comments)."""

    types: dict[ActorType, int]
    heads: list[str] = []
    links: list[str] = []
    military_heads: list[str]
    police_heads: list[str]
    states: list[StateEntry] = []
    actors: list[ActorEntry]
    by_country: list[ByCountry] = []
    # state forces' names by period: country -> [(suffix, first day, last day or None)]
    periods: dict[str, list[tuple[str, date, date | None]]] = {}


class SourceEntry(datafile.Strict):
    canonical: str
    kind: Literal["media", "monitor", "official", "person", "org"]
    aliases: list[str] = []
    titled: list[str] = []
    cued: list[str] = []
    anaphors: list[str] = []  # cued words that stand for the source named before them
    outlets: list[str] = []  # the outlet names a reader gives its articles (corpus code, web domain)
    speaks_for: str | None = None
    local: bool = False  # the name takes "(<country>)" of the text around it


class SourceCatalogue(datafile.Strict):
    """sources.yaml (see its comments)."""

    titles: list[str] = []
    cues: list[str] = []
    speakers: dict[str, list[str]] = {}  # what a speaker is called -> the words that name one
    sources: list[SourceEntry]
    by_country: list[ByCountry] = []


class Lexicon:
    """The compiled actor and source dictionaries."""

    def __init__(self, actors_path: Path = DATA / "actors.yaml", sources_path: Path = DATA / "sources.yaml"):
        self._names: dict[
            tuple[str, ...], tuple[str, dict[str, Entry]]
        ] = {}  # keys -> (pattern, label -> entry)
        self.heads: list[str] = []
        self.links: list[str] = []
        self.cues: list[str] = []
        self.speakers: list[tuple[str, tuple[str, ...], str]] = []  # (pattern, keys, role)
        self.outlets: dict[str, str] = {}  # outlet (lower case) -> source
        self.actors: dict[str, dict[str, Any]] = {}
        self.sources: dict[str, dict[str, Any]] = {}
        self.periods: dict[str, list[tuple[str, str, str | None]]] = {}
        self.adjectives: dict[str, str] = {}  # a state's adjective (normalised key) -> country code
        self.forces: dict[str, dict[str, str]] = {}  # country code -> "military"/"police" -> actor
        self._alias_to_actor: dict[tuple[str, ...], str] = {}
        self._load_actors(datafile.load(actors_path, ActorCatalogue, dump=True))
        self._load_sources(datafile.load(sources_path, SourceCatalogue, dump=True))
        for rec in self.sources.values():
            if rec["speaks_for"] is not None and rec["speaks_for"] not in self.actors:
                raise datafile.DataFileError(
                    f"{sources_path}: source {rec['canonical']!r}, field speaks_for: "
                    f"no actor {rec['speaks_for']!r} in {actors_path}"
                )
        self.lexicons = [
            match.Lexicon(
                NAMES_LEXICON,
                ((pattern, keys, payload) for keys, (pattern, payload) in self._names.items()),
                accept=NAMES,
                gap="any",
            ),
            match.Lexicon.words(HEADS, self.heads, accept=NAMES),
            match.Lexicon.words(LINKS, self.links, accept=0),
            match.Lexicon.words(CUES, self.cues, accept=NAMES),
            match.Lexicon(SPEAKERS, self.speakers, accept=NAMES, gap="any"),
        ]
        self._matcher: match.Matcher | None = None

    # -- building ----------------------------------------------------------------------------
    def _insert(self, keys: tuple[str, ...], entry: Entry, pattern: str) -> None:
        if not keys:
            return
        payload = self._names.setdefault(keys, (pattern, {}))[1]
        payload[entry.label] = entry

    def _actor(
        self, canonical: str, type_: str, country: str | None, inter: int, local: bool = False
    ) -> Entry:
        rec = self.actors.setdefault(
            canonical,
            {"canonical": canonical, "type": type_, "country": country, "inter": inter, "aliases": []},
        )
        if local:
            rec["local"] = True
        self._alias_to_actor[name_keys(canonical)] = canonical
        attrs: tuple = (("canonical", canonical), ("type", rec["type"]), ("country", rec["country"]))
        return Entry("actor", attrs + ((("local", True),) if rec.get("local") else ()))

    def _add_actor_alias(self, entry: Entry, alias: str, pattern: str) -> None:
        keys = name_keys(alias)
        canonical = dict(entry.attrs)["canonical"]
        self.actors[canonical]["aliases"].append(alias)
        self._alias_to_actor.setdefault(keys, canonical)
        self._insert(keys, entry, pattern)

    def _load_actors(self, data: dict[str, Any]) -> None:
        inter = data["types"]
        for field, target in (("heads", self.heads), ("links", self.links)):
            for pattern in data.get(field, []):
                target.extend(expand(pattern))
        # Generated "army + nationality" forms go in first so that explicit aliases override them.
        for state in data.get("states", []):
            adjectives = [a for pattern in state["adjectives"] for a in expand(pattern)]
            self.adjectives.update((normalize_key(a), state["code"]) for a in adjectives)
            self.forces[state["code"]] = {role: state[role] for role in ("military", "police")}
            for role, heads in (("military", data["military_heads"]), ("police", data["police_heads"])):
                entry = self._actor(state[role], "state forces", state["country"], inter["state forces"])
                for head in heads:
                    # "الجيش التركي", "قوات الأمن التركية" (a construct's last word decides)
                    definite = head.split()[-1].startswith("ال")
                    for adj in adjectives:
                        alias = f"{head} {'ال' + adj if definite else adj}"
                        self._add_actor_alias(entry, alias, alias)
        for actor in data["actors"]:
            entry = self._actor(
                actor["canonical"],
                actor["type"],
                actor.get("country"),
                inter[actor["type"]],
                local=bool(actor.get("local")),
            )
            for pattern in actor.get("aliases", []):
                for alias in expand(pattern):
                    self._add_actor_alias(entry, alias, pattern)
        self._load_by_country("actor", data.get("by_country", []), data.get("states", []))
        for country, periods in data.get("periods", {}).items():
            self.periods[country] = [(str(p), str(a), str(b) if b else None) for p, a, b in periods]

    def _load_by_country(
        self, label: str, groups: list[dict[str, Any]], states: list[dict[str, Any]]
    ) -> None:
        """Words whose actor (or source) depends on the country the text is about there."""
        known = self.actors if label == "actor" else self.sources
        for group in groups:
            table = {k: v for k, v in group.items() if k not in ("aliases", "forces") and v is not None}
            if group.get("forces"):
                for state in states:
                    table.setdefault(state["code"], state[group["forces"]])
            choices = tuple(sorted(table.items()))
            for name in dict(choices).values():
                if name not in known:
                    raise ValueError(f"by_country names {name!r}, which is no {label}")
            entry = Entry(label, (("by_country", choices),))
            for pattern in group["aliases"]:
                for alias in expand(pattern):
                    self._insert(name_keys(alias), entry, pattern)

    def _load_sources(self, data: dict[str, Any]) -> None:
        titles = [t for pattern in data.get("titles", []) for t in expand(pattern)]
        self.cues.extend(c for pattern in data.get("cues", []) for c in expand(pattern))
        for role, patterns in data.get("speakers", {}).items():
            self.speakers.extend((p, name_keys(w), role) for p in patterns for w in expand(p))
        for source in data["sources"]:
            canonical, kind = source["canonical"], source["kind"]
            self.sources[canonical] = {
                "canonical": canonical,
                "kind": kind,
                "aliases": [],
                "speaks_for": source.get("speaks_for"),
                "local": bool(source.get("local")),
            }
            attrs = _source_attrs(self.sources[canonical])
            if source.get("local"):
                attrs += (("local", True),)
            for outlet in source.get("outlets", []):
                self.outlets[outlet.lower()] = canonical
            entry = Entry("source", attrs)
            for field, anaphor in (("cued", False), ("anaphors", True)):
                for pattern in source.get(field, []):
                    for name in expand(pattern):
                        cued = Entry("source", entry.attrs, cued=True, anaphor=anaphor)
                        self._insert(name_keys(name), cued, pattern)
            for pattern in source.get("titled", []):
                for name in expand(pattern):
                    self._insert(name_keys(name), Entry("source", entry.attrs, quoted=True), pattern)
                    for title in titles:
                        self._insert(name_keys(f"{title} {name}"), entry, f"{title} {pattern}")
            for pattern in source.get("aliases", []):
                for alias in expand(pattern):
                    self.sources[canonical]["aliases"].append(alias)
                    self._insert(name_keys(alias), entry, pattern)
        self._load_by_country("source", data.get("by_country", []), [])

    # -- matching ----------------------------------------------------------------------------
    def find(self, text: str) -> list[tuple[int, int, Entry]]:
        """All dictionary matches in any ``text`` (no pipeline), leftmost-longest."""
        if self._matcher is None:
            self._matcher = match.Matcher(self.lexicons)
        tokens = tokenize(text)
        return self.read(text, tokens, self._matcher(text, tokens))

    def read(self, text: str, tokens: list[Token], matches: match.Matches) -> list[tuple[int, int, Entry]]:
        """The names of a document as ``(start, end, entry)``, leftmost-longest (read once per
        document: the place model asks for them before the actors stage writes them)."""
        done = matches.read.get(NAMES_LEXICON)
        if done is None:
            done = matches.read[NAMES_LEXICON] = self._read(text, tokens, matches)
        return done

    def _read(self, text: str, tokens: list[Token], matches: match.Matches) -> list[tuple[int, int, Entry]]:

        def ok(i: int, end: int, entry: Entry) -> bool:
            """A quoted-only name stands alone between quotes: «الشرق الأوسط»; a cued one follows
            a reporting word: "قالت مصادر"."""
            if entry.cued:
                return i > 0 and CUES in matches.tags[i - 1]
            s, e = tokens[i].start, tokens[end - 1].end
            return s > 0 and e < len(text) and text[s - 1] in _QUOTES and text[e] in _QUOTES

        def spoken_for(i: int, end: int, entry: Entry) -> bool:
            return entry.cued or ok(i, end, entry)

        out: list[tuple[int, int, Entry]] = []
        n = len(tokens)
        tags = matches.tags
        phrases = matches.phrases
        # Most words are neither a name, a head word nor a phrase's start: only those that are
        # are visited, in order, each past the end of the last name read.
        read_to = 0
        for i in matches.tagged_or_phrase(_NAME_OR_HEAD):
            if i < read_to:
                continue
            heads = matches.single(i, HEADS)
            best = self._longest(matches, i, ok)
            # "عناصر (من) تنظيم داعش": a head word, an optional link, then a name.
            if heads and i + 1 < n:
                head = max(h.reading.skip for h in heads)
                nxt = [i + 1] + ([i + 2] if LINKS in tags[i + 1] and i + 2 < n else [])
                for j in nxt:
                    hit = self._longest(matches, j, ok)
                    if hit is not None and (best is None or hit[0] > best[0]):
                        rules.fire("actors.head_word")
                        best = (hit[0], head, hit[2])
            # "المتحدث باسم الجيش": a speaker's words, then the group spoken for, report as it.
            for m in matches.starting(i, SPEAKERS) if i in phrases or SPEAKERS in tags[i] else ():
                # the speaker's words cue a cued name as a reporting verb does: "مصدر في قيادة عمليات الأنبار"
                hit = self._longest(matches, m.end, spoken_for) if m.end < n else None
                if hit is None or (best is not None and hit[0] <= best[0]):
                    continue
                rules.fire("actors.speaker")
                group = hit[2].get("actor")
                if group is not None:  # the group is named too: "قال الناطق باسم الجبهة" claims
                    out.append((tokens[m.end].start + hit[1], tokens[hit[0] - 1].end, group))
                spoken = hit[2].get("source") or Entry(
                    "source", (("speaker", group.attrs), ("role", m.entry.value))
                )
                best = (hit[0], m.reading.skip, {"source": spoken})
            if best is None:
                continue
            end, skip, entries = best
            start, stop = tokens[i].start + skip, tokens[end - 1].end
            for entry in entries.values():
                out.append((start, stop, entry))
            read_to = end
        return out

    @staticmethod
    def _longest(matches: match.Matches, i: int, ok: Any) -> tuple[int, int, dict[str, Entry]] | None:
        """Longest name from token ``i`` over the word's readings: ``(end, skip, entries)``; at
        equal length the least stripped reading wins."""
        best = None
        found = matches.starting(i, NAMES_LEXICON)
        if not found:
            return None
        readings = matches.tokens[i].word.readings
        for m in sorted(found, key=lambda m: (-m.end, readings.index(m.reading))):
            payload = m.entry.value
            kept = payload
            if any(e.quoted or e.cued for e in payload.values()):
                kept = {lab: e for lab, e in payload.items() if not (e.quoted or e.cued) or ok(i, m.end, e)}
                rules.fire(
                    "actors.quoted_name" if len(kept) == len(payload) else "actors.unquoted_name_dropped"
                )
            if kept:
                best = (m.end, m.reading.skip, kept)
                break
        return best

    def by_country(
        self, choices: tuple[tuple[str, str], ...], country_code: str | None, label: str = "actor"
    ) -> Entry | None:
        """The actor (or source) a country-dependent word names where the text is (``default``
        elsewhere)."""
        table = dict(choices)
        name = table.get(country_code or "") or table.get("default")
        if name is None:
            return None
        if label == "source":
            return Entry("source", _source_attrs(self.sources[name]))
        rec = self.actors[name]
        return Entry("actor", (("canonical", name), ("type", rec["type"]), ("country", rec["country"])))

    def resolve(
        self, label: str, attrs: dict[str, Any], near: tuple[str, str] | None
    ) -> dict[str, Any] | None:
        """A name read by the country the text is about there (``(code, name)``): a
        country-dependent word becomes that country's actor (None: no actor there); a local
        actor ("Civilians (Syria)") belongs to that country; a local source ("وزارة الداخلية")
        takes its name: "Ministry of Interior (Iraq)"."""
        code, country = near or (None, None)
        attrs = dict(attrs)
        if "speaker" in attrs:  # "the spokesman of <group>": the group as read here, then the role
            group = self.resolve("actor", dict(attrs["speaker"]), near)
            if group is None:
                return None
            kind = "official" if group["type"] == "state forces" else "org"
            name = self.label(group["canonical"], group.get("country"))
            # "Popular Resistance (Yemen)" speaks as "Popular Resistance sources"
            name = name.removesuffix(f" ({group.get('country')})")
            return {"canonical": f"{name} {attrs['role']}", "kind": kind}
        local = attrs.pop("local", False)
        if "by_country" in attrs:
            chosen = self.by_country(attrs["by_country"], code, label)
            if chosen is None:
                return None
            attrs = dict(chosen.attrs)
            local = (self.actors if label == "actor" else self.sources)[attrs["canonical"]].get(
                "local", False
            )
        if country and local:
            if "kind" in attrs:
                attrs["canonical"] = f"{attrs['canonical']} ({country})"
            else:
                attrs["country"] = country
        return attrs

    def label(self, name: str, country: str | None = None, day: date | str | None = None) -> str:
        """An actor's ACLED label for an event in ``country`` on ``day``.

        "Civilians (Syria)" becomes "Civilians (Yemen)" in Yemen (entries marked ``local``); a
        state's forces take the period of the government that held the day: "Military Forces of
        Syria (2000-2024)" on 2025-01-10 is "Military Forces of Syria (2024-)", and a day no
        period covers drops the period ("Military Forces of Lebanon")."""
        rec = self.actors.get(name)
        if rec is not None and rec.get("local") and country and name.endswith(")") and "(" in name:
            return f"{name[: name.rindex('(')]}({country})"
        m = _PERIOD_RE.match(name)
        if m is None or day is None or rec is None or rec.get("country") not in self.periods:
            return name
        iso = day.isoformat() if isinstance(day, date) else str(day)[:10]
        base, _, suffix = m.groups()
        for period, first, last in self.periods[rec["country"]]:
            if first <= iso and (last is None or iso < last):
                return f"{base} ({period}){suffix}"
        return f"{base}{suffix}"

    def lookup_actor(self, name: str) -> dict[str, Any] | None:
        """The actor record for a canonical name or any alias (clitics allowed), else None."""
        keys = name_keys(name)
        canonical = self._alias_to_actor.get(keys)
        if canonical is None:
            # Clitics or heads around an alias ("ولقوات النظام"): accept a match covering the name.
            stripped = name.strip()
            for start, end, entry in self.find(stripped):
                if entry.label == "actor" and end == len(stripped) and start <= 2:
                    canonical = dict(entry.attrs)["canonical"]
                    break
        if canonical is None:
            return self._labelled(name.strip())
        rec = self.actors[canonical]
        return {k: v for k, v in rec.items() if k != "aliases"}

    def _labelled(self, name: str) -> dict[str, Any] | None:
        """The record behind a label :meth:`label` made: "Civilians (Yemen)" is the local entry
        "Civilians (Syria)" in Yemen, "Military Forces of Syria (2024-)" or "Military Forces of
        Lebanon" the entry of that state's forces in another period (or none)."""
        base, cut, rest = name.partition(" (")
        m = _PERIOD_RE.match(name)
        stem = m.group(1) + m.group(3) if m else name
        for rec in self.actors.values():
            canonical = rec["canonical"]
            found = {k: v for k, v in rec.items() if k != "aliases"}
            if cut and rest.endswith(")") and rec.get("local") and canonical.startswith(base + " ("):
                return {**found, "canonical": name, "country": rest[:-1]}
            n = _PERIOD_RE.match(canonical)
            if n and n.group(1) + n.group(3) == stem:
                return {**found, "canonical": name}
        return None


@cache
def lexicon() -> Lexicon:
    """The shared compiled dictionaries, built on first use."""
    return Lexicon()


def lookup_actor(name: str) -> dict[str, Any] | None:
    """Canonical record ``{canonical, type, country, inter}`` for a canonical name or alias."""
    return lexicon().lookup_actor(name)


def state_forces(code: str | None, role: str) -> str | None:
    """The state forces ("military" or "police") of a country (ISO code), if actors.yaml lists it."""
    return lexicon().forces.get(code or "", {}).get(role)


def label(name: str, country: str | None = None, day: date | str | None = None) -> str:
    """An actor's ACLED label for an event's country and date (see :meth:`Lexicon.label`)."""
    return lexicon().label(name, country, day)


def _country_near(places: list[Any], sentences: list[Any], start: int) -> tuple[str, str] | None:
    """The country the text is about at ``start`` (code, name): its sentence's places, else the
    article's."""
    sent = next((s for s in sentences if s.start <= start < s.end), None)
    here = [p for p in places if sent is not None and sent.start <= p.start < sent.end]
    for group in (here, places):
        codes = Counter(
            (p.attrs["country_code"], p.attrs.get("country")) for p in group if p.attrs.get("country_code")
        )
        if codes:
            return codes.most_common(1)[0][0]
    return None


def outlet_source(outlet: str | None) -> str | None:
    """The source an outlet's own articles report as when they name no other (ACLED codes the
    outlet): "okaz" or "okaz.com.sa" -> "Okaz"."""
    return lexicon().outlets.get((outlet or "").lower().removeprefix("www."))


def _source_attrs(rec: dict[str, Any]) -> tuple:
    """A catalogue source's span attributes; a party's own spokesman ("US military" for the
    coalition, Iraq's Counter Terrorism Service for its army) says whom it speaks for."""
    attrs: tuple = (("canonical", rec["canonical"]), ("kind", rec["kind"]))
    if rec["speaks_for"]:
        attrs += (("speaks_for", rec["speaks_for"]),)
    return attrs


def speaks_for(source: str) -> str | None:
    """The party a source is the spokesman of ("US military" -> the coalition), if any."""
    rec = lexicon().sources.get(source)
    return rec.get("speaks_for") if rec else None


@component(
    "actors",
    requires=["tokens", "matches"],
    assigns=[
        Label(
            "actor",
            "",
            {"canonical": (str, ""), "type": (str, "ACLED actor type"), "country": (str | None, "")},
        ),
        Label(
            "source",
            "",
            {"canonical": (str, ""), "kind": (str, "`media`/`monitor`/`official`/`person`/`org`")},
            optional={"speaks_for": (str, "the party whose spokesman it is")},
        ),
    ],
)
def make_actors() -> Any:
    """Pipeline stage adding ``actor`` and ``source`` spans (the ``ner`` stage may follow it)."""
    lex = lexicon()

    def actors(doc: Document) -> Document:
        places: list[Any] | None = None
        sentences: list[Any] = []
        last_source: dict[str, Any] | None = None
        for start, end, entry in lex.read(doc.clean, doc.tokens, doc.matches):
            attrs: dict[str, Any] | None = dict(entry.attrs)
            if entry.anaphor and last_source is not None:
                rules.fire("actors.source_anaphor")
                attrs = last_source
            if "by_country" in attrs or "speaker" in attrs or attrs.get("local"):
                if places is None:
                    places = [p for p in doc.spans_of("place") if p.attrs.get("role") != "government"]
                    sentences = doc.spans_of("sentence")
                attrs = lex.resolve(entry.label, attrs, _country_near(places, sentences, start))
                if attrs is None:
                    continue
            doc.add(start, end, entry.label, **attrs)
            if entry.label == "source":
                last_source = attrs
        return doc

    actors.name = "actors"  # type: ignore[attr-defined]
    actors.lexicons = lex.lexicons  # type: ignore[attr-defined]  # compiled by the match stage
    return actors
