"""The dispatcher: send what the outbox says is due, exactly once if it can.

A round (:func:`dispatch_once`) works in short transactions, so a crash never
loses a message:

1. **claim** — one ``UPDATE … RETURNING`` moves due rows (``pending`` with
   ``not_before <= now``, or a ``sending`` row whose lease ran out after a
   crash) to ``sending`` with ``locked_until = now + lease`` and
   ``attempts + 1``. The statement re-checks the status itself, so two
   processes can never both claim a row: on SQLite the single statement holds
   the write lock from its first read to its last write; on PostgreSQL the
   candidate rows are first locked ``FOR UPDATE SKIP LOCKED`` in the same
   transaction, so a second process takes other rows instead of waiting.
2. **send** — in ``(not_before, id)`` order, one message at a time, or (the
   bot's job: ``concurrency``) to up to :data:`DISPATCH_CONCURRENCY` people at
   once, each person's messages one after another, so a person's messages
   arrive in order with at most one of theirs in flight. While a
   batch is being sent its leases are renewed (every third of the lease), so
   slow sends never let another process claim the batch; the lease itself is
   short (:data:`DEFAULT_LEASE_SECONDS`) so the claims of a killed process are
   taken over quickly.
3. **mark** — ``sent`` (plus a SentMessage so a reply finds the task), or back
   to ``pending`` with exponential back-off, or ``dead`` after
   ``settings.outbox_max_attempts`` or a permanent failure; at the end of the
   round the office gets one Vietnamese notice per person naming what could
   not be delivered and why.

A crash between 2 and 3 leaves a ``sending`` row that is retried when its
lease expires: the in-flight message(s) — one, or up to ``concurrency`` —
may be duplicated, never lost. Every
database call runs in a worker thread, never on the event loop.

Reminders, dossier alerts and digests wait for working hours; messages that
answer a person's own action go out at once. Just before sending, a reminder
is checked against the task: one that was finished or whose deadline moved
meanwhile is cancelled instead of sent.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from handlers.core.messages import Reply, SendFailed
from handlers.core.outbox import OFFICE_HOURS_KINDS, enqueue, notification_row, office_people, payload_replies, reply_payload
from handlers.text.i18n import _, use_locale
from handlers.worktime.calendar import WorkCalendar, default_calendar
from models.dossiers import Dossier
from models.org import Person
from models.outbox import Notification, OutboxStatus, SentMessage
from models.queries import find_work_item
from models.tasks import TaskStatus
from scheduler.senders import Sender, recording
from settings import Settings

log = logging.getLogger(__name__)

#: How long a claim is held without renewal. Short, so the claims of a killed
#: process are sent by another one (or the restarted one) within seconds;
#: renewed while the batch is being sent, so a slow batch is never re-claimed.
DEFAULT_LEASE_SECONDS = 20
DEFAULT_LOCK_SECONDS = DEFAULT_LEASE_SECONDS  # the older name, kept for callers
#: People served at once by the bot's dispatcher job (see :func:`_lane_key`): enough
#: to keep Telegram's 30 msg/s over a ~0.3 s round trip; a crash duplicates at most this many.
DISPATCH_CONCURRENCY = 10
BACKOFF_BASE_SECONDS = 30
BACKOFF_MAX_SECONDS = 3600
NO_ROUTE = "no reachable messenger account"

Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True)
class Claim:
    """A claimed row, detached from its session."""

    id: int
    person_id: int | None
    kind: str
    subject_ref: str | None
    payload: dict
    attempts: int


def backoff(attempts: int, base: float = BACKOFF_BASE_SECONDS) -> timedelta:
    """30 s, 1 min, 2 min, … capped at an hour (``base`` from ``settings.outbox_backoff_seconds``)."""
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), BACKOFF_MAX_SECONDS))


# ---------------------------------------------------------------- claim


def _claimable(now: datetime):
    """Due rows nobody holds: pending, or sending with an expired lease."""
    return and_(
        Notification.not_before <= now,
        or_(
            and_(Notification.status == OutboxStatus.PENDING,
                 or_(Notification.locked_until.is_(None), Notification.locked_until < now)),
            and_(Notification.status == OutboxStatus.SENDING, Notification.locked_until < now),
        ),
    )


def _lease_end(now: datetime, started: float, lease: float) -> datetime:
    """``now`` was read at monotonic time ``started``: the lease runs ``lease`` seconds from this moment.

    Measuring from the moment of writing (not from ``now``) keeps a slow
    connection or a busy machine from handing out a lease that has already
    run out; the clock stays the caller's (possibly shifted) one.
    """
    return now + timedelta(seconds=time.monotonic() - started + lease)


def claim(
    factory: sessionmaker[Session], now: datetime, limit: int, cal: WorkCalendar,
    lock_seconds: float = DEFAULT_LEASE_SECONDS, started: float | None = None,
) -> list[Claim]:
    """Atomically take up to ``limit`` due rows for this process and commit the claim.

    A person's messages go out in order: nothing overtakes an older message
    of theirs that is waiting to be retried (a reply kept during an outage).
    ``started``: the monotonic time at which ``now`` was read (default: on entry).
    """
    started = time.monotonic() if started is None else started
    # Per person, the oldest message waiting for a retry (computed once, joined).
    waiting = (select(Notification.person_id.label("person_id"), func.min(Notification.id).label("first_id"))
               .where(Notification.status == OutboxStatus.PENDING, Notification.attempts > 0,
                      Notification.not_before > now, Notification.person_id.is_not(None))
               .group_by(Notification.person_id).subquery("waiting"))
    with factory() as session, session.begin():
        candidates = (select(Notification.id)
                      .outerjoin(waiting, waiting.c.person_id == Notification.person_id)
                      .where(_claimable(now), or_(waiting.c.first_id.is_(None), Notification.id < waiting.c.first_id)))
        if not cal.in_working_hours(now):
            candidates = candidates.where(Notification.kind.not_in(OFFICE_HOURS_KINDS))
        candidates = candidates.order_by(Notification.not_before, Notification.id).limit(limit)
        if session.get_bind().dialect.name == "postgresql":
            # Lock the candidates first (rows another process holds are skipped), then update
            # exactly those: PostgreSQL may re-run a LIMIT … FOR UPDATE subquery inside an
            # UPDATE and take more rows than asked for.
            ids = list(session.scalars(candidates.with_for_update(skip_locked=True, of=Notification)))
            if not ids:
                return []
            chosen = Notification.id.in_(ids)
        else:
            # SQLite: one statement, so the read and the write happen under one write lock.
            chosen = Notification.id.in_(candidates.scalar_subquery())
        stmt = (update(Notification)
                .where(chosen, _claimable(now))
                .values(status=OutboxStatus.SENDING, locked_until=_lease_end(now, started, lock_seconds),
                        attempts=func.coalesce(Notification.attempts, 0) + 1)
                .returning(Notification.id, Notification.person_id, Notification.kind, Notification.subject_ref,
                           Notification.payload, Notification.attempts)
                .execution_options(synchronize_session=False))
        claims = [Claim(r.id, r.person_id, r.kind, r.subject_ref, dict(r.payload or {}), r.attempts)
                  for r in session.execute(stmt)]
    if claims:
        log.debug("claimed %s at %s", [c.id for c in claims], now)
    claims.sort(key=lambda c: c.id)  # within what is due, oldest first: a retried message keeps its place
    return claims


def renew(factory: sessionmaker[Session], ids: list[int], until: datetime) -> int:
    """Extend the lease of rows this process is still sending; returns rows renewed."""
    with factory() as session, session.begin():
        result = session.execute(
            update(Notification).where(Notification.id.in_(ids), Notification.status == OutboxStatus.SENDING)
            .values(locked_until=until).execution_options(synchronize_session=False))
        return result.rowcount or 0


async def _keep_leases(factory, held: set[int], now: datetime, started: float, lease: float, sleep: Sleep) -> None:
    """Renew the claims in ``held`` every third of the lease until cancelled.

    The new expiry is ``now`` plus the real time elapsed since ``started`` plus
    the lease, so it follows the same (possibly shifted) clock that made the claim.
    """
    interval = max(lease / 3, 0.05)
    while True:
        await sleep(interval)
        ids = sorted(held)
        if not ids:
            return
        until = _lease_end(now, started, lease)
        try:
            renewed = await asyncio.to_thread(renew, factory, ids, until)
            log.debug("renewed %s of %s until %s", renewed, ids, until)
        except Exception as exc:  # noqa: BLE001 - the next renewal may succeed; the claim is still ours until expiry
            log.warning("could not renew the outbox lease of %d message(s): %s", len(ids), exc)


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


def _release(factory, claims: list[Claim]) -> None:
    """Give back claims unsent and uncounted (an earlier message to the same person failed, or shutdown)."""
    if not claims:
        return
    with factory() as session, session.begin():
        for c in claims:
            session.execute(update(Notification).where(
                Notification.id == c.id, Notification.status == OutboxStatus.SENDING).values(
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
                 retry_after: float | None = None, base: float = BACKOFF_BASE_SECONDS) -> str:
    with factory() as session, session.begin():
        row = session.get(Notification, c.id)
        if row is None:
            return "gone"
        row.last_error = error[:2000]
        row.locked_until = None
        if permanent or c.attempts >= max_attempts:
            row.status = OutboxStatus.DEAD
            return "dead"
        row.status = OutboxStatus.PENDING
        delay = backoff(c.attempts, base)
        if retry_after:
            delay = max(delay, timedelta(seconds=retry_after))
        row.not_before = now + delay
        return "retry"


# ---------------------------------------------------------------- telling the office


def _reason(error: str) -> str:
    """The cause of a failure in the office's words (the raw error stays in ``last_error``)."""
    low = error.lower()
    if error == NO_ROUTE:
        return _("they have no Telegram or Zalo account the bot can send to (not registered, or deactivated)")
    if "blocked" in low or "forbidden" in low or "deactivated" in low:
        return _("they have blocked the bot or left the chat")
    if "chat not found" in low or "not found" in low:
        return _("their chat no longer exists")
    if "button data" in low or "bad request" in low or "too long" in low:
        return _("the messenger refused the message as invalid")
    return _("the messenger could not be reached after many attempts")


def _subject(session: Session, kind: str, subject_ref: str | None, payload: dict) -> str:
    """What an undelivered message was about: the task's title, the dossier's code, or its first line."""
    if subject_ref:
        item = find_work_item(session, subject_ref)
        if item is not None:
            return f"«{item.task.title}»"
        if subject_ref.startswith("dossier:") and subject_ref[8:].isdigit():
            dossier = session.get(Dossier, int(subject_ref[8:]))
            if dossier is not None:
                return _("dossier {code}").format(code=dossier.code)
    lines = (payload.get("text") or "").replace("*", "").strip().splitlines()
    return f"«{(lines[0] if lines else kind)[:120]}»"


def _tell_office(factory, dead: list[tuple[Claim, str]], now: datetime) -> int:
    """One notice per person (and round) to each office member: who, about what, why, what to do.

    Never about a system message (no notices about notices). Returns notices queued.
    """
    by_person: dict[int | None, list[tuple[Claim, str]]] = {}
    for c, error in dead:
        if c.kind != "system":
            by_person.setdefault(c.person_id, []).append((c, error))
    if not by_person:
        return 0
    with factory() as session, session.begin():
        office = office_people(session)
        rows = []
        for person_id, items in by_person.items():
            person = session.get(Person, person_id) if person_id is not None else None
            first = min(c.id for c, _e in items)
            for admin in office:
                with use_locale(admin.locale):
                    subjects: list[str] = []
                    for c, _e in items:
                        what = _subject(session, c.kind, c.subject_ref, c.payload)
                        if what not in subjects:
                            subjects.append(what)
                    text = _("⚠️ The bot could not deliver messages to {name}: {reason}.\n"
                             "About: {subjects}.\n"
                             "Please contact them directly; if they have no account yet, invite them with /moi.").format(
                        name=person.name if person else "?", reason=_reason(items[0][1]),
                        subjects="; ".join(subjects))
                rows.append(notification_row(f"dead:p{person_id}:n{first}:a{admin.id}", admin.id, "system",
                                             reply_payload(Reply(text)), now, subject_ref=items[0][0].subject_ref))
        return enqueue(session, rows)


# ---------------------------------------------------------------- send one


async def _deliver(factory, c: Claim, senders: Mapping[str, Sender], now: datetime, cal: WorkCalendar,
                   settings: Settings, turn: Callable[[], Awaitable[object]] | None = None,
                   began: Callable[[], object] | None = None) -> tuple[str, str | None]:
    """Send one claim; (outcome, error) with outcome sent | cancelled | retry | dead | gone | error.

    ``turn``: awaited just before sending (the previous lane has begun);
    ``began``: called as the send begins.
    """
    try:
        route = await asyncio.to_thread(_prepare, factory, c, senders, now, cal)
    except Exception as exc:  # database trouble: leave the claim to expire and retry
        log.exception("could not prepare notification %s", c.id)
        return "error", str(exc)
    if route == "cancelled":
        return "cancelled", None
    max_attempts, base = settings.outbox_max_attempts, settings.outbox_backoff_seconds
    if route is None:
        return await asyncio.to_thread(_mark_failed, factory, c, now, NO_ROUTE, True, max_attempts), NO_ROUTE
    channel, chat_id, _locale = route
    sender = senders[channel]
    message_id: str | None = None
    if turn is not None:
        await turn()
    if began is not None:
        began()
    async with recording(sender, chat_id):  # a reply typed at once waits for the record
        try:
            for reply in payload_replies(c.payload):
                mid = await sender.send(chat_id, reply)
                if reply.context_ref and mid is not None:
                    message_id = mid
        except SendFailed as exc:
            error = str(exc)
            outcome = await asyncio.to_thread(_mark_failed, factory, c, now, error, exc.permanent, max_attempts,
                                              exc.retry_after, base)
            return outcome, error
        except Exception as exc:  # an unexpected sender error is treated as transient
            log.warning("sending notification %s failed: %s", c.id, exc)
            error = f"{type(exc).__name__}: {exc}"
            return (await asyncio.to_thread(_mark_failed, factory, c, now, error, False, max_attempts, None, base),
                    error)
        await asyncio.to_thread(_mark_sent, factory, c, now, channel, chat_id, message_id)
    return "sent", None


# ---------------------------------------------------------------- rounds


@dataclass
class _Lane:
    """One queue of claims sent one after another (a person's, or everyone's at ``concurrency`` 1)."""

    queue: deque[Claim]
    seated: asyncio.Event  # has its slot (or is done): the next lane may take one
    began: asyncio.Event  # has begun its first send (or is done): the next lane may begin
    after: "_Lane | None"  # the lane created before it


async def dispatch_once(
    factory: sessionmaker[Session],
    settings: Settings,
    senders: Mapping[str, Sender],
    now: datetime | None = None,
    limit: int = 50,
    cal: WorkCalendar | None = None,
    lock_seconds: float = DEFAULT_LEASE_SECONDS,
    sleep: Sleep = asyncio.sleep,
    concurrency: int = 1,
    refill: bool = False,
) -> int:
    """Claim and send up to ``limit`` due notifications; returns how many were claimed.

    ``concurrency`` > 1 sends to that many people at once (see :func:`_lane_key`);
    with ``refill`` the round claims up to ``limit`` more as soon as every claim
    has begun, so the pace does not stall between batches while the last sends
    of one are in flight. ``sleep`` paces the lease renewal (tests may pass a faster one).
    """
    cal = cal or default_calendar()
    now = now or datetime.now(timezone.utc)
    started = time.monotonic()
    claims = await asyncio.to_thread(claim, factory, now, limit, cal, lock_seconds, started)
    if not claims:
        return 0
    held = {c.id for c in claims}
    renewer = asyncio.create_task(_keep_leases(factory, held, now, started, lock_seconds, sleep))
    dead: list[tuple[Claim, str]] = []
    untouched: dict[int, Claim] = {}  # not yet tried: given back if the round is stopped
    all_begun = asyncio.Event()  # every claim so far has been taken up by its lane
    failed_people: set[int | None] = set()  # keep their order: their later claims wait for the retry
    slots = asyncio.Semaphore(max(concurrency, 1))
    lanes: dict[object, _Lane] = {}
    tasks: list[asyncio.Task] = []
    newest: list[_Lane] = []
    claimed = 0

    async def run_lane(key: object, lane: _Lane) -> None:
        # Lanes take their slot and begin their first send in claim order, so the
        # messenger receives the messages in the order one-at-a-time would hand
        # them over; only the round trips overlap.
        try:
            if lane.after is not None:
                await lane.after.seated.wait()
            async with slots:
                lane.seated.set()
                while lane.queue:
                    c = lane.queue.popleft()
                    untouched.pop(c.id, None)
                    if not untouched:
                        all_begun.set()
                    if c.person_id in failed_people:
                        await asyncio.to_thread(_release, factory, [c])
                        held.discard(c.id)
                        continue
                    turn = lane.after.began.wait if lane.after is not None and not lane.began.is_set() else None
                    outcome, error = await _deliver(factory, c, senders, now, cal, settings, turn, lane.began.set)
                    lane.began.set()
                    lane.after = None  # its turn is over: let the lanes before it be freed
                    if outcome != "error":
                        held.discard(c.id)
                    if outcome == "retry":
                        failed_people.add(c.person_id)
                    elif outcome == "dead":
                        dead.append((c, error or ""))
                    log.debug("notification %s: %s", c.id, outcome)
                del lanes[key]  # queue empty, nothing awaited since: a later claim starts a new lane
        finally:
            lane.seated.set()
            lane.began.set()
            if lanes.get(key) is lane:
                del lanes[key]

    def take(batch: list[Claim]) -> None:
        nonlocal claimed
        claimed += len(batch)
        all_begun.clear()
        for c in batch:
            untouched[c.id] = c
            key = _lane_key(c, concurrency)
            lane = lanes.get(key)
            if lane is None:
                lane = lanes[key] = _Lane(deque(), asyncio.Event(), asyncio.Event(), newest[-1] if newest else None)
                newest[:] = [lane]
                tasks.append(asyncio.create_task(run_lane(key, lane)))
            lane.queue.append(c)

    async def refill_round() -> None:
        while True:
            await all_begun.wait()
            more = await asyncio.to_thread(claim, factory, now, limit, cal, lock_seconds, started)
            if not more:
                return
            held.update(c.id for c in more)
            take(more)

    take(claims)
    refiller = asyncio.create_task(refill_round()) if refill else None
    try:
        while True:
            waiting = [t for t in tasks if not t.done()]
            if refiller is not None and not refiller.done():
                waiting.append(refiller)
            if not waiting:
                break
            done, _pending = await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                if not task.cancelled() and task.exception() is not None:
                    raise task.exception()  # a lane or the refill failed: stop the round
            tasks[:] = [t for t in tasks if not t.done()]  # a long refilled round keeps only the live lanes
    finally:
        for task in tasks + ([refiller] if refiller is not None else []):
            task.cancel()
        await asyncio.gather(*tasks, *([refiller] if refiller is not None else []), return_exceptions=True)
        renewer.cancel()
        await asyncio.gather(renewer, return_exceptions=True)
        # Stopped mid-round (the bot is shutting down): give back the claims not
        # yet tried so the next start sends them at once. Those in flight stay
        # claimed until their lease expires: they may have gone out already.
        if untouched:
            await asyncio.to_thread(_release, factory, sorted(untouched.values(), key=lambda c: c.id))
        if dead:
            dead.sort(key=lambda d: d[0].id)
            try:
                await asyncio.to_thread(_tell_office, factory, dead, now)
            except Exception:  # noqa: BLE001 - the dead rows are recorded; the notice is best effort
                log.exception("could not tell the office about %d undelivered message(s)", len(dead))
    return claimed


def _lane_key(c: Claim, concurrency: int) -> object:
    """Which queue a claim is sent from: the person's, or (one at a time) the only one.

    With ``concurrency`` 1 everything goes out one message at a time in claim
    order, so a crash duplicates at most the one message in flight. With more,
    each person's messages form a queue of their own (kept in order, one in
    flight per person) and up to ``concurrency`` people are served at once:
    against a real messenger's round trip (~0.1–0.3 s) one-at-a-time cannot
    reach Telegram's 30 msg/s, while the sender's rate limiter still keeps the
    overall and per-chat pace. The price: a crash may duplicate every message
    in flight at that moment (at most ``concurrency``), never lose one.
    """
    return c.person_id if concurrency > 1 else None


async def dispatch_until_empty(
    factory: sessionmaker[Session], settings: Settings, senders: Mapping[str, Sender],
    clock=None, limit: int = 50, cal: WorkCalendar | None = None, max_rounds: int = 1000,
    lock_seconds: float = DEFAULT_LEASE_SECONDS, concurrency: int = 1,
) -> int:
    """Rounds until nothing is due (used by the scheduler job); returns rows claimed."""
    clock = clock or (lambda: datetime.now(timezone.utc))
    total = 0
    for _round in range(max_rounds):
        n = await dispatch_once(factory, settings, senders, clock(), limit, cal, lock_seconds,
                                concurrency=concurrency, refill=concurrency > 1)
        total += n
        if n == 0:
            break
    return total


def outstanding(factory: sessionmaker[Session]) -> int:
    """Rows still to send (pending or in flight)."""
    with factory() as session:
        return session.scalar(select(func.count(Notification.id)).where(
            Notification.status.in_([OutboxStatus.PENDING, OutboxStatus.SENDING]))) or 0
