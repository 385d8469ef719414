"""Temporal expressions resolved against the publication date.

One precompiled regex (built from ``temporal.yaml``) runs over the folded text (``Folded``: no
diacritics, unified alef/ya/ta marbuta, ASCII digits), so the cost is a single scan per article
rather than a general-purpose date parser per sentence. Each match is resolved to an inclusive
``[first, last]`` range with a precision; relative expressions without a published date stay
unresolved (``None``), never guessed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Literal

from marsad import datafile
from marsad.document import Document
from marsad.pipeline import Label, component
from marsad.text.match import Matches, word_set, words_in
from marsad.text.normalize import alternation, folded, key_map, key_set, normalize_key
from marsad.text.tokens import Token, tokenize

Unit = Literal["hour", "day", "week", "month", "year"]


class TemporalLexicon(datafile.Strict):
    """temporal.yaml: weekdays, months, relative days, periods and their cue words."""

    weekdays: dict[str, int]
    months: dict[str, int]
    ambiguous_months: list[str]
    month_cues: list[str]
    month_parts: dict[str, tuple[int, int]]
    day_parts: list[str]
    relative_days: dict[str, int]
    not_today_after: list[str]
    not_today_before: list[str]
    past: list[str]
    current: list[str]
    next: list[str]
    periods: dict[str, Unit]
    this: list[str]
    plural_periods: dict[str, Unit]
    count_words: dict[str, int]
    ordinal_days: dict[str, int]
    year_words: list[str]
    year_cues: list[str]
    since: list[str]
    week_start: int
    counted_units: dict[str, Unit]
    ago: list[str]
    ago_approx: list[str]
    ago_units: dict[str, Unit]
    ago_duals: dict[str, Unit]
    ago_not_before: list[str]
    elapsed: list[str]
    elapsed_link: list[str]


_DATA = datafile.load(Path(__file__).with_name("temporal.yaml"), TemporalLexicon, dump=True)


WEEKDAYS = key_map(_DATA["weekdays"])
MONTHS = key_map(_DATA["months"])
_AMBIGUOUS_MONTHS = key_set(_DATA["ambiguous_months"])
_MONTH_CUES = key_set(_DATA["month_cues"])
_MONTH_PARTS = key_map(_DATA["month_parts"])
_REL_DAYS = key_map(_DATA["relative_days"])
_PAST = key_set(_DATA["past"])
_CURRENT = key_set(_DATA["current"])
_NEXT = key_set(_DATA["next"])
_PERIODS = key_map(_DATA["periods"])
_PLURALS = key_map(_DATA["plural_periods"])
_COUNTED = key_map(_DATA["counted_units"])
_AGO_ONE = key_map(_DATA["ago_units"])
_AGO_TWO = key_map(_DATA["ago_duals"])
_COUNT_WORDS = key_map(_DATA["count_words"])
_ORDINALS = key_map(_DATA["ordinal_days"])
_YEAR_WORDS = key_set(_DATA["year_words"])
_SINCE = key_set(_DATA["since"])
_WEEK_START = int(_DATA["week_start"])

_WD = alternation(WEEKDAYS)
_MON = alternation(MONTHS)
_PART = alternation(_DATA["day_parts"])
_Q = alternation(_DATA["past"] + _DATA["current"] + _DATA["next"])
_QPN = alternation(_DATA["past"] + _DATA["next"])
_SINCE_RE = alternation(_DATA["since"])
_not_today = alternation(_DATA["not_today_after"])
_NOT_TODAY_BEFORE = key_set(_DATA["not_today_before"])
_REL = alternation([k for k in _DATA["relative_days"] if normalize_key(k) != "اليوم"])
_REL = f"(?:{_REL[3:-1]}|اليوم(?!\\s+{_not_today}(?!\\w)))"
_DAY = rf"(?:(?:ال)?[0-3]?\d(?!\d)|{alternation(_DATA['ordinal_days'])})"
_MONX = rf"(?P<{{p}}m>{_MON})(?:\s*\(\s*{_MON}\s*\)|\s*/\s*{_MON}|\s+{_MON}(?!\w))?"
_YEAR = r"(?:19|20)\d\d(?!\d)"
_YEARX = (
    rf"\s*,?\s*(?:\(\s*{_MON}\s*\)\s*)?(?:من\s+)?(?:{alternation(_DATA['year_words'])}\s+)?"
    rf"(?P<{{p}}y>{_YEAR})(?:\s*م(?!\w))?"
)
_YEARREL = rf"\s+(?P<{{p}}yq>(?:من\s+)?(?:العام|السنه)\s+{_Q}|(?:من\s+)?(?:هذا\s+العام|هذه\s+السنه))"
_COUNT = rf"(?:(?:ال)?\d+|{alternation(_DATA['count_words'])})"
_B = r"(?<!\w)"
_E = r"(?!\w)"

_PATTERN = "|".join(
    [
        # 20/7/2015, 2015-07-20
        rf"(?P<n>{_B}(?:(?P<n_since>{_SINCE_RE})\s+)?[وف]?(?:(?P<n_d>\d{{1,2}})\s*(?P<n_sep>[/.-])\s*"
        rf"(?P<n_m>\d{{1,2}})\s*(?P=n_sep)\s*(?P<n_y>{_YEAR})|(?P<n_iy>{_YEAR})-(?P<n_im>\d{{1,2}})-(?P<n_id>\d{{1,2}}))(?:\s*م)?{_E})",
        # (الاثنين) 27 (و28) يوليو (تموز) (2015 | الماضي)
        rf"(?P<d>{_B}(?:(?P<d_since>{_SINCE_RE})\s+)?(?:{_PART}\s+)?(?:(?:يوم\s+)?[وف]?(?P<d_wd>{_WD})\s*,?\s*)?(?:الموافق\s+)?"
        rf"(?:يوم\s+)?[وف]?(?P<d_d1>{_DAY})(?:\s*(?:و|-|\u2013|الى|حتى)\s*(?P<d_d2>{_DAY}))?\s*(?:من\s+)?(?:شهر\s+)?"
        + rf"(?:(?P<d_rel>الشهر\s+{_Q}|هذا\s+الشهر)|"
        + _MONX.format(p="d_")
        + rf")(?:{_YEARX.format(p='d_')}|{_YEARREL.format(p='d_')}|\s+(?P<d_q>{_Q}))?{_E})",
        # (منتصف) مايو (أيار) (2014 | الماضي)
        rf"(?P<m>{_B}(?:(?P<m_since>{_SINCE_RE})\s+)?(?:(?P<m_q0>{alternation(list(_DATA['month_parts']))})\s+)?"
        rf"(?:شهر\s+|شهري\s+)?[وف]?"
        + _MONX.format(p="m_")
        + rf"(?:{_YEARX.format(p='m_')}|{_YEARREL.format(p='m_')}|\s+(?P<m_q>{_Q}))?{_E})",
        # (صباح) (يوم) أمس (الجمعة)
        rf"(?P<r>{_B}(?:(?P<r_since>{_SINCE_RE})\s+)?(?:{_PART}\s+)?(?:يوم\s+)?[وف]?(?P<r_rel>{_REL})"
        rf"(?:\s*[,(]?\s*(?P<r_wd>{_WD})\)?)?{_E})",
        # (ليل) الأحد (- الاثنين) (الماضي)
        rf"(?P<w>{_B}(?:(?P<w_since>{_SINCE_RE})\s+)?(?:{_PART}\s+)?(?:(?:يوم|يومي)\s+)?[وف]?(?P<w_wd>{_WD})"
        rf"(?:(?:\s*(?:-|\u2013|/|و|الى|حتى)\s*|\s+)و?(?P<w_wd2>{_WD}))?(?:\s+(?P<w_q>{_QPN}))?{_E})",
        # هذا الأسبوع, الشهر الماضي, الأيام الثلاثة الماضية, الـ24 ساعة الماضية
        rf"(?P<p>{_B}(?:(?P<p_since>{_SINCE_RE})\s+)?(?:(?:{alternation(_DATA['this'])})\s+(?P<p_this>{alternation(_DATA['periods'])})"
        rf"|[وف]?(?P<p_unit>{alternation(_DATA['periods'])})\s+(?P<p_q>{_Q})"
        rf"|(?P<p_plural>{alternation(_DATA['plural_periods'])})\s+(?P<p_n>{_COUNT})\s+(?:{alternation(_DATA['past'])}|الاخيره)"
        rf"|(?P<p_n2>{_COUNT})\s+(?P<p_counted>{alternation(_DATA['counted_units'])})\s+(?:{alternation(_DATA['past'])}|الاخيره)){_E})",
        # قبل ثلاثة أسابيع, قبل يومين, قبل نحو شهر (not "قبل يوم من", "قبل شهر رمضان", "قبل عام 2011");
        # مرور عامين على (the time since what follows)
        rf"(?P<a>{_B}[وف]?(?:{alternation(_DATA['ago'])}|ب?(?P<a_elapsed>{alternation(_DATA['elapsed'])}))"
        rf"\s+(?:(?:{alternation(_DATA['ago_approx'])})\s+)?"
        rf"(?:(?P<a_n>{_COUNT})\s+(?P<a_counted>{alternation(_DATA['counted_units'])})"
        rf"|(?P<a_two>{alternation(_DATA['ago_duals'])})|(?P<a_one>{alternation(_DATA['ago_units'])}))"
        rf"(?:\s+(?:فقط|تقريبا))?{_E}(?(a_elapsed)(?=\s*(?:{alternation(_DATA['elapsed_link'])})(?!\w))"
        rf"|(?!\s*(?:\d|(?:{alternation(_DATA['ago_not_before'])}|{_MON}|{_WD})(?!\w)))))",
        # عام 1982, منذ 2011, في 2018, عامي 2011 و2012, 2011-2015
        rf"(?P<y>{_B}(?:(?P<y_cue>{alternation(_DATA['year_cues'])})\s+)?(?:(?P<y_word>{alternation(_DATA['year_words'])})\s+)?[وف]?"
        rf"(?P<y_1>{_YEAR})(?:\s*(?:و|-|الى|حتى|/)\s*(?:عام\s+)?(?P<y_2>{_YEAR}))?(?:\s*م(?!\w))?{_E})",
    ]
)
DATE_RE = re.compile(_PATTERN)

_PREV_WORD_RE = re.compile(r"(\w+)\W*$")


def _words_of(phrases: Any) -> set[str]:
    return {w for p in phrases for w in normalize_key(p).split()}


# Words that every expression contains (a month, a weekday, a relative day, a period word or a
# year): the regex is tried only around them, which keeps the layer far below a millisecond.
_ANCHOR_WORDS = (
    {normalize_key(k).split()[0] for k in _DATA["months"]}
    | {normalize_key(k).split()[-1] for k in _DATA["relative_days"]}
    | set(WEEKDAYS)
    | set(_PERIODS)
    | set(_PLURALS)
    | set(_COUNTED)
    | set(_AGO_ONE)
    | set(_AGO_TWO)
)
_YEARS = {str(y) for y in range(1900, 2100)}
_ANCHORS = frozenset(
    _ANCHOR_WORDS | {c + w for w in _ANCHOR_WORDS for c in "وفبل"} | _YEARS | {y + "م" for y in _YEARS}
)
# The anchors, tagged by the match stage (``match.word_set``): a document's are read from its tags.
_ANCHORS_LEXICON = word_set("dates.anchors", _ANCHORS)
# Words that may open an expression before its anchor ("منذ صباح يوم", "السابع من", "هذا").
_PREFIX_WORDS = (
    _words_of(_DATA["day_parts"] + _DATA["since"] + list(_DATA["month_parts"]) + _DATA["this"])
    | _words_of(_DATA["ordinal_days"])
    | _words_of(_DATA["count_words"])
    | _words_of(_DATA["year_words"] + _DATA["year_cues"])
    | _words_of(_DATA["ago"] + _DATA["ago_approx"] + _DATA["elapsed"])
    | {"ب" + w for w in _words_of(_DATA["elapsed"])}  # "بمرور عام على"
    | set(WEEKDAYS)
    | {"يوم", "يومي", "الموافق", "من", "شهر", "شهري", "و", "/", "-", ".", "(", ")"}
    | {str(d) for d in range(32)}
    | {f"{d:02d}" for d in range(10)}
    | {p + str(d) for d in range(32) for p in ("ال", "و", "ف")}
)
_PREFIXES = frozenset(_PREFIX_WORDS | {c + w for w in _PREFIX_WORDS for c in "وف"})
_MAX_PREFIX_WORDS = 6


_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _days_in(y: int, m: int) -> int:
    """The days of month ``m`` of year ``y``, as ``calendar.monthrange`` counts them (importing
    calendar, and locale with it, cost every start 1.2 ms)."""
    leap = m == 2 and y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)
    return _MONTH_DAYS[m - 1] + leap


def _last_day(y: int, m: int) -> date:
    return date(y, m, _days_in(y, m))


def _weekday_on_or_before(ref: date, wd: int) -> date:
    return ref - timedelta(days=(ref.weekday() - wd) % 7)


def _shift_month(y: int, m: int, k: int) -> tuple[int, int]:
    i = y * 12 + (m - 1) + k
    return i // 12, i % 12 + 1


def _qual(q: str | None) -> str | None:
    if q is None:
        return None
    q = re.sub(r"\s+", " ", q)
    return "past" if q in _PAST else "current" if q in _CURRENT else "next" if q in _NEXT else None


def _day_value(s: str) -> int:
    s = re.sub(r"\s+", " ", s)
    return int(s[2:]) if s.startswith("ال") and s[2:].isdigit() else int(s) if s.isdigit() else _ORDINALS[s]


def _count_value(s: str) -> int:
    s = re.sub(r"\s+", " ", s)
    digits = s[2:] if s.startswith("ال") else s
    return int(digits) if digits.isdigit() else _COUNT_WORDS[s]


def _month_year(m: int, q: str | None, pub: date) -> int:
    """Year of a month named without a year, relative to the published month."""
    if q == "past":
        return pub.year if m < pub.month else pub.year - 1
    if q == "next":
        return pub.year if m > pub.month else pub.year + 1
    if q == "current":
        return pub.year
    return pub.year if m <= pub.month else pub.year - 1


def _day_month_date(d: int, m: int, q: str | None, pub: date) -> date:
    """A day and month without a year: the most recent one not after ``pub`` by default."""
    if q == "next":
        y = pub.year if (m, d) > (pub.month, pub.day) else pub.year + 1
    elif q == "current":
        y = pub.year
    elif q == "past":
        y = pub.year if (m, d) < (pub.month, pub.day) else pub.year - 1
    else:
        y = pub.year if (m, d) <= (pub.month, pub.day) else pub.year - 1
    return date(y, m, d)


Resolved = tuple[date | None, date | None, str, str]
DateHit = tuple[int, int, dict[str, Any]]


def _resolve(m: re.Match[str], key: str, pub: date | None) -> Resolved | None:
    """``(first, last, precision, kind)`` of one match, or None when it is not a date."""
    g = m.groupdict()
    kind = m.lastgroup
    if kind == "r" and _that_day(key, m.start("r_rel")):
        return None
    if kind == "n":
        if g["n_y"]:
            y, mo, d = int(g["n_y"]), int(g["n_m"]), int(g["n_d"])
        else:
            y, mo, d = int(g["n_iy"]), int(g["n_im"]), int(g["n_id"])
        day = date(y, mo, d)
        return day, day, "day", "numeric"
    if kind == "d":
        d1 = _day_value(g["d_d1"])
        d2 = _day_value(g["d_d2"]) if g["d_d2"] else d1
        if d2 < d1:
            return None
        if g["d_rel"]:  # "العاشر من الشهر الجاري"
            if pub is None:
                return None, None, "day", "date"
            y, mo = _shift_month(pub.year, pub.month, _year_step(g["d_rel"]))
            return date(y, mo, d1), date(y, mo, d2), "day", "date"
        mo = MONTHS[re.sub(r"\s+", " ", g["d_m"])]
        if g["d_y"]:
            y = int(g["d_y"])
            return date(y, mo, d1), date(y, mo, d2), "day", "date"
        if pub is None:
            date(2000, mo, d2)  # still reject impossible days
            return None, None, "day", "date"
        if g["d_yq"]:
            y = pub.year + _year_step(g["d_yq"])
            return date(y, mo, d1), date(y, mo, d2), "day", "date"
        if g["d_wd"]:  # "الاثنين 27 يوليو": the year whose 27 July is a Monday, nearest to pub
            wd = WEEKDAYS[g["d_wd"]]
            years = [y for y in (pub.year, pub.year - 1, pub.year + 1) if _safe_weekday(y, mo, d2) == wd]
            if years:
                return date(years[0], mo, d1), date(years[0], mo, d2), "day", "date"
        last = _day_month_date(d2, mo, _qual(g["d_q"]), pub)
        return last.replace(day=d1), last, "day", "date"
    if kind == "m":
        name = re.sub(r"\s+", " ", g["m_m"])
        mo = MONTHS[name]
        q = _qual(g["m_q"])
        if name in _AMBIGUOUS_MONTHS and not (
            g["m_y"] or g["m_yq"] or q or g["m_q0"] or g["m_since"] or m.group("m") != name
        ):
            prev = _PREV_WORD_RE.search(key, max(0, m.start() - 20), m.start())
            if prev is None or prev.group(1) not in _MONTH_CUES:
                return None
        if g["m_y"]:
            y = int(g["m_y"])
        elif pub is None:
            return None, None, "month", "month"
        elif g["m_yq"]:
            y = pub.year + _year_step(g["m_yq"])
        else:
            y = _month_year(mo, q, pub)
        first, last = date(y, mo, 1), _last_day(y, mo)
        if g["m_q0"]:
            lo, hi = _MONTH_PARTS[re.sub(r"\s+", " ", g["m_q0"])]
            first, last = first.replace(day=lo), last.replace(day=min(hi, last.day))
        return first, last, "month", "month"
    if pub is None:
        if kind == "y":
            return _resolve_year(g, None)
        return None, None, "week" if kind == "p" and _period_unit(g) == "week" else "day", _kind(kind)
    if kind == "r":
        ref = pub + timedelta(days=_REL_DAYS[re.sub(r"\s+", " ", g["r_rel"])])
        if g["r_wd"]:
            ref = _weekday_on_or_before(ref, WEEKDAYS[g["r_wd"]])
        return ref, ref, "day", "relative_day"
    if kind == "w":
        q = _qual(g["w_q"])
        ref = pub - timedelta(days=1) if q == "past" else pub
        wd2 = g["w_wd2"]
        last_wd = WEEKDAYS[wd2 if wd2 else g["w_wd"]]
        if q == "next":
            last = pub + timedelta(days=(last_wd - pub.weekday() - 1) % 7 + 1)
        else:
            last = _weekday_on_or_before(ref, last_wd)
        first = last - timedelta(days=(last_wd - WEEKDAYS[g["w_wd"]]) % 7)
        return first, last, "day", "weekday"
    if kind == "p":
        return _resolve_period(g, pub)
    if kind == "a":
        return _resolve_ago(g, pub)
    return _resolve_year(g, pub, _heads_line(m, key))


def _year_step(text: str) -> int:
    """-1, 0 or 1 for "من العام الماضي" / "الحالي" / "المقبل"."""
    last = text.split()[-1]
    return -1 if last in _PAST else 1 if last in _NEXT else 0


def _safe_weekday(y: int, m: int, d: int) -> int | None:
    try:
        return date(y, m, d).weekday()
    except ValueError:
        return None


def _kind(group: str | None) -> str:
    return {"r": "relative_day", "w": "weekday", "p": "period", "y": "year", "a": "ago"}.get(
        group or "", "date"
    )


def _period_unit(g: dict[str, str | None]) -> str:
    if g["p_this"] or g["p_unit"]:
        return _PERIODS[g["p_this"] or g["p_unit"]]
    if g["p_plural"]:
        return _PLURALS[g["p_plural"]]
    return _COUNTED[g["p_counted"]]


def _resolve_period(g: dict[str, str | None], pub: date) -> Resolved:
    unit = _period_unit(g)
    q = "current" if g["p_this"] else _qual(g["p_q"])
    if g["p_n"] or g["p_n2"]:  # the last N units up to the published date
        n = _count_value(g["p_n"] or g["p_n2"])
        if unit in ("hour", "day"):
            days = max(1, -(-n // 24)) if unit == "hour" else n
            return pub - timedelta(days=days), pub, "day", "period"
        if unit == "week":
            return pub - timedelta(weeks=n), pub, "week", "period"
        if unit == "month":
            y, mo = _shift_month(pub.year, pub.month, -n)
            return date(y, mo, min(pub.day, _days_in(y, mo))), pub, "month", "period"
        return date(pub.year - n, 1, 1), pub, "year", "period"
    step = {"past": -1, "current": 0, "next": 1}.get(q or "current", 0)
    if unit == "week":
        if step == 0:  # the seven days up to publication: outlets disagree on the first weekday
            return pub - timedelta(days=6), pub, "week", "period"
        start = pub - timedelta(days=(pub.weekday() - _WEEK_START) % 7) + timedelta(weeks=step)
        return start, start + timedelta(days=6), "week", "period"
    if unit == "month":
        y, mo = _shift_month(pub.year, pub.month, step)
        return date(y, mo, 1), pub if step == 0 else _last_day(y, mo), "month", "period"
    y = pub.year + step
    return date(y, 1, 1), pub if step == 0 else date(y, 12, 31), "year", "period"


def _resolve_ago(g: dict[str, str | None], pub: date) -> Resolved:
    """The time ``n`` units before the report: the day for hours, days and weeks (a week's
    precision for weeks), the month or the year for longer spans."""
    if g["a_one"]:
        n, unit = 1, _AGO_ONE[g["a_one"]]
    elif g["a_two"]:
        n, unit = 2, _AGO_TWO[g["a_two"]]
    else:
        n, unit = _count_value(g["a_n"] or ""), _COUNTED[g["a_counted"] or ""]
    if unit in ("hour", "day", "week"):
        day = pub - timedelta(days=n // 24 if unit == "hour" else n * (7 if unit == "week" else 1))
        return day, day, "week" if unit == "week" else "day", "ago"
    if unit == "month":
        y, mo = _shift_month(pub.year, pub.month, -n)
        return date(y, mo, 1), _last_day(y, mo), "month", "ago"
    return date(pub.year - n, 1, 1), date(pub.year - n, 12, 31), "year", "ago"


_LINE_DASH = re.compile(r"[ \t]*[-–—:][ \t]")


def _heads_line(m: re.Match[str], key: str) -> bool:
    """ "2013 - إضراب عام في تونس": a bare year that opens a line or a sentence before a dash
    dates it (a "this day in history" list, its entries on lines or run together after full
    stops); elsewhere a bare number may be a count."""
    if m.lastgroup != "y" or m.group("y_2"):
        return False
    start = m.start("y_1")
    before = key[key.rfind("\n", 0, start) + 1 : start].rstrip()
    return (not before or before[-1] in ".:!?؟") and bool(_LINE_DASH.match(key, m.end("y_1")))


def _resolve_year(g: dict[str, str | None], pub: date | None, line_head: bool = False) -> Resolved | None:
    cue = re.sub(r"\s+", " ", g["y_cue"]) if g["y_cue"] else None
    if not (cue or g["y_word"] or g["y_2"] or line_head):
        return None
    y1 = int(g["y_1"])
    y2 = int(g["y_2"]) if g["y_2"] else y1
    if y2 < y1:
        return None
    return date(y1, 1, 1), date(y2, 12, 31), "year", "year"


def _matches(
    key: str, tokens: list[Token], to_key: Callable[[int], int], matches: Matches | None = None
) -> list[re.Match[str]]:
    """Non-overlapping DATE_RE matches, tried only at the word starts just before each anchor.

    Anchors are the tokens the match stage tagged (``matches``), or found by set lookups over the
    token keys; scanning the text with a regex of every anchor word, or ``str.find`` per word,
    costs several times more."""
    out: list[re.Match[str]] = []
    pos = 0
    for i in words_in(tokens, matches, _ANCHORS_LEXICON):
        a = to_key(tokens[i].start)
        if a < pos:
            continue
        j = i
        while j > 0 and i - j < _MAX_PREFIX_WORDS and tokens[j - 1].norm in _PREFIXES:
            j -= 1
        for k in range(j, i + 1):
            st = to_key(tokens[k].start)
            if st < pos or not tokens[k].norm[:1].isalnum():
                continue
            m = DATE_RE.match(key, st)
            if m is not None and m.end() > a:
                out.append(m)
                pos = m.end()
                break
    return out


def _historical(first: date | None, last: date | None, precision: str, published: date | None) -> bool:
    """Does the expression name a time before the report's year (background, not news)?

    Without a publication date the reference is today: a year two or more before the current
    one is past for any recent report ("مذبحة عام 1982", "احتجاجات 2011"). An undated archive
    of old articles should be run with ``--published``."""
    if first is None or last is None:
        return False
    if published is None:
        return last.year < date.today().year - 1
    return last.year < published.year or (precision == "year" and first.year < published.year)


def _that_day(key: str, start: int) -> bool:
    """ "في ذلك اليوم", "تلك الليلة": the day of something told before, not the news' day."""
    before = key[max(0, start - 8) : start].split()
    return bool(before) and before[-1] in _NOT_TODAY_BEFORE


def find_dates(
    text: str, published: date | None, tokens: list[Token] | None = None, matches: Matches | None = None
) -> list[DateHit]:
    """``(start, end, attrs)`` of every temporal expression in ``text`` (offsets into ``text``).

    ``tokens`` are this text's tokens when the tokens stage has already made them, ``matches``
    their matches when the match stage has (with this stage's lexicon)."""
    view = folded(text)
    key = view.key
    out: list[DateHit] = []
    if tokens is None:
        tokens, matches = tokenize(text), None
    for m in _matches(key, tokens, view.to_key, matches):
        try:
            res = _resolve(m, key, published)
        except (ValueError, KeyError, OverflowError):
            continue  # 31 June, a year 0 ...: not a date
        if res is None:
            continue
        first, last, precision, kind = res
        start = m.start()
        if key[start] in "وف":  # a leading conjunction is not part of the expression
            # (the rest of the text too: an expression may look past its end, "مرور عام على")
            inner = DATE_RE.match(key[start + 1 :])
            if inner is not None and inner.end() == m.end() - start - 1:
                start += 1
        g = m.groupdict()
        since = next(
            (g[k] for k in ("n_since", "d_since", "m_since", "r_since", "w_since", "p_since") if g.get(k)),
            None,
        )
        if m.lastgroup == "y" and g["y_cue"]:
            if re.sub(r"\s+", " ", g["y_cue"]) in _SINCE:
                since = g["y_cue"]
            else:
                start = m.start("y_word") if g["y_word"] else m.start("y_1")
        if since:
            kind = "since"
            if published is not None and first is not None and first <= published:
                last = published
        historical = _historical(first, last, precision, published)
        attrs = {
            "first": first.isoformat() if first else None,
            "last": last.isoformat() if last else None,
            "precision": precision,
            "kind": kind,
            "historical": historical,
        }
        out.append((view.start(start), view.end(m.end()), attrs))
    return out


def _quoted(text: str, start: int) -> bool:
    """Is ``start`` inside «...» on its line?"""
    line = text.rfind("\n", 0, start) + 1
    return text.rfind("«", line, start) > text.rfind("»", line, start)


@component(
    "temporal",
    requires=["tokens"],
    assigns=[
        Label(
            "date",
            "",
            {
                "first": (str | None, "ISO date, None when unresolved"),
                "last": (str | None, "ISO date, None when unresolved"),
                "precision": (str, "`day`/`week`/`month`/`year`"),
                "kind": (
                    str,
                    "`date`/`numeric`/`month`/`relative_day`/`weekday`/`period`/`year`/`since`/`ago`",
                ),
                "historical": (bool, "a year before the published one"),
            },
        )
    ],
)
def make_temporal() -> object:
    def temporal(doc: Document) -> Document:
        for start, end, attrs in find_dates(doc.clean, doc.published, doc.tokens or None, doc.matches):
            if doc.published is not None and attrs["kind"] == "relative_day" and _quoted(doc.clean, start):
                # «... اليوم ...»: the speaker's today, the day before a daily prints it, or that day
                day = date.fromisoformat(attrs["first"]) if attrs["first"] else None
                if day == doc.published:
                    attrs = {**attrs, "first": (day - timedelta(days=1)).isoformat()}
            doc.add(start, end, "date", **attrs)
        return doc

    temporal.lexicons = [_ANCHORS_LEXICON]  # type: ignore[attr-defined]  # compiled by the match stage
    return temporal
