"""Occurrences of recurring tasks ("hàng tháng", "hàng quý", …).

Each period gets one row with its own deadline and progress, created ahead
of time so reminders can be planned per occurrence.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from models.tasks import Task, TaskOccurrence


def period_key(recurrence: str, deadline: date) -> str:
    if recurrence == "weekly":
        year, week, _ = deadline.isocalendar()
        return f"{year}-W{week:02d}"
    if recurrence == "monthly":
        return f"{deadline:%Y-%m}"
    if recurrence == "quarterly":
        return f"{deadline.year}-Q{(deadline.month - 1) // 3 + 1}"
    return f"{deadline.year}"


def ensure_occurrences(session: Session, task: Task, start: date, until: date) -> list[TaskOccurrence]:
    """Create the missing occurrences of ``task`` with deadlines in [start, until]."""
    from handlers.worktime.policy import occurrence_deadlines

    if not task.recurrence:
        return []
    existing = {occ.period_key for occ in task.occurrences}
    created = []
    for deadline in occurrence_deadlines(task.recurrence, start, until):
        key = period_key(task.recurrence, deadline)
        if key in existing:
            continue
        occ = TaskOccurrence(period_key=key, deadline=deadline, original_deadline=deadline)
        task.occurrences.append(occ)
        existing.add(key)
        created.append(occ)
    session.flush()
    return created
