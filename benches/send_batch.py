"""Measuring one reminder batch sent through a channel's sender against a fake API server.

Shared by ``bench_telegram_send.py`` and ``bench_zalo_send.py``: both queue
the same batch at once, then read back from the fake server what was
accepted, how fast, how densely per chat and overall, and in what order.
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from handlers.core.messages import Reply


def max_in_window(times: list[float], window: float = 1.0) -> int:
    """Most events inside any ``window``-second interval."""
    times = sorted(times)
    best, start = 0, 0
    for end, t in enumerate(times):
        while t - times[start] >= window:
            start += 1
        best = max(best, end - start + 1)
    return best


def reminder_text(chat: int, n: int) -> str:
    return f"Nhắc việc số {n} cho đơn vị {chat}"


@dataclass
class BatchResult:
    """What the fake server saw of one batch."""

    planned: int
    elapsed: float
    failures: list[BaseException]
    accepted: list[Any]  # the fake's ApiCall records answered 200
    in_order: bool
    accepted_at: dict[str, list[float]] = field(default_factory=dict)  # chat -> acceptance times

    @property
    def throughput(self) -> float:
        return len(self.accepted) / self.elapsed

    @property
    def max_per_chat_in_1s(self) -> int:
        return max(max_in_window(ts) for ts in self.accepted_at.values())

    @property
    def max_overall_in_1s(self) -> int:
        return max_in_window([c.at for c in self.accepted])

    @property
    def max_per_chat_rate(self) -> float:
        """Highest average rate of one chat, first to last accepted message."""
        return max((len(ts) - 1) / (max(ts) - min(ts)) for ts in self.accepted_at.values() if len(ts) > 1)


async def send_batch(fake: Any, send_reply: Callable[[Any, Reply], Awaitable[Any]], chat_ids: list,
                     per_chat: int) -> BatchResult:
    """Queue ``per_chat`` reminders to each chat at once, chat by chat; wait for all; measure."""
    started = time.monotonic()
    jobs = [send_reply(chat_id, Reply(text=reminder_text(chat, n)))
            for chat, chat_id in enumerate(chat_ids) for n in range(per_chat)]
    results = await asyncio.gather(*jobs, return_exceptions=True)
    elapsed = time.monotonic() - started
    accepted = [c for c in fake.calls("sendMessage") if c.status == 200]
    accepted_at: dict[str, list[float]] = defaultdict(list)
    for call in accepted:
        accepted_at[str(call.params["chat_id"])].append(call.at)
    in_order = all([m.text for m in fake.sent_messages(chat_id)] == [reminder_text(chat, n) for n in range(per_chat)]
                   for chat, chat_id in enumerate(chat_ids))
    return BatchResult(planned=len(jobs), elapsed=elapsed, in_order=in_order, accepted=accepted,
                       failures=[r for r in results if isinstance(r, BaseException)], accepted_at=dict(accepted_at))
