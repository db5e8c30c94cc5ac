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
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benches.send_batch import send_batch  # noqa: E402
from bot.common.retry import RetryPolicy  # noqa: E402
from bot.zalo.client import ZaloClient  # noqa: E402
from bot.zalo.sender import ZaloSender  # noqa: E402
from tests.fakes.zalo_server import FakeZalo  # noqa: E402

CHATS = 20
PER_CHAT = 5


async def run(label: str, faults: int = 0) -> None:
    async with FakeZalo() as fake:
        if faults:
            fake.fail_next("sendMessage", status=429, retry_after=1, times=faults)
        async with ZaloClient(fake.token, fake.base_url) as client:
            sender = ZaloSender(client, retry=RetryPolicy(base_delay=0.2, max_delay=2.0))
            batch = await send_batch(fake, sender.send_reply, [f"chat{chat:04d}" for chat in range(CHATS)], PER_CHAT)
        print(f"{label}: {len(batch.accepted)}/{batch.planned} delivered in {batch.elapsed:.2f} s "
              f"({batch.throughput:.1f} msg/s), failures {len(batch.failures)}, "
              f"429 answers {sum(c.status == 429 for c in fake.calls('sendMessage'))}, "
              f"max per chat in 1 s {batch.max_per_chat_in_1s}, "
              f"max overall in 1 s {batch.max_overall_in_1s}, in order: {batch.in_order}")


async def main() -> None:
    logging.basicConfig(level=logging.ERROR)
    await run("paced batch")
    await run("batch with 10 × 429 (retry after 1 s)", faults=10)


if __name__ == "__main__":
    asyncio.run(main())
