"""Validated data files: lexicons, word lists and policy are checked against a model on load.

A typo in a YAML file ("rnak: 80", a sub-event type ACLED does not have, a list written as a
string) stops the program with the file, the line, the entry and the field, instead of a bare
``KeyError`` deep inside a stage or, worse, a word list that silently matches nothing.

A file is parsed and validated once for its bytes and its model: what validation made is kept
in the cache directory (:mod:`marsad.cache`) and read back by the next process, which then
neither parses YAML nor imports pydantic (a tenth of a second at every start). A model is a
frozen dataclass (:class:`Strict`) that pydantic validates only on a miss. The key covers the
file's bytes, the fields of every model it is validated against (their types, defaults and
aliases, with the values of their ``Literal`` types), the source of the modules that define
those models and their validators, and pydantic's version; a file that fails validation is
never cached.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import pickle
import sys
import typing
from functools import cache
from pathlib import Path
from types import CodeType
from typing import Any, TypeVar

from marsad import cache as disk_cache

T = TypeVar("T")
CACHE_VERSION = 2


class _Aliases(dict[str, str]):
    """A model's field -> the key its file uses ("klass" -> "class"); pydantic's alias generator.
    A dict, so that its ``repr`` (part of the cache key) is its content."""

    def __call__(self, name: str) -> str:
        return self.get(name, name)


@typing.dataclass_transform(kw_only_default=True, frozen_default=True)
class Strict:
    """A data-file section: a frozen record whose unknown keys are errors (a misspelt field never
    passes unnoticed); ``extra="allow"`` keeps them as attributes instead, ``aliases`` names the
    file's keys that are no Python names. Its checks are its ``__post_init__``.

    A subclass is a dataclass for pydantic, which validates it (``TypeAdapter``) only when a
    file is not in the cache: its configuration is the plain dict pydantic reads from
    ``__pydantic_config__``, so defining a model imports nothing. Only the fields are worked out
    on definition; ``__init__``, equality and the rest are this class's, not code generated for
    each model (22 ms against 4 for the 28 models). An empty list or dict
    default is a new one for each instance, as pydantic made it."""

    __pydantic_config__: typing.ClassVar[dict[str, Any]]

    def __init_subclass__(cls, extra: str = "forbid", aliases: dict[str, str] | None = None) -> None:
        super().__init_subclass__()
        for name in cls.__annotations__:
            default = cls.__dict__.get(name)
            if isinstance(default, list | dict) and not default:
                setattr(cls, name, dataclasses.field(default_factory=type(default)))
        cls.__pydantic_config__ = {
            "extra": extra,
            "populate_by_name": True,
            "alias_generator": _Aliases(aliases or {}),
        }
        dataclasses.dataclass(init=False, repr=False, eq=False)(cls)

    def __init__(self, **values: Any) -> None:
        """A record made in code (pydantic makes its own without this): the fields by name,
        the defaults for the rest, then the checks."""
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            if f.name in values:
                value = values.pop(f.name)
            elif f.default is not dataclasses.MISSING:
                value = f.default
            elif f.default_factory is not dataclasses.MISSING:
                value = f.default_factory()
            else:
                raise TypeError(f"{type(self).__name__} needs {f.name}")
            object.__setattr__(self, f.name, value)
        if values:
            raise TypeError(f"{type(self).__name__} has no field {sorted(values)}")
        if post_init := getattr(self, "__post_init__", None):
            post_init()

    def __setattr__(self, name: str, value: Any) -> None:
        raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise dataclasses.FrozenInstanceError(f"cannot delete field {name!r}")

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and vars(self) == vars(other)

    __hash__ = None  # type: ignore[assignment]  # equal by value, and its lists are mutable

    def __repr__(self) -> str:
        return f"{type(self).__qualname__}({', '.join(f'{k}={v!r}' for k, v in vars(self).items())})"

    def extras(self) -> dict[str, Any]:
        """The keys a model with ``extra="allow"`` kept beside its fields."""
        names = {f.name for f in dataclasses.fields(self)}  # type: ignore[arg-type]
        return {k: v for k, v in vars(self).items() if k not in names}


def plain(value: Any) -> Any:
    """``value`` with every model as the dict of its fields and extras (what a pydantic model's
    ``model_dump()`` made): the lists, dicts and tuples around them rebuilt, the rest as is."""
    if isinstance(value, Strict):
        return {k: plain(v) for k, v in vars(value).items()}
    if isinstance(value, list | tuple):
        return type(value)(plain(v) for v in value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


@cache
def _loader() -> type:
    """YAML without implicit timestamps: dates stay text for the model to parse and report; a key
    given twice in one mapping is an error (YAML keeps the last, so the first, a word list or a
    rule, would silently do nothing).

    libyaml's parser when PyYAML has it (fourteen times faster). Made on first need: a process
    that reads every file from the cache never imports yaml."""
    import yaml

    class Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
        def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
            first: dict[Any, int] = {}
            for key_node, _ in node.value:
                key = key_node.value if isinstance(key_node, yaml.ScalarNode) else id(key_node)
                if key in first:
                    raise yaml.constructor.ConstructorError(
                        None,
                        None,
                        f"key {key!r} given twice (first on line {first[key]})",
                        key_node.start_mark,
                    )
                first[key] = key_node.start_mark.line + 1
            return super().construct_mapping(node, deep)

    Loader.yaml_implicit_resolvers = {
        first: [r for r in resolvers if r[0] != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    return Loader


class DataFileError(ValueError):
    """A data file that does not match its model; the message names the file, line and field."""


def _line(node: Any, loc: tuple[Any, ...]) -> tuple[int | None, str | None]:
    """The 1-based line of ``loc`` in the composed YAML, and the entry it is in ("entry 3 (air)")."""
    import yaml

    entry = None
    line = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        if isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
            entry = f"entry {part}"
            if isinstance(node, yaml.MappingNode):
                named = {k.value: v.value for k, v in node.value if isinstance(v, yaml.ScalarNode)}
                name = named.get("id") or named.get("canonical") or named.get("name")
                entry += f" ({name})" if name else ""
        elif isinstance(node, yaml.MappingNode):
            match = next(((k, v) for k, v in node.value if str(k.value) == str(part)), None)
            if match is None:
                break
            node = match[1]
        else:
            break
        line = node.start_mark.line + 1
    return line, entry


@typing.overload
def load(path: Path, model: type[T] | Any) -> T: ...
@typing.overload
def load(path: Path, model: type[T] | Any, *, dump: typing.Literal[True]) -> Any: ...


def load(path: Path, model: type[T] | Any, *, dump: bool = False) -> T | Any:
    """Read ``path`` (YAML) validated against ``model`` (a :class:`Strict` model or a type of
    them, ``list[TriggerEntry]``): from the cache when these bytes were validated against this
    model before.

    ``dump``: plain dicts and lists instead of the models (:func:`plain`)."""
    fields, sources = _schema(model)
    key = disk_cache.digest(f"{CACHE_VERSION}|{dump}|{fields}", [path, Path(__file__), *sources, _pydantic()])
    return disk_cache.cached(
        f"data-{path.stem}",
        key,
        lambda: _validated(path, model, dump),
        encode=pickle.dumps,
        decode=_unpickled,
    )


@cache
def _pydantic() -> Path:
    """pydantic's version file, found without importing pydantic (its version is in the key)."""
    spec = importlib.util.find_spec("pydantic")
    if spec is None or spec.origin is None:
        raise ImportError("pydantic is not installed")
    return Path(spec.origin).with_name("version.py")


def _schema(model: Any) -> tuple[str, list[Path]]:
    """What validating against ``model`` depends on: the fields of every model it reaches, as
    text, and the source files of those models (their validators)."""
    models: dict[type[Strict], list[tuple[str, Any, tuple]]] = {}

    def walk(tp: Any) -> None:
        if isinstance(tp, type) and issubclass(tp, Strict):
            if tp in models:
                return
            hints = _hints(tp)
            models[tp] = [(f.name, hints[f.name], _default(f)) for f in dataclasses.fields(tp)]
            for hint in hints.values():
                walk(hint)
        for arg in typing.get_args(tp):
            walk(arg)

    walk(model)
    fields = repr([(m.__module__, m.__qualname__, f, m.__pydantic_config__) for m, f in models.items()])
    sources = dict.fromkeys(Path(typing.cast(str, sys.modules[m.__module__].__file__)) for m in models)
    return f"{model!r}|{fields}", list(sources)


def _hints(model: type) -> dict[str, Any]:
    """The fields' types, evaluated in the model's module as ``typing.get_type_hints`` does, but
    each distinct annotation compiled once a process (it compiled every one of the 300 fields of
    a start's models each time: 8 ms)."""
    namespace = vars(sys.modules[model.__module__])
    return {
        f.name: eval(_compiled(f.type), namespace) if isinstance(f.type, str) else f.type  # noqa: S307 - our models' annotations
        for f in dataclasses.fields(model)
    }


@cache
def _compiled(annotation: str) -> CodeType:
    return compile(annotation, "<annotation>", "eval")


def _default(f: dataclasses.Field) -> tuple:
    """A field's default as the key shows it (``MISSING``'s repr would be an address)."""
    if f.default is not dataclasses.MISSING:
        return ("default", f.default)
    if f.default_factory is not dataclasses.MISSING:
        return ("default", f.default_factory())
    return ("required",)


def _unpickled(payload: object) -> Any:
    """The cached value; a payload that does not unpickle is built again, like a damaged file."""
    try:
        return pickle.loads(payload)  # type: ignore[arg-type]  # noqa: S301 - our own cache file
    except (pickle.UnpicklingError, AttributeError, ImportError) as err:
        raise ValueError(f"not a cached value ({err})") from err


def _validated(path: Path, model: Any, dump: bool) -> Any:
    """Parse and validate ``path``; a DataFileError names the file, line and field."""
    import yaml
    from pydantic import TypeAdapter, ValidationError

    text = path.read_text(encoding="utf-8")
    try:
        raw = yaml.load(text, Loader=_loader())  # noqa: S506 - a SafeLoader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        raise DataFileError(f"{where}: not valid YAML: {getattr(exc, 'problem', exc)}") from None
    try:
        value = TypeAdapter(model).validate_python(raw)
    except ValidationError as exc:
        root = yaml.compose(text)
        lines = []
        for err in exc.errors():
            loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
            line, entry = _line(root, loc)
            field = ".".join(str(p) for p in loc) or "(the whole file)"
            where = f"{path}:{line}" if line else str(path)
            got = f" (got {err['input']!r})" if not isinstance(err.get("input"), dict | list) else ""
            msg = _SAID.get(err["type"], err["msg"])
            lines.append(f"{where}: {entry + ', ' if entry else ''}field {field}: {msg}{got}")
        raise DataFileError("\n".join(lines)) from None
    return plain(value) if dump else value


# A dataclass's unknown key in the words pydantic gives a model's (what the messages always said)
_SAID = {"unexpected_keyword_argument": "Extra inputs are not permitted"}
