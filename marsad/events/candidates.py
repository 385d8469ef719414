"""Proposals: everything a unit of text could be coded as, for a model to decide among.

The rules (``events/extract.py``) code at most one event type per unit, at the places they
pick, and drop units they judge empty. To let a statistical model decide, every unit with a
trigger is also proposed whole, the dropped ones too (negated, hoped-for, a headline, no place):
each trigger family in it, each sub-event type that family may take, at each place its sentence
names, and the groups that may be its actor1. Every option carries general features (trigger
family and lexeme, cancelling and modality cues, where the place stands and the word before it,
actor parts and types, dates, the rules' own verdict), never an article's own strings, so that
what is learnt from the gold carries over to news nobody has coded.
"""

from __future__ import annotations

import bisect
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from marsad.document import Document, Span
from marsad.entities.actors import speaks_for, state_forces
from marsad.events.genre import genre_features
from marsad.events.units import (
    BROAD,
    FROM_THE_AIR,
    TARGET_ROLES,
    UNIDENTIFIED,
    Found,
    Unit,
    Verdict,
    listed,
    locates,
    trigger_types,
    unread_actor,
)

DATA = Path(__file__).with_name("data")

ARMED = frozenset({"state forces", "rebel group", "political militia", "identity militia", "external forces"})
MONEY = frozenset({"usd", "sar", "eur", "lira", "percent"})
MAX_OUTSIDE = 3  # places of the sentence outside the unit proposed, nearest first
# Parts that never make a group actor1: civilians hit by violence, who holds the place, and who
# backed a capture from the air or behind the lines.
NEVER_ACTOR1 = frozenset({"civilian", "holder", "supporter", "lost"})
# A group claimed or blamed is an option for the attacks told within this many tokens either way
# (an agency story of one attack tells who is behind it a dozen sentences from the blast); its name
# stands at most CLAIM_REACH tokens from the claim's word.
CLAIM_SPAN = 400
CLAIM_REACH = 4
NOT_CLAIMANTS = frozenset({"state forces", "civilians", "protesters"})  # blamed, or named as victims
CLAIMED_TYPES = frozenset(
    {
        "Suicide bomb",
        "Remote explosive/landmine/IED",
        "Attack",
        "Armed clash",
        "Shelling/artillery/missile attack",
    }
)


@dataclass(slots=True)
class PlaceOption:
    span: Span
    feats: list[str]
    rule: bool  # among the places the rules code
    where: str  # own, ahead, back (parts of the unit), before, after (the sentence), anaphor, prev
    prep: str  # the word (or clitic) before it
    run: int = 0  # places of one list ("بلدتي الفوعة وكفريا") share a run

    def with_event(self, family: str, sub_type: str) -> list[str]:
        """Its features joined with the family and type of the event it would locate."""
        return [
            *self.feats,
            "f|" + family + "|pr=" + self.where,
            "f|" + family + "|pp=" + self.prep,
            "t|" + sub_type + "|" + self.feats[3],
        ]


@dataclass(slots=True)
class ActorOption:
    span: Span
    feats: list[str]


@dataclass(slots=True)
class Family:
    """The triggers of one family in a unit ("غارات", "الغارة الجوية"): whether they report a
    current event (``feats``), of which sub-event type (``types``), at which of the places."""

    name: str
    found: Found
    feats: list[str]
    types: list[tuple[str, list[str]]]


@dataclass
class Proposal:
    """One unit: the rules' verdict and every option the model may choose."""

    verdict: Verdict
    feats: list[str]
    places: list[PlaceOption] = field(default_factory=list)
    actors: list[ActorOption] = field(default_factory=list)
    families: list[Family] = field(default_factory=list)


def bucket(n: int, edges: tuple[int, ...]) -> str:
    """The first edge ``n`` does not pass: 0, 1, 2-3 ... as a short label."""
    for e in edges:
        if n <= e:
            return str(e)
    return f">{edges[-1]}"


def place_key(p: Span) -> object:
    return p.attrs.get("geonameid") or (p.attrs.get("lat"), p.attrs.get("lon"))


class Proposer:
    """Collects the proposals of one document while the extractor reads it."""

    def __init__(self, ex, doc: Document, idx, tokens, tags, lean: bool = False) -> None:
        """``ex``: the EventExtractor reading the document, whose rules each proposal records.

        ``lean``: propose only the events the rules code (what a model that adds nothing needs
        to decide on), not every unit they drop."""
        self.ex, self.doc, self.idx, self.tokens, self.tags = ex, doc, idx, tokens, tags
        self.matches = doc.matches
        self.starts = ex._tok_starts
        self.proposals: list[Proposal] = []
        c = ex.lex.cues
        self.groups, self.preps, self.heads = c.groups, c.prepositions, c.place_heads
        self.sent_index = -1
        self._sent_start = -1
        countries = Counter(
            p.attrs.get("country_code") for p in idx["place"].spans if p.attrs.get("country_code")
        )
        self.main_country = countries.most_common(1)[0][0] if countries else None
        self.numbers = idx["number"]
        self.lean = lean
        # which tokens stand inside a name (a place, a group, a source): not words of context
        self._in_name = bytearray(len(tokens))
        for label in ("place", "actor", "source"):
            for n in idx[label].spans:
                for j in range(
                    bisect.bisect_left(self.starts, n.start), bisect.bisect_left(self.starts, n.end)
                ):
                    self._in_name[j] = 1
        self.mentions = Counter(place_key(p) for p in idx["place"].spans if p.attrs.get("lat") is not None)
        self.claimants = self._claimants()

    def _claimants(self) -> list[tuple[int, Span]]:
        """The groups the article says did an attack, wherever it says so, by token: one that
        claims it ("تبنى تنظيم داعش الهجوم", "أعلن التنظيم مسؤوليته") or that others blame
        ("نسبته الحكومة إلى التنظيم", "التنظيم يقف وراء الاعتداء")."""
        ex, tokens, tags = self.ex, self.tokens, self.tags
        groups = [a for a in self.idx["actor"].spans if a.attrs.get("canonical")]
        if not groups:
            return []
        first = [bisect.bisect_right(self.starts, a.start) - 1 for a in groups]
        last = [bisect.bisect_left(self.starts, a.end) - 1 for a in groups]

        def after(j: int, reach: int) -> Span | None:
            return next((a for a, i in zip(groups, first, strict=True) if j < i <= j + reach), None)

        def before(j: int, reach: int) -> Span | None:
            hits = [a for a, i in zip(groups, last, strict=True) if j - reach <= i < j]
            return hits[-1] if hits else None

        out: list[tuple[int, Span]] = []
        for j in self.matches.tagged_any(ex.claim_words):
            t = tags[j]
            group = None
            if ex.claim_verbs in t:
                group = after(j, CLAIM_REACH)
            elif ex.claim_nouns in t or ex.blame_behind in t:
                group = before(j, CLAIM_REACH)
            elif ex.blame_verbs in t:
                to = next((k for k in range(j + 1, min(len(tokens), j + 8)) if ex.blame_to in tags[k]), None)
                group = after(to, 3) if to is not None else None
            if group is not None and group.attrs.get("type") not in NOT_CLAIMANTS:
                out.append((j, group))
        return out

    def attribute_earlier(self, sources: list[str]) -> None:
        """ "كما أعلن المرصد ...": the unattributed reports before are the Observatory's too."""
        for p in self.proposals:
            p.verdict.attributed = p.verdict.attributed or list(sources)

    def add(self, sent: Span, unit: Unit, sent_sources: list[str], ctx) -> None:
        if sent.start != self._sent_start:
            self._sent_start = sent.start
            self.sent_index += 1
        carry = ctx.sentence_actor
        if self.lean and (unit.heading or unit.opinion or not unit.live):
            return
        v = self.ex._verdict(
            self.doc, self.idx, self.tokens, self.tags, sent, unit, sent_sources, ctx, full=not self.lean
        )
        if v is None:
            return  # lean: the rules drop it
        if v.drop is None and not v.historical:
            ctx.event_places.extend(v.places)  # as the rules' own events would
        sent_hi = bisect.bisect_left(self.starts, sent.end)
        prop = Proposal(v, self._unit_feats(sent, unit, v, sent_sources, sent_hi))
        prop.places = self._places(sent, unit, v, ctx)
        if not prop.places:
            self.proposals.append(prop)
            return
        prop.actors = self._actors(sent, unit, v, sent_sources, sent_hi, carry, prop.places)
        self._options(unit, v, prop)
        self.proposals.append(prop)

    def finish(self) -> list[Proposal]:
        """Add what only the whole article tells: whether it speaks of violence at all, naming an
        armed group or people killed (sport, markets and culture do neither)."""
        violent = any(s.attrs.get("type") in ARMED for s in self.idx["actor"].spans) or any(
            c.attrs.get("kind") == "killed" for c in self.idx["casualties"].spans
        )
        doc_feats = ["d_armed" if violent else "d_unarmed", *genre_features(self.doc, self.tokens)]
        for p in self.proposals:
            for fam in p.families:
                fam.feats.extend(doc_feats)
        return self.proposals

    # -- the unit ----------------------------------------------------------------------------------
    def _unit_feats(self, sent: Span, unit: Unit, v: Verdict, sent_sources, sent_hi: int) -> list[str]:
        ex, tags, doc = self.ex, self.tags, self.doc
        main = v.main
        f = ["dr=" + (v.drop or "rules"), "si=" + bucket(self.sent_index, (0, 1, 3, 7))]
        if main.cancel:
            f.append("mc=" + main.cancel)
        if v.historical:
            f.append("hist")
        tense = self._lexeme(main)[1]
        f.append("tn=" + tense)
        if tense == "past" and self.tokens[main.index].norm.endswith("وا"):
            f.append("plural")
        # cue words: in the unit, or elsewhere in its sentence
        unit_groups = self._groups(range(unit.back_lo, unit.ahead_hi))
        sent_groups = self._groups([*range(unit.sent_lo, unit.back_lo), *range(unit.ahead_hi, sent_hi)])
        f.extend("uc=" + g for g in sorted(unit_groups))
        f.extend("sc=" + g for g in sorted(sent_groups - unit_groups))
        if any(ex.source_cues in tags[j] for j in range(unit.sent_lo, main.index)):
            f.append("speech")
        if sent_sources:
            f.append("src")
        elif v.attributed:
            f.append("src_ctx")
        # who is named around the trigger
        named = [
            a
            for a in self.idx["actor"].within(
                self.tokens[unit.back_lo].start, self.tokens[unit.ahead_hi - 1].end
            )
        ]
        types = {a.attrs.get("type") for a in named}
        f.append("na=" + bucket(len(named), (0, 1, 2)))
        if types & ARMED:
            f.append("armed")
        if "civilians" in types:
            f.append("civ")
        ahead = (self.tokens[unit.lo].start, self.tokens[unit.ahead_hi - 1].end)
        cas = self.idx["casualties"].within(*ahead)
        if cas:
            f.append("cas")
            if any(c.attrs.get("kind") == "killed" for c in cas):
                f.append("killed")
            if any((c.attrs.get("count") or 0) >= 100 for c in cas):
                f.append("cas_big")  # tolls in the hundreds are sums, rarely one event
        for d in self.idx["date"].within(self.tokens[unit.back_lo].start, self.tokens[unit.ahead_hi - 1].end):
            f.append("udate=" + str(d.attrs.get("kind")))
        a1 = v.actor1
        f.append("a1=" + ("none" if a1 is None else str(a1.attrs.get("type"))))
        if a1 is not None and a1.attrs.get("default"):
            f.append("a1_default")
        # time: how old the event's date is, and years and money in the sentence
        if v.when and doc.published:
            age = (doc.published - date.fromisoformat(v.when[:10])).days
            f.append("age=" + bucket(age, (-1, 2, 7, 14, 60)))
        dates = self.idx["date"].within(sent.start, sent.end)
        if any(d.attrs.get("historical") for d in dates):
            f.append("past_year")
        if dates:
            f.append("dated")
        first = self.tokens[unit.sent_lo].text
        if first.isdigit() and len(first) == 4:
            f.append("year_head")  # "1951 - اغتيال ...": a this-day-in-history line
        if any(s.attrs.get("unit") in MONEY for s in self.numbers.within(sent.start, sent.end)):
            f.append("money")
        return f

    def _groups(self, positions) -> set[str]:
        """The cue groups (cues.yaml) the words at ``positions`` belong to."""
        single, groups = self.matches.single, self.groups
        return {h.entry.value for j in positions for h in single(j, groups)}

    def _lexeme(self, found: Found) -> tuple[str, str]:
        """The trigger's dictionary form and whether it is a past or present verb, or a noun."""
        return self.ex._form(found.index, found.trigger) or (found.trigger.id, "phrase")

    # -- places ------------------------------------------------------------------------------------
    def _places(self, sent: Span, unit: Unit, v: Verdict, ctx) -> list[PlaceOption]:
        tokens, tags, starts = self.tokens, self.tags, self.starts
        ex = self.ex
        names = [s for label in ("actor", "source") for s in self.idx[label].within(sent.start, sent.end)]
        spans = [
            p
            for p in self.idx["place"].within(sent.start, sent.end)
            if p.attrs.get("lat") is not None
            and not any(n.start <= p.start and p.end <= n.end for n in names)
        ]
        rule_keys = {place_key(p) for p in v.places}
        spans += [p for p in v.places if p.attrs.get("anaphor")]
        prev = False
        if not spans and ctx.event_places:
            spans, prev = [ctx.event_places[-1]], True
        main = v.main
        first_rule = place_key(v.places[0]) if v.places else None
        territory = main.trigger.territorial
        scored = []
        for p in spans:
            i = bisect.bisect_left(starts, p.start)
            if prev:
                where = "prev"
            elif p.attrs.get("anaphor"):
                where = "anaphor"
            elif unit.lo <= i < unit.hi:
                where = "own"
            elif unit.hi <= i < unit.ahead_hi:
                where = "ahead"
            elif unit.back_lo <= i < unit.lo:
                where = "back"
            else:
                where = "before" if i < unit.back_lo else "after"
            scored.append(
                (where not in ("own", "ahead", "back", "anaphor"), abs(i - main.index), i, where, p)
            )
        scored.sort(key=lambda s: s[:3])
        out: list[PlaceOption] = []
        seen: set = set()
        outside = 0
        for far, dist, i, where, p in scored:
            key = place_key(p)
            if key in seen:
                continue
            if far:
                outside += 1
                if outside > MAX_OUTSIDE:
                    continue
            seen.add(key)
            a = p.attrs
            f = [
                "pr=" + where,
                "pd=" + bucket(dist, (1, 3, 6, 10)),
                "ps=" + ("before" if i < main.index else "after"),
                "pt=" + str(a.get("type")),
                "pq=" + str(a.get("precision")),
                "pn=" + bucket(self.mentions.get(key, 0), (1, 3)),
                "pk=" + str(len(out)),
            ]
            prep = "-"
            if where != "prev":
                j = i - 1
                while j >= unit.sent_lo and j >= i - 3 and self.heads in tags[j]:
                    j -= 1
                if j >= unit.sent_lo:
                    prep = self.matches.value(j, self.preps, "-")
                clitic = tokens[i].proclitics.lstrip("وف") if i < len(tokens) else ""
                if prep == "-" and clitic:
                    prep = clitic
                if any(ex.direction in tags[jj] for jj in range(max(unit.sent_lo, i - 2), i)):
                    f.append("pdir")
                if territory and any(ex.proximity in tags[jj] for jj in range(max(unit.sent_lo, i - 4), i)):
                    f.append("pprox")
                if main.stop is not None and p.start >= main.stop:
                    f.append("pstop")
                if any(ex.source_cues in tags[jj] for jj in range(max(unit.sent_lo, i - 4), i)):
                    f.append("pspeech")  # "وقال في أنقرة": where someone speaks
            f.append("pp=" + prep)
            f.append("pr|" + where + "|" + f[1])
            if a.get("type") in BROAD or a.get("container"):
                f.append("pbroad")
            if a.get("role") == "government":
                f.append("pgov")
            if (a.get("confidence") or 1) < 0.6:
                f.append("plow")
            cc = a.get("country_code")
            f.append("pm=" + ("none" if not cc or not self.main_country else str(cc == self.main_country)))
            if key in rule_keys:
                f.append("prule")
                if key == first_rule:
                    f.append("prule0")
            out.append(PlaceOption(p, f, key in rule_keys, where, prep))
        self._runs(out)
        return out

    def _runs(self, places: list[PlaceOption]) -> None:
        """Number the lists: places that follow each other with only "و"، "،" or a place word
        between them are one list, each of its places an event of its own; a broad place that
        says where a member is ("X بريف إدلب، وY") stands outside the list, which goes on past it."""
        clean = self.doc.clean
        ordered = sorted(places, key=lambda p: p.span.start)
        spans = [p.span for p in ordered]
        run, member_run, last = 0, 0, None
        for p in ordered:
            s = p.span
            if s.attrs.get("anaphor") or last is None or last.end > s.start:
                run += 1
                member_run = run
            elif locates(clean, last, s):
                run += 1
                p.run = run
                continue
            elif not listed(clean, last, s, spans):
                run += 1
                member_run = run
            p.run = member_run
            last = s

    # -- actors ------------------------------------------------------------------------------------
    def _actors(
        self, sent: Span, unit: Unit, v: Verdict, sources, sent_hi: int, carry, places
    ) -> list[ActorOption]:
        ex, tokens = self.ex, self.tokens
        main = v.main
        roles = ex._roles(self.idx, tokens, self.tags, unit, main)
        inside = {id(a) for a, _ in roles}
        ranges = (
            (unit.lo, unit.hi, "own"),
            (unit.hi, unit.ahead_hi, "ahead"),
            (unit.back_lo, unit.lo, "back"),
        )
        named: list[tuple[Span, str, str]] = []
        for a, role in roles:
            i = bisect.bisect_right(self.starts, a.start) - 1
            where = (
                "anaphor"
                if a.attrs.get("anaphor")
                else next((w for lo, hi, w in ranges if lo <= i < hi), "own")
            )
            named.append((a, role, where))
        for a in ex._actor_spans(self.idx, tokens, unit.sent_lo, sent_hi):
            if id(a) not in inside and not (
                tokens[unit.back_lo].start <= a.start < tokens[unit.ahead_hi - 1].end
            ):
                named.append((a, "outside", "outside"))
        unread: list[tuple[Span, str]] = []
        if carry is not None:
            unread.append((carry, "carry"))
        for s in sources:
            party = speaks_for(s)
            span = unread_actor(party) if party else None
            if span is not None:
                unread.append((span, "spokesman"))
        # the analysts' defaults (policy.yaml) for the event's type, its places' countries and its date
        codes = {p.span.attrs.get("country_code") for p in places}
        coalition = ex._coalition(self.tags, unit, sent_hi)
        day = date.fromisoformat(v.when[:10]) if v.when else self.doc.published
        defaults = [
            r.actor
            for r in ex.policy.default_actors
            if r.sub_event_type == v.sub_type
            and codes & set(r.countries)
            and (r.when != "coalition" or coalition)
            and not (day and ((r.start and day < r.start) or (r.until and day > r.until)))
        ]
        forces = ex.policy.state_forces_for(v.sub_type)
        if forces is not None:
            # the state where the rules place it (a default carries no country for the model to match)
            here = next((p for p in places if p.rule), places[0] if places else None)
            name = state_forces(here.span.attrs.get("country_code"), forces) if here is not None else None
            defaults += [name] if name else []
        elif v.sub_type not in FROM_THE_AIR:
            defaults.append(UNIDENTIFIED)
        for name in dict.fromkeys(defaults):
            span = unread_actor(name)
            if span is not None:
                unread.append((span, "default"))
        if v.actor1 is not None and v.actor1.attrs.get("default"):
            unread.append((v.actor1, "default"))
        if self.claimants and v.sub_type in CLAIMED_TYPES:
            dist, group = min(((abs(j - main.index), a) for j, a in self.claimants), key=lambda t: t[0])
            if dist <= CLAIM_SPAN:
                unread.append((group, "claimant"))
        rule1 = v.actor1.attrs.get("canonical") if v.actor1 is not None else None
        rule2 = v.actor2.attrs.get("canonical") if v.actor2 is not None else None
        out: list[ActorOption] = []
        seen: set = set()
        fam = main.trigger.id
        for n, (a, role, where) in enumerate(named):
            name = a.attrs.get("canonical")
            if not name or name in seen or role in NEVER_ACTOR1:
                continue
            seen.add(name)
            i = bisect.bisect_right(self.starts, a.start) - 1
            f = [
                "r=" + role,
                "g=" + where,
                "p=" + ("before" if i < main.index else "after"),
                "d=" + bucket(abs(i - main.index), (1, 3, 6, 10)),
                "r|" + fam + "|" + role,
                "pos=" + bucket(n, (0, 1, 2)),
            ]
            if i == main.index + 1:
                f.append("next")
            if role in TARGET_ROLES:
                f.append("target_role")
            out.append(ActorOption(a, f + self._actor_common(a, fam, rule1, rule2)))
        for a, where in unread:
            name = a.attrs.get("canonical")
            if not name or name in seen:
                continue
            seen.add(name)
            f = ["g=" + where, "r=" + where, "r|" + fam + "|" + where]
            if where == "default":
                f.append("k=" + name.split(" (")[0])
            out.append(ActorOption(a, f + self._actor_common(a, fam, rule1, rule2)))
        return out

    @staticmethod
    def _actor_common(a: Span, fam: str, rule1, rule2) -> list[str]:
        t = str(a.attrs.get("type"))
        f = ["at=" + t, "at|" + fam + "|" + t]
        name = a.attrs.get("canonical")
        if name == rule1:
            f.append("rule1")
        if name == rule2:
            f.append("rule2")
        return f

    def _window(self, fnd: Found, unit: Unit) -> list[str]:
        """The words around a trigger, names left out: two before and after it by position,
        the rest of its clause as a bag."""
        tokens, in_name = self.tokens, self._in_name
        out = []
        for j in range(max(unit.back_lo, fnd.index - 6), min(unit.ahead_hi, fnd.index + 7)):
            if j == fnd.index or in_name[j]:
                continue
            k = tokens[j].word.readings[-1].key  # the word with every clitic stripped
            d = j - fnd.index
            out.append(f"w{d:+d}={k}" if abs(d) <= 2 else "wb=" + k)
        return out

    # -- options -----------------------------------------------------------------------------------
    def _options(self, unit: Unit, v: Verdict, prop: Proposal) -> None:
        ex, tags = self.ex, self.tags
        families: dict[str, Found] = {}
        for fnd in sorted(unit.found, key=lambda f: (f.cancel is not None, f.start)):
            families.setdefault(fnd.trigger.id, fnd)
        air = ex.air in v.unit_keys
        base = prop.feats + ["nf=" + bucket(len(families), (1, 2))]
        if air:
            base.append("air")
        drop = v.drop or "rules"
        a1 = "none" if v.actor1 is None else str(v.actor1.attrs.get("type"))
        # where the places stand: the unit's own words, the sentence, or another sentence
        wheres = {p.where for p in prop.places}
        base.extend("has=" + w for w in sorted(wheres))
        if any(p.rule for p in prop.places):
            base.append("has_rule_place")
        base.extend(sorted({"has=" + p.feats[3] for p in prop.places if p.where in ("own", "ahead")}))
        countries = {p.attrs.get("country_code") for p in v.places}
        for fam, fnd in families.items():
            if self.lean and fnd is not v.main:
                continue  # only the rules' own event is decided on
            lexeme, tense = self._lexeme(fnd)
            ff = [
                "f=" + fam,
                "lx=" + lexeme,
                "f|" + fam + "|" + tense,
                "f|" + fam + "|" + drop,
                "f|" + fam + "|" + a1,
            ]
            ff.extend(self._window(fnd, unit))
            if fnd is v.main:
                ff.append("fmain")
            else:
                ff.append("f|" + fam + "|main=" + v.main.trigger.id)
            if fnd.cancel:
                ff.append("fc=" + fnd.cancel)
                ff.append("f|" + fam + "|" + fnd.cancel)
            ff.extend("f|" + fam + "|has=" + w for w in sorted(wheres))
            rule_type = ex._sub_event_type(
                fnd.trigger, v.unit_keys, tags, fnd, unit.ahead_hi, v.actor1, countries
            )
            types = []
            for t in trigger_types(fnd.trigger):
                tf = ["t=" + t, "t|" + t + "|" + a1, "t|" + t + "|air=" + str(air), "t|" + t + "|" + lexeme]
                if t == rule_type:
                    tf.append("trule")
                    tf.append("trule|" + fam)
                types.append((t, tf))
            prop.families.append(Family(fam, fnd, base + ff, types))
