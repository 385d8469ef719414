"""The event store: SQLite by default, PostgreSQL for teams (see :mod:`marsad.store.store`).

``Store`` is imported on first use: what needs only the schema or the backend (``marsad
--version``) does not import the store and what it imports."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from marsad.store.store import Store

__all__ = ["EXPORT_FIELDS", "Store", "open_store"]


def open_store(target: str | Path = "marsad.db", batch_size: int = 1, merge_on_read: bool = True) -> Store:
    """Open (and create or upgrade) a store: a SQLite path, or a ``postgresql://`` URL.

    ``batch_size`` > 1 commits that many documents per transaction, for bulk runs;
    ``merge_on_read=False`` (the API server) reads the merged events as they are, never merging.
    """
    from marsad.store.backend import connect
    from marsad.store.store import Store

    return Store(connect(str(target)), batch_size=batch_size, merge_on_read=merge_on_read)


def __getattr__(name: str) -> Any:
    if name in ("EXPORT_FIELDS", "Store"):
        from marsad.store import store

        return getattr(store, name)
    raise AttributeError(f"module 'marsad.store' has no attribute {name!r}")
