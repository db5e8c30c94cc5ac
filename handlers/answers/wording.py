"""Headings and empty answers worded the same way for tasks and dossiers."""

from __future__ import annotations

import calendar as month_calendar
from datetime import date

from handlers.answers.scope import Scope
from handlers.text.i18n import _, fmt_date


def period_phrase(period: tuple[date, date] | None) -> str | None:
    """'tháng 11/2026', 'ngày 25/12/2026', 'quý IV/2026', 'từ 01/03/2026 đến 15/03/2026'."""
    if period is None:
        return None
    start, end = period
    if start == end:
        return _("on {date}").format(date=fmt_date(start))
    last_day = month_calendar.monthrange(start.year, start.month)[1]
    if start.day == 1 and end == start.replace(day=last_day):
        return _("month {month}").format(month=f"{start.month}/{start.year}")
    if (start.month, start.day) == (1, 1) and (end.month, end.day) == (12, 31) and start.year == end.year:
        return _("year {year}").format(year=start.year)
    quarter_end_month = start.month + 2
    if (start.day == 1 and start.month in (1, 4, 7, 10) and start.year == end.year and end.month == quarter_end_month
            and end.day == month_calendar.monthrange(end.year, end.month)[1]):
        roman = {1: "I", 4: "II", 7: "III", 10: "IV"}[start.month]
        return _("quarter {quarter}/{year}").format(quarter=roman, year=start.year)
    return _("from {start} to {end}").format(start=fmt_date(start), end=fmt_date(end))


def heading(what: str, scope: Scope, period: tuple[date, date] | None, extra: str | None = None) -> str:
    """'Hồ sơ trễ hạn của Chi cục TĐC — tháng 11/2026'."""
    text = what
    if scope.owner_name:
        text += " " + _("of {unit}").format(unit=scope.owner_name)
    if extra:
        text += f" — {extra}"
    phrase = period_phrase(period)
    if phrase:
        text += f" — {phrase}"
    return text


def nothing_found(what: str, scope: Scope, period: tuple[date, date] | None) -> str:
    """'Không có hồ sơ trễ hạn trong tháng 11/2026.'"""
    subject = what[:1].lower() + what[1:]
    if scope.owner_name:
        subject += " " + _("of {unit}").format(unit=scope.owner_name)
    phrase = period_phrase(period)
    if phrase:
        return _("There are no {what} in {period}.").format(what=subject, period=phrase)
    return _("There are no {what}.").format(what=subject)
