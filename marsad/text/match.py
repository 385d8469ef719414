"""One matcher: every lexicon compiled into one index over the token analyses, run once per document.

A :class:`Lexicon` is a named list of words and phrases (gazetteer names, actor and source
aliases, trigger words, cancelling words, context word lists), each entry with an id and a
value. Its entries are compiled, with every other lexicon of the pipeline, into one index from
a word's dictionary form to the lexicons and phrase tries it may begin. Which readings of a word
a lexicon takes (``accept``: the word itself, without proclitics, without a pronoun...; see
:mod:`marsad.text.tokens`), how the later words of a phrase are compared (their ``norm`` or
any reading) and what may stand between them (``gap``) belong to the lexicon.

The ``match`` stage writes ``doc.matches``: for each token, the single-word hits of its word
(computed once per distinct word and kept on the cached :class:`~marsad.text.tokens.Word`) and
the phrases that start there. Places, actors and events read their words from it, and because
every match names its lexicon and entry, ``marsad rules report`` can count what fires.
"""

from __future__ import annotations

import itertools
import re
import threading
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple, Protocol

from marsad import datafile
from marsad.document import Document
from marsad.pipeline import component
from marsad.text.normalize import normalize_key
from marsad.text.tokens import ARTICLE, CLITIC, FUTURE, PRONOUN, WHOLE, Reading, Token, Word
from marsad.text.tokens import keys as phrase_keys

ANY = CLITIC | ARTICLE | FUTURE | PRONOUN  # every reading
VERB = ANY & ~ARTICLE  # a verb form never follows the article: "الأرجح" is no "أرجح"
# between the words of one name: spaces and hyphens, and at most one quotation mark, since news quotes
# the name after its head noun ("جبل «يسوف»", "مطار \"تي فور\""); no other punctuation
JOIN_GAP_RE = re.compile(r"[ \t\u00a0\-]*[\"«»“”]?[ \t\u00a0]*")
_END = None  # trie key of the entries ending at a node (never a word's key)
_LAZY = object()  # the index entry of a key a lazy lexicon has not compiled yet
_ids = itertools.count(1)

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


def verb_forms(stem: str, present: bool = True) -> set[str]:
    """The inflected forms news prose uses for a past-tense stem (normalised): every lexicon
    writes its verbs as stems and lets this inflect them."""
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


class Forms(datafile.Strict):
    """A word list written as words, verb stems (inflected by :func:`verb_forms`, with their
    present tense; ``past``: without it) and groups of shared verbs (``marsad/text/verbs.yaml``)."""

    words: list[str] = []
    verbs: list[str] = []
    past: list[str] = []
    groups: list[str] = []


WordList = list[str] | Forms


class VerbGroups(datafile.Strict):
    """verbs.yaml: verb stems that several stages read, by what they mean."""

    speech: list[str]


@cache
def _groups() -> dict[str, list[str]]:
    return datafile.load(Path(__file__).with_name("verbs.yaml"), VerbGroups, dump=True)


def forms(spec: WordList) -> list[tuple[str, str, int]]:
    """``(entry id, form, readings)`` of a word list: a verb's forms all carry its stem as their
    id, and never match a word without its article."""
    if isinstance(spec, list):
        return [(w, w, ANY) for w in spec]
    out = [(w, w, ANY) for w in spec.words]
    groups = _groups() if spec.groups else {}
    unknown = [g for g in spec.groups if g not in groups]
    if unknown:
        raise datafile.DataFileError(f"no verb group {unknown} in marsad/text/verbs.yaml")
    stems = [(v, True) for v in spec.verbs + [v for g in spec.groups for v in groups[g]]]
    for verb, present in stems + [(v, False) for v in spec.past]:
        out += [(verb, form, VERB) for form in sorted(verb_forms(normalize_key(verb), present))]
    return out


class Entry(NamedTuple):
    """One entry of a lexicon: its ``id`` (as written in the data file), ``value`` and the
    reading kinds its first word may take."""

    lexicon: str
    id: str
    value: Any
    accept: int = ANY


class Hit(NamedTuple):
    """A single-word match: the entry and the reading of the token that matched it."""

    entry: Entry
    reading: Reading


class Match(NamedTuple):
    """A match over tokens ``start:end`` (the first token through ``reading``)."""

    lexicon: str
    entry: Entry
    start: int
    end: int
    reading: Reading


class Source(Protocol):
    """A lazy lexicon's entries (as :class:`Lexicon` takes them), by their first key."""

    def starting(self, key: str) -> Iterable[tuple[str, str | tuple[str, ...], Any]]:
        """The entries whose first key is ``key`` (none for a key no entry starts with)."""
        ...

    def heads(self) -> Iterable[str]:
        """Every first key (and maybe keys that begin nothing, which cost only a lookup)."""
        ...


class Phrases:
    """A lazy lexicon's source: the keys of ``table`` (words joined by single spaces, as the
    gazetteer's) of fewer than ``most_words`` spaces and ``shortest`` letters or more, each the
    entry ``(key, its words, key)``; ``longer`` maps a first word to the table's keys of several
    words it begins, in the table's order (the gazetteer keeps them in its cache: making them
    from the 34,000 names took every start 5 ms)."""

    def __init__(
        self, table: Collection[str], most_words: int, shortest: int, longer: Mapping[str, Sequence[str]]
    ) -> None:
        self.table = table
        self.most_words = most_words
        self.shortest = shortest
        self.longer = longer if most_words > 1 else {}  # single words only: none

    def _keeps(self, key: str) -> bool:
        return key.count(" ") < self.most_words and len(key) >= self.shortest

    def starting(self, key: str) -> list[tuple[str, tuple[str, ...], str]]:
        out = [(key, (key,), key)] if key in self.table and " " not in key and self._keeps(key) else []
        out += [(k, tuple(k.split(" ")), k) for k in self.longer.get(key, ()) if self._keeps(k)]
        return out

    def heads(self) -> Iterable[str]:
        """The table's keys, at C speed (those of several words or not kept begin nothing), and
        the first words of its keys of several words."""
        return itertools.chain(self.table, self.longer)


class Lexicon:
    """A named word and phrase list.

    ``entries`` are ``(id, words, value)`` or ``(id, words, value, accept)``: ``words`` a
    phrase (cut and folded as the text's tokens are: ``tokens.keys``), or already a tuple of keys.
    ``accept`` is the set of reading kinds the first word may take (0: the word as written; an
    entry may narrow it); ``rest`` says how later words compare
    (``"norm"``: as written, ``"readings"``: any reading ``accept`` allows); ``gap`` what may
    stand between words (``"join"``: spaces and hyphens, ``"any"``: anything)."""

    def __init__(
        self,
        name: str,
        entries: Iterable[tuple[str, str | tuple[str, ...], Any]],
        accept: int = ANY,
        rest: str = "norm",
        gap: str = "join",
    ) -> None:
        self.name = name
        self.rest = rest
        self.gap = gap
        self.trie: dict[str, Any] = {}
        self.size = 0  # entries compiled (of a lazy lexicon: so far)
        self.accept = 0  # what any entry takes, for the index
        self.source: Source | None = None  # a lazy lexicon's entries by first key
        self.test: Callable[[Word], bool] | None = None  # a lexicon of the words that pass it
        self._compiling = threading.Lock()
        self._add(entries, accept)

    def _add(self, entries: Iterable[tuple[str, str | tuple[str, ...], Any]], accept: int) -> None:
        """Compile ``entries`` into the trie.

        Plain statements, no ``setdefault`` (a new dict per call), entries made by
        ``tuple.__new__`` (Entry's own ``__new__`` is Python code)."""
        name, new, takes, size = self.name, tuple.__new__, 0, 0
        for entry in entries:
            words = entry[1]
            keys = phrase_keys(words) if isinstance(words, str) else words
            if not keys or not all(keys):
                continue
            node = self.trie
            for k in keys:
                child = node.get(k)
                if child is None:
                    child = node[k] = {}
                node = child
            kinds = accept & entry[3] if len(entry) > 3 else accept
            ended = node.get(_END)
            if ended is None:
                ended = node[_END] = []
            ended.append(new(Entry, (name, entry[0], entry[2], kinds)))
            takes |= kinds
            size += 1
        self.accept |= takes
        self.size += size

    @classmethod
    def lazy(cls, name: str, source: Source, accept: int = ANY, **kw: Any) -> Lexicon:
        """A lexicon compiled one first key at a time, when the matcher first meets the key: the
        gazetteer's 34,000 names and 32,000 variants, of which a run reads a few thousand, took
        every start-up 0.05 s compiled whole. Its entries take ``accept`` (an entry's own
        narrowing is not read)."""
        lex = cls(name, (), accept, **kw)
        lex.accept, lex.source = accept, source
        return lex

    def node(self, key: str) -> dict[str, Any] | None:
        """The trie node after the first key ``key``, compiled now if the lexicon is lazy."""
        node = self.trie.get(key)
        if node is None and self.source is not None:
            with self._compiling:  # the API codes in threads: a key compiled twice matches twice
                node = self.trie.get(key)
                if node is None and (entries := self.source.starting(key)):
                    self._add(entries, self.accept)
                    node = self.trie.get(key)
        return node

    @classmethod
    def where(cls, name: str, test: Callable[[Word], bool]) -> Lexicon:
        """The words that pass ``test``, what no list holds (a key ending in a digit), without
        entries: the matcher tags a word that passes with its other hits, once per distinct word
        (its hit the word as written). A set of words is cheaper as :func:`word_set`: looked up
        in the index with every other lexicon's, it costs a word outside the set nothing."""
        lex = cls(name, (), 0)
        lex.test = test
        return lex

    def takes(self, w: Word) -> bool:
        """Whether the word alone matches the lexicon (what the matcher tags it for), read
        without a matcher."""
        if self.test is not None:
            return self.test(w)
        return any(
            not r.kind & ~e.accept
            for r in w.readings
            if not r.kind & ~self.accept and (node := self.node(r.key))
            for e in node.get(_END, ())
        )

    @classmethod
    def words(cls, name: str, words: WordList, accept: int = ANY, **kw: Any) -> Lexicon:
        """A word list (plain, or words, verb stems and groups): no values, ids as written."""
        return cls.of_forms(name, forms(words), accept, **kw)

    @classmethod
    def of_forms(
        cls, name: str, made: Iterable[tuple[str, str, int]], accept: int = ANY, **kw: Any
    ) -> Lexicon:
        """A word list's :func:`forms`, made already (for another use too)."""
        return cls(name, ((i, w, None, a) for i, w, a in made), accept, **kw)

    def entries(self) -> Iterator[Entry]:
        """Every entry, walking the trie (a lazy lexicon's compiled whole first)."""
        if self.source is not None:
            for key in self.source.heads():
                self.node(key)
        stack = [self.trie]
        while stack:
            node = stack.pop()
            for key, value in node.items():
                if key is _END:
                    yield from value
                else:
                    stack.append(value)

    def __repr__(self) -> str:
        return f"Lexicon({self.name!r}, {self.size} entries)"


class WordHits:
    """What one word matches by itself, for one matcher: kept on the cached Word."""

    __slots__ = ("tags", "single", "starts", "follow")

    def __init__(self, single: dict[str, tuple[Hit, ...]], starts: tuple) -> None:
        self.single = single
        self.tags = frozenset(single)
        self.starts = starts  # ((lexicon, trie node after this word, reading), ...)
        # The one start's trie node when it reads the next word as written (most words that
        # begin a phrase): the next word's key must be in it, or no phrase begins here, which the
        # matcher tells without following the trie (99 of an article's 108 tries). None: always
        # followed.
        self.follow = starts[0][1] if len(starts) == 1 and starts[0][0].rest == "norm" else None


_NONE = WordHits({}, ())


def where(flags: Iterable[Any]) -> list[int]:
    """The positions of the true flags, counted in C (``compress``): a list comprehension over
    every token costs half as much again."""
    return list(itertools.compress(itertools.count(), flags))


class Matches:
    """The matches of one document, by token (``doc.matches``)."""

    __slots__ = ("tokens", "hits", "tags", "phrases", "read", "_groups")

    def __init__(self, tokens: list[Token], hits: list[WordHits], phrases: dict[int, list[Match]]):
        self.tokens = tokens
        self.hits = hits
        self.tags = [h.tags for h in hits]  # per token: the lexicons its word matches alone
        self.phrases = phrases  # start token -> matches of two words or more, longest first
        # what a stage read from these matches and another stage reads again (the actor names
        # the place model asks about and the actors stage writes), keyed by who read it
        self.read: dict[str, Any] = {}
        self._groups: dict[frozenset[str], list[int]] | None = None

    def _by_tags(self) -> dict[frozenset[str], list[int]]:
        """The tokens whose word matches some lexicon alone (three in four of a text's tokens),
        grouped by their tags, in order: built once a document, on the first ``tagged`` question.
        A document holds about 75 distinct tag sets for some 330 tagged tokens, and is asked about
        nine times (places, dates, numbers, actors, events): each question then tests the sets,
        not every tagged token (100 -> 70 us a document in all)."""
        groups = self._groups
        if groups is None:
            groups = self._groups = {}
            get = groups.get
            every = self.tags
            for j, tags in zip(where(every), itertools.compress(every, every), strict=True):
                at = get(tags)
                if at is None:
                    groups[tags] = [j]
                else:
                    at.append(j)
        return groups

    @staticmethod
    def _merged(parts: list[list[int]]) -> list[int]:
        """The positions of disjoint groups, in order (a new list: callers may keep or change it)."""
        if len(parts) == 1:
            return parts[0][:]
        return sorted(itertools.chain.from_iterable(parts))

    def single(self, i: int, lexicon: str) -> tuple[Hit, ...]:
        """The single-word hits of token ``i`` in ``lexicon``, in reading order (longest first)."""
        if 0 <= i < len(self.hits):
            return self.hits[i].single.get(lexicon, ())
        return ()

    def tagged(self, lexicon: str) -> list[int]:
        """The tokens whose word matches ``lexicon`` alone, in order: the few a stage reads out of
        a document's hundreds, from the groups of tokens whose tag sets name it."""
        return self._merged([at for tags, at in self._by_tags().items() if lexicon in tags])

    def tagged_any(self, lexicons: frozenset[str]) -> list[int]:
        """The tokens whose word matches any of ``lexicons`` alone, in order."""
        return self._merged([at for tags, at in self._by_tags().items() if not lexicons.isdisjoint(tags)])

    def tagged_or_phrase(self, lexicons: frozenset[str]) -> list[int]:
        """The tokens whose word matches any of ``lexicons`` alone or that begin a phrase, in
        order: where a stage reading names may find one."""
        at = self.tagged_any(lexicons)
        return sorted({*at, *self.phrases}) if self.phrases else at

    def value(self, i: int, lexicon: str, default: Any = None) -> Any:
        """The value of the first (least stripped) single-word hit of token ``i``: ``single``
        inlined, since the places stage asks a hundred times an article."""
        if 0 <= i < len(self.hits) and (hits := self.hits[i].single.get(lexicon)):
            return hits[0].entry.value
        return default

    def starting(self, i: int, lexicon: str) -> list[Match]:
        """Every match of ``lexicon`` from token ``i``, longest first (phrases, then words)."""
        out = [m for m in self.phrases.get(i, ()) if m.lexicon == lexicon]
        out += [Match(lexicon, h.entry, i, i + 1, h.reading) for h in self.single(i, lexicon)]
        return out

    def ending(self, end: int, lexicon: str) -> list[Match]:
        """Matches of ``lexicon`` whose last token is ``end - 1``, longest first."""
        out = [
            m
            for start in range(max(0, end - 8), end - 1)
            for m in self.phrases.get(start, ())
            if m.end == end and m.lexicon == lexicon
        ]
        out += [Match(lexicon, h.entry, end - 1, end, h.reading) for h in self.single(end - 1, lexicon)]
        return out

    def __iter__(self) -> Iterator[Match]:
        """Every match, by start token: what ``marsad rules report`` counts."""
        for i, h in enumerate(self.hits):
            yield from self.phrases.get(i, ())
            for lexicon, hits in h.single.items():
                for hit in hits:
                    yield Match(lexicon, hit.entry, i, i + 1, hit.reading)


def word_set(name: str, words: Iterable[str], accept: int = 0) -> Lexicon:
    """A stage's set of word keys as a lexicon, each key its own one-word entry (not cut again by
    ``tokens.keys``): with ``accept`` 0 a token is tagged exactly when its ``norm`` is in the
    set. The match stage finds a document's words of the set with every other lexicon's, once
    per distinct word, and :func:`words_in` reads them from the tags."""
    return Lexicon(name, ((w, (w,), None) for w in sorted(words)), accept)


def words_in(tokens: list[Token], matches: Matches | None, *lexicons: Lexicon) -> list[int]:
    """The tokens any of ``lexicons`` tags (:func:`word_set`, :meth:`Lexicon.where`), in order:
    read from the tags of the document's ``matches`` (the match stage compiled them), or each
    token's word put to them without (a stage run without the match stage). The tags spare a
    pass over every token in Python, 20 to 40 us a document for each set."""
    if matches is not None:
        return matches.tagged_any(frozenset(lex.name for lex in lexicons))
    return [i for i, t in enumerate(tokens) if any(lex.takes(t.word) for lex in lexicons)]


class Matcher:
    """Lexicons compiled into one index from a dictionary form to the tries it begins.

    A key a lazy lexicon (:meth:`Lexicon.lazy`) may begin stands in the index as :data:`_LAZY`
    until a word asks for it: then that lexicon compiles its node and the key's entry is made,
    in the lexicons' order, and kept. Every other key is looked up as it always was, in C."""

    def __init__(self, lexicons: Iterable[Lexicon]) -> None:
        self.id = next(_ids)
        self.lexicons: dict[str, Lexicon] = {}
        index: dict[str, list[tuple[Lexicon, dict]]] = {}
        for lex in lexicons:
            if lex.name in self.lexicons:
                if self.lexicons[lex.name] is lex:
                    continue
                raise ValueError(f"two lexicons are named {lex.name!r}")
            self.lexicons[lex.name] = lex
            for key, node in lex.trie.items() if lex.source is None else ():
                index.setdefault(key, []).append((lex, node))
        self._eager = {k: tuple(v) for k, v in index.items()}
        self._lazy = [lex for lex in self.lexicons.values() if lex.source is not None]
        self._tests = [(lex.name, lex.test) for lex in self.lexicons.values() if lex.test is not None]
        self._order = {name: i for i, name in enumerate(self.lexicons)}
        self.index: dict[str, Any] = dict(self._eager)
        for lex in self._lazy:
            self.index.update(dict.fromkeys(lex.source.heads(), _LAZY))  # type: ignore[union-attr]

    def _resolved(self, key: str) -> tuple[tuple[Lexicon, dict], ...]:
        """The index entry of a key a lazy lexicon may begin, made on its first lookup."""
        found = [*self._eager.get(key, ())]
        found += [(lex, node) for lex in self._lazy if (node := lex.node(key)) is not None]
        found.sort(key=lambda ln: self._order[ln[0].name])
        entry = self.index[key] = tuple(found)
        return entry

    def word_hits(self, w: Word) -> WordHits:
        """The single-word hits and phrase starts of a word (cached on it for this matcher)."""
        if w.matcher == self.id:
            return w.hits
        single: dict[str, list[Hit]] = {}
        starts = []
        index = self.index
        for r in w.readings:
            found = index.get(r.key, ())
            for lex, node in self._resolved(r.key) if found is _LAZY else found:
                if r.kind & ~lex.accept:
                    continue
                ended = node.get(_END)
                if ended:
                    taken = [Hit(e, r) for e in ended if not r.kind & ~e.accept]
                    if taken:
                        single.setdefault(lex.name, []).extend(taken)
                if len(node) > (1 if ended else 0):
                    starts.append((lex, node, r))
        for r in w.short:  # a two-letter stem only begins a phrase, for a lexicon that takes it
            found = index.get(r.key, ())
            for lex, node in self._resolved(r.key) if found is _LAZY else found:
                if not r.kind & ~lex.accept and len(node) > (1 if _END in node else 0):
                    starts.append((lex, node, r))
        for name, test in self._tests:
            if test(w):
                single[name] = [Hit(Entry(name, w.norm, None, WHOLE), w.readings[0])]
        hits = (
            WordHits({k: tuple(v) for k, v in single.items()}, tuple(starts)) if single or starts else _NONE
        )
        w.hits, w.matcher = hits, self.id
        return hits

    def __call__(self, text: str, tokens: list[Token]) -> Matches:
        """Match every lexicon over a document's tokens: each word's hits (cached on it), then
        the phrases from the words that may begin one (a fifth of them)."""
        word_hits, my_id = self.word_hits, self.id
        hits = [w.hits if (w := tok.word).matcher == my_id else word_hits(w) for tok in tokens]
        phrases: dict[int, list[Match]] = {}
        n = len(tokens)
        for i in where([h.starts for h in hits]):
            h = hits[i]
            if (follow := h.follow) is not None and (i + 1 == n or tokens[i + 1].norm not in follow):
                continue
            found = self._phrases(text, tokens, i, h.starts)
            if found:
                phrases[i] = sorted(found, key=lambda m: -m.end)
        return Matches(tokens, hits, phrases)

    def _phrases(self, text: str, tokens: list[Token], i: int, starts: tuple) -> list[Match]:
        """The phrases that begin at token ``i``: each start's trie followed over the next tokens
        (their ``norm``, or every reading the lexicon takes), as far as the gaps allow."""
        out = []
        n = len(tokens)
        for lex, first, reading in starts:
            stack = [(first, i + 1)]
            while stack:
                node, j = stack.pop()
                if j >= n or len(node) <= (1 if _END in node else 0):
                    continue
                if lex.rest == "norm":
                    nxt = node.get(tokens[j].norm)
                    nodes = (nxt,) if nxt is not None else ()
                else:
                    nodes = tuple(
                        node[r.key]
                        for r in tokens[j].word.readings
                        if not r.kind & ~lex.accept and r.key in node
                    )
                # the gap is read only when the next word goes on in the trie (one step in 20)
                if not nodes or (
                    lex.gap == "join"
                    and JOIN_GAP_RE.fullmatch(text, tokens[j - 1].end, tokens[j].start) is None
                ):
                    continue
                for nxt in nodes:
                    out.extend(
                        Match(lex.name, e, i, j + 1, reading)
                        for e in nxt.get(_END, ())
                        if not reading.kind & ~e.accept
                    )
                    stack.append((nxt, j + 1))
        return out


class MatchStage:
    """The ``match`` component: compiles the lexicons of the pipeline's components (set by
    :meth:`Pipeline.from_names` through :meth:`compile`) and writes ``doc.matches``."""

    def __init__(self) -> None:
        self.matcher = Matcher(())

    def compile(self, lexicons: Iterable[Lexicon]) -> None:
        self.matcher = Matcher(lexicons)

    def __call__(self, doc: Document) -> Document:
        doc.matches = self.matcher(doc.clean, doc.tokens)
        return doc


@component(
    "match",
    requires=["tokens"],
    assigns=["matches"],
    note="(compiles the lexicons of the stages after it)",
)
def make_match() -> MatchStage:
    return MatchStage()
