"""How fast does the Zalo sender push a reminder batch, and does it stay paced?

Sends 100 messages to 20 chats (5 each, queued at once, as a morning
reminder batch would be) through ``ZaloSender`` against the fake Zalo Bot
API, then the same batch with ten 429 answers injected. Prints elapsed
time, throughput, the highest per-chat and overall rates the server saw,
and whether every chat got its messages in order.

Run: ``python benches/bench_zalo_send.py``
"""

from __future__ import annotations

import asyncio
import logging
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.telegram.sender import RetryPolicy  # noqa: E402
from bot.zalo.client import ZaloClient  # noqa: E402
from bot.zalo.sender import ZaloSender  # noqa: E402
from handlers.messages import Reply  # noqa: E402
from tests.fakes.zalo_server import FakeZalo  # noqa: E402

CHATS = 20
PER_CHAT = 5


def max_in_window(times: list[float], window: float = 1.0) -> int:
    """Most events inside any ``window``-second interval."""
    times = sorted(times)
    best, start = 0, 0
    for end, t in enumerate(times):
        while t - times[start] >= window:
            start += 1
        best = max(best, end - start + 1)
    return best


async def run(label: str, faults: int = 0) -> None:
    async with FakeZalo() as fake:
        if faults:
            fake.fail_next("sendMessage", status=429, retry_after=1, times=faults)
        async with ZaloClient(fake.token, fake.base_url) as client:
            sender = ZaloSender(client, retry=RetryPolicy(base_delay=0.2, max_delay=2.0))
            started = time.monotonic()
            jobs = [sender.send_reply(f"chat{chat:04d}", Reply(text=f"Nhắc việc số {n} cho đơn vị {chat}"))
                    for chat in range(CHATS) for n in range(PER_CHAT)]
            results = await asyncio.gather(*jobs, return_exceptions=True)
            elapsed = time.monotonic() - started
        failures = [r for r in results if isinstance(r, BaseException)]
        accepted = [c for c in fake.calls("sendMessage") if c.status == 200]
        per_chat: dict[str, list[float]] = defaultdict(list)
        for call in accepted:
            per_chat[call.params["chat_id"]].append(call.at)
        in_order = all([m.text for m in fake.sent_messages(f"chat{chat:04d}")] ==
                       [f"Nhắc việc số {n} cho đơn vị {chat}" for n in range(PER_CHAT)] for chat in range(CHATS))
        print(f"{label}: {len(accepted)}/{CHATS * PER_CHAT} delivered in {elapsed:.2f} s "
              f"({len(accepted) / elapsed:.1f} msg/s), failures {len(failures)}, "
              f"429 answers {sum(c.status == 429 for c in fake.calls('sendMessage'))}, "
              f"max per chat in 1 s {max(max_in_window(t) for t in per_chat.values())}, "
              f"max overall in 1 s {max_in_window([c.at for c in accepted])}, in order: {in_order}")


async def main() -> None:
    logging.basicConfig(level=logging.ERROR)
    await run("paced batch")
    await run("batch with 10 × 429 (retry after 1 s)", faults=10)


if __name__ == "__main__":
    asyncio.run(main())
