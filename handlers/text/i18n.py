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
    text = format_date(d, "dd/MM/yyyy", locale=loc)
    if weekday:
        day = format_date(d, "EEEE", locale=loc)
        if loc == "vi":  # "thứ Hai" mid-sentence, as in administrative writing
            day = day[:1].lower() + day[1:]
        text = f"{day}, {text}"
    return text


def fmt_number(value: float, digits: int = 2, locale: str | None = None) -> str:
    """80,08 in Vietnamese; 80.08 in English. ``locale`` pins the language for
    text that is always Vietnamese (a report to Sở Nội vụ)."""
    pattern = "#,##0." + "0" * digits if digits else "#,##0"
    return format_decimal(value, format=pattern, locale=locale or _current.get())


def fmt_percent(ratio: float, digits: int = 2) -> str:
    pattern = "#,##0." + "0" * digits + "%" if digits else "#,##0%"
    return format_percent(ratio, format=pattern, locale=_current.get())
