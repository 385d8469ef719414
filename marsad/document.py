"""The one object that travels through the pipeline.

A :class:`Document` keeps the original text exactly as read, the cleaned text that every later
stage works on, and an :class:`OffsetMap` from clean offsets back to original offsets. Stages add
:class:`Span` annotations on the clean text; nothing ever rewrites ``Document.text``.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Any

from marsad.event import Event


@dataclass(slots=True)
class Span:
    """A labelled stretch ``clean[start:end]`` with free-form attributes."""

    start: int
    end: int
    label: str
    attrs: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "label": self.label, "attrs": self.attrs}


_COUNTED = 1 << 18  # identity maps of articles up to 256K chars slice one ready array


@cache
def _counting() -> array:
    """0, 1, 2, ...: built on first use, not at import (start-up counts for every process)."""
    return array("l", range(_COUNTED + 1))


class OffsetMap:
    """Where each clean character came from in the original.

    Two parallel int arrays: ``starts[i]`` and ``ends[i]`` are the original range of clean
    character ``i``. A verbatim copy has ``ends[i] == starts[i] + 1``; a replacement (a collapsed
    whitespace run, a decoded entity) points at the whole original range it replaced. Arrays keep
    edits C-speed slices, which matters at hundreds of articles a second.
    """

    __slots__ = ("starts", "ends")

    def __init__(self, starts: array, ends: array) -> None:
        self.starts = starts
        self.ends = ends

    @classmethod
    def identity(cls, n: int) -> OffsetMap:
        if n < _COUNTED:  # slicing a ready array is a memcpy; range() is a loop
            counting = _counting()
            return cls(counting[:n], counting[1 : n + 1])
        return cls(array("l", range(n)), array("l", range(1, n + 1)))

    def __len__(self) -> int:
        return len(self.starts)

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Original ``(start, end)`` of the clean range ``[start, end)``."""
        if end <= start:
            pos = self.starts[start] if start < len(self.starts) else (self.ends[-1] if self.ends else 0)
            return pos, pos
        return self.starts[start], self.ends[end - 1]

    def edit(self, edits: Iterable[tuple[int, int, str]]) -> OffsetMap:
        """Map after replacing each clean range ``[s, e)`` by a string; edits sorted, disjoint."""
        starts, ends = array("l"), array("l")
        pos = 0
        for s, e, repl in edits:
            starts.extend(self.starts[pos:s])
            ends.extend(self.ends[pos:s])
            if repl:
                if e > s:
                    o_start, o_end = self.starts[s], self.ends[e - 1]
                else:  # pure insertion: anchor on the neighbouring character
                    o_start = o_end = (
                        self.starts[s] if s < len(self.starts) else (self.ends[-1] if self.ends else 0)
                    )
                starts.extend([o_start] * len(repl))
                ends.extend([o_end] * len(repl))
            pos = e
        starts.extend(self.starts[pos:])
        ends.extend(self.ends[pos:])
        return OffsetMap(starts, ends)

    def runs(self) -> list[list[int]]:
        """Compact form ``[[clean_start, orig_start, length, orig_end_of_last], ...]`` for JSON.

        A run is a stretch of verbatim characters (``end == start + 1``) with consecutive
        original positions; every replaced character is a run of its own. The characters where a
        run must end (an original that does not follow the one before, a character that is not
        verbatim) are found with numpy, because the store writes this for every article; they are
        a dozen an article, so the runs are put together from them in Python (a third less time
        than numpy for the whole). Imported here, since a process that only reads or serves
        never pays for numpy."""
        import numpy as np

        n = len(self.starts)
        if n == 0:
            return []
        long = np.dtype(f"i{self.starts.itemsize}")  # numpy's view of array("l") items
        starts = np.frombuffer(self.starts, dtype=long, count=n)
        ends = np.frombuffer(self.ends, dtype=long, count=n)
        odd = np.flatnonzero(ends - starts != 1).tolist()  # not verbatim: a run of its own
        cuts = {0, *(np.flatnonzero(starts[1:] != ends[:-1]) + 1).tolist(), *odd, *(i + 1 for i in odd)}
        cuts.discard(n)
        first = sorted(cuts)
        return [
            [f, self.starts[f], nxt - f, self.ends[nxt - 1]]
            for f, nxt in zip(first, [*first[1:], n], strict=True)
        ]

    @classmethod
    def from_runs(cls, runs: list[list[int]]) -> OffsetMap:
        starts, ends = array("l"), array("l")
        for _c, o, length, last_end in runs:
            if length == 1:
                starts.append(o)
                ends.append(last_end)
            else:
                starts.extend(range(o, o + length))
                ends.extend(range(o + 1, o + length + 1))
        return cls(starts, ends)


def apply_edits(text: str, offsets: OffsetMap, edits: list[tuple[int, int, str]]) -> tuple[str, OffsetMap]:
    """Apply sorted, non-overlapping ``(start, end, replacement)`` edits to ``text`` and its map."""
    if not edits:
        return text, offsets
    parts: list[str] = []
    pos = 0
    for s, e, repl in edits:
        parts.append(text[pos:s])
        parts.append(repl)
        pos = e
    parts.append(text[pos:])
    return "".join(parts), offsets.edit(edits)


@dataclass
class Document:
    """An article and everything the pipeline learnt about it."""

    id: str
    text: str
    source: str = ""
    line: int | None = None
    outlet: str | None = None
    url: str | None = None
    title: str | None = None
    published: date | None = None
    clean: str = ""
    offsets: OffsetMap | None = None
    spans: list[Span] = field(default_factory=list)
    # Tokens of the clean text (``marsad.text.tokens.Token``), kept apart from spans for speed.
    tokens: list[Any] = field(default_factory=list)
    # What the lexicons matched over the tokens (``marsad.text.match.Matches``), for the stages.
    matches: Any = None
    events: list[Any] = field(default_factory=list)
    quarantine: str | None = None
    duplicate_of: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.offsets is None:
            self.clean = self.text
            self.offsets = OffsetMap.identity(len(self.text))

    # -- annotations -------------------------------------------------------------------------
    def add(self, start: int, end: int, label: str, **attrs: Any) -> Span:
        span = Span(start, end, label, attrs)
        self.spans.append(span)
        return span

    def spans_of(self, label: str) -> list[Span]:
        return [s for s in self.spans if s.label == label]

    def span_text(self, span: Span) -> str:
        return self.clean[span.start : span.end]

    def original_range(self, start: int, end: int) -> tuple[int, int]:
        assert self.offsets is not None
        return self.offsets.to_original(start, end)

    @property
    def rejected(self) -> bool:
        return self.quarantine is not None or self.duplicate_of is not None

    def reject(self, reason: str) -> Document:
        """Quarantine: keep the document and say why it goes no further."""
        self.quarantine = reason
        return self

    # -- serialisation -----------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        assert self.offsets is not None
        return {
            "id": self.id,
            "source": self.source,
            "line": self.line,
            "outlet": self.outlet,
            "url": self.url,
            "title": self.title,
            "published": self.published.isoformat() if self.published else None,
            "text": self.text,
            "clean": self.clean,
            "offsets": self.offsets.runs(),
            "spans": [
                {**s.to_dict(), "original": list(self.original_range(s.start, s.end))} for s in self.spans
            ],
            "events": [
                {**e.to_dict(), "arguments": e.arguments} if hasattr(e, "to_dict") else e for e in self.events
            ],
            "quarantine": self.quarantine,
            "duplicate_of": self.duplicate_of,
            "meta": {k: (v.hex() if isinstance(v, bytes) else v) for k, v in self.meta.items()},
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Document:
        """The Document that :meth:`to_dict` described (tokens are not kept, so none come back)."""
        meta = dict(d.get("meta") or {})
        if isinstance(meta.get("minhash"), str):
            meta["minhash"] = bytes.fromhex(meta["minhash"])
        return cls(
            id=d["id"],
            text=d["text"],
            source=d.get("source") or "",
            line=d.get("line"),
            outlet=d.get("outlet"),
            url=d.get("url"),
            title=d.get("title"),
            published=date.fromisoformat(d["published"]) if d.get("published") else None,
            clean=d["clean"],
            offsets=OffsetMap.from_runs(d["offsets"]),
            spans=[
                Span(s["start"], s["end"], s["label"], s.get("attrs") or {}) for s in d.get("spans") or []
            ],
            events=[Event.from_dict(e) for e in d.get("events") or []],
            quarantine=d.get("quarantine"),
            duplicate_of=d.get("duplicate_of"),
            meta=meta,
        )
