"""One reminder message per person per round: a head with 20 due tasks gets one message, once."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from bot.rendering import buttons_as_numbered, utf16_len
from models.db import transaction
from models.outbox import Notification
from scheduler.dispatcher import dispatch_once
from scheduler.planner import tick_once
from tests import factories as f
from tests.conftest import TZ
from tests.test_dispatcher import ListSender

MORNING = datetime(2026, 12, 1, 7, 30, tzinfo=TZ)  # Tuesday 07:30
TITLE = "Tham mưu xây dựng kế hoạch triển khai nhiệm vụ chuyển đổi số và cải cách hành chính số {n} năm 2027"


def _twenty_due_tasks(factory, channel: str) -> None:
    with transaction(factory) as s:
        f.person(s, "mai", role="head", unit_code="QLCN", name="Nguyễn Thị Mai", channel=channel)
        f.person(s, "hong", role="head", unit_code="VP", channel=channel)
        deadlines = [date(2026, 12, 1)] * 8 + [date(2026, 12, 2)] * 6 + [date(2026, 12, 4)] * 4 + [date(2026, 11, 27)] * 2
        for n, deadline in enumerate(deadlines, start=1):
            f.task(s, TITLE.format(n=n), lead="QLCN", deadline=deadline)
        f.task(s, "Báo cáo kết quả CCHC tháng 11", lead="VP", deadline=date(2026, 12, 1))


async def _round(factory, settings, channel: str, now: datetime = MORNING) -> ListSender:
    sender = ListSender()
    tick_once(factory, settings, now)
    while await dispatch_once(factory, settings, {channel: sender}, now):
        pass
    return sender


async def test_twenty_due_tasks_arrive_as_one_message_once(factory, settings):
    _twenty_due_tasks(factory, "telegram")
    sender = await _round(factory, settings, "telegram")
    to_mai = sender.to("mai")
    assert len(to_mai) == 1  # not 20
    text = to_mai[0].text
    assert text.startswith("🔔 *20 nhiệm vụ")  # the count first
    numbered = re.findall(r"^(\d+)\. ", text, flags=re.M)
    assert numbered == [str(n) for n in range(1, 21)]
    assert "quá hạn" in text and "còn 3 ngày làm việc" in text and "Hạn hôm nay" not in text
    assert utf16_len(text) <= 4096
    data = [b.data for row in to_mai[0].buttons for b in row]
    assert len(data) == 60 and {d.split(":")[0] for d in data} == {"done", "upd", "ext"}
    assert data[0].startswith("done:task:")
    # the other head's single task keeps the usual single reminder
    assert len(sender.to("hong")) == 1 and "Báo cáo kết quả CCHC" in sender.to("hong")[0].text

    # Another tick in the same round, or after a restart, sends nothing again.
    again = await _round(factory, settings, "telegram", MORNING + timedelta(minutes=1))
    assert again.sent == []
    with factory() as s:
        sent = s.scalar(select(func.count()).select_from(Notification).where(Notification.status == "sent"))
    assert sent == 2


async def test_on_zalo_a_long_round_is_split_between_lines_within_2000_characters(factory, settings):
    _twenty_due_tasks(factory, "zalo")
    sender = await _round(factory, settings, "zalo")
    parts = sender.to("mai")
    assert 1 < len(parts) <= 4
    shown = []
    for reply in parts:
        text, _choices = buttons_as_numbered(reply)
        assert utf16_len(text) <= 2000
        shown.append(reply.text)
    lines = "\n".join(shown).splitlines()
    task_lines = [line for line in lines if re.match(r"^\d+\. ", line) and "—" in line]
    assert len(task_lines) == 20  # every task line whole, none cut
    # no numbered choices on Zalo: "1".."60" would collide with the task numbers the head types
    text, choices = buttons_as_numbered(parts[-1])
    assert choices == {} and text.rstrip().endswith("“1 xin gia hạn đến 15/12”.")
    assert "Anh/chị trả lời kèm số của việc" in text


async def test_round_through_the_real_telegram_client_is_one_message(factory, settings):
    """Planner → outbox → dispatcher → PTB → the fake Bot API: 20 due tasks, one message, 60 buttons."""
    from bot.telegram import TelegramAdapter
    from models.org import Identity
    from tests.fakes.echo_core import EchoCore
    from tests.fakes.telegram_server import FakeTelegram
    from tests.test_telegram_adapter import FAST_RETRY, settings_for

    _twenty_due_tasks(factory, "telegram")
    with transaction(factory) as s:
        for ident in s.scalars(select(Identity)):
            ident.chat_id = ident.external_id = {"mai": "7001", "hong": "7002"}[ident.external_id]
    async with FakeTelegram() as tg:
        adapter = TelegramAdapter(settings_for(tg), EchoCore(), retry=FAST_RETRY, poll_timeout=2)
        await adapter.start()
        try:
            tick_once(factory, settings, MORNING)
            while await dispatch_once(factory, settings, {"telegram": adapter}, MORNING):
                pass
            tick_once(factory, settings, MORNING + timedelta(minutes=1))  # a second tick plans nothing new
            assert await dispatch_once(factory, settings, {"telegram": adapter}, MORNING + timedelta(minutes=1)) == 0
        finally:
            await adapter.stop()
        [message] = tg.sent_messages(7001)
        assert message.text.startswith("🔔 20 nhiệm vụ")
        assert len([b for row in message.buttons for b in row]) == 60
        assert len(tg.sent_messages(7002)) == 1
    with factory() as s:  # a reply to the round is tied to the round (its task list), not to an older reminder
        from models.outbox import SentMessage

        ref = s.scalar(select(SentMessage.context_ref).where(SentMessage.chat_id == "7001"))
        round_row = s.scalar(select(Notification).where(Notification.idem_key == ref))
    assert ref.startswith("rnd:") and len(round_row.payload["items"]) == 20
