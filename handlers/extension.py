"""Xin gia hạn: a unit asks, the supervising deputy director decides.

"⏳ Xin gia hạn" asks for the proposed date (30/12, 30/12/2026, "ngày 30
tháng 12") and an optional reason, then sends the request to the deputy
director(s) supervising the lead unit with "Đồng ý" / "Không đồng ý"
buttons. Approval moves the working deadline (the original is kept for PAR
scoring) and re-plans the reminders; either answer is sent to the requester.
"""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select

from handlers.context import Ctx
from handlers.i18n import _, fmt_date, use_locale
from handlers.messages import Button, Reply
from handlers.outbox import enqueue, notification_row, reply_payload
from handlers.progress import (
    clear_state, get_state, item_or_gone, looks_like_question, not_allowed_reply, set_state, title_of,
)
from handlers.recipients import Directory, can_change_task, can_decide_extension
from handlers.task_changes import change_deadline
from models.org import Person
from models.queries import WorkItem, find_work_item
from models.tasks import ExtensionRequest, TaskStatus

DATE_STATE = "ext_date"
REASON_STATE = "ext_reason"

_NUMERIC = re.compile(r"\b(\d{1,2})\s*[/.-]\s*(\d{1,2})(?:\s*[/.-]\s*(\d{2,4}))?\b")
_WORDS = re.compile(r"ng[aà]y\s+(\d{1,2})\s+th[aá]ng\s+(\d{1,2})(?:\s*(?:n[aă]m\s+)?(\d{4}))?", re.IGNORECASE)
_REASON_LEAD = re.compile(r"^[\s,.;:–-]*(?:(?:l[yý]\s+do|v[iì]|do|b[oở]i\s+v[iì])\b[\s:,-]*)?", re.IGNORECASE)


def parse_proposed_date(text: str, today: date) -> tuple[date | None, str]:
    """(date, rest of the text) from '30/12', '30/12/2026' or 'ngày 30 tháng 12 năm 2026'.

    Without a year, a day that has already passed this year means next year
    (a request made in December for "15/1"). Returns (None, text) when no
    valid date is found.
    """
    m = _WORDS.search(text) or _NUMERIC.search(text)
    if m is None:
        return None, text
    day, month, year = int(m.group(1)), int(m.group(2)), m.group(3)
    try:
        if year:
            y = int(year)
            found = date(y + 2000 if y < 100 else y, month, day)
        else:
            found = date(today.year, month, day)
            if found < today:
                found = date(today.year + 1, month, day)
    except ValueError:
        return None, text
    rest = (text[: m.start()] + " " + text[m.end():]).strip()
    rest = _REASON_LEAD.sub("", rest).strip(" ,.;:-–")
    return found, rest


def on_request(ctx: Ctx, ref: str) -> Reply:
    """Button ``ext:<ref>``: ask for the date."""
    found = item_or_gone(ctx, ref)
    if isinstance(found, Reply):
        return found
    if not can_change_task(ctx.person, found.task):
        ctx.audit("extension_refused", found.ref)
        return not_allowed_reply(found)
    if found.status != TaskStatus.OPEN:
        return Reply(_("The task \"{title}\" is already marked as done.").format(title=title_of(found)))
    if _pending_request(ctx, found) is not None:
        return Reply(_("An extension request for this task is already waiting for a decision."))
    set_state(ctx, DATE_STATE, ref=found.ref)
    return Reply(_("Current deadline: {date}. Until which date do you propose to extend it? (e.g. 30/12 or 30/12/2026; you may add the reason after the date)").format(
        date=fmt_date(found.deadline, weekday=True)))


def on_text(ctx: Ctx) -> Reply | None:
    """The proposed date, then the reason, while a request is being written."""
    state = get_state(ctx, (DATE_STATE, REASON_STATE))
    if state is None:
        return None
    text = (ctx.msg.text or "").strip()
    item = find_work_item(ctx.session, state["ref"])
    if item is None:
        clear_state(ctx)
        return Reply(_("This task no longer exists."))
    if state["kind"] == REASON_STATE:
        return _submit(ctx, item, date.fromisoformat(state["date"]), text or None)
    proposed, rest = parse_proposed_date(text, ctx.today)
    if proposed is None:
        if looks_like_question(text):
            clear_state(ctx)
            return None
        return Reply(_("I could not read a date in \"{text}\". Please write it as day/month, e.g. 30/12 or 30/12/2026.").format(text=text[:60]))
    if proposed <= ctx.today:
        return Reply(_("The date {date} has already passed. Please propose a date after today.").format(date=fmt_date(proposed)))
    if item.deadline is not None and proposed <= item.deadline:
        return Reply(_("The proposed date must be after the current deadline ({date}).").format(date=fmt_date(item.deadline)))
    if rest:
        return _submit(ctx, item, proposed, rest)
    set_state(ctx, REASON_STATE, ref=item.ref, date=proposed.isoformat())
    return Reply(_("What is the reason for the extension? (optional)"),
                 buttons=[[Button(_("Send without a reason"), "exs:")]])


def on_skip_reason(ctx: Ctx, _arg: str) -> Reply:
    state = get_state(ctx, (REASON_STATE,))
    if state is None:
        return Reply(_("This button is no longer valid. Please start again."))
    item = find_work_item(ctx.session, state["ref"])
    if item is None:
        clear_state(ctx)
        return Reply(_("This task no longer exists."))
    return _submit(ctx, item, date.fromisoformat(state["date"]), None)


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


def _submit(ctx: Ctx, item: WorkItem, proposed: date, reason: str | None) -> Reply:
    clear_state(ctx)
    if not can_change_task(ctx.person, item.task):
        return not_allowed_reply(item)
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
    return Reply(_("Your request to extend \"{title}\" to {date} was sent to {names}. You will be told the decision.").format(
        title=title_of(item), date=fmt_date(proposed, weekday=True), names=names))


def _request_message(item: WorkItem, req: ExtensionRequest, requester: Person) -> Reply:
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
    return Reply("\n".join(lines), buttons=buttons, context_ref=item.ref)


def on_decide(ctx: Ctx, arg: str, approve: bool) -> Reply:
    """Buttons ``exa:<id>`` / ``exr:<id>``."""
    if not can_decide_extension(ctx.person):
        ctx.audit("extension_decision_refused", arg)
        return Reply(_("Only the Department's leadership can decide on extension requests."))
    req = ctx.session.get(ExtensionRequest, int(arg)) if arg.isdigit() else None
    if req is None:
        return Reply(_("This extension request no longer exists."))
    if req.status != "pending":
        return Reply(_("This request was already decided ({status}).").format(
            status=_("approved") if req.status == "approved" else _("rejected")))
    ref = f"occ:{req.occurrence_id}" if req.occurrence_id else f"task:{req.task_id}"
    item = find_work_item(ctx.session, ref)
    req.status = "approved" if approve else "rejected"
    req.decided_by = ctx.person.id
    req.decided_at = ctx.now
    if approve:
        change_deadline(ctx.session, item, req.proposed_deadline, ctx.person, ctx.now, reason="extension_approved")
    else:
        ctx.audit("extension_rejected", ref)
    requester = ctx.session.get(Person, req.requested_by)
    if requester is not None:
        with use_locale(requester.locale):
            if approve:
                text = _("✅ {leader} approved extending \"{title}\" to {date}.").format(
                    leader=ctx.person.name, title=title_of(item), date=fmt_date(req.proposed_deadline, weekday=True))
            else:
                text = _("❌ {leader} did not approve extending \"{title}\"; the deadline stays {date}.").format(
                    leader=ctx.person.name, title=title_of(item), date=fmt_date(item.deadline, weekday=True))
        enqueue(ctx.session, [notification_row(f"exd:{req.id}", requester.id, "extension",
                                               reply_payload(Reply(text, context_ref=item.ref)), ctx.now,
                                               subject_ref=item.ref)])
    who = requester.name if requester else "?"
    if approve:
        return Reply(_("Approved: the deadline of \"{title}\" is now {date}. {name} has been told.").format(
            title=title_of(item), date=fmt_date(req.proposed_deadline, weekday=True), name=who))
    return Reply(_("Rejected: the deadline of \"{title}\" stays {date}. {name} has been told.").format(
        title=title_of(item), date=fmt_date(item.deadline, weekday=True), name=who))
