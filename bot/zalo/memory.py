"""What the Zalo channel must remember per chat, because Zalo cannot carry it.

Zalo has neither buttons nor reply-to. So the adapter remembers, per chat:

* the **choices** last offered ("1" → ``done:42`` …) and the message that
  showed them, so that typing "1" becomes that button press;
* the last message sent **with a context** (a reminder about a task), so
  that the next plain text — "xong 80%" — is read as a reply to it.

Both are one-shot: a choice or a context is used once, then forgotten (a
second "1" is not a second press; a later chat is not a late reply). A
newer offer replaces an older one. The memory is in-process and bounded:
after a restart numbers typed against old choices reach the core as plain
text, which answers them like any other message.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from bot.rendering import resolve_numbered_choice


@dataclass(frozen=True)
class Choice:
    """A resolved numbered answer: the button data and the message that offered it."""

    data: str
    message_id: str | None


class _Bounded(OrderedDict):
    """An insertion-ordered dict that forgets its oldest entries beyond ``capacity``."""

    def __init__(self, capacity: int):
        super().__init__()
        self.capacity = capacity

    def put(self, key: str, value: object) -> None:
        self[key] = value
        self.move_to_end(key)
        while len(self) > self.capacity:
            self.popitem(last=False)


class ChatMemory:
    """Per-chat offered choices and last context message, bounded to ``capacity`` chats."""

    def __init__(self, capacity: int = 10_000):
        self._choices = _Bounded(capacity)
        self._context = _Bounded(capacity)

    def remember_sent(self, chat_id: str, message_ids: list[str], choices: dict[str, str],
                      has_context: bool) -> None:
        """Record a delivered reply: its numbered choices (if any) and whether it carried a context."""
        if not message_ids:
            return
        last = message_ids[-1]
        if choices:
            self._choices.put(chat_id, (dict(choices), last))
        if has_context:
            self._context.put(chat_id, last)

    def take_choice(self, chat_id: str, text: str) -> Choice | None:
        """The choice ``text`` picks ("2", "số 2", "2."), consumed; None if it picks nothing."""
        offered = self._choices.get(chat_id)
        if offered is None:
            return None
        mapping, message_id = offered
        data = resolve_numbered_choice(text, mapping)
        if data is None:
            return None
        del self._choices[chat_id]
        if self._context.get(chat_id) == message_id:
            del self._context[chat_id]  # answered by the choice: not also by the next text
        return Choice(data, message_id)

    def take_context(self, chat_id: str) -> str | None:
        """The id of the last context message, consumed (the next plain message replies to it)."""
        return self._context.pop(chat_id, None)

    def pending_choices(self, chat_id: str) -> dict[str, str]:
        offered = self._choices.get(chat_id)
        return dict(offered[0]) if offered else {}
