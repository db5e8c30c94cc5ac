"""Channel-neutral rendering fallbacks shared by all adapters.

The core writes replies as plain text with ``*bold*`` and rows of buttons;
each messenger has its own limits (text length, markup, buttons or not).
These helpers turn one reply into what a given channel can show, without
the core ever needing to know.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable

from handlers.core.messages import Reply

# ``*bold*``: the star must touch a non-space on the inside so that
# arithmetic such as "5 * 3 * 2" or a lone "*" stays literal.
_BOLD_RE = re.compile(r"\*(?=\S)([^*\n]*?\S)\*")

NUMBERED_HINT = "(Trả lời bằng số tương ứng để chọn.)"


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units: how Telegram counts its text limits."""
    return len(text.encode("utf-16-le")) // 2


def _fitting_prefix(text: str, limit: int, length: Callable[[str], int]) -> int:
    """Longest n such that ``length(text[:n]) <= limit`` (binary search)."""
    if length is len:
        return min(limit, len(text))
    lo, hi = 0, min(len(text), limit * 2)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if length(text[:mid]) <= limit:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _cut_position(window: str, limit_chars: int) -> tuple[int, int]:
    """Where to cut a too-long text: (end of this part, start of the next).

    Prefers a paragraph break, then a line break, in the second half of the
    window (so a part is never needlessly tiny), then the last whitespace
    anywhere. Falls back to a hard cut only when a
    single word is longer than the whole window.
    """
    half = limit_chars // 2
    for sep in ("\n\n", "\n"):
        pos = window.rfind(sep)
        if pos >= max(half, 1):
            return pos, pos + len(sep)
    pos = max(window.rfind(" "), window.rfind("\t"), window.rfind("\n"))
    if pos >= 0:  # at 0 the part is empty and skipped: only leading whitespace is dropped
        return pos, pos + 1
    return limit_chars, limit_chars


def split_text(text: str, limit: int, length: Callable[[str], int] = len) -> list[str]:
    """Split ``text`` into parts of at most ``limit`` (as measured by ``length``).

    Cuts on paragraph, line or space boundaries, never inside a word unless
    that word alone is longer than ``limit``. Only the whitespace at a cut
    is dropped; no other character is lost or reordered.
    """
    if limit < 1:
        raise ValueError("limit must be positive")
    if length(text) <= limit:
        return [text]
    parts: list[str] = []
    rest = text
    while length(rest) > limit:
        fit = max(_fitting_prefix(rest, limit, length), 1)
        # One character past the fitting prefix is included so that a
        # separator sitting exactly at the limit still gives a clean cut.
        end, start = _cut_position(rest[: fit + 1], fit)
        piece = rest[:end].rstrip()
        if piece:
            parts.append(piece)
        rest = rest[start:]
    if rest.strip():
        parts.append(rest)
    return parts or [""]


def strip_markup(text: str) -> str:
    """The core's ``*bold*`` without the stars, for channels with no markup."""
    return _BOLD_RE.sub(r"\1", text)


def to_telegram_html(text: str) -> str:
    """Escape user-controlled text for Telegram's HTML mode and render ``*bold*``.

    Only &, < and > are escaped (quotes are safe outside attributes), so a
    user's "<b>" or "R&D" is shown literally instead of breaking the message.
    """
    escaped = html.escape(text, quote=False)
    return _BOLD_RE.sub(r"<b>\1</b>", escaped)


def buttons_as_numbered(reply: Reply) -> tuple[str, dict[str, str]]:
    """Render buttons as "1. label" lines for channels without buttons.

    Returns the text to show and a mapping from the number a person types
    back ("1", "2", …) to the button's data. Shortcut buttons (the text says
    how to do the same in words) are left out.
    """
    labels = [button for row in reply.buttons for button in row if not button.shortcut]
    if not labels:
        return reply.text, {}
    mapping: dict[str, str] = {}
    lines = []
    for number, button in enumerate(labels, start=1):
        mapping[str(number)] = button.data
        lines.append(f"{number}. {button.label}")
    body = reply.text.rstrip()
    text = "\n".join(([body, ""] if body else []) + lines + ["", NUMBERED_HINT])
    return text, mapping


def resolve_numbered_choice(text: str, mapping: dict[str, str]) -> str | None:
    """The button data for an answer like "2", " 2.", "số 2"; None if it is not a choice."""
    match = re.fullmatch(r"\s*(?:s[ốo]\s*)?(\d{1,3})\s*[.)]?\s*", text, flags=re.IGNORECASE)
    if not match:
        return None
    return mapping.get(str(int(match.group(1))))
