"""spaCy-style pipeline: small named components, each a callable ``Document -> Document``.

A component is registered once with :func:`component`; a new stage is added by writing one
module that registers itself and naming it in :data:`DEFAULT_PIPELINE`. Rejected documents
(quarantined or duplicates) pass through untouched so that nothing is lost.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Protocol

from marsad.document import Document


class Component(Protocol):
    name: str

    def __call__(self, doc: Document) -> Document: ...


_REGISTRY: dict[str, Callable[..., Component]] = {}

# name -> module that registers it; imported lazily so `marsad inspect` stays quick to start.
_MODULES = {
    "clean": "marsad.ingest.clean",
    "language": "marsad.ingest.language",
    "dedup": "marsad.ingest.dedup",
    "fingerprint": "marsad.ingest.dedup",
    "tokens": "marsad.text.tokens",
    "sentences": "marsad.text.sentences",
    "temporal": "marsad.text.temporal",
    "numbers": "marsad.text.numbers",
    "places": "marsad.entities.geocode",
    "actors": "marsad.entities.actors",
    "ner": "marsad.entities.ner",
    "events": "marsad.events.extract",
}

DEFAULT_PIPELINE = [
    "clean",
    "language",
    "dedup",
    "tokens",
    "sentences",
    "temporal",
    "numbers",
    "places",
    "actors",
    "events",
]


def component(name: str) -> Callable[[Callable[..., Component]], Callable[..., Component]]:
    """Register a component factory under ``name``."""

    def deco(factory: Callable[..., Component]) -> Callable[..., Component]:
        _REGISTRY[name] = factory
        return factory

    return deco


def make(name: str, **config: object) -> Component:
    if name not in _REGISTRY:
        module = _MODULES.get(name)
        if module is None:
            raise KeyError(f"unknown pipeline component {name!r}")
        importlib.import_module(module)
    comp = _REGISTRY[name](**config)
    comp.name = name
    return comp


def available(names: Iterable[str]) -> list[str]:
    """The names whose module exists; lets a partial checkout still run end to end."""
    out = []
    for name in names:
        try:
            importlib.import_module(_MODULES[name])
        except ModuleNotFoundError as exc:
            if exc.name and exc.name.startswith("marsad."):
                continue
            raise
        out.append(name)
    return out


class Pipeline:
    """An ordered list of components, with per-stage timings for the benchmarks."""

    def __init__(self, components: list[Component]) -> None:
        self.components = components
        self.timings: dict[str, float] = {c.name: 0.0 for c in components}

    @classmethod
    def from_names(
        cls, names: Iterable[str] | None = None, config: dict[str, dict] | None = None
    ) -> Pipeline:
        config = config or {}
        names = available(DEFAULT_PIPELINE if names is None else names)
        return cls([make(n, **config.get(n, {})) for n in names])

    def __call__(self, doc: Document) -> Document:
        for comp in self.components:
            if doc.rejected:
                break
            t0 = time.perf_counter()
            doc = comp(doc)
            self.timings[comp.name] += time.perf_counter() - t0
        return doc

    def pipe(self, docs: Iterable[Document]) -> Iterator[Document]:
        for doc in docs:
            yield self(doc)

    def get(self, name: str) -> Component:
        for c in self.components:
            if c.name == name:
                return c
        raise KeyError(name)
