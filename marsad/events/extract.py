"""Component "events": triggers + arguments -> ACLED-coded events with their evidence.

Each clause (or sentence) is read once: its strongest trigger decides the event type, then the
places, actors, date, fatalities, sources and modality are taken from the clause first and from
the sentence, the paragraph and the document as fallbacks. A clause that lists several places
("بلدتي الفوعة وكفريا") gives one event per place.
"""

from __future__ import annotations

import bisect
import operator
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import groupby

from marsad import rules
from marsad.document import Document, Span
from marsad.entities import gazetteer
from marsad.entities.actors import state_forces
from marsad.event import Evidence
from marsad.events.lexicon import Lexicon, Trigger, load, policy
from marsad.events.units import (
    AGGREGATE_TOLL,
    BACKGROUND,
    BROAD,
    CLASS_TYPES,
    LIST_GAP,
    LISTED_DIVISIONS,
    TARGET_ROLES,
    UNIDENTIFIED,
    Found,
    SpanIndex,
    Unit,
    Verdict,
    dedup,
    kind_of,
    listed,
    make_event,
    place_identity,
    trigger_types,
    unread_actor,
)
from marsad.pipeline import Label, component
from marsad.text.normalize import DIACRITICS, marks
from marsad.text.tokens import ARTICLE, FUTURE

STRIKES = frozenset({"Air/drone strike", "Shelling/artillery/missile attack"})

# Sub-event types whose wording rarely names who did it ("انفجار عبوة ناسفة"): the subject of an
# earlier clause of the sentence is not carried over to them.
AGENTLESS = frozenset({"Remote explosive/landmine/IED"})
STATE_TYPES = {"state forces"}
UNARMED = {"civilians", "protesters"}
# Event types that need someone named in the clause: fighting and taking ground have sides.
NEEDS_A_SIDE = {"Armed clash", "Non-state actor overtakes territory", "Government regains territory"}
SEPARATORS = ",،;؛:()"
_LABEL = operator.attrgetter("label")
# Relative pronouns: what follows them tells of a noun, not of the clause's own event.
RELATIVES = frozenset({"التي", "الذي", "اللذين", "اللتين", "الذين", "اللاتي", "اللواتي"})
CLAUSE_MARKS = frozenset('،,؛;:()«»"')  # what ends the clause a trigger's time may close
COMMAS = frozenset("،,؛;")
# What may stand before a time that opens its sentence ("وفي عام 2009، ..."، "في عام 1558، حينما ..."):
# a time put first dates the whole sentence, every clause of it.
SENTENCE_OPENER = re.compile(r"[\s\"'«“(-]*(?:و?في|و|ف)?\s*")
# How far (in tokens) a verb of speech may stand before the speaker's place, and "إن" after it.
SPEAKER_SPAN = 7
# How many words the day a speaker spoke may take between it and its "إن" ("يوم الأحد الماضي").
SAID_DAY = 4
# How far before a weak trigger a verb of claiming makes it an event ("تبنى متمردو الحزب أمس قتل").
CLAIMED_SPAN = 7
# How far before a verb in the present tense "كان" makes it a past habit or scene, its subject
# between ("وكان الطيران الحربي يقصف").
WAS_SPAN = 4
# How many words may stand between a verb of doing a weak trigger and the trigger: the subject
# ("نصبت المقاومة الشعبية كمينا").
LAID_SPAN = 4
# Words between a weak trigger and the "من" of the place it drove someone from ("طردوا أيضا مقاتلي
# الحوثيين من مدينة لودر").
FROM_SPAN = 6
# How far before a trigger an anniversary word makes it the past it remembers.
ANNIVERSARY_SPAN = 6
# Tokens between a toll and the event word after it that it is the cost of ("قتل أربعة من عناصر
# القوات المسلحة بينهم ضابط فيما أصيب ثلاثة آخرون اليوم، إثر انفجار ...").
TOLL_REACH = 15
# Tokens before "منذ بدء ..." a "first" may stand in ("للمرة الأولى منذ", "أول هجوم من نوعه منذ").
FIRST_SPAN = 4
# Words between a call ("دعت") and the "إلى" before what it calls for ("دعت الجماعة أنصارها إلى").
CALL_SPAN = 5
# How far before a bomb word a word that says it never went off ("دمرت القوات ثلاث عجلات
# مفخخة") may stand, no other trigger between.
FOILED_SPAN = 6
# How far past a unit a consequence verb ("ما أدى", "مما أسفر") may stand, and how far after it
# its toll ("إلى مقتل خمسة مدنيين").
CONSEQUENCE_REACH = 8
CONSEQUENCE_TOLL = 7
# How far after its subject trigger ("التفجير الإرهابي الذي استهدف") a verb is that trigger's.
SUBJECT_SPAN = 4
# How far after an event word ("هجوم شنه"، "الغارات التي شنتها") a general verb with no weapon is
# that event's own verb.
VERB_OF_NOUN = 3
# How far after a territory noun what it is said to be or to bring may stand ("أن استعادة السيطرة
# على العاصمة صنعاء على رأس أولويات القوات"، "السيطرة على قاعدة العند ستقطع الإمدادات").
PROSPECT_SPAN = 9
# How far after a strike verb a ground weapon makes it shelling ("لقصف عنيف بقذائف الدبابات").
GROUND_SPAN = 3
# How many words may stand between a group that lost a place and one joined to it by "و" for the
# second to be of the same side: "من الحوثيين والقوات الموالية للرئيس المخلوع صالح".
JOIN_WORDS = 4
# A strike that names no weapon goes on with the aircraft of a sentence this many sentences back at
# most (none of them naming a ground weapon): "نفذ التحالف 29 ضربة جوية ... ففي العراق نفذ 21 ضربة".
AIR_CARRY = 2
# How close (in tokens) a place in the article's own country must stand to a place abroad for the
# one abroad to be a homonym of a quarter or site there ("حي القاهرة بمدينة تعز").
HOME_SPAN = 4
# How far after a trigger a word may stand that makes it another event of its kind ("انفجار عنيف آخر").
DISTINCT_SPAN = 2


@dataclass
class Context:
    """What the document has told us so far, for anaphora and fallbacks."""

    places: list[Span] = field(default_factory=list)  # resolved place spans in reading order
    previous_places: list[Span] = field(default_factory=list)  # those of the sentence before
    air_age: int | None = None  # sentences since the last that named aircraft (None: a ground weapon since)
    air_coalition: bool = False  # that sentence spoke of the coalition: its aircraft are the coalition's
    event_places: list[Span] = field(default_factory=list)  # places events were coded at, in order
    last_source: list[str] = field(default_factory=list)
    lead_source: list[str] = field(default_factory=list)
    sentence_actor: Span | None = None  # the last named actor1 of the current sentence
    last_subject: Span | None = None  # the last group read as acting, coded or not, in this sentence


@component(
    "events",
    requires=["tokens", "matches", "sentence", "date", "casualties", "place", "actor", "source"],
    assigns=[
        Label("trigger", "", {"sub_event_type": (str, ""), "lemma": (str, "the trigger's id")}),
        "events",
    ],
)
class EventExtractor:
    """Rules propose, a model decides.

    ``model``: "default" (the model shipped in the package, rules alone when none is), "rules"
    (rules alone), "propose" (code nothing; leave every proposal in ``doc.meta["event_proposals"]``
    for training), or the path of a model file written by ``marsad train events``."""

    def __init__(self, model: str | None = "default") -> None:
        self.lex: Lexicon = load()
        self.lexicons = self.lex.lexicons  # compiled by the match stage
        self.policy = policy()
        self.triggers = self.lex.triggers.name
        self.aim_verbs = self.lex.aim_verbs
        self.collect = model == "propose"
        self.decider = None
        if model not in (None, "rules", "propose"):
            from marsad.events.learn import load_model

            self.decider = load_model(None if model == "default" else model)
        # each word list as the name of its lexicon: "self.negation in tags[j]" asks whether
        # token j matched it
        c = self.lex.context
        self.air = c["air_words"]
        self.ground = c["ground_weapons"]
        self.weapons = c["weapon_words"]
        self.bare_strikes = c["bare_strikes"]
        self.armed = c["armed_targets"]
        self.civilian = c["civilian_targets"]
        # police first: "ضابطا شرطة ومجند" are policemen and a conscript serving with them
        self.fallen = {"police": c["fallen_police"], "military": c["fallen_soldiers"]}
        self.irrealis = c["irrealis"]
        self.habitual = c["habitual"]
        self.was = c["was"]
        self.times = c["times"]
        self.many_times = c["many_times"]
        self.thousands = c["thousands"]
        self.crime = c["crime"]
        self.blast = c["blast"]
        self.non_events = self.lex.cues.cancel  # warnings, condemnations, mine clearance, talks
        self.reactions = self.lex.cues.reactions  # their verbs, which reach past an aside
        self.prepositions = self.lex.cues.prepositions
        self.opinion = c["opinion"]
        self.framing = c["framing"]
        self.sequel = c["sequel"]
        self.coalition_words = c["coalition_words"]
        self.negation = c["negation"]
        self.report_nouns = c["report_nouns"]
        self.occurrence = c["occurrence"]
        self.exposure = c["exposure"]
        self.denial = c["denial"]
        self.allegation = c["allegation"]
        self.dispute = c["dispute"]
        self.source_cues = c["source_cues"]
        self.continuation_openers = c["continuation_openers"]
        self.new_item_openers = c["new_item_openers"]
        self.continuation_verbs = c["continuation_verbs"]
        self.coordinated_verbs = c["coordinated_verbs"]
        self.control_state = c["control_state"]
        self.direction = c["direction"]
        self.led_by = c["led_by"]
        self.direction_territory = c["direction_territory"]
        self.proximity = c["proximity"]
        self.origin = c["origin"]
        self.origin_heads = c["origin_heads"]
        self.origin_not_after = c["origin_not_after"]
        self.holder_markers = c["holder_markers"]
        self.lost_from = c["lost_from"]
        self.facing = c["facing"]
        self.facing_objects = c["facing_objects"]
        self.support_markers = c["support_markers"]
        self.support_links = c["support_links"]
        self.noun_governors = c["noun_governors"]
        self.affiliation = c["affiliation"]
        self.opponent_markers = c["opponent_markers"]
        self.speaker_roles = c["speaker_roles"]
        self.actor_anaphors = c["actor_anaphors"]
        self.sentence_anaphors = c["sentence_anaphors"]
        self.same_words = c["same_words"]
        self.past_spans = c["past_spans"]
        self.past_openers = c["past_openers"]
        self.participation = c["participation"]
        self.then_words = c["then_words"]
        self.ongoing_verbs = c["ongoing_verbs"]
        self.threatening = c["threatening"]
        self.calls = c["calls"]
        self.call_to = c["call_to"]
        self.call_causes = c["call_causes"]
        self.endeavours = c["endeavours"]
        self.endeavour_to = c["endeavour_to"]
        self.against = c["against"]
        self.place_frames = c["place_frames"]
        self.forces_abroad = frozenset(self.policy.forces_abroad)
        self.previously = c["previously"]
        self.previously_links = c["previously_links"]
        self.recent_past = c["recent_past"]
        self.pluperfect = c["pluperfect"]
        self.list_heads = c["list_heads"]
        self.goals = c["goals"]
        self.prospects = c["prospects"]
        self.anniversary = c["anniversary"]
        self.ago = c["ago"]
        self.approx = c["approx"]
        self.agent_markers = c["agent_markers"]
        self.target_markers = c["target_markers"]
        self.claim_verbs = c["claim_verbs"]
        self.claim_nouns = c["claim_nouns"]
        self.blame_verbs = c["blame_verbs"]
        self.blame_behind = c["blame_behind"]
        self.blame_to = c["blame_to"]
        self.claim_words = frozenset(
            {self.claim_verbs, self.claim_nouns, self.blame_verbs, self.blame_behind}
        )
        self.victim_markers = c["victim_markers"]
        self.count_words = c["count_words"]
        self.causes = c["causes"]
        self.span_starts = c["span_starts"]
        self.firsts = c["firsts"]
        self.durations = c["durations"]
        self.toll_links = c["toll_links"]
        self.consequences = c["consequences"]
        self.connectors = c["connectors"]
        self.when_clause = c["when_clause"]
        self.centre = c["centre_words"]
        self.complementizers = c["complementizers"]
        self.between = c["between"]
        self.routes = c["routes"]
        self.partitive = c["partitive"]
        self.side_words = c["side_words"]
        self.distinct = c["distinct"]
        from marsad.entities.geocode import lexicon as place_words

        self.compass = frozenset(place_words().directions.values())  # north, south-east, ...

    # -- document ------------------------------------------------------------------------------
    def __call__(self, doc: Document) -> Document:
        """Code one document. The per-document arrays (token starts, connector and trigger
        flags, punctuation) live on the component for the length of this call: a pipeline
        codes one document at a time (the API serialises its calls).

        They are let go when it returns: kept until the next document, the matches (and through
        them the tokens) were freed there, out of the CPU's caches, instead of by
        :func:`marsad.runner.spent` right after the stages (0.17 ms against a few hundredths)."""
        try:
            return self._code(doc)
        finally:
            self._maybe = self._tok_starts = self._matches = self._sep_before = self._connector = None
            self._place_starts = self._naming = self._home = None

    def _code(self, doc: Document) -> Document:
        tokens = doc.tokens
        if not tokens:
            return doc
        tags = doc.matches.tags  # per token, the lexicons its word matched
        # a trigger word, or a phrase's first word: the few trigger words from the tags' groups
        # (``Matches.tagged``), not a test of every token's tags
        self._maybe = _flagged(len(tokens), doc.matches.tagged(self.triggers))
        for i, found in doc.matches.phrases.items():
            self._maybe[i] = self._maybe[i] or any(x.lexicon == self.triggers for x in found)
        if not self.collect and not doc.events and not any(self._maybe):
            # No unit anywhere, so no proposal and no event: what the loop below would end with,
            # without reading sources and segments (almost half the articles of a news feed).
            return doc
        self._tok_starts = [t.start for t in tokens]
        # the spans by label in one pass (a stable sort keeps each label's spans in the document's
        # order), where asking the document for each label read every span a dozen times
        by_label = {label: list(g) for label, g in groupby(sorted(doc.spans, key=_LABEL), key=_LABEL)}
        idx = {
            label: SpanIndex(by_label.get(label, []))
            for label in ("place", "actor", "source", "date", "casualties", "number", "person", "org")
        }
        self._place_starts = {s.start for s in idx["place"].spans}
        self._naming: set[int] = set()  # starts of places that name an event ("هجوم سوروتش")
        self._matches = doc.matches
        self._sep_before = self._separators(doc, tokens)
        self._connector = self._connectors(tags)
        self._home = self._home_country(idx["place"].spans + idx["actor"].spans)
        sentences = sorted(by_label.get("sentence", []), key=lambda s: s.start) or [
            Span(0, len(doc.clean), "sentence")
        ]
        ctx = Context()
        proposer = None
        if self.collect or self.decider is not None:
            from marsad.events.candidates import Proposer

            proposer = Proposer(self, doc, idx, tokens, tags, lean=not self.collect and not self.decider.adds)
        # what the sentence before reported with no source of its own sentence: a sentence that opens
        # on a verb of speech and names its source ("ونقلت وكالة الأناضول عن ...") tells whose it was
        # (too, when a source was carried to it from a sentence before)
        carried_events: list = []
        carried_proposals: list = []
        # the verdicts the sentence before coded, and their events: a toll the next one tells
        # ("وأسفرت الغارات عن مقتل 12 مسلحا") is theirs
        previous: list[Verdict] = []
        previous_events: list = []
        for sent in sentences:
            lo = bisect.bisect_left(self._tok_starts, sent.start)
            hi = bisect.bisect_left(self._tok_starts, sent.end)
            # "ونفذت 11 غارة ...": a sentence that opens on a coordinated verb goes on with the
            # group that acted in the one before
            ctx.sentence_actor = ctx.last_subject if self._coordinated(tokens, tags, lo, hi) else None
            if ctx.sentence_actor is not None:
                rules.fire("events.actor.coordinated_verb")
            ctx.last_subject = None
            sent_sources = self._sources(doc, idx, tokens, tags, lo, hi)
            if sent_sources and lo < hi and self.source_cues in tags[lo]:
                # an event that had no source of its own sentence (none, or one carried from a
                # sentence before about another event) is the next speaker's report too
                for ev in carried_events:
                    rules.fire("events.source.next_sentence")
                    ev.attributed_to = list(dict.fromkeys([*ev.attributed_to, *sent_sources]))
                for p in carried_proposals:
                    rules.fire("events.source.next_sentence")
                    p.verdict.attributed = list(dict.fromkeys([*p.verdict.attributed, *sent_sources]))
            carried = not sent_sources
            n_events = len(doc.events)
            n_proposals = len(proposer.proposals) if proposer is not None else 0
            if sent_sources:
                ctx.last_source = sent_sources
                if not ctx.lead_source:
                    ctx.lead_source = sent_sources
                    if self._continues(tags, lo, hi):
                        for ev in doc.events:
                            ev.attributed_to = ev.attributed_to or list(sent_sources)
                        if proposer is not None:
                            proposer.attribute_earlier(sent_sources)
            heading = self._heading(doc, sent, hi - lo)
            units, coded = [], []
            if proposer is not None:
                for unit in self._units(doc, tokens, tags, idx, lo, hi, keep=True):
                    unit.heading = heading
                    proposer.add(sent, unit, sent_sources, ctx)
                    units.append(unit)
            elif not heading:
                for unit in self._units(doc, tokens, tags, idx, lo, hi):
                    units.append(unit)
                    if (
                        v := self._code_unit(doc, idx, tokens, tags, sent, unit, sent_sources, ctx)
                    ) is not None:
                        coded.append(v)
            elif any(self._maybe[lo:hi]):
                rules.fire("events.headline")
            toll = self._follow_up_toll(idx, tokens, tags, sent, lo, hi, units, previous)
            if toll is not None:
                rules.fire("events.toll_told_next")
                for v in previous:
                    v.fatalities = toll
                for ev in previous_events:
                    ev.fatalities = toll
            previous = (
                [p.verdict for p in proposer.proposals[n_proposals:] if p.verdict.drop is None]
                if proposer is not None
                else coded
            )
            previous_events = doc.events[n_events:]
            carried_events = doc.events[n_events:] if carried else []
            carried_proposals = proposer.proposals[n_proposals:] if carried and proposer is not None else []
            ctx.previous_places = [
                p for p in idx["place"].within(sent.start, sent.end) if p.attrs.get("lat") is not None
            ]
            ctx.places.extend(ctx.previous_places)
            # the last sentence that named a weapon named aircraft, none from the ground: a strike of
            # the next ones that names nobody and no weapon goes on with them ("وتابع أن سبع ضربات
            # نفذت ..."), for AIR_CARRY sentences
            sent_keys = set().union(*tags[lo:hi]) if lo < hi else set()
            if self.ground in sent_keys:
                ctx.air_age = None
            elif self.air in sent_keys:
                ctx.air_age, ctx.air_coalition = 0, self.coalition_words in sent_keys
            elif ctx.air_age is not None:
                ctx.air_age += 1
        # what the article attributes to nobody, its outlet reports (ACLED codes the outlet)
        from marsad.entities.actors import outlet_source

        outlet = [s] if (s := outlet_source(doc.outlet)) else []
        if proposer is None:
            doc.events = dedup(doc.events)
            for ev in doc.events:
                ev.attributed_to = ev.attributed_to or list(outlet)
            return doc
        proposals = proposer.finish()
        for p in proposals:
            p.verdict.attributed = p.verdict.attributed or list(outlet)
        if self.collect:
            doc.meta["event_proposals"] = proposals
        else:
            doc.events = dedup(self.decider.decide(doc, proposals))
        return doc

    @staticmethod
    def _heading(doc: Document, sent: Span, n_tokens: int) -> bool:
        """A short line with no closing punctuation is a headline: its events are told below."""
        text = doc.clean[sent.start : sent.end].rstrip()
        return n_tokens < 15 and not text.endswith((".", "!", "?", "؟", "…", '"', "»", "”"))

    def _separators(self, doc: Document, tokens) -> list[bool]:
        """Whether punctuation stands between a token and the one before it."""
        flags = [False] * len(tokens)
        for at in marks(doc.clean, SEPARATORS):
            j = bisect.bisect_right(self._tok_starts, at)
            if j < len(flags):
                flags[j] = True
        return flags

    def _connectors(self, tags) -> list[bool]:
        """Which tokens open a new part of a sentence: a connector, unless it names the centre
        of the place right after it ("وسط مدينة حرض")."""
        connectors = self._matches.tagged(self.connectors)  # few in a text
        flags = _flagged(len(tags), connectors)
        starts = {bisect.bisect_left(self._tok_starts, p) for p in self._place_starts}
        heads = self.lex.cues.place_heads
        for j in connectors:
            if j == len(tags) - 1:
                break  # the last word opens nothing
            if self.centre in tags[j] and (j + 1 in starts or heads in tags[j + 1]):
                rules.fire("events.segment.centre_of_place")
                flags[j] = False
        # "...، وفي مديرية لودر نصبت المقاومة كمينا": after a comma, "and in" + a place opens the
        # report of another place; what it tells (a toll) is not the cost of the event before it
        for j in self._matches.tagged(self.place_frames):
            if j == len(tags) - 1:
                break  # the last word opens nothing
            if self._sep_before[j] and (j + 1 in starts or j + 2 in starts or heads in tags[j + 1]):
                rules.fire("events.segment.place_frame")
                flags[j] = True
        return flags

    def _segments(self, doc, tokens, tags, lo: int, hi: int) -> list[tuple[int, int, bool]]:
        """Cut a sentence at commas and connectors (كما، فيما، ترافق، وسط ...).

        Each segment is ``(lo, hi, opens)``: ``opens`` when a connector (or the sentence start)
        begins it, so that it starts a new clause rather than continuing the previous one.
        Tokens are words only, so punctuation is read from the gap between two tokens."""
        segs: list[tuple[int, int, bool]] = []
        start, opens = lo, True
        for j in range(lo + 1, hi):
            if self._sep_before[j]:
                segs.append((start, j, opens))
                start, opens = j, False
            if self._connector[j]:
                if j > start:
                    segs.append((start, j, opens))
                start, opens = j, True
        if start < hi:
            segs.append((start, hi, opens))
        return segs

    def _units(self, doc, tokens, tags, idx, lo: int, hi: int, keep: bool = False) -> list[Unit]:
        """The trigger-bearing parts of a sentence. ``keep``: also the parts whose triggers the
        rules cancel, and the sentences they skip, flagged, for the model to weigh."""
        if not any(self._maybe[lo:hi]):
            return []
        # "ورأى الخبير أن ...", "ويتوقع مراقبون أن ...": a view, not a report
        opinion = any(self.opinion in tags[j] for j in range(lo, min(hi, lo + 2)))
        if opinion and not keep:
            rules.fire("events.opinion")
            return []
        segs = self._segments(doc, tokens, tags, lo, hi)
        framed_to = self._framed_to(tags, lo, hi)
        if framed_to > lo:  # what follows "بعد" is a clause of its own
            segs = [
                part
                for s, e, opens in segs
                for part in (
                    [(s, framed_to, opens), (framed_to, e, True)] if s < framed_to < e else [(s, e, opens)]
                )
            ]
        found: list[list[Found]] = []
        for k, (s, e, _opens) in enumerate(segs):
            # a reaction's verb may stand before an aside between commas ("ودانت المنظمة، أمس، قصف ..."):
            # the segments since the clause opened, with no live trigger of their own, are read back too
            said_lo = s
            j = k
            while j > 0 and not segs[j][2] and not any(f.cancel is None for f in found[j - 1]):
                j -= 1
                said_lo = segs[j][0]
            found.append(self._triggers(tokens, tags, idx, s, e, said_lo, keep))
        live = [any(f.cancel is None for f in fs) for fs in found]
        units = []
        for i, (s, e, _opens) in enumerate(segs):
            if not found[i]:
                continue
            if s < framed_to:
                # "ويأتي التقدم الذي حققته القوات بعد يومين من ...": told again to set the scene
                rules.fire("events.framing")
                if not keep:
                    continue
                units.append(Unit(found[i], s, e, e, s, lo, opinion=True))
                continue
            ahead = e
            for j in range(i + 1, len(segs)):
                if live[j] or segs[j][2]:
                    break
                ahead = segs[j][1]
            back = s
            for j in range(i, 0, -1):
                if segs[j][2] or live[j - 1]:
                    break
                back = segs[j - 1][0]
            # "أواخر عام 2004 حين استهدفت ...": the time just before a when-clause dates it
            when_lo = back
            if back == s and i and self.when_clause in tags[s] and not live[i - 1]:
                rules.fire("events.when_clause")
                when_lo = segs[i - 1][0]
            units.append(Unit(found[i], s, e, ahead, back, lo, opinion=opinion, when_lo=when_lo))
        return units

    def _framed_to(self, tags, lo: int, hi: int) -> int:
        """A sentence that opens "ويأتي/وتأتي X بعد Y" frames X, an event already told, by what
        came before it: the token where Y begins ("بعد"), else ``lo`` (nothing framed)."""
        if lo >= hi or self.framing not in tags[lo]:
            return lo
        return next((j for j in range(lo + 1, hi) if self.sequel in tags[j]), lo)

    # -- triggers ------------------------------------------------------------------------------
    def _triggers(self, tokens, tags, idx, lo: int, hi: int, said_lo: int, keep: bool = False) -> list[Found]:
        """Triggers of a token range; words inside a name (هيئة تحرير الشام) are not triggers.

        ``said_lo``: where the clause the range continues began; ``keep``: the cancelled ones too,
        with the reason."""
        out: list[Found] = []
        if lo >= hi:
            return out
        names = [
            s
            for label in ("actor", "source")
            for s in idx[label].within(tokens[lo].start, tokens[hi - 1].end)
        ]
        cancelled: dict[int, tuple[Trigger, str]] = {}  # the last token of a cancelled trigger
        i = lo
        while i < hi:
            # inside a name, not at its head: "هيئة تحرير الشام" has no capture in it, but the
            # regime's alias "البراميل المتفجرة" is still a barrel-bomb strike
            if not self._maybe[i] or any(n.start < tokens[i].start < n.end for n in names):
                i += 1
                continue
            hit = self._match_at(tags, i, hi)
            if hit is None:
                i += 1
                continue
            trig, n = hit
            if trig.name_heads and i > lo and trig.name_heads in tags[i - 1] and _has_article(tokens[i]):
                # "ميدان التحرير", "منظمة التحرير": the trigger names a square or a group with the
                # head noun before it (in construct: no article on the head, one on the trigger)
                rules.fire("events.in_name")
                i += n
                continue
            if (
                trig.written_with_ta
                and tokens[i].text.rstrip(DIACRITICS).endswith("ه")
                and (self._form(i, trig) or ("",))[0] in trig.written_with_ta
            ):
                # "مظاهره" is "its manifestations" (مظاهر + ه), not a demonstration (مظاهرة)
                rules.fire("events.pronoun_not_ta")
                i += n
                continue
            if trig.weak:
                if self._claim_verbs(tags, lo, i):
                    # "تبنى الحزب أمس قتل شرطيين": what a group claims it did is no passing toll
                    rules.fire("events.weak_claimed")
                elif trig.laid_by and self._laid_verbs(tags, trig.laid_by, i, i + n, lo, hi) != (None, None):
                    # "نصبت المقاومة كمينا"، "في كمين نصبته المقاومة": an ambush laid, not a passing word
                    rules.fire("events.weak_laid")
                elif self._drives_out(i, trig) and self._from_a_place(idx, tokens, i + n, hi):
                    # "طردوا الحوثيين من مدينة لودر": driven out of a place, not a passing word
                    rules.fire("events.weak_from_place")
                else:
                    if keep:  # "قتل", "كمين": proposed for the model, never coded by the rules alone
                        out.append(Found(trig, tokens[i].start, tokens[i + n - 1].end, i, cancel="weak"))
                    i += n
                    continue
            if trig.verb_of and any(
                f.trigger.id in trig.verb_of and 0 < i - f.index <= SUBJECT_SPAN for f in out
            ):
                # "التفجير الذي استهدف مسجدا": what the explosion hit, no strike of its own
                rules.fire("events.cancel.verb_of_subject")
                if keep:
                    out.append(
                        Found(trig, tokens[i].start, tokens[i + n - 1].end, i, cancel="subject's verb")
                    )
                i += n
                continue
            if self._aimed_at_forces(tags, i, trig, lo, hi):
                rules.fire("events.aimed_at_forces")
                trig = self.lex.by_id[trig.aimed_at_forces]  # "استهدف عناصر داعش مواقع قوات النظام"
            reason = self._cancelled(tokens, tags, i, trig, lo, hi, said_lo)
            if (
                not reason
                and trig.klass == "territory"
                and i - 1 in cancelled
                and cancelled[i - 1][0] is trig
                and self._is_noun(i - 1, trig)
                and self._is_noun(i, trig)
            ):
                # "لاستعادة السيطرة على"، "عملية استعادة السيطرة": one noun phrase, one verdict
                rules.fire("events.cancel.construct")
                reason = cancelled[i - 1][1]
            if reason:
                cancelled[i + n - 1] = (trig, reason)
                # "مناطق سيطرة قوات النظام" names the target; "هجوم شنه مسلحون على حاجز في العريش",
                # "غارات شنتها الطائرات على": a general past verb with no weapon right after a new
                # (indefinite) event word is that event's own verb, and what follows is still the
                # event's ("الهجمات التي استهدفت ..." points back to attacks already known)
                own_verb = (
                    reason == "no weapon"
                    and (self._form(i, trig) or ("", ""))[1] == "past"
                    and any(
                        f.cancel is None and i - f.index <= VERB_OF_NOUN and not _has_article(tokens[f.index])
                        for f in out
                    )
                )
                if own_verb:
                    rules.fire("events.own_verb_of_event_noun")
                elif reason != "backing" and not self._held(tags, i, trig, lo):
                    for f in out:  # (a backing strike is still inside the operation's clause)
                        if f.stop is None:
                            f.stop = tokens[i].start
                if keep:
                    out.append(Found(trig, tokens[i].start, tokens[i + n - 1].end, i, cancel=reason))
                i += n
                continue
            out.append(Found(trig, tokens[i].start, tokens[i + n - 1].end, i))
            i += n
        return out

    def _named_by_place(self, tokens, i: int, trig: Trigger) -> bool:
        """Is the trigger a noun in construct with a town's name right after it ("هجوم سوروتش"،
        "تفجير الكرادة"; triggers.yaml named_by_place): an event known by its place, told before,
        not reported here ("في"، "على" or a clitic before the town report one)?"""
        nxt = i + 1
        form = self._form(i, trig)
        return (
            trig.named_by_place
            and form is not None
            and form[1] == "noun"
            and nxt < len(tokens)
            and tokens[nxt].start in self._place_starts
            and not tokens[nxt].proclitics
            and not _has_article(tokens[i])
        )

    def _goal_before(self, tags, i: int, trig: Trigger, lo: int) -> bool:
        """A goal word right before the noun, or before the noun it is in construct with ("من أجل
        استعادة السيطرة على ...")."""
        if i > lo and self.goals in tags[i - 1]:
            return True
        return i - 1 > lo and self.goals in tags[i - 2] and self._is_noun(i - 1, trig)

    def _form(self, i: int, trig: Trigger) -> tuple[str, str] | None:
        """The dictionary form of ``trig`` that token ``i`` is, and whether it is a past or present
        verb or a noun ("شنتها": شن, past; "تشنها": present, a habit); None for a phrase."""
        for h in self._matches.single(i, self.triggers):
            if h.entry.value[0] is trig:
                if h.reading.key in trig.nouns_with_ta and self._matches.tokens[i].text.rstrip(
                    DIACRITICS
                ).endswith("ة"):
                    return h.reading.key, "noun"  # "من أجل استعادة": the noun, not "استعاده"
                return h.entry.value[2], h.entry.value[3]
        return None

    def _is_noun(self, i: int, trig: Trigger) -> bool:
        """Is token ``i`` one of ``trig``'s nouns ("الهجوم", "لإطلاق"), not its verb?"""
        return (self._form(i, trig) or ("", ""))[1] == "noun"

    @staticmethod
    def _governed(tags, i: int, lo: int, heads: str, links: str, unless: str | None = None) -> bool:
        """Is token ``i`` right after a ``links`` word that one of ``heads`` governs, at most
        :data:`CALL_SPAN` words before it ("دعت أنصارها إلى التظاهر"، "تعمل على السيطرة"), and
        not right after an ``unless`` word ("ما دعا الجيش إلى الانسحاب")?"""
        return (
            i > lo
            and links in tags[i - 1]
            and any(
                heads in tags[j] and not (unless is not None and j > lo and unless in tags[j - 1])
                for j in range(max(lo, i - 1 - CALL_SPAN), i - 1)
            )
        )

    def _future(self, i: int, trig: Trigger) -> bool:
        """Is token ``i`` ``trig``'s verb read through the future marker ("ستقصف", "وسيستعيد")?"""
        hit = next((h for h in self._matches.single(i, self.triggers) if h.entry.value[0] is trig), None)
        return hit is not None and bool(hit.reading.kind & FUTURE)

    def _match_at(self, tags, i: int, hi: int) -> tuple[Trigger, int] | None:
        """A trigger phrase from token ``i`` (the longest that ends in the segment), else the
        strongest single-word trigger of the token's readings."""
        for m in self._matches.phrases.get(i, ()):
            if m.lexicon == self.triggers and m.end <= hi:
                return m.entry.value[0], m.end - i
        best = None
        for hit in self._matches.single(i, self.triggers):
            trig = hit.entry.value[0]
            if best is None or trig.rank > best.rank:
                best = trig
        return (best, 1) if best else None

    def _from_a_place(self, idx, tokens, lo: int, hi: int) -> bool:
        """Does "من" stand within FROM_SPAN words of token ``lo``, with a place right after it or
        after its head noun ("من مدينة لودر")?"""
        for j in range(lo, min(hi - 1, lo + FROM_SPAN)):
            if tokens[j].norm == "من":
                end = tokens[min(j + 2, hi - 1)].end
                if any(p.start < end for p in idx["place"].within(tokens[j + 1].start, end)):
                    return True
        return False

    def _driven_out(self, tokens, actors: list[Span], at: int) -> int | None:
        """The token of the group a verb of driving out at token ``at`` drove out: the last group
        named after it and before "من" ("طرد المقاومة مليشيا الحوثي من ..."), within FROM_SPAN;
        one joined by "و" belongs to the group before it ("طرد الحوثيين وقوات صالح")."""
        out = None
        for a in actors:
            i = bisect.bisect_right(self._tok_starts, a.start) - 1
            if (
                0 < i - at <= FROM_SPAN
                and not tokens[i].proclitics.startswith("و")
                and not any(tokens[k].norm == "من" for k in range(at + 1, i))
            ):
                out = i if out is None else max(out, i)
        return out

    def _drives_out(self, i: int, trig: Trigger) -> bool:
        """Is token ``i`` one of the forms of ``trig`` that drive someone out of a place (from_place)?"""
        return bool(trig.from_place and self._lexemes(i) & trig.from_place)

    def _lexemes(self, i: int) -> set[str]:
        """The trigger words token ``i`` is a form of, as listed ("للقتال" -> قتال, القتال)."""
        return {h.entry.value[2] for h in self._matches.single(i, self.triggers)}

    def _weapon_stems(self, i: int) -> set[str]:
        """The stems of the weapon-needing verbs token ``i`` is a form of ("أطلقت" -> اطلق)."""
        return {h.entry.value[1] for h in self._matches.single(i, self.triggers) if h.entry.value[1]}

    def _aimed_at_forces(self, tags, i: int, trig: Trigger, lo: int, hi: int) -> bool:
        """ "استهدف" with no weapon named but forces or positions right after it: an attack on
        them (a clash), where a bare "استهدف" would otherwise say nothing."""
        if trig.aimed_at_forces is None or not self._weapon_stems(i) & self.aim_verbs:
            return False
        if any(self.weapons in tags[j] for j in range(max(lo, i - 4), min(hi, i + 8)) if j != i):
            return False  # a weapon is named: the strike trigger stands
        return any(self.armed in tags[j] for j in range(i + 1, min(hi, i + 6)))

    def _held(self, tags, i: int, trig: Trigger, lo: int) -> bool:
        """Is a territory word here a state ("الخاضعة لسيطرة", "مناطق سيطرة"), not a change?"""
        return trig.klass == "territory" and any(
            self.control_state in tags[j] for j in range(max(lo, i - 2), i)
        )

    def _foiled(self, tags, i: int, trig: Trigger, lo: int) -> bool:
        """Does a word that says the bomb was destroyed, seized, defused or foiled stand a few
        tokens before it, with no other trigger between ("تدمير 3 عربات مفخخة")?"""
        for j in range(i - 1, max(lo, i - FOILED_SPAN) - 1, -1):
            if trig.foiled_by in tags[j]:
                return True
            if self._maybe[j]:
                return False
        return False

    def _cancelled(self, tokens, tags, i: int, trig: Trigger, lo: int, hi: int, said_lo: int) -> str | None:
        """Why a trigger reports nothing: negated, hoped-for, or a state rather than a change.
        ``said_lo``: where the clause that may govern it began (a reaction's verb before an aside)."""
        if any(self.negation in tags[j] for j in range(max(lo, i - 2), i)):
            rules.fire("events.cancel.negation")
            return "negation"
        if i - 3 >= lo and self.negation in tags[i - 3] and self.complementizers in tags[i - 2]:
            rules.fire("events.cancel.negated_clause")  # "من دون أن تشن غارات", "لم يكن أن ..."
            return "negation"
        if any(
            self.negation in tags[j] and all(self.occurrence in tags[k] for k in range(j + 1, i))
            for j in range(max(lo, i - OCCURRENCE_SPAN), i - 2)
        ):
            rules.fire("events.cancel.negated_occurrence")  # "دون حدوث أي اشتباكات"
            return "negation"
        if any(
            self.negation in tags[j] and any(self.report_nouns in tags[k] for k in range(j + 1, i))
            for j in range(max(lo, i - 6), i)
        ):
            rules.fire("events.cancel.no_reports")  # "ولم ترد أي تقارير عن وقوع اشتباكات"
            return "negation"
        if i > lo and trig.not_after in tags[i - 1]:
            rules.fire("events.cancel.not_after")  # "حقول ألغام", "زرع عبوات": mines that did not go off
            return "word before"
        if trig.foiled_by and self._foiled(tags, i, trig, lo):
            rules.fire("events.cancel.foiled")  # "ضبط سيارة مفخخة", "إحباط هجوم انتحاري": no blast
            return "foiled"
        after = i + 2 if i + 2 < hi and self.prepositions in tags[i + 1] else i + 1
        if after < hi and trig.not_before in tags[after]:
            # "احتلت الصدارة": first place, not a town taken; "السيطرة على الحريق": a fire put out
            rules.fire("events.cancel.not_before")
            return "word after"
        # a protest's demand after it is what it is for, not what did not happen ("مظاهرات للمطالبة")
        ahead = i if trig.unarmed_actor else min(hi, i + 2)
        if any(self.irrealis in tags[j] for j in range(lo, ahead) if j != i):
            rules.fire("events.cancel.irrealis")  # "وإذا ... السيطرة", "هجوم مرتقب", "المعارك ستعيد"
            return "irrealis"
        if self._future(i, trig):
            rules.fire("events.cancel.future")  # "ستهاجم القوات"، "سيستعيد الجيش": yet to be done
            return "irrealis"
        if any(self.habitual in tags[j] or self._many_times(tags, j, lo, hi) for j in range(lo, hi)):
            rules.fire("events.cancel.habitual")  # "ويقصف النظام بانتظام": a habit, no one event
            return "habitual"
        if (self._form(i, trig) or ("", ""))[1] == "present" and any(
            self.was in tags[j] for j in range(max(lo, i - WAS_SPAN), i)
        ):
            rules.fire("events.cancel.was_doing")  # "وكان الجيش يقصف المنطقة": a past habit or scene
            return "habitual"
        if i > lo and (
            self.thousands in tags[i - 1]
            or (i - 2 >= lo and tokens[i - 1].norm == "من" and self.thousands in tags[i - 2])
        ):
            rules.fire("events.cancel.thousands")  # "آلاف الغارات": many events in sum, no one event
            return "habitual"
        if (
            trig.needs_blast
            and self._lexemes(i) & trig.needs_blast
            and not any(self.blast in tags[j] for j in range(lo, hi))
        ):
            rules.fire("events.cancel.no_blast")  # "زرعوا الألغام", "خبراء الألغام": no mine went off
            return "no blast"
        if trig.sub_event_type == "Arrests" and any(self.crime in tags[j] for j in range(lo, hi)):
            rules.fire("events.cancel.crime")  # "اعتقال مروجي مخدرات": police work, not politics
            return "crime"
        if any(self.non_events in tags[j] for j in range(lo, i)):
            rules.fire("events.cancel.non_event")  # "وحذر من ارتكاب مجزرة", "تفكيك العبوات الناسفة"
            return "non-event"
        if trig.taken_part_in and any(self.participation in tags[j] for j in range(max(lo, i - 3), i)):
            rules.fire("events.cancel.participation")  # "سافر للمشاركة في القتال": taking part, no clash
            return "participation"
        if any(self.reactions in tags[j] for j in range(said_lo, lo)):
            rules.fire("events.cancel.reaction_past_aside")  # "ودانت المنظمة، أمس، قصف ..."
            return "non-event"
        if self._named_by_place(tokens, i, trig):
            rules.fire("events.cancel.named_by_place")  # "مع هجوم سوروتش": the attack known by its town
            self._naming.add(tokens[i + 1].start)
            return "named"
        if (
            self.facing in tags[i]
            and i > lo
            and i + 1 < len(tokens)
            and tokens[i - 1].norm == "في"
            and not _has_article(tokens[i])
            and (_has_article(tokens[i + 1]) or self.facing_objects in tags[i + 1])
        ):
            rules.fire("events.cancel.facing")  # "في مواجهة الإرهاب": in the face of, no clash
            return "facing"
        if self._held(tags, i, trig, lo):
            rules.fire("events.cancel.state_of_control")
            return "held"
        if (
            trig.klass == "territory"
            and i > lo
            and tokens[i - 1].norm == "من"
            and self.lost_from in tags[i]
            and not _has_article(tokens[i])
        ):
            rules.fire("events.cancel.grip")  # "تحرير الرمادي من سيطرة داعش": whose the place was
            return "held"
        if trig.klass == "territory" and "ل" in tokens[i].proclitics:
            rules.fire("events.cancel.purpose")  # "للسيطرة على", "لتحرير": a purpose, not a capture
            return "purpose"
        if (
            i > lo
            and "ل" in tokens[i - 1].proclitics
            and self._is_noun(i, trig)
            and not any(self.exposure in tags[j] for j in range(lo, i - 1))
        ):
            # "في محاولة لانتزاع السيطرة على"، "لإكمال الهجوم البري"، "لإطلاق صواريخ": the purpose of
            # what was done (not what befell: "تعرض المتجر لسقوط قذيفة")
            rules.fire("events.cancel.purpose_object")
            return "purpose"
        if trig.klass == "territory" and self._is_noun(i, trig) and self._goal_before(tags, i, trig, lo):
            rules.fire("events.cancel.goal")  # "حتى تحرير المدينة", "من أجل استعادة": what is fought for
            return "purpose"
        if (
            trig.klass == "territory"
            and self._is_noun(i, trig)
            and any(
                self.prospects in tags[j] and not tokens[j].proclitics.startswith("و")
                for j in range(i + 1, min(hi, i + PROSPECT_SPAN))
            )
        ):
            # "أن استعادة السيطرة على صنعاء على رأس أولويات القوات"، "السيطرة على القاعدة ستقطع
            # الإمدادات": a goal or a prospect named, not a capture ("... وسيكون": another clause)
            rules.fire("events.cancel.prospect")
            return "purpose"
        if trig.purpose and "ل" in tokens[i].proclitics and self._lexemes(i) & trig.purpose:
            rules.fire("events.cancel.purpose_of_fighting")  # "لمواجهة داعش", "للقتال في سوريا"
            return "purpose"
        if (
            trig.asked
            and "ب" in tokens[i].proclitics
            and self._lexemes(i) & trig.asked
            and not any(self.ongoing_verbs in tags[j] for j in range(max(lo, i - 3), i))
        ):
            rules.fire("events.cancel.asked")  # "طالبهم بالانسحاب": what is asked, not what was done
            return "purpose"
        if i > lo and "ب" in tokens[i].proclitics and self.threatening in tags[i - 1]:
            rules.fire("events.cancel.threatened")  # "هدد بقصف المدينة": what is threatened, not done
            return "purpose"
        if self._governed(tags, i, lo, self.calls, self.call_to, unless=self.call_causes):
            # "دعت أنصارها إلى التظاهر": a call, not a protest ("ما دعا الجيش إلى الانسحاب": what led
            # the army to withdraw, which it did)
            rules.fire("events.cancel.called_for")
            return "purpose"
        if self._is_noun(i, trig) and self._governed(tags, i, lo, self.endeavours, self.endeavour_to):
            rules.fire("events.cancel.endeavoured")  # "تعمل على السيطرة على": worked for, not done
            return "purpose"
        if (
            trig.sub_event_type == "Armed clash"
            and _has_article(tokens[i])
            and i + 1 < hi
            and self.against in tags[i + 1]
        ):
            rules.fire("events.cancel.war_against")  # "القتال ضد داعش": a war on a group, no one fight
            return "non-event"
        if (trig.klass == "strike" or trig.sub_event_type in STRIKES) and self._backing(tokens, tags, i, lo):
            rules.fire("events.cancel.backing")  # "بدعم من غارات التحالف": the capture it backed is the event
            return "backing"
        if trig.needs_weapon and self._weapon_stems(i):
            window = range(max(lo, i - 4), min(hi, i + 8))
            # the aircraft of a backing are not its weapon ("هجوم شنته القوات مدعومة من طيران التحالف")
            if not any(
                self.weapons in tags[j] and not self._backing(tokens, tags, j, lo) for j in window if j != i
            ):
                rules.fire("events.cancel.no_weapon")
                return "no weapon"
        return None

    # -- unit -> events ------------------------------------------------------------------------
    def _code_unit(self, doc, idx, tokens, tags, sent, unit: Unit, sent_sources, ctx) -> Verdict | None:
        """Code one unit by the rules alone; the verdict of what was coded, if anything."""
        verdict = self._verdict(doc, idx, tokens, tags, sent, unit, sent_sources, ctx)
        if verdict is not None:
            self._emit(doc, verdict, ctx)
        return verdict

    def _follow_up_toll(
        self, idx, tokens, tags, sent: Span, lo: int, hi: int, units: list[Unit], previous: list[Verdict]
    ) -> int | None:
        """The toll of the one event the sentence before coded, told by this one (tokens
        ``lo:hi``): a sentence that names no place, one death toll, and the event again by its
        definite noun ("وأسفرت الغارات عن مقتل 12 مسلحا"، "وأسفرت المعارك عن مقتل 14" after a
        capture) or by a bare verb of killing ("وأفادت المصادر بأن 14 حوثيا قتلوا")."""
        if len(previous) != 1:
            return None
        v = previous[0]
        if v.fatalities is not None or v.historical or len(v.places) != 1:
            return None
        if any(p.attrs.get("lat") is not None for p in idx["place"].within(sent.start, sent.end)):
            return None
        tolls = self._tolls(idx, sent.start, sent.end)
        if len(tolls) != 1 or tolls[0].attrs.get("vague") or tolls[0].attrs["count"] >= AGGREGATE_TOLL:
            return None  # "عشرات القتلى" is no figure
        if any(self.denial in tags[j] or self.dispute in tags[j] for j in range(lo, hi)):
            return None  # "ونفى أن تكون الغارات قتلت 12 مدنيا"
        if any(self.new_item_openers in tags[j] for j in range(lo, min(hi, lo + 3))):
            return None  # "وفي سياق متصل، أعلنت القيادة مقتل 17"
        # the event again: a word of its kind, or of the fighting a capture was won in
        kinds = {kind_of(v.sub_type)} | ({"Armed clash"} if v.sub_type in CLASS_TYPES["territory"] else set())
        told_again = False
        for unit in units:
            for f in unit.found:
                if f.cancel is not None and f.cancel != "weak":
                    return None  # "لم تسفر الغارات عن قتلى"
                if f.trigger.weak:
                    continue
                same = any(kind_of(t) in kinds for t in trigger_types(f.trigger))
                if not (same and self._is_noun(f.index, f.trigger) and _has_article(tokens[f.index])):
                    return None  # an event of its own
                told_again = True
        weak_only = all(f.trigger.weak for unit in units for f in unit.found)
        return tolls[0].attrs["count"] if told_again or weak_only else None

    def _verdict(
        self, doc, idx, tokens, tags, sent, unit: Unit, sent_sources, ctx, full: bool = False
    ) -> Verdict | None:
        """Code one unit by the rules. A unit they drop gives None, or with ``full`` a verdict that
        says why (``drop``), every value still filled in for the model to weigh; only a unit the
        rules code moves the context on (the sentence's actor)."""
        live = unit.live
        main = max(live or unit.found, key=lambda f: (f.trigger.rank, -f.start))
        drop = "opinion" if unit.opinion else "heading" if unit.heading else None if live else "cancelled"
        own = (tokens[unit.lo].start, tokens[unit.hi - 1].end)
        ahead = (own[0], tokens[unit.ahead_hi - 1].end)
        places = self._places(doc, idx, tokens, tags, unit, main, ctx)
        if not places:
            rules.fire("events.no_place")
            if not full:
                # nowhere to code it, but who acted may go on in the next sentence
                self._note_subject(ctx, self._actors(idx, tokens, tags, unit, main)[0])
                return None
            drop = drop or "no place"
        unit_keys = self._unit_keys(idx, tokens, tags, unit, main, ctx.air_age)
        countries = {p.attrs.get("country_code") for p in places}
        back = (tokens[unit.when_lo].start, own[0])
        when, precision, historical, weekday = self._date(doc, idx, unit, main, own, ahead, sent, back)
        undated = when is None and not historical and doc.published is not None
        if undated:  # the text names no day: the day before the news is presumed
            when, precision = (doc.published - timedelta(days=1)).isoformat(), 2
        if (
            not historical
            and self._vague_past(tokens, tags, unit)
            and not self._day_within(idx, back[0], ahead[1])
        ):
            # (a unit that names the news' day tells the span of something else: "قصفت أمس
            # البلدة التي تحاصرها منذ أسابيع")
            rules.fire("events.vague_past")
            when, precision, historical = None, None, True
        if (
            not historical
            # the word itself may open the next segment ("حينها" reads as the connector "حين")
            and any(
                self.then_words in tags[j]
                for j in range(unit.lo, unit.ahead_hi + 1)
                if j < len(tokens) and tokens[j].start < sent.end
            )
            and not self._current_day(idx, sent)
        ):
            rules.fire("events.then_word")
            when, precision, historical = None, None, True
        if not historical and any(
            f.index - 2 >= unit.sent_lo
            and self.previously in tags[f.index - 2]
            and self.previously_links in tags[f.index - 1]
            for f in unit.found
        ):
            rules.fire("events.previously")  # "سبق أن سيطر عليها الحوثيون"
            when, precision, historical = None, None, True
        if not historical and self._recent_span(tokens, tags, unit) and not self._current_day(idx, sent):
            rules.fire("events.recent_span")
            when, precision, historical = None, None, True
        if (
            not historical
            and self._over_a_month(idx, tokens, tags, unit)
            and not self._current_day(idx, sent)
        ):
            # "قتل 40 مدنيا في درعا خلال يوليو الحالي جراء قصف ...": a count over a month (FORMAT.md:
            # aggregates are not events)
            rules.fire("events.over_a_month")
            when, precision, historical = None, None, True
        if not historical and self._since_long_ago(idx, doc, tokens, tags, unit, main, sent):
            # "التي كانت هدفا لغارات جوية تقودها السعودية منذ أواخر مارس": strikes from a day
            # months back up to now, a campaign told in sum (FORMAT.md), not the news of a day
            rules.fire("events.since_long_ago")
            when, precision, historical = None, None, True
        if not historical and self._since_event(tags, unit, main):
            # "منذ تحريرها", "منذ سقوط النظام", "قبل سيطرة داعش على المدينة", "منذ أن سيطر
            # الحوثيون عليها": a time reckoned from an event told before, not the news
            rules.fire("events.since_event")
            when, precision, historical = None, None, True
        if not historical and any(
            self.anniversary in tags[j]
            for j in range(max(unit.sent_lo, main.index - ANNIVERSARY_SPAN), main.index)
        ):
            rules.fire("events.anniversary")
            when, precision, historical = None, None, True
        if (
            not historical
            and when
            and doc.published
            and doc.published - date.fromisoformat(when[:10]) > BACKGROUND
        ):
            rules.fire("events.background")
            historical = True  # "في 26 يونيو" in an August article: background, not the news
        actor1, assoc1, actor2, assoc2, hit = self._actors(idx, tokens, tags, unit, main)
        doer = self._layer(idx, tokens, tags, unit, main) if main.trigger.laid_by else None
        if doer is not None and not _same_group(doer, actor1):
            # "قتل ثمانية حوثيين في كمين نصبته المقاومة": the group that laid it did it, to the
            # ones the sentence names it hit
            rules.fire("events.actor.layer")
            actor1, actor2 = doer, actor2 if actor2 is not None and not _same_group(doer, actor2) else actor1
        if main.trigger.klass == "territory" and self._holds(self.policy.air_only_actor, actor1, countries):
            # "أعلنت قيادة التحالف ... بعد تحرير لحج": a force that strikes only from the air takes
            # no place (the ground forces it backed did, and are not read as actor1 here)
            rules.fire("policy.air_only.territory")
            if not full:
                return None
            drop = drop or "air only"
        sub_type = self._sub_event_type(main.trigger, unit_keys, tags, main, unit.ahead_hi, actor1, countries)
        fallen = None
        if (
            actor1 is None
            and actor2 is None
            and sub_type == "Armed clash"
            and any(f.trigger.klass == "attack" and not f.trigger.weak for f in unit.found)
        ):
            # an attack on soldiers, not a battle nobody is named in ("قتل جنود خلال معارك")
            fallen = self._fallen(idx, tokens, tags, unit, places)
        if fallen is not None:
            # "قتل ثلاثة جنود في هجوم على حاجز": the state's forces were attacked, by someone unnamed
            rules.fire("events.side.fallen")
            actor1, actor2 = unread_actor(UNIDENTIFIED), fallen
        elif actor1 is None and actor2 is None and sub_type in NEEDS_A_SIDE:
            # "معركة التأثير والنفوذ": a battle or a capture with nobody in it is a figure of speech
            rules.fire("events.needs_a_side")
            if not full:
                return None
            drop = drop or "no side"
        if actor1 is None and ctx.sentence_actor is not None and sub_type not in AGENTLESS:
            rules.fire("events.actor.sentence_subject")
            actor1 = ctx.sentence_actor  # "وقصفت فصائل معارضة في حلب، مواقع ... في نبل": same subject
            sub_type = self._sub_event_type(
                main.trigger, unit_keys, tags, main, unit.ahead_hi, actor1, countries
            )
        if actor1 is None:
            actor1 = self._unnamed_actor(doc, tags, unit, sent, sent_sources, ctx, sub_type, countries, when)
            sub_type = self._sub_event_type(
                main.trigger, unit_keys, tags, main, unit.ahead_hi, actor1, countries
            )
        elif not actor1.attrs.get("default") and drop is None:
            ctx.sentence_actor = actor1
        self._note_subject(ctx, actor1)
        sides, far = (actor1, actor2), self.forces_abroad
        abroad = [p for p in places if not _home_ground(p, sides, far)]
        if abroad:
            # "الحوثيون" in Tehran, Rabat or Washington: a speaker's capital or another word; the
            # place the clause names next stands instead ("أحياء الروضة ... في مدينة تعز")
            rules.fire("events.place.abroad")
            skip = frozenset((p.start, p.end) for p in abroad)
            places = [p for p in places if p not in abroad] or [
                p
                for p in self._places(doc, idx, tokens, tags, unit, main, ctx, skip)
                if _home_ground(p, sides, far)
            ]
            if not places:
                if not full:
                    return None
                drop = drop or "no place"
        if main.trigger.klass == "territory" and self._holds(self.policy.raiding_actor, actor1, countries):
            # "اقتحمت قوات الاحتلال بلدة سلواد": a raid enters and leaves, nobody's hold changes
            rules.fire("policy.raids")
            if not full:
                return None
            drop = drop or "raid"
        status, attributed = self._status(idx, tokens, tags, sent, unit, sent_sources, actor1, ctx)
        fatalities = self._fatalities(idx, ahead)
        if fatalities is None and self._toll_before(tokens, tags, unit, main):
            # "قتل 18 عنصرا، جراء تفجير ..."، "قتل خمسة، وأصيب عشرة، في غارة ..."، "قتل 12 حين
            # سقطت قذائف ...": the toll comes before the event it tells the cost of
            fatalities = self._toll_just_before(idx, tokens, tags, unit, own[0])
            if fatalities is not None:
                rules.fire("events.toll_before_cause")
        if fatalities is None:
            fatalities = self._consequence_toll(idx, tokens, tags, sent, unit)
        if fatalities is None:
            fatalities = self._toll_opening(idx, tokens, sent, unit)
        place_tolls = self._place_tolls(idx, tokens, main, places) if len(places) > 1 else {}
        if fatalities is not None and not place_tolls and _quarters_of_one_city(places):
            # "سقطت قذائف على حيي كذا وكذا في دمشق ما أدى إلى مقتل تسعة": neighbourhoods of one city
            # sharing one toll are one event (FORMAT.md), at the first of them
            rules.fire("events.quarters_one_toll")
            places = places[:1]
        evidence = Evidence(doc.id, sent.start, sent.end, doc.clean[sent.start : sent.end])
        verdict = Verdict(
            main, places, sub_type, actor1, assoc1, actor2, assoc2, when, precision, historical,
            status, attributed, fatalities, evidence, unit_keys, drop, self._distinct(tokens, tags, main), hit,
            place_tolls,
            self._claimant(idx, tokens, tags, unit.sent_lo, main.index), doer,
            doc.published if (undated or weekday) and not historical else None,
            weekday,
        )  # fmt: skip
        if verdict.aggregate and rules.fire("events.aggregate_toll") and not full:
            return None  # proposed all the same (see Verdict.aggregate), never coded
        return verdict

    def _distinct(self, tokens, tags, main: Found) -> list[int] | None:
        """ "ودوى انفجار آخر في المدينة": the word that makes the trigger another event of its kind."""
        for j in range(main.index + 1, min(len(tokens), main.index + 1 + DISTINCT_SPAN)):
            if self.distinct in tags[j]:
                rules.fire("events.distinct")
                return [tokens[j].start, tokens[j].end]
        return None

    @staticmethod
    def _note_subject(ctx: Context, actor1: Span | None) -> None:
        """Remember a named group that acted (not an analysts' default) for a coordinated verb."""
        if actor1 is not None and not actor1.attrs.get("default"):
            ctx.last_subject = actor1

    def _coordinated(self, tokens, tags, lo: int, hi: int) -> bool:
        """Does the sentence open on "و" + an action verb ("ونفذت", "وشنت")?"""
        return lo < hi and tokens[lo].proclitics.startswith("و") and self.coordinated_verbs in tags[lo]

    def _fallen(self, idx, tokens, tags, unit: Unit, places: list[Span]) -> Span | None:
        """The forces of the state of the unit's first place, when the unit's toll names its dead or
        wounded as soldiers or police ("قتل ثلاثة جنود"، "إصابة شرطيين") and no group: the side an
        unnamed attacker hit. Only the toll's words and the one after it ("أصيب 18 شرطيا"): "الدعم
        العسكري"، "قائد شرطة كابل" name nobody hit."""
        if not places:
            return None
        for toll in idx["casualties"].within(tokens[unit.back_lo].start, tokens[unit.ahead_hi - 1].end):
            lo = bisect.bisect_left(self._tok_starts, toll.start)
            words = range(lo, min(bisect.bisect_left(self._tok_starts, toll.end) + 1, unit.ahead_hi))
            for role, fallen in self.fallen.items():
                if any(fallen in tags[j] for j in words):
                    name = state_forces(places[0].attrs.get("country_code"), role)
                    return unread_actor(name) if name else None
        return None

    def _unnamed_actor(self, doc, tags, unit: Unit, sent, sent_sources, ctx, sub_type, countries, when):
        """Nobody named: the party of the spokesman telling it, or the analysts' default."""
        # the sentence's own source, or the last one when it goes on ("وأضاف البيان أن ...")
        sent_hi = bisect.bisect_left(self._tok_starts, sent.end)
        spoken = sent_sources or (ctx.last_source if self._continues(tags, unit.sent_lo, sent_hi) else [])
        day = date.fromisoformat(when) if when else doc.published
        # "نفذ التحالف 29 ضربة جوية ... وأفاد البيان أن ثماني ضربات استهدفت ...": the coalition's
        # aircraft of the sentences before go on striking
        coalition = self._coalition(tags, unit, sent_hi) or (
            sub_type == "Air/drone strike" and _recent(ctx.air_age) and ctx.air_coalition
        )
        return self._spokesman(spoken, sub_type) or self._default_actor(sub_type, countries, day, coalition)

    def _coalition(self, tags, unit: Unit, sent_hi: int) -> bool:
        """Does the sentence speak of the coalition?"""
        return any(self.coalition_words in tags[j] for j in range(unit.sent_lo, sent_hi))

    def _emit(self, doc, v: Verdict, ctx) -> None:
        """The rules' events of a unit: one per place."""
        for place in v.places:
            fatalities = v.toll_at(place)
            doc.events.append(make_event(v, place, v.sub_type, v.actor1, v.actor2, fatalities))
            if not v.historical:
                ctx.event_places.append(place)
        doc.add(v.main.start, v.main.end, "trigger", sub_event_type=v.sub_type, lemma=v.main.trigger.id)

    def _unit_keys(self, idx, tokens, tags, unit: Unit, main: Found, air_age: int | None = None) -> set[str]:
        """The word lists matched around a trigger, less by words inside a non-state group's
        name: the "المقاتلة" of "الفصائل المقاتلة" is not a fighter jet; and less the aircraft of a
        backing ("هجوم شنته القوات مدعومة من طيران التحالف"، "بغطاء جوي"): they flew in support of the
        ground attack, which is no air strike for it. A strike that names no
        aircraft nor ground weapon takes the aircraft of the sentence before it (``air_age`` 0,
        as :class:`Context` counts), or, told by a bare strike word in a sentence that names
        nobody and no ground weapon, of one up to AIR_CARRY sentences back."""
        lo, hi = unit.back_lo, unit.ahead_hi
        groups = [
            a
            for a in idx["actor"].within(tokens[unit.sent_lo].start, tokens[hi - 1].end)
            if a.attrs.get("type") not in STATE_TYPES | {"external forces"}
        ]

        def words(lo: int, hi: int) -> set[str]:
            return {
                k
                for j in range(lo, hi)
                if not any(g.start <= tokens[j].start < g.end for g in groups)
                for k in tags[j]
                if k != self.air or not self._backing(tokens, tags, j, lo)
            }

        keys = words(lo, hi)
        # "شنت طائرات التحالف أربع غارات، قصفت من خلالها رتلا": the sentence's aircraft go on
        # striking in a later part of it that names nobody and no weapon but the strike word
        if (
            main.trigger.klass == "strike"
            and self.air not in keys
            and self.weapons not in words(lo, main.index) | words(main.index + 1, hi)
            and not self._agents_within(idx, tokens, tags, lo, hi)
            and (
                self.air in words(unit.sent_lo, lo)
                or (air_age == 0 and unit.sent_lo == lo)
                or (
                    _recent(air_age)
                    and (self.weapons not in tags[main.index] or self.bare_strikes in tags[main.index])
                    and self.ground not in words(unit.sent_lo, hi)
                    and not self._agents_within(idx, tokens, tags, unit.sent_lo, hi)
                )
            )
        ):
            rules.fire("events.type.sentence_aircraft")
            keys.add(self.air)
        return keys

    def _backing(self, tokens, tags, i: int, lo: int) -> bool:
        """Is the strike at token ``i`` the backing of a ground operation: a support word right
        before it, with at most "من" or a demonstrative between ("بدعم من غارات"، "مدعومة بضربات")?"""
        j = i - 1
        while j >= max(lo, i - 3) and self.support_links in tags[j]:
            j -= 1
        return j >= lo and self.support_markers in tags[j] and "ل" not in tokens[j].proclitics

    def _agents_within(self, idx, tokens, tags, lo: int, hi: int) -> bool:
        """Do tokens ``lo:hi`` name a group that may have struck: one not right after a word that
        makes it the one hit ("مستهدفا وحدات من مقاتلي داعش", "على مواقع الحوثيين", "مقتل عناصر من")?"""
        for a in idx["actor"].within(tokens[lo].start, tokens[hi - 1].end):
            i = bisect.bisect_right(self._tok_starts, a.start) - 1
            if not any(
                self.target_markers in tags[j] or self.victim_markers in tags[j]
                for j in range(max(lo, i - 3), i)
            ):
                return True
        return False

    def _sub_event_type(self, trig: Trigger, unit_keys, tags, main: Found, hi: int, actor1, countries) -> str:
        if trig.sub_event_type:
            return trig.sub_event_type
        if trig.klass == "strike":
            if any(
                self.ground in tags[j] for j in range(main.index + 1, min(hi, main.index + 1 + GROUND_SPAN))
            ):
                rules.fire("events.type.ground_weapon")  # "قصف بقذائف الدبابات": shelling
                return "Shelling/artillery/missile attack"
            if self.air in unit_keys:
                return "Air/drone strike"
            if self._holds(self.policy.air_only_actor, actor1, countries):
                rules.fire("policy.air_only")
                return "Air/drone strike"
            return "Shelling/artillery/missile attack"
        if trig.klass == "attack":
            if self.air in unit_keys:
                return "Air/drone strike"
            # "نجحت قوات التحالف في تدمير مواقع ... في أول هجوم": the attack of a force that strikes
            # only from the air is an air strike, not a clash
            if self._holds(self.policy.air_only_actor, actor1, countries):
                rules.fire("policy.air_only.attack")
                return "Air/drone strike"
            if trig.one_sided:
                return "Attack"  # massacres, executions, assassinations: one side does the killing
            if self._holds(self.policy.one_sided_actor, actor1, countries):
                rules.fire("policy.one_sided")
                return "Attack"
            after = {k for j in range(main.index, hi) for k in tags[j]}
            if self.civilian in after and self.armed not in after:
                rules.fire("events.type.attack_on_civilians")
                return "Attack"
            return "Armed clash"
        # territory: who took it decides
        if actor1 is not None and actor1.attrs.get("type") in STATE_TYPES:
            return "Government regains territory"
        return "Non-state actor overtakes territory"

    @staticmethod
    def _holds(check, actor1: Span | None, countries) -> bool:
        """Does a policy.yaml rule on actors (``check``: air_only, one_sided, raids) hold for actor1 in
        a country of the event?"""
        return actor1 is not None and any(check(actor1.attrs.get("canonical"), c) for c in countries)

    # -- places --------------------------------------------------------------------------------
    def _places(
        self, doc, idx, tokens, tags, unit: Unit, main: Found, ctx: Context, skip: frozenset = frozenset()
    ) -> list[Span]:
        """The trigger's own segment first, then those that continue it, then those before it;
        never a place in ``skip`` (its offsets)."""
        for lo, hi in [(unit.lo, unit.hi), (unit.hi, unit.ahead_hi), (unit.back_lo, unit.lo)]:
            places = self._usable_places(doc, idx, tokens, tags, lo, hi, main, skip)
            if places and lo == unit.lo and all(p.attrs.get("type") in AREAS for p in places):
                # "غارات على قرى جبل الزاوية، مخلفة ثلاثة قتلى بقرية الموزرة وخمسة بقرية أرنبة":
                # the villages the strike's toll names inside the area are its places
                ahead = self._usable_places(
                    doc, idx, tokens, tags, unit.hi, unit.ahead_hi, main, skip, every=True
                )
                # never the governorate named again ("بمحافظة لحج ... ولحج": the town it is named
                # for); the town of a countryside is where it is ("في ريف جسر الشغور")
                names = [doc.clean[b.start : b.end] for b in places if b.attrs.get("type") != "countryside"]
                inside = [
                    p
                    for p in ahead
                    if not _broad(p)
                    and p.attrs.get("qualifier") not in self.compass  # "غرب مأرب": where it lies from
                    and self._said_in(tokens, p)  # not "نقلوا إلى مستشفى منبج"
                    and any(_within(p, b) for b in places)
                    and not any(doc.clean[p.start : p.end] in name for name in names)
                ]
                if inside:
                    rules.fire("events.place.named_inside")
                    return inside
            if places:
                return places
            anaphor = self._anaphor(idx, tokens, tags, lo, hi, ctx, unit.sent_lo)
            if anaphor is not None:
                return [anaphor]
        return []

    def _usable_places(
        self,
        doc,
        idx,
        tokens,
        tags,
        lo: int,
        hi: int,
        main: Found,
        skip: frozenset = frozenset(),
        every: bool = False,
    ) -> list[Span]:
        """The places of tokens ``lo:hi`` an event there can be at: the first specific one or the
        list it stands in, or with ``every`` each one named (never a reference point)."""
        if lo >= hi:
            return []
        start, end = tokens[lo].start, tokens[hi - 1].end
        taken = [s for label in ("actor", "source") for s in idx[label].within(start, end)]
        territory = main.trigger.territorial
        # fire has an origin: a strike's "من X" may be where it came from
        fired = main.trigger.klass == "strike" or main.trigger.sub_event_type in STRIKES
        cands, oriented, origins = [], [], []
        for p in idx["place"].within(start, end):
            if p.attrs.get("lat") is None or p.attrs.get("role") == "government":
                continue  # "وصفته أنقرة": the Turkish government speaking, not a place of the event
            if (p.start, p.end) in skip or p.start in self._naming:
                continue
            if any(t.start <= p.start and p.end <= t.end for t in taken):
                continue
            i = bisect.bisect_left(self._tok_starts, p.start)
            before = set().union(*tags[max(lo, i - 2) : i])
            if i > lo and self.led_by in tags[i - 1]:
                rules.fire("events.place.leader")  # "التحالف بقيادة واشنطن": who leads it
                continue
            if self.direction in before:
                # "أطلقت صواريخ باتجاه X": with nothing else named, X is where they fell
                if not territory and (main.stop is None or p.start < main.stop):
                    oriented.append(p)
                continue
            if fired and self._origin(tags, lo, i):
                origins.append(p)  # "من مطار حماة العسكري على بلدة اللطامنة": where fire came from
                continue
            if territory and self.direction_territory in before:
                rules.fire("events.place.heading_to")
                continue
            if territory and any(self.proximity in tags[j] for j in range(max(lo, i - 4), i)):
                rules.fire("events.place.near_not_taken")
                continue
            if main.stop is not None and p.start >= main.stop and not skip:
                continue  # (a stop the skipped places set does not hold)
            if self._speakers_place(tokens, tags, lo, i, main.index):
                rules.fire("events.place.speaker")
                continue
            cands.append(p)
        cands = self._without_route_ends(doc, tags, cands)
        if every:
            return self._drop_reference_points(self._home_places(doc, tags, cands))
        found = self._filtered(doc, tags, cands)
        if not found and oriented:
            rules.fire("events.place.direction")
        elif not found and origins:
            found = self._filtered(doc, tags, origins)  # nothing else named: "من" was where it was
        elif origins:
            rules.fire("events.place.origin")
        return found or oriented[:1]

    def _without_route_ends(self, doc, tags, places: list[Span]) -> list[Span]:
        """A road between two places ("على الطريق الرابط بين مدينتي بيتليس وديار بكر") is one place
        of an event, the first named: the second is where the road leads, not a second event."""
        out: list[Span] = []
        start = None
        for p in places:
            if start is not None and listed(doc.clean, start, p, places):
                rules.fire("events.place.route_end")
                start = None
                continue
            start = p if self._route_start(tags, p) else None
            out.append(p)
        return out

    def _route_start(self, tags, place: Span) -> bool:
        """Does ``place`` follow "بين" (or "بين" and a dual head: "بين مدينتي") that a road word
        stands a few words before ("الطريق الرابط بين")?"""
        i = bisect.bisect_left(self._tok_starts, place.start)
        at = next((b for b in (i - 1, i - 2) if b >= 0 and self.between in tags[b]), None)
        return at is not None and any(self.routes in tags[j] for j in range(max(0, at - 3), at))

    def _filtered(self, doc, tags, places: list[Span]) -> list[Span]:
        return self._drop_containers(doc, self._drop_reference_points(self._home_places(doc, tags, places)))

    def _origin(self, tags, lo: int, i: int) -> bool:
        """Is the place at token ``i`` where fire came from: right after "من", or after "من" and a
        base's head noun ("من قاعدة طبرق")?"""
        j = i - 1 if i - 1 >= lo and self.origin in tags[i - 1] else i - 2
        if j < lo or self.origin not in tags[j] or j == i - 2 and self.origin_heads not in tags[i - 1]:
            return False
        # "بالقرب من X", "إلى الشرق من X": X locates the event
        return j == lo or self.origin_not_after not in tags[j - 1]

    @staticmethod
    def _home_country(spans: list[Span]) -> str | None:
        """The country the article names most places and actors of: where its events most likely are."""
        counts = Counter(s.attrs["country"] for s in spans if s.attrs.get("country"))
        return counts.most_common(1)[0][0] if counts else None

    def _home_places(self, doc: Document, tags, places: list[Span]) -> list[Span]:
        """A place abroad that a place in the article's own country locates right after it is a
        homonym there: "حي القاهرة بمدينة تعز" is a quarter of Taiz, not Egypt's capital."""
        home = [
            p for p in places if p.attrs.get("country") == self._home and p.attrs.get("type") != "country"
        ]
        if not home or len(home) == len(places):
            return places
        out = []
        for p in places:
            if (
                p.attrs.get("country") != self._home
                and p.attrs.get("type") != "country"
                and any(self._locates(doc, tags, p, q) for q in home)
            ):
                rules.fire("events.place.home_homonym")
                continue
            out.append(p)
        return out

    def _locates(self, doc: Document, tags, p: Span, q: Span) -> bool:
        """Does ``q``, a few tokens after ``p``, say where ``p`` is? Not as the next member of a
        list ("بين بغداد والرياض"), nor as where ``p`` heads to ("من شرورة إلى عدن")."""
        if q.start < p.end or self._token_gap(p, q) > HOME_SPAN:
            return False
        i, j = bisect.bisect_left(self._tok_starts, p.end), bisect.bisect_left(self._tok_starts, q.start)
        return LIST_GAP.fullmatch(doc.clean[p.end : q.start]) is None and not any(
            self.direction in tags[k] or self.direction_territory in tags[k] for k in range(i, j)
        )

    def _speakers_place(self, tokens, tags, lo: int, i: int, trigger: int) -> bool:
        """ "وقالت مصادر محلية في مديرية المخا إن غارات ...": a place the speaker is in ("في X",
        "بـX"), between a verb of speech and the "إن" that opens what was said, before the trigger,
        is where the speaker is. An office's place ("قائمقام قضاء الرمادي") is what it speaks for."""
        if i >= trigger or not any(self.source_cues in tags[j] for j in range(max(lo, i - SPEAKER_SPAN), i)):
            return False
        located = any(
            self._matches.value(j, self.lex.cues.prepositions, "-") == "في" for j in (i - 1, i - 2) if j >= lo
        ) or any("ب" in tokens[j].proclitics for j in (i - 1, i) if j >= lo)
        return located and any(
            self.complementizers in tags[k] for k in range(i + 1, min(trigger, i + SPEAKER_SPAN))
        )

    def _drop_reference_points(self, places: list[Span]) -> list[Span]:
        """ "بمنطقة صرواح غرب مأرب": a place after a compass word (the places stage's
        ``qualifier``: north, west ...) right behind another place is where that one lies from,
        not the event's ("ومحيط المحطة" is a place of its own)."""
        out = []
        for p in places:
            if out and p.attrs.get("qualifier") in self.compass and self._token_gap(out[-1], p) <= 2:
                rules.fire("events.place.reference_point")
                continue
            out.append(p)
        return out

    def _said_in(self, tokens, place: Span) -> bool:
        """Is the place said as where something happened: "في" or "ب" on it or up to three words
        before it ("بقرية أرنبة"، "في محيط قرية كذا"، "في سهل الغاب وجسر الشغور")?"""
        i = bisect.bisect_right(self._tok_starts, place.start) - 1  # the token holding it ("وجسر")
        return any(
            tokens[j].norm in ("في", "وفي") or "ب" in tokens[j].proclitics
            for j in range(max(0, i - 3), i + 1)
        )

    def _token_gap(self, a: Span, b: Span) -> int:
        """How many tokens lie between two spans."""
        return bisect.bisect_left(self._tok_starts, b.start) - bisect.bisect_left(self._tok_starts, a.end)

    def _drop_containers(self, doc: Document, places: list[Span]) -> list[Span]:
        """The event's place: the first specific one, or the whole list it stands in.

        "حرستا بالغوطة الشرقية" is an event in Harasta (the region only locates it); "قرى الحواش
        والقاهرة والعنكاوي" is one event per village; a country alone is too vague to code. A
        district is a member of a list that a plural or dual head opens ("مديريات صرواح ومجزر
        ومدغل", where the gazetteer knows some as towns), not of one district's name ("مديرية مشرعة
        وحدنان")."""
        if not places:
            return []
        specific = [p for p in places if p.attrs.get("type") not in BROAD and not p.attrs.get("container")]
        if not specific:
            regional = [p for p in places if p.attrs.get("type") != "country"]
            return regional[:1]
        ids = {id(p) for p in specific}
        members = [p for p in places if id(p) in ids or p.attrs.get("type") in LISTED_DIVISIONS]
        run = self._joined_run(
            doc, members, next(k for k, p in enumerate(members) if p is specific[0]), places
        )
        if any(id(p) not in ids for p in run) and not self._after_list_head(run[0]):
            run = self._joined_run(doc, specific, 0, places)  # no plural head: the districts only locate
        seen: set = set()
        out = []
        for p in run:
            a = p.attrs
            key = place_identity(a.get("geonameid"), a.get("lat"), a.get("lon"), a.get("name"))
            if key not in seen:
                seen.add(key)
                out.append(p)
        return out

    @staticmethod
    def _joined_run(doc: Document, places: list[Span], at: int, around: list[Span]) -> list[Span]:
        """The places around ``places[at]`` that one list joins ("X وY، وZ"), past the broad places
        among ``around`` that locate a member ("X بريف إدلب وY")."""

        def joined(a: Span, b: Span) -> bool:
            return listed(doc.clean, a, b, around)

        lo = hi = at
        while lo > 0 and joined(places[lo - 1], places[lo]):
            lo -= 1
        while hi + 1 < len(places) and joined(places[hi], places[hi + 1]):
            hi += 1
        return places[lo : hi + 1]

    def _after_list_head(self, place: Span) -> bool:
        """Does a plural or dual head noun of divisions stand right before ``place``?"""
        k = bisect.bisect_left(self._tok_starts, place.start)
        return k > 0 and self.list_heads in self._matches.tags[k - 1]

    def _anaphor(self, idx, tokens, tags, lo: int, hi: int, ctx: Context, sent_lo: int) -> Span | None:
        """The place "المدينة" means: the last such place earlier in this sentence, else the place of the last
        event coded, else the article's most named place so far."""
        for j in range(lo, hi):
            kinds = self._matches.value(j, self.lex.anaphors)
            if kinds is None:
                continue
            # "يفرون من المدينة ... إلى طرطوس ... انسحاب من المدينة": one word, one referent,
            # so only the places before its first use in the sentence can be it.
            first = next(
                (
                    i
                    for i in range(sent_lo, j)
                    if any(h.entry.value == kinds for h in self._matches.single(i, self.lex.anaphors))
                ),
                j,
            )
            # "وفي الزبداني شمال غرب دمشق ... على المدينة": Damascus only locates Zabadani
            here = [
                p
                for p in self._drop_reference_points(
                    idx["place"].within(tokens[sent_lo].start, tokens[first].start)
                )
                if _of_kind(p, kinds) and p.attrs.get("lat") is not None
            ]
            if (
                not here
                and self.sentence_anaphors in tags[j]
                and not any(self.same_words in tags[k] for k in (j - 1, j + 1) if 0 <= k < len(tags))
            ):
                # "الأوضاع في المنطقة": the Middle East, unless the sentence before named the place
                here = [p for p in self._drop_reference_points(ctx.previous_places) if _of_kind(p, kinds)]
                if not here:
                    rules.fire("events.place.vague_anaphor")
                    continue
            fitting = [p for p in ctx.places if _of_kind(p, kinds)]
            if not here and not fitting:
                return None
            recent = [p for p in ctx.event_places if _of_kind(p, kinds)]
            if here:
                chosen = here[-1]
            elif recent:
                chosen = recent[-1]
            else:
                counts: dict = {}
                for p in fitting:
                    key = p.attrs.get("geonameid") or p.attrs.get("name")
                    counts.setdefault(key, [0, p])[0] += 1
                chosen = max(counts.values(), key=lambda c: (c[0], -c[1].start))[1]
            rules.fire("events.place.anaphor")
            return Span(tokens[j].start, tokens[j].end, "place", dict(chosen.attrs, anaphor=True))
        return None

    # -- actors --------------------------------------------------------------------------------
    def _actors(self, idx, tokens, tags, unit: Unit, main: Found):
        """actor1 did it, actor2 was hit: read from agent, target and victim markers. Also every
        group hit, in order: the other side when another actor1 is chosen among them.

        Names in the trigger's own segment come first, then those after it, then those before."""
        roles = self._roles(idx, tokens, tags, unit, main)
        if not roles:
            return None, [], None, [], []
        agents = [a for a, r in roles if r == "agent"]
        supporters = [a for a, r in roles if r == "supporter"]
        targets = [a for a, r in roles if r in TARGET_ROLES]
        neutral = [a for a, r in roles if r == "neutral"]
        named = [t for t in targets if not str(t.attrs.get("canonical", "")).startswith("Unidentified")]
        targets = named or targets  # "115 مسلحا من جبهة النصرة": the gunmen are Nusra's
        ordered = agents + neutral
        speaker = self._speaker(idx, tokens, tags, unit.sent_lo, unit.ahead_hi) if len(ordered) > 1 else None
        if speaker is not None and speaker is ordered[0] and self._says_that(idx, tags, speaker):
            # "وقال جيش الإسلام إن الطيران المروحي ألقى براميل": the clause's own group acted; the
            # speaker did only when the clause names none ("قالت المعارضة إنها سيطرت على ...")
            rules.fire("events.actor.speaker_last")
            ordered = ordered[1:] + [speaker]
        if not ordered:
            return None, _unique(supporters)[:2], (targets[0] if targets else None), targets[1:2], targets
        actor1 = ordered[0]
        rest = [a for a in ordered[1:] + targets if a.attrs.get("canonical") != actor1.attrs.get("canonical")]
        side_break = self._side_break(tokens, tags, unit.back_lo, unit.ahead_hi)
        if any(self.between in tags[j] for j in range(unit.back_lo, unit.ahead_hi)) and rest:
            rules.fire("events.actor.between_sides")
            # "بين X و Y من جهة، و Z من جهة أخرى": the first side against the second
            if side_break is None:
                first_side, second_side = [], rest
            else:
                first_side = [a for a in rest if a.start < side_break]
                second_side = [a for a in rest if a.start >= side_break]
            actor2 = second_side[0] if second_side else None
            assoc1 = [a for a in first_side if a is not actor2]
            assoc2 = second_side[1:]
        else:
            assoc1 = [a for a in rest if a not in targets and self._same_side(actor1, a)]
            assoc1 = (
                assoc1 + [a for a in supporters if a.attrs.get("canonical") != actor1.attrs.get("canonical")]
            )[:2]
            actor2 = (
                targets[0] if targets else next((a for a in rest if not self._same_side(actor1, a)), None)
            )
            assoc2 = []
        return actor1, _unique(assoc1), actor2, _unique(assoc2)[:2], targets

    def _roles(self, idx, tokens, tags, unit: Unit, main: Found) -> list[tuple[Span, str]]:
        """Each group named around a trigger with its part in the event, read from the markers
        before it: "agent" ("من قبل"), "holder" (who holds the place), "lost" (who a change of
        territory took it from: "من قبضة"), "supporter" (who backed a capture or battle: "بغطاء
        جوي من"), "civilian", "victim" (counted by a casualty word), "partitive", "target",
        "joined" (joined to a target) or "neutral". The trigger's own segment in reading order ("الأخير" included), then the rest."""
        ranges = [(unit.lo, unit.hi), (unit.hi, unit.ahead_hi), (unit.back_lo, unit.lo)]
        own = self._actor_spans(idx, tokens, unit.lo, unit.hi) + self._actor_anaphors(idx, tokens, tags, unit)
        actors = sorted(own, key=lambda a: a.start) + [
            a for lo, hi in ranges[1:] for a in self._actor_spans(idx, tokens, lo, hi)
        ]
        # A verb that carries its plural subject ("استهدفوا", "قصفوا") takes the group after it
        # as its object: an Arabic verb before a named subject stays singular.
        plural = tokens[main.index].norm.endswith("وا") and main.trigger.klass in ("strike", "attack")
        clash = main.trigger.id == "clash"
        # a fight on the ground, which aircraft or others may back ("هجوم شنته القوات مدعومة من طيران التحالف")
        ground = main.trigger.klass in ("territory", "attack") or clash
        # "طردوا الحوثيين من لودر": the group after the verb is the one driven out, the last of
        # them before "من" ("طردت المقاومة مليشيا الحوثي من التواهي": the first is who drove it out)
        driven_at = None
        if self._drives_out(main.index, main.trigger):
            driven_at = self._driven_out(tokens, actors, main.index)
        out: list[tuple[Span, str]] = []
        last_target = None
        for a in actors:
            i = (
                bisect.bisect_right(self._tok_starts, a.start) - 1
            )  # the token holding it: "وحزب الله" starts after و
            prev = set().union(*tags[max(unit.back_lo, i - 2) : i])
            near = set().union(*tags[max(unit.back_lo, i - 4) : i])
            prefix = tokens[i].proclitics if i < len(tokens) else ""
            if main.trigger.klass == "territory" and (
                self._lost_from(tokens, tags, max(unit.back_lo, main.index), i) or i == driven_at
            ):
                rules.fire("events.actor.lost_from")
                # "تحرير عدن من قبضة الحوثيين"، "طردوا الحوثيين من لودر": the side that lost the place
                role = "lost"
            elif self.holder_markers in prev:
                rules.fire("events.actor.holder")
                role = "holder"  # "التي يسيطر عليها تنظيم داعش": who holds the place, not who acted
            elif i - 2 >= unit.back_lo and self.affiliation in tags[i - 1] and self._owned_by(out, tokens, i):
                rules.fire("events.actor.affiliation")
                role = "supporter"  # "جيش الفتح التابع للمعارضة": the group before's side, not another
            elif self.support_markers in near and ground:
                rules.fire("events.actor.supporter")
                role = "supporter"  # "بغطاء جوي من التحالف": it backed the capture, it did not take it
            elif a.attrs.get("type") in UNARMED and not main.trigger.unarmed_actor:
                rules.fire("events.actor.unarmed_target")
                role = "civilian"  # civilians suffer violence; they are its actor only when they protest
            elif self.victim_markers in near or self._counted(tokens, tags, unit.back_lo, i):
                rules.fire("events.actor.victim")
                role = "victim"  # "بمقتل 51 من عناصر داعش": the من is partitive, not the agent's
            elif (
                i - 2 >= unit.back_lo
                and self.partitive in tags[i - 1]
                and (
                    self.target_markers in tags[i - 2]
                    or ("ل" in tokens[i - 2].proclitics and i - 2 > main.index)
                )
            ):
                rules.fire("events.actor.partitive_target")
                # "مستهدفة وحدات من مقاتلي داعش"، "قافلة لقوة من الجيش": a partitive من after a target
                role = "partitive"
            elif clash and 0 < i - main.index <= 4 and self.opponent_markers in tags[i - 1]:
                rules.fire("events.actor.opponent")
                role = "target"  # "اشتباكات عنيفة مع الحوثيين": the other side of the clash
            elif i - 1 >= unit.back_lo and self.agent_markers in tags[i - 1]:
                rules.fire("events.actor.agent_marker")
                role = "agent"
            elif "ل" in prefix and self._owner_of_noun(tokens, tags, main, i):
                rules.fire("events.actor.noun_owner")
                role = "agent"  # "في هجوم لتنظيم داعش": whose attack it was
            elif (
                (plural and 0 < i - main.index <= 2)
                or self.target_markers in prev
                or ("ل" in prefix and a.start > main.start)
            ):
                rules.fire("events.actor.target")
                role = "target"
            elif last_target is not None and prefix.startswith("و") and a.start - last_target.end <= 2:
                rules.fire("events.actor.joined_target")
                # "مواقع للجيش النظامي وحزب الله": joined to a target, a target too
                role = "lost" if out[-1][1] == "lost" else "joined"
            elif out and out[-1][1] == "lost" and self._joined_after(tokens, out[-1][0], i):
                rules.fire("events.actor.joined_lost")
                role = "lost"  # "من الحوثيين والقوات الموالية للرئيس المخلوع": the same side
            else:
                role = "neutral"
            if role in TARGET_ROLES:
                last_target = a
            out.append((a, role))
        return out

    @staticmethod
    def _owned_by(out: list[tuple[Span, str]], tokens, i: int) -> bool:
        """Does a named group end right before the word of belonging before token ``i``
        ("جيش الفتح التابع للمعارضة")? An unnamed one is the owner's own ("مجموعة مسلحة تابعة
        لطالبان" are the Taliban)."""
        lo, hi = tokens[i - 2].start, tokens[i - 1].start
        return any(
            lo <= a.end <= hi and not str(a.attrs.get("canonical", "")).startswith("Unidentified")
            for a, _ in out
        )

    def _owner_of_noun(self, tokens, tags, main: Found, i: int) -> bool:
        """Does the group at token ``i`` (after "ل") stand right past an indefinite event noun
        that no verb takes as its object ("في هجوم لحزب العمال", not "توجيه ضربات لحزب العمال")?"""
        j = main.index
        return (
            i == j + 1
            and self._is_noun(j, main.trigger)
            and not _has_article(tokens[j])
            and not any(self.noun_governors in tags[k] for k in range(max(0, j - 3), j))
        )

    def _joined_after(self, tokens, prev: Span, i: int) -> bool:
        """Does the group at token ``i`` follow ``prev`` in a list: "و" on the first word after it
        and at most JOIN_WORDS words between ("الحوثيين والقوات الموالية للرئيس المخلوع")?"""
        k = bisect.bisect_left(self._tok_starts, prev.end)
        return k < i <= k + JOIN_WORDS and tokens[k].proclitics.startswith("و")

    def _lost_from(self, tokens, tags, lo: int, i: int) -> bool:
        """After a change of territory from token ``lo``: does "من" stand right before the group at
        token ``i`` ("تحريرها من ميليشيات الحوثي"), or "من" and a grip (قبضة، أيدي، سيطرة ...),
        before or after the one word that counts its men ("من يد مقاتلي تنظيم داعش")?"""
        return (i - 1 > lo and tokens[i - 1].norm == "من") or any(
            j - 1 > lo and self.lost_from in tags[j] and tokens[j - 1].norm == "من" for j in (i - 1, i - 2)
        )

    def _counted(self, tokens, tags, lo: int, i: int) -> bool:
        """Is the group at token ``i`` counted by a casualty word before it, with only a count
        between ("قتل ما لا يقل عن 18 عنصرا من قوات النظام")?"""
        for j in range(i - 1, max(lo, i - 9) - 1, -1):
            if self.victim_markers in tags[j]:
                return True
            if not (tokens[j].norm.isdigit() or self.count_words in tags[j]):
                return False
        return False

    def _actor_anaphors(self, idx, tokens, tags, unit: Unit) -> list[Span]:
        """The word "الأخير" (the latter) in the trigger's segment stands for the last group named before it."""
        for j in range(unit.lo, unit.hi):
            if self.actor_anaphors in tags[j]:
                earlier = [a for a in idx["actor"].within(0, tokens[j].start) if a.attrs.get("canonical")]
                if earlier:
                    return [
                        Span(tokens[j].start, tokens[j].end, "actor", dict(earlier[-1].attrs, anaphor=True))
                    ]
        return []

    def _actor_spans(self, idx, tokens, lo: int, hi: int) -> list[Span]:
        """The groups named in tokens ``lo:hi``, not those inside a source's words ("المتحدث باسم
        الجيش" reports), unless the source is that very group by the same words ("جهاز مكافحة الإرهاب"
        reports its own operations and fights them)."""
        if lo >= hi:
            return []
        sources = idx["source"].within(tokens[lo].start, tokens[hi - 1].end)
        return [
            a
            for a in idx["actor"].within(tokens[lo].start, tokens[hi - 1].end)
            if not any(
                s.start <= a.start
                and a.end <= s.end
                and not (
                    (s.start, s.end) == (a.start, a.end)
                    and s.attrs.get("speaks_for") == a.attrs.get("canonical")
                )
                for s in sources
            )
        ]

    def _side_break(self, tokens, tags, lo, hi) -> int | None:
        """The offset after "من جهة"/"من طرف"/"من جانب": where the second side begins."""
        for j in range(lo, hi - 1):
            if self.partitive in tags[j] and self.side_words in tags[j + 1]:
                return tokens[j + 1].end
        return None

    @staticmethod
    def _same_side(a: Span, b: Span) -> bool:
        pro_state = {"state forces", "external forces", "political militia", "identity militia"}
        ta, tb = a.attrs.get("type"), b.attrs.get("type")
        return bool(ta and tb) and (ta in pro_state) == (tb in pro_state)

    @staticmethod
    def _spokesman(sources: list[str], sub_type: str) -> Span | None:
        """A strike told by a party's own spokesman ("قالت قوة المهام المشتركة إن الضربات ...",
        then "وأضاف البيان أن 17 ضربة ...") with nobody named as its author is that party's."""
        if sub_type not in STRIKES:
            return None
        from marsad.entities.actors import speaks_for

        for source in sources:
            party = speaks_for(source)
            span = unread_actor(party) if party else None
            if span is not None:
                rules.fire("events.actor.spokesman")
                return span
        return None

    def _default_actor(self, sub_type: str, countries: set, day: date | None, coalition: bool) -> Span | None:
        """The actor analysts code when nobody is named, by the rules of policy.yaml (an unnamed
        air strike over Syria in 2015 is the regime's, or the coalition's where the sentence
        speaks of it; a bomb nobody is named for an unidentified group's)."""
        rule = self.policy.default_actor(sub_type, countries, day, coalition)
        if rule is None:
            return None
        rules.fire(rule.name)
        return unread_actor(rule.actor)

    # -- date ----------------------------------------------------------------------------------
    def _tied(self, at: int, same: frozenset[int], d: Span) -> bool:
        """Nothing between the trigger at token ``at`` and the date ``d`` that opens another
        event: a trigger of another unit (its own unit's, ``same``, tell the same one), a
        pluperfect or a sequel word ("طردوه من حي كان سيطر عليه إثر هجوم الشهر الماضي" dates
        the attack, not the expulsion). A weak trigger opens none: "في يناير قتل قائد في غارة"
        tells the toll of the strike it dates."""
        j = bisect.bisect_left(self._tok_starts, d.start)
        tags = self._matches.tags

        def opens(k: int) -> bool:
            if not self._maybe[k] or k in same:
                return False
            hit = self._match_at(tags, k, len(tags))
            return hit is None or not hit[0].weak

        return not any(
            opens(k) or self.pluperfect in tags[k] or self.sequel in tags[k]
            for k in (range(at + 1, j) if j > at else range(j + 1, at))
        )

    def _next_clause(self, doc: Document, at: int, end: int) -> bool:
        """Does a clause of its own open between token ``at`` and offset ``end``: a comma, then a
        word joined by و or ف that is no preposition ("...، ونصبت أسرته ..."، not "...، وعلى
        مواقع ...")?"""
        tokens, tags = self._matches.tokens, self._matches.tags
        for k in range(at + 1, bisect.bisect_left(self._tok_starts, end)):
            if (
                tokens[k].prefix[:1] in ("و", "ف")
                and self.prepositions not in tags[k]
                and COMMAS.intersection(doc.clean[tokens[k - 1].end : tokens[k].start])
            ):
                return True
        return False

    def _date(
        self, doc: Document, idx, unit: Unit, main: Found, own, ahead, sent: Span, back
    ) -> tuple[str | None, int | None, bool, bool]:
        """The unit's own date; a past year there makes it background, never a current event.
        The last value: the day is only a weekday's name ("خلال صلاة الجمعة"), which every week has.

        A past year in the part of the clause before the trigger counts too ("في عام 2006،
        قتلت غارة ..."), and so does a month long gone with no other trigger between ("في مايو
        الماضي سيطر ...")."""

        # every word of the unit's triggers: "مفخخة" inside "سيارة مفخخة" opens no other event
        same = frozenset(
            k for f in unit.found for k in range(f.index, bisect.bisect_left(self._tok_starts, f.end))
        )

        def gone(d: Span) -> bool:
            # a month after the clause's end ("..., ونصبت أسرته ... في مارس الماضي") dates
            # what the next clause tells
            return bool(d.attrs.get("historical")) or (
                _long_gone(d, doc.published)
                and self._tied(main.index, same, d)
                and not (d.start > main.end and self._next_clause(doc, main.index, d.start))
            )

        def past(d: Span) -> tuple[str | None, int | None, bool, bool]:
            if not d.attrs.get("historical"):
                rules.fire("events.month_gone")
            return d.attrs.get("first"), 3, True, False

        def on(d: Span) -> tuple[str | None, int | None, bool, bool]:
            return (
                d.attrs["first"],
                1 if d.attrs["precision"] == "day" else 2,
                False,
                d.attrs.get("kind") == "weekday",
            )

        old = [d for d in idx["date"].within(*back) if gone(d)] if back[0] < back[1] else []
        if old:
            return past(old[-1])
        for lo, hi in (own, ahead):
            dates = idx["date"].within(lo, hi)
            old = [d for d in dates if gone(d)]
            if old:
                return past(old[0])
            # "منذ الرابع من الشهر" dates when fighting began, not the day it is reported on
            day = [
                d
                for d in dates
                if d.attrs.get("first")
                and d.attrs.get("precision") in ("day", "week")
                and d.attrs.get("kind") != "since"
            ]
            if day:
                return on(day[0])
        # "انتزع التنظيم السيطرة على المدينة من يد القوات الحكومية في مايو": a clause runs past
        # the words the unit reads, and its time comes last (not past a comma: "..., وكانتا
        # معقلين منذ عام 2011" tells the place's past)
        later = next(iter(idx["date"].within(ahead[1], sent.end)), None)
        if (
            later is not None
            and later.attrs.get("kind") != "since"
            and not CLAUSE_MARKS.intersection(doc.clean[ahead[1] : later.start])
            and gone(later)
            and self._tied(main.index, same, later)
        ):
            return past(later)
        # "وفي عام 2009، وقعت حادثة ...، حيث هاجمت مجموعة مسلحة العاصمة": a past year that opens
        # the sentence dates its every clause, whatever day a later clause names ("ذلك اليوم")
        opening = next(iter(idx["date"].within(sent.start, own[0])), None)
        if (
            opening is not None
            and opening.attrs.get("historical")
            and opening.attrs.get("kind") != "since"
            and SENTENCE_OPENER.fullmatch(doc.clean[sent.start : opening.start])
        ):
            rules.fire("events.date.sentence_opener")
            return past(opening)
        current = [
            d
            for d in idx["date"].within(sent.start, sent.end)
            if d.attrs.get("first")
            and not d.attrs.get("historical")
            and d.attrs.get("precision") in ("day", "week")
            and d.attrs.get("kind") != "since"
        ]
        if current:
            return on(current[0])
        return None, None, False, False

    def _recent_span(self, tokens, tags, unit: Unit) -> bool:
        """ "خلال الأشهر الماضية", "في السنوات الأخيرة": months or years up to now, no day of them;
        "منذ بداية العام", "منذ اندلاع الحرب": a count from the start of a span up to now; "خلال
        عشرة أشهر": a count over months (FORMAT.md: aggregates are not events)."""
        lo = max(unit.back_lo, unit.lo - 8)
        return any(
            self.past_spans in tags[j]
            and self.recent_past in tags[j + 1]
            or self.past_openers in tags[j]
            and self.span_starts in tags[j + 1]
            # "أول هجوم من نوعه منذ بدء العملية", "للمرة الأولى منذ اندلاع الأزمة": news, measured
            and not any(self.firsts in tags[k] for k in range(max(lo, j - FIRST_SPAN), j))
            # "خلال عشرة أشهر", "على مدى عامين": a toll or a count over months or years (not
            # "خلال الأعوام السابقة": a span named, the clause may compare with it)
            or self.durations in tags[j]
            and any(
                self.past_spans in tags[k] and not _has_article(tokens[k])
                for k in range(j + 1, min(j + 3, len(tags)))
            )
            for j in range(lo, unit.ahead_hi - 1)
        )

    def _over_a_month(self, idx, tokens, tags, unit: Unit) -> bool:
        """Does a whole month or year of the unit follow "خلال"/"طوال" ("خلال شهر تموز الماضي")?"""
        lo = unit.back_lo
        for d in idx["date"].within(tokens[lo].start, tokens[unit.ahead_hi - 1].end):
            if d.attrs.get("precision") not in ("month", "year") or d.attrs.get("kind") == "since":
                continue
            k = bisect.bisect_left(self._tok_starts, d.start)
            if any(self.durations in tags[j] for j in range(max(lo, k - 2), k)):
                return True
        return False

    def _since_long_ago(self, idx, doc: Document, tokens, tags, unit: Unit, main: Found, sent: Span) -> bool:
        """Does the trigger's own clause run "since" a day more than BACKGROUND before the article
        ("منذ 26 مارس"), not a relative clause or a hold between ("التي تسيطر عليها منذ ..."), and
        the sentence name no day of the news besides?"""
        if doc.published is None:
            return False
        dates = idx["date"].within(sent.start, sent.end)

        first = bisect.bisect_left(self._tok_starts, sent.start)

        def own_clause(d: Span) -> bool:
            k = bisect.bisect_left(self._tok_starts, d.start)
            if k >= unit.ahead_hi:
                return False
            # its own clause's, or the main clause's before it ("خسرت القوات منذ مارس مدنا بعد
            # معارك") when no relative clause or hold stands anywhere before the trigger
            between = (
                range(min(k, main.index) + 1, max(k, main.index))
                if unit.lo <= k
                else range(first, main.index)
            )
            return not any(
                self.holder_markers in tags[j] or tokens[j].norm.lstrip("وف") in RELATIVES for j in between
            )

        since = [
            d
            for d in dates
            if d.attrs.get("kind") == "since"
            and own_clause(d)
            and d.attrs.get("first")
            and doc.published - date.fromisoformat(d.attrs["first"]) > BACKGROUND
        ]
        return bool(since) and not any(
            d.attrs.get("kind") != "since"
            and d.attrs.get("precision") in ("day", "week")
            and not d.attrs.get("historical")
            for d in dates
        )

    def _since_event(self, tags, unit: Unit, main: Found) -> bool:
        """A past opener right before the trigger, or before "أن" right before it."""
        j = main.index - 1
        if j > unit.sent_lo and self.previously_links in tags[j]:
            j -= 1
        return j >= unit.sent_lo and self.past_openers in tags[j]

    @staticmethod
    def _current_day(idx, sent: Span) -> bool:
        """Does the sentence name a day or a week of the news ("أمس", "الثلاثاء الماضي")?"""
        return EventExtractor._day_within(idx, sent.start, sent.end)

    @staticmethod
    def _day_within(idx, start: int, end: int) -> bool:
        """Is a day or a week of the news named between two offsets?"""
        return any(
            d.attrs.get("precision") in ("day", "week") and not d.attrs.get("historical")
            for d in idx["date"].within(start, end)
        )

    def _many_times(self, tags, j: int, lo: int, hi: int) -> bool:
        """Is token ``j`` a "times" counted many: "عدة مرات", "مرات عدة", "أكثر من مرة"?"""
        after = j + 1 < hi and self.many_times in tags[j + 1]
        return self.times in tags[j] and (
            after or any(self.many_times in tags[k] for k in range(max(lo, j - 2), j))
        )

    def _vague_past(self, tokens, tags, unit: Unit) -> bool:
        """A time long gone, its year unsaid: "منذ سنوات", "قبل أعوام", "قبل نحو شهرين", "قبل
        حوالي ثلاثة أشهر", "قبل 5 سنوات"."""
        lo = max(unit.back_lo, unit.lo - 8)
        for j in range(lo + 1, unit.ahead_hi):
            if self.past_spans not in tags[j]:
                continue
            opener = j - 2 if j - 2 >= lo and self.approx in tags[j - 1] else j - 1
            if self.past_openers in tags[opener]:
                return True
            # "قبل حوالي ثلاثة أشهر": a counted span ago ("منذ ثلاثة أشهر" is how long, not when)
            opener = j - 1
            while opener > lo and opener >= j - 3 and self._count_or_approx(tokens, tags, opener):
                opener -= 1
            if opener < j - 1 and self.ago in tags[opener]:
                return True
        return False

    def _count_or_approx(self, tokens, tags, j: int) -> bool:
        """A number ("ثلاثة", "5") or a word of approximation ("نحو")."""
        return tokens[j].norm.isdigit() or self.approx in tags[j] or self.count_words in tags[j]

    # -- fatalities ----------------------------------------------------------------------------
    @staticmethod
    def _tolls(idx, start: int, end: int) -> list[Span]:
        """The death tolls with a figure between two offsets."""
        return [
            c
            for c in idx["casualties"].within(start, end)
            if c.attrs.get("kind") == "killed" and isinstance(c.attrs.get("count"), int)
        ]

    def _place_tolls(self, idx, tokens, main: Found, places: list[Span]) -> dict[tuple[int, int], int]:
        """Each place's own toll when the sentence counts its dead place by place past the trigger
        ("مخلفة ثلاثة قتلى بقرية كذا، وخمسة بقرية كذا"): a toll between the place before (or the
        trigger) and each place, for every place, or none at all (one toll over a list is no one's).
        Past the first, the counted word may be left out ("مقتل 6 في كذا و5 في كذا")."""
        out: dict[tuple[int, int], int] = {}
        lo = main.end
        for place in sorted(places, key=lambda p: p.start):
            if place.start < lo:
                return {}
            tolls = self._tolls(idx, lo, place.start)
            if tolls:
                out[(place.start, place.end)] = tolls[-1].attrs["count"]
            elif out and (figure := self._next_figure(idx, tokens, lo, place.start)) is not None:
                out[(place.start, place.end)] = figure
            else:
                return {}
            lo = place.end
        rules.fire("events.place_tolls")
        return out

    def _next_figure(self, idx, tokens, start: int, end: int) -> int | None:
        """A bare count of people joined by "و" at the start of ``start:end`` ("و5 في الباب")."""
        i = bisect.bisect_left(self._tok_starts, start)
        for n in idx["number"].within(start, end):
            a = n.attrs
            if isinstance(a.get("value"), int) and not a.get("unit") and not a.get("vague"):
                j = bisect.bisect_right(self._tok_starts, n.start) - 1
                lead = tokens[j].proclitics.startswith("و") or j > i and tokens[j - 1].norm == "و"
                return a["value"] if j <= i + 1 and lead else None
        return None

    def _fatalities(self, idx, ahead) -> int | None:
        tolls = self._tolls(idx, *ahead)
        return tolls[0].attrs["count"] if tolls else None

    def _toll_just_before(self, idx, tokens, tags, unit: Unit, end: int) -> int | None:
        """The last death toll of the sentence before ``end`` with no trigger after it: "قتل ثلاثة
        حوثيين، فيما أصيب آخرون، في هجوم ..." (the wounded aside is no event of its own)."""
        for c in reversed(self._tolls(idx, tokens[unit.sent_lo].start, end)):
            after = bisect.bisect_left(self._tok_starts, c.end)
            if (
                any(self._maybe[after : unit.lo])
                or unit.lo - after > TOLL_REACH
                or any(self.complementizers in tags[j] for j in range(after, unit.lo))
            ):
                # another event word between, a clause of its own ("مشيرة إلى أن ..."), or far
                return None
            return c.attrs["count"]
        return None

    def _toll_opening(self, idx, tokens, sent: Span, unit: Unit) -> int | None:
        """The toll whose verb opens the unit, its figures told before it ("أن 25 مقاتلا من الفصائل
        وثمانية من مقاتلي التنظيم، قتلوا في الهجوم على مارع")."""
        first = tokens[unit.lo]
        for c in self._tolls(idx, sent.start, first.end):
            if c.start < first.start and c.end == first.end:
                rules.fire("events.toll_opens_unit")
                return c.attrs["count"]
        return None

    def _toll_before(self, tokens, tags, unit: Unit, main: Found) -> bool:
        """Does the unit's segment open with a word that ties it to a toll told just before: a
        cause ("جراء"، "إثر"), a when-clause ("حين", not "في حين": whereas), or "في"/"خلال" right
        before the trigger ("في غارة")? A toll in a clause of its own says whose cost it is no further."""
        opener = tags[unit.lo]
        return (
            self.causes in opener
            or self.when_clause in opener
            and not (unit.lo and self.toll_links in tags[unit.lo - 1] and tokens[unit.lo].norm == "حين")
            or self.toll_links in opener
            and main.index == unit.lo + 1
        )

    def _consequence_toll(self, idx, tokens, tags, sent: Span, unit: Unit) -> int | None:
        """The toll of a consequence clause a few words past the unit ("قصفت ... شمال ووسط
        المدينة ما أدى إلى مقتل خمسة"), when no other trigger stands between."""
        sent_hi = bisect.bisect_left(self._tok_starts, sent.end)
        for j in range(unit.ahead_hi, min(sent_hi, unit.ahead_hi + CONSEQUENCE_REACH)):
            if self._maybe[j]:
                return None
            if self.consequences in tags[j]:
                end = tokens[min(sent_hi, j + CONSEQUENCE_TOLL) - 1].end
                fatalities = self._fatalities(idx, (tokens[j].start, end))
                if fatalities is not None:
                    rules.fire("events.consequence_toll")
                return fatalities
        return None

    # -- attribution and modality --------------------------------------------------------------
    def _sources(self, doc, idx, tokens, tags, lo: int, hi: int) -> list[str]:
        if lo >= hi:
            return []
        start, end = tokens[lo].start, tokens[hi - 1].end
        names = [s.attrs["canonical"] for s in idx["source"].within(start, end) if s.attrs.get("canonical")]
        for label in ("person", "org"):
            for s in idx[label].within(start, end):
                i = bisect.bisect_left(self._tok_starts, s.start)
                if any(self.source_cues in tags[j] for j in range(max(lo, i - 3), i)):
                    names.append(doc.clean[s.start : s.end])
        return list(dict.fromkeys(names))

    def _continues(self, tags, lo: int, hi: int) -> bool:
        """Does the sentence open with "كما أعلن X" or "وأضاف X" (X also said what came before)?"""
        head = [tags[j] for j in range(lo, min(hi, lo + 2))]
        if head and self.continuation_verbs in head[0]:
            return True
        return len(head) == 2 and self.continuation_openers in head[0] and self.source_cues in head[1]

    def _status(
        self, idx, tokens, tags, sent, unit: Unit, sent_sources, actor1, ctx: Context
    ) -> tuple[str, list[str]]:
        lo = bisect.bisect_left(self._tok_starts, sent.start)
        hi = bisect.bisect_left(self._tok_starts, sent.end)
        sent_keys = set().union(*tags[lo:hi])
        attributed = sent_sources or ctx.last_source or ctx.lead_source
        if self.dispute in sent_keys:
            rules.fire("events.status.disputed")
            return "disputed", attributed
        if self.denial in sent_keys:
            rules.fire("events.status.denied")
            return "denied", attributed
        # an allegation governs the unit of its own clause, not every unit of a long sentence
        if any(self.allegation in tags[j] for j in range(unit.back_lo, unit.ahead_hi)):
            rules.fire("events.status.alleged")
            return "alleged", attributed
        if actor1 is not None and self.source_cues in sent_keys:
            speaker = self._speaker(idx, tokens, tags, lo, hi)
            if speaker is not None:
                # the group that speaks is the report's source ("وقال جيش الإسلام إن المروحيات ..."),
                # and of its own deed a claimant
                sources = list(dict.fromkeys([*sent_sources, speaker.attrs["canonical"]]))
                if speaker.attrs.get("canonical") == actor1.attrs.get("canonical"):
                    rules.fire("events.status.claimed")
                    return "claimed", sources
                rules.fire("events.source.speaking_group")
                return "reported", sources
        return "reported", attributed

    def _says_that(self, idx, tags, speaker: Span) -> bool:
        """Does "إن"/"أن" follow the speaker, past the day it spoke ("قال الجيش أمس إن"، "ذكرت
        الشرطة يوم الأحد أن"): what comes after is what it said?"""
        tokens = self._matches.tokens
        said = bisect.bisect_left(self._tok_starts, speaker.end)
        if said >= len(tags):
            return False
        if self.complementizers in tags[said]:
            return True
        last = tokens[min(len(tokens), said + SAID_DAY) - 1]
        day = next(
            (d for d in idx["date"].within(tokens[said].start, last.end) if d.start == tokens[said].start),
            None,
        )
        if day is None:
            return False
        said = bisect.bisect_left(self._tok_starts, day.end)
        return said < len(tags) and self.complementizers in tags[said] and rules.fire("events.actor.said_day")

    def _layer(self, idx, tokens, tags, unit: Unit, main: Found) -> Span | None:
        """The group that laid the trigger's deed: the subject of its verb before it, after the verb
        or before it ("نصبت المقاومة كمينا"، "عناصر من الحزب نصبوا كمينا"), or of its verb just
        after it ("كمين نصبته المقاومة"، "كمين نصبته لهم المقاومة")."""
        i, actors = main.index, idx["actor"]
        after = bisect.bisect_left(self._tok_starts, main.end)
        verb, verb_after = self._laid_verbs(tags, main.trigger.laid_by, i, after, unit.back_lo, unit.ahead_hi)
        if verb is not None:
            named = actors.within(tokens[verb + 1].start, tokens[i - 1].end) if verb + 1 < i else []
            before = actors.within(tokens[unit.sent_lo].start, tokens[verb].start)
            if named:
                return named[0]
            if before and verb > unit.sent_lo and before[-1].end >= tokens[verb - 1].start:
                return before[-1]
        if verb_after is not None:
            hi = min(unit.ahead_hi, verb_after + 1 + LAID_SPAN)
            named = (
                actors.within(tokens[verb_after + 1].start, tokens[hi - 1].end) if verb_after + 1 < hi else []
            )
            if named:
                return named[0]
        return None

    @staticmethod
    def _laid_verbs(tags, laid: str, i: int, after: int, lo: int, hi: int) -> tuple[int | None, int | None]:
        """Where a verb of doing the trigger at ``i`` stands: the last at most LAID_SPAN words before
        it, its subject between ("نصبت المقاومة الشعبية كمينا"), and the word right after it
        (``after``: "كمين نصبته المقاومة"); None where none does."""
        before = next((k for k in range(i - 1, max(lo, i - LAID_SPAN) - 1, -1) if laid in tags[k]), None)
        return before, after if after < hi and laid in tags[after] else None

    def _claim_verbs(self, tags, lo: int, i: int) -> list[int]:
        """The verbs of claiming at most CLAIMED_SPAN words before token ``i``, from ``lo`` on."""
        return [k for k in range(max(lo, i - CLAIMED_SPAN), i) if self.claim_verbs in tags[k]]

    def _claimant(self, idx, tokens, tags, lo: int, trigger: int) -> Span | None:
        """The group right after a verb of claiming before the trigger ("تبنى الحزب أمس قتل شرطيين")."""
        for j in self._claim_verbs(tags, lo, trigger):
            if j + 1 == trigger:
                break  # the verb right before the trigger names no group
            named = idx["actor"].within(tokens[j + 1].start, tokens[trigger - 1].end)
            if named and named[0].start == tokens[j + 1].start and rules.fire("events.claimant"):
                return named[0]
        return None

    def _speaker(self, idx, tokens, tags, lo, hi) -> Span | None:
        """The actor right after a reporting verb (قالت المعارضة ...): it speaks of itself."""
        for j in range(lo, hi):
            if self.source_cues in tags[j]:
                # the verb's own subject, right after it; after "أن" comes what was said
                nxt = j + 1
                while nxt < hi and nxt < j + 4 and self.speaker_roles in tags[nxt]:
                    nxt += 1  # "قال الناطق باسم الجبهة": the group the speaker speaks for
                if nxt >= hi or self.complementizers in tags[nxt]:
                    continue
                after = idx["actor"].within(tokens[nxt].start, tokens[min(hi - 1, nxt + 3)].end)
                if after and after[0].start == tokens[nxt].start:
                    return after[0]
        return None


def _flagged(n: int, positions: list[int]) -> list[bool]:
    """``n`` flags, true at ``positions``: a lexicon's few words in a text, from its tags."""
    flags = [False] * n
    for j in positions:
        flags[j] = True
    return flags


def _recent(air_age: int | None) -> bool:
    """Did a sentence at most AIR_CARRY sentences back name aircraft, and none since a ground weapon?"""
    return air_age is not None and air_age < AIR_CARRY


# Groups that fight in their own country and across its borders, never farther (ACLED's
# domestic non-state actors, and state forces but those of policy.yaml's forces_abroad); a
# transnational group (IS, al-Qaeda) has no country in actors.yaml.
DOMESTIC = frozenset({"rebel group", "political militia", "identity militia", "state forces"})


# The areas whose villages and towns a sentence may go on to name as the event's places (a
# district such as صرواح is a place of its own).
AREAS = frozenset({"countryside", "governorate", "admin1", "region", "plain", "mountain"})

# How many words a negation may stand before its trigger when only words of happening come
# between ("من دون أن تحدث أي مواجهات").
OCCURRENCE_SPAN = 5

# How far from an area's point a place may lie and still be inside it, when no governorate
# says so (a mountain, a plain, a region: tens of kilometres across).
AREA_REACH_KM = 40.0


def _same_group(a: Span, b: Span | None) -> bool:
    """Do two spans name the one group?"""
    return b is not None and a.attrs.get("canonical") == b.attrs.get("canonical")


def _broad(place: Span) -> bool:
    """Is the place an area (a country, governorate, countryside, region, mountain), not a point?"""
    return place.attrs.get("type") in BROAD or bool(place.attrs.get("container"))


def _within(place: Span, area: Span) -> bool:
    """Does ``place`` lie inside ``area``: the governorate of a countryside or governorate, or
    near the point of a mountain, plain or region?"""
    a, b = place.attrs, area.attrs
    if not a.get("country_code") or a.get("country_code") != b.get("country_code"):
        return False
    if b.get("type") in ("countryside", "governorate", "admin1"):
        return bool(a.get("admin1")) and a.get("admin1") == b.get("admin1")
    km = gazetteer.haversine_km(a["lat"], a["lon"], b["lat"], b["lon"])
    return km <= AREA_REACH_KM


def _quarters_of_one_city(places: list[Span]) -> bool:
    """Are ``places`` several neighbourhoods of one city (one province of one country)?"""
    return (
        len(places) > 1
        and all(p.attrs.get("type") == "neighbourhood" for p in places)
        and (len({(p.attrs.get("country_code"), p.attrs.get("admin1")) for p in places}) == 1)
    )


def _home_ground(place: Span, actors, abroad: frozenset[str] = frozenset()) -> bool:
    """Can the named domestic groups among ``actors`` act at ``place``: in their country or one
    bordering it? A place farther off is a misreading (a speaker's capital, a common word).
    ``abroad``: the countries whose state forces fight farther."""
    cc = place.attrs.get("country_code")
    if not cc:
        return True
    gaz = gazetteer.get()
    for a in actors:
        if a is None or a.attrs.get("default") or a.attrs.get("type") not in DOMESTIC:
            continue
        if a.attrs.get("type") == "state forces" and a.attrs.get("country") in abroad:
            continue
        home = gaz.country_codes.get(str(a.attrs.get("country")))
        if home and cc != home and cc not in gaz.neighbours.get(home, ()):
            return False
    return True


def _long_gone(d: Span, published: date | None) -> bool:
    """A month that ended more than :data:`BACKGROUND` before the report ("في مايو الماضي",
    "الشهر الماضي" late in the next one)."""
    last = d.attrs.get("last")
    return bool(
        published
        and last
        and d.attrs.get("precision") == "month"
        and d.attrs.get("kind") != "since"
        and published - date.fromisoformat(last) > BACKGROUND
    )


def _unique(spans: list[Span]) -> list[Span]:
    seen: set = set()
    out = []
    for s in spans:
        if s.attrs.get("canonical") not in seen:
            seen.add(s.attrs.get("canonical"))
            out.append(s)
    return out


def _of_kind(place: Span, kinds: list[str]) -> bool:
    """Whether a place is of one of the kinds an anaphor names, by its type or by its head noun
    ("تلة X" is the hill "التلة" points back to, even when X is also a village's name)."""
    return place.attrs.get("type") in kinds or place.attrs.get("head") in kinds


def _has_article(token) -> bool:
    """Does the word carry the article ("والتحرير", "للتحرير")? The tokenizer's readings say so."""
    return any(r.kind & ARTICLE for r in token.word.readings)
