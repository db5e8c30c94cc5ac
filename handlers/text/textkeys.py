"""Position-preserving comparison keys for Vietnamese text.

The importers find phrases (unit names, "trong năm 2021", numbering) in folded
text but must cut the result out of the original text (keeping diacritics and
case). :func:`aligned_key` folds character by character with
:func:`handlers.text.fold`, so index *i* of the key is character *i* of the
text; :func:`ocr_key` additionally repairs OCR digit/letter confusions without
changing the length.
"""

from __future__ import annotations

import re
from functools import lru_cache

from handlers.text.fold import fold, nfc

_OCR_ZERO = re.compile(r"(?<=[a-z])0|0(?=[a-z])")
_OCR_ONE = re.compile(r"(?<=[a-z])[1|]|[1|](?=[a-z])")


@lru_cache(maxsize=4096)
def _char_key(ch: str) -> str:
    if ch.isspace():
        return " "
    folded = fold(ch)
    return folded[0] if folded else " "


class _KeyTable(dict):
    """Code point → its one-character key, filled on first sight (``str.translate``)."""

    def __missing__(self, code: int) -> str:
        value = _char_key(chr(code))
        self[code] = value
        return value


_KEYS = _KeyTable()


def aligned_key(text: str) -> str:
    """``fold`` applied per character: same length as ``text`` (spaces kept)."""
    return text.translate(_KEYS)


def ocr_key(text: str) -> str:
    """Aligned key with OCR repairs: 0→o and 1/|→l next to letters."""
    return _OCR_ONE.sub("l", _OCR_ZERO.sub("o", aligned_key(text)))


def clean_spaces(text: str) -> str:
    """NFC and single spaces; used on every paragraph before matching."""
    return re.sub(r"\s+", " ", nfc(text)).strip()
