"""Xin gia hạn: a unit asks, the supervising deputy director decides.

"⏳ Xin gia hạn" asks for the proposed date (30/12, 30/12/2026, "ngày 30
tháng 12") and an optional reason, then sends the request to the deputy
director(s) supervising the lead unit with "Đồng ý" / "Không đồng ý"
buttons. Approval moves the working deadline (the original is kept for PAR
scoring) and re-plans the reminders; either answer is sent to the requester
with what to do next.

The request carries the context ``ext:<id>``, not the task's, so whatever a
leader types afterwards is never taken as a progress note on the task.
"Không đồng ý" asks the leader for a short reason (or "Không ghi lý do") and
forwards it; if the leader says nothing, the requester is told without a
reason when the question expires.
"""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select

from handlers.core import conversation
from handlers.core.context import Ctx
from handlers.core.conversation import Pending
from handlers.core.inputs import MAX_YEARS_AHEAD, beyond_horizon
from handlers.text.dates import read_date
from handlers.text.i18n import _, fmt_date, use_locale
from handlers.core.messages import Button, Reply
from handlers.core.outbox import enqueue, notification_row, reply_payload
from handlers.tasks.progress import STATE_TTL, item_or_gone, looks_like_question, not_allowed_reply, title_of
from handlers.people.permissions import Action, can_change_task, refusal
from handlers.people.recipients import Directory
from handlers.tasks.changes import change_deadline
from models.org import Person
from models.outbox import Notification, OutboxStatus
from models.queries import WorkItem, find_work_item
from models.tasks import ExtensionRequest, TaskStatus

DATE_FLOW = "extension.date"  # the requester is asked for the proposed date
REASON_FLOW = "extension.reason"  # … then for the reason
REFUSAL_FLOW = "extension.refusal"  # a leader said "Không đồng ý" and may give a reason
PAST_WINDOW_DAYS = 183  # "20/11" typed on 23/11 is last week, not next year

_REASON_LEAD = re.compile(r"^[\s,.;:–-]*(?:(?:l[yý]\s+do|v[iì]|do|b[oở]i\s+v[iì])\b[\s:,-]*)?", re.IGNORECASE)


def parse_proposed_date(text: str, today: date) -> tuple[date | None, str]:
    """(date, rest of the text) from '30/12', '30/12/2026', 'ngày 30 tháng 12 năm 2026', 'thứ sáu tuần sau'.

    Dates are read by :func:`handlers.text.dates.read_date`. Without a year
    the nearest reading wins: a day up to about six months ago stays in the
    past (so "20/11" on 23/11 is refused as passed rather than silently read
    as next year); further back means next year (a request made in December
    for "15/1"). Returns (None, text) when no valid date is found.
    """
    found = read_date(text, today, past_days=PAST_WINDOW_DAYS)
    if found is None:
        return None, text
    start, end = found.span
    rest = (text[:start] + " " + text[end:]).strip()
    rest = _REASON_LEAD.sub("", rest).strip(" ,.;:-–")
    return found.value, rest


def on_request(ctx: Ctx, ref: str) -> Reply:
    """Button ``ext:<ref>``: ask for the date."""
    found = item_or_gone(ctx, ref)
    if isinstance(found, Reply):
        return found
    return request(ctx, found)


def request(ctx: Ctx, found: WorkItem, until: date | None = None, typed: str | None = None) -> Reply:
    """Start a request: by the button (ask for the date), or typed ("xin gia hạn đến 15/12
    do chờ quyết định phê duyệt": the date and the whole message as the reason, sent at once;
    without a date the bot asks for it, as after the button)."""
    if not can_change_task(ctx.person, found.task):
        ctx.audit("extension_refused", found.ref)
        return not_allowed_reply(ctx, found)
    if found.status != TaskStatus.OPEN:
        return Reply(_("The task \"{title}\" is already marked as done.").format(title=title_of(found)))
    if _pending_request(ctx, found) is not None:
        return Reply(_("An extension request for this task is already waiting for a decision."))
    if until is not None:
        return _take_date(ctx, found, until, (typed or "").strip()[:300])
    conversation.ask(ctx, DATE_FLOW, "date", ttl=STATE_TTL, ref=found.ref)
    return Reply(_("Current deadline: {date}. Until which date do you propose to extend it? (e.g. 30/12 or 30/12/2026; you may add the reason after the date)").format(
        date=fmt_date(found.deadline, weekday=True)))


def on_date_answer(ctx: Ctx, pending: Pending) -> Reply | None:
    """The proposed date (and maybe the reason) of a request being written.

    A question typed instead of a date abandons the request and is answered.
    """
    found = _request_in_writing(ctx, pending)
    if not isinstance(found, tuple):
        return found
    item, text, proposed, rest = found
    if proposed is None:
        if looks_like_question(text, ctx.now):
            conversation.clear(ctx)
            return None
        return Reply(_("I could not read a date in \"{text}\". Please write it as day/month, e.g. 30/12 or 30/12/2026.").format(text=text[:60]))
    return _take_date(ctx, item, proposed, rest)


def on_reason_answer(ctx: Ctx, pending: Pending) -> Reply | None:
    """The reason of a request whose date is known (or a corrected date)."""
    found = _request_in_writing(ctx, pending)
    if not isinstance(found, tuple):
        return found
    item, text, proposed, rest = found
    if proposed is not None and not rest:  # a corrected date, e.g. the working day suggested
        return _take_date(ctx, item, proposed, rest)
    return _submit(ctx, item, date.fromisoformat(pending.data["date"]), text or None)


def _request_in_writing(ctx: Ctx, pending: Pending) -> tuple[WorkItem, str, date | None, str] | Reply | None:
    """The task being asked about and what the person typed (a file is not an answer: None)."""
    item = find_work_item(ctx.session, pending.data.get("ref", ""))
    if item is None:
        conversation.clear(ctx)
        return Reply(_("This task no longer exists."))
    if ctx.msg.attachment is not None:
        return None
    text = (ctx.msg.text or "").strip()
    proposed, rest = parse_proposed_date(text, ctx.today)
    return item, text, proposed, rest


def _take_date(ctx: Ctx, item: WorkItem, proposed: date, rest: str) -> Reply:
    """Check the proposed date; submit when the reason came with it, else ask for one."""
    if beyond_horizon(proposed, ctx.today):
        return Reply(_("The date {date} is too far ahead: a deadline can be at most {years} years from today. Please check the year.").format(
            date=fmt_date(proposed), years=MAX_YEARS_AHEAD))
    if proposed <= ctx.today:
        return Reply(_("The date {date} has already passed. Please propose a date after today.").format(date=fmt_date(proposed)))
    if item.deadline is not None and proposed <= item.deadline:
        return Reply(_("The proposed date must be after the current deadline ({date}).").format(date=fmt_date(item.deadline)))
    note = day_off_note(proposed, max(ctx.today, item.deadline or ctx.today))
    if rest:
        return _submit(ctx, item, proposed, rest, note)
    conversation.ask(ctx, REASON_FLOW, "reason", ttl=STATE_TTL, ref=item.ref, date=proposed.isoformat())
    text = _("What is the reason for the extension? (optional)")
    if note:
        text = note + "\n" + text
    return Reply(text, buttons=[[Button(_("Send without a reason"), "exs:")]])


def day_off_note(proposed: date, not_before: date) -> str | None:
    """A warning when the proposed date is a weekend or holiday, naming it and
    the working day before (when that one could still be proposed)."""
    from handlers.display.format import calendar

    cal = calendar()
    if cal.is_working_day(proposed):
        return None
    holiday = cal.holiday_name(proposed)
    day = fmt_date(proposed, weekday=True)
    note = (_("Note: {date} is a day off ({holiday}).").format(date=day, holiday=holiday) if holiday
            else _("Note: {date} is a day off.").format(date=day))
    previous = cal.previous_working_day(proposed)
    if previous > not_before:
        note += " " + _("The working day before is {date}; type it now to propose it instead.").format(
            date=fmt_date(previous, weekday=True))
    return note


def on_skip_reason(ctx: Ctx, arg: str) -> Reply:
    """Button ``exs:`` (send the request without a reason) or ``exs:r<id>``
    (a leader's "no" without a reason)."""
    if arg.startswith("r"):
        pending = conversation.current(ctx, REFUSAL_FLOW)
        if pending is None or str(pending.data.get("req")) != arg[1:]:
            return Reply(_("This button is no longer valid. Please start again."))
        return _forward_refusal(ctx, pending, "")
    pending = conversation.current(ctx, REASON_FLOW)
    if pending is None:
        return Reply(_("This button is no longer valid. Please start again."))
    item = find_work_item(ctx.session, pending.data.get("ref", ""))
    if item is None:
        conversation.clear(ctx)
        return Reply(_("This task no longer exists."))
    return _submit(ctx, item, date.fromisoformat(pending.data["date"]), None)


def _pending_request(ctx: Ctx, item: WorkItem) -> ExtensionRequest | None:
    stmt = select(ExtensionRequest).where(ExtensionRequest.task_id == item.task.id, ExtensionRequest.status == "pending")
    if item.occurrence is not None:
        stmt = stmt.where(ExtensionRequest.occurrence_id == item.occurrence.id)
    else:
        stmt = stmt.where(ExtensionRequest.occurrence_id.is_(None))
    return ctx.session.scalar(stmt.limit(1))


def deciders(ctx: Ctx, item: WorkItem) -> list[Person]:
    """Supervising deputy director(s); else the Director; else the office."""
    people = Directory.load(ctx.session)
    return people.escalation(item.task.lead_unit_id) or list(people.office)


def _submit(ctx: Ctx, item: WorkItem, proposed: date, reason: str | None, note: str | None = None) -> Reply:
    conversation.clear(ctx)
    refused = refusal(ctx.session, ctx.person, Action.UPDATE_TASK, item)
    if refused is not None:
        return not_allowed_reply(ctx, item) if not can_change_task(ctx.person, item.task) else Reply(refused)
    if item.status != TaskStatus.OPEN:
        return Reply(_("The task \"{title}\" is already marked as done.").format(title=title_of(item)))
    req = ExtensionRequest(task_id=item.task.id, occurrence_id=item.occurrence.id if item.occurrence else None,
                           requested_by=ctx.person.id, proposed_deadline=proposed, reason=reason, created_at=ctx.now)
    ctx.session.add(req)
    ctx.session.flush()
    to = deciders(ctx, item)
    rows = []
    for leader in to:
        with use_locale(leader.locale):
            reply = _request_message(item, req, ctx.person)
        rows.append(notification_row(f"exq:{req.id}:p{leader.id}", leader.id, "extension", reply_payload(reply),
                                     ctx.now, subject_ref=item.ref))
    enqueue(ctx.session, rows)
    ctx.audit("extension_requested", f"{item.ref} -> {proposed.isoformat()}")
    names = ", ".join(p.name for p in to) or _("the Department's leadership")
    text = _("Your request to extend \"{title}\" to {date} was sent to {names}. You will be told the decision.").format(
        title=title_of(item), date=fmt_date(proposed, weekday=True), names=names)
    return Reply(note + "\n" + text if note else text)


def _request_message(item: WorkItem, req: ExtensionRequest, requester: Person) -> Reply:
    """The leader's copy; its context is the request, not the task (see the module note)."""
    unit = item.task.lead_unit.name if item.task.lead_unit else ""
    lines = [
        _("⏳ *Extension request* from {name} ({unit})").format(name=requester.name, unit=unit),
        title_of(item),
        _("Current deadline: {old} → proposed: {new}").format(
            old=fmt_date(item.deadline, weekday=True), new=fmt_date(req.proposed_deadline, weekday=True)),
        _("Progress: {percent}%").format(percent=item.percent or 0),
    ]
    if req.reason:
        lines.append(_("Reason: {reason}").format(reason=req.reason[:300]))
    buttons = [[Button(_("Approve"), f"exa:{req.id}"), Button(_("Reject"), f"exr:{req.id}")]]
    return Reply("\n".join(lines), buttons=buttons, context_ref=f"ext:{req.id}")


def on_decide(ctx: Ctx, arg: str, approve: bool) -> Reply:
    """Buttons ``exa:<id>`` / ``exr:<id>``."""
    req = ctx.session.get(ExtensionRequest, int(arg)) if arg.isdigit() else None
    if req is None:
        return Reply(_("This extension request no longer exists."))
    refused = refusal(ctx.session, ctx.person, Action.DECIDE_EXTENSION, req)
    if refused is not None:
        ctx.audit("extension_decision_refused", arg)
        return Reply(refused)
    if req.status != "pending":
        return Reply(_("This request was already decided ({status}).").format(
            status=_("approved") if req.status == "approved" else _("rejected")))
    item = find_work_item(ctx.session, _ref_of(req))
    if item is None:
        return Reply(_("This task no longer exists."))
    req.status = "approved" if approve else "rejected"
    req.decided_by = ctx.person.id
    req.decided_at = ctx.now
    requester = ctx.session.get(Person, req.requested_by)
    who = requester.name if requester else "?"
    if approve:
        change_deadline(ctx.session, item, req.proposed_deadline, ctx.person, ctx.now, reason="extension_approved")
        if requester is not None:
            with use_locale(requester.locale):
                reply = _approval_message(item, req, ctx.person)
            enqueue(ctx.session, [notification_row(f"exd:{req.id}", requester.id, "extension", reply_payload(reply),
                                                   ctx.now, subject_ref=item.ref)])
        return Reply(_("Approved: the deadline of \"{title}\" is now {date}. {name} has been told.").format(
            title=title_of(item), date=fmt_date(req.proposed_deadline, weekday=True), name=who))
    ctx.audit("extension_rejected", item.ref)
    if requester is not None:
        # Told without a reason when the leader gives none before the question expires.
        with use_locale(requester.locale):
            reply = _rejection_message(item, ctx.person, None, ctx.today)
        enqueue(ctx.session, [notification_row(f"exd:{req.id}", requester.id, "extension", reply_payload(reply),
                                               ctx.now + STATE_TTL, subject_ref=item.ref)])
    conversation.ask(ctx, REFUSAL_FLOW, "reason", ttl=STATE_TTL, req=req.id)
    return Reply(
        _("Rejected: the deadline of \"{title}\" stays {date}. Please type a short reason to pass on to {name}.").format(
            title=title_of(item), date=fmt_date(item.deadline, weekday=True), name=who),
        buttons=[[Button(_("No reason"), f"exs:r{req.id}")]], context_ref=f"ext:{req.id}",
    )


def _ref_of(req: ExtensionRequest) -> str:
    return f"occ:{req.occurrence_id}" if req.occurrence_id else f"task:{req.task_id}"


def _approval_message(item: WorkItem, req: ExtensionRequest, leader: Person) -> Reply:
    """The requester's news and the next step, with the buttons to report back."""
    text = "\n".join([
        _("✅ {leader} approved extending \"{title}\" to {date}.").format(
            leader=leader.name, title=title_of(item), date=fmt_date(req.proposed_deadline, weekday=True)),
        _("Reminders now follow the new deadline. When it is done, press \"Done\" or reply \"xong 100%\"."),
    ])
    buttons = [[Button(_("✅ Done"), f"done:{item.ref}"), Button(_("📝 Update progress"), f"upd:{item.ref}")]]
    return Reply(text, buttons=buttons, context_ref=item.ref)


def _rejection_message(item: WorkItem, leader: Person, reason: str | None, today: date) -> Reply:
    """The requester's news: the decision, the leader's reason, what to do now."""
    lines = [_("❌ {leader} did not approve extending \"{title}\"; the deadline stays {date}.").format(
        leader=leader.name, title=title_of(item), date=fmt_date(item.deadline, weekday=True))]
    if reason:
        lines.append(_("Reason: {reason}").format(reason=reason[:300]))
    if item.deadline is not None and item.deadline >= today:
        lines.append(_("Please speed up and finish before the deadline {date}, or contact {leader} to discuss.").format(
            date=fmt_date(item.deadline), leader=leader.name))
    else:
        lines.append(_("The task is already overdue: please finish it as soon as possible, or contact {leader} to discuss.").format(
            leader=leader.name))
    return Reply("\n".join(lines), context_ref=item.ref)


def on_refusal_reason(ctx: Ctx, pending: Pending) -> Reply | None:
    """Whatever the leader types next is the reason, even if it reads like a question."""
    if ctx.msg.attachment is not None:
        return None
    return _forward_refusal(ctx, pending, (ctx.msg.text or "").strip())


def _forward_refusal(ctx: Ctx, pending: Pending, text: str) -> Reply:
    """Forward the leader's reason (or none) to the requester now."""
    conversation.clear(ctx)
    req = ctx.session.get(ExtensionRequest, int(pending.data.get("req", 0)))
    item = find_work_item(ctx.session, _ref_of(req)) if req is not None else None
    requester = ctx.session.get(Person, req.requested_by) if req is not None else None
    if item is None or requester is None:
        return Reply(_("This extension request no longer exists."))
    reason = text[:300] or None
    with use_locale(requester.locale):
        reply = _rejection_message(item, ctx.person, reason, ctx.today)
    _send_now(ctx, f"exd:{req.id}", requester.id, reply, item.ref)
    if reason:
        ctx.audit("extension_reject_reason", f"{item.ref} {reason}")
        return Reply(_("Thank you. Your reason was passed on to {name}.").format(name=requester.name))
    return Reply(_("{name} has been told, without a reason.").format(name=requester.name))


def _send_now(ctx: Ctx, key: str, person_id: int, reply: Reply, subject_ref: str) -> None:
    """Replace the waiting fallback message and send it at once (or a follow-up if it already went)."""
    payload = reply_payload(reply)
    row = ctx.session.scalar(select(Notification).where(Notification.idem_key == key))
    if row is not None and row.status == OutboxStatus.PENDING:
        row.payload = payload
        row.not_before = ctx.now
        return
    enqueue(ctx.session, [notification_row(f"{key}:reason", person_id, "extension", payload, ctx.now,
                                           subject_ref=subject_ref)])
