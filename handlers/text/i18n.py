"""Translations (gettext catalogs under locales/) and Vietnamese formatting.

Message ids are English; every user-facing string must have a Vietnamese
translation (a test checks the catalog). The ``.mo`` files are compiled from
the ``.po`` sources at start-up when missing or stale, so no binary is
committed and nobody has to remember a build step.
"""

from __future__ import annotations

import contextvars
import os
from contextlib import contextmanager
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Iterator

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_decimal, format_percent
from babel.support import NullTranslations, Translations

LOCALES_DIR = Path(__file__).resolve().parents[2] / "locales"
SUPPORTED = ("vi", "en")
DEFAULT_LOCALE = "vi"

_current: contextvars.ContextVar[str] = contextvars.ContextVar("locale", default=DEFAULT_LOCALE)


def compile_catalogs(locales_dir: Path = LOCALES_DIR) -> list[Path]:
    """Compile each ``messages.po`` whose ``.mo`` is missing or older."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    written = []
    for po in sorted(locales_dir.glob("*/LC_MESSAGES/messages.po")):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as fh:
            catalog = read_po(fh, locale=po.parent.parent.name)
        # Write aside and rename: another process never reads a half-written catalog.
        tmp = mo.with_name(f".{mo.name}.{os.getpid()}.tmp")
        with tmp.open("wb") as fh:
            write_mo(fh, catalog)
        os.replace(tmp, mo)
        written.append(mo)
    return written


@lru_cache(maxsize=None)
def translations(locale: str) -> NullTranslations:
    compile_catalogs()
    return Translations.load(str(LOCALES_DIR), [locale], domain="messages")


@lru_cache(maxsize=None)
def _babel(code: str) -> Locale:
    """Parsed once per locale: Babel would otherwise parse it on every figure."""
    return Locale.parse(code)


def current_locale() -> str:
    return _current.get()


@contextmanager
def use_locale(locale: str | None) -> Iterator[None]:
    """Translate everything inside the block into ``locale`` (a person's choice)."""
    token = _current.set(locale if locale in SUPPORTED else DEFAULT_LOCALE)
    try:
        yield
    finally:
        _current.reset(token)


def _(message: str) -> str:
    """Translate a message into the current person's language."""
    return translations(_current.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(_current.get()).ngettext(singular, plural, n)


def fmt_date(d: date | datetime | None, weekday: bool = False) -> str:
    """30/11/2026, or "thứ Hai, 30/11/2026" with ``weekday``."""
    if d is None:
        return "—"
    if isinstance(d, datetime):
        d = d.date()
    loc = _current.get()
    text = format_date(d, "dd/MM/yyyy", locale=_babel(loc))
    if weekday:
        day = format_date(d, "EEEE", locale=_babel(loc))
        if loc == "vi":  # "thứ Hai" mid-sentence, as in administrative writing
            day = day[:1].lower() + day[1:]
        text = f"{day}, {text}"
    return text


def _pattern(digits: int, trim: bool) -> str:
    """Babel pattern: ``trim`` drops trailing zeros (1,5 rather than 1,50)."""
    if not digits:
        return "#,##0"
    return "#,##0." + ("#" if trim else "0") * digits


def fmt_number(value: float, digits: int = 2, trim: bool = False, locale: str | None = None) -> str:
    """80,08 in Vietnamese; 80.08 in English; with ``trim`` 1,5 and 3 (no trailing zeros).
    ``locale`` pins the language for text that is always Vietnamese (a report to Sở Nội vụ)."""
    return format_decimal(value, format=_pattern(digits, trim), locale=_babel(locale or _current.get()))


def fmt_percent(ratio: float, digits: int = 2, trim: bool = False) -> str:
    """93,18% ; with ``trim`` 45% rather than 45,00%."""
    return format_percent(ratio, format=_pattern(digits, trim) + "%", locale=_babel(_current.get()))


def fmt_date_nd30(d: date | datetime) -> str:
    """A date as Nghị định 30/2020/NĐ-CP writes it in the body of an official letter:
    "ngày 15 tháng 6 năm 2026", "ngày 05 tháng 02 năm 2026" — a leading zero only
    for days below 10 and for months 1 and 2 (so "tháng 01" is never read as "tháng 10"
    or "tháng 11" misread from "tháng 1")."""
    if isinstance(d, datetime):
        d = d.date()
    day = f"{d.day:02d}" if d.day < 10 else str(d.day)
    month = f"{d.month:02d}" if d.month <= 2 else str(d.month)
    if _current.get() == "en":
        return format_date(d, "d MMMM yyyy", locale="en")
    return f"ngày {day} tháng {month} năm {d.year}"
