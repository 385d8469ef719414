"""The kind of piece an article is (events/genre.py): a credited news report or an opinion
piece, read from its byline, its address and its own words; an opinion piece's events must
convince the event model to stand. Sentences are our own wording."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from marsad.document import Document
from marsad.events.genre import genre_features, section_of
from marsad.events.learn import Decider, Linear
from marsad.ingest.readers import read
from marsad.runner import build_pipeline

REPORT = "قصفت طائرات حربية بلدة كفرنبل في ريف إدلب صباح أمس وقتل خمسة مدنيين."
COLUMN = (
    "أنا لا أعرف متى تنتهي هذه الحرب، لكنني أعتقد أن الناس تعبوا. "
    "هل يعقل أن تقصف طائرات حربية بلدة كفرنبل كل يوم؟ وإلى متى يصمت العالم؟"
)


@pytest.fixture
def pipeline():
    """A fresh pipeline: one that has read a text takes it again for a duplicate."""
    return build_pipeline(config={"events": {"model": "propose"}})


def _kind(text: str, url: str | None = None, byline: str | None = None) -> list[str]:
    doc = Document(id="g", text=text, url=url, published=date(2015, 8, 10))
    if byline:
        doc.meta["byline"] = byline
    doc = build_pipeline(names=["clean", "tokens"])(doc)
    return genre_features(doc, doc.tokens)


def test_a_credited_report_is_news() -> None:
    assert _kind(REPORT, byline="إدلب - وكالات")[:1] == ["g=news"]
    assert "gc=credit" in _kind(REPORT + " (رويترز)")
    assert "gc=dateline" in _kind(REPORT, byline="خالد العلي (جدة)")


def test_a_column_is_opinion() -> None:
    feats = _kind(COLUMN, byline="خالد العلي")
    assert feats[0] == "g=opinion" and {"gc=byname", "gc=first", "gc=questions"} <= set(feats)
    feats = _kind(REPORT, url="http://www.example.com/Articles/Detail.aspx?ArticleID=5")
    assert feats[0] == "g=opinion" and "gc=section" in feats
    assert _kind(REPORT)[0] == "g=plain"


def test_sections_are_read_off_the_address() -> None:
    assert section_of("http://www.example.com/opinion/articles/a/x/") == "opinion"
    assert section_of("http://www.example.com/2015/20150809/sp35.htm") == "sp"
    assert section_of(None) == "-"


def test_an_opinion_piece_keeps_only_likely_events(pipeline) -> None:
    doc = pipeline(Document(id="o", text=COLUMN, published=date(2015, 8, 10)))
    proposals = doc.meta["event_proposals"]
    none = Linear(0.0, {})
    decider = Decider(none, none, none, none, keep=Linear(0.0, {}))  # every event at p = 0.5
    decider.thresholds.update(keep=0.0, keep_unarmed=0.0)
    assert decider.decide(None, proposals)
    decider.keep = Linear(0.0, {"g=opinion": -1.0})
    assert decider.decide(None, proposals) == []
    decider.thresholds["keep_opinion"] = None
    assert decider.decide(None, proposals)


def test_the_byline_of_a_jsonl_record_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    rows = [{"id": "1", "text": REPORT, "author": " بيروت: مراسلنا "}, {"id": "2", "text": REPORT}]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    a, b = read([str(path)])
    assert a.meta["byline"] == "بيروت: مراسلنا" and "byline" not in b.meta


def test_the_first_person_words_read_from_the_tags_are_those_counted_without(pipeline) -> None:
    doc = pipeline(Document(id="g", text=COLUMN, published=date(2015, 8, 10)))
    assert doc.matches is not None and "gc=first" in genre_features(doc, doc.tokens)
    tagged = genre_features(doc, doc.tokens)
    doc.matches = None
    assert genre_features(doc, doc.tokens) == tagged
