"""The planner and dispatcher together, with a controlled clock: the right
reminders, on working days, in working hours, to the right people."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from handlers.tasks.changes import change_deadline
from models.db import transaction
from models.outbox import Notification
from models.queries import find_work_item
from models.tasks import Task
from handlers.worktime.calendar import WorkCalendar, load_overrides
from scheduler.dispatcher import dispatch_once
from scheduler.planner import tick_once
from tests import factories as f
from tests.test_calendar import TET_2027_YAML
from tests.test_dispatcher import ListSender


@pytest.fixture(scope="module")
def tet_cal(tmp_path_factory) -> WorkCalendar:
    """Statutory holidays + the Tết 2027 bridge (off 11–12/2, làm bù Sat 30/1 and 20/2)."""
    path = tmp_path_factory.mktemp("cal") / "calendar.yaml"
    path.write_text(TET_2027_YAML, encoding="utf-8")
    return WorkCalendar(load_overrides(path))


@pytest.fixture
def announced_tet(factory):
    """The application calendar after the office typed the announced Tết 2027 bridge in chat
    (/ngaynghi them …, /ngaynghi lambu …, /ngaynghi xacnhan 2027): the planner merges it."""
    from handlers.worktime.calendar import default_calendar
    from models.calendar import OfficeDay

    with transaction(factory) as s:
        s.add_all([OfficeDay(day=date(2027, 2, 11), kind="off", reason="Nghỉ Tết Nguyên đán (hoán đổi)"),
                   OfficeDay(day=date(2027, 2, 12), kind="off", reason="Nghỉ Tết Nguyên đán (hoán đổi)"),
                   OfficeDay(day=date(2027, 1, 30), kind="work", reason="Làm bù cho ngày 11/02/2027"),
                   OfficeDay(day=date(2027, 2, 20), kind="work", reason="Làm bù cho ngày 12/02/2027"),
                   OfficeDay(day=date(2027, 1, 1), kind="confirmed", reason="")])
    default_calendar.cache_clear()
    yield default_calendar()
    default_calendar().set_office_days({}, {}, frozenset())
    default_calendar.cache_clear()


@pytest.fixture
def org(factory):
    """QLCN's head, its deputy head, the deputy director supervising QLCN, others who must get nothing."""
    with transaction(factory) as s:
        f.person(s, "mai", role="head", unit_code="QLCN", name="Nguyễn Thị Mai")
        f.person(s, "pho-qlcn", role="deputy_head", unit_code="QLCN")
        f.person(s, "hoa", role="leader", unit_code="BGD", name="Trần Công Hòa", supervises=["QLCN", "TDC"])
        f.person(s, "van", role="leader", unit_code="BGD", name="Trần Thị Cẩm Vân", supervises=["VP"])
        f.person(s, "gd", role="leader", unit_code="BGD", name="Nguyễn Văn Thành")
        f.person(s, "hong", role="head", unit_code="VP")
        f.person(s, "lan", role="admin", unit_code="VP")
        f.person(s, "nam", role="staff", unit_code="QLCN")
        kl = f.conclusion(s, "12/KL-SKHCN", date(2026, 12, 20))
        task = f.task(s, "Xây dựng kế hoạch đổi mới công nghệ năm 2027", lead="QLCN", deadline=date(2027, 2, 15),
                      conclusion_=kl, ref="4", percent=40)
        return task.id


async def walk(factory, settings, cal, start: datetime, end: datetime, step=timedelta(minutes=30)):
    now = start
    sender = ListSender(clock=lambda: now)
    while now <= end:
        tick_once(factory, settings, now, cal)
        await dispatch_once(factory, settings, {"console": sender}, now, cal=cal)
        now += step
    return sender


def local(cal, y, m, d, hh=0, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=cal.tz)


async def test_a_task_across_tet_2027_from_three_weeks_before_to_three_weeks_after(factory, settings, announced_tet, org):
    cal = announced_tet  # the bridge days come from the office's /ngaynghi entries, merged by the planner
    sender = await walk(factory, settings, cal, local(cal, 2027, 1, 25), local(cal, 2027, 3, 8, 23, 30))
    ref = f"task:{org}"
    got = [(at.date(), at.time(), chat) for (chat, r), at in zip(sender.sent, sender.at) if r.context_ref == ref]
    head_days = [date(2027, 1, 27), date(2027, 2, 1), date(2027, 2, 3),  # 7, 3, 1 working days before (Tết in between)
                 date(2027, 2, 15),  # due: first working day after the break
                 date(2027, 2, 17), date(2027, 2, 19),  # overdue 2, 4
                 date(2027, 2, 22), date(2027, 2, 24), date(2027, 2, 26),  # overdue 6, 8, 10 (Sat 20/2 is làm bù)
                 date(2027, 3, 2), date(2027, 3, 4), date(2027, 3, 8)]
    deputy_days = head_days[6:]  # from 5 working days overdue: the supervising deputy director too
    expected = sorted([(d, time(7, 30), "mai") for d in head_days] + [(d, time(7, 30), "hoa") for d in deputy_days])
    assert sorted(got) == expected
    for (chat, _r), at in zip(sender.sent, sender.at):
        assert cal.in_working_hours(at) and cal.is_working_day(at.date())
    # Besides the reminders, only the weekly digest went out: to the leaders and the office, on working Mondays at 07:30
    # (the Tết week 8–14/2 has no working day, so no digest that week).
    others = {(at.date(), at.time(), chat) for (chat, r), at in zip(sender.sent, sender.at) if r.context_ref != ref}
    mondays = [date(2027, 1, 25), date(2027, 2, 1), date(2027, 2, 15), date(2027, 2, 22), date(2027, 3, 1), date(2027, 3, 8)]
    assert others == {(d, time(7, 30), who) for d in mondays for who in ("hoa", "van", "gd", "lan")}

    texts = [r.text for chat, r in sender.sent if chat == "mai" and r.context_ref == ref]
    assert "còn 7 ngày làm việc" in texts[0] and "thứ Hai, 15/02/2027" in texts[0]
    assert "12/KL-SKHCN mục 4" in texts[0] and "40%" in texts[0]
    assert "hạn hôm nay" in texts[3]
    assert "quá hạn 6 ngày làm việc" in texts[6]
    first = next(r for chat, r in sender.sent if chat == "mai")
    assert [b.data for row in first.buttons for b in row] == [f"done:task:{org}", f"upd:task:{org}", f"ext:task:{org}", f"snz:task:{org}"]
    assert [b.label for row in first.buttons for b in row] == ["✅ Đã hoàn thành", "📝 Cập nhật tiến độ", "⏳ Xin gia hạn", "🔕 Nhắc lại sau"]
    escalated = next(r for chat, r in sender.sent if chat == "hoa" and r.context_ref == ref)
    assert "Phòng Quản lý Công nghệ" in escalated.text and "quá hạn 6 ngày làm việc" in escalated.text
    # A leader follows up; closing the unit's task is not one tap away on every copy.
    for chat, r in sender.sent:
        if chat == "hoa" and r.context_ref == ref:
            assert [b.data for row in r.buttons for b in row] == [f"snz:unit:task:{org}", f"snz:task:{org}"]


async def test_ticks_are_idempotent_and_a_finished_task_gets_no_more(factory, settings, tet_cal, org):
    cal = tet_cal
    now = local(cal, 2027, 2, 15, 9, 0)
    for _ in range(3):
        tick_once(factory, settings, now, cal)
    with factory() as s:
        reminders = select(func.count(Notification.id)).where(Notification.kind == "reminder")
        assert s.scalar(reminders) == 1  # the "due" step, to the head only
    with transaction(factory) as s:
        task = s.get(Task, org)
        task.status, task.percent = "done", 100
    sender = await walk(factory, settings, cal, now, local(cal, 2027, 3, 1, 17), step=timedelta(hours=1))
    assert [r for _c, r in sender.sent if r.context_ref] == []  # the queued one is dropped, no new ones planned


async def test_extending_the_deadline_cancels_the_old_series_and_plans_the_new(factory, settings, tet_cal, org):
    cal = tet_cal
    tick_once(factory, settings, local(cal, 2027, 2, 15, 7, 30), cal)
    with transaction(factory) as s:
        item = find_work_item(s, f"task:{org}")
        change_deadline(s, item, date(2027, 3, 31), None, local(cal, 2027, 2, 15, 8))
    with factory() as s:
        assert s.scalar(select(Notification.status).where(Notification.kind == "reminder")) == "cancelled"
        task = s.get(Task, org)
        assert (task.deadline, task.original_deadline) == (date(2027, 3, 31), date(2027, 2, 15))
    sender = await walk(factory, settings, cal, local(cal, 2027, 2, 15, 8, 30), local(cal, 2027, 3, 31, 17),
                        step=timedelta(hours=1))
    days = [at.date() for (_c, r), at in zip(sender.sent, sender.at) if r.context_ref]
    assert days == [date(2027, 3, 22), date(2027, 3, 26), date(2027, 3, 30), date(2027, 3, 31)]


async def test_recurring_task_is_reminded_per_occurrence(factory, settings, tet_cal):
    with transaction(factory) as s:
        f.person(s, "hong", role="head", unit_code="VP")
        t = f.task(s, "Báo cáo tình hình CCHC hàng tháng", lead="VP", recurrence="monthly")
        t.deadline = None
    now = datetime(2026, 11, 23, 7, 30, tzinfo=tet_cal.tz)
    tick_once(factory, settings, now, tet_cal)  # creates the November and December occurrences
    with factory() as s:
        keys = list(s.scalars(select(Notification.idem_key).where(Notification.kind == "reminder")))
    # November's occurrence is due Mon 30/11; the "7 working days before" step (19/11) has passed,
    # so one catch-up reminder goes out now; December's occurrence has nothing due yet.
    assert len(keys) == 1 and keys[0].startswith("rem:occ:") and ":2026-11-30:before-7:" in keys[0]


def test_no_planning_outside_working_hours(factory, settings, tet_cal, org):
    assert not tick_once(factory, settings, local(tet_cal, 2027, 2, 15, 12, 0), tet_cal).planned
    assert not tick_once(factory, settings, local(tet_cal, 2027, 2, 13, 9, 0), tet_cal).planned  # Tết Saturday
