"""Turn a channel-neutral :class:`Reply` into the Telegram messages that carry it.

Pure functions, no network: easy to test and shared by answers and
outbound notifications alike.
"""

from __future__ import annotations

from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.rendering import split_text, strip_markup, to_telegram_html, utf16_len
from handlers.core.messages import Attachment, Button, Reply

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64  # bytes


@dataclass(frozen=True)
class OutgoingPart:
    """One Telegram message: text (HTML + plain fallback), optional file and keyboard."""

    html: str
    plain: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    attachment: Attachment | None = None

    @property
    def method(self) -> str:
        if self.attachment is None:
            return "text"
        return "photo" if self.attachment.kind == "photo" else "document"


def keyboard(rows: tuple[tuple[Button, ...], ...] | list[list[Button]]) -> InlineKeyboardMarkup | None:
    """An inline keyboard, or None when there are no buttons."""
    built = [[InlineKeyboardButton(b.label, callback_data=b.data) for b in row] for row in rows if row]
    return InlineKeyboardMarkup(built) if built else None


def invalid_button_data(reply: Reply) -> list[str]:
    """Button data Telegram would refuse (empty or over 64 bytes)."""
    return [b.data for row in reply.buttons for b in row
            if not b.data or len(b.data.encode("utf-8")) > MAX_CALLBACK_DATA]


def _part(text: str, buttons: tuple = (), attachment: Attachment | None = None) -> OutgoingPart:
    return OutgoingPart(html=to_telegram_html(text), plain=strip_markup(text), buttons=buttons,
                        attachment=attachment)


def plan_reply(reply: Reply) -> list[OutgoingPart]:
    """The messages that render ``reply``, in sending order.

    Long text is split at clean boundaries, with the buttons on the last
    message so they stay next to the end of what they refer to. A file
    carries the text as its caption when it fits; otherwise the text goes
    first and the file (with the buttons) last.
    """
    buttons = tuple(tuple(row) for row in reply.buttons if row)
    text = reply.text or ""
    if reply.attachment is not None:
        if utf16_len(text) <= MAX_CAPTION:
            return [_part(text, buttons, reply.attachment)]
        texts = split_text(text, MAX_TEXT, length=utf16_len)
        return [_part(t) for t in texts] + [_part("", buttons, reply.attachment)]
    if not text.strip():
        return []
    texts = split_text(text, MAX_TEXT, length=utf16_len)
    return [_part(t, buttons if i == len(texts) - 1 else ()) for i, t in enumerate(texts)]
