"""Reminder policy: which reminders a unit head receives, and when, around real holidays."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from itertools import islice

import pytest

from handlers.worktime.calendar import WorkCalendar, load_overrides
from handlers.worktime.policy import (
    ReminderPolicy,
    Step,
    due_steps,
    occurrence_deadlines,
    planned_steps,
    snooze_until,
)
from settings import Settings

from tests.test_calendar import TET_2027_YAML

POLICY = ReminderPolicy()  # 7, 3, 1 working days before; due; every 2 overdue; escalate from 5


@pytest.fixture(scope="module")
def cal(tmp_path_factory) -> WorkCalendar:
    """Statutory holidays + the Tết 2027 bridge (off 11–12/2, làm bù Sat 30/1 and 20/2)."""
    path = tmp_path_factory.mktemp("cal") / "calendar.yaml"
    path.write_text(TET_2027_YAML, encoding="utf-8")
    return WorkCalendar(load_overrides(path))


def at(cal, y, m, d, hh=7, mm=30) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=cal.tz)


def walk(deadline: date, cal: WorkCalendar, policy: ReminderPolicy = POLICY, status=None):
    """Tick every 30 min from 3 weeks before to 3 weeks after, sending each key once."""
    seen: set[str] = set()
    sent: list[tuple[datetime, Step]] = []
    now = datetime.combine(deadline - timedelta(days=21), time(0), tzinfo=cal.tz)
    end = datetime.combine(deadline + timedelta(days=21), time(23, 30), tzinfo=cal.tz)
    while now <= end:
        for step in due_steps(deadline, now, policy, cal, status=status):
            if step.key not in seen:
                seen.add(step.key)
                sent.append((now, step))
        now += timedelta(minutes=30)
    return sent


# ------------------------------------------------------------------ acceptance: Tết 2027


def test_deadline_on_first_working_day_after_tet_2027(cal):
    sent = walk(date(2027, 2, 15), cal)
    assert [(t.date(), s.key) for t, s in sent] == [
        (date(2027, 1, 27), "before-7"),  # counts the make-up Saturday 30/1 and skips the break
        (date(2027, 2, 1), "before-3"),
        (date(2027, 2, 3), "before-1"),  # last working day before Tết
        (date(2027, 2, 15), "due"),
        (date(2027, 2, 17), "overdue-2"),
        (date(2027, 2, 19), "overdue-4"),
        (date(2027, 2, 22), "overdue-6"),  # Sat 20/2 (làm bù) was overdue day 5
        (date(2027, 2, 24), "overdue-8"),
        (date(2027, 2, 26), "overdue-10"),
        (date(2027, 3, 2), "overdue-12"),
        (date(2027, 3, 4), "overdue-14"),
        (date(2027, 3, 8), "overdue-16"),
    ]
    _assert_sent_in_office_hours(sent, cal)
    assert [s.escalate for _, s in sent] == [False] * 6 + [True] * 6
    assert [s.days_relative for _, s in sent] == [7, 3, 1, 0, -2, -4, -6, -8, -10, -12, -14, -16]


def test_deadline_on_the_day_before_the_tet_2027_break(cal):
    sent = walk(date(2027, 2, 3), cal)
    assert [(t.date(), s.key, s.escalate) for t, s in sent] == [
        (date(2027, 1, 26), "before-7", False),
        (date(2027, 1, 30), "before-3", False),  # make-up Saturday: the office works, the bot reminds
        (date(2027, 2, 2), "before-1", False),
        (date(2027, 2, 3), "due", False),
        (date(2027, 2, 16), "overdue-2", False),  # nothing during the break 4–14/2
        (date(2027, 2, 18), "overdue-4", False),
        (date(2027, 2, 20), "overdue-6", True),  # make-up Saturday
        (date(2027, 2, 23), "overdue-8", True),
    ]
    _assert_sent_in_office_hours(sent, cal)


def test_deadline_inside_the_break_counts_from_the_last_working_day_before_it(cal):
    inside = walk(date(2027, 2, 6), cal)  # Lunar new year's day
    before = walk(date(2027, 2, 3), cal)
    # Same reminders on the same days; the walk around 6/2 just runs three days longer.
    assert [(t, s.key) for t, s in inside][: len(before)] == [(t, s.key) for t, s in before]
    assert [s.key for _, s in inside][:4] == ["before-7", "before-3", "before-1", "due"]


def _assert_sent_in_office_hours(sent, cal):
    for t, step in sent:
        assert cal.is_working_day(t.date()), t
        assert cal.in_working_hours(t), t
        assert t == step.send_at == at(cal, t.year, t.month, t.day)  # sent at 07:30 the planned day
        assert step.day == t.date()


# ------------------------------------------------------------------ planning rules


def test_keys_are_stable_when_replanned(cal):
    first = list(islice(planned_steps(date(2026, 6, 30), POLICY, cal), 10))
    again = list(islice(planned_steps(date(2026, 6, 30), POLICY, cal), 10))
    assert first == again
    assert [s.key for s in first] == [
        "before-7", "before-3", "before-1", "due",
        "overdue-2", "overdue-4", "overdue-6", "overdue-8", "overdue-10", "overdue-12",
    ]
    assert [s.kind for s in first[:5]] == ["before", "before", "before", "due", "overdue"]


def test_sunday_deadline_is_due_on_friday(cal):
    steps = list(islice(planned_steps(date(2026, 3, 8), POLICY, cal), 5))
    assert [(s.key, s.day) for s in steps] == [
        ("before-7", date(2026, 2, 25)),
        ("before-3", date(2026, 3, 3)),
        ("before-1", date(2026, 3, 5)),
        ("due", date(2026, 3, 6)),
        ("overdue-2", date(2026, 3, 10)),
    ]


def test_no_deadline_means_no_reminders(cal):
    assert list(planned_steps(None, POLICY, cal)) == []
    assert due_steps(None, at(cal, 2026, 3, 9), POLICY, cal) == []


def test_closed_task_gets_nothing(cal):
    assert due_steps(date(2026, 3, 9), at(cal, 2026, 3, 9), POLICY, cal, status="done_late") == []
    assert [s.key for s in due_steps(date(2026, 3, 9), at(cal, 2026, 3, 9), POLICY, cal, status="in_progress")] == ["due"]


def test_nothing_outside_working_hours(cal):
    deadline = date(2026, 3, 9)
    assert due_steps(deadline, at(cal, 2026, 3, 9, 7, 0), POLICY, cal) == []
    assert due_steps(deadline, at(cal, 2026, 3, 9, 12, 0), POLICY, cal) == []
    assert due_steps(deadline, at(cal, 2026, 3, 14, 9, 0), POLICY, cal) == []  # Saturday


def test_bot_down_for_a_week_sends_one_catch_up(cal):
    deadline = date(2026, 3, 9)
    # Down from Friday 6/3 to Monday 16/3 10:00: due, overdue-2 and overdue-4 were missed.
    back = due_steps(deadline, at(cal, 2026, 3, 16, 10, 0), POLICY, cal)
    assert [s.key for s in back] == ["overdue-4"]  # the latest only, not four messages
    assert back[0].day == date(2026, 3, 13)
    # Then the normal rhythm resumes: overdue-6 on Tuesday 17/3, escalated.
    nxt = due_steps(deadline, at(cal, 2026, 3, 17, 7, 30), POLICY, cal)
    assert [(s.key, s.escalate) for s in nxt] == [("overdue-6", True)]


def test_wider_horizon_returns_recent_missed_steps_too(cal):
    got = due_steps(date(2026, 3, 9), at(cal, 2026, 3, 13, 9, 0), POLICY, cal, horizon_days=3)
    assert [s.key for s in got] == ["overdue-2", "overdue-4"]


def test_long_overdue_task_is_cheap_and_correct(cal):
    got = due_steps(date(2025, 1, 6), at(cal, 2026, 3, 10, 9, 0), POLICY, cal)
    assert len(got) == 1 and got[0].escalate
    assert got[0].days_relative == -cal.working_days_between(date(2025, 1, 6), got[0].day)


def test_send_time_in_lunch_moves_to_afternoon(cal):
    policy = ReminderPolicy(send_at=time(12, 0))
    due = next(s for s in planned_steps(date(2026, 3, 9), policy, cal) if s.key == "due")
    assert due.send_at == at(cal, 2026, 3, 9, 13, 30)


# ------------------------------------------------------------------ policy objects


def test_policy_from_settings_and_override():
    s = Settings(remind_before_days=[0, 1, 5], remind_overdue_every_days=3, escalate_after_overdue_days=4)
    base = ReminderPolicy.from_settings(s)
    assert base == ReminderPolicy(before_days=(5, 1, 0), overdue_every=3, escalate_after=4, send_at=time(7, 30))
    assert ReminderPolicy.from_override(None, base) is base
    custom = ReminderPolicy.from_override({"before_days": [2], "send_at": "08:15"}, base)
    assert custom.before_days == (2,) and custom.send_at == time(8, 15) and custom.overdue_every == 3


def test_override_without_due_step_and_with_daily_overdue(cal):
    policy = ReminderPolicy(before_days=(2,), overdue_every=1, escalate_after=2)
    steps = list(islice(planned_steps(date(2026, 3, 11), policy, cal), 4))
    assert [(s.key, s.escalate) for s in steps] == [
        ("before-2", False), ("overdue-1", False), ("overdue-2", True), ("overdue-3", True)
    ]


@pytest.mark.parametrize(
    "override, words",
    [({"before": [1]}, "không hợp lệ"), ({"send_at": "sáng"}, "Giờ nhắc"), ({"overdue_every": 0}, "Chu kỳ")],
)
def test_bad_overrides_are_refused(override, words):
    with pytest.raises(ValueError, match=words):
        ReminderPolicy.from_override(override, ReminderPolicy())


def test_snooze_goes_to_next_working_morning(cal):
    assert snooze_until(at(cal, 2026, 3, 6, 15, 0), cal) == at(cal, 2026, 3, 9)  # Friday → Monday
    assert snooze_until(at(cal, 2027, 2, 3, 9, 0), cal) == at(cal, 2027, 2, 15)  # before Tết → after


# ------------------------------------------------------------------ recurring tasks


def test_weekly_deadlines_skip_the_tet_week(cal):
    got = occurrence_deadlines("hàng tuần", date(2027, 1, 25), date(2027, 3, 1), cal)
    assert got == [date(2027, 1, 30), date(2027, 2, 3), date(2027, 2, 20), date(2027, 2, 26)]


def test_monthly_quarterly_yearly_deadlines(cal):
    months = occurrence_deadlines("hang thang", date(2026, 4, 1), date(2026, 6, 30), cal)
    assert months == [date(2026, 4, 29), date(2026, 5, 29), date(2026, 6, 30)]  # 30/4 is a holiday
    assert occurrence_deadlines("quarterly", date(2025, 2, 1), date(2025, 12, 31), cal) == [
        date(2025, 3, 31), date(2025, 6, 30), date(2025, 9, 30), date(2025, 12, 31)
    ]
    assert occurrence_deadlines("6 tháng", date(2026, 1, 1), date(2026, 12, 31), cal) == [
        date(2026, 6, 30), date(2026, 12, 31)
    ]
    assert occurrence_deadlines("Hàng năm", date(2025, 1, 1), date(2027, 12, 31), cal) == [
        date(2025, 12, 31), date(2026, 12, 31), date(2027, 12, 31)
    ]


def test_ongoing_tasks_have_no_deadlines_and_unknown_recurrence_is_refused(cal):
    assert occurrence_deadlines("thường xuyên", date(2026, 1, 1), date(2026, 12, 31), cal) == []
    with pytest.raises(ValueError, match="Không hiểu chu kỳ"):
        occurrence_deadlines("mỗi khi rảnh", date(2026, 1, 1), date(2026, 12, 31), cal)
