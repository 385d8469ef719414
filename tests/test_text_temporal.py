"""Temporal expressions: a table of real expressions from the shared corpora, plus properties."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from marsad.document import Document
from marsad.pipeline import make
from marsad.text.temporal import find_dates

CASES = Path(__file__).parent / "data" / "temporal_cases.tsv"


def _cases() -> list[dict[str, str]]:
    with CASES.open(encoding="utf-8") as fh:
        rows = [line for line in fh if line.strip()]
    header = rows[0].lstrip("# ").rstrip("\n").split("\t")
    return list(csv.DictReader(rows[1:], fieldnames=header, delimiter="\t", quoting=csv.QUOTE_NONE))


def _resolve(row: dict[str, str]) -> tuple[str, str, str]:
    """``(first, last, precision)`` of the date span over the row's expression, "-" if none."""
    ctx, expr = row["context"], row["expression"]
    at = ctx.index(expr)
    for start, end, attrs in find_dates(ctx, date.fromisoformat(row["published"])):
        if start < at + len(expr) and at < end:
            return attrs["first"] or "-", attrs["last"] or "-", attrs["precision"]
    return "-", "-", "-"


def test_table_is_large_enough() -> None:
    assert len(_cases()) >= 150


def test_table_resolution_rate() -> None:
    rows = _cases()
    wrong = []
    for row in rows:
        got = _resolve(row)
        if got != (row["first"], row["last"], row["precision"]):
            wrong.append(
                (row["source"], row["expression"], got, (row["first"], row["last"], row["precision"]))
            )
    share = 1 - len(wrong) / len(rows)
    print(f"\ntemporal table: {len(rows) - len(wrong)}/{len(rows)} correct ({share:.1%})")
    for w in wrong:
        print("  wrong:", w)
    assert share >= 0.95


def test_unresolved_without_published_date() -> None:
    hits = find_dates("قصف الطيران أمس مساء الأربعاء في 27 نوفمبر", None)
    assert len(hits) == 3
    assert all(a["first"] is None and a["last"] is None for _s, _e, a in hits)


def test_explicit_years_resolve_without_published_date() -> None:
    """Without a publication date a year long before today is still background."""
    (hit,) = find_dates("ارتكبت المذبحة عام 1982", None)
    assert hit[2]["first"] == "1982-01-01" and hit[2]["historical"] is True
    (hit,) = find_dates(f"المعارك مستمرة منذ بداية عام {date.today().year}", None)
    assert hit[2]["historical"] is False


def test_a_season_opens_a_year() -> None:
    """ "صيف 2013", "شتاء عام 2012": a season of a past year is that year, and background."""
    for text in ["انسحبت القوات من البلدة في صيف 2013", "وقعت المعركة شتاء عام 2012"]:
        (hit,) = find_dates(text, date(2015, 8, 1))
        assert hit[2]["precision"] == "year" and hit[2]["historical"] is True
    assert not find_dates("قتل 2013 مقاتلا", date(2015, 8, 1))


def test_a_part_of_a_month_spans_its_days() -> None:
    """ "أوائل", "منتصف", "أواخر": the first ten days, the next ten, the rest of the month."""
    pub = date(2015, 8, 10)
    for text, first, last in [
        ("وصلت القوات في أوائل يوليو", "2015-07-01", "2015-07-10"),
        ("وصلت القوات في منتصف فبراير الماضي", "2015-02-11", "2015-02-20"),
        ("وصلت القوات في أواخر فبراير الماضي", "2015-02-21", "2015-02-28"),
        ("وصلت القوات في يوليو الماضي", "2015-07-01", "2015-07-31"),
    ]:
        (hit,) = find_dates(text, pub)
        assert (hit[2]["first"], hit[2]["last"], hit[2]["precision"]) == (first, last, "month"), text


def test_a_time_counted_back_from_the_report() -> None:
    """ "قبل يومين", "قبل ثلاثة أسابيع", "قبل نحو شهر": so many units before the published day."""
    pub = date(2015, 8, 20)

    def ago(text: str) -> tuple[str, str, str] | None:
        hits = [
            (a["first"], a["last"], a["precision"])
            for _s, _e, a in find_dates(text, pub)
            if a["kind"] == "ago"
        ]
        return hits[0] if hits else None

    assert ago("سقطت القذيفة على المدرسة قبل يومين") == ("2015-08-18", "2015-08-18", "day")
    assert ago("اعتقل الناشط قبل 10 أيام") == ("2015-08-10", "2015-08-10", "day")
    assert ago("انسحب المقاتلون قبل ثلاثة أسابيع") == ("2015-07-30", "2015-07-30", "week")
    assert ago("سيطر التنظيم على القرية قبل نحو شهر") == ("2015-07-01", "2015-07-31", "month")
    assert ago("فر من المدينة قبل أكثر من عام") == ("2014-01-01", "2014-12-31", "year")
    # a time before another one, not before the report
    for text in [
        "قبل يوم من الهجوم",
        "قبل يوم على الهجوم",
        "قبل شهر رمضان",
        "قبل عام من الانتخابات",
        "قبل أيام",
    ]:
        assert ago(text) is None, text
    # the time passed since what follows "على": that long before the report
    assert ago("بعد مرور عامين على تفجير السوق") == ("2013-01-01", "2013-12-31", "year")
    assert ago("وبمرور شهر على سيطرتهم على البلدة") == ("2015-07-01", "2015-07-31", "month")
    assert ago("مع مرور ثلاثة أيام على الحصار") == ("2015-08-17", "2015-08-17", "day")
    assert ago("مرور عام") is None  # no "على": nothing it counts from
    span = next((s, e) for s, e, a in find_dates("وبمرور شهر على الحصار", pub) if a["kind"] == "ago")
    assert span == (1, 10)  # the conjunction stays outside


def test_historical_flag_and_since_range() -> None:
    pub = date(2024, 12, 6)
    hits = {t[s:e]: a for t in ["في عام 1982 ومنذ 27 نوفمبر"] for s, e, a in find_dates(t, pub)}
    assert hits["عام 1982"]["historical"] is True
    since = hits["منذ 27 نوفمبر"]
    assert (since["first"], since["last"], since["kind"]) == ("2024-11-27", "2024-12-06", "since")
    assert since["historical"] is False


def test_weekday_on_published_day_is_that_day() -> None:
    ((_s, _e, a),) = find_dates("قال الجمعة إن", date(2024, 12, 6))  # a Friday
    assert a["first"] == a["last"] == "2024-12-06"


def test_arabic_indic_digits_and_offsets() -> None:
    text = "وقع الهجوم في ٢٠ يوليو ٢٠١٥ قرب حلب"
    ((s, e, a),) = find_dates(text, date(2015, 8, 1))
    assert text[s:e] == "٢٠ يوليو ٢٠١٥" and a["first"] == "2015-07-20"


def test_not_a_date() -> None:
    assert find_dates("في اليوم التالي مارس الضغط", date(2015, 8, 1)) == []


def test_that_day_points_back_not_to_the_news_day() -> None:
    """ "في ذلك اليوم", "تلك الليلة": the day of what was told before; "هذا اليوم" is today."""
    assert find_dates("وكان الشارع مغلقا في ذلك اليوم", date(2015, 8, 1)) == []
    assert find_dates("وفي تلك الليلة سمع دوي انفجار", date(2015, 8, 1)) == []
    ((_s, _e, a),) = find_dates("وفي هذا اليوم سمع دوي انفجار", date(2015, 8, 1))
    assert a["first"] == "2015-08-01"


def test_component_adds_date_spans() -> None:
    doc = Document(id="t", text="شيع النظام أمس جثمان اللواء", published=date(2015, 7, 21))
    doc = make("temporal")(make("tokens")(doc))
    (span,) = doc.spans_of("date")
    assert doc.span_text(span) == "أمس" and span.attrs["first"] == "2015-07-20"


def test_today_in_a_quote_is_the_speakers_day() -> None:
    text = "قال القائد: «تقدمت قواتنا اليوم في المحور الشرقي». وتجري المعارك اليوم أيضا."
    doc = make("temporal")(make("tokens")(Document(id="t", text=text, published=date(2015, 7, 25))))
    quoted, plain = sorted(doc.spans_of("date"), key=lambda s: s.start)
    assert (quoted.attrs["first"], quoted.attrs["last"]) == ("2015-07-24", "2015-07-25")
    assert plain.attrs["first"] == "2015-07-25"


_PIECES = st.sampled_from(
    list("ابتثجحخدذرزسشصضطظعغفقكلمنهويىةأإآؤئ ٠١٢٣٤٥٦٧٨٩0123456789/-().،\n\u064b\u0640")
) | (
    st.sampled_from(
        ["أمس", " الخميس ", "منذ ", " عام ", "يوليو", " الماضي", "الأسبوع", "الليلة", "مساء ", " 31 "]
    )
)
_ARABIC = st.lists(_PIECES, max_size=80).map("".join)


@settings(max_examples=300, deadline=None)
@given(_ARABIC, st.one_of(st.none(), st.dates(min_value=date(1950, 1, 1), max_value=date(2090, 12, 31))))
def test_never_raises_and_spans_in_bounds(text: str, pub: date | None) -> None:
    for s, e, a in find_dates(text, pub):
        assert 0 <= s < e <= len(text)
        assert a["precision"] in {"day", "week", "month", "year"}
        if a["first"] and a["last"]:
            assert a["first"] <= a["last"]
