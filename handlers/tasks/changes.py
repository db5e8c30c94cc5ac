"""Changing a work item: progress, completion, a new deadline — and re-planning.

Every change goes through here so the same rules hold whichever button or
message caused it: the change is recorded with who and when (ProgressUpdate
and AuditLog, in the caller's transaction), a finished item's pending
reminders are cancelled, and a moved deadline cancels the reminders planned
for the old one — the next planner tick plans the new series (its outbox
keys carry the deadline, so nothing of the old series is reused).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import Session

from handlers.core.outbox import cancel_pending
from models.audit import AuditLog
from models.org import Person
from models.queries import WorkItem
from models.tasks import ProgressUpdate, TaskStatus


def _target(item: WorkItem):
    """The row that carries deadline, percent and status: the occurrence or the task."""
    return item.occurrence if item.occurrence is not None else item.task


def record_progress(
    session: Session, item: WorkItem, person: Person | None, now: datetime, today: date,
    percent: int | None, note: str | None, channel: str | None = None,
) -> ProgressUpdate:
    """Store one update; 100% closes the item (completed today) and cancels its reminders."""
    target = _target(item)
    update = ProgressUpdate(task_id=item.task.id, occurrence_id=item.occurrence.id if item.occurrence else None,
                            person_id=person.id if person else None, at=now, percent=percent, note=note)
    session.add(update)
    if percent is not None:
        target.percent = percent
        if percent >= 100 and target.status == TaskStatus.OPEN:
            target.status = TaskStatus.DONE
            target.completed_on = today
        elif percent < 100 and target.status == TaskStatus.DONE:
            target.status = TaskStatus.OPEN  # reopened by a correction
            target.completed_on = None
    if target.status == TaskStatus.DONE:
        cancel_pending(session, item.ref)
    session.add(AuditLog(at=now, person_id=person.id if person else None, channel=channel, action="progress",
                         detail=f"{item.ref} percent={percent} note={(note or '')[:200]}"))
    session.flush()
    return update


def change_deadline(
    session: Session, item: WorkItem, new_deadline: date, person: Person | None, now: datetime,
    reason: str = "deadline_changed",
) -> date | None:
    """Move the working deadline, keep the original (PAR scoring judges by it), re-plan.

    Returns the previous working deadline.
    """
    target = _target(item)
    old = target.deadline
    if target.original_deadline is None:
        target.original_deadline = old
    target.deadline = new_deadline
    cancel_pending(session, item.ref)
    session.add(AuditLog(at=now, person_id=person.id if person else None, action=reason,
                         detail=f"{item.ref} {old} -> {new_deadline}"))
    session.flush()
    return old
