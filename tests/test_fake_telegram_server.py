"""The fake Bot API server behaves like Telegram for the real PTB client."""

from __future__ import annotations

import asyncio
import socket
import time

import httpx
import pytest
from aiohttp import web
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Conflict, InvalidToken, NetworkError, RetryAfter

from tests.fakes.telegram_server import SECRET_HEADER, FakeTelegram, post_update_to_webhook

USER = 4242


@pytest.fixture
async def tg():
    async with FakeTelegram() as fake:
        yield fake


@pytest.fixture
async def bot(tg):
    async with Bot(tg.token, base_url=tg.base_url, base_file_url=tg.file_base_url) as client:
        yield client


async def test_get_me_and_wrong_token(tg, bot):
    me = await bot.get_me()
    assert me.is_bot and me.id == 123456
    async with httpx.AsyncClient() as client:
        response = await client.post(f"{tg.base_url}999:WRONG/getMe")
    assert response.status_code == 401
    assert response.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}
    with pytest.raises(InvalidToken):
        await Bot("999:WRONG", base_url=tg.base_url).get_me()


async def test_send_message_returns_parsed_html_and_keyboard(tg, bot):
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Xong", callback_data="done:1")]])
    message = await bot.send_message(USER, "<b>Việc</b> R&amp;D", parse_mode="HTML", reply_markup=markup)
    assert message.text == "Việc R&D"
    assert message.entities[0].type == "bold" and message.entities[0].length == 4
    assert message.reply_markup.inline_keyboard[0][0].callback_data == "done:1"
    assert message.from_user.id == 123456 and message.chat.id == USER
    [sent] = tg.sent_messages(USER)
    assert sent.message_id == message.message_id and sent.parse_mode == "HTML"
    assert sent.buttons == [[("Xong", "done:1")]]


async def test_long_polling_waits_then_returns_injected_update(tg, bot):
    started = time.monotonic()
    empty = await bot.get_updates(timeout=1)
    assert empty == () and time.monotonic() - started >= 0.9

    async def inject_later():
        await asyncio.sleep(0.3)
        tg.user_sends_text(USER, "xin chào")

    started = time.monotonic()
    task = asyncio.create_task(inject_later())
    updates = await bot.get_updates(timeout=5)
    await task
    assert 0.25 <= time.monotonic() - started < 2
    assert updates[0].message.text == "xin chào" and updates[0].message.chat.id == USER


async def test_offset_confirms_earlier_updates(tg, bot):
    tg.user_sends_text(USER, "một")
    tg.user_sends_text(USER, "hai")
    first = await bot.get_updates()
    assert [u.message.text for u in first] == ["một", "hai"]
    again = await bot.get_updates()
    assert len(again) == 2  # not confirmed yet
    confirmed = await bot.get_updates(offset=first[-1].update_id + 1)
    assert confirmed == ()
    assert tg.pending_updates() == []


async def test_allowed_updates_and_limit(tg, bot):
    sent = await bot.send_message(USER, "Chọn", reply_markup=InlineKeyboardMarkup(
        [[InlineKeyboardButton("A", callback_data="a")]]))
    tg.user_sends_text(USER, "văn bản")
    tg.user_presses_button(USER, sent.message_id, "a")
    only_buttons = await bot.get_updates(allowed_updates=["callback_query"])
    assert [u.callback_query.data for u in only_buttons] == ["a"]
    tg.user_sends_text(USER, "1")
    tg.user_sends_text(USER, "2")
    limited = await bot.get_updates(limit=1, allowed_updates=["message", "callback_query"])
    assert len(limited) == 1


async def test_429_carries_retry_after(tg, bot):
    tg.fail_next("sendMessage", status=429, retry_after=3)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(USER, "a")
    assert caught.value._retry_after.total_seconds() == 3
    assert (await bot.send_message(USER, "b")).text == "b"
    assert [c.status for c in tg.calls("sendMessage")] == [429, 200]


async def test_file_roundtrip_both_directions(tg, bot):
    payload = bytes(range(256)) * 100
    update = tg.user_sends_document(USER, "bao_cao.pdf", payload, "application/pdf")
    file_id = update["message"]["document"]["file_id"]
    telegram_file = await bot.get_file(file_id)
    assert bytes(await telegram_file.download_as_bytearray()) == payload
    sent = await bot.send_document(USER, b"excel bytes", filename="ket_qua.xlsx", caption="Kết quả")
    assert sent.document.file_name == "ket_qua.xlsx"
    assert tg.file_bytes(sent.document.file_id) == b"excel bytes"
    assert tg.sent_messages(USER)[-1].kind == "document"


async def test_telegram_limits_are_enforced(tg, bot):
    with pytest.raises(BadRequest, match="(?i)message is too long"):
        await bot.send_message(USER, "a" * 4097)
    await bot.send_message(USER, "a" * 4096)
    with pytest.raises(BadRequest, match="(?i)can.t parse entities"):
        await bot.send_message(USER, "<b>mở mà không đóng", parse_mode="HTML")
    with pytest.raises(BadRequest, match="(?i)can.t parse entities"):
        await bot.send_message(USER, "a < b", parse_mode="HTML")
    with pytest.raises(BadRequest, match="(?i)button_data_invalid"):
        await bot.send_message(USER, "x", reply_markup=InlineKeyboardMarkup(
            [[InlineKeyboardButton("x", callback_data="d" * 65)]]))
    with pytest.raises(BadRequest, match="(?i)file is too big"):
        big = tg.user_sends_document(USER, "lon.pdf", b"0" * (20 * 1024 * 1024 + 1), "application/pdf")
        await bot.get_file(big["message"]["document"]["file_id"])


async def test_edit_without_change_is_refused_like_telegram(tg, bot):
    sent = await bot.send_message(USER, "x", reply_markup=InlineKeyboardMarkup(
        [[InlineKeyboardButton("A", callback_data="a")]]))
    await bot.edit_message_reply_markup(USER, sent.message_id, reply_markup=None)
    assert tg.sent_messages(USER)[0].reply_markup is None
    with pytest.raises(BadRequest, match="(?i)message is not modified"):
        await bot.edit_message_reply_markup(USER, sent.message_id, reply_markup=None)


async def test_per_chat_flood_limit():
    async with FakeTelegram(enforce_limits=True, chat_burst=3) as tg:
        async with Bot(tg.token, base_url=tg.base_url) as bot:
            results = []
            for i in range(5):
                try:
                    await bot.send_message(USER, f"m{i}")
                    results.append("ok")
                except RetryAfter:
                    results.append("429")
            assert results[:3] == ["ok", "ok", "ok"] and "429" in results[3:]
            assert tg.rejected_429 >= 1


async def test_go_down_refuses_connections_then_comes_back_on_same_port(tg, bot):
    port = tg.port
    tg.go_down()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    with pytest.raises(NetworkError):
        await bot.get_me()
    tg.come_back()
    assert tg.port == port
    assert (await bot.get_me()).is_bot


async def test_drop_connection_and_fail_for(tg, bot):
    tg.drop_connections(1, "sendMessage")
    with pytest.raises(NetworkError):
        await bot.send_message(USER, "mất")
    tg.fail_for(3600, status=500)
    with pytest.raises(NetworkError, match="Internal Server Error"):
        await bot.send_message(USER, "lỗi")
    tg.fail_for(0)  # the outage ends
    await bot.send_message(USER, "được")
    assert [m.text for m in tg.sent_messages(USER)] == ["được"]


async def test_webhook_delivery_with_secret_and_conflict_with_polling(tg, bot):
    received: list[tuple[dict, str | None]] = []

    async def hook(request: web.Request) -> web.Response:
        received.append((await request.json(), request.headers.get(SECRET_HEADER)))
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    try:
        await bot.set_webhook(f"http://127.0.0.1:{port}/hook", secret_token="s3cret")
        tg.user_sends_text(USER, "qua webhook")
        for _ in range(200):
            if received:
                break
            await asyncio.sleep(0.01)
        assert received[0][0]["message"]["text"] == "qua webhook" and received[0][1] == "s3cret"
        with pytest.raises(Conflict):
            await bot.get_updates()
        status = await post_update_to_webhook(f"http://127.0.0.1:{port}/hook", received[0][0], "s3cret")
        assert status == 200
    finally:
        await runner.cleanup()


def test_thread_mode_for_sync_tests():
    tg = FakeTelegram.start_in_thread()
    try:
        response = httpx.post(f"{tg.api_url}/sendMessage", json={"chat_id": USER, "text": "đồng bộ"})
        assert response.json()["result"]["text"] == "đồng bộ"
        [message] = tg.wait_for_messages_sync(USER, 1, timeout=2)
        assert message.text == "đồng bộ"
        tg.user_sends_text(USER, "hỏi")
        body = httpx.get(f"{tg.api_url}/getUpdates", params={"timeout": 1}).json()
        assert body["result"][0]["message"]["text"] == "hỏi"
        tg.go_down()
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"{tg.api_url}/getMe")
        tg.come_back()
        assert httpx.get(f"{tg.api_url}/getMe").json()["ok"] is True
    finally:
        tg.stop()


def test_command_line_lets_a_person_chat_as_a_user():
    import subprocess
    import sys

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen([sys.executable, "-m", "tests.fakes.telegram_server", "--port", str(port)],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout.readline().startswith("TELEGRAM_BOT_TOKEN=")
        process.stdin.write("55 xin chào bot\n")
        process.stdin.flush()
        api = f"http://127.0.0.1:{port}/bot123456:TEST"
        deadline = time.monotonic() + 5
        while True:
            try:
                updates = httpx.get(f"{api}/getUpdates", params={"timeout": 1}).json()["result"]
            except httpx.ConnectError:
                updates = []
            if updates or time.monotonic() > deadline:
                break
        assert updates[0]["message"]["text"] == "xin chào bot" and updates[0]["message"]["chat"]["id"] == 55
        httpx.post(f"{api}/sendMessage", data={"chat_id": "55", "text": "Chào anh"})
        lines = [process.stdout.readline() for _ in range(4)]
        assert any("[bot → 55]" in line and "Chào anh" in line for line in lines)
    finally:
        process.stdin.close()
        process.wait(10)


async def test_a_call_is_counted_once_its_effect_is_in_place(tg, bot):
    """A test that waits for a call must find its effect: the fake counts a call after it."""
    tg.set_delay(0.2, "sendMessage")
    sending = asyncio.create_task(bot.send_message(USER, "chậm"))
    await tg.wait_for_calls("sendMessage", started=True)
    assert tg.calls("sendMessage") == [] and tg.sent_messages(USER) == []
    await tg.wait_for_calls("sendMessage")
    assert [m.text for m in tg.sent_messages(USER)] == ["chậm"]
    await sending
