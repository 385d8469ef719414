"""Declare what you import: every third-party import is a declared dependency, and each extra
holds what the code imports through ``require(module, extra)``."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from functools import cache
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Declared for a dependency's sake, never imported by marsad itself.
INDIRECT = {"lxml-html-clean": "trafilatura's justext imports lxml.html.clean, shipped apart since lxml 5.2"}


def _dist(requirement: str) -> str:
    return re.split(r"[\[<>=!~ ;]", requirement, maxsplit=1)[0].lower().replace("_", "-").replace(".", "-")


def declared() -> tuple[set[str], dict[str, set[str]]]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = {name: list(reqs) for name, reqs in project["optional-dependencies"].items()}

    def expand(name: str) -> set[str]:
        out = set()
        for req in extras[name]:
            m = re.fullmatch(r"marsad\[(.+)\]", req)
            out |= set().union(*(expand(e) for e in m.group(1).split(","))) if m else {_dist(req)}
        return out

    return {_dist(r) for r in project["dependencies"]}, {name: expand(name) for name in extras}


def imports() -> tuple[dict[str, set[str]], list[tuple[str, str, str]]]:
    """(top-level module -> files importing it plainly, [(module, extra, file)] of require calls)."""
    plain: dict[str, set[str]] = {}
    required = []
    for path in (ROOT / "marsad").rglob("*.py"):
        rel = str(path.relative_to(ROOT))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            elif isinstance(node, ast.Call) and getattr(node.func, "id", None) == "require":
                module, extra = (a.value for a in node.args)
                required.append((module, extra, rel))
                continue
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top not in sys.stdlib_module_names and top not in ("marsad", "__future__"):
                    plain.setdefault(top, set()).add(rel)
    return plain, required


@cache
def _installed() -> dict[str, list[str]]:
    return packages_distributions()


def _dists(module: str) -> set[str]:
    found = _installed().get(module.split(".")[0])
    assert found, f"{module} is imported but not installed"
    return {_dist(d) for d in found}


def test_plain_imports_are_core_dependencies() -> None:
    core, _extras = declared()
    plain, _ = imports()
    for module, files in plain.items():
        assert _dists(module) & core, (
            f"{module} (in {sorted(files)}) is not a core dependency in pyproject.toml"
        )


def test_optional_imports_name_the_extra_that_brings_them() -> None:
    _core, extras = declared()
    _, required = imports()
    assert {extra for _, extra, _ in required} <= set(extras)
    for module, extra, file in required:
        assert _dists(module) & extras[extra], f"{file}: {module} is not in the extra [{extra}]"


def test_every_declared_dependency_is_used() -> None:
    core, extras = declared()
    plain, required = imports()
    used = set().union(*(_dists(m) for m in plain), *(_dists(m) for m, _, _ in required))
    unused = core - used - set(INDIRECT)
    assert not unused, f"declared in pyproject.toml, never imported: {sorted(unused)}"
    for name in ("pg", "dask", "parquet", "train"):
        assert extras[name] & used, f"extra [{name}] brings nothing the code imports"
