"""APScheduler wiring: the planner tick, the dispatcher loop, the weekly digest.

The jobs only call plain functions (:func:`tick_once`, :func:`dispatch_once`,
:func:`queue_weekly_digest`) that tests drive with a controlled clock; all
state lives in the database, so the scheduler may be restarted at will.

* planner tick — every minute, ``coalesce=True`` (missed runs collapse into
  one), ``max_instances=1``, a misfire grace so a busy minute is not lost;
* dispatcher — every ``settings.dispatch_every_seconds`` (5 s), sends until nothing is due, to up to
  ``DISPATCH_CONCURRENCY`` people at once (Telegram's 30 msg/s needs several sends in flight);
* weekly digest — a cron job at ``settings.digest_weekday`` /
  ``settings.digest_time`` (the tick also catches up if the bot was down).

With an asyncio loop (the Telegram runner) an AsyncIOScheduler runs the
dispatcher as a coroutine on that loop, so async senders bound to it work,
and the tick in a worker thread. Without one (console demo, scripts) a
BackgroundScheduler runs everything in threads.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone

from sqlalchemy.orm import Session, sessionmaker

from handlers.worktime.calendar import WorkCalendar, default_calendar
from scheduler.dispatcher import DISPATCH_CONCURRENCY, dispatch_until_empty
from scheduler.planner import tick_once
from scheduler.senders import Sender
from settings import Settings

log = logging.getLogger(__name__)

TICK_SECONDS = 60
MISFIRE_GRACE_SECONDS = 50


@dataclass
class SchedulerHandle:
    """What :func:`start_scheduler` returns; call :meth:`shutdown` on exit."""

    scheduler: object
    # Held while a job asks the scheduler to run the dispatcher now: APScheduler's
    # shutdown(wait=True) holds its job-store lock while it waits for running jobs,
    # so a job calling modify_job during shutdown would wait forever.
    guard: threading.Lock = field(default_factory=threading.Lock)
    stopping: bool = False

    def run_dispatcher_now(self) -> None:
        with self.guard:
            if not self.stopping:
                self.scheduler.modify_job("dispatcher", next_run_time=datetime.now(timezone.utc))

    def shutdown(self, wait: bool = False) -> None:
        with self.guard:
            self.stopping = True
        try:
            self.scheduler.shutdown(wait=wait)
        except Exception:  # already stopped
            log.debug("scheduler already stopped", exc_info=True)


def queue_weekly_digest(factory: sessionmaker[Session], settings: Settings, now: datetime,
                        cal: WorkCalendar | None = None) -> int:
    """Put this week's digest in the outbox for each leader (idempotent)."""
    from handlers.reporting.digest import weekly_digest_rows
    from handlers.core.outbox import enqueue
    from handlers.people.recipients import Directory

    cal = cal or default_calendar()
    with factory() as session, session.begin():
        return enqueue(session, weekly_digest_rows(session, now, settings, cal, Directory.load(session)))


def start_scheduler(
    factory: sessionmaker[Session],
    settings: Settings,
    senders: Mapping[str, Sender],
    clock: Callable[[], datetime] | None = None,
    loop: asyncio.AbstractEventLoop | None = None,
    cal: WorkCalendar | None = None,
) -> SchedulerHandle:
    """Start the three jobs; pass ``loop`` (or call from inside a running loop) for asyncio."""
    from apscheduler.triggers.cron import CronTrigger

    clock = clock or (lambda: datetime.now(timezone.utc))
    cal = cal or default_calendar()
    if loop is None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
    common = {"coalesce": True, "max_instances": 1, "misfire_grace_time": MISFIRE_GRACE_SECONDS}

    def tick() -> None:
        try:
            result = tick_once(factory, settings, clock(), cal)
            if result.inserted:
                log.info("planner: %s new notification(s) %s", result.inserted, result.by_kind)
                handle.run_dispatcher_now()  # send now, not at the next interval
        except Exception:
            log.exception("planner tick failed")

    async def dispatch() -> None:
        try:
            await dispatch_until_empty(factory, settings, senders, clock=clock, cal=cal,
                                       concurrency=DISPATCH_CONCURRENCY)
        except Exception:
            log.exception("dispatcher round failed")

    def digest() -> None:
        try:
            queue_weekly_digest(factory, settings, clock(), cal)
        except Exception:
            log.exception("weekly digest failed")

    cron = CronTrigger(day_of_week=settings.digest_weekday, hour=settings.digest_time.hour,
                       minute=settings.digest_time.minute, timezone=settings.timezone)
    if loop is not None:
        from apscheduler.schedulers.asyncio import AsyncIOScheduler

        sched = AsyncIOScheduler(event_loop=loop, timezone=settings.timezone)
        sched.add_job(_in_thread(tick), "interval", seconds=TICK_SECONDS, id="planner", next_run_time=datetime.now(timezone.utc), **common)
        sched.add_job(dispatch, "interval", seconds=settings.dispatch_every_seconds, id="dispatcher", next_run_time=datetime.now(timezone.utc), **common)
        sched.add_job(_in_thread(digest), cron, id="digest", **common)
    else:
        from apscheduler.schedulers.background import BackgroundScheduler

        sched = BackgroundScheduler(timezone=settings.timezone)
        sched.add_job(tick, "interval", seconds=TICK_SECONDS, id="planner", next_run_time=datetime.now(timezone.utc), **common)
        sched.add_job(lambda: asyncio.run(dispatch()), "interval", seconds=settings.dispatch_every_seconds, id="dispatcher",
                      next_run_time=datetime.now(timezone.utc), **common)
        sched.add_job(digest, cron, id="digest", **common)
    handle = SchedulerHandle(sched)
    sched.start()
    return handle


def _in_thread(fn: Callable[[], None]):
    """A coroutine running blocking ``fn`` in a worker thread (keeps the bot's loop free)."""
    async def run() -> None:
        await asyncio.to_thread(fn)

    run.__name__ = fn.__name__
    return run
