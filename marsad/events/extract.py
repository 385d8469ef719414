"""Component "events": triggers + arguments -> ACLED-coded events with their evidence.

Each clause (or sentence) is read once: its strongest trigger decides the event type, then the
places, actors, date, fatalities, sources and modality are taken from the clause first and from
the sentence, the paragraph and the document as fallbacks. A clause that lists several places
("بلدتي الفوعة وكفريا") gives one event per place.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from datetime import timedelta

from marsad.document import Document, Span
from marsad.events.lexicon import Lexicon, Trigger, load
from marsad.events.model import INTER_CODES, Event, Evidence
from marsad.pipeline import component
from marsad.text.tokens import candidates

# Place types that contain others; kept only when a clause names nothing more specific.
BROAD = {"country", "admin1", "admin2", "region", "plain", "mountain", "governorate"}
STATE_TYPES = {"state forces"}


@dataclass
class Found:
    """A trigger occurrence in a clause."""

    trigger: Trigger
    start: int
    end: int
    index: int  # token index of the first word


@dataclass
class Context:
    """What the document has told us so far, for anaphora and fallbacks."""

    places: list[Span] = field(default_factory=list)  # resolved place spans in reading order
    last_source: list[str] = field(default_factory=list)
    lead_source: list[str] = field(default_factory=list)


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

    def before(self, pos: int) -> list[Span]:
        return self.spans[: bisect.bisect_left(self.starts, pos)]


@component("events")
class EventExtractor:
    def __init__(self) -> None:
        self.lex: Lexicon = load()
        c = self.lex.context
        self.air = c["air_words"]
        self.weapons = c["weapon_words"]
        self.armed = c["armed_targets"]
        self.irrealis = c["irrealis"]
        self.negation = c["negation"]
        self.denial = c["denial"]
        self.allegation = c["allegation"]
        self.dispute = c["dispute"]
        self.source_cues = c["source_cues"]
        self.control_state = c["control_state"]
        self.direction = c["direction"]
        self.agent_markers = c["agent_markers"]
        self.target_markers = c["target_markers"]

    # -- document ------------------------------------------------------------------------------
    def __call__(self, doc: Document) -> Document:
        tokens = doc.tokens
        if not tokens:
            return doc
        tok_starts = [t.start for t in tokens]
        keys = [self._keys(t) for t in tokens]
        idx = {
            label: SpanIndex(doc.spans_of(label))
            for label in ("place", "actor", "source", "date", "casualties", "person", "org")
        }
        sentences = sorted(doc.spans_of("sentence"), key=lambda s: s.start) or [
            Span(0, len(doc.clean), "sentence")
        ]
        clauses = SpanIndex(doc.spans_of("clause"))
        ctx = Context()
        for sent in sentences:
            sent_clauses = clauses.within(sent.start, sent.end) or [sent]
            sent_sources = self._sources(doc, idx, tokens, tok_starts, keys, sent)
            if sent_sources:
                ctx.last_source = sent_sources
                if not ctx.lead_source:
                    ctx.lead_source = sent_sources
            for clause in sent_clauses:
                lo = bisect.bisect_left(tok_starts, clause.start)
                hi = bisect.bisect_left(tok_starts, clause.end)
                found = self._triggers(tokens, keys, lo, hi)
                if found:
                    self._code_clause(doc, idx, tokens, keys, sent, clause, lo, hi, found, sent_sources, ctx)
                ctx.places.extend(
                    p for p in idx["place"].within(clause.start, clause.end) if p.attrs.get("lat") is not None
                )
        return doc

    @staticmethod
    def _keys(token) -> tuple[str, ...]:
        cands = candidates(token)
        return tuple(dict.fromkeys([token.norm, *cands]))

    # -- triggers ------------------------------------------------------------------------------
    def _triggers(self, tokens, keys, lo: int, hi: int) -> list[Found]:
        out: list[Found] = []
        i = lo
        while i < hi:
            hit = self._match_at(keys, i, hi)
            if hit is None:
                i += 1
                continue
            trig, n = hit
            if self._cancelled(tokens, keys, i, trig, lo, hi):
                i += n
                continue
            out.append(Found(trig, tokens[i].start, tokens[i + n - 1].end, i))
            i += n
        return out

    def _match_at(self, keys, i: int, hi: int) -> tuple[Trigger, int] | None:
        for k in keys[i]:
            for words, trig in self.lex.phrases.get(k, ()):
                n = len(words)
                if i + n <= hi and all(words[j] in keys[i + j] for j in range(1, n)):
                    return trig, n
        best = None
        for k in keys[i]:
            trig = self.lex.words.get(k)
            if trig is not None and (best is None or trig.rank > best.rank):
                best = trig
        return (best, 1) if best else None

    def _cancelled(self, tokens, keys, i: int, trig: Trigger, lo: int, hi: int) -> bool:
        """Negated, hoped-for, or a state rather than a change."""
        before = [k for j in range(max(lo, i - 2), i) for k in keys[j]]
        if any(k in self.negation for k in before):
            return True
        if any(k in self.irrealis for j in range(max(lo, i - 6), i) for k in keys[j]):
            return True
        if trig.klass == "territory" and any(k in self.control_state for k in before):
            return True
        if trig.needs_weapon and any(k in trig.needs_weapon or k in self.lex.weapon_verbs for k in keys[i]):
            window = range(max(lo, i - 4), min(hi, i + 8))
            if not any(k in self.weapons for j in window if j != i for k in keys[j]):
                return True
        return False

    # -- clause -> events ----------------------------------------------------------------------
    def _code_clause(self, doc, idx, tokens, keys, sent, clause, lo, hi, found, sent_sources, ctx) -> None:
        main = max(found, key=lambda f: (f.trigger.rank, -f.start))
        clause_keys = {k for j in range(lo, hi) for k in keys[j]}
        places = self._places(doc, idx, tokens, keys, clause, lo, hi, main, sent, ctx)
        if not places:
            return
        actor1, assoc1, actor2, assoc2 = self._actors(idx, tokens, keys, clause, main, lo, hi)
        sub_type = self._sub_event_type(main.trigger, clause_keys, keys, main, hi, actor1)
        if sub_type is None:
            return
        if actor1 is None:
            actor1 = self._default_actor(sub_type, clause_keys, places)
        when, precision, historical = self._date(doc, idx, clause, sent)
        status, attributed = self._status(doc, idx, tokens, keys, sent, sent_sources, actor1, ctx)
        fatalities = self._fatalities(idx, clause, sent) if len(places) == 1 else None
        evidence = Evidence(doc.id, sent.start, sent.end, doc.clean[sent.start : sent.end])
        for place in places:
            a = place.attrs
            ev = Event(
                sub_event_type=sub_type,
                doc_ids=[doc.id],
                evidence=[evidence],
                event_date=when,
                time_precision=precision,
                actor1=actor1.attrs["canonical"] if actor1 else None,
                assoc_actor_1="; ".join(s.attrs["canonical"] for s in assoc1) or None,
                actor2=actor2.attrs["canonical"] if actor2 else None,
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
                    "trigger": [main.start, main.end],
                    "location": [place.start, place.end],
                    **(
                        {"actor1": [actor1.start, actor1.end]} if actor1 and actor1.end > actor1.start else {}
                    ),
                    **({"actor2": [actor2.start, actor2.end]} if actor2 else {}),
                },
            )
            ev.ensure_id()
            doc.events.append(ev)
        doc.add(main.start, main.end, "trigger", sub_event_type=sub_type, lemma=main.trigger.id)

    def _sub_event_type(self, trig: Trigger, clause_keys, keys, main: Found, hi: int, actor1) -> str | None:
        if trig.sub_event_type:
            return trig.sub_event_type
        if trig.klass == "strike":
            return "Air/drone strike" if clause_keys & self.air else "Shelling/artillery/missile attack"
        if trig.klass == "attack":
            if clause_keys & self.air:
                return "Air/drone strike"
            after = {k for j in range(main.index, hi) for k in keys[j]}
            return "Armed clash" if after & self.armed else "Attack"
        if trig.klass == "territory":
            if actor1 is not None and actor1.attrs.get("type") in STATE_TYPES:
                return "Government regains territory"
            return "Non-state actor overtakes territory"
        return None

    # -- places --------------------------------------------------------------------------------
    def _places(self, doc, idx, tokens, keys, clause, lo, hi, main, sent, ctx) -> list[Span]:
        taken = [s for label in ("actor", "source") for s in idx[label].within(clause.start, clause.end)]
        cands = []
        for p in idx["place"].within(clause.start, clause.end):
            if p.attrs.get("lat") is None:
                continue
            if any(t.start <= p.start and p.end <= t.end for t in taken):
                continue
            if main.trigger.klass == "territory" and self._after_direction(doc, tokens, keys, p):
                continue
            cands.append(p)
        places = self._drop_containers(doc, cands)
        if places:
            return places
        anaphor = self._anaphor(tokens, keys, lo, hi, ctx)
        if anaphor is not None:
            return [anaphor]
        return []

    def _after_direction(self, doc, tokens, keys, place: Span) -> bool:
        i = bisect.bisect_left([t.start for t in tokens], place.start)
        return any(k in self.direction for j in range(max(0, i - 2), i) for k in keys[j])

    @staticmethod
    def _drop_containers(doc: Document, places: list[Span]) -> list[Span]:
        """Keep the most specific places: "حرستا بالغوطة الشرقية" is an event in Harasta."""
        if not places:
            return []
        specific = [p for p in places if p.attrs.get("type") not in BROAD and not p.attrs.get("container")]
        if specific:
            keep = specific
        else:
            non_country = [p for p in places if p.attrs.get("type") != "country"]
            keep = non_country or places[:1]
        seen: set = set()
        out = []
        for p in keep:
            key = p.attrs.get("geonameid") or (p.attrs.get("lat"), p.attrs.get("lon"))
            if key in seen:
                continue
            seen.add(key)
            out.append(p)
        return out

    def _anaphor(self, tokens, keys, lo, hi, ctx: Context) -> Span | None:
        for j in range(lo, hi):
            for k in keys[j]:
                kinds = self.lex.anaphors.get(k)
                if kinds is None:
                    continue
                for p in reversed(ctx.places[-12:]):
                    if p.attrs.get("type") in kinds:
                        return Span(tokens[j].start, tokens[j].end, "place", dict(p.attrs, anaphor=True))
        return None

    # -- actors --------------------------------------------------------------------------------
    def _actors(self, idx, tokens, keys, clause, main: Found, lo, hi):
        actors = [
            a for a in idx["actor"].within(clause.start, clause.end) if not self._is_source_overlap(idx, a)
        ]
        if not actors:
            return None, [], None, []
        tok_starts = [t.start for t in tokens]
        agents, targets, neutral = [], [], []
        for a in actors:
            i = bisect.bisect_left(tok_starts, a.start)
            prev = [k for j in range(max(lo, i - 2), i) for k in keys[j]]
            prefix = getattr(tokens[i], "prefix", "") if i < len(tokens) else ""
            if any(k in self.control_state for k in prev):
                continue  # "التي يسيطر عليها تنظيم داعش": who holds the place, not who acted
            if any(k in self.agent_markers for k in prev[-1:]):
                agents.append(a)
            elif any(k in self.target_markers for k in prev) or prefix.endswith("ل") and a.start > main.start:
                targets.append(a)
            else:
                neutral.append(a)
        ordered = agents + neutral
        actor1 = ordered[0] if ordered else None
        if actor1 is None:
            return None, [], (targets[0] if targets else None), targets[1:2]
        rest = [a for a in ordered[1:] if a.attrs.get("canonical") != actor1.attrs.get("canonical")]
        between = any(k == "بين" for j in range(lo, hi) for k in keys[j][:1])
        actor2 = None
        assoc1: list[Span] = []
        if between and rest:
            # "بين X و Y ... من جهة، و Z من جهة أخرى": the first side vs the second
            side_break = self._side_break(tokens, keys, lo, hi)
            first_side = [a for a in rest if side_break is None or a.start < side_break]
            second_side = [a for a in rest if side_break is not None and a.start >= side_break]
            if side_break is None:
                actor2, first_side = rest[0], []
                second_side = rest[1:]
            else:
                actor2 = second_side[0] if second_side else None
                second_side = second_side[1:]
            assoc1 = [a for a in first_side if self._same_side(actor1, a)]
            assoc2 = second_side
        else:
            assoc1 = [a for a in rest if self._same_side(actor1, a)][:2]
            actor2 = (
                targets[0] if targets else next((a for a in rest if not self._same_side(actor1, a)), None)
            )
            assoc2 = []
        return actor1, assoc1, actor2, assoc2[:2]

    def _side_break(self, tokens, keys, lo, hi) -> int | None:
        """The offset after "من جهة"/"من طرف"/"من جانب": where the second side begins."""
        for j in range(lo, hi - 1):
            if "من" in keys[j] and any(k in ("جهه", "طرف", "جانب") for k in keys[j + 1]):
                return tokens[j + 1].end
        return None

    @staticmethod
    def _same_side(a: Span, b: Span) -> bool:
        ta, tb = a.attrs.get("type"), b.attrs.get("type")
        pro_state = {"state forces", "external forces", "political militia", "identity militia"}
        return (ta in pro_state) == (tb in pro_state) if ta and tb else False

    @staticmethod
    def _is_source_overlap(idx, actor: Span) -> bool:
        return any(
            s.start <= actor.start and actor.end <= s.end
            for s in idx["source"].within(actor.start - 80, actor.end + 80)
        )

    @staticmethod
    def _default_actor(sub_type: str, clause_keys, places: list[Span]) -> Span | None:
        """Barrel bombs and helicopters over Syria are the regime's: analysts code them so."""
        if sub_type != "Air/drone strike":
            return None
        syria = any(p.attrs.get("country_code") == "SY" for p in places)
        if syria:
            from marsad.entities.actors import lookup_actor

            rec = lookup_actor("Military Forces of Syria")
            if rec:
                return Span(
                    0, 0, "actor", {"canonical": rec["canonical"], "type": rec.get("type"), "default": True}
                )
        return None

    # -- date ----------------------------------------------------------------------------------
    def _date(self, doc: Document, idx, clause: Span, sent: Span) -> tuple[str | None, int | None, bool]:
        for scope in (clause, sent):
            dates = idx["date"].within(scope.start, scope.end)
            if any(d.attrs.get("historical") for d in dates):
                d = next(d for d in dates if d.attrs.get("historical"))
                return d.attrs.get("first"), 3, True
            resolved = [
                d for d in dates if d.attrs.get("first") and d.attrs.get("precision") in ("day", "week")
            ]
            if resolved:
                d = resolved[0]
                return d.attrs["first"], 1 if d.attrs["precision"] == "day" else 2, False
        if doc.published is None:
            return None, None, False
        return (doc.published - timedelta(days=1)).isoformat(), 2, False

    # -- fatalities ----------------------------------------------------------------------------
    @staticmethod
    def _fatalities(idx, clause: Span, sent: Span) -> int | None:
        for scope in (clause, sent):
            killed = [
                c for c in idx["casualties"].within(scope.start, scope.end) if c.attrs.get("kind") == "killed"
            ]
            counts = [c.attrs.get("count") for c in killed if isinstance(c.attrs.get("count"), int)]
            if counts:
                return counts[0]
        return None

    # -- attribution and modality --------------------------------------------------------------
    def _sources(self, doc, idx, tokens, tok_starts, keys, sent: Span) -> list[str]:
        names = [
            s.attrs["canonical"]
            for s in idx["source"].within(sent.start, sent.end)
            if s.attrs.get("canonical")
        ]
        lo = bisect.bisect_left(tok_starts, sent.start)
        for label in ("person", "org"):
            for s in idx[label].within(sent.start, sent.end):
                i = bisect.bisect_left(tok_starts, s.start)
                if any(k in self.source_cues for j in range(max(lo, i - 3), i) for k in keys[j]):
                    names.append(doc.clean[s.start : s.end])
        return list(dict.fromkeys(names))

    def _status(
        self, doc, idx, tokens, keys, sent, sent_sources, actor1, ctx: Context
    ) -> tuple[str, list[str]]:
        tok_starts = [t.start for t in tokens]
        lo = bisect.bisect_left(tok_starts, sent.start)
        hi = bisect.bisect_left(tok_starts, sent.end)
        sent_keys = {k for j in range(lo, hi) for k in keys[j]}
        attributed = sent_sources or ctx.last_source or ctx.lead_source
        if sent_keys & self.dispute:
            return "disputed", attributed
        if sent_keys & self.denial:
            return "denied", attributed
        if sent_keys & self.allegation:
            return "alleged", attributed
        if actor1 is not None and sent_keys & self.source_cues:
            speaker = self._speaker(idx, tokens, keys, lo, hi)
            if speaker is not None and speaker.attrs.get("canonical") == actor1.attrs.get("canonical"):
                return "claimed", list(dict.fromkeys([*sent_sources, speaker.attrs["canonical"]]))
        return "reported", attributed

    def _speaker(self, idx, tokens, keys, lo, hi) -> Span | None:
        """The actor right after a reporting verb (قالت المعارضة ...): it speaks of itself."""
        for j in range(lo, hi):
            if any(k in self.source_cues for k in keys[j]):
                after = idx["actor"].within(tokens[j].end, tokens[min(hi - 1, j + 4)].end)
                if after:
                    return after[0]
        return None
