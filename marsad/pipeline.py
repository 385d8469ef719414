"""spaCy-style pipeline: small named components, each a callable ``Document -> Document``.

A component is registered once with :func:`component`, which also records its contract: what
it ``requires`` from the stages before it (span labels, ``tokens``, ``matches``, ``meta.*``
keys) and what it ``assigns`` (span labels with their typed attributes, document fields).
Building a pipeline checks the contracts in order and fails with a numbered error that says
which stage to add, instead of running a stage on a document that lacks what it reads.
Rejected documents (quarantined or duplicates) pass through untouched so that nothing is lost.
"""

from __future__ import annotations

import gc
import importlib
import time
import types
import typing
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol

from marsad.document import Document


class Component(Protocol):
    name: str

    def __call__(self, doc: Document) -> Document: ...


@dataclass(frozen=True)
class Label:
    """A span label a component adds, with each attribute's type and meaning.

    ``attrs`` maps a name to ``(type, note)``; every span of the label carries all of them.
    ``optional`` attributes appear only on some spans (a capital's ``role``)."""

    name: str
    note: str = ""
    attrs: dict[str, tuple[Any, str]] = field(default_factory=dict)
    optional: dict[str, tuple[Any, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Contract:
    """What a component reads from earlier stages and what it leaves on the document.

    Names in ``requires`` and ``assigns`` are span labels, ``tokens``, ``matches``, ``events``,
    ``clean`` (the cleaned text) or ``meta.KEY``; assigned span labels are :class:`Label`."""

    requires: tuple[str, ...] = ()
    assigns: tuple[Label | str, ...] = ()
    note: str = ""

    def assigned(self) -> list[str]:
        return [a.name if isinstance(a, Label) else a for a in self.assigns]

    def labels(self) -> dict[str, Label]:
        return {a.name: a for a in self.assigns if isinstance(a, Label)}


class PipelineError(ValueError):
    """A pipeline that cannot be built or a component that broke its contract; ``code`` is E00n."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"[{code}] {message}")
        self.code = code


_REGISTRY: dict[str, Callable[..., Component]] = {}
CONTRACTS: dict[str, Contract] = {}

# name -> module that registers it; imported lazily so `marsad inspect` stays quick to start.
_MODULES = {
    "clean": "marsad.ingest.clean",
    "language": "marsad.ingest.language",
    "dedup": "marsad.ingest.dedup",
    "fingerprint": "marsad.ingest.dedup",
    "tokens": "marsad.text.tokens",
    "match": "marsad.text.match",
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
    "match",
    "sentences",
    "temporal",
    "numbers",
    "places",
    "actors",
    "events",
]


def component(
    name: str,
    requires: Iterable[str] = (),
    assigns: Iterable[Label | str] = (),
    note: str = "",
) -> Callable[[Callable[..., Component]], Callable[..., Component]]:
    """Register a component factory under ``name`` with its contract."""

    def deco(factory: Callable[..., Component]) -> Callable[..., Component]:
        _REGISTRY[name] = factory
        CONTRACTS[name] = Contract(tuple(requires), tuple(assigns), note)
        return factory

    return deco


def _load(name: str) -> None:
    """Import the module that registers ``name``; E001/E002 when there is none or it fails."""
    if name in _REGISTRY:
        return
    module = _MODULES.get(name)
    if module is None:
        known = ", ".join(sorted(_MODULES))
        raise PipelineError("E001", f"unknown pipeline component {name!r}; the components are: {known}")
    try:
        importlib.import_module(module)
    except ImportError as exc:
        raise PipelineError(
            "E002",
            f"component {name!r} lives in {module}, which cannot be imported ({exc}); "
            "install the extra it needs (see README, 'Install') or leave the component out",
        ) from exc


def make(name: str, **config: object) -> Component:
    _load(name)
    comp = _REGISTRY[name](**config)
    comp.name = name
    return comp


def contract(name: str) -> Contract:
    _load(name)
    return CONTRACTS[name]


def providers(fact: str) -> list[str]:
    """The components that assign ``fact``, in default-pipeline order, then the rest."""
    order = DEFAULT_PIPELINE + [n for n in _MODULES if n not in DEFAULT_PIPELINE]
    out = []
    for n in order:
        try:
            if fact in contract(n).assigned():
                out.append(n)
        except PipelineError:
            continue  # a component whose extra is missing cannot be suggested
    return out


def check(names: list[str], given: Iterable[str] = ()) -> None:
    """Raise E003 when a component requires what no earlier one (nor ``given``) assigns."""
    have = set(given)
    for i, name in enumerate(names):
        c = contract(name)
        for need in c.requires:
            if need in have:
                continue
            by = providers(need)
            add = (
                f"add {' or '.join(repr(p) for p in by)} before {name!r}" if by else "no component assigns it"
            )
            raise PipelineError(
                "E003",
                f"component {name!r} (stage {i + 1} of {', '.join(names)}) requires {need!r}, "
                f"which no stage before it assigns: {add}",
            )
        have.update(c.assigned())


def _type_ok(value: Any, typ: Any) -> bool:
    if typ is Any:
        return True
    origin = typing.get_origin(typ)
    if origin in (typing.Union, types.UnionType):
        return any(_type_ok(value, t) for t in typing.get_args(typ))
    if typ is None or typ is type(None):
        return value is None
    if typ is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    return isinstance(value, origin or typ)


def validate(name: str, doc: Document, first_new: int) -> None:
    """E004/E005: the spans a component added carry a declared label and the declared attributes."""
    labels = contract(name).labels()
    for span in doc.spans[first_new:]:
        label = labels.get(span.label)
        if label is None:
            raise PipelineError(
                "E004",
                f"component {name!r} added a {span.label!r} span, which its contract does not assign: "
                f"declare it in the component's @component(assigns=...)",
            )
        for attr, (typ, _note) in label.attrs.items():
            if attr not in span.attrs or not _type_ok(span.attrs[attr], typ):
                got = repr(span.attrs.get(attr, "<missing>"))
                raise PipelineError(
                    "E005",
                    f"component {name!r} gave a {span.label!r} span {attr}={got}, declared as {typ}: "
                    "fix the component or its contract",
                )
        for attr, value in span.attrs.items():
            declared = label.attrs.get(attr) or label.optional.get(attr)
            if declared is None or not _type_ok(value, declared[0]):
                raise PipelineError(
                    "E005",
                    f"component {name!r} gave a {span.label!r} span the attribute {attr}={value!r}, "
                    "which its contract does not declare (or not with that type)",
                )


@contextmanager
def gc_paused() -> Iterator[None]:
    """The cyclic garbage collector off while a pipeline is built.

    The build makes hundreds of thousands of long-lived objects (gazetteer, lexicon tries, the
    matcher's index): each allocation burst triggers collections, and the full ones walk
    everything built so far again, which was about half of the build's time. The build leaves
    no cyclic garbage, so nothing waits for a collection (``runner.long_lived`` then freezes it)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class Pipeline:
    """An ordered list of components, with per-stage timings for the benchmarks.

    With ``validate=True`` every span a component adds is checked against its contract (tests
    and ``marsad inspect --check`` use it; a run does not pay for it)."""

    def __init__(self, components: list[Component], validate: bool = False) -> None:
        self.components = components
        self.timings: dict[str, float] = {c.name: 0.0 for c in components}
        self.validate = validate

    @classmethod
    def from_names(
        cls,
        names: Iterable[str] | None = None,
        config: dict[str, dict] | None = None,
        given: Iterable[str] = (),
        validate: bool = False,
    ) -> Pipeline:
        """Build and check a pipeline; ``given`` names what earlier pipelines already assigned."""
        config = config or {}
        names = list(DEFAULT_PIPELINE if names is None else names)
        with gc_paused():
            for name in names:
                _load(name)
            check(names, given)
            components = [make(n, **config.get(n, {})) for n in names]
            # A stage may serve the others' word lists: the match stage compiles every lexicon
            # the pipeline's components declare into its one index.
            lexicons = [lx for c in components for lx in getattr(c, "lexicons", ())]
            for c in components:
                if hasattr(c, "compile"):
                    c.compile(lexicons)
        return cls(components, validate)

    def __call__(self, doc: Document) -> Document:
        for comp in self.components:
            if doc.rejected:
                break
            t0 = time.perf_counter()
            n = len(doc.spans)
            doc = comp(doc)
            self.timings[comp.name] += time.perf_counter() - t0
            if self.validate:
                validate(comp.name, doc, n)
        return doc

    def pipe(self, docs: Iterable[Document]) -> Iterator[Document]:
        for doc in docs:
            yield self(doc)

    def get(self, name: str) -> Component:
        for c in self.components:
            if c.name == name:
                return c
        raise KeyError(name)


def assigned_by(names: Iterable[str]) -> set[str]:
    """Everything the named components assign, for a pipeline that continues them (``given``)."""
    return {fact for n in names for fact in contract(n).assigned()}


def _type_name(typ: Any) -> str:
    if typing.get_origin(typ) in (typing.Union, types.UnionType):
        return " \\| ".join(_type_name(t) for t in typing.get_args(typ))
    if typ is type(None):
        return "None"
    return getattr(typ, "__name__", str(typ))


def contracts_markdown() -> str:
    """The contracts of every component as Markdown tables, for docs/architecture.md."""
    names = DEFAULT_PIPELINE + [n for n in _MODULES if n not in DEFAULT_PIPELINE]
    rows = ["| stage | module | requires | assigns |", "|---|---|---|---|"]
    labels: dict[str, tuple[list[str], Label]] = {}
    for n in names:
        c = contract(n)
        req = ", ".join(f"`{r}`" for r in c.requires) or "-"
        assigns = ", ".join(f"`{a}`" for a in c.assigned()) or "-"
        rows.append(f"| `{n}` | `{_MODULES[n]}` | {req} | {assigns}{' ' + c.note if c.note else ''} |")
        for lab in c.labels().values():
            labels.setdefault(lab.name, ([], lab))[0].append(n)  # the first stage's attrs describe it
    rows += ["", "| label | added by | attrs |", "|---|---|---|"]
    for name, (stages, lab) in labels.items():
        attrs = [
            f"`{a}` ({_type_name(t)}{': ' + note if note else ''})" for a, (t, note) in lab.attrs.items()
        ]
        attrs += [
            f"`{a}` ({_type_name(t)}, optional{': ' + note if note else ''})"
            for a, (t, note) in lab.optional.items()
        ]
        text = "; ".join(x for x in (lab.note, ", ".join(attrs)) if x) or "-"
        rows.append(f"| `{name}` | {', '.join(f'`{n}`' for n in stages)} | {text} |")
    return "\n".join(rows) + "\n"


BEGIN, END = "<!-- contracts:begin -->\n", "<!-- contracts:end -->"


def write_contracts(path: str) -> None:
    """Replace the generated tables between the markers of a Markdown file."""
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    head, _, rest = text.partition(BEGIN)
    _, _, tail = rest.partition(END)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(head + BEGIN + contracts_markdown() + END + tail)


if __name__ == "__main__":  # python -m marsad.pipeline [docs/architecture.md]: print or rewrite
    import sys

    from marsad import pipeline  # the registry the components fill, not this __main__ copy

    if len(sys.argv) > 1:
        pipeline.write_contracts(sys.argv[1])
    else:
        print(pipeline.contracts_markdown(), end="")
