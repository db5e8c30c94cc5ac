"""Read queries the chat asks most often, in one place.

A *work item* is what a person has to deliver: a one-off task, or the open
occurrence of a recurring task. Lists, reminders and answers all go through
:func:`work_items` so they agree on what is open and when it is due.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from models.org import Unit
from models.tasks import Task, TaskOccurrence, TaskStatus, task_support_unit


@dataclass(frozen=True)
class WorkItem:
    task: Task
    occurrence: TaskOccurrence | None

    @property
    def deadline(self) -> date | None:
        return self.occurrence.deadline if self.occurrence else self.task.deadline

    @property
    def original_deadline(self) -> date | None:
        if self.occurrence:
            return self.occurrence.original_deadline
        return self.task.original_deadline or self.task.deadline

    @property
    def status(self) -> str:
        return self.occurrence.status if self.occurrence else self.task.status

    @property
    def percent(self) -> int:
        return self.occurrence.percent if self.occurrence else self.task.percent

    @property
    def completed_on(self) -> date | None:
        return self.occurrence.completed_on if self.occurrence else self.task.completed_on

    @property
    def ref(self) -> str:
        """Stable reference used in buttons and the outbox: task:12 or occ:40."""
        return f"occ:{self.occurrence.id}" if self.occurrence else f"task:{self.task.id}"

    def is_overdue(self, today: date) -> bool:
        return self.status == TaskStatus.OPEN and self.deadline is not None and self.deadline < today


def unit_by_code(session: Session, code: str) -> Unit | None:
    return session.scalar(select(Unit).where(Unit.code == code))


def tasks_for_unit_clause(unit_id: int):
    """Tasks a unit leads, supports, or that are addressed to all units."""
    supported = select(task_support_unit.c.task_id).where(task_support_unit.c.unit_id == unit_id)
    return or_(Task.lead_unit_id == unit_id, Task.id.in_(supported), Task.all_units.is_(True))


def work_items(
    session: Session,
    unit_id: int | None = None,
    include_done: bool = False,
    lead_only: bool = False,
    today: date | None = None,
) -> list[WorkItem]:
    """Open work items (one-off tasks and the occurrences of recurring ones).

    With ``today``, a recurring task shows only what is due now: its overdue
    occurrences and the next one, not every future month already planned.
    """
    stmt = select(Task).options(
        selectinload(Task.occurrences), selectinload(Task.lead_unit), selectinload(Task.support_units),
        selectinload(Task.conclusion),
    ).where(Task.status != TaskStatus.CANCELLED)
    if unit_id is not None:
        stmt = stmt.where(Task.lead_unit_id == unit_id if lead_only else tasks_for_unit_clause(unit_id))
    items: list[WorkItem] = []
    for task in session.scalars(stmt):
        if task.recurrence and task.occurrences:
            next_seen = False
            for occ in task.occurrences:  # ordered by deadline
                if not (include_done or occ.status == TaskStatus.OPEN):
                    continue
                if today is not None and occ.status == TaskStatus.OPEN and occ.deadline >= today:
                    if next_seen:
                        continue
                    next_seen = True
                items.append(WorkItem(task, occ))
        elif include_done or task.status == TaskStatus.OPEN:
            items.append(WorkItem(task, None))
    return items


def by_urgency(items: list[WorkItem]) -> list[WorkItem]:
    """Soonest deadline first (most overdue on top); ongoing tasks last."""
    return sorted(items, key=lambda w: (w.deadline is None, w.deadline or date.max, w.task.id))


def find_work_item(session: Session, ref: str) -> WorkItem | None:
    kind, _, raw = ref.partition(":")
    if not raw.isdigit():
        return None
    if kind == "task":
        task = session.get(Task, int(raw))
        return WorkItem(task, None) if task else None
    if kind == "occ":
        occ = session.get(TaskOccurrence, int(raw))
        return WorkItem(occ.task, occ) if occ else None
    return None


# Dossier figures and lists: handlers.dossiers.figures (SQL aggregates, paged lists).
