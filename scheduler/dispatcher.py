"""The dispatcher: send what the outbox says is due, exactly once if it can.

A round (:func:`dispatch_once`) works in three short transactions per message
so a crash never loses one:

1. **claim** — due rows (``pending`` with ``not_before <= now``, or a
   ``sending`` row whose lock expired after a crash) are locked with
   ``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL, set to ``sending`` with
   ``locked_until = now + lock`` and ``attempts + 1``, and committed. A second
   process skips them.
2. **send** — one message at a time, in ``(not_before, id)`` order, so a
   person's messages arrive in order and at most one is in flight.
3. **mark** — ``sent`` (plus a SentMessage so a reply finds the task), or back
   to ``pending`` with exponential back-off, or ``dead`` after
   ``settings.outbox_max_attempts`` or a permanent failure; the office then
   gets one "system" message naming what could not be delivered.

A crash between 2 and 3 leaves a ``sending`` row that is retried when its
lock expires: the in-flight message may be duplicated, never lost.

Reminders, dossier alerts and digests wait for working hours; messages that
answer a person's own action go out at once. Just before sending, a reminder
is checked against the task: one that was finished or whose deadline moved
meanwhile is cancelled instead of sent.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from handlers.text.i18n import _, use_locale
from handlers.core.messages import Reply
from handlers.core.outbox import OFFICE_HOURS_KINDS, enqueue, notification_row, office_people, payload_replies, reply_payload
from models.dossiers import Dossier
from models.org import Person
from models.outbox import Notification, OutboxStatus, SentMessage
from models.queries import find_work_item
from models.tasks import TaskStatus
from handlers.worktime.calendar import WorkCalendar, default_calendar
from scheduler.senders import Sender, SendFailed
from settings import Settings

log = logging.getLogger(__name__)

DEFAULT_LOCK_SECONDS = 120
BACKOFF_BASE_SECONDS = 30
BACKOFF_MAX_SECONDS = 3600


@dataclass(frozen=True)
class Claim:
    """A claimed row, detached from its session."""

    id: int
    person_id: int | None
    kind: str
    subject_ref: str | None
    payload: dict
    attempts: int


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, … capped at an hour."""
    return timedelta(seconds=min(BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0), BACKOFF_MAX_SECONDS))


# ---------------------------------------------------------------- claim


def claim(
    factory: sessionmaker[Session], now: datetime, limit: int, cal: WorkCalendar,
    lock_seconds: int = DEFAULT_LOCK_SECONDS,
) -> list[Claim]:
    """Lock up to ``limit`` due rows for this process and commit the claim."""
    with factory() as session, session.begin():
        claimable = or_(
            and_(Notification.status == OutboxStatus.PENDING,
                 or_(Notification.locked_until.is_(None), Notification.locked_until < now)),
            and_(Notification.status == OutboxStatus.SENDING, Notification.locked_until < now),
        )
        stmt = select(Notification).where(claimable, Notification.not_before <= now)
        if not cal.in_working_hours(now):
            stmt = stmt.where(Notification.kind.not_in(OFFICE_HOURS_KINDS))
        stmt = stmt.order_by(Notification.not_before, Notification.id).limit(limit)
        if session.get_bind().dialect.name == "postgresql":
            stmt = stmt.with_for_update(skip_locked=True)
        rows = list(session.scalars(stmt))
        waiting = _backed_off(session, now)
        # A person's messages go out in order: nothing overtakes one that is
        # waiting to be retried (a reply kept during an outage, say).
        rows = [r for r in rows if not (r.person_id in waiting and r.id > waiting[r.person_id])]
        rows.sort(key=lambda r: r.id)  # within what is due, oldest first: a retried message keeps its place
        claims = []
        for row in rows:
            row.status = OutboxStatus.SENDING
            row.locked_until = now + timedelta(seconds=lock_seconds)
            row.attempts = (row.attempts or 0) + 1
            claims.append(Claim(row.id, row.person_id, row.kind, row.subject_ref, dict(row.payload), row.attempts))
        return claims


# ---------------------------------------------------------------- send one


def _route(session: Session, person_id: int | None, senders: Mapping[str, Sender]) -> tuple[str, str, str] | None:
    """(channel, chat id, locale) of the person's first identity on a channel we can send to."""
    if person_id is None:
        return None
    person = session.get(Person, person_id)
    if person is None or not person.active:
        return None
    for ident in sorted(person.identities, key=lambda i: i.id):
        if ident.channel in senders:
            return ident.channel, ident.chat_id, person.locale
    return None


def _still_relevant(session: Session, c: Claim, today: date) -> bool:
    """False for a reminder about finished work or an old deadline, or an alert already acted on."""
    if not c.subject_ref:
        return True
    if c.kind == "reminder":
        item = find_work_item(session, c.subject_ref)
        if item is None or item.status != TaskStatus.OPEN or item.task.status != TaskStatus.OPEN:
            return False
        planned = c.payload.get("deadline")
        return planned is None or item.deadline is None or planned == item.deadline.isoformat()
    if c.kind == "dossier_alert" and c.subject_ref.startswith("dossier:"):
        dossier = session.get(Dossier, int(c.subject_ref.split(":", 1)[1]))
        if dossier is None or not dossier.is_open:
            return False
        return not (c.payload.get("late") and dossier.apology_at is not None)
    return True


def _backed_off(session: Session, now: datetime) -> dict[int, int]:
    """Person → id of their oldest notification waiting for a retry."""
    from sqlalchemy import func

    stmt = (select(Notification.person_id, func.min(Notification.id))
            .where(Notification.status == OutboxStatus.PENDING, Notification.attempts > 0,
                   Notification.not_before > now, Notification.person_id.is_not(None))
            .group_by(Notification.person_id))
    return {pid: first for pid, first in session.execute(stmt)}


def _release(factory, c: Claim) -> None:
    """Give back a claim unsent and uncounted (an earlier message to the same person failed)."""
    with factory() as session, session.begin():
        session.execute(update(Notification).where(Notification.id == c.id).values(
            status=OutboxStatus.PENDING, locked_until=None, attempts=max(c.attempts - 1, 0)))


def _prepare(factory, c: Claim, senders, now: datetime, cal: WorkCalendar):
    with factory() as session, session.begin():
        if not _still_relevant(session, c, cal.to_local(now).date()):
            session.execute(update(Notification).where(Notification.id == c.id)
                            .values(status=OutboxStatus.CANCELLED, locked_until=None))
            return "cancelled"
        return _route(session, c.person_id, senders)


def _mark_sent(factory, c: Claim, now: datetime, channel: str, chat_id: str, message_id: str | None) -> None:
    with factory() as session, session.begin():
        session.execute(update(Notification).where(Notification.id == c.id).values(
            status=OutboxStatus.SENT, sent_at=now, locked_until=None, last_error=None))
        ref = c.payload.get("context_ref")
        if ref and message_id is not None:
            session.add(SentMessage(channel=channel, chat_id=str(chat_id), message_id=str(message_id),
                                    context_ref=ref, created_at=now))


def _mark_failed(factory, c: Claim, now: datetime, error: str, permanent: bool, max_attempts: int,
                 retry_after: float | None = None) -> str:
    with factory() as session, session.begin():
        row = session.get(Notification, c.id)
        if row is None:
            return "gone"
        row.last_error = error[:2000]
        row.locked_until = None
        if permanent or c.attempts >= max_attempts:
            row.status = OutboxStatus.DEAD
            _tell_office(session, row, error, now)
            return "dead"
        row.status = OutboxStatus.PENDING
        delay = backoff(c.attempts)
        if retry_after:
            delay = max(delay, timedelta(seconds=retry_after))
        row.not_before = now + delay
        return "retry"


def _tell_office(session: Session, row: Notification, error: str, now: datetime) -> None:
    """One "system" message per dead notification to each office member (never about a system message)."""
    if row.kind == "system":
        return
    person = session.get(Person, row.person_id) if row.person_id else None
    lines = (row.payload.get("text") or "").strip().splitlines()
    what = (lines[0] if lines else row.kind)[:120]
    rows = []
    for admin in office_people(session):
        with use_locale(admin.locale):
            text = _("⚠️ A message could not be delivered to {name}: \"{what}\" (reason: {error}). Please contact them directly.").format(
                name=person.name if person else "?", what=what, error=error[:200])
        rows.append(notification_row(f"dead:{row.id}:p{admin.id}", admin.id, "system", reply_payload(Reply(text)), now,
                                     subject_ref=row.subject_ref))
    enqueue(session, rows)


async def _deliver(factory, c: Claim, senders: Mapping[str, Sender], now: datetime, cal: WorkCalendar,
                   max_attempts: int) -> str:
    try:
        route = await asyncio.to_thread(_prepare, factory, c, senders, now, cal)
    except Exception as exc:  # database trouble: leave the claim to expire and retry
        log.exception("could not prepare notification %s", c.id)
        return f"error: {exc}"
    if route == "cancelled":
        return "cancelled"
    if route is None:
        return await asyncio.to_thread(_mark_failed, factory, c, now, "no reachable messenger account", True, max_attempts)
    channel, chat_id, _locale = route
    message_id: str | None = None
    try:
        for reply in payload_replies(c.payload):
            mid = await senders[channel].send(chat_id, reply)
            if reply.context_ref and mid is not None:
                message_id = mid
    except SendFailed as exc:
        return await asyncio.to_thread(_mark_failed, factory, c, now, str(exc), exc.permanent, max_attempts, exc.retry_after)
    except Exception as exc:  # an unexpected sender error is treated as transient
        log.warning("sending notification %s failed: %s", c.id, exc)
        return await asyncio.to_thread(_mark_failed, factory, c, now, f"{type(exc).__name__}: {exc}", False, max_attempts)
    await asyncio.to_thread(_mark_sent, factory, c, now, channel, chat_id, message_id)
    return "sent"


# ---------------------------------------------------------------- rounds


async def dispatch_once(
    factory: sessionmaker[Session],
    settings: Settings,
    senders: Mapping[str, Sender],
    now: datetime | None = None,
    limit: int = 50,
    cal: WorkCalendar | None = None,
    lock_seconds: int = DEFAULT_LOCK_SECONDS,
) -> int:
    """Claim and send up to ``limit`` due notifications; returns how many were claimed."""
    cal = cal or default_calendar()
    now = now or datetime.now(timezone.utc)
    claims = await asyncio.to_thread(claim, factory, now, limit, cal, lock_seconds)
    failed_people: set[int | None] = set()
    untouched = list(claims)
    try:
        while untouched:
            c = untouched[0]
            if c.person_id in failed_people:  # keep their order: retry after the failed one
                await asyncio.to_thread(_release, factory, c)
                untouched.pop(0)
                continue
            outcome = await _deliver(factory, c, senders, now, cal, settings.outbox_max_attempts)
            untouched.pop(0)
            if outcome == "retry":
                failed_people.add(c.person_id)
            log.debug("notification %s: %s", c.id, outcome)
    finally:
        # Stopped mid-round (the bot is shutting down): give back the claims not
        # yet tried so the next start sends them at once. The one in flight stays
        # locked until its lock expires: it may have gone out already.
        for c in untouched[1:]:
            _release(factory, c)
    return len(claims)


async def dispatch_until_empty(
    factory: sessionmaker[Session], settings: Settings, senders: Mapping[str, Sender],
    clock=None, limit: int = 50, cal: WorkCalendar | None = None, max_rounds: int = 1000,
    lock_seconds: int = DEFAULT_LOCK_SECONDS,
) -> int:
    """Rounds until nothing is due (used by the scheduler job); returns rows claimed."""
    clock = clock or (lambda: datetime.now(timezone.utc))
    total = 0
    for _ in range(max_rounds):
        n = await dispatch_once(factory, settings, senders, clock(), limit, cal, lock_seconds)
        total += n
        if n == 0:
            break
    return total


def outstanding(factory: sessionmaker[Session]) -> int:
    """Rows still to send (pending or in flight)."""
    from sqlalchemy import func

    with factory() as session:
        return session.scalar(select(func.count(Notification.id)).where(
            Notification.status.in_([OutboxStatus.PENDING, OutboxStatus.SENDING]))) or 0


# ---------------------------------------------------------------- command line


def main(argv: list[str] | None = None) -> int:
    """``python -m scheduler.dispatcher --once-until-empty``: print due messages to the console."""
    from models.db import make_engine, session_factory
    from scheduler.senders import ConsoleSender

    parser = argparse.ArgumentParser(description="Gửi các thông báo đến hạn trong hàng đợi (in ra màn hình).")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--once-until-empty", action="store_true", help="gửi đến khi hết việc rồi thoát")
    args = parser.parse_args(argv)
    settings = Settings(**({"database_url": args.database_url} if args.database_url else {}))
    factory = session_factory(make_engine(settings.database_url))
    sent = asyncio.run(dispatch_until_empty(factory, settings, {"console": ConsoleSender()}))
    print(f"Đã xử lý {sent} thông báo.")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
