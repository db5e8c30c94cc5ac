"""Deadlines, recurrence and targets as Vietnamese documents state them.

Conclusions rarely give a bare date: they say "trong năm 2021", "trước ngày
30/6", "trong quý III", "hàng tháng", "thường xuyên". A period means "by its
last day", so each phrase resolves to one date (or to a recurrence with no
date). All matching runs on folded keys so OCR text without diacritics reads
the same.
"""

from __future__ import annotations

import calendar
import re
from datetime import date

from handlers.text.textkeys import aligned_key

ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}
RECURRENCE_WORDS = {"tuan": "weekly", "thang": "monthly", "quy": "quarterly", "nam": "yearly"}

_CUE = r"(?:truoc|cham nhat(?: la)?|han chot(?: la)?|thoi han(?: hoan thanh)?(?: la)?:?|hoan thanh(?: truoc)?|xong truoc|den het)"
_DMY = r"(\d{1,2})\s*[/.-]\s*(\d{1,2})(?:\s*[/.-]\s*(\d{4}))?"
_DMY_WORDS = r"(\d{1,2}) thang (\d{1,2})(?: nam (\d{4}))?"
_DATE_CUED = re.compile(rf"(?<![a-z]){_CUE}\s+(?:ngay\s+)?(?:{_DMY}|{_DMY_WORDS})(?![\d/])")
_QUARTER = re.compile(r"(?<![a-z])(trong|truoc|het|cuoi|hoan thanh trong)\s+quy\s+(iv|i{1,3}|[1-4])(?![a-z\d])(?:\s*(?:/|nam)\s*(\d{4}))?")
_MONTH_CUED = re.compile(r"(?<![a-z])(trong|truoc|het|cuoi|hoan thanh trong)\s+thang\s+(\d{1,2})(?!\d)(?:\s*(?:/|nam)\s*(\d{4}))?")
_MONTH_BARE = re.compile(r"(?<![\d/])(?<!ngay \d)(?<!ngay \d\d)thang\s+(\d{1,2})\s*/\s*(\d{4})")
_YEAR = re.compile(r"(?<![a-z])(trong|truoc|het|cuoi|hoan thanh trong)\s+nam\s+(\d{4}|nay)(?!\d)")
_YEAR_END = re.compile(r"(?<![a-z])(?:cuoi|het)\s+nam(?!\s+\d)(?! nay)")
_HALF = re.compile(r"(?<![a-z])6 thang (dau|cuoi) nam(?: (\d{4}))?")

_RECUR = re.compile(r"(?<![a-z])(?:dinh ky\s+)?(?:hang|moi)\s+(tuan|thang|quy|nam)(?![a-z])")
_RECUR_VERBS = (
    "bao cao", "thuc hien", "to chuc", "kiem tra", "cap nhat", "ra soat", "tong hop", "gui",
    "hop", "giao ban", "theo doi", "danh gia", "cong khai", "dang tai", "xay dung", "ban hanh",
)
ONGOING = re.compile(r"(?<![a-z])thuong xuyen(?![a-z])")

_TARGET = re.compile(
    r"[≥≤]|>=|<=|\d+(?:[.,]\d+)?\s*%|(?<![a-z])(?:toi thieu|it nhat|khong duoi|khong thap hon|khong it hon)\s+\d"
    r"|(?<![a-z])dat\s+(?:tren\s+|tu\s+)?\d"
)
_QUOTED = re.compile(r"[“\"][^“”\"]{0,400}[”\"]")
_CLAUSES = re.compile(r"(?<=[.;])\s+|\n|,\s+")


def end_of_month(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def end_of_quarter(year: int, quarter: int) -> date:
    return end_of_month(year, quarter * 3)


def _safe(year: int | None, month: int, day: int | None = None) -> date | None:
    if year is None or not 1 <= month <= 12:
        return None
    try:
        return date(year, month, day) if day else end_of_month(year, month)
    except ValueError:
        return None


def find_deadline(text: str, year: int | None, not_before: date | None = None) -> date | None:
    """The first stated deadline in ``text``; ``year`` fills in "trước ngày 30/6".

    Dates without a cue word ("Công văn số 2737/SNV ngày 25/12/2020") are
    references, not deadlines, and are ignored; so are quoted titles
    ("…trong năm 2021”") and periods that ended before ``not_before`` (the
    document date: "đạt điểm thấp trong năm 2020" is history, not a due date).
    """
    key = _QUOTED.sub(lambda m: " " * len(m.group()), aligned_key(text))
    found: list[tuple[int, date]] = []
    for m in _DATE_CUED.finditer(key):
        d, mo, y = (m.group(1), m.group(2), m.group(3)) if m.group(1) else (m.group(4), m.group(5), m.group(6))
        hit = _safe(int(y) if y else year, int(mo), int(d))
        if hit:
            found.append((m.start(), hit))
    for m in _QUARTER.finditer(key):
        q = ROMAN[m.group(2)]
        y = int(m.group(3)) if m.group(3) else year
        if y is None:
            continue
        if m.group(1) == "truoc":
            hit = end_of_quarter(y, q - 1) if q > 1 else date(y - 1, 12, 31)
        else:
            hit = end_of_quarter(y, q)
        found.append((m.start(), hit))
    for m in _MONTH_CUED.finditer(key):
        y = int(m.group(3)) if m.group(3) else year
        mo = int(m.group(2))
        if m.group(1) == "truoc" and y is not None and 1 <= mo <= 12:
            hit = _safe(y, mo - 1) if mo > 1 else date(y - 1, 12, 31)
        else:
            hit = _safe(y, mo)
        if hit:
            found.append((m.start(), hit))
    for m in _MONTH_BARE.finditer(key):
        hit = _safe(int(m.group(2)), int(m.group(1)))
        if hit:
            found.append((m.start(), hit))
    for m in _YEAR.finditer(key):
        y = year if m.group(2) == "nay" else int(m.group(2))
        if y is not None:
            found.append((m.start(), date(y - 1, 12, 31) if m.group(1) == "truoc" else date(y, 12, 31)))
    for m in _HALF.finditer(key):
        y = int(m.group(2)) if m.group(2) else year
        if y is not None:
            found.append((m.start(), date(y, 6, 30) if m.group(1) == "dau" else date(y, 12, 31)))
    if year is not None:
        found.extend((m.start(), date(year, 12, 31)) for m in _YEAR_END.finditer(key))
    found = [f for f in found if not_before is None or f[1] >= not_before]
    return min(found)[1] if found else None


def has_explicit_date(text: str) -> bool:
    """A cued day/month date (not a period): kept even for recurring tasks."""
    return bool(_DATE_CUED.search(aligned_key(text)))


def find_recurrence(text: str) -> str | None:
    """'weekly'/'monthly'/'quarterly'/'yearly' when the task itself repeats.

    "hàng năm" that qualifies something else ("xếp loại công chức hàng năm")
    is not the task's rhythm, so the phrase counts only at the start of a
    clause, after "định kỳ", or right after a doing/reporting verb.
    """
    key = aligned_key(text)
    for m in _RECUR.finditer(key):
        if m.group().startswith("dinh ky"):
            return RECURRENCE_WORDS[m.group(1)]
        before = key[max(0, m.start() - 40) : m.start()].rstrip()
        if not before or before[-1] in ".,;:-(\n" or before.endswith(_RECUR_VERBS):
            return RECURRENCE_WORDS[m.group(1)]
    return None


def recurrence_anywhere(text: str) -> str | None:
    """Recurrence of a short cell ("hàng tháng"): any mention counts."""
    m = _RECUR.search(aligned_key(text))
    return RECURRENCE_WORDS[m.group(1)] if m else None


def is_ongoing(text: str) -> bool:
    return bool(ONGOING.search(aligned_key(text)))


def find_target(text: str) -> str | None:
    """The clauses that state a measurable target ("đạt ≥ 50% …"), joined by '; '."""
    out: list[str] = []
    for clause in _CLAUSES.split(text):
        clause = clause.strip(" .;:-")
        if clause and _TARGET.search(aligned_key(clause)) and clause not in out:
            out.append(clause)
    return "; ".join(out) or None
