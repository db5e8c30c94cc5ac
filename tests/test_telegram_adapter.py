"""The Telegram channel end to end over real HTTP: PTB → fake Bot API server.

The core is a small test double (the real core is tested elsewhere); the
transport — polling, webhook, files, retries, pacing — is the real one.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import time

import pytest

from bot.common.ratelimit import RateLimits
from bot.telegram import RetryPolicy, TelegramAdapter
from bot.telegram.incoming import APOLOGY
from handlers.core.messages import Attachment, Button, IncomingMessage, Reply, SendFailed
from settings import Settings
from tests.fakes.echo_core import LONG_TEXT
from tests.fakes.echo_core import EchoCore as BaseEchoCore
from tests.fakes.telegram_server import FakeTelegram, post_update_to_webhook
from tests.fakes.virtual_time import VirtualTime
from tests.loop_watch import LoopWatch

USER = 777
FAST_RETRY = RetryPolicy(max_attempts=8, base_delay=0.2, max_delay=1.5)


class EchoCore(BaseEchoCore):
    """The shared test core, sending a file on request and echoing with buttons to press."""

    scripted = {"tệp": [Reply(text="Báo cáo *tuần*", attachment=Attachment("bao_cao.xlsx", data=b"XLSX-bytes"))]}

    def echo(self, message: IncomingMessage) -> list[Reply]:
        return [Reply(text=f"Anh/Chị vừa gửi: {message.text}",
                      buttons=[[Button("Đã xong", "done:42"), Button("Gia hạn", "extend:42")]])]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def settings_for(tg: FakeTelegram, **extra: object) -> Settings:
    return Settings(_env_file=None, telegram_bot_token=tg.token, telegram_api_base_url=tg.base_url,
                    telegram_file_base_url=tg.file_base_url, **extra)


@pytest.fixture
async def tg():
    async with FakeTelegram() as fake:
        yield fake


@pytest.fixture
def core():
    return EchoCore()


@pytest.fixture
async def adapter(tg, core):
    channel = TelegramAdapter(settings_for(tg), core, retry=FAST_RETRY, poll_timeout=2)
    await channel.start()
    yield channel
    await channel.stop()


async def until(condition, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached in time"
        await asyncio.sleep(0.01)


async def test_text_in_message_with_buttons_out(tg, core, adapter):
    tg.user_sends_text(USER, "xin chào")
    [answer] = await tg.wait_for_messages(USER, 1)
    assert answer.text == "Anh/Chị vừa gửi: xin chào"
    assert answer.parse_mode == "HTML"
    assert answer.buttons == [[("Đã xong", "done:42"), ("Gia hạn", "extend:42")]]
    [received] = core.received
    assert (received.channel, received.chat_id, received.sender_id) == ("telegram", str(USER), str(USER))
    assert received.sender_name == f"Người dùng {USER}"


async def test_command_menu_published_in_vietnamese(tg, adapter):
    commands = {c["command"]: c["description"] for c in tg.commands()}
    assert commands == {"start": "Bắt đầu / đăng ký", "viec": "Việc của đơn vị", "hoso": "Hồ sơ sắp đến hạn",
                        "baocao": "Báo cáo tuần", "huongdan": "Hướng dẫn", "ngonngu": "Đổi ngôn ngữ"}


async def test_deep_link_reaches_core_unchanged(tg, core, adapter):
    tg.user_sends_text(USER, "/start INV-7f3a")
    await tg.wait_for_messages(USER, 1)
    assert core.received[0].text == "/start INV-7f3a"


async def test_button_press_answers_and_closes_the_message(tg, core, adapter):
    tg.user_sends_text(USER, "nhắc việc")
    [question] = await tg.wait_for_messages(USER, 1)
    tg.user_presses_button(USER, question.message_id, "done:42")
    await tg.wait_for_calls("answerCallbackQuery", 1)
    await until(lambda: tg.sent_messages(USER)[0].edits == 1)
    [closed] = tg.sent_messages(USER)
    assert closed.buttons == []  # no second chance to tap
    assert closed.text.endswith("Đã ghi nhận: done:42")  # short answer written into it
    assert any(e["type"] == "bold" for e in closed.entities)
    press = core.received[-1]
    assert press.button_data == "done:42" and press.reply_to_message_id == str(question.message_id)
    # A stale client taps again: acknowledged, the core is not asked twice.
    tg.user_presses_button(USER, question.message_id, "done:42", strict=False)
    await tg.wait_for_calls("answerCallbackQuery", 2)
    tg.user_sends_text(USER, "tiếp")  # handled after the stale tap (one chat, in order): a barrier
    await tg.wait_for_messages(USER, 2)
    assert [m.button_data for m in core.received].count("done:42") == 1
    assert [m.text for m in core.received][-1] == "tiếp" and len(tg.sent_messages(USER)) == 2
    assert all(c.status == 200 for c in tg.calls("answerCallbackQuery"))


async def test_reply_to_a_bot_message_carries_its_id(tg, core, adapter):
    tg.user_sends_text(USER, "a")
    [bot_message] = await tg.wait_for_messages(USER, 1)
    tg.user_sends_text(USER, "xong rồi", reply_to_message_id=bot_message.message_id)
    await tg.wait_for_messages(USER, 2)
    assert core.received[-1].reply_to_message_id == str(bot_message.message_id)
    assert core.received[0].reply_to_message_id is None


async def test_a_reply_typed_while_the_reminder_is_being_recorded_waits_for_the_record(tg, core, adapter):
    """The head answers the instant the reminder lands; the bot must already know which reminder it was."""
    recorded: list[str] = []
    async with adapter.recording(USER):  # what the dispatcher holds around "send, store the message id"
        reminder = await adapter.send(str(USER), Reply(text="Nhắc việc: báo cáo quý"))
        tg.user_sends_text(USER, "xong 80%", reply_to_message_id=int(reminder))
        await asyncio.sleep(0.5)  # the reply has arrived by now, but is held
        assert [m.text for m in core.received] == []
        recorded.append(reminder)  # the record lands, then the hold ends
    await tg.wait_for_messages(USER, 2)
    assert core.received[-1].text == "xong 80%" and core.received[-1].reply_to_message_id == recorded[0]


async def test_document_upload_reaches_core_with_bytes(tg, core, adapter):
    data = b"%PDF-1.7\n" + bytes(range(256)) * 400
    tg.user_sends_document(USER, "ket_luan.pdf", data, "application/pdf", caption="Kết luận thanh tra")
    await tg.wait_for_messages(USER, 1)
    [message] = core.received
    assert message.attachment.data == data
    assert (message.attachment.file_name, message.attachment.mime_type) == ("ket_luan.pdf", "application/pdf")
    assert message.attachment.kind == "document" and message.text == "Kết luận thanh tra"


async def test_photo_upload_uses_the_largest_size(tg, core, adapter):
    data = b"\xff\xd8\xff" + b"p" * 5000
    tg.user_sends_photo(USER, data)
    await tg.wait_for_messages(USER, 1)
    assert core.received[0].attachment.kind == "photo" and core.received[0].attachment.data == data


async def test_too_big_file_is_refused_politely_without_download(tg, core, adapter):
    tg.user_sends_document(USER, "quet.pdf", b"0" * (25 * 1024 * 1024), "application/pdf")
    [answer] = await tg.wait_for_messages(USER, 1)
    assert "vượt quá giới hạn 20 MB" in answer.text
    assert tg.calls("getFile") == [] and core.received == []


async def test_unsupported_file_type_is_refused(tg, core, adapter):
    tg.user_sends_document(USER, "cai_dat.exe", b"MZ...", "application/x-msdownload")
    [answer] = await tg.wait_for_messages(USER, 1)
    assert "chưa được hỗ trợ" in answer.text and core.received == []


async def test_long_reply_is_split_in_order_with_buttons_last(tg, adapter):
    tg.user_sends_text(USER, "dài")
    parts = await tg.wait_for_messages(USER, 3)
    assert len(parts) == 3
    assert all(len(p.text) <= 4096 for p in parts)
    assert "\n\n".join(p.text for p in parts) == LONG_TEXT
    assert [bool(p.buttons) for p in parts] == [False, False, True]


async def test_user_markup_is_shown_literally(tg, adapter):
    tg.user_sends_text(USER, "<b>R&D</b> & *quan trọng*")
    [answer] = await tg.wait_for_messages(USER, 1)
    assert answer.text == "Anh/Chị vừa gửi: <b>R&D</b> & quan trọng"
    bold = [answer.text[e["offset"]:e["offset"] + e["length"]] for e in answer.entities if e["type"] == "bold"]
    assert bold == ["quan trọng"]


async def test_reply_with_document_attachment(tg, adapter):
    tg.user_sends_text(USER, "tệp")
    [sent] = await tg.wait_for_messages(USER, 1)
    assert sent.kind == "document" and sent.file_name == "bao_cao.xlsx"
    assert sent.text == "Báo cáo tuần"
    assert tg.file_bytes(sent.file_id) == b"XLSX-bytes"


async def test_core_failure_gets_an_apology_and_the_channel_survives(tg, adapter, caplog):
    tg.user_sends_text(USER, "lỗi")
    [apology] = await tg.wait_for_messages(USER, 1)
    assert apology.text == APOLOGY
    assert any("core exploded" in (r.exc_text or "") for r in caplog.records)
    tg.user_sends_text(USER, "còn đó không")
    await tg.wait_for_messages(USER, 2)


async def test_429_storm_delivers_everything_in_order_once(tg, core):
    virtual = VirtualTime()
    channel = TelegramAdapter(settings_for(tg), core, retry=FAST_RETRY, clock=virtual.clock, sleep=virtual.sleep,
                              limits=RateLimits(chat_per_second=1000.0, chat_burst=100))  # only the 429s pace
    await channel.application.initialize()  # sending only: no polling needed
    try:
        tg.fail_next("sendMessage", status=429, retry_after=1, times=3)
        texts = [f"Thông báo {i}" for i in range(6)]
        await asyncio.gather(*(channel.sender.send_reply(USER, Reply(text=t)) for t in texts))
    finally:
        await channel.application.shutdown()
    assert virtual.now >= 3.0  # each "retry after 1" was obeyed (in virtual time)
    assert [m.text for m in tg.sent_messages(USER)] == texts
    assert [c.status for c in tg.calls("sendMessage")].count(429) == 3


async def test_server_down_then_back_is_delivered(tg, core):
    retries: list[float] = []

    async def counted_sleep(seconds: float) -> None:
        retries.append(seconds)
        await asyncio.sleep(min(seconds, 0.02))

    channel = TelegramAdapter(settings_for(tg), core, poll_timeout=2, sleep=counted_sleep,
                              retry=RetryPolicy(max_attempts=1000, base_delay=0.02, max_delay=0.05))
    await channel.start()
    try:
        tg.go_down()
        sending = asyncio.create_task(channel.send(str(USER), Reply(text="Nhắc việc quá hạn")))
        await until(lambda: len(retries) >= 5)  # the sender keeps trying while the server is down
        assert not sending.done() and tg.sent_messages(USER) == []
        tg.come_back()
        message_id = await asyncio.wait_for(sending, 10)
        [sent] = tg.sent_messages(USER)
        assert sent.text == "Nhắc việc quá hạn" and message_id == str(sent.message_id)
        tg.user_sends_text(USER, "vẫn nghe chứ")  # polling recovered too
        await tg.wait_for_messages(USER, 2, timeout=15)
    finally:
        await channel.stop()


async def test_permanent_and_temporary_failures_are_typed(tg, adapter):
    tg.block_user(999)
    with pytest.raises(SendFailed) as blocked:
        await adapter.sender.send_reply(999, Reply(text="a"))
    assert blocked.value.permanent
    tg.fail_for(30, status=500)
    adapter.sender.retry = RetryPolicy(max_attempts=3, base_delay=0.05, max_delay=0.1)
    with pytest.raises(SendFailed) as outage:
        await adapter.sender.send_reply(USER, Reply(text="b"))
    assert not outage.value.permanent
    with pytest.raises(SendFailed) as too_long_data:
        await adapter.sender.send_reply(USER, Reply(text="c", buttons=[[Button("x", "d" * 65)]]))
    assert too_long_data.value.permanent


async def test_webhook_mode_secret_and_duplicates(tg, core):
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram/webhook"
    settings = settings_for(tg, webhook_url=url, webhook_secret="hook-secret", webhook_port=port)
    channel = TelegramAdapter(settings, core, retry=FAST_RETRY)
    await channel.start()
    try:
        assert tg.webhook_info()["url"] == url and tg.webhook_info()["secret"] == "hook-secret"
        update = tg.user_sends_text(USER, "qua webhook")  # the fake pushes it to the webhook
        await tg.wait_for_messages(USER, 1)
        assert await post_update_to_webhook(url, update, "hook-secret") == 200  # Telegram retried
        assert await post_update_to_webhook(url, update, "wrong") == 403
        assert await post_update_to_webhook(url, update, None) == 403
        tg.user_sends_text(USER, "sau cùng")  # handled after the duplicate would be (one chat, in order)
        await tg.wait_for_messages(USER, 2)
        assert [m.text for m in core.received] == ["qua webhook", "sau cùng"]
        assert len(tg.sent_messages(USER)) == 2
        assert tg.calls("getUpdates") == []
    finally:
        await channel.stop()


async def test_token_never_reaches_the_logs(tg, core, caplog):
    caplog.set_level(logging.DEBUG)
    channel = TelegramAdapter(settings_for(tg), core, retry=FAST_RETRY, poll_timeout=1)
    logging.getLogger("httpx").setLevel(logging.DEBUG)  # URLs with the token are logged at INFO
    await channel.start()
    try:
        tg.fail_next("sendMessage", status=500, times=2)
        tg.user_sends_text(USER, "lỗi")
        tg.user_sends_text(USER, "bình thường")
        await tg.wait_for_messages(USER, 2)
        tg.block_user(USER)
        with pytest.raises(SendFailed):
            await channel.send(str(USER), Reply(text="x"))
    finally:
        await channel.stop()
        logging.getLogger("httpx").setLevel(logging.WARNING)
    formatter = logging.Formatter("%(name)s %(message)s")
    text = "\n".join(formatter.format(r) for r in caplog.records)
    assert "bot<redacted>" in text  # httpx request lines were there, redacted
    assert "core exploded" in text
    assert tg.token not in text


async def test_ten_queued_messages_of_one_chat_do_not_delay_another_chat(tg):
    """The per-chat lock comes before the global slot: a busy chat's backlog holds no slot."""
    busy, other = 901, 902
    release, started = asyncio.Event(), asyncio.Event()

    class BusyChatCore(EchoCore):
        async def __call__(self, message: IncomingMessage) -> list[Reply]:
            if message.chat_id == str(busy):
                started.set()
                await release.wait()  # the busy chat's work takes as long as the test wants
            return await super().__call__(message)

    core = BusyChatCore()
    channel = TelegramAdapter(settings_for(tg), core, retry=FAST_RETRY, poll_timeout=2, concurrency=8,
                              limits=RateLimits(chat_per_second=50.0, chat_burst=10))  # pacing is not under test
    arrived: dict[int, float] = {}
    tg.on_bot_message(lambda m: arrived.setdefault(m.chat_id, time.monotonic()))
    await channel.start()
    try:
        for i in range(10):
            tg.user_sends_text(busy, f"việc {i}")
        await asyncio.wait_for(started.wait(), 5)  # the first is being handled, nine wait for it
        asked = time.monotonic()
        tg.user_sends_text(other, "xin chào")
        await tg.wait_for_messages(other, 1)
        delay = arrived[other] - asked
        release.set()
        answers = await tg.wait_for_messages(busy, 10)
    finally:
        release.set()
        await channel.stop()
    assert delay <= 0.2, f"another chat's reply took {delay:.3f} s"
    assert [m.text for m in answers] == [f"Anh/Chị vừa gửi: việc {i}" for i in range(10)]  # still in order


async def test_a_locked_database_does_not_stall_other_chats(tg, tmp_path, sqlite_template):
    """A second writer holds SQLite's lock for 2 s while a delivered reply is being recorded:
    the recording waits in a worker thread; the event loop, and every other chat, do not."""
    import shutil
    import sqlite3
    import threading

    from handlers.core.router import Core
    from handlers.features import build_registry
    from models.db import make_engine, session_factory

    path = tmp_path / "bot.db"
    shutil.copy(sqlite_template, path)
    url = f"sqlite:///{path}"
    core_db = Core(session_factory(make_engine(url)), Settings(_env_file=None, database_url=url), build_registry())

    def on_sent(chat_id: str, ids: list[str], reply: Reply) -> None:  # what the bot's hook does
        if reply.context_ref:
            core_db.record_sent("telegram", chat_id, ids[-1], reply.context_ref)

    class RemindingCore(EchoCore):
        scripted = {"nhắc": [Reply(text="Nhắc việc", context_ref="task:1")]}

    locked, recorded = threading.Event(), threading.Event()

    def second_writer() -> None:
        con = sqlite3.connect(path, timeout=30)
        con.execute("BEGIN IMMEDIATE")
        locked.set()
        recorded.wait(2.0)  # holds the write lock for 2 s (nothing sets ``recorded`` early)
        con.rollback()
        con.close()

    channel = TelegramAdapter(settings_for(tg), RemindingCore(), on_sent=on_sent, retry=FAST_RETRY, poll_timeout=2)
    await channel.start()
    writer = threading.Thread(target=second_writer)
    try:
        async with LoopWatch() as watch:
            writer.start()
            await asyncio.to_thread(locked.wait, 5)
            tg.user_sends_text(USER, "nhắc")  # its reply is recorded while the lock is held
            await tg.wait_for_messages(USER, 1)
            tg.user_sends_text(USER + 1, "xin chào")  # another chat, meanwhile
            await tg.wait_for_messages(USER + 1, 1)
            answered_while_locked = writer.is_alive()
            await asyncio.to_thread(writer.join, 10)
    finally:
        await channel.stop()
    assert answered_while_locked
    assert watch.worst <= 0.1, f"the event loop stalled {watch.worst:.3f} s"
    with core_db.factory() as s:  # and the reply was recorded once the lock was released
        from sqlalchemy import select

        from models.outbox import SentMessage

        assert s.scalar(select(SentMessage.context_ref)) == "task:1"
