"""The planner tick: write every reminder that is due now into the outbox.

The database is the single source of truth. Each tick (every minute) looks at
the open work items with a deadline — one-off tasks and open occurrences of
recurring tasks — asks :func:`scheduler.policy.due_steps` which steps are due,
and inserts one Notification per (step, recipient) under a deterministic key::

    rem:{work item ref}:{deadline ISO}:{step key}:p{person id}

When one person has several tasks due in the same round (a head at 07:30),
they get ONE message listing them (``rnd:p{person}:{send time}:{hash}``) and
each task's ``rem:`` key is written as a "bundled" marker that is never sent,
so the idempotency above holds for rounds too.

Planning the same step again is a no-op (ON CONFLICT DO NOTHING), a restart
loses nothing, and a moved deadline starts a fresh series because the key
carries the deadline. On PostgreSQL only the tick holding a transaction-level
advisory lock plans, so two bot processes do the work once; SQLite is meant
for one process.

Nothing is planned outside working hours: ``due_steps`` returns nothing then,
and each row's ``not_before`` is the step's send time inside a window.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import select, text
from sqlalchemy.orm import Session, selectinload, sessionmaker

from handlers.text.i18n import use_locale
from handlers.tasks.occurrences import ensure_occurrences
from handlers.core.outbox import enqueue, existing_keys, notification_row, reply_payload
from handlers.people.recipients import Directory
from handlers.tasks import numbers
from handlers.tasks.reminders import RoundLine, render_reminder, render_round, round_limit
from models.org import Identity, Unit
from models.outbox import OutboxStatus
from models.queries import WorkItem
from models.tasks import Task, TaskOccurrence, TaskStatus
from handlers.worktime.calendar import WorkCalendar, default_calendar
from handlers.worktime.policy import ReminderPolicy, Step, due_steps
from settings import Settings

log = logging.getLogger(__name__)

PLANNER_LOCK_KEY = 0x5C4C_0001  # pg advisory lock id of the planner tick
OCCURRENCE_LOOKAHEAD_DAYS = 62  # create recurring occurrences two months ahead
# Deadlines further away than this (calendar days) cannot have a due step yet
# under any sensible policy; skipping them keeps a tick cheap with many tasks.
PLANNING_HORIZON_DAYS = 90
LEADERSHIP_KIND = "leadership"  # the Directorate: never one of "all units"


@dataclass
class TickResult:
    """What one tick did (for logs and benchmarks)."""

    planned: bool = True  # False when another process held the lock or outside hours
    items: int = 0
    candidates: int = 0
    inserted: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)


def tick_once(
    factory: sessionmaker[Session],
    settings: Settings,
    now: datetime,
    cal: WorkCalendar | None = None,
    policy: ReminderPolicy | None = None,
) -> TickResult:
    """Plan reminders, dossier alerts and the weekly digest due at ``now``."""
    cal = cal or default_calendar()
    policy = policy or ReminderPolicy.from_settings(settings)
    with factory() as session:  # days the office added with /ngaynghi, before any date arithmetic
        from handlers.worktime.commands import sync_office_days

        sync_office_days(session, cal)
    if not cal.in_working_hours(now):
        return TickResult(planned=False)
    with factory() as session, session.begin():
        if not _take_lock(session):
            return TickResult(planned=False)
        result = TickResult()
        people = Directory.load(session)
        today = cal.to_local(now).date()
        ensure_upcoming_occurrences(session, today)
        rows, result.items = reminder_rows(session, now, today, cal, policy, people)
        from handlers.dossiers.alerts import dossier_alert_rows
        from handlers.reporting.digest import weekly_digest_rows

        rows += dossier_alert_rows(session, now, cal, people)
        rows += weekly_digest_rows(session, now, settings, cal, people)
        result.candidates = len(rows)
        result.inserted = enqueue(session, rows)
        for row in rows:
            result.by_kind[row["kind"]] = result.by_kind.get(row["kind"], 0) + 1
        return result


def _take_lock(session: Session) -> bool:
    """Only one planner per PostgreSQL database at a time (released at commit)."""
    if session.get_bind().dialect.name != "postgresql":
        return True
    return bool(session.scalar(text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": PLANNER_LOCK_KEY}))


def ensure_upcoming_occurrences(session: Session, today: date) -> int:
    """Create the occurrences of recurring tasks due in the coming weeks."""
    tasks = session.scalars(
        select(Task).where(Task.recurrence.is_not(None), Task.status == TaskStatus.OPEN)
        .options(selectinload(Task.occurrences))
    )
    created = 0
    for task in tasks:
        try:
            created += len(ensure_occurrences(session, task, today, today + timedelta(days=OCCURRENCE_LOOKAHEAD_DAYS)))
        except ValueError:  # an unknown recurrence text: no occurrences, no crash
            log.warning("task %s has an unknown recurrence %r", task.id, task.recurrence)
    return created


def open_items(session: Session, until: date) -> list[WorkItem]:
    """Open work items with a deadline on or before ``until``."""
    opts = (selectinload(Task.lead_unit), selectinload(Task.co_lead_units), selectinload(Task.conclusion))
    one_off = session.scalars(
        select(Task).where(Task.status == TaskStatus.OPEN, Task.recurrence.is_(None),
                           Task.deadline.is_not(None), Task.deadline <= until).options(*opts)
    )
    items = [WorkItem(t, None) for t in one_off]
    occs = session.scalars(
        select(TaskOccurrence).join(Task).where(
            TaskOccurrence.status == TaskStatus.OPEN, Task.status == TaskStatus.OPEN, TaskOccurrence.deadline <= until)
        .options(selectinload(TaskOccurrence.task).selectinload(Task.lead_unit),
                 selectinload(TaskOccurrence.task).selectinload(Task.co_lead_units),
                 selectinload(TaskOccurrence.task).selectinload(Task.conclusion))
    )
    items += [WorkItem(o.task, o) for o in occs]
    return items


def reminder_key(item: WorkItem, deadline: date, step: Step, person_id: int) -> str:
    return f"rem:{item.ref}:{deadline.isoformat()}:{step.key}:p{person_id}"


def reminder_rows(
    session: Session, now: datetime, today: date, cal: WorkCalendar, policy: ReminderPolicy, people: Directory,
) -> tuple[list[dict], int]:
    """Rows for every due (step, recipient) not yet in the outbox; and how many items were looked at."""
    items = open_items(session, today + timedelta(days=PLANNING_HORIZON_DAYS))
    units = _units(session)
    wanted: list[tuple[str, WorkItem, date, Step, object, bool, str | None]] = []
    # Most items follow the office's policy and share a few hundred deadlines:
    # their steps are computed once per (deadline, status), not per item.
    shared: dict[tuple[date, str | None], list[Step]] = {}
    for item in items:
        deadline = item.deadline
        if item.task.reminder_policy:
            steps = due_steps(deadline, now, _policy_for(item.task, policy), cal, status=item.status)
        else:
            steps = shared.get((deadline, item.status))
            if steps is None:
                steps = shared[(deadline, item.status)] = due_steps(deadline, now, policy, cal, status=item.status)
        if not steps:
            continue
        heads = _heads_of(item.task, people, units)
        for step in steps:
            recipients = heads
            if step.escalate:
                recipients = heads + [(p, True, None) for p in _leaders_of(item.task, people)]
            for person, is_leader, headless in recipients:
                wanted.append((reminder_key(item, deadline, step, person.id), item, deadline, step, person, is_leader,
                               headless))
    known = existing_keys(session, [w[0] for w in wanted])
    fresh = []
    for entry in wanted:
        if entry[0] in known:  # already planned, or the same person twice for one item and step
            continue
        known.add(entry[0])
        fresh.append(entry)
    rounds: dict[tuple[int, datetime], list[tuple]] = {}
    for entry in fresh:
        rounds.setdefault((entry[4].id, entry[3].send_at), []).append(entry)
    channels = _channels_of(session, [pid for (pid, _at), group in rounds.items() if len(group) > 1])
    rows = []
    for (person_id, send_at), group in rounds.items():
        if len(group) == 1:
            key, item, deadline, step, person, is_leader, headless = group[0]
            [number] = numbers.assign(session, person.id, [item.ref], now)
            with use_locale(person.locale):
                reply = render_reminder(item, deadline, today, escalated=step.escalate, for_leader=is_leader,
                                        headless_unit=headless, number=number)
            payload = reply_payload(reply, deadline=deadline.isoformat(), step=step.key)
            rows.append(notification_row(key, person.id, "reminder", payload, step.send_at, subject_ref=item.ref))
        else:
            rows += round_rows(session, group, today, now, send_at, channels.get(person_id, set()))
    return rows, len(items)


def round_rows(session: Session, group: list[tuple], today: date, now: datetime, send_at: datetime,
               channels: set[str]) -> list[dict]:
    """One message for a person's due tasks of this round, plus a marker row per task.

    The marker rows keep each task's usual key (``rem:…``) with the status
    "bundled": they are never sent, but the next tick (or a restarted bot)
    sees the keys and plans nothing again. The message's own key is derived
    from the sorted task keys, so planning the same round twice inserts
    nothing; all rows go in one transaction with the tick.
    """
    group = sorted(group, key=lambda g: (g[2], _ref_order(g[1].ref)))  # soonest deadline first
    person = group[0][4]
    lines = [RoundLine(item, deadline, is_leader, headless) for _key, item, deadline, _step, _p, is_leader, headless in group]
    shown = numbers.assign(session, person.id, [line.item.ref for line in lines], now)  # each task's own number
    with use_locale(person.locale):
        replies = render_round(lines, today, round_limit(channels), numbers=shown)
    keys = sorted(g[0] for g in group)
    digest = hashlib.sha1("|".join(keys).encode()).hexdigest()[:16]
    round_key = f"rnd:p{person.id}:{send_at.isoformat()}:{digest}"
    # The round's key is its context: a reply to it (Telegram) or a plain message after it (Zalo) is
    # never taken as being about an older single reminder; ``items`` lists its tasks.
    replies = [dataclasses.replace(r, context_ref=round_key) for r in replies]
    payload = reply_payload(replies[0], more=replies[1:], items=[line.item.ref for line in lines],
                            deadlines=[line.deadline.isoformat() for line in lines])
    rows = [notification_row(round_key, person.id, "reminder", payload, send_at)]
    for key, item, deadline, step, *_rest in group:
        marker = notification_row(key, person.id, "reminder",
                                  {"text": "", "bundled_in": round_key, "deadline": deadline.isoformat(), "step": step.key},
                                  send_at, subject_ref=item.ref)
        marker["status"] = OutboxStatus.BUNDLED.value
        rows.append(marker)
    return rows


def _units(session: Session) -> tuple[dict[int, str], list[int]]:
    """Unit id → name (for the office's note), and the units an all-units item addresses (not the leadership)."""
    rows = session.execute(select(Unit.id, Unit.name, Unit.kind).order_by(Unit.id)).all()
    return {uid: name for uid, name, _kind in rows}, [uid for uid, _name, kind in rows if kind != LEADERSHIP_KIND]


def _heads_of(task: Task, people: Directory, units: tuple[dict[int, str], list[int]]) -> list[tuple[object, bool, str | None]]:
    """(person, False, headless unit names) for every head reminded about ``task``, one entry per person.

    The office may stand in for several headless units of one item: it gets
    one reminder naming them all, since the key is per person and step.
    """
    names_of, all_unit_ids = units
    by_person: dict[int, tuple[object, list[str]]] = {}
    for person, headless_id in people.task_recipients(task, all_unit_ids):
        _p, names = by_person.setdefault(person.id, (person, []))
        if headless_id is not None:
            names.append(names_of.get(headless_id, ""))
    return [(p, False, ", ".join(n for n in names if n) or None) for p, names in by_person.values()]


def _leaders_of(task: Task, people: Directory) -> list:
    """The leaders an overdue item escalates to: every lead unit's supervisors (the Director when none)."""
    seen: dict[int, object] = {}
    for unit_id in [u.id for u in task.lead_units] or [None]:
        for p in people.escalation(unit_id):
            seen.setdefault(p.id, p)
    return list(seen.values())


def _ref_order(ref: str) -> tuple[str, int]:
    kind, _, number = ref.partition(":")
    return kind, int(number) if number.isdigit() else 0


def _channels_of(session: Session, person_ids: list[int]) -> dict[int, set[str]]:
    """Person → the channels they have an account on (to fit the round into the strictest limit)."""
    out: dict[int, set[str]] = {}
    if not person_ids:
        return out
    for pid, channel in session.execute(select(Identity.person_id, Identity.channel).where(Identity.person_id.in_(person_ids))):
        out.setdefault(pid, set()).add(channel)
    return out


def _policy_for(task: Task, base: ReminderPolicy) -> ReminderPolicy:
    """The task's own policy when it has a valid one, else the office's."""
    if not task.reminder_policy:
        return base
    try:
        return ReminderPolicy.from_override(task.reminder_policy, base)
    except ValueError:
        log.warning("task %s has an invalid reminder policy; using the default", task.id)
        return base
