"""Channel-neutral message contracts shared by every adapter and handler.

Adapters in ``bot/`` convert their SDK objects to :class:`IncomingMessage`
and render :class:`Reply` back; nothing below ``bot/`` knows which
messenger a message came from except through the ``channel`` string.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Attachment:
    """A file sent by a user or by the bot.

    ``data`` holds the bytes once fetched. An adapter may instead pass a
    ``fetch`` callable (blocking, called from the core's worker thread) that
    downloads them: the core calls it only for a registered sender, so a
    stranger's file is never downloaded (``handlers/core/boundary.py``).
    ``fetch`` raises :class:`FetchFailed` with a line to show the person.
    """

    file_name: str
    mime_type: str | None = None
    data: bytes | None = None
    size: int | None = None
    kind: str = "document"  # "document" or "photo"
    fetch: Callable[[], bytes] | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Button:
    """One button: ``label`` is shown, ``data`` comes back when pressed.

    ``shortcut``: the message text already says how to do the same in words
    ("việc 2 xong 80%"), so a channel without buttons leaves it out instead
    of listing it as a numbered choice whose number would collide with the
    task numbers the person types.
    """

    label: str
    data: str
    shortcut: bool = False


@dataclass(frozen=True)
class IncomingMessage:
    """What a person sent, whatever the messenger."""

    channel: str  # "telegram", "zalo", "console"
    chat_id: str
    sender_id: str
    text: str = ""
    button_data: str | None = None
    attachment: Attachment | None = None
    reply_to_message_id: str | None = None
    message_id: str | None = None
    received_at: datetime | None = None
    sender_name: str | None = None
    chat_type: str = "private"  # "private", "group", "supergroup", "channel" (as the messenger says)


@dataclass
class Reply:
    """What the bot answers: text with simple ``*bold*``, button rows, a file."""

    text: str
    buttons: list[list[Button]] = field(default_factory=list)
    attachment: Attachment | None = None
    # Set by handlers so that a later reply to this message can be tied to
    # what it was about (e.g. "task:42"); adapters store it with the sent id.
    context_ref: str | None = None


class FetchFailed(Exception):
    """A lazily fetched attachment could not be downloaded; the message is for the person."""


class SendFailed(Exception):
    """A message could not be delivered — the one failure every channel's
    sender raises and the dispatcher and adapters catch.

    ``permanent`` means retrying cannot help (the bot was blocked, the chat
    does not exist, the message is invalid); otherwise the dispatcher tries
    again later, after ``retry_after`` seconds when the channel asked for a
    wait. ``sent_message_ids`` lists the parts of a multi-part reply that went
    out before the failure; ``chat_id`` and ``channel`` ("Zalo", "" for
    Telegram) only shape the message.
    """

    def __init__(self, description: str = "send failed", *, permanent: bool = False,
                 retry_after: float | None = None, chat_id: int | str | None = None,
                 sent_message_ids: list | None = None, channel: str = ""):
        super().__init__(description)
        self.description = description
        self.permanent = permanent
        self.retry_after = retry_after
        self.chat_id = chat_id
        self.sent_message_ids = list(sent_message_ids or [])
        self.channel = channel

    def __str__(self) -> str:
        if self.chat_id is None:
            return self.description
        kind = "permanent" if self.permanent else "temporary"
        label = f"{self.channel} " if self.channel else ""
        return f"{kind} {label}send failure to chat {self.chat_id}: {self.description}"
