"""The reminder message: short, Vietnamese, answerable in one tap.

What is due, where it comes from, when (weekday and date), how many working
days are left or overdue, the current progress — and four buttons. The
working-day count comes from the planner's step (computed with the planner's
calendar), so the text agrees with the schedule that produced it.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from handlers.context import Ctx
from handlers.format import days_phrase, short, source_label
from handlers.i18n import _, fmt_date, ngettext
from handlers.messages import Button, Reply
from handlers.outbox import enqueue, notification_row, reply_payload
from models.outbox import Notification
from models.queries import WorkItem, find_work_item
from models.tasks import TaskStatus

MAX_CALLBACK = 64


def reminder_buttons(ref: str, for_leader: bool = False) -> list[list[Button]]:
    """Done / update / extend / snooze; a supervising leader gets no "extend"."""
    first = [Button(_("✅ Done"), f"done:{ref}"), Button(_("📝 Update progress"), f"upd:{ref}")]
    second = [] if for_leader else [Button(_("⏳ Request extension"), f"ext:{ref}")]
    second.append(Button(_("🔕 Remind me later"), f"snz:{ref}"))
    rows = [first, second]
    assert all(len(b.data.encode()) <= MAX_CALLBACK for row in rows for b in row)
    return rows


def render_reminder(
    item: WorkItem, deadline: date, on_day: date, escalated: bool = False, for_leader: bool = False,
) -> Reply:
    """The reminder for one work item, worded for the day it is sent."""
    overdue = deadline < on_day
    task = item.task
    if escalated and for_leader:
        unit = task.lead_unit.name if task.lead_unit else _("the lead unit")
        head = _("⚠️ *Overdue task of {unit}* (for your follow-up)").format(unit=unit)
    elif overdue:
        head = _("⚠️ *Overdue task*")
    else:
        head = _("🔔 *Task reminder*")
    lines = [head, short(task.title, 300)]
    src = source_label(item)
    if src:
        lines.append(_("Source: {source}").format(source=src))
    lines.append(_("Deadline: {date} ({days})").format(
        date=fmt_date(deadline, weekday=True), days=days_phrase(deadline, on_day)))
    lines.append(_("Progress: {percent}%").format(percent=item.percent or 0))
    if not for_leader:
        lines.append(_("Reply to this message with e.g. \"xong 80%\", or attach the result file."))
    return Reply("\n".join(lines), buttons=reminder_buttons(item.ref, for_leader), context_ref=item.ref)


def on_snooze(ctx: Ctx, ref: str) -> Reply:
    """Button ``snz:<ref>``: send the same reminder again at the next working day's opening."""
    from handlers.format import calendar
    from scheduler.policy import snooze_until

    item = find_work_item(ctx.session, ref)
    if item is None:
        return Reply(_("This task no longer exists."))
    if item.status != TaskStatus.OPEN:
        return Reply(_("The task \"{title}\" is already marked as done.").format(title=short(item.task.title, 90)))
    cal = calendar()
    when = snooze_until(ctx.now, cal)
    original = ctx.session.scalar(
        select(Notification).where(Notification.person_id == ctx.person.id, Notification.subject_ref == item.ref,
                                   Notification.kind == "reminder")
        .order_by(Notification.sent_at.is_(None), Notification.sent_at.desc(), Notification.id.desc()).limit(1)
    )
    if item.deadline is None:
        return Reply(_("This task has no deadline, so there is nothing to remind."))
    today = ctx.today.isoformat()
    # Worded for the day it will be sent, so "days left" is right then.
    reply = render_reminder(item, item.deadline, when.date())
    payload = reply_payload(reply, deadline=item.deadline.isoformat())
    key = f"snz:{original.id}:{today}" if original is not None else f"snz:{item.ref}:p{ctx.person.id}:{today}"
    enqueue(ctx.session, [notification_row(key, ctx.person.id, "reminder", payload, when, subject_ref=item.ref)])
    ctx.audit("snooze", f"{item.ref} until {when.isoformat()}")
    return Reply(_("OK, I will remind you again on {date} at {time}.").format(
        date=fmt_date(when, weekday=True), time=f"{when:%H:%M}"))
