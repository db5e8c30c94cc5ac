"""The reminder message: short, Vietnamese, answerable in one tap.

What is due, where it comes from, when (weekday and date), how many working
days are left or overdue, the current progress — and four buttons. The
working-day count comes from the planner's step (computed with the planner's
calendar), so the text agrees with the schedule that produced it.

A supervising leader's escalation copy is for follow-up, not for doing the
work: it offers "📣 Nhắc đơn vị" (a nudge to the lead unit's head, once a
day) and "🔕 Nhắc lại sau" instead of "Đã hoàn thành", so a leader cannot
close a unit's task with one tap by mistake. Both ride on the ``snz``
button: ``snz:<ref>`` snoozes, ``snz:unit:<ref>`` nudges the unit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from handlers.core.context import Ctx
from handlers.display.format import days_phrase, short, source_label
from handlers.text.i18n import _, fmt_date, ngettext, use_locale
from handlers.core.messages import Button, Reply
from handlers.core.outbox import enqueue, notification_row, reply_payload
from models.org import Person, Role
from models.outbox import Notification
from models.queries import WorkItem, find_work_item
from models.tasks import TaskStatus

MAX_CALLBACK = 64
NUDGE_ARG = "unit:"  # ``snz:unit:<ref>``: remind the lead unit instead of myself


def reminder_buttons(ref: str, for_leader: bool = False) -> list[list[Button]]:
    """Done / update / extend / snooze for the unit; nudge / snooze for a supervising leader."""
    if for_leader:
        rows = [[Button(_("📣 Remind the unit"), f"snz:{NUDGE_ARG}{ref}"),
                 Button(_("🔕 Remind me later"), f"snz:{ref}")]]
    else:
        rows = [[Button(_("✅ Done"), f"done:{ref}"), Button(_("📝 Update progress"), f"upd:{ref}")],
                [Button(_("⏳ Request extension"), f"ext:{ref}"), Button(_("🔕 Remind me later"), f"snz:{ref}")]]
    assert all(len(b.data.encode()) <= MAX_CALLBACK for row in rows for b in row)
    return rows


def render_reminder(
    item: WorkItem, deadline: date, on_day: date, escalated: bool = False, for_leader: bool = False,
    headless_unit: str | None = None, number: int | None = None,
) -> Reply:
    """The reminder for one work item, worded for the day it is sent.

    ``headless_unit`` names the unit whose reminder the office receives because
    that unit has no registered head (see ``Directory.task_recipients``).
    ``number`` is the task's number for this person (:mod:`handlers.tasks.numbers`):
    with it the reminder can be answered later without reply-to ("3 xong 80%").
    """
    overdue = deadline < on_day
    task = item.task
    if escalated and for_leader:
        unit = ", ".join(u.name for u in task.lead_units) or _("the lead unit")
        head = _("⚠️ *Overdue task of {unit}* (for your follow-up)").format(unit=unit)
    elif overdue:
        head = _("⚠️ *Overdue task*")
    else:
        head = _("🔔 *Task reminder*")
    lines = [head + (" " + _("(task {n})").format(n=number) if number is not None else ""), short(task.title, 300)]
    src = source_label(item)
    if src:
        lines.append(_("Source: {source}").format(source=src))
    lines.append(_("Deadline: {date} ({days})").format(
        date=fmt_date(deadline, weekday=True), days=days_phrase(deadline, on_day)))
    lines.append(_("Progress: {percent}%").format(percent=item.percent or 0))
    if headless_unit:
        lines.append(_("Sent to the Department Office because {unit} has no registered head yet: please pass it on, or invite the head (/moi).").format(
            unit=headless_unit))
    if not for_leader and number is not None:
        lines.append(_("Reply to this message with e.g. \"xong 80%\" (or, at any time, \"{n} xong 80%\"), "
                       "or attach the result file.").format(n=number))
    elif not for_leader:
        lines.append(_("Reply to this message with e.g. \"xong 80%\", or attach the result file."))
    return Reply("\n".join(lines), buttons=reminder_buttons(item.ref, for_leader), context_ref=item.ref)


def is_follow_up_leader(person: Person, item: WorkItem) -> bool:
    """A Department leader outside the lead unit: gets the follow-up wording and buttons."""
    return person.role == Role.LEADER and all(u.id != person.unit_id for u in item.task.lead_units)


def on_snooze(ctx: Ctx, arg: str) -> Reply:
    """Button ``snz:<ref>`` (remind me later) or ``snz:unit:<ref>`` (remind the unit now)."""
    if arg.startswith(NUDGE_ARG):
        return on_nudge(ctx, arg[len(NUDGE_ARG):])
    return snooze(ctx, arg)


def snooze(ctx: Ctx, ref: str) -> Reply:
    """Send the same reminder again at the next working day's opening."""
    from handlers.display.format import calendar
    from handlers.worktime.policy import snooze_until

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
    # Worded for the day it will be sent, so "days left" is right then; a
    # leader's copy stays a leader's copy.
    leader = is_follow_up_leader(ctx.person, item)
    reply = render_reminder(item, item.deadline, when.date(), escalated=leader, for_leader=leader)
    payload = reply_payload(reply, deadline=item.deadline.isoformat())
    key = f"snz:{original.id}:{today}" if original is not None else f"snz:{item.ref}:p{ctx.person.id}:{today}"
    enqueue(ctx.session, [notification_row(key, ctx.person.id, "reminder", payload, when, subject_ref=item.ref)])
    ctx.audit("snooze", f"{item.ref} until {when.isoformat()}")
    return Reply(_("I will remind you again about the task \"{title}\" on {date} at {time}.").format(
        title=short(item.task.title, 90), date=fmt_date(when, weekday=True), time=f"{when:%H:%M}"))


def on_nudge(ctx: Ctx, ref: str) -> Reply:
    """"📣 Nhắc đơn vị": a leader asks the lead unit's head to speed up (once a day per task).

    Sent as a reminder, so it waits for office hours and is dropped if the
    task is finished before it goes out.
    """
    from handlers.people.recipients import Directory

    item = find_work_item(ctx.session, ref)
    if item is None:
        return Reply(_("This task no longer exists."))
    title = short(item.task.title, 90)
    if not ctx.person.can_manage_all:
        ctx.audit("nudge_refused", item.ref)
        return Reply(_("Only the Department's leadership or the Department Office can send this reminder to a unit."))
    if item.status != TaskStatus.OPEN:
        return Reply(_("The task \"{title}\" is already marked as done.").format(title=title))
    directory = Directory.load(ctx.session)
    leads = item.task.lead_units
    unit = lead_names(item)
    heads = list({p.id: p for u in leads or [None] for p in directory.unit_heads(u.id if u else None)}.values())
    if not heads:
        return Reply(_("{unit} has no registered head in the bot yet; please contact the unit directly.").format(unit=unit))
    headless = ", ".join(u.name for u in leads if u.id in directory.headless([u.id]))
    rows = []
    for head in heads:
        with use_locale(head.locale):
            reply = nudge_message(item, ctx.person, ctx.today)
        payload = reply_payload(reply, deadline=item.deadline.isoformat() if item.deadline else None)
        rows.append(notification_row(f"nud:{item.ref}:{ctx.today.isoformat()}:p{head.id}", head.id, "reminder",
                                     payload, ctx.now, subject_ref=item.ref))
    if enqueue(ctx.session, rows) == 0:
        return Reply(_("{unit} was already reminded about \"{title}\" today.").format(unit=unit, title=title))
    ctx.audit("nudge", item.ref)
    sent = _("Sent: {names} ({unit}) will be asked to speed up \"{title}\".").format(
        names=", ".join(p.name for p in heads), unit=unit, title=title)
    if headless:  # a co-lead unit nobody of its own can be reached in
        sent += "\n" + _("{unit} has no registered head in the bot yet; please contact the unit directly.").format(
            unit=headless)
    return Reply(sent)


def lead_names(item: WorkItem) -> str:
    """Every unit leading the task (lead and co-leads), or the office when none does."""
    return ", ".join(u.name for u in item.task.lead_units) or _("the Department Office")


def nudge_message(item: WorkItem, leader: Person, today: date) -> Reply:
    """What the unit's head reads: who asks, what, by when; the usual buttons."""
    unit = lead_names(item)
    lines = [_("📣 Department leader {name} asks {unit} to speed up and report the result of:").format(
        name=leader.name, unit=unit), f"“{short(item.task.title, 200)}”"]
    if item.deadline is not None:
        lines.append(_("Deadline: {date} ({days})").format(
            date=fmt_date(item.deadline, weekday=True), days=days_phrase(item.deadline, today)))
    lines.append(_("Progress: {percent}%").format(percent=item.percent or 0))
    return Reply("\n".join(lines), buttons=reminder_buttons(item.ref), context_ref=item.ref)


# ---------------------------------------------------------------- one message per person per round

# Text limits per channel (Telegram counts UTF-16 code units; Zalo characters).
CHANNEL_LIMITS = {"telegram": 4096, "zalo": 2000}
DEFAULT_LIMIT = 2000  # unknown or several channels: the strictest
ROUND_TITLE = 90  # title characters per line in a round
MAX_ACTION_ROWS = 30  # Telegram allows 100 inline buttons; three per task


@dataclass(frozen=True)
class RoundLine:
    """One due task in a person's round of reminders."""

    item: WorkItem
    deadline: date
    for_leader: bool = False
    headless_unit: str | None = None  # the office's copy for a unit with no registered head


def _units(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units); never less than Zalo's count."""
    return len(text.encode("utf-16-le")) // 2


def _round_buttons(lines: list[RoundLine], numbers: list[int]) -> list[list[Button]]:
    """One row per task: ✅/📝/⏳ for the unit, 📣/🔕 for a supervising leader, labelled with the task's number."""
    rows = []
    for n, line in zip(numbers, lines[:MAX_ACTION_ROWS]):
        ref = line.item.ref
        if line.for_leader:
            rows.append([Button(f"📣 {n}", f"snz:{NUDGE_ARG}{ref}"), Button(f"🔕 {n}", f"snz:{ref}")])
        else:
            rows.append([Button(_("✅ {n} Done").format(n=n), f"done:{ref}", shortcut=True),
                         Button(_("📝 {n} Progress").format(n=n), f"upd:{ref}", shortcut=True),
                         Button(_("⏳ {n} Extend").format(n=n), f"ext:{ref}", shortcut=True)])
    return rows


def _numbered_size(rows: list[list[Button]]) -> int:
    """Characters the buttons add where a channel shows them as "1. label" lines."""
    labels = [b.label for row in rows for b in row]
    return sum(len(f"{i}. {label}\n") for i, label in enumerate(labels, start=1)) + 80


def render_round(lines: list[RoundLine], on_day: date, limit: int = DEFAULT_LIMIT,
                 numbers: list[int] | None = None) -> list[Reply]:
    """The due tasks of one person as one message: count first, then one numbered line each.

    Each line carries the deadline and the working days left (or overdue); the
    buttons (or numbered choices) act on a task by its number. When the text
    would pass ``limit`` it is split between lines, never inside one, and the
    buttons go with the last part (or in a short part of their own when the
    channel shows them as numbered text and they would not fit). ``numbers``
    are the tasks' numbers for this person (1, 2, 3 … when not given).
    """
    numbers = numbers or list(range(1, len(lines) + 1))
    count = len(lines)
    overdue = sum(1 for line in lines if line.deadline < on_day)
    head = ngettext("🔔 *{n} task needs your follow-up*", "🔔 *{n} tasks need your follow-up*", count).format(n=count)
    if overdue:
        head += " " + ngettext("({n} overdue)", "({n} overdue)", overdue).format(n=overdue)
    body = []
    for n, line in zip(numbers, lines):
        mark = "⚠️ " if line.deadline < on_day else ""
        body.append(_("{n}. {mark}{title} — deadline {date} ({days})").format(
            n=n, mark=mark, title=short(line.item.task.title, ROUND_TITLE),
            date=fmt_date(line.deadline, weekday=True), days=days_phrase(line.deadline, on_day))
            + (f" · {line.headless_unit}" if line.headless_unit else ""))
    headless = list(dict.fromkeys(n for line in lines if line.headless_unit for n in line.headless_unit.split(", ")))
    if headless:
        body.append(_("Sent to the Department Office because {unit} has no registered head yet: please pass it on, or invite the head (/moi).").format(
            unit=", ".join(headless)))
    buttons = _round_buttons(lines, numbers)
    for_leaders = any(line.for_leader for line in lines)
    footer = _("Reply with the task's number, e.g. \"{n} xong\", \"{n} 80%\" or \"{n} xin gia hạn đến 15/12\".").format(
        n=numbers[0])
    if for_leaders:
        footer = _("Press 📣 to remind the unit or 🔕 to be reminded later, with the task's number.")
    parts: list[list[str]] = [[head]]
    for text in body + ["", footer]:
        current = "\n".join(parts[-1] + [text])
        if _units(current) > limit and len(parts[-1]) > 0 and text:
            parts.append([text])
        else:
            parts[-1].append(text)
    texts = ["\n".join(p).strip() for p in parts if "\n".join(p).strip()]
    replies = [Reply(t) for t in texts]
    # A unit's round is answered in words anywhere; the buttons are a shortcut where a channel has them.
    # A leader's 📣/🔕 have no typed form, so where buttons are numbered lines they come in a part of their own.
    if for_leaders and limit < CHANNEL_LIMITS["telegram"] and _units(texts[-1]) + _numbered_size(buttons) > limit:
        replies.append(Reply(_("Choose the task and the action:"), buttons=buttons))
    else:
        replies[-1] = Reply(texts[-1], buttons=buttons)
    return replies


def round_limit(channels: set[str]) -> int:
    """The strictest text limit among the channels a person may be reached on."""
    known = [CHANNEL_LIMITS[c] for c in channels if c in CHANNEL_LIMITS]
    return min(known) if known else DEFAULT_LIMIT
