"""`python main.py run` in webhook mode: the secret header is checked, each
update is processed once even when Telegram retries it, and the bot answers."""

from __future__ import annotations

import re
import socket

import pytest

from tests.e2e.test_telegram_e2e import Bot, _cli, _texts, _wait_text
from tests.fakes.telegram_server import FakeTelegram, post_update_to_webhook_sync

pytestmark = pytest.mark.slow
SECRET = "s3cret-for-tests"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def fake():
    server = FakeTelegram.start_in_thread()
    yield server
    server.stop()


def test_webhook_checks_the_secret_and_processes_each_update_once(fake, tmp_path):
    import os

    port = _free_port()
    url = f"http://127.0.0.1:{port}/telegram/webhook"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "WEBHOOK_", "DATABASE_URL"))}
    env.update(fake.env(), DATABASE_URL=f"sqlite:///{tmp_path / 'bot.db'}", WEBHOOK_URL=url,
               WEBHOOK_SECRET=SECRET, WEBHOOK_LISTEN="127.0.0.1", WEBHOOK_PORT=str(port))
    code = re.search(r"start=(\w+)", _cli(env, "invite", "--unit", "TDC", "--role", "head", "--name", "A")).group(1)
    bot = Bot(env, tmp_path / "bot.log")
    bot.start(fake)
    try:
        fake.wait_for_calls_sync("setWebhook", 1, timeout=30)  # counted once the URL is set
        assert fake.webhook_info()["url"] == url
        fake.user_sends_text(3001, f"/start {code}")  # the fake pushes it to the webhook with the secret
        _wait_text(fake, 3001, "đăng ký thành công")

        update = fake.user_sends_text(3001, "/huongdan", deliver=False)
        assert post_update_to_webhook_sync(url, update, None) in (401, 403)
        assert post_update_to_webhook_sync(url, update, "wrong") in (401, 403)
        assert post_update_to_webhook_sync(url, update, SECRET) == 200
        assert post_update_to_webhook_sync(url, update, SECRET) == 200  # Telegram retrying the same update
        _wait_text(fake, 3001, "Trợ lý CCHC có thể giúp")
        fake.user_sends_text(3001, "/hoso")  # answered after the duplicate would be (one chat, in order)
        _wait_text(fake, 3001, "không có hồ sơ đang giải quyết")
        assert len([t for t in _texts(fake, 3001) if "Trợ lý CCHC có thể giúp" in t]) == 1
    finally:
        bot.stop()
    logs = bot.logs()
    assert SECRET not in logs and "/huongdan" not in logs  # rejected attempts are logged without the body
    assert re.search(r"(rejected|refused|wrong|secret)", logs, re.I)
