"""A steady planner tick stays cheap however many tasks are open: once today's reminders are
in the outbox, the next tick writes nothing and asks the database the same few questions
for 30 open tasks as for 300 (one Core select of the open items, one look at the outbox)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import event, func, select

from models.db import transaction
from models.outbox import Notification
from models.tasks import Task
from scheduler.planner import tick_once
from tests import factories as f
from tests.conftest import NOW

TODAY = NOW.date()


def _org(s) -> None:
    """Heads of some units; TTRA has none (its reminders go to the office); supervisors and the Director."""
    f.person(s, "mai", role="head", unit_code="QLCN")
    f.person(s, "hong", role="head", unit_code="VP")
    f.person(s, "tdc", role="head", unit_code="TDC")
    f.person(s, "lan", role="admin", unit_code="VP")
    f.person(s, "hoa", role="leader", unit_code="BGD", supervises=["QLCN", "TDC"])
    f.person(s, "gd", role="leader", unit_code="BGD")


def _tasks(s, n: int, start: int = 0) -> None:
    """``n`` open tasks of every shape the planner knows, deadlines from 20 days overdue to 20 ahead."""
    leads = ["QLCN", "VP", "TDC", "TTRA"]
    for i in range(start, start + n):
        deadline = TODAY + timedelta(days=i % 41 - 20)
        t = f.task(s, f"Nhiệm vụ {i}", lead=leads[i % 4], deadline=deadline)
        if i % 7 == 0:
            t.co_lead_units = [f.unit(s, "TTRA" if leads[i % 4] != "TTRA" else "QLCN")]
        if i % 11 == 0:
            t.reminder_policy = {"before_days": [5, 2, 0], "overdue_every": 1}
    if start == 0:
        f.task(s, "Việc chung của các đơn vị", lead=None, deadline=TODAY - timedelta(days=3), all_units=True)
        f.task(s, "Báo cáo tháng", lead="VP", recurrence="monthly")


def _count_queries(engine, fn) -> int:
    statements: list[str] = []

    def count(_conn, _cursor, statement, _params, _context, _executemany) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        fn()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(statements)


def _steady_tick(engine, factory, settings, now) -> tuple[int, int]:
    """(rows inserted, queries issued) by one tick."""
    box: list = []
    queries = _count_queries(engine, lambda: box.append(tick_once(factory, settings, now)))
    return box[0].inserted, queries


def test_a_second_tick_writes_nothing_in_the_same_few_queries_for_ten_times_the_tasks(engine, factory, settings):
    with transaction(factory) as s:
        _org(s)
        _tasks(s, 30)
    first = tick_once(factory, settings, NOW)
    assert first.inserted > 0
    with factory() as s:
        escalated = s.scalar(select(func.count(Notification.id)).where(Notification.idem_key.like("%overdue%")))
    assert escalated > 0  # the data reaches every path: overdue, escalation, office stand-in, own policies

    inserted, small = _steady_tick(engine, factory, settings, NOW + timedelta(minutes=1))
    assert inserted == 0

    with transaction(factory) as s:
        _tasks(s, 270, start=30)
    assert tick_once(factory, settings, NOW + timedelta(minutes=2)).inserted > 0  # the new tasks' reminders
    with factory() as s:
        total = s.scalar(select(func.count(Notification.id)))
    inserted, large = _steady_tick(engine, factory, settings, NOW + timedelta(minutes=3))
    assert inserted == 0
    with factory() as s:
        assert s.scalar(select(func.count(Notification.id))) == total
    assert large == small, (small, large)
    assert large <= 40, large
    print(f"steady tick: {small} queries at 30 tasks, {large} at 300")


def test_a_moved_deadline_is_planned_again_by_the_next_tick(engine, factory, settings):
    """Only the changed task is loaded and written; the others stay as they were."""
    with transaction(factory) as s:
        _org(s)
        _tasks(s, 30)
    tick_once(factory, settings, NOW)
    with transaction(factory) as s:
        t = s.scalar(select(Task).where(Task.title == "Nhiệm vụ 1"))
        t.deadline = TODAY + timedelta(days=1)  # tomorrow: its "before-1" reminder is due today
        t.lead_unit = f.unit(s, "VP")
        task_id = t.id
    inserted, _queries = _steady_tick(engine, factory, settings, NOW + timedelta(minutes=1))
    assert inserted >= 1
    with factory() as s:
        keys = set(s.scalars(select(Notification.idem_key).where(
            Notification.subject_ref == f"task:{task_id}", Notification.idem_key.like(f"rem:task:{task_id}:{(TODAY + timedelta(days=1)).isoformat()}:%"))))
    assert keys, "the new deadline's reminder was planned"
    assert _steady_tick(engine, factory, settings, NOW + timedelta(minutes=2))[0] == 0
