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

Most ticks find nothing new, so a tick works in two steps: the keys of every
open item come from plain columns (:func:`plain_items`, no Task objects) and
one range scan of the outbox says which exist; only the items with a key
still missing are loaded with their units and conclusion and rendered. A
steady tick over 100,000 open tasks thus asks the database the same dozen
questions as one over a hundred.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
from dataclasses import dataclass, field
from typing import NamedTuple
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
from models.outbox import Notification
from models.tasks import Task, TaskOccurrence, TaskStatus, task_co_lead_unit
from handlers.worktime.calendar import WorkCalendar, default_calendar
from handlers.worktime.policy import ReminderPolicy, Step, due_steps
from settings import Settings

log = logging.getLogger(__name__)

PLANNER_LOCK_KEY = 0x5C4C_0001  # pg advisory lock id of the planner tick
OCCURRENCE_LOOKAHEAD_DAYS = 62  # create recurring occurrences two months ahead
# Deadlines further away than this (calendar days) cannot have a due step yet
# under any sensible policy; skipping them keeps a tick cheap with many tasks.
PLANNING_HORIZON_DAYS = 90
LOAD_CHUNK = 500  # ids per IN (…) when loading the items to write
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
    # Recurring tasks are few: find them by a plain scan (filtering on status would make
    # SQLite walk the status index over every open task), then load the open ones.
    ids = [tid for tid, status in session.execute(
        select(Task.id, Task.status).where(Task.recurrence.is_not(None))) if status == TaskStatus.OPEN]
    if not ids:
        return 0
    tasks = session.scalars(
        select(Task).where(Task.id.in_(ids)).order_by(Task.id).options(selectinload(Task.occurrences)))
    created = 0
    for task in tasks:
        try:
            created += len(ensure_occurrences(session, task, today, today + timedelta(days=OCCURRENCE_LOOKAHEAD_DAYS)))
        except ValueError:  # an unknown recurrence text: no occurrences, no crash
            log.warning("task %s has an unknown recurrence %r", task.id, task.recurrence)
    return created


class PlainItem(NamedTuple):
    """An open work item as plain columns: everything its outbox keys depend on, nothing to render.

    The keys of a steady tick are all known already; computing them from a
    Core select (instead of loading every Task with its units and conclusion)
    keeps a tick over 100,000 open tasks under a second.
    """

    ref: str
    task_id: int
    occurrence_id: int | None
    deadline: date
    status: str
    reminder_policy: dict | None
    unit_ids: tuple[int, ...]  # the lead unit, then the co-leads
    all_units: bool


def plain_items(session: Session, until: date) -> list[PlainItem]:
    """Open work items with a deadline on or before ``until``, as plain columns (three queries).

    In the database's own order, as the ORM query this replaces; co-lead
    units are read from their (small) table whole: joining them to the open
    tasks makes SQLite walk every open task.
    """
    co_leads: dict[int, list[int]] = {}
    for task_id, unit_id in session.execute(select(task_co_lead_unit.c.task_id, task_co_lead_unit.c.unit_id)):
        co_leads.setdefault(task_id, []).append(unit_id)

    def units(task_id: int, lead: int | None) -> tuple[int, ...]:
        extra = co_leads.get(task_id)
        if not extra:
            return (lead,) if lead is not None else ()
        return tuple([lead] if lead is not None else []) + tuple(u for u in extra if u != lead)

    items = [PlainItem(f"task:{tid}", tid, None, deadline, status, policy, units(tid, lead), bool(all_units))
             for tid, deadline, status, policy, lead, all_units in session.execute(
                 select(Task.id, Task.deadline, Task.status, Task.reminder_policy, Task.lead_unit_id, Task.all_units)
                 .where(Task.status == TaskStatus.OPEN, Task.recurrence.is_(None), Task.deadline.is_not(None),
                        Task.deadline <= until))]
    items += [PlainItem(f"occ:{oid}", tid, oid, deadline, status, policy, units(tid, lead), bool(all_units))
              for oid, tid, deadline, status, policy, lead, all_units in session.execute(
                  select(TaskOccurrence.id, Task.id, TaskOccurrence.deadline, TaskOccurrence.status,
                         Task.reminder_policy, Task.lead_unit_id, Task.all_units)
                  .join(Task, Task.id == TaskOccurrence.task_id)
                  .where(TaskOccurrence.status == TaskStatus.OPEN, Task.status == TaskStatus.OPEN,
                         TaskOccurrence.deadline <= until))]
    return items


def load_items(session: Session, plain: list[PlainItem]) -> list[WorkItem]:
    """The full work items (task, units, conclusion) for ``plain``, in the same order: only what is to be written."""
    opts = (selectinload(Task.lead_unit), selectinload(Task.co_lead_units), selectinload(Task.conclusion))
    task_ids = sorted({p.task_id for p in plain})
    occ_ids = sorted({p.occurrence_id for p in plain if p.occurrence_id is not None})
    tasks: dict[int, Task] = {}
    occs: dict[int, TaskOccurrence] = {}
    for i in range(0, len(task_ids), LOAD_CHUNK):
        tasks.update((t.id, t) for t in session.scalars(
            select(Task).where(Task.id.in_(task_ids[i: i + LOAD_CHUNK])).options(*opts)))
    for i in range(0, len(occ_ids), LOAD_CHUNK):
        occs.update((o.id, o) for o in session.scalars(
            select(TaskOccurrence).where(TaskOccurrence.id.in_(occ_ids[i: i + LOAD_CHUNK]))))
    return [WorkItem(tasks[p.task_id], occs[p.occurrence_id] if p.occurrence_id is not None else None)
            for p in plain]


def reminder_key(item: WorkItem | PlainItem, deadline: date, step: Step, person_id: int) -> str:
    return f"rem:{item.ref}:{deadline.isoformat()}:{step.key}:p{person_id}"


class _Steps:
    """Due steps per item: once per (deadline, status) for items on the office's policy."""

    def __init__(self, now: datetime, cal: WorkCalendar, policy: ReminderPolicy) -> None:
        self.now, self.cal, self.policy = now, cal, policy
        # Most items follow the office's policy and share a few hundred deadlines.
        self.shared: dict[tuple[date, str | None], list[Step]] = {}

        self.own: dict[tuple[int, date, str | None], list[Step]] = {}  # items with their task's own policy

    def of(self, task_id: int, reminder_policy: dict | None, deadline: date, status: str) -> list[Step]:
        if reminder_policy:
            steps = self.own.get((task_id, deadline, status))
            if steps is None:
                steps = self.own[(task_id, deadline, status)] = due_steps(
                    deadline, self.now, _policy_for(task_id, reminder_policy, self.policy), self.cal, status=status)
            return steps
        steps = self.shared.get((deadline, status))
        if steps is None:
            steps = self.shared[(deadline, status)] = due_steps(deadline, self.now, self.policy, self.cal,
                                                                 status=status)
        return steps


def _planned_keys(
    items: list[PlainItem], steps: _Steps, people: Directory, all_unit_ids: list[int],
) -> list[tuple[str, PlainItem, datetime]]:
    """(key, item, step send time) of every due (step, recipient), from plain columns.

    The same keys :func:`_wanted` makes from full items: heads first, then the
    leaders an escalated step also goes to.
    """
    heads_of: dict[tuple[tuple[int, ...], bool], list[int]] = {}
    leaders_of: dict[tuple[int, ...], list[int]] = {}
    iso: dict[date, str] = {}
    out = []
    for item in items:
        due = steps.of(item.task_id, item.reminder_policy, item.deadline, item.status)
        if not due:
            continue
        heads = heads_of.get((item.unit_ids, item.all_units))
        if heads is None:
            recipients = people.unit_recipients(list(item.unit_ids), item.all_units, all_unit_ids)
            heads = heads_of[(item.unit_ids, item.all_units)] = list(dict.fromkeys(p.id for p, _n in recipients))
        day = iso.get(item.deadline) or iso.setdefault(item.deadline, item.deadline.isoformat())
        prefix = f"rem:{item.ref}:{day}:"  # as reminder_key, built once per item
        for step in due:
            ids = heads
            if step.escalate:
                leaders = leaders_of.get(item.unit_ids)
                if leaders is None:
                    leaders = leaders_of[item.unit_ids] = [p.id for p in _leaders_of_units(item.unit_ids, people)]
                ids = heads + leaders
            for person_id in ids:
                out.append((f"{prefix}{step.key}:p{person_id}", item, step.send_at))
    return out


def _known_reminder_keys(session: Session, planned: list[tuple[str, PlainItem, datetime]]) -> set[str]:
    """Which planned keys are already in the outbox, in a bounded number of queries when nothing is new.

    A ``rem:`` row is written with ``not_before`` = its step's send time and
    that time only moves later (a retry's back-off), so one range scan from the
    earliest planned send time finds every key planned before. Keys it misses
    (new ones — or a row whose time was moved earlier) are checked exactly.
    """
    if not planned:
        return set()
    since = min(at for _k, _i, at in planned)
    wanted = {k for k, _i, _at in planned}
    # ``status IN (every status)`` lets both databases walk the (status, not_before) index.
    found = set(session.scalars(select(Notification.idem_key).where(
        Notification.status.in_([s.value for s in OutboxStatus]), Notification.not_before >= since,
        Notification.idem_key.like("rem:%"))))
    known = wanted & found
    rest = wanted - known
    if rest:
        known |= existing_keys(session, sorted(rest))
    return known


def reminder_rows(
    session: Session, now: datetime, today: date, cal: WorkCalendar, policy: ReminderPolicy, people: Directory,
) -> tuple[list[dict], int]:
    """Rows for every due (step, recipient) not yet in the outbox; and how many items were looked at.

    Keys first, from plain columns; tasks are loaded and rendered only for the
    items that have a key not yet in the outbox (none on a steady tick).
    """
    plain = plain_items(session, today + timedelta(days=PLANNING_HORIZON_DAYS))
    units = _units(session)
    steps = _Steps(now, cal, policy)
    planned = _planned_keys(plain, steps, people, units[1])
    known = _known_reminder_keys(session, planned)
    to_write = list({id(item): item for key, item, _at in planned if key not in known}.values())
    if not to_write:
        return [], len(plain)
    items = load_items(session, to_write)
    wanted = _wanted(items, steps, people, units)
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
    return rows, len(plain)


def _wanted(
    items: list[WorkItem], steps: _Steps, people: Directory, units: tuple[dict[int, str], list[int]],
) -> list[tuple[str, WorkItem, date, Step, object, bool, str | None]]:
    """(key, item, deadline, step, person, is leader, headless unit names) of every due (step, recipient)."""
    wanted: list[tuple[str, WorkItem, date, Step, object, bool, str | None]] = []
    for item in items:
        deadline = item.deadline
        due = steps.of(item.task.id, item.task.reminder_policy, deadline, item.status)
        if not due:
            continue
        heads = _heads_of(item.task, people, units)
        for step in due:
            recipients = heads
            if step.escalate:
                recipients = heads + [(p, True, None) for p in _leaders_of(item.task, people)]
            for person, is_leader, headless in recipients:
                wanted.append((reminder_key(item, deadline, step, person.id), item, deadline, step, person, is_leader,
                               headless))
    return wanted


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
    return _leaders_of_units([u.id for u in task.lead_units], people)


def _leaders_of_units(unit_ids, people: Directory) -> list:
    """:func:`_leaders_of` from the lead and co-lead unit ids."""
    seen: dict[int, object] = {}
    for unit_id in list(unit_ids) or [None]:
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


def _policy_for(task_id: int, reminder_policy: dict | None, base: ReminderPolicy) -> ReminderPolicy:
    """The task's own policy when it has a valid one, else the office's."""
    if not reminder_policy:
        return base
    try:
        return ReminderPolicy.from_override(reminder_policy, base)
    except ValueError:
        log.warning("task %s has an invalid reminder policy; using the default", task_id)
        return base
