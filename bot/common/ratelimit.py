"""Pace outgoing messages so a messenger's flood control rarely triggers.

The defaults follow Telegram's published limits; Zalo sets its own
(``bot/zalo/sender.py``). Telegram allows about 30 messages per second overall, about one per second
in a chat (short bursts tolerated) and 20 per minute in a group. Each limit
is a "generic cell rate" schedule: a send reserves the earliest moment all
applicable limits allow, then sleeps until then. Reservations are made
without awaiting, so concurrent senders on one event loop never race.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass


class _Schedule:
    """One limit: ``rate`` per second with bursts of ``burst``."""

    __slots__ = ("interval", "slack", "next_at")

    def __init__(self, rate: float, burst: int):
        self.interval = 1.0 / rate
        self.slack = (max(burst, 1) - 1) * self.interval
        self.next_at = 0.0  # theoretical arrival time of the next send

    def earliest(self, now: float) -> float:
        return max(now, self.next_at - self.slack)

    def reserve(self, at: float) -> None:
        self.next_at = max(self.next_at, at) + self.interval


@dataclass(frozen=True)
class RateLimits:
    """Telegram's documented limits, slightly under so network jitter stays inside them."""

    overall_per_second: float = 30.0
    overall_burst: int = 1
    chat_per_second: float = 1.0
    chat_burst: int = 3
    group_per_minute: float = 20.0
    group_burst: int = 5


class RateLimiter:
    """Waits before each send as long as the overall, per-chat and group limits require."""

    def __init__(self, limits: RateLimits = RateLimits(), clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[object]] = asyncio.sleep):
        self.limits = limits
        self._clock = clock
        self._sleep = sleep
        self._overall = _Schedule(limits.overall_per_second, limits.overall_burst)
        self._chats: dict[int | str, _Schedule] = {}
        self._groups: dict[int | str, _Schedule] = {}
        self._paused_until: dict[int | str, float] = {}

    @staticmethod
    def _is_group(chat_id: int | str) -> bool:
        return isinstance(chat_id, str) or chat_id < 0

    def _schedules(self, chat_id: int | str) -> list[_Schedule]:
        limits = self.limits
        chat = self._chats.get(chat_id)
        if chat is None:
            chat = self._chats[chat_id] = _Schedule(limits.chat_per_second, limits.chat_burst)
        schedules = [self._overall, chat]
        if self._is_group(chat_id):
            group = self._groups.get(chat_id)
            if group is None:
                group = self._groups[chat_id] = _Schedule(limits.group_per_minute / 60.0, limits.group_burst)
            schedules.append(group)
        return schedules

    def reserve(self, chat_id: int | str) -> float:
        """Book the next send to ``chat_id``; return how long to wait before it."""
        now = self._clock()
        self._forget_idle(now)
        schedules = self._schedules(chat_id)
        at = max([s.earliest(now) for s in schedules] + [self._paused_until.get(chat_id, 0.0)])
        for schedule in schedules:
            schedule.reserve(at)
        return at - now

    async def acquire(self, chat_id: int | str) -> None:
        """Wait until a message to ``chat_id`` may go out."""
        delay = self.reserve(chat_id)
        if delay > 0:
            await self._sleep(delay)

    def pause(self, chat_id: int | str, seconds: float) -> None:
        """Telegram said "retry after": hold every send to this chat until then."""
        until = self._clock() + seconds
        self._paused_until[chat_id] = max(until, self._paused_until.get(chat_id, 0.0))

    def _forget_idle(self, now: float) -> None:
        """Drop per-chat state that no longer constrains anything (keeps memory bounded)."""
        if len(self._chats) + len(self._groups) < 5000:
            return
        for table in (self._chats, self._groups):
            for key in [k for k, s in table.items() if s.next_at < now]:
                del table[key]
        for key in [k for k, t in self._paused_until.items() if t < now]:
            del self._paused_until[key]
