"""Planner and dispatcher throughput: plan 10,000 open work items, dispatch 2,000 messages.

Run: python benches/bench_dispatch.py            (SQLite in a temporary file)
     BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench python benches/bench_dispatch.py

The planner tick runs every minute, so its steady-state time (nothing new to
plan) must stay well under a minute; the first tick of a day writes a row per
due reminder. Dispatch is timed one message at a time and with the bot job's
concurrency, to a sender that answers at once (the database cost per message).
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benches.common import add_unit_heads, fresh_database  # noqa: E402

from sqlalchemy import func, select, text, update  # noqa: E402

from handlers.core.messages import Reply  # noqa: E402
from models.db import make_engine, session_factory, transaction, upgrade  # noqa: E402
from models.org import Identity, Person, Unit  # noqa: E402
from models.outbox import Notification  # noqa: E402
from models.tasks import Task  # noqa: E402
from scheduler.dispatcher import DISPATCH_CONCURRENCY, dispatch_once  # noqa: E402
from scheduler.planner import tick_once  # noqa: E402
from settings import Settings  # noqa: E402

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=TZ)
ITEMS = 10_000
DISPATCH = 2_000


class NoopSender:
    async def send(self, chat_id: str, reply: Reply) -> str | None:
        return "1"




def _seed(factory) -> None:
    with transaction(factory) as s:
        units = add_unit_heads(s)
        base = date(2026, 10, 1)
        s.add_all(Task(title=f"Nhiệm vụ {i}", lead_unit=units[i % len(units)], deadline=base + timedelta(days=i % 120),
                       original_deadline=base + timedelta(days=i % 120)) for i in range(ITEMS))


def main() -> None:
    url = fresh_database()
    engine = make_engine(url)
    upgrade(engine)
    factory = session_factory(engine)
    settings = Settings(_env_file=None, database_url=url)
    _seed(factory)
    print(f"database: {engine.dialect.name}; {ITEMS:,} open tasks over 8 units")

    for label in ("first tick (writes the due reminders)", "steady tick (nothing new)"):
        t0, c0 = time.perf_counter(), time.process_time()
        result = tick_once(factory, settings, NOW)
        dt, cpu = time.perf_counter() - t0, time.process_time() - c0
        print(f"{label}: {dt:.2f} s (CPU {cpu:.2f} s) — items {result.items:,}, "
              f"candidate rows {result.candidates:,}, inserted {result.inserted:,}")

    for concurrency in (1, DISPATCH_CONCURRENCY):
        _make_due(factory, DISPATCH)
        with factory() as s:
            already = s.scalar(select(func.count(Notification.id)).where(Notification.status == "sent"))
        t0, c0 = time.perf_counter(), time.process_time()
        sent = asyncio.run(_run(factory, settings, concurrency))
        dt, cpu = time.perf_counter() - t0, time.process_time() - c0
        with factory() as s:
            ok = s.scalar(select(func.count(Notification.id)).where(Notification.status == "sent"))
        print(f"dispatch, {concurrency} at once: {sent:,} notifications in {dt:.2f} s (CPU {cpu:.2f} s; "
              f"{sent / dt:,.0f}/s), {ok - already:,} marked sent")


def _make_due(factory, n: int) -> None:
    """``n`` reminders due now, each its own message (the planner bundles a head's tasks into rounds,
    so the tasks' rows are markers: they become single messages here); everything else parked."""
    with transaction(factory) as s:
        s.execute(update(Notification).values(not_before=NOW + timedelta(days=365)))
        ids = list(s.scalars(select(Notification.id).where(Notification.kind == "reminder",
                                                           Notification.status != "sent")
                             .order_by(Notification.id).limit(n)))
        s.execute(update(Notification).where(Notification.id.in_(ids)).values(
            not_before=NOW, status="pending", payload={"text": "Nhắc việc"}))


async def _run(factory, settings: Settings, concurrency: int) -> int:
    senders = {"console": NoopSender()}
    sent = 0
    while True:
        n = await dispatch_once(factory, settings, senders, NOW, limit=100, concurrency=concurrency)
        if n == 0:
            return sent
        sent += n


if __name__ == "__main__":
    main()
