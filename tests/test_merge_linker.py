"""The fast clustering (precomputed reports, union-find over blocked pairs) against its definition:
every pair compared with the rules as written, and one greedy pass over all reports in order."""

from __future__ import annotations

import json
import random
from datetime import date
from pathlib import Path
from typing import Any

from conftest import SYRIA_2015, need_shared
from hypothesis import given, settings
from hypothesis import strategies as st
from test_merge import merged_state

from marsad.ingest.readers import read
from marsad.merge.cluster import (
    Linker,
    _day,
    cluster,
    compatible,
    compatible_actors,
    identical,
    same_place,
)
from marsad.runner import Coder, Summary, process
from marsad.store import open_store

RADIUS, WINDOW = 25.0, 3


def reference_compatible(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """The merge rule as the module's docstring states it, from its parts."""
    if a["doc_id"] == b["doc_id"]:
        return identical(a, b)
    if a["sub_event_type"] != b["sub_event_type"] or bool(a.get("historical")) != bool(b.get("historical")):
        return False
    da, db = _day(a), _day(b)
    if da is None or db is None:
        return False
    precise = a.get("time_precision") == 1 and b.get("time_precision") == 1
    if abs((da - db).days) > (min(WINDOW, 1) if precise else WINDOW):
        return False
    return same_place(a, b, RADIUS) and compatible_actors(a, b)


def reference_cluster(records: list[dict[str, Any]]) -> list[list[str]]:
    """One greedy pass over every report in (historical, type, date, id) order."""
    ordered = sorted(
        records,
        key=lambda r: (
            bool(r.get("historical")),
            r["sub_event_type"],
            r.get("event_date") or "",
            r["event_id"],
        ),
    )
    clusters: list[list[dict[str, Any]]] = []
    block, active = None, []
    for rec in ordered:
        if (bool(rec.get("historical")), rec["sub_event_type"]) != block:
            block, active = (bool(rec.get("historical")), rec["sub_event_type"]), []
        day = _day(rec)
        if day is not None:
            active = [c for c in active if _day(c[0]) is None or (day - _day(c[0])).days <= WINDOW]
        best = next((c for c in active if all(reference_compatible(rec, m) for m in c)), None)
        if best is None:
            best = [rec]
            clusters.append(best)
            active.append(best)
        else:
            best.append(rec)
    return [[r["event_id"] for r in c] for c in clusters]


# Places around Hama at chosen distances: the same point, 0.5 km, 2 km, 20 km, 30 km away; a
# division; a country; a place with a name but no coordinates; one with nothing.
PLACES = [
    {
        "location": "Hama",
        "geonameid": 170017,
        "latitude": 35.13179,
        "longitude": 36.75783,
        "geo_precision": 1,
    },
    {"location": "Hama east", "latitude": 35.13179, "longitude": 36.7633, "geo_precision": 1},
    {"location": "Hama west", "geonameid": 9, "latitude": 35.13179, "longitude": 36.7359, "geo_precision": 2},
    {"location": "Hama north", "latitude": 35.3115, "longitude": 36.75783, "geo_precision": 1},
    {"location": "Hama far", "latitude": 35.4013, "longitude": 36.75783, "geo_precision": 1},
    {"location": "Hama", "admin1": "Hama", "latitude": 35.2, "longitude": 36.9, "geo_precision": 3},
    {
        "location": "Hama plain",
        "admin1": "Hama plain",
        "latitude": 35.05,
        "longitude": 36.6,
        "geo_precision": 2,
    },
    {"location": "Syria", "country": "Syria", "latitude": 35.0, "longitude": 38.0, "geo_precision": 3},
    {"location": "Souran"},
    {},
]


def random_record(i: int, rng: random.Random) -> dict[str, Any]:
    place = dict(rng.choice(PLACES))
    place.setdefault("country", "Syria")
    return {
        "event_id": f"ev-{i:04d}",
        "doc_id": f"d{rng.randrange(12)}",
        "sub_event_type": rng.choice(["Armed clash", "Air/drone strike"]),
        "historical": rng.random() < 0.1,
        "event_date": date(2015, 8, 1 + rng.randrange(9)).isoformat() if rng.random() > 0.05 else None,
        "time_precision": rng.choice([1, 1, 2, 3]),
        "actor1": rng.choice([None, "A", "B", " a "]),
        "actor1_inferred": rng.random() < 0.2,
        "actor2": rng.choice([None, None, "A", "B"]),
        "status": "reported",
        "fatalities": rng.choice([None, 0, 1]),
        **place,
    }


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 100_000))
def test_compatible_is_the_rule_as_written(seed: int) -> None:
    rng = random.Random(seed)
    records = [random_record(i, rng) for i in range(40)]
    for a in records:
        for b in records:
            assert compatible(a, b, RADIUS, WINDOW) == reference_compatible(a, b), (a, b)


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 100_000), st.integers(1, 120))
def test_linked_groups_are_the_connected_parts_and_clusters_those_of_one_pass(seed: int, n: int) -> None:
    rng = random.Random(seed)
    records = [random_record(i, rng) for i in range(n)]
    # Connected parts by comparing every pair.
    part = {r["event_id"]: {r["event_id"]} for r in records}
    for a in records:
        for b in records:
            if part[a["event_id"]] is not part[b["event_id"]] and reference_compatible(a, b):
                joined = part[a["event_id"]] | part[b["event_id"]]
                for e in joined:
                    part[e] = joined
    expected = sorted(sorted(p) for p in {id(p): p for p in part.values()}.values())
    # Added in two batches in random order, as a store reads them.
    shuffled = records[:]
    rng.shuffle(shuffled)
    linker = Linker(RADIUS, WINDOW)
    linker.add(shuffled[: n // 2])
    linker.add(shuffled[n // 2 :])
    got = sorted(sorted(linker.records[i]["event_id"] for i in g) for g in linker.groups())
    assert got == expected
    assert [[r["event_id"] for r in c] for c in cluster(shuffled, RADIUS, WINDOW)] == reference_cluster(
        records
    )


def test_a_corpus_merged_day_by_day_equals_one_full_merge_and_one_pass(tmp_path: Path) -> None:
    """syria-2015 written one published day after another, merged incrementally after each day:
    the same events, members and control timeline as a full merge, and the clusters of one greedy
    pass over every report."""
    corpus = need_shared(SYRIA_2015)
    days: dict[str, list[str]] = {}
    for line in corpus.read_text(encoding="utf-8").splitlines():
        days.setdefault(json.loads(line)["published"][:10], []).append(line)
    with open_store(tmp_path / "store.db", batch_size=64) as store:
        store.FULL_MERGE_SHARE = 2.0  # never fall back to a full merge
        pipeline, summary = Coder(store), Summary()
        for day, lines in sorted(days.items()):
            path = tmp_path / f"{day}.jsonl"
            path.write_text("\n".join(lines) + "\n", encoding="utf-8")
            for _ in process(read([str(path)]), pipeline, store, summary):
                pass
            store.merge()
        incremental = merged_state(store)
        members = store.db.query("SELECT event_id, member_id FROM event_members")
        store.merge(full=True)
        assert merged_state(store) == incremental
        records = store._doc_event_records()
    assert len(days) > 10 and len(records) > 500
    by_event: dict[str, list[str]] = {}
    for event_id, member_id in members:
        by_event.setdefault(event_id, []).append(member_id)
    assert sorted(sorted(m) for m in by_event.values()) == sorted(
        sorted(c) for c in reference_cluster(records)
    )
