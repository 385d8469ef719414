"""`marsad gold export`: the articles analysts reviewed, as gold files (shared/eval/FORMAT.md).

A desk's corrections then train the learned coder (``marsad train events --gold DIR``) and
score it (``marsad eval events DIR``). An article is exported when it is reviewed whole: marked
done, or every event it reports carries a decision. Its gold lists the events the analysts kept
(accepted, corrected or added); a rejected event is simply absent, so coding it again counts as
a false positive. What a merged event says about place, date, type and actors is the event's;
the toll, status and cited source are each article's own report unless an analyst changed them.

The articles' text goes beside the gold files in ``articles.jsonl`` (the gold's ``file`` field
points there, relative to the folder's grandparent as the readers of gold expect), so the
folder is complete on its own.
"""

from __future__ import annotations

import hashlib
import json
import os
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from marsad.store import review
from marsad.store.store import Store

ARTICLES = "articles.jsonl"
# How far a prediction may lie from a place coded to a town (1) or a division (2, 3).
RADIUS_KM = {1: 25, 2: 50, 3: 100}


def _dates(day: str, precision: int | None) -> str | list[str]:
    """The day, or the range ACLED's time precision allows (2: the week around it, 3: its month)."""
    if precision == 2:
        d = date.fromisoformat(day)
        return [(d - timedelta(days=3)).isoformat(), (d + timedelta(days=3)).isoformat()]
    if precision == 3:
        d = date.fromisoformat(day).replace(day=1)
        end = (d.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        return [d.isoformat(), end.isoformat()]
    return day


def _gold_event(
    ev: dict[str, Any], report: dict[str, Any] | None, changed: set[str], doc_id: str
) -> dict | None:
    if ev.get("latitude") is None or ev.get("longitude") is None or not ev.get("event_date"):
        return None  # the gold matches on a place and a date
    own = dict(ev)
    if report is not None:
        for f in review.PER_REPORT:
            if f not in changed:
                own[f] = report.get(f)
    sentence = next((e["text"] for e in ev.get("evidence") or [] if e["doc_id"] == doc_id), None)
    out: dict[str, Any] = {
        "id": ev["event_id"],
        "required": True,
        "sub_event_type": [ev["sub_event_type"]],
        "location": {
            "name": ev.get("location"),
            "geonameid": ev.get("geonameid"),
            "lat": ev["latitude"],
            "lon": ev["longitude"],
            "radius_km": RADIUS_KM.get(ev.get("geo_precision") or 1, 25),
        },
        "date": _dates(ev["event_date"], ev.get("time_precision")),
        "status": [own.get("status") or "reported"],
        "reviewed": ev.get("reviewed"),
    }
    for f in ("actor1", "actor2"):
        names = [n for n in (ev.get(f), ev.get("assoc_actor_" + f[-1])) if n]
        if names:
            out[f] = names
    if own.get("attributed_to"):
        out["source"] = list(own["attributed_to"])
    if own.get("fatalities") is not None:
        out["fatalities"] = own["fatalities"]
    if sentence:
        out["evidence"] = sentence
    return out


def export_gold(store: Store, out_dir: Path) -> dict[str, int]:
    """Write one ``<doc_id>.gold.json`` per reviewed article (see :func:`_safe`) and their texts;
    returns counts."""
    out_dir.mkdir(parents=True, exist_ok=True)
    store._fresh()
    db = store.db
    docs = review.reviewed_documents(db)
    root = out_dir.resolve().parents[1]
    file_ref = os.path.relpath(out_dir.resolve() / ARTICLES, root)
    counts = {"articles": 0, "events": 0, "historical": 0, "skipped_no_place": 0}
    # Every kept event with its reports, read once.
    kept: dict[str, list[tuple[dict, dict]]] = {}
    for ev in store.events(review_state="reviewed"):
        st = review.state(db, ev["event_id"]) or {}
        for d in ev["doc_ids"]:
            kept.setdefault(d, []).append((ev, st))
    written: dict[str, str] = {}  # file name, case folded -> the article written under it
    tmp = out_dir / (ARTICLES + ".part")
    with tmp.open("w", encoding="utf-8") as articles:
        for doc_id in docs:
            doc = store.document(doc_id)
            if doc is None or doc.get("state") != "processed":
                continue
            # The store keys an article by its text; the gold names it as its source did, so
            # that reading ``file`` gives the article its gold ``doc_id``.
            given = db.one("SELECT given FROM documents WHERE id = ?", (doc_id,))
            name = doc.get("source_id") if given and given[0] and doc.get("source_id") else doc_id
            record = {k: doc.get(k) for k in ("title", "published", "url", "outlet", "text")}
            articles.write(json.dumps({"id": name} | record, ensure_ascii=False) + "\n")
            gold: dict[str, Any] = {
                "doc_id": name,
                "file": f"{file_ref}#{name}",
                "published": doc.get("published"),
                "source": "marsad gold export (analysts' review)",
                "events": [],
                "historical": [],
            }
            for ev, st in kept.get(doc_id, []):
                reports = {r["doc_id"]: r for r in (store.event(ev["event_id"]) or {}).get("sources", [])}
                g = _gold_event(ev, reports.get(doc_id), set(st.get("changed") or []), doc_id)
                if g is None:
                    counts["skipped_no_place"] += 1
                elif ev.get("historical"):
                    gold["historical"].append(
                        {
                            "id": g["id"],
                            "what": ev.get("notes"),
                            "location": g["location"],
                            "year": int(ev["event_date"][:4]),
                        }
                    )
                    counts["historical"] += 1
                else:
                    gold["events"].append(g)
                    counts["events"] += 1
            path = out_dir / f"{_safe(name)}.gold.json"
            if written.get(path.name.casefold(), name) != name:
                # "Doc1" after "doc1": one file where names ignore case (macOS, Windows)
                path = out_dir / f"{_safe(name, hashed=True)}.gold.json"
            if written.setdefault(path.name.casefold(), name) != name:
                raise ValueError(
                    f"articles {written[path.name.casefold()]!r} and {name!r} would both be written to {path}"
                )
            part = path.with_suffix(".json.part")
            part.write_text(json.dumps(gold, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
            part.replace(path)
            counts["articles"] += 1
    tmp.replace(out_dir / ARTICLES)
    return counts


def _safe(doc_id: str, hashed: bool = False) -> str:
    """A file name for a document id (ids may hold a slash or a colon). Where characters had
    to be replaced, or with ``hashed``, a hash of the id follows, so two ids never share a file
    ("a:1" and "a_1"; "Doc1" and "doc1" where file names ignore case)."""
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in doc_id)
    if safe != doc_id or hashed:
        safe += "-" + hashlib.sha256(doc_id.encode("utf-8")).hexdigest()[:10]
    return safe
