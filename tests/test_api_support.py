"""Stores for the API and browser tests: synthetic Arabic articles, and the shared sample.

The synthetic documents carry real clean offsets (evidence sentences and tagged words are cut
from their own text), so highlights can be checked exactly. One of them is hostile: its title
and evidence hold markup that would run script if any client ever rendered it as HTML.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from marsad.document import Document  # noqa: E402
from marsad.event import Event, Evidence  # noqa: E402
from marsad.store import open_store  # noqa: E402

SAMPLE = ROOT / ".." / "shared" / "corpus" / "raw" / "000_c05be448c3f228f0.txt"
SAMPLE_PUBLISHED = date(2024, 12, 6)

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'

# name, geonameid, latitude, longitude
HAMA = ("Hama", 170017, 35.13179, 36.75783)
DARAA = ("Daraa", 170903, 32.61889, 36.10213)
HOMS = ("Homs", 169577, 34.72682, 36.72339)
OPPOSITION = "Hayat Tahrir al-Sham"
REGIME = "Military Forces of Syria (2000-2024)"
SOHR = "Syrian Observatory for Human Rights"

SENT_HAMA = "سيطرت فصائل المعارضة على مدينة حماة يوم الخميس بعد معارك عنيفة مع قوات النظام."
SENT_DARAA = "وقال المرصد السوري إن 12 شخصا قتلوا في قصف على درعا بعد سقوط حماة."
SENT_XSS = f"اشتباكات في حمص {SCRIPT} {IMG} قتل فيها شخصان."


def _tag(doc: Document, sentence_start: int, sentence: str, words: list[tuple]) -> None:
    """Add spans for ``words`` (text, label, attrs) found inside one sentence of ``doc``."""
    for word, label, attrs in words:
        at = sentence_start + sentence.index(word)
        doc.add(at, at + len(word), label, **attrs)


def _event(doc: Document, sentence: str, sub: str, place: tuple, day: str, **fields: object) -> Event:
    start = doc.clean.index(sentence)
    name, gid, lat, lon = place
    ev = Event(
        sub_event_type=sub,
        doc_ids=[doc.id],
        evidence=[Evidence(doc.id, start, start + len(sentence), sentence)],
        event_date=day,
        time_precision=1,
        location=name,
        geonameid=gid,
        latitude=lat,
        longitude=lon,
        country="Syria",
        country_code="SY",
    )
    for key, value in fields.items():
        setattr(ev, key, value)
    return ev


def synthetic_docs() -> list[Document]:
    """Three events over three days at Hama, Daraa and Homs; the Homs one is the hostile article."""
    text = f"{SENT_HAMA} {SENT_DARAA}"
    doc = Document(id="syn-hama", text=text, source="synthetic", outlet="Example News", title="تقدم في حماة")
    doc.published = date(2024, 12, 6)
    doc.add(0, len(SENT_HAMA), "sentence")
    _tag(
        doc,
        0,
        SENT_HAMA,
        [
            ("سيطرت", "trigger", {"sub_event_type": "Non-state actor overtakes territory"}),
            ("فصائل المعارضة", "actor", {"canonical": OPPOSITION}),
            ("حماة", "place", {"name": "Hama", "geonameid": HAMA[1]}),
            ("الخميس", "date", {"first": "2024-12-05"}),
            ("قوات النظام", "actor", {"canonical": REGIME}),
        ],
    )
    daraa_at = text.index(SENT_DARAA)
    _tag(
        doc,
        daraa_at,
        SENT_DARAA,
        [
            ("المرصد السوري", "source", {"canonical": SOHR}),
            ("12 شخصا قتلوا", "casualties", {"count": 12, "kind": "killed"}),
            ("قصف", "trigger", {"sub_event_type": "Shelling/artillery/missile attack"}),
            ("درعا", "place", {"name": "Daraa", "geonameid": DARAA[1]}),
            ("حماة", "place", {"name": "Hama", "geonameid": HAMA[1]}),
        ],
    )
    doc.events = [
        _event(
            doc,
            SENT_HAMA,
            "Non-state actor overtakes territory",
            HAMA,
            "2024-12-05",
            actor1=OPPOSITION,
            inter1=2,
            actor2=REGIME,
            inter2=1,
        ),
        _event(
            doc,
            SENT_DARAA,
            "Shelling/artillery/missile attack",
            DARAA,
            "2024-12-06",
            actor1=REGIME,
            inter1=1,
            fatalities=12,
            attributed_to=[SOHR],
        ),
    ]
    hostile = Document(id="syn-xss", text=SENT_XSS, source="synthetic", outlet=IMG, title=SCRIPT)
    hostile.published = date(2024, 12, 4)
    _tag(
        hostile,
        0,
        SENT_XSS,
        [("اشتباكات", "trigger", {"sub_event_type": "Armed clash"}), ("حمص", "place", {"name": "Homs"})],
    )
    hostile.events = [_event(hostile, SENT_XSS, "Armed clash", HOMS, "2024-12-04", actor1=REGIME, inter1=1)]
    return [doc, hostile]


def build_synthetic_store(path: str) -> str:
    with open_store(path) as store:
        store.write_many(synthetic_docs())
        store.merge()
    return path


def build_sample_store(path: str) -> tuple[str, str]:
    """The shared sample through the real pipeline; falls back to synthetic events when the
    pipeline cannot run yet or finds none, so the page can still be tested. Returns
    ``(path, "pipeline" | "synthetic")``."""
    how = "synthetic"
    docs: list[Document] = []
    if SAMPLE.is_file():
        try:
            from marsad.runner import build_pipeline

            with open_store(path) as store:
                pipeline = build_pipeline(store)
                doc = Document(id=SAMPLE.stem, text=SAMPLE.read_text(encoding="utf-8"), source=SAMPLE.name)
                doc.published = SAMPLE_PUBLISHED
                doc = pipeline(doc)
            if doc.events and any(getattr(e, "latitude", None) is not None for e in doc.events):
                docs, how = [doc], "pipeline"
        except Exception:  # a pipeline still being built must not stop the page test
            docs = []
    with open_store(path) as store:
        store.write_many(docs or synthetic_docs())
        store.merge()
    return path, how
