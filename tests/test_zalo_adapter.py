"""The Zalo channel end to end over real HTTP: httpx client → fake Zalo Bot API server.

The core is a small test double (the real core is tested elsewhere); the
transport — polling, webhook, image download, numbered choices, retries,
pacing — is the real one.
"""

from __future__ import annotations

import asyncio
import logging
import socket

import pytest

from bot.common.ratelimit import RateLimits
from bot.common.retry import RetryPolicy
from bot.zalo import ZaloAdapter
from bot.zalo.incoming import APOLOGY, FILES_ELSEWHERE, VOICE_UNSUPPORTED
from bot.zalo.render import plan_reply
from handlers.core.messages import Attachment, Button, Reply
from handlers.core.messages import SendFailed
from settings import Settings
from tests.fakes.echo_core import LONG_TEXT
from tests.fakes.echo_core import EchoCore as BaseEchoCore
from tests.fakes.virtual_time import VirtualTime
from tests.fakes.zalo_server import FakeZalo, post_update_to_webhook
from tests.loop_watch import LoopWatch

USER = "a1b2c3d4e5f607182930"
FAST_RETRY = RetryPolicy(max_attempts=8, base_delay=0.1, max_delay=0.5)
CHART = Attachment("bieu_do_tien_do.png", mime_type="image/png", data=b"\x89PNG-bytes", kind="photo")


class EchoCore(BaseEchoCore):
    """The shared test core, answering photos, a chart request and a reminder as Zalo tests need."""

    attachment_noun = "ảnh"
    scripted = {
        "biểu đồ": [Reply(text="Tiến độ *quý III*", attachment=CHART)],
        "nhắc": [Reply(text="⏰ Việc *Báo cáo CCHC* đến hạn hôm nay.", context_ref="task:42",
                       buttons=[[Button("✅ Đã hoàn thành", "done:42")], [Button("📅 Xin gia hạn", "extend:42")]])],
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def settings_for(zl: FakeZalo, **extra: object) -> Settings:
    return Settings(_env_file=None, zalo_bot_token=zl.token, zalo_api_base_url=zl.base_url, **extra)


@pytest.fixture
async def zl():
    async with FakeZalo() as fake:
        yield fake


@pytest.fixture
def core():
    return EchoCore()


@pytest.fixture
def sent_log():
    return []


@pytest.fixture
async def adapter(zl, core, sent_log):
    virtual = VirtualTime()  # pacing and back-off are checked in virtual time, not waited for
    channel = ZaloAdapter(settings_for(zl), core, retry=FAST_RETRY, poll_timeout=1, poll_retry_max=0.3,
                          on_sent=lambda chat, ids, reply: sent_log.append((chat, ids, reply)),
                          clock=virtual.clock, sleep=virtual.sleep)
    await channel.start()
    yield channel
    await channel.stop()


async def test_text_in_plain_text_out(zl, core, adapter):
    zl.set_name(USER, "Nguyễn Văn An")
    update = zl.user_sends_text(USER, "xin chào")
    [answer] = await zl.wait_for_messages(USER, 1)
    assert answer.text == "Anh/Chị vừa gửi: xin chào"  # *bold* has no meaning on Zalo
    [received] = core.received
    assert (received.channel, received.chat_id, received.sender_id) == ("zalo", USER, USER)
    assert received.sender_name == "Nguyễn Văn An"
    assert received.message_id == update["message"]["message_id"]
    assert received.button_data is None and received.reply_to_message_id is None


async def test_buttons_become_numbered_choices_and_a_number_presses_one(zl, core, adapter, sent_log):
    zl.user_sends_text(USER, "nhắc")
    [reminder] = await zl.wait_for_messages(USER, 1)
    assert reminder.text == ("⏰ Việc Báo cáo CCHC đến hạn hôm nay.\n\n1. ✅ Đã hoàn thành\n2. 📅 Xin gia hạn\n\n"
                             "(Trả lời bằng số tương ứng để chọn.)")
    for _ in range(100):  # the adapter records what it sent just after the API answers
        if sent_log and sent_log[-1][1] == [reminder.message_id]:
            break
        await asyncio.sleep(0.02)
    assert sent_log[-1][1] == [reminder.message_id]  # the lead records context_ref with this id
    zl.user_sends_text(USER, "2")
    [_, answer] = await zl.wait_for_messages(USER, 2)
    press = core.received[-1]
    assert press.button_data == "extend:42" and press.reply_to_message_id == reminder.message_id
    assert answer.text == "Đã ghi nhận: extend:42"
    # A choice is used once: typing "2" again is ordinary text, not a second press.
    zl.user_sends_text(USER, "2")
    await zl.wait_for_messages(USER, 3)
    assert core.received[-1].button_data is None and core.received[-1].reply_to_message_id is None


async def test_plain_text_after_a_reminder_is_read_as_a_reply_to_it(zl, core, adapter):
    reminder_id = await adapter.send(USER, Reply(text="⏰ Việc *Báo cáo* quá hạn 2 ngày.", context_ref="task:7"))
    [reminder] = zl.sent_messages(USER)
    assert reminder_id == reminder.message_id and reminder.text == "⏰ Việc Báo cáo quá hạn 2 ngày."
    zl.user_sends_text(USER, "xong 80%")
    await zl.wait_for_messages(USER, 2)
    assert core.received[-1].reply_to_message_id == reminder_id
    zl.user_sends_text(USER, "cảm ơn")  # only the first message after it is a reply
    await zl.wait_for_messages(USER, 3)
    assert core.received[-1].reply_to_message_id is None


async def test_long_reply_is_split_in_order_with_choices_last(zl, adapter):
    zl.user_sends_text(USER, "dài")
    expected = len(plan_reply(Reply(text=LONG_TEXT, buttons=[[Button("Xem tiếp", "more:1")]])))
    assert expected >= 5
    parts = await zl.wait_for_messages(USER, expected)  # paced about one a second, in virtual time
    assert all(len(p.text) <= 2000 for p in parts)
    assert "\n\n".join(p.text for p in parts) == f"{LONG_TEXT}\n\n1. Xem tiếp\n\n(Trả lời bằng số tương ứng để chọn.)"
    assert ["1. Xem tiếp" in p.text for p in parts] == [False] * (len(parts) - 1) + [True]


async def test_chart_is_replaced_by_a_notice_without_hosting(zl, adapter):
    zl.user_sends_text(USER, "biểu đồ")
    [sent] = await zl.wait_for_messages(USER, 1)
    assert sent.kind == "text" and sent.text.startswith("Tiến độ quý III\n\n(Biểu đồ «bieu_do_tien_do.png»")
    assert "Telegram" in sent.text
    assert zl.calls("sendPhoto") == []


async def test_chart_goes_by_send_photo_when_it_can_be_hosted(zl, core):
    hosted: list[Attachment] = []

    async def host(attachment: Attachment) -> str:
        hosted.append(attachment)
        return "https://bot.sokhcn.example.vn/media/abc.png"

    channel = ZaloAdapter(settings_for(zl), core, retry=FAST_RETRY, poll_timeout=1, photo_url=host)
    await channel.start()
    try:
        zl.user_sends_text(USER, "biểu đồ")
        [sent] = await zl.wait_for_messages(USER, 1)
    finally:
        await channel.stop()
    assert hosted == [CHART]
    assert (sent.kind, sent.photo_url, sent.text) == ("photo", "https://bot.sokhcn.example.vn/media/abc.png",
                                                      "Tiến độ quý III")


async def test_image_is_downloaded_and_reaches_the_core(zl, core, adapter):
    data = b"\xff\xd8\xff" + bytes(range(256)) * 100
    zl.user_sends_image(USER, data, caption="Ảnh chụp biên bản")
    await zl.wait_for_messages(USER, 1)
    [message] = core.received
    assert message.attachment.data == data and message.attachment.kind == "photo"
    assert message.attachment.mime_type == "image/jpeg" and message.text == "Ảnh chụp biên bản"


async def test_too_big_image_is_refused_politely(zl, core):
    channel = ZaloAdapter(settings_for(zl, max_file_mb=1), core, retry=FAST_RETRY, poll_timeout=1)
    await channel.start()
    try:
        zl.user_sends_image(USER, b"\xff\xd8" + b"0" * (2 * 1024 * 1024))
        [answer] = await zl.wait_for_messages(USER, 1)
    finally:
        await channel.stop()
    assert "vượt quá giới hạn 1 MB" in answer.text and core.received == []


async def test_files_and_voice_get_polite_answers_without_the_core(zl, core, adapter):
    zl.user_sends_unsupported(USER)
    zl.user_sends_voice(USER)
    first, second = await zl.wait_for_messages(USER, 2)
    assert first.text == FILES_ELSEWHERE and "Telegram" in first.text and "Văn phòng Sở" in first.text
    assert second.text == VOICE_UNSUPPORTED
    assert core.received == []


async def test_core_failure_gets_an_apology_and_the_channel_survives(zl, adapter):
    zl.user_sends_text(USER, "lỗi")
    [apology] = await zl.wait_for_messages(USER, 1)
    assert apology.text == APOLOGY
    zl.user_sends_text(USER, "còn đó không")
    await zl.wait_for_messages(USER, 2)


async def test_webhook_secret_and_duplicates(zl, core):
    port = free_port()
    settings = settings_for(zl, webhook_url=f"http://127.0.0.1:{port}/telegram/webhook",
                            webhook_secret="hook-secret-123", webhook_port=port)
    channel = ZaloAdapter(settings, core, retry=FAST_RETRY)
    await channel.start()
    url = f"http://127.0.0.1:{port}/zalo/webhook"
    try:
        assert zl.webhook_info()["url"] == url and zl.webhook_info()["secret"] == "hook-secret-123"
        update = zl.user_sends_text(USER, "qua webhook")  # the fake pushes it to the webhook
        await zl.wait_for_messages(USER, 1)
        assert await post_update_to_webhook(url, update, "hook-secret-123") == 200  # delivered again
        assert await post_update_to_webhook(url, update, "wrong-secret") == 403
        assert await post_update_to_webhook(url, update, None) == 403
        zl.user_sends_text(USER, "sau cùng")  # handled after the duplicate would be (one chat, in order)
        await zl.wait_for_messages(USER, 2)
        assert [m.text for m in core.received] == ["qua webhook", "sau cùng"]
        assert len(zl.sent_messages(USER)) == 2
        assert zl.calls("getUpdates") == []
    finally:
        await channel.stop()


async def test_webhook_can_share_an_aiohttp_app_with_other_channels(zl, core):
    from aiohttp import web

    from bot.zalo.webhook import WebhookServer

    port = free_port()
    settings = settings_for(zl, webhook_url="https://bot.sokhcn.example.vn/telegram/webhook",
                            webhook_secret="hook-secret-123", webhook_port=port)
    app = web.Application()
    channel = ZaloAdapter(settings, core, retry=FAST_RETRY, serve_webhook=False,
                          webhook_url=f"http://127.0.0.1:{port}/zalo/webhook")
    channel.mount_webhook(app)
    server = WebhookServer(app, "127.0.0.1", port)
    await server.start()
    await channel.start()
    try:
        assert channel.public_webhook_url() == f"http://127.0.0.1:{port}/zalo/webhook"
        zl.user_sends_text(USER, "chung cổng")
        [answer] = await zl.wait_for_messages(USER, 1)
        assert answer.text == "Anh/Chị vừa gửi: chung cổng"
    finally:
        await channel.stop()
        await server.stop()


def test_default_zalo_webhook_url_uses_the_shared_host():
    from bot.zalo import zalo_webhook_url

    settings = Settings(_env_file=None, webhook_url="https://bot.sokhcn.example.vn/telegram/webhook",
                        webhook_secret="hook-secret-123")
    assert zalo_webhook_url(settings) == "https://bot.sokhcn.example.vn/zalo/webhook"


async def test_429_and_5xx_are_retried_then_delivered_in_order(zl, core):
    virtual = VirtualTime()
    channel = ZaloAdapter(settings_for(zl), core, retry=FAST_RETRY, clock=virtual.clock, sleep=virtual.sleep,
                          limits=RateLimits(overall_per_second=1000.0, overall_burst=100, chat_per_second=1000.0,
                                            chat_burst=100, group_per_minute=60000.0, group_burst=100))
    zl.fail_next("sendMessage", status=429, retry_after=1, times=2)
    zl.fail_next("sendMessage", status=502, times=2)
    texts = [f"Thông báo {i}" for i in range(4)]
    try:
        ids = await asyncio.gather(*(channel.send(USER, Reply(text=t)) for t in texts))
    finally:
        await channel.client.aclose()
    assert virtual.now >= 2.0  # each "retry after 1" was obeyed (in virtual time): only the 429s pace here
    assert [m.text for m in zl.sent_messages(USER)] == texts
    assert ids == [m.message_id for m in zl.sent_messages(USER)]
    assert sorted(c.status for c in zl.calls("sendMessage")) == [200] * 4 + [429, 429, 502, 502]


async def test_server_down_then_back_delivers_and_polling_recovers(zl, core):
    retries: list[float] = []

    async def counted_sleep(seconds: float) -> None:
        retries.append(seconds)
        await asyncio.sleep(min(seconds, 0.02))

    channel = ZaloAdapter(settings_for(zl), core, retry=RetryPolicy(max_attempts=1000, base_delay=0.02, max_delay=0.05),
                          poll_timeout=1, poll_retry_max=0.3, sleep=counted_sleep)
    await channel.start()
    try:
        zl.go_down()
        sending = asyncio.create_task(channel.send(USER, Reply(text="Nhắc việc quá hạn")))
        for _ in range(500):  # the sender keeps trying while the server is down
            if len(retries) >= 5:
                break
            await asyncio.sleep(0.01)
        assert not sending.done() and zl.sent_messages(USER) == []
        zl.come_back()
        message_id = await asyncio.wait_for(sending, 10)
        [sent] = zl.sent_messages(USER)
        assert sent.text == "Nhắc việc quá hạn" and message_id == sent.message_id
        zl.user_sends_text(USER, "vẫn nghe chứ")
        await zl.wait_for_messages(USER, 2, timeout=10)
    finally:
        await channel.stop()


async def test_failures_are_typed_for_the_dispatcher(zl, adapter):
    zl.block_user("blocked0000000000000")
    with pytest.raises(SendFailed) as blocked:
        await adapter.send("blocked0000000000000", Reply(text="a"))
    assert blocked.value.permanent and isinstance(blocked.value, SendFailed)
    zl.fail_for(30, status=500, method="sendMessage")
    adapter.sender.retry = RetryPolicy(max_attempts=3, base_delay=0.05, max_delay=0.1)
    with pytest.raises(SendFailed) as outage:
        await adapter.send(USER, Reply(text="b"))
    assert not outage.value.permanent


async def test_token_never_reaches_the_logs(zl, core, caplog):
    caplog.set_level(logging.DEBUG)
    channel = ZaloAdapter(settings_for(zl), core, retry=FAST_RETRY, poll_timeout=1)
    logging.getLogger("httpx").setLevel(logging.DEBUG)  # request lines carry the token in the URL
    await channel.start()
    try:
        zl.fail_next("sendMessage", status=500, times=2)
        zl.user_sends_text(USER, "lỗi")
        zl.user_sends_text(USER, "bình thường")
        await zl.wait_for_messages(USER, 2)
        zl.block_user(USER)
        with pytest.raises(SendFailed):
            await channel.send(USER, Reply(text="x"))
    finally:
        await channel.stop()
        logging.getLogger("httpx").setLevel(logging.WARNING)
    text = "\n".join(logging.Formatter("%(name)s %(message)s").format(r) for r in caplog.records)
    assert "core exploded" in text and "bot<redacted>/sendMessage" in text  # request lines were there
    assert zl.token not in text and zl.token.split(":", 1)[1] not in text


async def test_the_chat_type_reaches_the_core(zl, core, adapter):
    zl.user_sends_text(USER, "riêng")
    zl.user_sends_text(USER, "nhóm", chat_id="group-77")
    await zl.wait_for_messages("group-77", 1)
    await zl.wait_for_messages(USER, 1)
    assert sorted((m.text, m.chat_type) for m in core.received) == [("nhóm", "group"), ("riêng", "private")]


async def test_remembering_choices_in_a_locked_database_does_not_stall_other_chats(zl, core, tmp_path, sqlite_template):
    """Zalo keeps the offered choices in the database; a second writer holding SQLite's lock for 2 s
    delays that write (in a worker thread), not the event loop or another chat's answer."""
    import shutil
    import sqlite3
    import threading

    from handlers.core.router import Core
    from handlers.features import build_registry
    from models.db import make_engine, session_factory, transaction
    from tests import factories as f

    path = tmp_path / "bot.db"
    shutil.copy(sqlite_template, path)
    url = f"sqlite:///{path}"
    core_db = Core(session_factory(make_engine(url)), Settings(_env_file=None, database_url=url), build_registry())
    with transaction(core_db.factory) as s:
        f.person(s, USER, role="head", unit_code="VP", channel="zalo")  # the memory is kept with the person
    locked = threading.Event()

    def second_writer() -> None:
        con = sqlite3.connect(path, timeout=30)
        con.execute("BEGIN IMMEDIATE")
        locked.set()
        threading.Event().wait(2.0)  # holds the write lock for 2 s
        con.rollback()
        con.close()

    channel = ZaloAdapter(settings_for(zl), core, retry=FAST_RETRY, poll_timeout=1,
                          memory_store=core_db.channel_memory("zalo"))
    await channel.start()
    writer = threading.Thread(target=second_writer)
    try:
        async with LoopWatch() as watch:
            writer.start()
            await asyncio.to_thread(locked.wait, 5)
            zl.user_sends_text(USER, "nhắc")  # a reminder with choices: remembered in the locked database
            await zl.wait_for_messages(USER, 1)
            other = "f0e1d2c3b4a596877869"
            zl.user_sends_text(other, "xin chào")  # another chat, meanwhile
            await zl.wait_for_messages(other, 1)
            answered_while_locked = writer.is_alive()
            await asyncio.to_thread(writer.join, 10)
            zl.user_sends_text(USER, "1")  # the remembered choice still works once the lock is gone
            await zl.wait_for_messages(USER, 2)
    finally:
        await channel.stop()
    assert answered_while_locked
    assert watch.worst <= 0.1, f"the event loop stalled {watch.worst:.3f} s"
    assert core.received[-1].button_data == "done:42"
