"""What comes in from a messenger is cleaned and bounded here, once.

Messengers pass through almost anything: a NUL byte (which PostgreSQL
refuses in a text column, so the whole message used to fail), terminal
control characters, right-to-left overrides that make a name read
backwards. :func:`clean_message` strips them from every text field of an
:class:`IncomingMessage` before the core looks at it, so no feature has to
think about it. :func:`too_long` checks a value against the column it will
be stored in, and :func:`beyond_horizon` keeps typed dates within a few
years, so "31/12/2100" is refused with a clear line instead of stored.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from datetime import date

from handlers.core.messages import IncomingMessage

#: How far ahead a typed date (an extension, a corrected deadline) may go.
MAX_YEARS_AHEAD = 3
#: Longest file name kept (the evidence table's column is 255 characters).
MAX_FILE_NAME = 255

# Bidirectional overrides and isolates: invisible, and they make text lie about its order.
_BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_STRIP = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f" + _BIDI + "\ufeff\ufffe\uffff]")


def clean_text(text: str | None) -> str | None:
    """``text`` without NUL, control characters (tab and line breaks kept) or
    bidirectional overrides; CR LF and lone CR become LF, and the result is NFC."""
    if text is None:
        return None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", _STRIP.sub("", text))


def clean_file_name(name: str) -> str:
    """A file name safe to show and store: cleaned, single-line, at most 255 characters (suffix kept)."""
    name = (clean_text(name) or "").replace("\n", " ").replace("\t", " ").strip() or "tep"
    if len(name) <= MAX_FILE_NAME:
        return name
    stem, dot, suffix = name.rpartition(".")
    if dot and 0 < len(suffix) <= 10:
        return stem[: MAX_FILE_NAME - len(suffix) - 1] + "." + suffix
    return name[:MAX_FILE_NAME]


def clean_message(msg: IncomingMessage) -> IncomingMessage:
    """The same message with every text field cleaned (see :func:`clean_text`)."""
    attachment = msg.attachment
    if attachment is not None and attachment.file_name != clean_file_name(attachment.file_name):
        attachment = replace(attachment, file_name=clean_file_name(attachment.file_name))
    cleaned = replace(
        msg,
        text=clean_text(msg.text) or "",
        button_data=clean_text(msg.button_data),
        sender_name=clean_text(msg.sender_name),
        sender_id=clean_text(msg.sender_id) or "",
        chat_id=clean_text(msg.chat_id) or "",
        attachment=attachment,
    )
    return cleaned if cleaned != msg else msg


def column_length(column) -> int | None:
    """The declared length of a String column (``Person.name`` → 255), None for Text."""
    return getattr(getattr(column, "type", None), "length", None)


def too_long(value: str | None, column) -> int | None:
    """The column's limit when ``value`` does not fit in it, else None."""
    limit = column_length(column)
    if value is not None and limit is not None and len(value) > limit:
        return limit
    return None


def horizon(today: date) -> date:
    """The last date a person may type for a deadline (three years ahead)."""
    try:
        return today.replace(year=today.year + MAX_YEARS_AHEAD)
    except ValueError:  # 29 February
        return today.replace(year=today.year + MAX_YEARS_AHEAD, day=28)


def beyond_horizon(value: date, today: date) -> bool:
    """True when ``value`` lies further ahead than :data:`MAX_YEARS_AHEAD` years."""
    return value > horizon(today)


__all__ = ["clean_message", "clean_text", "clean_file_name", "too_long", "column_length",
           "horizon", "beyond_horizon", "MAX_YEARS_AHEAD"]
