"""When to remind about a task occurrence: a pure function of deadline, clock and policy.

The planner asks :func:`due_steps` every minute for each open occurrence and
writes one outbox row per returned step, keyed by ``Step.key``. Everything
here is deterministic and free of I/O so that a restart, a re-plan or a test
with a fixed clock gives the same steps with the same keys.

Counting is in working days of :class:`scheduler.calendar.WorkCalendar`.
When a deadline falls on a day off (weekend, Tết), every step is counted from
the last working day before it — the day the work must in practice be handed
in — so "1 ngày" before a Sunday deadline is Thursday and "due" is Friday.
"""

from __future__ import annotations

import calendar as _stdcal
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any, Literal

from handlers.text.fold import fold
from handlers.worktime.calendar import WorkCalendar, default_calendar

if TYPE_CHECKING:
    from settings import Settings

StepKind = Literal["before", "due", "overdue"]

# Statuses after which an occurrence gets no more reminders. The task model
# should use these names (or map its own onto them before calling).
CLOSED_STATUSES = frozenset({"done", "done_on_time", "done_late", "cancelled"})


@dataclass(frozen=True)
class ReminderPolicy:
    """How far ahead and how often to remind, in working days.

    ``before_days`` lists the working days before the deadline to remind on;
    0 means the "due" reminder on the deadline's morning. Overdue reminders
    come every ``overdue_every`` working days; those at or past
    ``escalate_after`` working days overdue also go to the supervising deputy
    director. ``send_at`` is the local clock time, moved to the next working
    window if it falls outside one (keep it inside office hours).
    """

    before_days: tuple[int, ...] = (7, 3, 1, 0)
    overdue_every: int = 2
    escalate_after: int = 5
    send_at: time = time(7, 30)

    def __post_init__(self) -> None:
        days = tuple(sorted({int(n) for n in self.before_days}, reverse=True))
        if any(n < 0 for n in days):
            raise ValueError("Số ngày nhắc trước hạn phải không âm.")
        if self.overdue_every < 1:
            raise ValueError("Chu kỳ nhắc quá hạn phải từ 1 ngày làm việc trở lên.")
        if self.escalate_after < 1:
            raise ValueError("Số ngày quá hạn trước khi báo lãnh đạo phải từ 1 trở lên.")
        object.__setattr__(self, "before_days", days)

    @classmethod
    def from_settings(cls, settings: Settings) -> ReminderPolicy:
        """The office-wide policy; reminders go out when the office opens."""
        return cls(
            before_days=tuple(settings.remind_before_days),
            overdue_every=settings.remind_overdue_every_days,
            escalate_after=settings.escalate_after_overdue_days,
            send_at=settings.work_morning_start,
        )

    @classmethod
    def from_override(cls, override: Mapping[str, Any] | None, base: ReminderPolicy) -> ReminderPolicy:
        """``base`` with the keys a task sets (stored as JSON on the task) replaced.

        Keys: ``before_days`` (list of ints), ``overdue_every``, ``escalate_after``,
        ``send_at`` ("HH:MM"). Unknown keys are an error rather than silently
        ignored, so a typo in an import does not switch reminders off.
        """
        if not override:
            return base
        allowed = {"before_days", "overdue_every", "escalate_after", "send_at"}
        unknown = set(override) - allowed
        if unknown:
            raise ValueError(f"Chính sách nhắc việc có mục không hợp lệ: {', '.join(sorted(unknown))}.")
        changes: dict[str, Any] = {}
        if "before_days" in override:
            changes["before_days"] = tuple(int(n) for n in override["before_days"])
        for key in ("overdue_every", "escalate_after"):
            if key in override:
                changes[key] = int(override[key])
        if "send_at" in override:
            changes["send_at"] = _parse_clock(override["send_at"])
        return replace(base, **changes)


def _parse_clock(value: Any) -> time:
    if isinstance(value, time):
        return value
    try:
        hh, mm = str(value).strip().replace("h", ":").split(":")[:2]
        return time(int(hh), int(mm or 0))
    except (ValueError, TypeError):
        raise ValueError(f"Giờ nhắc '{value}' không hợp lệ (dùng dạng 07:30).") from None


@dataclass(frozen=True)
class Step:
    """One planned reminder for one deadline.

    ``key`` ("before-7", "due", "overdue-4") depends only on the step's place
    in the plan, never on dates, so re-planning the same deadline gives the
    same keys; the outbox key should combine it with the occurrence and its
    deadline so that a deadline extension starts a fresh series.
    ``days_relative`` is working days left (> 0) or overdue (< 0) on ``day``.
    """

    key: str
    kind: StepKind
    day: date
    send_at: datetime
    days_relative: int
    escalate: bool = False


# --------------------------------------------------------------------------- planning


def planned_steps(deadline: date | None, policy: ReminderPolicy, cal: WorkCalendar) -> Iterator[Step]:
    """All reminder steps for ``deadline`` in time order, lazily and without end.

    Before-steps at ``add_working_days(anchor, -n)``, "due" on the anchor,
    then "overdue-k" for k = every, 2·every, … working days after the anchor,
    where the anchor is the deadline or, if that is a day off, the last working
    day before it. Overdue steps never stop while the task is open, so take
    what you need (``itertools.takewhile``). No deadline ("thường xuyên") →
    no steps.
    """
    if deadline is None:
        return
    anchor = cal.on_or_before(deadline)
    yield from _before_steps(anchor, policy, cal)
    k = policy.overdue_every
    while True:
        yield _overdue_step(anchor, k, policy, cal)
        k += policy.overdue_every


def due_steps(
    deadline: date | None,
    now: datetime,
    policy: ReminderPolicy,
    cal: WorkCalendar,
    horizon_days: int = 1,
    *,
    status: str | None = None,
) -> list[Step]:
    """Steps to write to the outbox at ``now``; the caller de-duplicates by key.

    Nothing is returned outside working hours or for a closed occurrence.
    Otherwise: the steps whose ``send_at`` ≤ now that are *fresh* — fewer than
    ``horizon_days`` working days old (default 1: planned for today) — plus
    always the latest passed step. Older missed steps are skipped on purpose:
    a bot that was down for a week sends ONE catch-up reminder carrying the
    current count, not a burst of stale ones. Cost does not grow with how long
    a task has been overdue.
    """
    if deadline is None or (status is not None and status in CLOSED_STATUSES):
        return []
    if not cal.in_working_hours(now):
        return []
    local_now = cal.to_local(now)
    today = local_now.date()
    anchor = cal.on_or_before(deadline)

    passed = [s for s in _before_steps(anchor, policy, cal) if s.send_at <= local_now]
    passed += _passed_overdue_steps(anchor, today, local_now, policy, cal, horizon_days)
    if not passed:
        return []
    chosen = [s for s in passed if cal.working_days_between(s.day, today) < horizon_days]
    if not chosen or chosen[-1] is not passed[-1]:
        chosen.append(passed[-1])
    return chosen


def snooze_until(now: datetime, cal: WorkCalendar) -> datetime:
    """"Nhắc lại sau": the opening time of the next working day after ``now``'s date."""
    return cal.day_start(cal.next_working_day(cal.to_local(now).date()))


def _before_steps(anchor: date, policy: ReminderPolicy, cal: WorkCalendar) -> list[Step]:
    steps = []
    for n in policy.before_days:  # descending, so in time order
        day = cal.add_working_days(anchor, -n)
        if n == 0:
            steps.append(Step("due", "due", day, _send_time(day, policy, cal), 0))
        else:
            steps.append(Step(f"before-{n}", "before", day, _send_time(day, policy, cal), n))
    return steps


def _overdue_step(anchor: date, k: int, policy: ReminderPolicy, cal: WorkCalendar) -> Step:
    day = cal.add_working_days(anchor, k)
    return Step(
        key=f"overdue-{k}",
        kind="overdue",
        day=day,
        send_at=_send_time(day, policy, cal),
        days_relative=-k,
        escalate=k >= policy.escalate_after,
    )


def _passed_overdue_steps(
    anchor: date,
    today: date,
    local_now: datetime,
    policy: ReminderPolicy,
    cal: WorkCalendar,
    horizon_days: int,
) -> list[Step]:
    """The latest overdue step already due, and the fresh ones before it, in order.

    Computed directly from the working days elapsed instead of walking the
    whole series, so a task overdue for months costs the same as a new one.
    """
    every = policy.overdue_every
    elapsed = cal.working_days_between(anchor, today)
    k = (elapsed // every) * every
    if k >= every and _overdue_step(anchor, k, policy, cal).send_at > local_now:
        k -= every
    steps: list[Step] = []
    latest = k
    while k >= every and (k == latest or elapsed - k < horizon_days):
        steps.append(_overdue_step(anchor, k, policy, cal))
        k -= every
    return steps[::-1]


def _send_time(day: date, policy: ReminderPolicy, cal: WorkCalendar) -> datetime:
    return cal.next_window(cal.at(day, policy.send_at))


# --------------------------------------------------------------------------- recurrence

_RECURRENCES = {
    "weekly": "weekly", "hang tuan": "weekly", "tuan": "weekly",
    "monthly": "monthly", "hang thang": "monthly", "thang": "monthly",
    "quarterly": "quarterly", "hang quy": "quarterly", "quy": "quarterly",
    "half-yearly": "half-yearly", "semiannual": "half-yearly", "6 thang": "half-yearly",
    "hang 6 thang": "half-yearly", "sau thang": "half-yearly",
    "yearly": "yearly", "annual": "yearly", "hang nam": "yearly", "nam": "yearly",
}
_NO_DEADLINE = {"", "none", "once", "ongoing", "thuong xuyen", "khong"}


def occurrence_deadlines(
    recurrence: str, start: date, until: date, cal: WorkCalendar | None = None
) -> list[date]:
    """Deadlines of a recurring task's occurrences that fall within [start, until].

    Each period's deadline is the last working day of the period, because a
    recurring report is owed "by the end of the week/month/quarter/year":
    weekly → last working day of the ISO week (Friday, or Saturday on a make-up
    Saturday, Thursday before a Friday holiday); monthly → last calendar day of
    the month moved back to a working day; quarterly → end of March, June,
    September, December; half-yearly ("6 tháng") → end of June and December;
    yearly → 31/12 moved back. A period with no working day at all (a week
    inside the Tết break) has no occurrence rather than a duplicate.
    Reports due on a fixed day (e.g. the 20th) should be entered as one-off
    deadlines. "thường xuyên" (ongoing) has no deadlines.
    """
    cal = cal or default_calendar()
    kind = _recurrence_kind(recurrence)
    if kind is None or until < start:
        return []
    out = []
    for first, last in _periods(kind, start, until):
        due = cal.on_or_before(last)
        if first <= due and start <= due <= until:
            out.append(due)
    return out


def _recurrence_kind(recurrence: str) -> str | None:
    key = fold(recurrence or "")
    if key in _NO_DEADLINE:
        return None
    try:
        return _RECURRENCES[key]
    except KeyError:
        raise ValueError(
            f"Không hiểu chu kỳ '{recurrence}' (dùng: hàng tuần, hàng tháng, hàng quý, 6 tháng, hàng năm)."
        ) from None


def _periods(kind: str, start: date, until: date) -> Iterator[tuple[date, date]]:
    """(first day, last day) of each period that overlaps [start, until]."""
    if kind == "weekly":
        monday = start - timedelta(days=start.weekday())
        while monday <= until:
            yield monday, monday + timedelta(days=6)
            monday += timedelta(days=7)
        return
    months = {"monthly": 1, "quarterly": 3, "half-yearly": 6, "yearly": 12}[kind]
    index = (start.year * 12 + start.month - 1) // months * months  # first month of start's period
    while True:
        year, month0 = divmod(index, 12)
        first = date(year, month0 + 1, 1)
        if first > until:
            return
        end_year, end_month0 = divmod(index + months - 1, 12)
        last = date(end_year, end_month0 + 1, _stdcal.monthrange(end_year, end_month0 + 1)[1])
        yield first, last
        index += months
