"""Issue acceptance: under a 429 storm and an outage of the Bot API longer than
the sender retries, every outgoing message is delivered once the API is back,
in order per chat, with no duplicates — checked against the fake server's own log.

The durations are configurable so the suite stays short: by default the outage
lasts ``E2E_OUTAGE_SECONDS`` = 5 s and the bot retries a call 3 times within
about half a second (``SEND_RETRY_*``), then keeps the replies in the outbox,
which it retries after 1, 2, 4 … s (``OUTBOX_BACKOFF_SECONDS``). The same path
as a minute-long outage with the production settings, scaled down; run
``E2E_OUTAGE_SECONDS=60 E2E_PRODUCTION_RETRIES=1 pytest tests/e2e/test_telegram_outage_e2e.py``
for the full-length version.
"""

from __future__ import annotations

import os
import sqlite3
import time
from datetime import datetime, timezone

import pytest

from tests.e2e.test_telegram_e2e import Bot, _wait_text
from tests.fakes.telegram_server import FakeTelegram

pytestmark = pytest.mark.slow
OUTAGE_SECONDS = float(os.environ.get("E2E_OUTAGE_SECONDS", "5"))
USERS = (5001, 5002)


def _invite(url: str, n: int) -> list[str]:
    """Invitation codes for ``n`` heads, made in-process (the CLI path is tested in test_telegram_e2e)."""
    from handlers.people.registration import create_invite
    from models.db import make_engine, session_factory, transaction, upgrade

    engine = make_engine(url)
    upgrade(engine)
    with transaction(session_factory(engine)) as session:
        codes = [create_invite(session, name=f"Trưởng phòng {i}", role="head", unit_code="VP",
                               now=datetime.now(timezone.utc), valid_days=7).code for i in range(n)]
    engine.dispose()
    return codes


@pytest.fixture
def fake():
    server = FakeTelegram.start_in_thread()
    yield server
    server.stop()


def test_429_storm_and_an_outage_lose_nothing(fake, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "WEBHOOK_", "DATABASE_URL"))}
    db = tmp_path / "bot.db"
    env.update(fake.env(), DATABASE_URL=f"sqlite:///{db}")
    if not os.environ.get("E2E_PRODUCTION_RETRIES"):
        env.update(SEND_RETRY_ATTEMPTS="3", SEND_RETRY_BASE_SECONDS="0.1", OUTBOX_BACKOFF_SECONDS="1",
                   DISPATCH_EVERY_SECONDS="0.5")
    codes = _invite(f"sqlite:///{db}", len(USERS))
    bot = Bot(env, tmp_path / "bot.log")
    bot.start(fake)
    try:
        for user, code in zip(USERS, codes):
            fake.user_sends_text(user, f"/start {code}")
            _wait_text(fake, user, "đăng ký thành công")
        before = {u: len(fake.sent_messages(u)) for u in USERS}

        for _ in range(6):  # a 429 storm on sending …
            fake.fail_next("sendMessage", status=429, retry_after=1)
        fake.fail_for(OUTAGE_SECONDS, status=502, method="sendMessage")  # … then sending is down
        outage_ends = time.monotonic() + OUTAGE_SECONDS
        asked = ["/huongdan", "/viec", "/hoso"]
        for text in asked:
            for user in USERS:
                fake.user_sends_text(user, text)
            # the next question only once this one was answered or kept: the order is the one asked
            fake.wait_for_calls_sync("sendMessage", len(fake.calls("sendMessage")) + 1, timeout=30)
        for user in USERS:
            deadline = outage_ends + 60 + OUTAGE_SECONDS
            while len(fake.sent_messages(user)) - before[user] < len(asked) and time.monotonic() < deadline:
                time.sleep(0.2)
    finally:
        bot.stop()

    for user in USERS:
        answers = [m.text or "" for m in fake.sent_messages(user)][before[user]:]
        assert len(answers) == len(asked), answers  # all delivered, none twice
        assert "Trợ lý CCHC có thể giúp" in answers[0], (answers, bot.logs()[-6000:])
        assert "nhiệm vụ" in answers[1].lower()
        assert "hồ sơ" in answers[2].lower()  # and in the order they were asked
    with sqlite3.connect(db) as conn:  # the outage outlasted the sender: the replies waited in the outbox
        kept = conn.execute("SELECT count(*) FROM notification WHERE kind = 'reply' AND status = 'sent'").fetchone()[0]
    assert kept >= len(USERS)
