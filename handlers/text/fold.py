"""The one place where Vietnamese text is normalised for comparison.

Users type with and without diacritics, OCR drops them, phones insert odd
spaces. Every matcher (query parser, importers, unit lookup) compares text
only after passing it through :func:`fold`, so the rules live here once.
"""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def nfc(text: str) -> str:
    """Compose characters so that 'ế' typed two ways compares equal."""
    return unicodedata.normalize("NFC", text)


def _strip_char(ch: str) -> str:
    decomposed = unicodedata.normalize("NFD", ch.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn")


class _StripTable(dict):
    """Code point → same letter without marks, filled on first sight: one
    ``str.translate`` pass instead of a Python loop over decomposed text."""

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        value = ch if code < 0x80 else _strip_char(ch)
        self[code] = value
        return value


_STRIP = _StripTable()


def strip_diacritics(text: str) -> str:
    """Remove Vietnamese tone and vowel marks, keeping case; đ/Đ become d/D."""
    if text.isascii():
        return text
    return unicodedata.normalize("NFC", nfc(text).translate(_STRIP))


def fold(text: str) -> str:
    """Lower case, no diacritics, đ→d, single spaces, trimmed.

    This is the comparison key for all Vietnamese matching in the project.
    """
    return _SPACES.sub(" ", strip_diacritics(nfc(text)).lower()).strip()
