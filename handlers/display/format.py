"""How tasks and dossiers look in a chat line, shared by every list."""

from __future__ import annotations

from datetime import date

from handlers.text.i18n import _, fmt_date, ngettext
from models.dossiers import Dossier
from models.queries import WorkItem
from models.tasks import TaskStatus

MAX_TITLE = 110


def short(text: str, limit: int = MAX_TITLE) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def calendar():
    """The one working calendar (handlers.worktime.calendar), imported lazily so that
    handlers stay importable without building holiday tables."""
    from handlers.worktime.calendar import default_calendar

    return default_calendar()


def days_phrase(deadline: date | None, today: date) -> str:
    """'còn 3 ngày làm việc' / 'hạn hôm nay' / 'quá hạn 2 ngày làm việc', plus
    '; lịch nghỉ chưa công bố' when the days off around the deadline are not
    announced yet (the count, even the date, may still move)."""
    phrase = _days_phrase(deadline, today)
    if deadline is not None and deadline >= today and calendar().unconfirmed_reason(deadline):
        phrase += "; " + _("holiday schedule not announced yet")
    return phrase


def _days_phrase(deadline: date | None, today: date) -> str:
    if deadline is None:
        return _("ongoing")
    if deadline == today:
        return _("due today")
    n = calendar().working_days_between(today, deadline)
    if deadline > today:
        if n == 0:  # the deadline falls on a day off right after today
            holiday = calendar().holiday_name(deadline)
            if holiday:
                return _("due on a holiday ({name}): today is the last working day").format(name=holiday)
            return _("due on a day off: today is the last working day")
        return ngettext("{n} working day left", "{n} working days left", n).format(n=n)
    n = abs(n)
    if n == 0:  # past a deadline that fell just before a weekend or holiday
        return _("overdue since {date}").format(date=fmt_date(deadline))
    return ngettext("{n} working day overdue", "{n} working days overdue", n).format(n=n)


def completion_phrase(item: WorkItem) -> str:
    """'hoàn thành 16/11/2026 (trước hạn)' — judged against the original deadline."""
    done = item.completed_on
    due = item.original_deadline
    if done is None:
        return _("completed")
    text = _("completed {date}").format(date=fmt_date(done))
    if due is None:
        return text
    if done < due:
        return text + " (" + _("early") + ")"
    if done == due:
        return text + " (" + _("on time") + ")"
    n = calendar().working_days_between(due, done)
    return text + " (" + ngettext("{n} working day late", "{n} working days late", max(n, 1)).format(n=max(n, 1)) + ")"


def source_label(item: WorkItem) -> str:
    task = item.task
    if task.source_ref:
        return task.source_ref
    if task.conclusion is not None:
        ref = " " + _("item {ref}").format(ref=task.ref) if task.ref else ""
        return f"{task.conclusion.label}{ref}"
    return ""


def work_item_line(n: int, item: WorkItem, today: date, show_unit: bool = False, unit_id: int | None = None) -> str:
    """One numbered line: title, unit, deadline, days left or late, progress, source.

    ``unit_id``: the unit whose list this is; its supporting role is marked.
    """
    task = item.task
    parts = [f"{n}. {short(task.title)}"]
    meta = []
    if show_unit and task.lead_unit is not None:
        meta.append(task.lead_unit.code)
    if unit_id is not None and task.lead_unit_id != unit_id:
        meta.append(_("all units") if task.lead_unit_id is None else _("supporting"))
    if item.status == TaskStatus.DONE:
        meta.append(completion_phrase(item))
    elif item.deadline:
        meta.append(_("due {date}").format(date=fmt_date(item.deadline)) + f" ({days_phrase(item.deadline, today)})")
    else:
        meta.append(_("ongoing"))
    if item.status != TaskStatus.DONE and item.original_deadline and item.deadline != item.original_deadline:
        meta.append(_("extended from {date}").format(date=fmt_date(item.original_deadline)))
    if item.percent and item.status != TaskStatus.DONE:
        meta.append(f"{item.percent}%")
    src = source_label(item)
    if src:
        meta.append(src)
    marker = "⚠️ " if item.is_overdue(today) else ""
    return parts[0] + "\n   " + marker + " · ".join(meta)


def dossier_due(d: Dossier, tz) -> date | None:
    """The appointment date a dossier is judged by: the original one."""
    due = d.original_due_at or d.due_at
    return due.astimezone(tz).date() if due else None


def is_dossier_late(d: Dossier, today: date, tz) -> bool:
    """Open, not paused, and past its appointment date (the provincial rule)."""
    due = dossier_due(d, tz)
    return d.is_open and d.status not in Dossier.PAUSED and due is not None and due < today


def dossier_line(n: int, d: Dossier, today: date, tz, show_unit: bool = True) -> str:
    due = dossier_due(d, tz)
    meta = []
    if show_unit and d.unit is not None:
        meta.append(d.unit.code)
    if d.status in Dossier.PAUSED:
        meta.append(_("appointment {date}").format(date=fmt_date(due)) + " (" + _("waiting for supplements") + ")")
    else:
        meta.append(_("appointment {date}").format(date=fmt_date(due)) + (f" ({days_phrase(due, today)})" if due else ""))
    return f"{n}. {d.code} — {short(d.procedure_name or '', 70)}\n   " + " · ".join(meta)
