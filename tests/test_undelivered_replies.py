"""A reply the Telegram API refused for longer than the sender retries is
kept in the outbox and delivered once the API is back — never dropped."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from bot.telegram import RetryPolicy, TelegramAdapter
from handlers.core.router import Core
from models.db import transaction
from models.outbox import Notification
from scheduler.dispatcher import dispatch_once
from settings import Settings
from tests import factories as f
from tests.conftest import NOW
from tests.fakes.telegram_server import FakeTelegram

USER = 4242


@pytest.fixture
async def tg():
    async with FakeTelegram() as fake:
        yield fake


async def test_reply_during_outage_goes_out_later_in_order(tg, factory, db_url):
    from handlers.features import build_registry
    settings = Settings(_env_file=None, database_url=db_url, telegram_bot_token=tg.token,
                        telegram_api_base_url=tg.base_url, telegram_file_base_url=tg.file_base_url)
    with transaction(factory) as s:
        f.person(s, str(USER), role="head", unit_code="VP", channel="telegram")
    core = Core(factory, settings, build_registry(), clock=lambda: NOW)

    async def keep(chat_id, reply):
        return await asyncio.to_thread(core.defer_reply, "telegram", chat_id, reply)

    async def waiting(chat_id):
        return await asyncio.to_thread(core.has_deferred, "telegram", chat_id)

    adapter = TelegramAdapter(settings, core.handle, on_undelivered=keep, still_waiting=waiting, poll_timeout=1,
                              retry=RetryPolicy(max_attempts=2, base_delay=0.05, max_delay=0.1))
    await adapter.start()
    try:
        tg.fail_for(3600, status=502, method="sendMessage")
        tg.user_sends_text(USER, "/huongdan")
        for _ in range(100):
            with factory() as s:
                kept = list(s.scalars(select(Notification).where(Notification.kind == "reply")))
            if kept:
                break
            await asyncio.sleep(0.1)
        assert len(kept) == 1 and "Trợ lý CCHC có thể giúp" in kept[0].payload["text"]
        assert tg.sent_messages(USER) == []

        tg.fail_for(0)  # the API is back …
        tg.user_sends_text(USER, "/viec")  # … and a newer answer must not overtake the kept one
        for _ in range(100):
            with factory() as s:
                if s.scalar(select(Notification.id).where(Notification.kind == "reply").offset(1)):
                    break
            await asyncio.sleep(0.1)
        assert tg.sent_messages(USER) == []
        sent = await dispatch_once(factory, settings, {"telegram": adapter}, now=NOW)
        assert sent == 2
        texts = [m.text for m in tg.sent_messages(USER)]
        assert len(texts) == 2 and "Trợ lý CCHC có thể giúp" in texts[0] and "nhiệm vụ" in texts[1]
        assert await dispatch_once(factory, settings, {"telegram": adapter}, now=NOW) == 0  # sent once
    finally:
        await adapter.stop()
