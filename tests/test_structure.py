"""The import structure: no circle, and no module importing a later stage than its own.

Every ``import``/``from ... import`` of a ``marsad`` module counts, at the top of a file or
inside a function, because a lazy import is still a dependency. The layers, earliest first, are
the pipeline's reading order; a module may import its own layer and the layers before it.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "marsad"

# Earliest first. A module belongs to the longest prefix that names it.
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    # The Document, the event record, the pipeline and its contracts, validated data files and
    # the letters every stage folds alike: what all stages share.
    (
        "core",
        (
            "marsad",
            "marsad.document",
            "marsad.event",
            "marsad.pipeline",
            "marsad.datafile",
            "marsad.extras",
            "marsad.rules",
            "marsad.text.normalize",
        ),
    ),
    ("ingest", ("marsad.ingest",)),
    ("text", ("marsad.text",)),
    ("entities", ("marsad.entities",)),
    ("events", ("marsad.events",)),
    ("merge", ("marsad.merge",)),
    ("store", ("marsad.store",)),
    (
        "app",
        (
            "marsad.admission",
            "marsad.runner",
            "marsad.parallel",
            "marsad.prebuilt",
            "marsad.evaluate",
            "marsad.telemetry",
            "marsad.evaluate_places",
            "marsad.event_training",
            "marsad.inspect",
            "marsad.api",
            "marsad.web",
            "marsad.cli",
            "marsad.__main__",
        ),
    ),
]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def layer_of(module: str) -> int:
    best, rank = -1, -1
    for i, (_name, prefixes) in enumerate(LAYERS):
        for p in prefixes:
            if (module == p or module.startswith(p + ".")) and len(p) > best:
                best, rank = len(p), i
    assert rank >= 0, f"{module} belongs to no layer: add it to LAYERS"
    return rank


def imports() -> dict[str, set[str]]:
    """module -> the marsad modules it imports (a package import counts as its __init__)."""
    modules = {module_name(p): p for p in ROOT.rglob("*.py")}
    out: dict[str, set[str]] = {}
    for mod, path in modules.items():
        package = mod if path.name == "__init__.py" else mod.rpartition(".")[0]
        deps: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + [base])
                    base = base.rstrip(".")
                names = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names]
            else:
                continue
            for name in names:
                while name and name not in modules:
                    name = name.rpartition(".")[0]
                if name.startswith("marsad") and name != mod:
                    deps.add(name)
        out[mod] = deps
    return out


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def upward(graph: dict[str, set[str]]) -> list[str]:
    return sorted(
        f"{mod} ({LAYERS[layer_of(mod)][0]}) imports {dep} ({LAYERS[layer_of(dep)][0]})"
        for mod, deps in graph.items()
        for dep in deps
        if layer_of(dep) > layer_of(mod) and dep != "marsad"
    )


def test_no_import_circles() -> None:
    assert cycles(imports()) == []


def test_no_import_runs_back_up() -> None:
    assert upward(imports()) == []


if __name__ == "__main__":  # python tests/test_structure.py: print the structure's faults
    graph = imports()
    for c in cycles(graph):
        print("circle:", " <-> ".join(c))
    for line in upward(graph):
        print("upward:", line)
    print(f"{len(graph)} modules, {sum(map(len, graph.values()))} imports checked")
