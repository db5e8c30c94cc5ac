"""Saving tasks from an imported conclusion or an Excel task list.

Both paths are idempotent: importing the same document again changes
nothing, a newer version of it updates what changed (and says what), and a
re-imported spreadsheet updates rows rather than duplicating them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.tasks.importers.conclusion import ConclusionDraft, TaskDraft
from handlers.tasks.importers.task_sheet import TaskRow
from handlers.tasks.occurrences import ensure_occurrences
from models.org import Unit
from models.queries import work_items
from models.tasks import Conclusion, Task, TaskStatus


@dataclass
class SaveResult:
    conclusion_id: int | None = None
    created: list[str] = field(default_factory=list)  # refs
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: bool = False


def content_hash(data: bytes | str) -> str:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return hashlib.sha256(raw).hexdigest()


def number_key(number: str | None) -> str | None:
    head = (number or "").split("/", 1)[0].strip()
    return head if head.isdigit() else None


def _units(session: Session) -> dict[str, Unit]:
    return {u.code: u for u in session.scalars(select(Unit))}


_PROVINCE_ASSIGNED = ("nhiem vu duoc ubnd tinh giao", "nhiem vu do ubnd tinh giao", "nhiem vu ubnd tinh giao",
                      "nhiem vu duoc uy ban nhan dan tinh giao", "nhiem vu duoc chu tich ubnd tinh giao")


def origin_of(text: str) -> str:
    """"Nhiệm vụ được UBND tỉnh giao" are scored separately in the PAR index."""
    from handlers.text.fold import fold

    key = fold(text)
    return "ubnd" if any(marker in key for marker in _PROVINCE_ASSIGNED) else "internal"


def _apply(task: Task, draft: TaskDraft, units: dict[str, Unit], label: str) -> None:
    """Copy a draft's fields onto a task exactly as the office approved them.

    Every named lead stays a lead (the first is ``lead_unit``, the others
    co-leads, each reminded); an all-units item keeps no lead (each unit's
    head is reminded, the office only follows up); names that are not units
    of the Sở ("Sở Nội vụ", "UBND các huyện") are kept, with their role, as
    external units.
    """
    leads = list(dict.fromkeys(units[c] for c in draft.lead_units if c in units))
    task.title = draft.content
    task.lead_unit = leads[0] if leads else None
    task.co_lead_units = leads[1:]
    task.support_units = list(dict.fromkeys(units[c] for c in draft.support_units if c in units and units[c] not in leads))
    external = [{"name": x, "role": "lead"} for x in draft.lead_units if x not in units]
    external += [{"name": x, "role": "support"} for x in draft.support_units if x not in units]
    task.external_units = external or None
    task.all_units = draft.all_units
    task.persons = list(draft.persons)
    if task.deadline != draft.deadline:
        task.deadline = draft.deadline
        task.original_deadline = draft.deadline
    task.recurrence = draft.recurrence
    task.target = draft.target
    task.urgent = draft.urgent
    task.source_ref = f"{label} mục {draft.ref}"
    task.origin = "ubnd" if draft.origin == "ubnd" else origin_of(draft.content)


SAVED_FIELDS = ("ref", "content", "lead_units", "support_units", "all_units", "persons", "deadline",
                "recurrence", "target", "urgent", "origin")


def task_as_draft(task: Task) -> TaskDraft:
    """A stored task read back in the draft's terms: what the office approved must come back."""
    external = task.external_units or []
    return TaskDraft(
        ref=task.ref or "", content=task.title,
        lead_units=[u.code for u in task.lead_units] + [x["name"] for x in external if x["role"] == "lead"],
        support_units=[u.code for u in task.support_units] + [x["name"] for x in external if x["role"] == "support"],
        all_units=task.all_units, persons=list(task.persons or []), deadline=task.deadline,
        recurrence=task.recurrence, target=task.target, urgent=task.urgent,
        origin="ubnd" if task.origin == "ubnd" else "internal",
    )


def _fields(draft: TaskDraft) -> tuple:
    return tuple(getattr(draft, name) for name in SAVED_FIELDS[1:])


def _same_task(task: Task, draft: TaskDraft) -> bool:
    return _fields(task_as_draft(task)) == _fields(draft)


def find_conclusion(session: Session, draft: ConclusionDraft, digest: str) -> tuple[Conclusion | None, bool]:
    """The stored conclusion this draft is (same bytes) or updates (same number and date)."""
    same = session.scalar(select(Conclusion).where(Conclusion.content_hash == digest))
    if same is not None:
        return same, True
    key = number_key(draft.doc.number)
    if key or draft.doc.date:
        stmt = select(Conclusion).where(Conclusion.issued_on == draft.doc.date)
        stmt = stmt.where(Conclusion.number_key == key) if key else stmt.where(Conclusion.number.is_(None))
        older = session.scalar(stmt.order_by(Conclusion.id.desc()))
        if older is not None:
            return older, False
    return None, False


@dataclass
class VersionDiff:
    """What a newer version of a stored conclusion changes, item by item."""

    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: dict[str, list[str]] = field(default_factory=dict)  # ref → what changed, in words

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


def diff_conclusion(existing: Conclusion, draft: ConclusionDraft) -> VersionDiff:
    """Compare a stored conclusion with a newer draft of it, before saving."""
    stored = {t.ref: t for t in existing.tasks if t.status != TaskStatus.CANCELLED}
    diff = VersionDiff()
    for new in draft.tasks:
        old = stored.pop(new.ref, None)
        if old is None:
            diff.added.append(new.ref)
            continue
        changes = []
        if old.title != new.content:
            changes.append("nội dung")
        old_lead = old.lead_unit.code if old.lead_unit else None
        if old_lead != (new.lead_units[0] if new.lead_units else None):
            changes.append(f"chủ trì {old_lead or '—'} → {new.lead_units[0] if new.lead_units else '—'}")
        if old.deadline != new.deadline:
            fmt = lambda d: f"{d:%d/%m/%Y}" if d else "không thời hạn"  # noqa: E731
            changes.append(f"hạn {fmt(old.deadline)} → {fmt(new.deadline)}")
        if (old.recurrence, old.target) != (new.recurrence, new.target):
            changes.append("định kỳ/chỉ tiêu")
        if changes:
            diff.changed[new.ref] = changes
    diff.removed = list(stored)
    return diff


def suggested_criterion(title: str) -> str | None:
    """The index sub-criterion a new task most likely feeds (the office can change it)."""
    from handlers.scoring import load_framework, suggest_criterion
    from settings import get_settings

    try:
        framework = load_framework(get_settings().par_framework)
    except ValueError:
        return None
    best = suggest_criterion(title, framework, limit=1, min_score=50)
    return best[0][0] if best else None


def save_conclusion(session: Session, draft: ConclusionDraft, digest: str, file_name: str, today: date,
                    criteria: dict[str, str] | None = None) -> SaveResult:
    """Create or update the tasks of a conclusion. ``criteria`` maps item refs
    to the index sub-criterion the office chose; other new tasks get the
    bot's suggestion."""
    criteria = criteria or {}
    existing, identical = find_conclusion(session, draft, digest)
    if identical:
        return SaveResult(conclusion_id=existing.id, unchanged=True)
    units = _units(session)
    conclusion = existing or Conclusion()
    conclusion.number = draft.doc.number
    conclusion.number_key = number_key(draft.doc.number)
    conclusion.issued_on = draft.doc.date
    conclusion.signer = draft.doc.signer
    conclusion.title = draft.doc.title
    conclusion.content_hash = digest
    conclusion.source_file = file_name[:255]
    session.add(conclusion)
    session.flush()
    label = conclusion.label
    by_ref = {t.ref: t for t in conclusion.tasks}
    result = SaveResult(conclusion_id=conclusion.id)
    for draft_task in draft.tasks:
        task = by_ref.pop(draft_task.ref, None)
        if task is None:
            task = Task(conclusion=conclusion, ref=draft_task.ref, title=draft_task.content,
                        criterion_code=criteria.get(draft_task.ref) or suggested_criterion(draft_task.content))
            _apply(task, draft_task, units, label)
            session.add(task)
            result.created.append(draft_task.ref)
        elif not _same_task(task, draft_task):
            _apply(task, draft_task, units, label)
            result.updated.append(draft_task.ref)
        if draft_task.ref in criteria:
            task.criterion_code = criteria[draft_task.ref]
        session.flush()
        if task.recurrence:
            ensure_occurrences(session, task, today, today + timedelta(days=120))
    for ref, task in by_ref.items():  # items dropped from the newer version
        task.status = TaskStatus.CANCELLED
        result.removed.append(ref)
    session.flush()
    return result


@dataclass
class SheetSave:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    warnings: list[str] = field(default_factory=list)


def _row_key(row: TaskRow) -> str:
    """Stable key of a spreadsheet row: its own code, else its source, else its text."""
    if row.key:
        return f"key:{row.key.strip()}"[:64]
    if row.source_ref:
        return f"src:{row.source_ref.strip()}"[:64]
    return "txt:" + content_hash(" ".join(row.content.lower().split()))[:40]


def _find_task(session: Session, row: TaskRow, key: str) -> Task | None:
    """A row exported by us carries "T<id>"; other rows are matched by their key."""
    own = (row.key or "").strip()
    if own[:1] == "T" and own[1:].isdigit():
        found = session.get(Task, int(own[1:]))
        if found is not None:
            return found
    return session.scalar(select(Task).where(Task.external_key == key))


def _export_key(task: Task) -> str:
    if task.external_key and task.external_key.startswith("key:"):
        return task.external_key[4:]
    return f"T{task.id}"


def save_task_rows(session: Session, rows: list[TaskRow], today: date) -> SheetSave:
    units = _units(session)
    result = SheetSave()
    for row in rows:
        key = _row_key(row)
        task = _find_task(session, row, key)
        leads = [units[c] for c in row.lead_units if c in units]
        values = {
            "title": row.content, "lead_unit": leads[0] if leads else None, "all_units": row.all_units,
            "recurrence": row.recurrence, "source_ref": row.source_ref,
        }
        support = list(dict.fromkeys([units[c] for c in row.support_units if c in units] + leads[1:]))
        if task is None:
            task = Task(external_key=key, deadline=row.deadline, original_deadline=row.deadline,
                        percent=row.percent or 0, **values)
            task.support_units = support
            if (row.percent or 0) >= 100:
                task.status, task.completed_on = TaskStatus.DONE, today
            session.add(task)
            result.created += 1
        else:
            before = (task.title, task.lead_unit_id, task.deadline, task.percent, task.recurrence)
            for name, value in values.items():
                setattr(task, name, value)
            task.support_units = support
            if row.deadline != task.deadline:
                task.deadline = row.deadline  # the sheet is the office's current plan
            if row.percent is not None:
                task.percent = row.percent
                if row.percent >= 100 and task.status != TaskStatus.DONE:
                    task.status, task.completed_on = TaskStatus.DONE, today
            session.flush()
            after = (task.title, task.lead_unit_id, task.deadline, task.percent, task.recurrence)
            if before == after:
                result.unchanged += 1
            else:
                result.updated += 1
        session.flush()
        if task.recurrence:
            ensure_occurrences(session, task, today, today + timedelta(days=120))
    return result


def export_rows(session: Session) -> list[TaskRow]:
    rows = []
    for n, item in enumerate(sorted(work_items(session, include_done=True), key=lambda w: w.task.id), start=1):
        if item.occurrence is not None and item.occurrence is not item.task.occurrences[0]:
            continue  # one row per recurring task
        task = item.task
        rows.append(TaskRow(
            row_number=n, content=task.title, lead_units=[task.lead_unit.code] if task.lead_unit else [],
            support_units=[u.code for u in task.support_units], deadline=task.deadline, recurrence=task.recurrence,
            percent=item.percent, note=task.target, source_ref=task.source_ref, key=_export_key(task),
            all_units=task.all_units,
        ))
    return rows
