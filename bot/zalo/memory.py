"""What the Zalo channel must remember per chat, because Zalo cannot carry it.

Zalo has neither buttons nor reply-to. So the adapter remembers, per chat:

* the **choices** last offered ("1" → ``done:42`` …) and the message that
  showed them, so that typing "1" becomes that button press;
* the last message sent **with a context** (a reminder about a task), so
  that the next plain text — "xong 80%" — is read as a reply to it.

Both are one-shot: a choice or a context is used once, then forgotten (a
second "1" is not a second press; a later chat is not a late reply). A
newer offer replaces an older one. The memory is in-process and bounded;
with a ``store`` (the core keeps it in the database) it also survives a
restart, so "1" typed after the bot was restarted still presses the button.
The store is read and written in a worker thread, never on the event loop,
and one chat's writes are applied in the order they were made.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from dataclasses import dataclass
from typing import Protocol

from bot.common.locks import KeyedLocks
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


class MemoryStore(Protocol):
    """Durable per-chat memory (the lead wires the core's database here)."""

    def load(self, chat_id: str) -> dict | None: ...

    def save(self, chat_id: str, data: dict) -> None: ...


class ChatMemory:
    """Per-chat offered choices and last context message, bounded to ``capacity`` chats."""

    def __init__(self, capacity: int = 10_000, store: MemoryStore | None = None):
        self._choices = _Bounded(capacity)
        self._context = _Bounded(capacity)
        self._store = store
        self._loaded: set[str] = set()
        self._writes = KeyedLocks()

    async def _load(self, chat_id: str) -> None:
        """After a restart, pick up what was offered before it."""
        if self._store is None or chat_id in self._loaded:
            return
        self._loaded.add(chat_id)
        data = await asyncio.to_thread(self._store.load, chat_id) or {}
        if data.get("choices") and chat_id not in self._choices:
            self._choices.put(chat_id, (dict(data["choices"]), data.get("choice_message")))
        if data.get("context") and chat_id not in self._context:
            self._context.put(chat_id, data["context"])

    async def _save(self, chat_id: str) -> None:
        if self._store is None:
            return
        async with self._writes.hold(chat_id):  # the state as of this write, written in order
            offered = self._choices.get(chat_id)
            data = {
                "choices": offered[0] if offered else None,
                "choice_message": offered[1] if offered else None,
                "context": self._context.get(chat_id),
            }
            await asyncio.to_thread(self._store.save, chat_id, data)

    async def remember_sent(self, chat_id: str, message_ids: list[str], choices: dict[str, str],
                            has_context: bool) -> None:
        """Record a delivered reply: its numbered choices (if any) and whether it carried a context."""
        if not message_ids:
            return
        self._loaded.add(chat_id)  # what we send now supersedes anything stored
        last = message_ids[-1]
        if choices:
            self._choices.put(chat_id, (dict(choices), last))
        if has_context:
            self._context.put(chat_id, last)
        if choices or has_context:
            await self._save(chat_id)

    async def take_choice(self, chat_id: str, text: str) -> Choice | None:
        """The choice ``text`` picks ("2", "số 2", "2."), consumed; None if it picks nothing."""
        await self._load(chat_id)
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
        await self._save(chat_id)
        return Choice(data, message_id)

    async def take_context(self, chat_id: str) -> str | None:
        """The id of the last context message, consumed (the next plain message replies to it)."""
        await self._load(chat_id)
        context = self._context.pop(chat_id, None)
        if context is not None:
            await self._save(chat_id)
        return context

    def pending_choices(self, chat_id: str) -> dict[str, str]:
        offered = self._choices.get(chat_id)
        return dict(offered[0]) if offered else {}
