"""Terminal chat. Buttons have no native form here, so they are shown as
numbered choices and the person answers with 1, 2, …, the same fallback
the Zalo adapter uses."""

from __future__ import annotations

import itertools
import re
import sys
from collections.abc import Callable
from typing import TextIO

from handlers.core.messages import Button, IncomingMessage, Reply

_BOLD = re.compile(r"\*(.+?)\*")


def render(reply: Reply, first_number: int = 1) -> tuple[str, dict[str, str]]:
    """Text of a reply for a terminal, and the number → button-data map."""
    text = _BOLD.sub(lambda m: m.group(1), reply.text)
    choices: dict[str, str] = {}
    lines = [text]
    buttons: list[Button] = list(itertools.chain.from_iterable(reply.buttons))
    for n, button in enumerate(buttons, start=first_number):
        choices[str(n)] = button.data
        lines.append(f"  [{n}] {button.label}")
    if reply.attachment is not None:
        lines.append(f"  (tệp đính kèm: {reply.attachment.file_name})")
    return "\n".join(lines), choices


class ConsoleChat:
    """Drives the core from stdin/stdout as one person.

    Every plain line counts as a reply to the bot's last message that was
    about something (a reminder, a task), as a thread would on a phone.
    """

    def __init__(
        self,
        handle: Callable[[IncomingMessage], list[Reply]],
        sender_id: str,
        record_sent: Callable[[str, str, str, str], None] | None = None,
        out: TextIO = sys.stdout,
    ) -> None:
        self.handle = handle
        self.sender_id = sender_id
        self.record_sent = record_sent
        self.out = out
        self.choices: dict[str, str] = {}
        self.last_context_message: str | None = None
        self._ids = itertools.count(1)

    def _message(self, text: str) -> IncomingMessage:
        base = dict(channel="console", chat_id=self.sender_id, sender_id=self.sender_id, message_id=str(next(self._ids)))
        stripped = text.strip()
        if stripped in self.choices:
            return IncomingMessage(button_data=self.choices[stripped], **base)
        return IncomingMessage(text=text, reply_to_message_id=self.last_context_message, **base)

    def say(self, text: str) -> list[Reply]:
        """Send one line as the person; numbered answers press the buttons."""
        replies = self.handle(self._message(text))
        self.choices = {}
        for reply in replies:
            rendered, choices = render(reply, first_number=len(self.choices) + 1)
            self.choices.update(choices)
            self.show(reply, rendered)
        return replies

    def show(self, reply: Reply, rendered: str | None = None) -> None:
        """Print a reply (also used for notifications the bot sends on its own)."""
        if rendered is None:
            rendered, choices = render(reply, first_number=len(self.choices) + 1)
            self.choices.update(choices)
        mid = f"c{next(self._ids)}"
        if reply.context_ref:
            self.last_context_message = mid
            if self.record_sent:
                self.record_sent("console", self.sender_id, mid, reply.context_ref)
        print(rendered, file=self.out)
        print(file=self.out)

    def loop(self, prompt: str = "Bạn: ") -> None:
        print("Gõ nội dung rồi nhấn Enter; /thoat để kết thúc.\n", file=self.out)
        while True:
            try:
                line = input(prompt)
            except (EOFError, KeyboardInterrupt):
                print(file=self.out)
                return
            if line.strip().lower() in {"/thoat", "/quit", "/exit"}:
                return
            self.say(line)
