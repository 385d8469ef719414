"""The event record is defined once (marsad/event.py); every other shape of it is checked here.

The JSONL export is ``Event.to_dict``; the store's two event tables and the API's model must
carry the same fields with the same types and nullability, so adding a field to the record
without adding it everywhere fails here rather than in an analyst's export.
"""

from __future__ import annotations

import types
import typing
from pathlib import Path
from typing import Any

from marsad.api import models
from marsad.event import EXPORT_FIELDS, Event, Evidence, export_types
from marsad.store import open_store
from marsad.store.store import EVENT_COLUMNS

SQL_TYPES = {str: {"TEXT"}, int: {"INTEGER", "BIGINT"}, float: {"DOUBLE PRECISION"}, bool: {"INTEGER"}}


def _shape(t: Any) -> tuple[frozenset, bool]:
    """(the non-None types, whether None is allowed); any list is one shape, ``list``."""
    args = typing.get_args(t) if typing.get_origin(t) in (typing.Union, types.UnionType) else (t,)
    kinds = frozenset(list if typing.get_origin(a) is list else a for a in args if a is not type(None))
    return kinds, type(None) in args


def test_to_dict_is_the_export_field_list() -> None:
    ev = Event(sub_event_type="Armed clash", doc_ids=["d"], evidence=[Evidence("d", 0, 3, "abc")])
    assert tuple(ev.to_dict()) == EXPORT_FIELDS
    back = Event.from_dict(ev.to_dict())
    assert back.to_dict() == ev.to_dict()


def test_store_columns_match_the_record(tmp_path: Path) -> None:
    record = export_types()
    with open_store(tmp_path / "s.db") as store:
        for table in ("doc_events", "events"):
            cols = {r[1]: (r[2], bool(r[3])) for r in store.db.query(f"PRAGMA table_info({table})")}
            for f in EVENT_COLUMNS:
                assert f in cols, f"{table} lacks the record's field {f}"
                sql, not_null = cols[f]
                kinds, nullable = _shape(record[f])
                expected = {"TEXT"} if list in kinds else set().union(*(SQL_TYPES[k] for k in kinds))
                assert sql in expected, f"{table}.{f} is {sql}, the record says {record[f]}"
                assert not_null == (not nullable), f"{table}.{f}: NOT NULL is {not_null}, record {record[f]}"


def test_api_model_matches_the_record() -> None:
    record = export_types()
    fields = models.Event.model_fields
    assert tuple(fields) == EXPORT_FIELDS
    for f in EXPORT_FIELDS:
        assert _shape(fields[f].annotation) == _shape(record[f]), f
