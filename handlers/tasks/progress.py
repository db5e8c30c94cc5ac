"""Progress from the person reminded: buttons, replies to a reminder, files.

A reply to a reminder ("xong 80%", "được 80% rồi", "đã hoàn thành", or any
note such as "đã ban hành KH 59/KH-SKHCN ngày 31/1") is tied to its task via
the SentMessage the dispatcher recorded. "📝 Cập nhật tiến độ" offers 25/50/
75/100 and remembers (ConversationState) that the next plain message is the
update (there a bare "95" is a percentage). A bare number under a reminder
outside that state is asked about, never stored as a note. A lower figure
than before is accepted and said to be lower. A file sent as a reply becomes
evidence of that task. Only the lead unit's head or deputy head, leaders and
the office may change a task; anyone else is told who can, and nothing
changes. When a leader or the office closes a unit's task, the unit's head
is told, so nothing is closed behind their back.
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from handlers.core import conversation
from handlers.core.context import Ctx
from handlers.core.conversation import Pending
from handlers.display.format import short
from handlers.text.i18n import _, fmt_date, use_locale
from handlers.core.messages import Button, Reply
from handlers.core.outbox import enqueue, notification_row, reply_payload
from handlers.people.permissions import Action, can_change_task, refusal
from handlers.people.recipients import Directory, head_names
from handlers.tasks.changes import record_progress
from handlers.tasks.replies import parse_reply
from models.outbox import SentMessage
from models.queries import WorkItem, find_work_item
from models.tasks import Evidence, TaskStatus

STATE_TTL = conversation.DEFAULT_TTL  # how long "Cập nhật tiến độ" and extension questions wait
FLOW = "progress.update"  # "📝 Cập nhật tiến độ" waits for a percentage, a note or a file

_BARE_NUMBER = re.compile(r"\s*(\d{1,3})\s*[.!]?\s*")


# ---------------------------------------------------------------- parsing


@dataclass(frozen=True)
class ProgressReport:
    """What a progress message says: a percent (None = unchanged) and the note."""

    percent: int | None
    note: str | None
    invalid: bool = False  # a figure that cannot be trusted: asked again, nothing changes
    question: bool = False  # a question typed instead: answered by the query feature


def bare_number(text: str) -> int | None:
    """The number when the whole message is one ("95", "3."), else None."""
    m = _BARE_NUMBER.fullmatch(text or "")
    return int(m.group(1)) if m else None


def parse_progress(text: str, now: datetime, bare_is_percent: bool = False) -> ProgressReport:
    """The progress view of :func:`handlers.tasks.replies.parse_reply`, the one reader of typed replies.

    'xong 80%' → 80; 'đã hoàn thành' / 'xong' → 100; 'chưa xong …' or other
    text → a note. ``bare_is_percent``: the bot has just asked for the
    percentage, so "95" alone means 95% (elsewhere a bare number is asked about).
    """
    raw = " ".join(text.split())
    bare = bare_number(raw) if bare_is_percent else None
    if bare is not None:
        return ProgressReport(None, raw, invalid=True) if bare > 100 else ProgressReport(bare, raw)
    intent = parse_reply(raw, now)
    if intent.intent in ("progress", "done") and intent.percent is not None:
        return ProgressReport(math.floor(intent.percent), raw)  # a whole percent, never rounded up
    return ProgressReport(None, raw, invalid=intent.bad_figure, question=intent.intent == "question")


def looks_like_question(text: str, now: datetime) -> bool:
    """A question typed under a reminder is for the query feature, not a progress note."""
    return parse_reply(text, now).intent == "question"


# ---------------------------------------------------------------- shared


def replied_ref(ctx: Ctx) -> str | None:
    """What the message replies to: ``task:…``/``occ:…``, ``ext:<id>``, a round's key, or None."""
    msg = ctx.msg
    if not msg.reply_to_message_id:
        return None
    return ctx.session.scalar(
        select(SentMessage.context_ref).where(
            SentMessage.channel == msg.channel, SentMessage.chat_id == str(msg.chat_id),
            SentMessage.message_id == str(msg.reply_to_message_id),
        ).order_by(SentMessage.id.desc()).limit(1)
    )


def replied_item(ctx: Ctx) -> WorkItem | None:
    """The work item the message replies to (a reminder or a task answer), if any."""
    ref = replied_ref(ctx)
    if not ref or not ref.startswith(("task:", "occ:")):
        return None
    return find_work_item(ctx.session, ref)


def not_allowed_reply(ctx: Ctx, item: WorkItem) -> Reply:
    """Who may update the task, and what the person can do instead."""
    unit = item.task.lead_unit
    if unit is None:
        return Reply(_("Only the Department's leadership or the Department Office can update this task.") + "\n"
                     + _("Please send your result to the Department Office so they can update it."))
    names = ", ".join(head_names(ctx.session, unit.id)) or _("the unit's leadership")
    return Reply(_("Only the leadership of {unit} (lead unit) or the Department Office can update this task.").format(
        unit=unit.name) + "\n" + _("Please send your result to {names} so they can update it.").format(names=names))


def title_of(item: WorkItem) -> str:
    return short(item.task.title, 90)


def item_or_gone(ctx: Ctx, ref: str) -> WorkItem | Reply:
    item = find_work_item(ctx.session, ref)
    if item is None:
        return Reply(_("This task no longer exists."))
    return item


# ---------------------------------------------------------------- applying an update


def apply_update(ctx: Ctx, item: WorkItem, report: ProgressReport) -> Reply:
    """Check the permission, record, answer in one line."""
    refused = refusal(ctx.session, ctx.person, Action.UPDATE_TASK, item)
    if refused is not None:
        ctx.audit("progress_refused", item.ref)
        return not_allowed_reply(ctx, item) if not can_change_task(ctx.person, item.task) else Reply(refused)
    if report.invalid:
        return Reply(_("Progress must be between 0% and 100%. Please send it again, e.g. \"xong 80%\"."))
    if item.status != TaskStatus.OPEN and report.percent is not None and report.percent >= 100:
        return Reply(_("The task \"{title}\" is already marked as done.").format(title=title_of(item)))
    before, was_open = item.percent or 0, item.status == TaskStatus.OPEN
    record_progress(ctx.session, item, ctx.person, ctx.now, ctx.today, report.percent, report.note, ctx.msg.channel)
    conversation.clear(ctx, FLOW)
    if report.percent is not None and report.percent >= 100:
        text = _("Recorded: the task \"{title}\" was completed on {date}. Its reminders have stopped.").format(
            title=title_of(item), date=fmt_date(ctx.today))
        told = tell_unit_heads_of_closing(ctx, item)
        if told:
            text += "\n" + _("{names} (lead unit) has been told.").format(names=", ".join(told))
        return Reply(text)
    if report.percent is not None and report.percent < before:
        text = _("Progress of the task \"{title}\" lowered from {old}% to {new}%.").format(
            title=title_of(item), old=before, new=report.percent)
        if not was_open:
            text += " " + _("The task is open again and will be reminded.")
        return Reply(text)
    if report.percent is not None:
        return Reply(_("Progress {percent}% recorded for the task \"{title}\".").format(
            percent=report.percent, title=title_of(item)))
    return Reply(
        _("Your note was recorded for the task \"{title}\" (progress stays at {percent}%).").format(
            title=title_of(item), percent=item.percent or 0),
        buttons=[[Button(_("✅ Done"), f"done:{item.ref}")]],
    )


def tell_unit_heads_of_closing(ctx: Ctx, item: WorkItem) -> list[str]:
    """A leader or the office closed a unit's task: tell the unit's head(s).

    Returns the names told. Nobody is told when the person belongs to the
    lead unit (they closed their own work) or when no unit leads the task.
    """
    unit_id = item.task.lead_unit_id
    if unit_id is None or ctx.person.unit_id == unit_id:
        return []
    heads = [p for p in Directory.load(ctx.session).unit_heads(unit_id) if p.id != ctx.person.id]
    rows = []
    for head in heads:
        with use_locale(head.locale):
            reply = Reply("\n".join([
                _("ℹ️ {name} marked the task of {unit} as done on {date}:").format(
                    name=ctx.person.name, unit=item.task.lead_unit.name, date=fmt_date(ctx.today)),
                f"“{title_of(item)}”",
                _("Its reminders have stopped. If it is not finished, reply to this message with the real progress, e.g. \"xong 80%\"."),
            ]), context_ref=item.ref)
        rows.append(notification_row(f"closed:{item.ref}:{ctx.today.isoformat()}:p{head.id}", head.id, "progress_notice",
                                     reply_payload(reply), ctx.now, subject_ref=item.ref))
    enqueue(ctx.session, rows)
    return [p.name for p in heads]


def ask_if_percent(ctx: Ctx, item: WorkItem, n: int) -> Reply:
    """A bare number under a reminder: a percentage, or a slip? Ask, store nothing."""
    if not can_change_task(ctx.person, item.task):
        return not_allowed_reply(ctx, item)
    return Reply(
        _("Did you mean progress {n}% for the task \"{title}\"? Press the button to confirm, or write it with %, e.g. \"xong 80%\".").format(
            n=n, title=title_of(item)),
        buttons=[[Button(f"✅ {n}%", f"pct:{item.ref}:{n}"), Button(_("📝 Update progress"), f"upd:{item.ref}")]],
    )


# ---------------------------------------------------------------- router entry points


def on_update_answer(ctx: Ctx, pending: Pending) -> Reply | None:
    """The answer to "Cập nhật tiến độ": a percentage, a note or a file.

    A question typed instead abandons the update and is answered as one.
    """
    found = item_or_gone(ctx, pending.data.get("ref", ""))
    if isinstance(found, Reply):
        conversation.clear(ctx, FLOW)
        return found
    if ctx.msg.attachment is not None:
        return save_evidence(ctx, found)
    text = (ctx.msg.text or "").strip()
    report = parse_progress(text, ctx.now, bare_is_percent=True)
    if report.question:
        conversation.clear(ctx, FLOW)
        return None
    return apply_update(ctx, found, report)


def on_reminder_file(ctx: Ctx) -> Reply | None:
    """A file replying to a reminder is evidence of that task."""
    item = replied_item(ctx)
    if item is None:
        return None
    return save_evidence(ctx, item)


def save_evidence(ctx: Ctx, item: WorkItem) -> Reply:
    refused = refusal(ctx.session, ctx.person, Action.UPDATE_TASK, item)
    if refused is not None:
        ctx.audit("evidence_refused", item.ref)
        return not_allowed_reply(ctx, item) if not can_change_task(ctx.person, item.task) else Reply(refused)
    att = ctx.msg.attachment
    if att is None or att.data is None:
        return Reply(_("I could not read the file. Please send it again."))
    limit = ctx.settings.max_file_mb * 1024 * 1024
    if len(att.data) > limit:
        return Reply(_("The file is larger than {mb} MB. Please send a smaller file.").format(mb=ctx.settings.max_file_mb))
    caption = (ctx.msg.text or "").strip() or None
    report = parse_progress(caption, ctx.now) if caption else ProgressReport(None, None)
    update = record_progress(ctx.session, item, ctx.person, ctx.now, ctx.today, report.percent,
                             caption or _("Evidence file: {name}").format(name=att.file_name), ctx.msg.channel)
    ctx.session.add(Evidence(
        task_id=item.task.id, progress_id=update.id, criterion_code=item.task.criterion_code,
        file_name=att.file_name[:255], mime_type=att.mime_type, size=len(att.data),
        sha256=hashlib.sha256(att.data).hexdigest(), data=att.data, uploaded_by=ctx.person.id, at=ctx.now,
    ))
    conversation.clear(ctx, FLOW)
    ctx.audit("evidence", f"{item.ref} {att.file_name}")
    return Reply(_("The file \"{name}\" was saved as evidence for the task \"{title}\".").format(
        name=att.file_name, title=title_of(item)))


def on_done(ctx: Ctx, ref: str) -> Reply:
    found = item_or_gone(ctx, ref)
    if isinstance(found, Reply):
        return found
    return apply_update(ctx, found, ProgressReport(100, _("Marked as done")))


def on_update(ctx: Ctx, ref: str) -> Reply:
    """Ask for the percentage (buttons), or a note or file as the next message."""
    found = item_or_gone(ctx, ref)
    if isinstance(found, Reply):
        return found
    if not can_change_task(ctx.person, found.task):
        ctx.audit("progress_refused", found.ref)
        return not_allowed_reply(ctx, found)
    conversation.ask(ctx, FLOW, "percent", ttl=STATE_TTL, ref=found.ref)
    buttons = [[Button(f"{p}%", f"pct:{found.ref}:{p}") for p in (25, 50, 75, 100)]]
    return Reply(
        _("The task \"{title}\" is at {percent}%. Choose the new progress, or type it (e.g. \"80%\") or a short note; you can also send a file.").format(
            title=title_of(found), percent=found.percent or 0),
        buttons=buttons, context_ref=found.ref,
    )


def on_percent(ctx: Ctx, arg: str) -> Reply:
    """``pct:<ref>:<n>`` from the 25/50/75/100 buttons."""
    ref, _sep, value = arg.rpartition(":")
    if not value.isdigit() or int(value) > 100:
        ctx.audit("button_invalid", arg[:64])
        return Reply(_("This button is no longer valid. Please start again."))
    found = item_or_gone(ctx, ref)
    if isinstance(found, Reply):
        return found
    return apply_update(ctx, found, ProgressReport(int(value), None))
