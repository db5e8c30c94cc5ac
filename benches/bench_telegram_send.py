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
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from telegram import Bot  # noqa: E402

from bot.telegram.ratelimit import RateLimiter, RateLimits  # noqa: E402
from bot.telegram.sender import TelegramSender  # noqa: E402
from handlers.messages import Reply  # noqa: E402
from tests.fakes.telegram_server import FakeTelegram  # noqa: E402

CHATS = 30
PER_CHAT = 10


def max_in_window(times: list[float], window: float = 1.0) -> int:
    """Most events inside any ``window``-second interval."""
    times = sorted(times)
    best, start = 0, 0
    for end, t in enumerate(times):
        while t - times[start] >= window:
            start += 1
        best = max(best, end - start + 1)
    return best


async def run(fake: FakeTelegram, limits: RateLimits, chats: int = CHATS, per_chat: int = PER_CHAT) -> None:
    async with Bot(fake.token, base_url=fake.base_url) as bot:
        sender = TelegramSender(bot, limiter=RateLimiter(limits))
        started = time.monotonic()
        jobs = [sender.send_reply(1000 + chat, Reply(text=f"Nhắc việc số {n} cho đơn vị {chat}"))
                for chat in range(chats) for n in range(per_chat)]
        results = await asyncio.gather(*jobs, return_exceptions=True)
        elapsed = time.monotonic() - started
    failures = [r for r in results if isinstance(r, BaseException)]
    accepted = [c for c in fake.calls("sendMessage") if c.status == 200]
    accepted_at: dict[int, list[float]] = defaultdict(list)
    for call in accepted:
        accepted_at[int(call.params["chat_id"])].append(call.at)
    in_order = all(
        [m.text for m in fake.sent_messages(1000 + chat)] ==
        [f"Nhắc việc số {n} cho đơn vị {chat}" for n in range(per_chat)] for chat in range(chats))
    steady = max((len(ts) - 1) / (max(ts) - min(ts)) for ts in accepted_at.values() if len(ts) > 1)
    print(f"messages sent           : {len(accepted)} / {chats * per_chat} (failures: {len(failures)})")
    print(f"elapsed                 : {elapsed:.2f} s")
    print(f"throughput              : {len(accepted) / elapsed:.1f} msg/s")
    print(f"429 answers received    : {fake.rejected_429}")
    print(f"max per-chat in any 1 s : {max(max_in_window(ts) for ts in accepted_at.values())} msg "
          f"(burst allowance 3)")
    print(f"max per-chat avg rate   : {steady:.2f} msg/s")
    print(f"max overall in any 1 s  : {max_in_window([c.at for c in accepted])} msg")
    print(f"per-chat order kept     : {in_order}")


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
