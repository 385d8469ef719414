"""Issue 18's acceptance on both backends: after an analyst's corrections, re-running the
corpus through `marsad run` (the same articles, then a newer one that moves a merged event's
id, then a re-coding that changes what the coder says) keeps every decision."""

from __future__ import annotations

import json
from pathlib import Path

from test_store_support import store_target  # noqa: F401 - the `target` fixture
from typer.testing import CliRunner

from marsad.cli import app
from marsad.store import open_store, review

# Articles written for this test.
FIRST = [
    {
        "id": "rv-1",
        "published": "2015-08-05",
        "title": "غارات على حلب",
        "text": "قصفت طائرات النظام السوري حي الشعار في مدينة حلب يوم الثلاثاء، ما أدى إلى مقتل خمسة مدنيين"
        " بحسب المرصد السوري لحقوق الإنسان.\nوفي ريف إدلب، اندلعت اشتباكات عنيفة بين جبهة النصرة وقوات"
        " النظام قرب بلدة جسر الشغور.",
    },
    {
        "id": "rv-2",
        "published": "2015-08-06",
        "title": "تدمر",
        "text": "سيطر تنظيم داعش على مدينة تدمر في ريف حمص الشرقي بعد معارك مع قوات النظام استمرت ثلاثة"
        " أيام.\nوقال ناشطون إن التنظيم أعدم عشرين شخصا في المدينة.",
    },
]
NEWER = [
    {
        "id": "rv-3",
        "published": "2015-08-05",
        "title": "حلب",
        # Worded so that its report's id sorts first (ids are hashes): the merged id must move.
        "text": "قتل خمسة مدنيين في غارة جوية لطائرات النظام على حي الشعار في حلب الثلاثاء، وفق المرصد السوري"
        " لحقوق الإنسان. ونقلت مصادر محلية الخبر.",
    }
]
ALLY = "Hezbollah"


def _jsonl(path: Path, records: list[dict]) -> str:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return str(path)


def _run(target: str, corpus: str) -> None:
    res = CliRunner().invoke(app, ["run", corpus, "--db", target], catch_exceptions=False)
    assert res.exit_code == 0, res.output


def _events(store, **filters) -> dict[str, dict]:
    return {f"{e['sub_event_type']} @ {e['location']}": e for e in store.events(**filters)}


def _decide(store, event_id: str, **kw) -> None:
    rid = review.decide(store.db, event_id, user="ana", **kw)
    store.merge_local([event_id], [rid])


def test_decisions_survive_reruns_of_the_corpus(target: str, tmp_path: Path) -> None:
    first, newer = _jsonl(tmp_path / "first.jsonl", FIRST), _jsonl(tmp_path / "newer.jsonl", NEWER)
    _run(target, first)
    with open_store(target) as store:
        found = _events(store)
        strike = found["Air/drone strike @ Shaar"]
        executions = found["Attack @ Palmyra"]
        takeover = found["Non-state actor overtakes territory @ Palmyra"]
        assert strike["fatalities"] == 5 and strike["assoc_actor_1"] is None
        _decide(
            store,
            strike["event_id"],
            decision="corrected",
            fields={"fatalities": 6, "assoc_actor_1": ALLY},
        )
        _decide(store, executions["event_id"], decision="rejected", reason="not an event")
        _decide(store, takeover["event_id"], decision="accepted")

    def check(store, sources: int) -> dict:
        now = _events(store)
        assert "Attack @ Palmyra" not in now
        assert list(_events(store, review_state="rejected")) == ["Attack @ Palmyra"]
        assert now["Non-state actor overtakes territory @ Palmyra"]["reviewed"] == "accepted"
        fixed = now["Air/drone strike @ Shaar"]
        assert (fixed["fatalities"], fixed["assoc_actor_1"], fixed["reviewed"]) == (6, ALLY, "corrected")
        assert len(fixed["doc_ids"]) == sources
        return fixed

    with open_store(target) as store:
        before = check(store, 1)
        exported = list(store.events(review_state="all"))

    # The same corpus again: nothing is added, nothing an analyst decided moves.
    _run(target, first)
    with open_store(target) as store:
        assert list(store.events(review_state="all")) == exported

    # A newer article reports the same strike; its report joins the corrected event, whose
    # merged id moves to the new report's.
    _run(target, newer)
    with open_store(target) as store:
        after = check(store, 2)
        assert after["event_id"] != before["event_id"]
        # The analyst's own values meet no contradiction (the new report's toll is the same);
        # whatever else the new report adds that the analyst left empty is flagged, not applied.
        flagged = review.state(store.db, after["event_id"])["conflicts"]
        assert {"fatalities", "assoc_actor_1"}.isdisjoint(c["field"] for c in flagged)
        assert all(after[c["field"]] == c["reviewed"] for c in flagged if c["field"] in after)

    # A re-coding (a newer coder, here one that dates everything a day later and gives other
    # tolls): the analyst's values win, and the strike's changed date and toll are flagged.
    from marsad.ingest.readers import read
    from marsad.runner import build_pipeline

    pipeline = build_pipeline()
    with open_store(target) as store:
        for doc in read([first, newer]):
            doc = pipeline(doc)
            stored = store.db.one("SELECT id FROM documents WHERE source_id = ?", (doc.id,))
            doc.id = stored[0]
            for ev in doc.events:
                ev.evidence = [type(e)(doc.id, e.start, e.end, e.text) for e in ev.evidence]
                ev.doc_ids = [doc.id]
                ev.event_id = ""
                ev.event_date = ev.event_date[:8] + f"{int(ev.event_date[8:]) + 1:02d}"
                ev.fatalities = (ev.fatalities or 0) + 2
            store.write(doc)
        store.merge()
        fixed = check(store, 2)
        assert fixed["event_date"] == before["event_date"]
        flagged = {c["field"] for c in review.state(store.db, fixed["event_id"])["conflicts"]}
        assert {"event_date", "fatalities"} <= flagged
