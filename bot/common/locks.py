"""Per-key asyncio locks that disappear when nobody holds or waits for them.

Used to keep each chat's messages in order (and each chat's incoming
updates processed one at a time) while different chats proceed in parallel.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import AsyncIterator, Hashable
from contextlib import asynccontextmanager


class KeyedLocks:
    """``async with locks.hold(key):`` — FIFO per key, independent across keys."""

    def __init__(self) -> None:
        self._entries: dict[Hashable, list] = {}  # key -> [lock, users]

    @asynccontextmanager
    async def hold(self, key: Hashable) -> AsyncIterator[None]:
        entry = self._entries.get(key)
        if entry is None:
            entry = self._entries[key] = [asyncio.Lock(), 0]
        entry[1] += 1
        try:
            async with entry[0]:
                yield
        finally:
            entry[1] -= 1
            if entry[1] == 0:
                self._entries.pop(key, None)


class RecentKeys:
    """A bounded memory of keys already seen (update ids, pressed messages)."""

    def __init__(self, capacity: int = 4096) -> None:
        self._capacity = capacity
        self._seen: OrderedDict[Hashable, None] = OrderedDict()

    def add(self, key: Hashable) -> bool:
        """Remember ``key``; True if it was new."""
        if key in self._seen:
            self._seen.move_to_end(key)
            return False
        self._seen[key] = None
        if len(self._seen) > self._capacity:
            self._seen.popitem(last=False)
        return True

    def discard(self, key: Hashable) -> None:
        self._seen.pop(key, None)

    def __contains__(self, key: Hashable) -> bool:
        return key in self._seen


class Settling:
    """Chats with a message sent but not yet written down (which reminder it was).

    A head can answer a reminder the instant it lands on the phone, before the
    dispatcher has stored the reminder's message id; the reply would then look
    like a message about nothing. Senders hold :meth:`sending` around "send and
    record"; the chat's next incoming message waits in :meth:`settled` (briefly,
    never forever) until the record is there.
    """

    def __init__(self) -> None:
        self._busy: dict[Hashable, list] = {}  # key -> [idle event, senders]

    @asynccontextmanager
    async def sending(self, key: Hashable) -> AsyncIterator[None]:
        entry = self._busy.get(key)
        if entry is None:
            entry = self._busy[key] = [asyncio.Event(), 0]
        entry[1] += 1
        try:
            yield
        finally:
            entry[1] -= 1
            if entry[1] == 0:
                entry[0].set()
                self._busy.pop(key, None)

    async def settled(self, key: Hashable, timeout: float = 10.0) -> None:
        """Return once no send to ``key`` is being recorded, or after ``timeout`` seconds."""
        entry = self._busy.get(key)
        if entry is None:
            return
        try:
            await asyncio.wait_for(entry[0].wait(), timeout)
        except TimeoutError:
            pass
