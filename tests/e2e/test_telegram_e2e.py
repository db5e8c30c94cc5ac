"""The real `python main.py run` process against the fake Bot API server.

A person registers by deep link, asks for tasks, gets a reminder after a
restart and presses "Đã hoàn thành"; the office uploads a conclusion; the
API throws a 429 burst and goes down for a while; the token never appears
in the bot's logs.
"""

from __future__ import annotations

import io
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook

from tests.fakes.telegram_server import FakeTelegram

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "tests" / "data" / "conclusions" / "000_ac2fbbd9d4a28b6a.txt"
NOW = "2021-12-27T09:00"  # a Monday, four working days before item 3's deadline (31/12/2021)
HEAD, OFFICE = 1001, 1002
pytestmark = pytest.mark.slow


def _cli(env: dict, *args: str) -> str:
    result = subprocess.run([sys.executable, "main.py", *args], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


class Bot:
    """`python main.py run` as a child process, its output kept for inspection."""

    def __init__(self, env: dict, log_path: Path) -> None:
        self.env, self.log_path = env, log_path
        self.proc: subprocess.Popen | None = None

    def start(self, fake: FakeTelegram) -> None:
        calls_before = len(fake.calls("setMyCommands"))
        log = self.log_path.open("a")
        self.proc = subprocess.Popen([sys.executable, "main.py", "run", "--now", NOW], cwd=ROOT, env=self.env,
                                     stdout=log, stderr=subprocess.STDOUT)
        fake.wait_for_calls_sync("setMyCommands", calls_before + 1, timeout=60)

    def stop(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=30)

    def logs(self) -> str:
        return self.log_path.read_text()


@pytest.fixture
def fake():
    server = FakeTelegram.start_in_thread()
    yield server
    server.stop()


@pytest.fixture
def setup(tmp_path, fake):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "WEBHOOK_", "DATABASE_URL"))}
    db = tmp_path / "bot.db"
    env.update(fake.env(), DATABASE_URL=f"sqlite:///{db}", TELEGRAM_BOT_USERNAME="cchc_fake_bot")
    codes = {}
    for user, role in ((HEAD, "head"), (OFFICE, "admin")):
        out = _cli(env, "invite", "--unit", "VP", "--role", role, "--name", f"Người {user}")
        codes[user] = re.search(r"start=(\w+)", out).group(1)
    _cli(env, "import-conclusion", str(SEED), "--allow-unassigned")
    bot = Bot(env, tmp_path / "bot.log")
    yield env, db, codes, bot
    if bot.proc and bot.proc.poll() is None:
        bot.proc.kill()


def _texts(fake: FakeTelegram, chat: int) -> list[str]:
    return [m.text or "" for m in fake.sent_messages(chat)]


def _wait_text(fake: FakeTelegram, chat: int, needle: str, timeout: float = 30) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if any(needle in t for t in _texts(fake, chat)):
            return
        time.sleep(0.1)
    raise AssertionError(f"{needle!r} never reached chat {chat}: {_texts(fake, chat)}")


def _wait_files(fake: FakeTelegram, chat: int, n: int, timeout: float = 30) -> list:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        files = [m for m in fake.sent_messages(chat) if m.kind == "document"]
        if len(files) >= n:
            return files
        time.sleep(0.1)
    raise AssertionError(f"{n} files never reached chat {chat}: {_texts(fake, chat)}")


def test_bot_over_telegram_end_to_end(fake, setup):
    env, db, codes, bot = setup
    token = env["TELEGRAM_BOT_TOKEN"]
    bot.start(fake)
    assert any(c["command"] == "viec" for c in fake.commands())

    # registration by deep link; a second use of the code is refused
    fake.user_sends_text(HEAD, f"/start {codes[HEAD]}")
    _wait_text(fake, HEAD, "đăng ký thành công")
    fake.user_sends_text(2002, f"/start {codes[HEAD]}")
    _wait_text(fake, 2002, "đã được sử dụng")
    fake.user_sends_text(OFFICE, f"/start {codes[OFFICE]}")
    _wait_text(fake, OFFICE, "đăng ký thành công")

    # /viec lists the office's task from the imported conclusion
    fake.user_sends_text(HEAD, "/viec")
    _wait_text(fake, HEAD, "Nhiệm vụ chưa hoàn thành của Văn phòng Sở")

    # the office asks for the half-year report and the monthly figures: files that open
    fake.user_sends_text(OFFICE, "báo cáo CCHC 6 tháng cuối năm 2021")
    fake.user_sends_text(OFFICE, "xuất thống kê hồ sơ tháng 11")
    report, stats = _wait_files(fake, OFFICE, 2)
    assert report.file_name.endswith(".docx") and "6 tháng cuối năm 2021" in (report.text or "")
    assert "2021" in "\n".join(p.text for p in Document(io.BytesIO(fake.file_bytes(report.file_id))).paragraphs)
    assert load_workbook(io.BytesIO(fake.file_bytes(stats.file_id))).active.max_row > 3

    # the office uploads a conclusion; the bot reviews it with buttons
    fake.user_sends_document(OFFICE, "KL-003.txt", (SEED.parent / "003_f96fe6ac96a9506c.txt").read_bytes(), "text/plain")
    _wait_text(fake, OFFICE, "Lưu tất cả")

    # restart: the planner finds item 3 due soon and reminds the head once
    bot.stop()
    bot.start(fake)
    _wait_text(fake, HEAD, "Nhắc việc")
    reminder = next(m for m in fake.sent_messages(HEAD) if "Nhắc việc" in (m.text or ""))
    fake.user_sends_text(HEAD, "xong 80%", reply_to_message_id=reminder.message_id)
    _wait_text(fake, HEAD, "Đã ghi nhận tiến độ 80%")
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT percent FROM task WHERE ref = '3'").fetchone() == (80,)
    # a malformed figure changes nothing and is asked back
    fake.user_sends_text(HEAD, "xong 8o%", reply_to_message_id=reminder.message_id)
    _wait_text(fake, HEAD, "Chưa đọc được tiến độ")
    # an extension asked in words reaches the decider (here the office: no deputy director is
    # registered), whose typed "đồng ý" moves the deadline
    fake.user_sends_text(HEAD, "xin gia hạn đến 14/1/2022 do chờ số liệu", reply_to_message_id=reminder.message_id)
    _wait_text(fake, OFFICE, "chờ số liệu")
    request = next(m for m in fake.sent_messages(OFFICE) if "chờ số liệu" in (m.text or ""))
    fake.user_sends_text(OFFICE, "Đồng ý", reply_to_message_id=request.message_id)
    _wait_text(fake, OFFICE, "Đã đồng ý: hạn của nhiệm vụ")
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT deadline, percent FROM task WHERE ref = '3'").fetchone() == ("2022-01-14", 80)
    # a second request, refused in words: the reason reaches the head, even though it reads like a question
    fake.user_sends_text(HEAD, "xin gia hạn thêm đến 21/1/2022", reply_to_message_id=reminder.message_id)
    _wait_text(fake, OFFICE, "21/01/2022")
    second = [m for m in fake.sent_messages(OFFICE) if "21/01/2022" in (m.text or "")][-1]
    fake.user_sends_text(OFFICE, "Không đồng ý, sao không xong trước Tết được?", reply_to_message_id=second.message_id)
    _wait_text(fake, HEAD, "sao không xong trước Tết được?")
    done = next(data for row in reminder.buttons for label, data in row if "hoàn thành" in label)
    fake.user_presses_button(HEAD, reminder.message_id, done)
    fake.wait_for_calls_sync("answerCallbackQuery", 1, timeout=30)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with sqlite3.connect(db) as conn:
            status = conn.execute("SELECT status, percent FROM task WHERE ref = '3'").fetchone()
        if status == ("done", 100):
            break
        time.sleep(0.2)
    assert status == ("done", 100)

    # a 429 burst: the answer still arrives, once
    for _ in range(3):
        fake.fail_next("sendMessage", status=429, retry_after=1)
    fake.user_sends_text(HEAD, "/huongdan")
    _wait_text(fake, HEAD, "Trợ lý CCHC có thể giúp")

    # the API goes down for a while; questions asked meanwhile are answered after
    fake.go_down()
    polling_failures = bot.logs().count("Telegram polling failed")
    deadline = time.monotonic() + 30
    while bot.logs().count("Telegram polling failed") == polling_failures and time.monotonic() < deadline:
        time.sleep(0.1)  # until the bot noticed the outage (its poll failed)
    assert bot.logs().count("Telegram polling failed") > polling_failures
    fake.user_sends_text(HEAD, "/hoso")
    fake.come_back()
    _wait_text(fake, HEAD, "không có hồ sơ đang giải quyết", timeout=60)

    bot.stop()
    reminders = [t for t in _texts(fake, HEAD) if t.startswith("🔔 Nhắc việc")]
    assert len(reminders) == 1, reminders  # the restart did not send it again
    helps = [t for t in _texts(fake, HEAD) if "Trợ lý CCHC có thể giúp" in t]
    assert len(helps) == 1
    logs = bot.logs()
    assert "Telegram" in logs or "telegram" in logs  # the logs were captured
    assert token not in logs and f"bot{token}" not in logs
