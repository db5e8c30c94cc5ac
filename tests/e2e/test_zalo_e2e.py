"""`python main.py run` with only a Zalo token, against the fake Zalo Bot API:
register with /start, ask for tasks, answer a reminder's numbered choice, and answer an
older reminder by its task number after a newer one came."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.e2e.test_telegram_e2e import NOW, ROOT, SEED, _cli
from tests.fakes.zalo_server import FakeZalo

pytestmark = pytest.mark.slow
USER = "zalo-user-1"


def _texts(fake: FakeZalo) -> list[str]:
    return [m.text or "" for m in fake.sent_messages(USER)]


def _wait(fake: FakeZalo, needle: str, timeout: float = 30) -> str:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        for text in _texts(fake):
            if needle in text:
                return text
        time.sleep(0.1)
    raise AssertionError(f"{needle!r} never arrived: {_texts(fake)}")


SECOND_CONCLUSION = """SỞ KHOA HỌC VÀ CÔNG NGHỆ
Số: 02/KL-SKHCN

KẾT LUẬN
của Giám đốc Sở tại cuộc họp giao ban tháng 12 năm 2021

Giám đốc Sở kết luận và giao nhiệm vụ như sau:
1. Giao Văn phòng Sở chủ trì rà soát, sửa đổi Quy chế làm việc của Sở; hoàn thành trước ngày 14/01/2022.
2. Giao Văn phòng Sở chủ trì xây dựng Kế hoạch cải cách hành chính năm 2022, trình Giám đốc Sở ban hành trước ngày 17/01/2022.
"""


def _restart(proc: subprocess.Popen, db: Path, env: dict, log, now: str) -> subprocess.Popen:
    """Stop the bot (after a send in flight has finished: a claim cut by the stop waits for its lock
    to expire) and start it again at the moment ``now``."""
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        with sqlite3.connect(db) as conn:
            if not conn.execute("SELECT count(*) FROM notification WHERE status = 'sending'").fetchone()[0]:
                break
        time.sleep(0.2)
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=30)
    return subprocess.Popen([sys.executable, "main.py", "run", "--now", now], cwd=ROOT, env=env, stdout=log,
                            stderr=subprocess.STDOUT)


def test_zalo_registration_tasks_and_numbered_choice(tmp_path):
    fake = FakeZalo.start_in_thread()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "ZALO_", "WEBHOOK_", "DATABASE_URL"))}
    db = tmp_path / "bot.db"
    env.update(fake.env(), DATABASE_URL=f"sqlite:///{db}")
    code = re.search(r"start=(\w+)", _cli(env, "invite", "--unit", "VP", "--role", "head", "--name", "Hồng")).group(1)
    _cli(env, "import-conclusion", str(SEED), "--allow-unassigned")
    log = (tmp_path / "bot.log").open("w")
    proc = subprocess.Popen([sys.executable, "main.py", "run", "--now", NOW], cwd=ROOT, env=env, stdout=log,
                            stderr=subprocess.STDOUT)
    try:
        fake.wait_for_calls_sync("getUpdates", 1, timeout=60, started=True)  # polling has begun
        fake.user_sends_text(USER, f"/start {code}")
        _wait(fake, "đăng ký thành công")
        fake.user_sends_text(USER, "/viec")
        _wait(fake, "Nhiệm vụ chưa hoàn thành của Văn phòng Sở")
        # the planner runs at start-up; the head registered after it, so restart to get the reminder
        proc = _restart(proc, db, env, log, NOW)
        reminder = _wait(fake, "Nhắc việc", timeout=60)
        number = re.search(r"(\d+)\. ✅", reminder).group(1)  # buttons arrive as numbered choices
        fake.user_sends_text(USER, number)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with sqlite3.connect(db) as conn:
                if conn.execute("SELECT status FROM task WHERE ref = '3'").fetchone() == ("done",):
                    break
            time.sleep(0.2)
        with sqlite3.connect(db) as conn:
            assert conn.execute("SELECT status, percent FROM task WHERE ref = '3'").fetchone() == ("done", 100), (
                "\n---\n".join(_texts(fake)))
        assert "*" not in reminder  # no markup on Zalo
        # without reply-to, any open task is answered by its number in the /viec list
        fake.user_sends_text(USER, "/viec")
        listing = _wait(fake, "Nhiệm vụ chưa hoàn thành của Văn phòng Sở: 7")
        first = re.search(r"“việc (\d+) xong 80%”", listing).group(1)  # the list says how, with its first number
        assert f"\n{first}. " in listing and "\n1. " not in listing  # task 1, done, keeps its number
        assert "📝" not in listing  # no numbered choices whose numbers would differ from the task numbers
        fake.user_sends_text(USER, f"việc {first} xong 50%")
        _wait(fake, "Đã ghi nhận tiến độ 50%")
        with sqlite3.connect(db) as conn:
            assert conn.execute("SELECT count(*) FROM task WHERE percent = 50").fetchone() == (1,)

        # an older reminder answered by its number after a newer one came (Zalo has no reply-to)
        conclusion = tmp_path / "KL-02.txt"
        conclusion.write_text(SECOND_CONCLUSION, encoding="utf-8")
        _cli(env, "import-conclusion", str(conclusion))
        proc = _restart(proc, db, env, log, "2022-01-05T09:00")  # 7 working days before 14/01: task 1 alone
        older = _wait(fake, "Quy chế làm việc", timeout=60)
        number = re.search(r"\(việc số (\d+)\)", older).group(1)
        proc = _restart(proc, db, env, log, "2022-01-06T09:00")  # 7 working days before 17/01: task 2 alone
        _wait(fake, "Kế hoạch cải cách hành chính năm 2022", timeout=60)
        fake.user_sends_text(USER, f"{number} xong 60%")
        _wait(fake, "Đã ghi nhận tiến độ 60%")
        with sqlite3.connect(db) as conn:
            got = dict(conn.execute("SELECT title, percent FROM task WHERE conclusion_id = "
                                    "(SELECT max(id) FROM conclusion)").fetchall())
        assert sorted(got.values()) == [0, 60] and next(p for t, p in got.items() if "Quy chế" in t) == 60
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
        fake.stop()
    assert env["ZALO_BOT_TOKEN"] not in (tmp_path / "bot.log").read_text()
