"""The first evidence sentences of each merged event and how many it has, kept beside it.

A page of the event list shows a few sentences of each event. Reading them through
``event_members`` and ``event_sources`` costs a join and a window over every sentence of every
report of the page's events (hundreds for a large event): most of a request's time on a full
store. So whenever the merge writes a merged event, its first :data:`HEAD` sentences (in
document and offset order) and their number are written to ``event_evidence``, and a page reads
them with its events, joined by key (``Store._events``). An event without that row, or a
request for more than :data:`HEAD`, reads the sentences themselves: the answer is the same
either way.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson

from marsad.store.backend import Backend, chunks, placeholders

# Sentences kept per event: as many as a page of the list shows by default (a page asking
# for more reads them through the reports).
HEAD = 5


def sentences(
    db: Backend, ids: Sequence[str], per_event: int | None = None
) -> tuple[dict[str, list[dict[str, Any]]], dict[str, int]]:
    """The sentences of the reports merged into each event (its first ``per_event`` only, cut
    in the query), and how many each has in all, read through the members."""
    out: dict[str, list[dict[str, Any]]] = {}
    totals: dict[str, int] = {}
    order = "ORDER BY s.doc_id, s.start_off, s.end_off"
    for chunk in chunks(list(ids)):
        rows = db.query(
            "SELECT event_id, doc_id, start_off, end_off, text, total FROM ("
            " SELECT m.event_id, s.doc_id, s.start_off, s.end_off, s.text,"
            f" ROW_NUMBER() OVER (PARTITION BY m.event_id {order}) AS n,"
            " COUNT(*) OVER (PARTITION BY m.event_id) AS total"
            " FROM event_members m JOIN event_sources s ON s.event_id = m.member_id"
            f" WHERE m.event_id IN ({placeholders(len(chunk))})) x"
            " WHERE n <= ? ORDER BY event_id, doc_id, start_off, end_off",
            [*chunk, 2**62 if per_event is None else max(per_event, 1)],  # one row still counts
        )
        for eid, doc_id, start, end, text, total in rows:
            out.setdefault(eid, []).append({"doc_id": doc_id, "start": start, "end": end, "text": text})
            totals[eid] = int(total)
    if per_event is not None:
        out = {eid: s[:per_event] for eid, s in out.items()}
    return out, totals


def keep(db: Backend, ids: Sequence[str]) -> None:
    """Write the heads of these merged events (just written with their members)."""
    found, totals = sentences(db, ids, HEAD)
    db.insert_rows(
        "event_evidence",
        ("event_id", "head", "total"),
        [(eid, orjson.dumps(found.get(eid, [])).decode(), totals.get(eid, 0)) for eid in ids],
    )


def backfill(db: Backend) -> None:
    """The heads of every merged event of a store written before they were kept (a migration)."""
    ids = [r[0] for r in db.query("SELECT event_id FROM events ORDER BY event_id")]
    for chunk in chunks(ids):
        keep(db, chunk)
