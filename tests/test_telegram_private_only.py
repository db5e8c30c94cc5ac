"""The real core behind the real PTB client and the fake Bot API server: groups
see nothing, a group `/start <code>` registers nobody, a stranger's file is
never downloaded."""

from __future__ import annotations

import asyncio
import time
from datetime import date

import pytest
from sqlalchemy import func, select

from bot.telegram import TelegramAdapter
from handlers.core.router import Core
from handlers.people.registration import create_invite
from models.db import transaction
from models.org import Invite, Person
from settings import Settings
from tests import factories as f
from tests.conftest import NOW
from tests.fakes.telegram_server import FakeTelegram
from tests.test_telegram_adapter import FAST_RETRY

HEAD = 4101
GROUP = -5005
STRANGER = 4999


async def until(condition, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached in time"
        await asyncio.sleep(0.01)


@pytest.fixture
async def tg():
    async with FakeTelegram() as fake:
        yield fake


@pytest.fixture
async def wired(tg, factory, db_url):
    from handlers.features import build_registry
    settings = Settings(_env_file=None, database_url=db_url, telegram_bot_token=tg.token,
                        telegram_api_base_url=tg.base_url, telegram_file_base_url=tg.file_base_url)
    core = Core(factory, settings, build_registry(), clock=lambda: NOW)
    handled: list = []

    async def handle(msg):
        replies = await core.handle(msg)
        handled.append((msg, replies))
        return replies

    channel = TelegramAdapter(settings, handle, retry=FAST_RETRY, poll_timeout=2)
    await channel.start()
    yield handled
    await channel.stop()


async def test_group_viec_shows_nothing_and_a_group_start_registers_nobody(tg, factory, wired):
    handled = wired
    with transaction(factory) as s:
        f.person(s, str(HEAD), role="head", unit_code="VP", channel="telegram")
        f.task(s, "Kế hoạch CCHC nội bộ", lead="VP", deadline=date(2026, 11, 30))
        code = create_invite(s, name="Người Mới", role="staff", unit_code="TDC", now=NOW, valid_days=7).code
    tg.user_sends_text(HEAD, "/viec", chat_id=GROUP)
    [notice] = await tg.wait_for_messages(GROUP, 1)
    assert "trò chuyện riêng" in notice.text and "Kế hoạch CCHC" not in notice.text
    tg.user_sends_text(HEAD, "/viec", chat_id=GROUP)
    tg.user_sends_text(STRANGER, f"/start {code}", chat_id=GROUP)
    await until(lambda: len(handled) == 3)
    assert [r for _m, r in handled[1:]] == [[], []]
    assert [m.chat_type for m, _r in handled] == ["group"] * 3
    assert len(tg.sent_messages(GROUP)) == 1  # said once, then silence
    with factory() as s:
        assert s.scalar(select(Invite.used_at).where(Invite.code == code)) is None
        assert s.scalar(select(func.count(Person.id))) == 1
    # In private, the head still gets the list.
    tg.user_sends_text(HEAD, "/viec")
    [answer] = await tg.wait_for_messages(HEAD, 1)
    assert "Kế hoạch CCHC nội bộ" in answer.text


async def test_a_strangers_file_is_not_downloaded(tg, wired):
    tg.user_sends_document(STRANGER, "ds.xlsx", b"PK\x03\x04" + b"0" * 4096,
                           "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    [answer] = await tg.wait_for_messages(STRANGER, 1)
    assert "mã mời" in answer.text
    assert tg.calls("getFile") == []
