"""May this person act on this object now? The one place that decides.

Every button is checked here by the router before its feature runs (the
registry names the action and how to load the object), and typed actions
(a progress reply, a typed extension request) ask the same functions, so a
forged button and a typed message meet the same rules: the person's unit and
role, who supervises the unit, and the object's state (a withdrawn task takes
no progress; a request on a closed task can no longer move its deadline).

A refusal of a button says only that the person may not do this: it never
names the task, its unit or its deadline, so forged buttons reveal nothing.
"""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy.orm import Session

from handlers.people.recipients import CHANGERS, Directory
from handlers.text.i18n import _
from models.dossiers import Dossier
from models.org import Person, Role
from models.queries import WorkItem, find_work_item
from models.tasks import ExtensionRequest, Task, TaskStatus

class Action(StrEnum):
    UPDATE_TASK = "update_task"  # progress, done, evidence, snooze, ask for an extension
    NUDGE_UNIT = "nudge_unit"  # a leader asks the lead unit to speed up
    DECIDE_EXTENSION = "decide_extension"
    RECORD_APOLOGY = "record_apology"
    IMPORT = "import"  # review and save an imported document
    ADMINISTER = "administer"  # people, calendar, catalogues
    DOCUMENTS = "documents"  # reports and exports as files


# ---------------------------------------------------------------- the rules


def can_change_task(person: Person, task: Task) -> bool:
    """Leaders and the office change any task; the head or deputy head of a lead or co-lead
    unit its own; any unit's head a task addressed to all units (each is reminded of it,
    and the progress is the task's, shared)."""
    if person.can_manage_all:
        return True
    if person.role not in CHANGERS or person.unit_id is None:
        return False
    if task.all_units:
        return True
    return person.unit_id == task.lead_unit_id or any(u.id == person.unit_id for u in task.co_lead_units)


def can_decide_extension(session: Session, person: Person, task: Task) -> bool:
    """The deputy director(s) supervising the lead unit, or the Director; the office only
    when no leader is registered to decide (the request then went to the office)."""
    if person.role not in (Role.LEADER, Role.ADMIN):
        return False
    people = Directory.load(session)
    deciders = people.escalation(task.lead_unit_id)
    if any(p.id == person.id for p in deciders):
        return True
    if person.role == Role.LEADER and not person.supervised_units:
        return True  # the Director decides for any unit
    return not deciders and person.role == Role.ADMIN


def may_import(person: Person | None) -> bool:
    return person is not None and person.role in (Role.ADMIN, Role.LEADER)


def is_office(person: Person | None) -> bool:
    return person is not None and person.role == Role.ADMIN


# ---------------------------------------------------------------- objects from button arguments


def load_work_item(session: Session, arg: str) -> WorkItem | None:
    """``task:12`` / ``occ:5`` (optionally followed by ``:<value>``) → the work item."""
    kind, _sep, rest = arg.partition(":")
    number = rest.split(":", 1)[0]
    if kind not in ("task", "occ") or not number.isdigit():
        return None
    return find_work_item(session, f"{kind}:{number}")


def load_extension(session: Session, arg: str) -> ExtensionRequest | None:
    return session.get(ExtensionRequest, int(arg)) if arg.isdigit() else None


def load_dossier(session: Session, arg: str) -> Dossier | None:
    return session.get(Dossier, int(arg)) if arg.isdigit() else None


def load_self(session: Session, arg: str) -> bool:
    """For actions on no particular object (import review, administration)."""
    return True


# ---------------------------------------------------------------- the check


def refusal(session: Session, person: Person, action: str, obj: object) -> str | None:
    """None when ``person`` may do ``action`` on ``obj`` now, else the line to answer."""
    if action == Action.UPDATE_TASK:
        return _task_refusal(person, obj)
    if action == Action.NUDGE_UNIT:
        if not person.can_manage_all:
            return _("Only the Department's leadership or the Department Office can send this reminder to a unit.")
        return _closed_refusal(obj)
    if action == Action.DECIDE_EXTENSION:
        return _extension_refusal(session, person, obj)
    if action == Action.RECORD_APOLOGY:
        allowed = person.can_manage_all or (person.unit_id == obj.unit_id and person.role in CHANGERS)
        return None if allowed else _(
            "Only the leadership of the unit handling the dossier or the Department Office can record this. Type /hoso to see your unit's dossiers.")
    if action == Action.IMPORT:
        return None if may_import(person) else _(
            "Only the Department Office can import documents. To attach evidence to a task, reply to its reminder with the file.")
    if action == Action.DOCUMENTS:
        return None if person.can_manage_all else _(
            "Reports and exports are prepared for the Department's leadership and the Department Office. Type /viec to see your unit's tasks.")
    if action == Action.ADMINISTER:
        return None if is_office(person) else _("Only the Department Office can do this.")
    raise ValueError(f"unknown action {action!r}")


def _not_yours() -> str:
    return _("You cannot act on this item. Type /viec to see your unit's tasks.")


def _task_refusal(person: Person, item: WorkItem) -> str | None:
    if not can_change_task(person, item.task):
        return _not_yours()
    return _closed_refusal(item)


def _closed_refusal(item: WorkItem) -> str | None:
    if item.task.status == TaskStatus.CANCELLED:
        return _("This task has been withdrawn; nothing more can be recorded on it.")
    return None


def _extension_refusal(session: Session, person: Person, req: ExtensionRequest) -> str | None:
    task = session.get(Task, req.task_id)
    if task is None or not can_decide_extension(session, person, task):
        return _("Only the deputy director supervising the unit (or the Director) can decide on this request.")
    if req.status == "pending":
        item = find_work_item(session, f"occ:{req.occurrence_id}" if req.occurrence_id else f"task:{req.task_id}")
        if item is None or task.status == TaskStatus.CANCELLED:
            return _("This task has been withdrawn; the extension request no longer applies.")
        if item.status != TaskStatus.OPEN:
            return _("This task is already completed; the extension request no longer applies.")
    return None
