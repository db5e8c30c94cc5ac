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


def strip_diacritics(text: str) -> str:
    """Remove Vietnamese tone and vowel marks, keeping case; đ/Đ become d/D."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return unicodedata.normalize(
        "NFC", "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    )


def fold(text: str) -> str:
    """Lower case, no diacritics, đ→d, single spaces, trimmed.

    This is the comparison key for all Vietnamese matching in the project.
    """
    return _SPACES.sub(" ", strip_diacritics(nfc(text)).lower()).strip()
