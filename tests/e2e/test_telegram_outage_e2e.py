"""Issue acceptance: under a 429 storm and a 60-second outage of the Bot API,
every outgoing message is delivered once the API is back, in order per chat,
with no duplicates — checked against the fake server's own log."""

from __future__ import annotations

import os
import re
import time

import pytest

from tests.e2e.test_telegram_e2e import Bot, _cli, _wait_text
from tests.fakes.telegram_server import FakeTelegram

pytestmark = pytest.mark.slow
OUTAGE_SECONDS = 60
USERS = (5001, 5002)


@pytest.fixture
def fake():
    server = FakeTelegram.start_in_thread()
    yield server
    server.stop()


def test_429_storm_and_60_second_outage_lose_nothing(fake, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "WEBHOOK_", "DATABASE_URL"))}
    env.update(fake.env(), DATABASE_URL=f"sqlite:///{tmp_path / 'bot.db'}")
    codes = [re.search(r"start=(\w+)", _cli(env, "invite", "--unit", "VP", "--role", "head", "--name", f"U{u}")).group(1)
             for u in USERS]
    bot = Bot(env, tmp_path / "bot.log")
    bot.start(fake)
    try:
        for user, code in zip(USERS, codes):
            fake.user_sends_text(user, f"/start {code}")
            _wait_text(fake, user, "đăng ký thành công")
        before = {u: len(fake.sent_messages(u)) for u in USERS}

        for _ in range(6):  # a 429 storm on sending …
            fake.fail_next("sendMessage", status=429, retry_after=1)
        fake.fail_for(OUTAGE_SECONDS, status=502, method="sendMessage")  # … then sending is down for a minute
        asked = ["/huongdan", "/viec", "/hoso"]
        for text in asked:
            for user in USERS:
                fake.user_sends_text(user, text)
            time.sleep(0.3)
        time.sleep(OUTAGE_SECONDS)
        for user in USERS:
            deadline = time.monotonic() + 120
            while len(fake.sent_messages(user)) - before[user] < len(asked) and time.monotonic() < deadline:
                time.sleep(0.5)
    finally:
        bot.stop()

    for user in USERS:
        answers = [m.text or "" for m in fake.sent_messages(user)][before[user]:]
        assert len(answers) == len(asked), answers  # all delivered, none twice
        assert "Trợ lý CCHC có thể giúp" in answers[0], (answers, bot.logs()[-6000:])
        assert "nhiệm vụ" in answers[1].lower()
        assert "hồ sơ" in answers[2].lower()  # and in the order they were asked
