"""Validated data files: lexicons, word lists and policy are checked against a model on load.

A typo in a YAML file ("rnak: 80", a sub-event type ACLED does not have, a list written as a
string) stops the program with the file, the line, the entry and the field, instead of a bare
``KeyError`` deep inside a stage or, worse, a word list that silently matches nothing.

A file is parsed and validated once for its bytes and its model: what validation made is kept
in the cache directory (:mod:`marsad.cache`) and read back by the next process, which then
neither parses YAML nor builds a validator (a tenth of a second at every start). The key covers
the file's bytes, the fields of every model it is validated against (their types, defaults and
aliases, with the values of their ``Literal`` types) and the source of the modules that define
those models and their validators; a file that fails validation is never cached.
"""

from __future__ import annotations

import pickle
import sys
import typing
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

import pydantic
from pydantic import BaseModel, ConfigDict

from marsad import cache as disk_cache

T = TypeVar("T")
CACHE_VERSION = 1


class Strict(BaseModel):
    """A data-file section: unknown keys are errors (a misspelt field never passes unnoticed).

    Its validator is built when a file is first validated against it (``defer_build``): a
    process whose files are all cached never builds one."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, defer_build=True)


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
    """Read ``path`` (YAML) validated against ``model`` (a pydantic model or type): from the
    cache when these bytes were validated against this model before.

    ``dump``: what ``model_dump()`` makes of it (plain dicts and lists), kept so in the cache:
    dumping a cached model would build its serializer, as long as validating it."""
    fields, sources = _schema(model)
    key = disk_cache.digest(
        f"{CACHE_VERSION}|{pydantic.VERSION}|{dump}|{fields}", [path, Path(__file__), *sources]
    )
    return disk_cache.cached(
        f"data-{path.stem}",
        key,
        lambda: _validated(path, model, dump),
        encode=pickle.dumps,
        decode=_unpickled,
    )


def _schema(model: Any) -> tuple[str, list[Path]]:
    """What validating against ``model`` depends on: the fields of every model it reaches, as
    text, and the source files of those models (their validators)."""
    models: dict[type[BaseModel], None] = {}

    def walk(tp: Any) -> None:
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            if tp in models:
                return
            models[tp] = None
            for f in tp.model_fields.values():
                walk(f.annotation)
        for arg in typing.get_args(tp):
            walk(arg)

    walk(model)
    fields = repr([(m.__module__, m.__qualname__, m.model_fields, m.model_config) for m in models])
    sources = dict.fromkeys(Path(typing.cast(str, sys.modules[m.__module__].__file__)) for m in models)
    return f"{model!r}|{fields}", list(sources)


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
    adapter = TypeAdapter(model)
    try:
        value = adapter.validate_python(raw)
    except ValidationError as exc:
        root = yaml.compose(text)
        lines = []
        for err in exc.errors():
            loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
            line, entry = _line(root, loc)
            field = ".".join(str(p) for p in loc) or "(the whole file)"
            where = f"{path}:{line}" if line else str(path)
            got = f" (got {err['input']!r})" if not isinstance(err.get("input"), dict | list) else ""
            lines.append(f"{where}: {entry + ', ' if entry else ''}field {field}: {err['msg']}{got}")
        raise DataFileError("\n".join(lines)) from None
    return adapter.dump_python(value) if dump else value
