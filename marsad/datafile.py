"""Validated data files: lexicons, word lists and policy are checked against a model on load.

A typo in a YAML file ("rnak: 80", a sub-event type ACLED does not have, a list written as a
string) stops the program with the file, the line, the entry and the field, instead of a bare
``KeyError`` deep inside a stage or, worse, a word list that silently matches nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError

T = TypeVar("T")


class Strict(BaseModel):
    """A data-file section: unknown keys are errors (a misspelt field never passes unnoticed)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """YAML without implicit timestamps: dates stay text for the model to parse and report; a key
    given twice in one mapping is an error (YAML keeps the last, so the first, a word list or a
    rule, would silently do nothing).

    libyaml's parser when PyYAML has it (fourteen times faster: every worker process reads
    these files at start)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        first: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else id(key_node)
            if key in first:
                raise yaml.constructor.ConstructorError(
                    None, None, f"key {key!r} given twice (first on line {first[key]})", key_node.start_mark
                )
            first[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep)


_Loader.yaml_implicit_resolvers = {
    first: [r for r in resolvers if r[0] != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class DataFileError(ValueError):
    """A data file that does not match its model; the message names the file, line and field."""


def _line(node: yaml.Node | None, loc: tuple[Any, ...]) -> tuple[int | None, str | None]:
    """The 1-based line of ``loc`` in the composed YAML, and the entry it is in ("entry 3 (air)")."""
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


def load(path: Path, model: type[T] | Any) -> T:
    """Read ``path`` (YAML) and validate it against ``model`` (a pydantic model or type)."""
    text = path.read_text(encoding="utf-8")
    try:
        raw = yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        raise DataFileError(f"{where}: not valid YAML: {getattr(exc, 'problem', exc)}") from None
    try:
        return TypeAdapter(model).validate_python(raw)
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
