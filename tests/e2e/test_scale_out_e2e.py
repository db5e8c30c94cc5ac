"""Two `python main.py run` processes on one PostgreSQL database, polling the fake Bot API.

Exactly one polls (it holds the advisory lock), so every message is answered
once; when that process is killed outright, the other takes over and
answers the next message within 30 s.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import _truncate_and_seed
from tests.e2e.test_telegram_e2e import _cli, _texts, _wait_text
from tests.fakes.telegram_server import FakeTelegram

ROOT = Path(__file__).resolve().parents[2]
HELP = "Trợ lý CCHC có thể giúp"
HEAD = 4001
STRANGERS = (4101, 4102, 4103)
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"),
                                 reason="scale-out needs PostgreSQL (TEST_DATABASE_URL)")]


@pytest.fixture
def fake():
    server = FakeTelegram.start_in_thread()
    yield server
    server.stop()


def _count(fake: FakeTelegram, chat: int, needle: str) -> int:
    return sum(needle in t for t in _texts(fake, chat))


def test_two_processes_answer_each_message_once_and_take_over(fake, tmp_path, request):
    engine = request.getfixturevalue("pg_engine")
    _truncate_and_seed(engine)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "WEBHOOK_", "DATABASE_URL"))}
    env.update(fake.env(), DATABASE_URL=engine.url.render_as_string(hide_password=False),
               TELEGRAM_BOT_USERNAME="cchc_fake_bot")
    code = re.search(r"start=(\w+)", _cli(env, "invite", "--unit", "VP", "--role", "head", "--name", "A")).group(1)

    logs = [tmp_path / "bot-a.log", tmp_path / "bot-b.log"]
    procs = [subprocess.Popen([sys.executable, "main.py", "run"], cwd=ROOT, env=env, stdout=log.open("w"),
                              stderr=subprocess.STDOUT) for log in logs]
    try:
        for log in logs:  # each process is either the poller or waiting to take over
            end = time.monotonic() + 60
            while not any(s in log.read_text() for s in ("now polls", "waits to take over")):
                assert time.monotonic() < end, log.read_text()[-3000:]
                time.sleep(0.1)
        pollers = [i for i, log in enumerate(logs) if "now polls" in log.read_text()]
        assert len(pollers) == 1, [log.read_text()[-2000:] for log in logs]
        poller, other = pollers[0], 1 - pollers[0]
        fake.wait_for_calls_sync("setMyCommands", 1, timeout=60)

        fake.user_sends_text(HEAD, f"/start {code}")
        _wait_text(fake, HEAD, "đăng ký thành công")
        for _ in range(3):
            fake.user_sends_text(HEAD, "/huongdan")
        for user in STRANGERS:
            fake.user_sends_text(user, "xin chào")
        end = time.monotonic() + 30
        while _count(fake, HEAD, HELP) < 3 or any(not _texts(fake, u) for u in STRANGERS):
            assert time.monotonic() < end, _texts(fake, HEAD)
            time.sleep(0.1)

        procs[poller].send_signal(signal.SIGKILL)  # no clean shutdown: PostgreSQL drops its lock
        procs[poller].wait(timeout=10)
        killed_at = time.monotonic()
        fake.user_sends_text(HEAD, "/huongdan")
        end = killed_at + 30
        while _count(fake, HEAD, HELP) < 4:
            assert time.monotonic() < end, f"not taken over within 30 s:\n{logs[other].read_text()[-3000:]}"
            time.sleep(0.1)
        assert "now polls" in logs[other].read_text()

        procs[other].send_signal(signal.SIGTERM)
        procs[other].wait(timeout=30)
        # each update was answered exactly once, by one process or the other
        assert _count(fake, HEAD, HELP) == 4, _texts(fake, HEAD)
        assert _count(fake, HEAD, "đăng ký thành công") == 1
        assert all(len(_texts(fake, u)) == 1 for u in STRANGERS), {u: _texts(fake, u) for u in STRANGERS}
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=10)
