"""Optional dependencies: the heavy parts (PostgreSQL, Dask, Parquet, NER training) are extras.

``pip install marsad`` gives the main job (run, inspect, export, control, serve, SQLite);
``marsad[pg]``, ``marsad[dask]``, ``marsad[parquet]`` and ``marsad[train]`` add the rest. Code
imports an optional module only through :func:`require`, so a missing extra is one sentence
saying what to install, and ``tests/test_dependencies.py`` can check that every other import is
a declared core dependency.
"""

from __future__ import annotations

import importlib
from types import ModuleType


class MissingExtra(ImportError):
    """An optional dependency is not installed; the message names the extra that brings it."""


def require(module: str, extra: str) -> ModuleType:
    """Import ``module``, or fail saying which ``marsad[extra]`` installs it."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MissingExtra(f"{module} is not installed; it comes with pip install 'marsad[{extra}]'") from exc
