"""What the dispatcher needs from a channel: send one reply to one chat.

Channel adapters (Telegram, Zalo, the console) implement :class:`Sender`;
the dispatcher never imports a messenger SDK. A sender raises
:class:`handlers.core.messages.SendFailed` to say whether trying again can help (``permanent``):
a blocked bot or an unknown chat will not heal, a timeout or a 429 will.
Rate limits per channel are the sender's business (it may wait, or raise a
non-permanent SendFailed with ``retry_after``).
"""

from __future__ import annotations

import itertools
import re
import sys
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager, nullcontext
from typing import Any, Protocol, TextIO, runtime_checkable

from handlers.core.messages import Reply

__all__ = ["ConsoleSender", "Sender", "recording"]


@runtime_checkable
class Sender(Protocol):
    async def send(self, chat_id: str, reply: Reply) -> str | None:
        """Deliver ``reply`` to ``chat_id``; return the channel's message id if it has one."""
        ...


def recording(sender: Any, chat_id: str) -> AbstractAsyncContextManager[Any]:
    """What to hold while sending to ``chat_id`` and storing the message id.

    A messenger adapter makes the chat's next incoming message wait for it (a
    reply typed the moment a reminder lands must find the reminder); senders
    without incoming messages need nothing.
    """
    hold = getattr(sender, "recording", None)
    return hold(chat_id) if hold is not None else nullcontext()


_BOLD = re.compile(r"\*(.+?)\*")


class ConsoleSender:
    """Prints notifications to a stream (the console demo's "messenger").

    Buttons are shown with their data, so the demo user can press one by
    typing it; the returned id lets a reply be tied to the reminder.
    """

    def __init__(
        self, stream: TextIO | None = None, prefix: str = "🔔 Tin nhắn tới",
        show: Callable[[Reply], None] | None = None, only: str | None = None,
    ) -> None:
        """``show``: hand replies for chat ``only`` to an open console chat
        (``ConsoleChat.show``) instead of printing; that chat then remembers what
        a reply answers, so the returned id is None. Messages to other people
        are summarised in one line."""
        self.stream = stream or sys.stdout
        self.prefix = prefix
        self.show = show
        self.only = only
        self._ids = itertools.count(1)

    async def send(self, chat_id: str, reply: Reply) -> str | None:
        if self.show is not None and (self.only is None or chat_id == self.only):
            self.show(reply)
            return None
        if self.only is not None and chat_id != self.only:
            first = _BOLD.sub(lambda m: m.group(1), reply.text).splitlines()[:1]
            self.stream.write(f"   (đã gửi cho {chat_id}: {first[0] if first else ''})\n")
            self.stream.flush()
            return f"n{next(self._ids)}"
        lines = [f"── {self.prefix} {chat_id} ──", _BOLD.sub(lambda m: m.group(1), reply.text)]
        for row in reply.buttons:
            lines.append("   " + "   ".join(f"[{b.label} → {b.data}]" for b in row))
        if reply.attachment is not None:
            lines.append(f"   (tệp đính kèm: {reply.attachment.file_name}, {len(reply.attachment.data or b'')} byte)")
        self.stream.write("\n".join(lines) + "\n")
        self.stream.flush()
        return f"n{next(self._ids)}"
