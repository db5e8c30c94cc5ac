"""How fast can the sender push notifications without tripping flood control?

Sends 300 messages to 30 private chats (10 each, queued at once chat by chat, as a
morning reminder batch would be) through ``TelegramSender`` against the
fake Bot API server with Telegram's limits enforced (1 msg/s per chat with
bursts of 3, 30 msg/s overall). Prints throughput, 429 answers and the
highest per-chat and overall rates the server observed.

Run: ``python benches/bench_telegram_send.py``
"""

from __future__ import annotations

import asyncio
import logging
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from telegram import Bot  # noqa: E402

from benches.send_batch import send_batch  # noqa: E402
from bot.common.ratelimit import RateLimiter, RateLimits  # noqa: E402
from bot.telegram.sender import TelegramSender  # noqa: E402
from tests.fakes.telegram_server import FakeTelegram  # noqa: E402

CHATS = 30
PER_CHAT = 10


async def run(fake: FakeTelegram, limits: RateLimits, chats: int = CHATS, per_chat: int = PER_CHAT) -> None:
    async with Bot(fake.token, base_url=fake.base_url) as bot:
        sender = TelegramSender(bot, limiter=RateLimiter(limits))
        batch = await send_batch(fake, sender.send_reply, [1000 + chat for chat in range(chats)], per_chat)
    print(f"messages sent           : {len(batch.accepted)} / {batch.planned} (failures: {len(batch.failures)})")
    print(f"elapsed                 : {batch.elapsed:.2f} s")
    print(f"throughput              : {batch.throughput:.1f} msg/s")
    print(f"429 answers received    : {fake.rejected_429}")
    print(f"max per-chat in any 1 s : {batch.max_per_chat_in_1s} msg (burst allowance 3)")
    print(f"max per-chat avg rate   : {batch.max_per_chat_rate:.2f} msg/s")
    print(f"max overall in any 1 s  : {batch.max_overall_in_1s} msg")
    print(f"per-chat order kept     : {batch.in_order}")


def main() -> None:
    logging.basicConfig(level=logging.ERROR)  # the 429 warnings are counted, not printed
    scenarios = [(f"default pacing, {CHATS} chats x {PER_CHAT} messages", RateLimits(), CHATS, PER_CHAT),
                 ("over-eager pacing (5 msg/s per chat), 3 chats x 10: the 429s must be obeyed",
                  RateLimits(chat_per_second=5, chat_burst=10), 3, 10)]
    for title, limits, chats, per_chat in scenarios:
        print(f"== {title}")
        fake = FakeTelegram.start_in_thread(enforce_limits=True)
        try:
            asyncio.run(run(fake, limits, chats, per_chat))
        finally:
            fake.stop()


if __name__ == "__main__":
    main()
