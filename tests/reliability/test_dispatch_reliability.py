"""Kill the dispatcher at random moments, and run two at once on SQLite and
PostgreSQL: every reminder is delivered; duplicates ≤ kills; none with two
processes, even when one send takes longer than the claim's lease."""

from __future__ import annotations

import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import func, select

from handlers.core.messages import Reply
from handlers.core.outbox import enqueue, notification_row, reply_payload
from models.db import make_engine, session_factory, transaction
from models.org import Identity, Person
from models.outbox import Notification
from tests.conftest import NOW
from tests.fakes.telegram_server import FakeTelegram

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow
MARK = re.compile(r"#(\d+)$")
# One shift of the real clock for every worker of the session (Monday 10:00,
# office hours): workers started later must not run on a clock behind the
# earlier ones, or they would see other processes' leases as expired.
OFFSET = (NOW - datetime.now(timezone.utc)).total_seconds() + 3600


def _fill(url: str, n: int, people: int = 10) -> None:
    """``n`` reminders due now for ``people`` heads on Telegram."""
    factory = session_factory(make_engine(url))
    with transaction(factory) as s:
        ids = []
        for k in range(people):
            p = Person(name=f"Trưởng phòng {k}", role="head")
            p.identities.append(Identity(channel="telegram", external_id=str(5000 + k), chat_id=str(5000 + k)))
            s.add(p)
            s.flush()
            ids.append(p.id)
        enqueue(s, [notification_row(f"rel:{i}", ids[i % people], "reminder",
                                     reply_payload(Reply(f"Nhắc việc #{i}")), NOW) for i in range(n)])


def _worker(url: str, tg: FakeTelegram, lease: float = 1.0, limit: int = 10, concurrency: int = 1) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.reliability.worker", "--database-url", url, "--api", tg.api_url,
         "--offset", str(OFFSET), "--lock-seconds", str(lease), "--limit", str(limit),
         "--concurrency", str(concurrency)],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )


def _delivered(tg: FakeTelegram) -> Counter:
    return Counter(int(m.group(1)) for msg in tg.sent_messages() if (m := MARK.search(msg.text or "")))


def _statuses(url: str) -> dict[str, int]:
    with session_factory(make_engine(url))() as s:
        return dict(s.execute(select(Notification.status, func.count()).group_by(Notification.status)).all())


@pytest.fixture
def tg():
    fake = FakeTelegram.start_in_thread()
    yield fake
    fake.stop()


def test_sigkill_twenty_times_while_sending_500_reminders(tmp_path, sqlite_template, tg):
    path = tmp_path / "bot.db"
    shutil.copy(sqlite_template, path)
    url = f"sqlite:///{path}"
    _fill(url, 500)
    tg.set_delay(0.008, "sendMessage")  # spread the sending over the kills
    rng = random.Random(20270215)
    kills = 0
    for _ in range(20):
        proc = _worker(url, tg)
        time.sleep(rng.uniform(0.35, 1.1))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait()
    final = _worker(url, tg)
    _, err = final.communicate(timeout=60)
    assert final.returncode == 0, err.decode()[-2000:]
    delivered = _delivered(tg)
    assert set(delivered) == set(range(500))  # every reminder at least once
    duplicates = sum(c - 1 for c in delivered.values())
    assert duplicates <= kills
    assert _statuses(url) == {"sent": 500}
    print(f"kills={kills} duplicates={duplicates}")


def test_sending_to_ten_people_at_once_killed_ten_times_loses_nothing(db_url, tg):
    """The bot's dispatcher serves several people at once: a kill may duplicate what was in flight
    (at most one message per person being served), never loses one."""
    concurrency = 10
    _fill(db_url, 300)
    tg.set_delay(0.008, "sendMessage")
    rng = random.Random(20270216)
    kills = 0
    for _ in range(10):
        proc = _worker(db_url, tg, limit=50, concurrency=concurrency)
        time.sleep(rng.uniform(0.35, 1.1))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait()
    final = _worker(db_url, tg, limit=50, concurrency=concurrency)
    _, err = final.communicate(timeout=90)
    assert final.returncode == 0, err.decode()[-2000:]
    delivered = _delivered(tg)
    assert set(delivered) == set(range(300))
    assert sum(c - 1 for c in delivered.values()) <= kills * concurrency
    assert _statuses(db_url) == {"sent": 300}


def test_two_dispatchers_with_sends_slower_than_the_lease_never_send_twice(db_url, tg):
    """Each send takes 3 s, longer than the 2 s lease: only the renewal keeps the other process off."""
    _fill(db_url, 4, people=4)
    tg.set_delay(3.0, "sendMessage")
    procs = [_worker(db_url, tg, lease=2.0, limit=1) for _ in range(2)]
    for proc in procs:
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err.decode()[-2000:]
    delivered = _delivered(tg)
    assert set(delivered) == set(range(4))
    assert max(delivered.values()) == 1, delivered
    assert _statuses(db_url) == {"sent": 4}


def test_two_dispatchers_on_one_postgresql_never_send_twice(db_url, tg):
    if not db_url.startswith("postgresql"):
        pytest.skip("the many-rows race runs on PostgreSQL (SKIP LOCKED); SQLite is covered above")
    _fill(db_url, 300)
    tg.set_delay(0.002, "sendMessage")
    procs = [_worker(db_url, tg) for _ in range(2)]
    for proc in procs:
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err.decode()[-2000:]
    delivered = _delivered(tg)
    assert set(delivered) == set(range(300))
    assert max(delivered.values()) == 1
    assert _statuses(db_url) == {"sent": 300}


def test_after_sigkill_a_restarted_dispatcher_sends_the_rest_within_30_seconds(tmp_path, sqlite_template, tg):
    """The killed process held a claimed batch; the restart takes it over once the lease lapses."""
    path = tmp_path / "bot.db"
    shutil.copy(sqlite_template, path)
    url = f"sqlite:///{path}"
    _fill(url, 40)
    tg.set_delay(0.05, "sendMessage")
    proc = _worker(url, tg, lease=3.0, limit=40)  # one batch holds everything
    deadline = time.monotonic() + 30
    while len(tg.sent_messages()) < 5 and time.monotonic() < deadline:
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert 0 < len(_delivered(tg)) < 40  # killed mid-batch
    restarted_at = time.monotonic()
    final = _worker(url, tg, lease=3.0)
    _, err = final.communicate(timeout=60)
    took = time.monotonic() - restarted_at
    assert final.returncode == 0, err.decode()[-2000:]
    delivered = _delivered(tg)
    assert set(delivered) == set(range(40))
    assert sum(c - 1 for c in delivered.values()) <= 1  # at most the one in flight at the kill
    assert took < 30, took
    assert _statuses(url) == {"sent": 40}
