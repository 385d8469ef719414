"""The event store: SQLite by default, PostgreSQL for teams (see :mod:`marsad.store.store`)."""

from __future__ import annotations

from pathlib import Path

from marsad.store.backend import connect
from marsad.store.store import EXPORT_FIELDS, Store

__all__ = ["EXPORT_FIELDS", "Store", "open_store"]


def open_store(target: str | Path = "marsad.db", batch_size: int = 1, merge_on_read: bool = True) -> Store:
    """Open (and create or upgrade) a store: a SQLite path, or a ``postgresql://`` URL.

    ``batch_size`` > 1 commits that many documents per transaction, for bulk runs;
    ``merge_on_read=False`` (the API server) reads the merged events as they are, never merging.
    """
    return Store(connect(str(target)), batch_size=batch_size, merge_on_read=merge_on_read)
