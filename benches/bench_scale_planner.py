"""Planner tick over 100,000 open tasks (target: steady tick ≤ 1 s) and reminders through the
real Telegram client at Telegram's limits (target: within 5 % of 30 msg/s, zero 429s).

* **tick** — 100,000 open one-off tasks over the default units, deadlines
  spread from 60 days overdue to a year ahead (a province-wide instance's
  open work); the first tick of the day writes the due reminders, a steady
  tick (the one that runs every minute after it) finds nothing new.
* **dispatch** — ``SENDS`` of those reminders, each to its own person's
  Telegram chat, go through the real dispatcher (claim → send → mark) and the
  real python-telegram-bot client with the project's pacing
  (``TelegramSender`` + ``RateLimiter``) against the fake Bot API server
  enforcing Telegram's limits (30 msg/s overall, 1 msg/s per chat). The floor
  is ``SENDS / 30`` s; 5,000 would take ~167 s, so 1,000 are sent by default
  and the rate stated (``--sends 5000`` for the full target).
* peak RSS of this process (planner, dispatcher and the fake server together).

    python benches/bench_scale_planner.py [--sends 5000]    # SQLite in a temporary file
    BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench python benches/bench_scale_planner.py
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import resource
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benches.common import add_unit_heads, fresh_database  # noqa: E402

from sqlalchemy import func, insert, select, text, update  # noqa: E402
from telegram import Bot  # noqa: E402

from bot.common.ratelimit import RateLimiter, RateLimits  # noqa: E402
from bot.telegram.sender import TelegramSender  # noqa: E402
from handlers.core.messages import Reply  # noqa: E402
from handlers.core.outbox import reply_payload  # noqa: E402
from handlers.tasks.reminders import render_reminder  # noqa: E402
from models.db import make_engine, session_factory, transaction, upgrade  # noqa: E402
from models.org import Identity, Person, Unit  # noqa: E402
from models.outbox import Notification, OutboxStatus  # noqa: E402
from models.queries import find_work_item  # noqa: E402
from models.tasks import Task  # noqa: E402
from scheduler.dispatcher import DISPATCH_CONCURRENCY, dispatch_until_empty  # noqa: E402
from scheduler.planner import tick_once  # noqa: E402
from settings import Settings  # noqa: E402
from tests.fakes.telegram_server import FakeTelegram  # noqa: E402

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=TZ)  # a Monday morning
TASKS = 100_000
SENDS = 1_000
FLOOR_PER_SECOND = 30.0
FIRST_CHAT = 700_000


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024




def _seed_tasks(factory) -> None:
    """The tasks, inserted 10,000 at a time (so the seeding's lists do not set the peak RSS)."""
    with transaction(factory) as s:
        unit_ids = [u.id for u in add_unit_heads(s)]
        today = NOW.date()
        for start in range(0, TASKS, 10_000):
            s.execute(insert(Task.__table__), [
                {"title": f"Nhiệm vụ {i}", "lead_unit_id": unit_ids[i % len(unit_ids)], "status": "open",
                 "deadline": today + timedelta(days=i % 425 - 60),
                 "original_deadline": today + timedelta(days=i % 425 - 60), "created_at": NOW, "updated_at": NOW}
                for i in range(start, min(start + 10_000, TASKS))])


class TelegramReminders:
    """The dispatcher's view of the Telegram channel: the adapter's ``send``, without polling."""

    def __init__(self, sender: TelegramSender) -> None:
        self.sender = sender

    async def send(self, chat_id: str, reply: Reply) -> str | None:
        ids = await self.sender.send_reply(chat_id, reply)
        return str(ids[-1]) if ids else None


def _route_to_telegram(factory, sends: int) -> int:
    """Make ``sends`` of the due reminders single messages, each to its own Telegram person; park the rest.

    The planner bundles a head's due tasks into one round message (a few per
    head), so the tasks' own rows are markers; each chosen one becomes the
    single reminder that task would get (rendered by the same code) to a
    person of its own, so the dispatcher sends ``sends`` separate messages.
    """
    today = NOW.date()
    with transaction(factory) as s:
        unit = s.scalars(select(Unit)).first()
        rows = list(s.execute(select(Notification.id, Notification.subject_ref, Notification.payload)
                              .where(Notification.kind == "reminder", Notification.subject_ref.is_not(None))
                              .order_by(Notification.id).limit(sends)))
        s.execute(update(Notification).values(not_before=NOW + timedelta(days=365)))
        people = []
        for i in range(len(rows)):
            p = Person(name=f"Người nhận {i}", role="head", unit=unit)
            p.identities.append(Identity(channel="telegram", external_id=str(FIRST_CHAT + i), chat_id=str(FIRST_CHAT + i)))
            people.append(p)
        s.add_all(people)
        s.flush()
        for (nid, ref, payload), person in zip(rows, people):
            item = find_work_item(s, ref)
            deadline = date.fromisoformat(payload["deadline"])
            single = reply_payload(render_reminder(item, deadline, today), deadline=payload["deadline"],
                                   step=payload.get("step"))
            s.execute(update(Notification).where(Notification.id == nid).values(
                person_id=person.id, not_before=NOW, status=OutboxStatus.PENDING, payload=single))
        return len(rows)


async def _dispatch(factory, settings: Settings, fake: FakeTelegram) -> float:
    async with Bot(fake.token, base_url=fake.base_url) as bot:
        senders = {"telegram": TelegramReminders(TelegramSender(bot, limiter=RateLimiter(RateLimits())))}
        t0, c0 = time.perf_counter(), time.process_time()
        await dispatch_until_empty(factory, settings, senders, clock=lambda: NOW, limit=100,
                                   concurrency=DISPATCH_CONCURRENCY)
        print(f"dispatch CPU (this process, the fake server included): {time.process_time() - c0:.1f} s")
        return time.perf_counter() - t0


def main(sends: int = SENDS) -> None:
    logging.basicConfig(level=logging.ERROR)
    url = fresh_database()
    engine = make_engine(url)
    upgrade(engine)
    factory = session_factory(engine)
    settings = Settings(_env_file=None, database_url=url)
    t0 = time.perf_counter()
    _seed_tasks(factory)
    print(f"database: {engine.dialect.name}; {TASKS:,} open tasks seeded in {time.perf_counter() - t0:.1f} s "
          f"(deadlines from 60 days overdue to a year ahead)", flush=True)

    for label in ("first tick (writes the due reminders)", "steady tick (nothing new)", "steady tick again"):
        t0, c0 = time.perf_counter(), time.process_time()
        result = tick_once(factory, settings, NOW)
        dt, cpu = time.perf_counter() - t0, time.process_time() - c0
        verdict = "" if label.startswith("first") else f"  ({'within' if dt <= 1 else 'OVER'} 1 s)"
        print(f"{label:38} {dt:6.2f} s (CPU {cpu:5.2f} s) — items {result.items:,}, candidates {result.candidates:,}, "
              f"inserted {result.inserted:,}{verdict}; peak RSS {peak_rss_mb():.0f} MB", flush=True)

    planned = _route_to_telegram(factory, sends)
    fake = FakeTelegram.start_in_thread(enforce_limits=True)
    try:
        seconds = asyncio.run(_dispatch(factory, settings, fake))
        delivered = len(fake.sent_messages())
        rejected = fake.rejected_429
    finally:
        fake.stop()
    with factory() as s:
        marked = s.scalar(select(func.count(Notification.id)).where(Notification.status == OutboxStatus.SENT))
    floor = planned / FLOOR_PER_SECOND
    rate = delivered / seconds if seconds else 0.0
    verdict = "within" if seconds <= floor * 1.05 and rejected == 0 else "OVER"
    print(f"dispatch: {delivered:,} of {planned:,} reminders delivered in {seconds:.1f} s ({rate:.1f} msg/s); "
          f"floor at 30 msg/s {floor:.1f} s → {seconds / floor:.2f}× ({verdict} 5 %); 429s: {rejected}; "
          f"{marked:,} marked sent; 5,000 at this rate: {5000 / rate if rate else float('inf'):.0f} s; "
          f"peak RSS {peak_rss_mb():.0f} MB", flush=True)


def _args() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sends", nargs="?", type=int, default=SENDS, help="reminders to dispatch (default 1,000)")
    parser.add_argument("--sends", dest="sends_flag", type=int, help="the same, as a flag: --sends 5000")
    args = parser.parse_args()
    return args.sends_flag or args.sends


if __name__ == "__main__":
    main(_args())
