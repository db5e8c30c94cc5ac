"""The one reader for a date a person typed in a chat message.

People propose or correct a date as "15/12", "15/12/2026", "15-12-26",
"ngày 15 tháng 12 (năm 2026)", "thứ sáu tuần này", "thứ 6 tuần sau",
"cuối tháng", "hết tháng 12", "cuối năm", "ngày mai", "ngày 20". The
extension request, the reply parser and the conclusion review's corrections
all read dates through :func:`read_date`, so "15/12" means the same day
everywhere.

Rules worth knowing:

* A date without a year is the *next* such date from today (typed on
  20/12, "15/1" is next January). Callers that must be able to refuse a date
  that has just passed pass ``past_days`` (e.g. 183: "20/11" typed on 23/11
  stays in November, and the extension flow says it has passed).
* A date more than :data:`HORIZON_YEARS` years ahead is not a date anyone
  proposes; it is ignored (``None``), so "15/12/2062" is asked back.
* Spans without an end ("tuần sau", "thêm 5 ngày") are not dates: ``None``.
* Document numbers ("59/KH-SKHCN") and percentages are never dates.

Pure: no database, no clock (``today`` is passed in).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from handlers.text.textkeys import aligned_key as aligned_fold  # index i of the key is character i of the text

HORIZON_YEARS = 3

_WEEKDAY = {"2": 0, "hai": 0, "3": 1, "ba": 1, "4": 2, "tu": 2, "5": 3, "nam": 3, "6": 4, "sau": 4, "7": 5, "bay": 5}
_MONTH_WORD = {"gieng": 1, "chap": 12, "mot": 1, "hai": 2, "ba": 3, "tu": 4, "nam": 5, "sau": 6, "bay": 7,
               "tam": 8, "chin": 9, "muoi": 10, "muoi mot": 11, "muoi hai": 12}
_MONTH = r"(\d{1,2}|muoi mot|muoi hai|gieng|chap|mot|hai|ba|tu|nam|sau|bay|tam|chin|muoi)"
_YEAR = r"(?:\s*(?:/|-|,)?\s*(?:nam\s+)?(\d{4}))?"

# dd/mm[/yyyy]: not part of a longer number, a document number or a percentage.
_NUMERIC = re.compile(r"(?<![\d/.,\-])(\d{1,2})\s*([/.\-])\s*(\d{1,2})(?:\s*\2\s*(\d{4}|\d{2}))?(?![\d%]|\s*%|\s*/\s*[a-z]|[.,]\d|\s*[/.\-]\s*\d)")
_WORDS = re.compile(r"\b(?:ngay\s+|mung\s+)?(\d{1,2})\s+thang\s+" + _MONTH + r"\b" + _YEAR)
_MONTH_END = re.compile(r"\b(?:cuoi|het|het ngay cuoi)\s+thang\s+" + _MONTH + r"\b(?!\s*ngay)" + _YEAR)
_THIS_MONTH_END = re.compile(r"\b(?:cuoi|het)\s+thang(?:\s+(nay|sau|toi))?\b(?!\s+\d)")
_YEAR_END = re.compile(r"\b(?:cuoi|het)\s+nam(?:\s+(nay|\d{4}))?\b")
_QUARTER_END = re.compile(r"\b(?:cuoi|het)\s+quy(?:\s+(nay|sau|iv|iii|ii|i|[1-4]))?\b")
_WEEK_END = re.compile(r"\b(?:cuoi|het)\s+tuan(?:\s+(nay|sau|toi))?\b")
_WEEKDAY_RE = re.compile(
    r"\b(?:thu\s*([2-7]|hai|ba|tu|nam|sau|bay)|(chu nhat|cn))\b(?:\s*(?:,\s*)?(?:tuan\s+(nay|sau|toi|ke tiep|tiep theo|truoc)))?"
)
# "t6 tuần sau": t + weekday number only next to "tuần" ("t6" alone is June in questions).
_SHORT_WEEKDAY = re.compile(r"\bt([2-7])\s+tuan\s+(nay|sau|toi|ke tiep|tiep theo|truoc)\b")
_TOMORROW = re.compile(r"\b(?:ngay mai|sang mai|chieu mai|(?<=den )mai|(?<=toi )mai)\b")
_AFTER_TOMORROW = re.compile(r"\bngay kia\b|\bngay mot\b")
_DAY_ONLY = re.compile(r"\b(?:ngay|mung)\s+(\d{1,2})\b(?!\s*(?:/|-|\.\d|thang|ngay|tuan|lam viec))")
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


@dataclass(frozen=True)
class DateMatch:
    """A date read from text, where it was written, and which rule read it."""

    value: date
    span: tuple[int, int]
    rule: str


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _month(word: str) -> int | None:
    value = int(word) if word.isdigit() else _MONTH_WORD.get(word)
    return value if value and 1 <= value <= 12 else None


def _year_of(text: str | None) -> int | None:
    if not text:
        return None
    y = int(text)
    return y + 2000 if y < 100 else y


def _next_such(today: date, month: int, day: int | None, past_days: int) -> date | None:
    """This year's date (or month end) unless it is more than ``past_days`` ago; then next year's."""
    for year in (today.year, today.year + 1):
        try:
            found = date(year, month, day) if day else month_end(year, month)
        except ValueError:
            if day == 29 and month == 2:
                continue  # 29/2 next leap year is too far; try the other year only
            return None
        if (today - found).days <= past_days:
            return found
    return None


def _dated(today: date, day: int, month: int | None, year: int | None, past_days: int) -> date | None:
    if month is None or not 1 <= day <= 31:
        return None
    if year is not None:
        try:
            return date(year, month, day)
        except ValueError:
            return None
    return _next_such(today, month, day, past_days)


def _quarter_end(today: date, word: str | None) -> date:
    q = (today.month - 1) // 3 + 1
    if word == "sau":
        q += 1
    elif word and word != "nay":
        q = {"i": 1, "ii": 2, "iii": 3, "iv": 4}.get(word) or int(word)
    year = today.year
    if q > 4:
        q, year = 1, year + 1
    found = month_end(year, q * 3)
    return found if found >= today else month_end(year + 1, q * 3)


def _weekday(today: date, index: int, rel: str | None) -> date:
    monday = today - timedelta(days=today.weekday())
    if rel in ("sau", "toi", "ke tiep", "tiep theo"):
        return monday + timedelta(days=7 + index)
    if rel == "truoc":
        return monday + timedelta(days=index - 7)
    if rel == "nay":
        return monday + timedelta(days=index)
    ahead = (index - today.weekday()) % 7 or 7  # a bare weekday: the next one after today
    return today + timedelta(days=ahead)


def _candidates(key: str, today: date, past_days: int):
    """Every (start, end, date, rule) the rules can read, in rule priority order."""
    for m in _ISO.finditer(key):
        try:
            yield m.start(), m.end(), date(int(m.group(1)), int(m.group(2)), int(m.group(3))), "iso"
        except ValueError:
            pass
    for m in _WORDS.finditer(key):
        d = _dated(today, int(m.group(1)), _month(m.group(2)), _year_of(m.group(3)), past_days)
        if d:
            yield m.start(), m.end(), d, "words"
    for m in _NUMERIC.finditer(key):
        d = _dated(today, int(m.group(1)), int(m.group(3)) if int(m.group(3)) <= 12 else None,
                   _year_of(m.group(4)), past_days)
        if d:
            yield m.start(), m.end(), d, "numeric"
    for m in _MONTH_END.finditer(key):
        month, year = _month(m.group(1)), _year_of(m.group(2))
        if month:
            d = month_end(year, month) if year else _next_such(today, month, None, past_days)
            if d:
                yield m.start(), m.end(), d, "month_end"
    for m in _THIS_MONTH_END.finditer(key):
        year, month = today.year, today.month
        if m.group(1) in ("sau", "toi"):
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        yield m.start(), m.end(), month_end(year, month), "month_end"
    for m in _YEAR_END.finditer(key):
        year = int(m.group(1)) if m.group(1) and m.group(1).isdigit() else today.year
        yield m.start(), m.end(), date(year, 12, 31), "year_end"
    for m in _QUARTER_END.finditer(key):
        yield m.start(), m.end(), _quarter_end(today, m.group(1)), "quarter_end"
    for m in _WEEK_END.finditer(key):
        d = _weekday(today, 4, "sau" if m.group(1) in ("sau", "toi") else "nay")
        yield m.start(), m.end(), d, "week_end"
    for m in _WEEKDAY_RE.finditer(key):
        index = 6 if m.group(2) else _WEEKDAY[m.group(1)]
        yield m.start(), m.end(), _weekday(today, index, m.group(3)), "weekday"
    for m in _SHORT_WEEKDAY.finditer(key):
        yield m.start(), m.end(), _weekday(today, _WEEKDAY[m.group(1)], m.group(2)), "weekday"
    for m in _TOMORROW.finditer(key):
        yield m.start(), m.end(), today + timedelta(days=1), "tomorrow"
    for m in _AFTER_TOMORROW.finditer(key):
        yield m.start(), m.end(), today + timedelta(days=2), "after_tomorrow"
    for m in _DAY_ONLY.finditer(key):
        day = int(m.group(1))
        if 1 <= day <= 31:
            d = None
            year, month = today.year, today.month
            for _ in range(3):
                try:
                    d = date(year, month, day)
                except ValueError:
                    d = None
                if d and (today - d).days <= past_days:
                    break
                year, month = (year + 1, 1) if month == 12 else (year, month + 1)
                d = None
            if d:
                yield m.start(), m.end(), d, "day_of_month"


def find_dates(text: str, today: date, past_days: int = 0) -> list[DateMatch]:
    """All dates in ``text``, leftmost first; overlapping readings keep the earlier rule's."""
    key = aligned_fold(text)
    horizon = date(today.year + HORIZON_YEARS, today.month, min(today.day, 28))
    taken: list[DateMatch] = []
    for start, end, value, rule in _candidates(key, today, past_days):
        if value > horizon:
            continue
        if any(start < t.span[1] and t.span[0] < end for t in taken):
            continue
        taken.append(DateMatch(value, (start, end), rule))
    return sorted(taken, key=lambda t: t.span[0])


def read_date(text: str, today: date, past_days: int = 0) -> DateMatch | None:
    """The first date a person wrote in ``text``, or None (see the module notes)."""
    found = find_dates(text, today, past_days)
    return found[0] if found else None
