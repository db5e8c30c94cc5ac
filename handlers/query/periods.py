"""Time words → an inclusive (first day, last day) period.

Rules are tried from the most specific ("từ 1/3 đến 15/3", "6 tháng đầu năm
2021") to the loosest (a bare "ngày 25"), and the first that matches wins;
its words are then blanked so later rules (units, conclusions) do not read
the same digits twice. dateparser is only a bounded fallback for foreign
month names, imported lazily because it is slow to load.

Decisions worth knowing: "tháng 5" without a year is May of the current
year even when that is in the past; "cuối tháng/tuần/năm/quý" runs from today
to the end of that month/week/year/quarter; "N ngày tới" is today … today+N;
"N ngày qua" is today−N … today; "tuần qua" = last week; a weekday ("thứ 6")
without a week is that day of the current week.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from .lexicon import NUMBER_WORDS

Period = tuple[date, date]


@dataclass(frozen=True)
class PeriodMatch:
    period: Period
    span: tuple[int, int]
    rule: str


# ---------------------------------------------------------------- calendar helpers


def month_bounds(year: int, month: int) -> Period:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def quarter_bounds(year: int, quarter: int) -> Period:
    first = 3 * (quarter - 1) + 1
    return date(year, first, 1), month_bounds(year, first + 2)[1]


def week_bounds(day: date, weeks_from_now: int = 0) -> Period:
    monday = day - timedelta(days=day.weekday()) + timedelta(weeks=weeks_from_now)
    return monday, monday + timedelta(days=6)


def shift_month(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _year(text: str | None, today: date) -> int | None:
    """A 2- or 4-digit year as written; None when absent or implausible."""
    if not text:
        return None
    value = int(text)
    if value < 100:
        value += 2000
    return value if 1990 <= value <= 2100 else None


_RELATIVE_YEAR = {"nay": 0, "ngoai": -1, "truoc": -1, "qua": -1, "roi": -1, "sau": 1, "toi": 1}
_RELATIVE = {"nay": 0, "truoc": -1, "roi": -1, "qua": -1, "sau": 1, "toi": 1, "ke tiep": 1, "tiep theo": 1, "ke": 1}
_REL = r"(nay|truoc|roi|qua|sau|toi|ke tiep|tiep theo|ke)"
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}

# A year written after a month, quarter or half: "/2021", "2021", "năm 2021", "năm ngoái".
_YEAR_SUFFIX = r"(?:\s*/\s*(?P<y1>\d{4})|\s+(?:nam\s+)?(?P<y2>(?:19|20)\d\d)|\s+nam\s+(?P<yr>nay|ngoai|truoc|qua|roi|sau|toi))?"


def _suffix_year(m: re.Match[str], today: date) -> int:
    if m.group("y1") or m.group("y2"):
        return _year(m.group("y1") or m.group("y2"), today) or today.year
    if m.group("yr"):
        return today.year + _RELATIVE_YEAR[m.group("yr")]
    return today.year


# ---------------------------------------------------------------- points inside "từ … đến …"

_POINT = (
    r"(?:\d{1,2}\s*[/.\-]\s*\d{1,2}(?:\s*[/.\-]\s*\d{2,4})?(?![\d/])"
    r"|(?:ngay\s+)?\d{1,2}\s+thang\s+\d{1,2}(?:\s+(?:nam\s+)?\d{4})?"
    r"|thang\s+\d{1,2}(?:\s*/\s*\d{4}|\s+nam\s+\d{4})?"
    r"|dau\s+(?:nam|thang|tuan|quy)(?:\s+nay)?|hom\s+nay|nay|bay\s+gio|hien\s+tai"
    r"|ngay\s+\d{1,2}(?![\d/])|\d{1,2}(?![\d/\s]))"
)
_RANGE = re.compile(
    rf"\btu\s+(?:ngay\s+)?(?P<a>{_POINT})\s*(?:den|toi|-)\s*(?:het\s+)?(?:ngay\s+)?(?P<b>{_POINT})"
    rf"|\b(?P<c>\d{{1,2}}\s*/\s*\d{{1,2}}(?:/\d{{2,4}})?)\s*(?:den|-)\s*(?P<d>\d{{1,2}}\s*/\s*\d{{1,2}}(?:/\d{{2,4}})?)(?![\d/])"
)
_DMY = re.compile(r"(\d{1,2})\s*[/.\-]\s*(\d{1,2})(?:\s*[/.\-]\s*(\d{2,4}))?$")
_D_THANG_M = re.compile(r"(?:ngay\s+)?(\d{1,2})\s+thang\s+(\d{1,2})(?:\s+(?:nam\s+)?(\d{4}))?$")
_THANG_M = re.compile(r"thang\s+(\d{1,2})(?:\s*/\s*(\d{4})|\s+nam\s+(\d{4}))?$")
_BARE_DAY = re.compile(r"(?:ngay\s+)?(\d{1,2})$")


@dataclass
class _Point:
    """One end of a range; day-only points borrow month and year from the other end."""

    start: date | None = None
    end: date | None = None
    day: int | None = None
    month: int | None = None
    year: int | None = None


def _point(text: str, today: date) -> _Point | None:
    text = text.strip()
    if text in ("nay", "hom nay", "bay gio", "hien tai"):
        return _Point(today, today, today.day, today.month, today.year)
    if text.startswith("dau"):
        if "nam" in text:
            d = date(today.year, 1, 1)
        elif "quy" in text:
            d = quarter_bounds(today.year, (today.month - 1) // 3 + 1)[0]
        elif "tuan" in text:
            d = week_bounds(today)[0]
        else:
            d = date(today.year, today.month, 1)
        return _Point(d, d, d.day, d.month, d.year)
    for rx in (_DMY, _D_THANG_M):
        m = rx.match(text)
        if m:
            return _Point(day=int(m.group(1)), month=int(m.group(2)), year=_year(m.group(3), today))
    m = _THANG_M.match(text)
    if m:
        month = int(m.group(1))
        if not 1 <= month <= 12:
            return None
        year = _year(m.group(2) or m.group(3), today)
        return _Point(month=month, year=year)
    m = _BARE_DAY.match(text)
    if m:
        return _Point(day=int(m.group(1)))
    return None


def _resolve_range(a: _Point, b: _Point, today: date) -> Period | None:
    b_year = b.year or a.year or today.year
    b_month = b.month or a.month or today.month
    a_month = a.month or b_month
    a_year = a.year or b_year
    if a.start is None:
        a.start = (
            _safe_date(a_year, a_month, a.day) if a.day else month_bounds(a_year, a_month)[0]
        )
    if b.end is None:
        b.end = _safe_date(b_year, b_month, b.day) if b.day else month_bounds(b_year, b_month)[1]
    if a.start is None or b.end is None:
        return None
    if a.start > b.end and a.year is None:
        a.start = _safe_date(a.start.year - 1, a.start.month, a.start.day)
    if a.start is None or a.start > b.end:
        return None
    return a.start, b.end


def _range(m: re.Match[str], today: date) -> Period | None:
    a_text = m.group("a") or m.group("c")
    b_text = m.group("b") or m.group("d")
    a, b = _point(a_text, today), _point(b_text, today)
    if a is None or b is None:
        return None
    if any(p.month is not None and not 1 <= p.month <= 12 for p in (a, b)):
        return None
    return _resolve_range(a, b, today)


# ---------------------------------------------------------------- one rule per form


def _half_year(m: re.Match[str], today: date) -> Period | None:
    year = _suffix_year(m, today)
    count = m.group("n")
    months = 6 if count in (None, "nua", "sau") else int(count) if count.isdigit() else NUMBER_WORDS.get(count, 6)
    if not 1 <= months <= 12:
        return None
    if m.group("side") == "dau":
        return date(year, 1, 1), month_bounds(year, months)[1]
    return date(year, 13 - months, 1), date(year, 12, 31)


def _quarter(m: re.Match[str], today: date) -> Period | None:
    q = _ROMAN[m.group("q")]
    return quarter_bounds(_suffix_year(m, today), q)


def _relative_quarter(m: re.Match[str], today: date) -> Period:
    q_index = today.year * 4 + (today.month - 1) // 3 + _RELATIVE[m.group(1)]
    return quarter_bounds(q_index // 4, q_index % 4 + 1)


def _full_date(m: re.Match[str], today: date) -> Period | None:
    year = _year(m.group(3), today) or today.year
    d = _safe_date(year, int(m.group(2)), int(m.group(1)))
    return (d, d) if d else None


def _iso_date(m: re.Match[str], today: date) -> Period | None:
    d = _safe_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    return (d, d) if d else None


def _month_year(m: re.Match[str], today: date) -> Period | None:
    month = int(m.group("m"))
    if not 1 <= month <= 12:
        return None
    return month_bounds(_suffix_year(m, today), month)


def _bare_month_year(m: re.Match[str], today: date) -> Period | None:
    month, year = int(m.group(1)), _year(m.group(2), today)
    if not 1 <= month <= 12 or year is None:
        return None
    return month_bounds(year, month)


def _relative_month(m: re.Match[str], today: date) -> Period:
    year, month = shift_month(today.year, today.month, _RELATIVE[m.group(1)])
    return month_bounds(year, month)


def _relative_week(m: re.Match[str], today: date) -> Period:
    return week_bounds(today, _RELATIVE[m.group(1)])


def _days(offset: int) -> Callable[[re.Match[str], date], Period]:
    def rule(m: re.Match[str], today: date) -> Period:
        d = today + timedelta(days=offset)
        return d, d

    return rule


def _count(word: str) -> int | None:
    if word.isdigit():
        return int(word)
    return NUMBER_WORDS.get(word)


def _next_days(m: re.Match[str], today: date) -> Period | None:
    n = _count(m.group("n"))
    if n is None or n > 3660:
        return None
    if m.group("unit") == "tuan":
        n *= 7
    elif m.group("unit") == "thang":
        year, month = shift_month(today.year, today.month, n)
        end = _safe_date(year, month, min(today.day, calendar.monthrange(year, month)[1]))
        return (today, end) if end else None
    if m.group("dir") in ("qua", "truoc", "gan day", "vua qua"):
        return today - timedelta(days=n), today
    return today, today + timedelta(days=n)


def _year_rule(m: re.Match[str], today: date) -> Period | None:
    if m.group("rel"):
        year = today.year + _RELATIVE_YEAR[m.group("rel")]
    else:
        year = _year(m.group("y"), today)
        if year is None:
            return None
    return date(year, 1, 1), date(year, 12, 31)


def _since_start(m: re.Match[str], today: date) -> Period:
    what = m.group(1)
    if what == "nam":
        start = date(today.year, 1, 1)
    elif what == "quy":
        start = quarter_bounds(today.year, (today.month - 1) // 3 + 1)[0]
    elif what == "tuan":
        start = week_bounds(today)[0]
    else:
        start = date(today.year, today.month, 1)
    return start, today


def _until_end(m: re.Match[str], today: date) -> Period:
    what = m.group(1)
    if what == "nam":
        end = date(today.year, 12, 31)
    elif what == "quy":
        end = quarter_bounds(today.year, (today.month - 1) // 3 + 1)[1]
    elif what == "tuan":
        end = week_bounds(today)[1]
    else:
        end = month_bounds(today.year, today.month)[1]
    return today, end


_WEEKDAYS = {"2": 0, "hai": 0, "3": 1, "ba": 1, "4": 2, "tu": 2, "5": 3, "nam": 3, "6": 4, "sau": 4, "7": 5, "bay": 5}


def _weekday(m: re.Match[str], today: date) -> Period:
    index = 6 if m.group("cn") else _WEEKDAYS[m.group("wd")]
    monday = week_bounds(today, _RELATIVE[m.group("rel")] if m.group("rel") else 0)[0]
    d = monday + timedelta(days=index)
    return d, d


def _day_of_month(m: re.Match[str], today: date) -> Period | None:
    d = _safe_date(today.year, today.month, int(m.group(1)))
    return (d, d) if d else None


# Ordered: the first rule that matches decides the period.
_RULES: list[tuple[str, re.Pattern[str], Callable[[re.Match[str], date], Period | None]]] = [
    ("range", _RANGE, _range),
    (
        "since_start",
        re.compile(r"\b(?:tu\s+)?dau\s+(nam|thang|tuan|quy)(?:\s+nay)?\s+(?:den|toi)\s+(?:nay|hom nay|bay gio|hien tai)\b"
                   r"|\btu\s+dau\s+(nam|thang|tuan|quy)(?:\s+nay)?\b"),
        lambda m, t: _since_start(_Group1(m), t),
    ),
    (
        "half_year",
        re.compile(r"\b(?:(?P<n>\d{1,2}|sau|chin|ba)\s+thang|nua)\s+(?P<side>dau|cuoi)\s+nam" + _YEAR_SUFFIX),
        _half_year,
    ),
    ("quarter", re.compile(r"\b(?:quy|q)\s*(?P<q>iii|ii|iv|i|[1-4])\b" + _YEAR_SUFFIX), _quarter),
    ("relative_quarter", re.compile(rf"\bquy\s+{_REL}\b"), _relative_quarter),
    ("date_words", re.compile(r"\b(?:ngay\s+)?(\d{1,2})\s+thang\s+(\d{1,2})(?:\s+(?:nam\s+)?(\d{4}))?\b"), _full_date),
    ("iso_date", re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b"), _iso_date),
    ("month", re.compile(r"\bthang\s+(?P<m>\d{1,2})(?![\d/.\-]\d{1,2}\b)" + _YEAR_SUFFIX), _month_year),
    ("date", re.compile(r"(?<![\d/])(\d{1,2})\s*[/.\-]\s*(\d{1,2})(?:\s*[/.\-]\s*(\d{4}|\d{2}))?(?![\d/])"), _full_date),
    ("month_year", re.compile(r"(?<![\d/])(\d{1,2})\s*/\s*(\d{4})(?![\d/])"), _bare_month_year),
    ("until_end", re.compile(r"\bcuoi\s+(thang|tuan|nam|quy)(?:\s+nay)?\b(?!\s+\d)"), _until_end),
    ("relative_month", re.compile(rf"\bthang\s+{_REL}\b"), _relative_month),
    (
        "weekday",
        re.compile(rf"\b(?:thu\s+(?P<wd>[2-7]|hai|ba|tu|nam|sau|bay)|(?P<cn>chu nhat))\b(?:\s+tuan\s+{_REL.replace('(', '(?P<rel>', 1)})?"),
        _weekday,
    ),
    ("relative_week", re.compile(rf"\btuan\s+{_REL}\b"), _relative_week),
    ("today", re.compile(r"\b(?:hom nay|bua nay|ngay hom nay)\b"), _days(0)),
    ("yesterday", re.compile(r"\b(?:hom qua|bua qua)\b"), _days(-1)),
    ("before_yesterday", re.compile(r"\bhom kia\b"), _days(-2)),
    ("tomorrow", re.compile(r"\b(?:ngay mai|mai)\b"), _days(1)),
    ("after_tomorrow", re.compile(r"\b(?:ngay kia|ngay mot)\b"), _days(2)),
    (
        "next_days",
        re.compile(
            r"\b(?P<n>\d{1,3}|mot|hai|ba|bon|nam|sau|bay|tam|chin|muoi)\s+(?P<unit>ngay|tuan|thang)"
            r"(?:\s+lam viec)?\s+(?P<dir>sap toi|toi|nua|ke tiep|tiep theo|qua|truoc|gan day|vua qua)\b"
        ),
        _next_days,
    ),
    (
        "year",
        re.compile(r"\bnam\s+(?:(?P<rel>nay|ngoai|truoc|qua|roi|sau|toi)|(?P<y>(?:19|20)\d\d))\b|\b(?P<y2>20\d\d)\b"),
        lambda m, t: _year_rule(_YearMatch(m), t),
    ),
    ("day_of_month", re.compile(r"\bngay\s+(\d{1,2})\b(?![/.\-]\d)"), _day_of_month),
]


class _Group1:
    """Lets the two alternatives of the since_start pattern share one handler."""

    def __init__(self, m: re.Match[str]) -> None:
        self._m = m

    def group(self, _: int) -> str:
        return self._m.group(1) or self._m.group(2)


class _YearMatch:
    """Merges the "năm 2021" and bare "2021" alternatives of the year rule."""

    def __init__(self, m: re.Match[str]) -> None:
        self._m = m

    def group(self, name: str) -> str | None:
        if name == "y":
            return self._m.group("y") or self._m.group("y2")
        return self._m.group(name)


_FOREIGN_DATE = re.compile(
    r"\b(?:\d{1,2}\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*(?:\s+\d{4})?"
    r"|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\s+\d{1,2}(?:\s+\d{4})?)\b"
)


def find_period(text: str, now: datetime) -> PeriodMatch | None:
    """The period named in canonical text, or None when no time words."""
    today = now.date()
    foreign = _dateparser_fallback(text, now)  # cheap regex gate; rarely calls dateparser
    if foreign:
        return foreign
    for name, pattern, rule in _RULES:
        for m in pattern.finditer(text):
            period = rule(m, today)
            if period is not None:
                return PeriodMatch(period, m.span(), name)
    return None


def _dateparser_fallback(text: str, now: datetime) -> PeriodMatch | None:
    """Ask dateparser about one short date-like fragment only, and never fail."""
    m = _FOREIGN_DATE.search(text)
    if not m:
        return None
    fragment = m.group(0)[:40]
    try:
        import dateparser  # lazy: ~60 ms to import, needed by almost no message

        parsed = dateparser.parse(
            fragment,
            languages=["vi", "en"],
            settings={
                "RELATIVE_BASE": now.replace(tzinfo=None),
                "DATE_ORDER": "DMY",
                "REQUIRE_PARTS": ["day", "month"],
            },
        )
    except Exception:  # noqa: BLE001 - a library failure must not fail the parse
        return None
    if parsed is None:
        return None
    d = parsed.date()
    return PeriodMatch((d, d), m.span(), "dateparser")
