"""What a typed answer does, on every channel: one reading (the reply parser,
:mod:`handlers.tasks.replies`), one action per intent.

A reply reaches a task in three ways: as a reply to a reminder (Telegram's
reply-to, or on Zalo the last message sent), by number ("việc 3 xong 80%",
"3 xong") — each task keeps its number for the person in ``/viec``, rounds and
reminders alike (:mod:`handlers.tasks.numbers`), so an older message can be answered — or as
a reply to the bot's question (those go through the open question first, see
:mod:`handlers.core.conversation`). A leader's typed "đồng ý" / "không đồng ý"
under an extension request acts like the buttons.

Nothing changes on a reply the bot is not sure about: a malformed figure is
asked back, a lower percentage and a completion that does not say so plainly
are confirmed with a button, and thanks are only acknowledged.
"""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import select

from handlers.core.context import Ctx
from handlers.core.messages import Button, Reply
from handlers.tasks import extension
from handlers.tasks.numbers import ref_of, split_numbered
from handlers.tasks.progress import (
    ProgressReport, apply_update, ask_if_percent, bare_number, item_or_gone, on_update, replied_ref, title_of,
)
from handlers.tasks.replies import ReplyIntent, parse_reply
from handlers.text.fold import fold
from handlers.text.i18n import _
from models.outbox import Notification
from models.queries import WorkItem, find_work_item
from models.tasks import TaskStatus

ROUND_PREFIX = "rnd:"
_PLAIN_DONE = ("xong", "hoan thanh", "hoan tat", "100", "done", "finished", "completed")


# ---------------------------------------------------------------- where a reply points


def round_refs(ctx: Ctx, round_key: str) -> list[str]:
    """The tasks of a reminder round, in the order they were numbered."""
    payload = ctx.session.scalar(select(Notification.payload).where(Notification.idem_key == round_key))
    return list((payload or {}).get("items") or [])


# ---------------------------------------------------------------- text handlers


def on_reply(ctx: Ctx) -> Reply | None:
    """A message replying to a reminder, a round of reminders or an extension request."""
    ref = replied_ref(ctx)
    if ref is None:
        return None
    text = (ctx.msg.text or "").strip()
    if ref.startswith("ext:") and ref[4:].isdigit():
        return on_decision(ctx, int(ref[4:]), text)
    if ref.startswith(ROUND_PREFIX):
        return _round_reply(ctx, round_refs(ctx, ref), text)
    if ref.startswith(("task:", "occ:")):
        named = _numbered_target(ctx, text)
        if named is not None and (named.ref not in (None, ref) or not named.rest):
            return None  # "5 xong" under (or, on Zalo, after) another task's reminder names task 5; "việc 5" asks
        item = find_work_item(ctx.session, ref)
        return act(ctx, item, named.rest if named else text) if item is not None else None
    return None


class _Numbered(NamedTuple):
    number: int
    ref: str | None  # the task the number names; None if the person has no such number
    rest: str


def _numbered_target(ctx: Ctx, text: str) -> _Numbered | None:
    """The task a leading number names and the rest, when the text starts with a task number."""
    found = split_numbered(text)
    if found is None:
        return None
    n, rest, named = found
    if not named and parse_reply(rest, _naive(ctx)).intent in ("question", "note", "thanks"):
        return None  # "3 việc quá hạn" is a question, "2 người đang làm" a note
    return _Numbered(n, ref_of(ctx.session, ctx.person.id, n), rest)


def on_numbered(ctx: Ctx) -> Reply | None:
    """"việc 3 xong 80%", "3 xong", "việc 3": by the task's number for this person (:mod:`handlers.tasks.numbers`).

    A bare number counts only with something a reply says after it ("3 việc
    quá hạn" is a question); "việc 3" alone asks for the progress of that task.
    """
    text = (ctx.msg.text or "").strip()
    target = _numbered_target(ctx, text)
    if target is None:
        return None
    if target.ref is None:
        return Reply(_("I do not know which task number {n} is. Type /viec to see your tasks with their numbers.").format(
            n=target.number))
    rest = target.rest
    item = item_or_gone(ctx, target.ref)
    if isinstance(item, Reply):
        return item
    if not rest:
        return on_update(ctx, item.ref)
    return act(ctx, item, rest)


def _round_reply(ctx: Ctx, refs: list[str], text: str) -> Reply | None:
    """A reply to a round: "3 xong 80%" names the task by its number; one task in the round needs none."""
    target = _numbered_target(ctx, text)
    if target is not None and target.ref is not None:
        item = find_work_item(ctx.session, target.ref)
        return act(ctx, item, target.rest) if item is not None else None
    if len(refs) == 1:
        item = find_work_item(ctx.session, refs[0])
        return act(ctx, item, text) if item is not None else None
    intent = parse_reply(text, _naive(ctx))
    if intent.intent in ("question", "thanks"):
        return _thanks() if intent.intent == "thanks" else None
    return Reply(_("Which task do you mean? Start with its number, e.g. \"3 xong 80%\" or \"2 xin gia hạn đến 15/12\"."))


# ---------------------------------------------------------------- one action per intent


def act(ctx: Ctx, item: WorkItem, text: str) -> Reply | None:
    """Do what the reply says to ``item`` (None: it is a question, answered elsewhere)."""
    intent = parse_reply(text, _naive(ctx))
    kind = intent.intent
    if kind == "question":
        return None
    if kind in ("thanks", "approve"):
        return _thanks()
    if kind == "unclear":
        n = bare_number(text)
        if n is not None and n <= 100:
            return ask_if_percent(ctx, item, n)
        return Reply(_("I could not read the progress in \"{text}\", so nothing was changed. Progress goes from 0% to 100%: please write it again, e.g. \"xong 80%\".").format(
            text=text[:60]))
    if kind == "extension":
        return extension.request(ctx, item, intent.until, text)
    if kind == "done":
        return _done(ctx, item, text)
    if kind == "progress":
        return _progress(ctx, item, intent, text)
    return apply_update(ctx, item, ProgressReport(None, " ".join(text.split())))  # note (or a refusal word)


def _done(ctx: Ctx, item: WorkItem, text: str) -> Reply:
    key = fold(text)
    if not any(word in key for word in _PLAIN_DONE):
        return Reply(_("Is the task \"{title}\" completed? Press the button to confirm.").format(title=title_of(item)),
                     buttons=[[Button(_("✅ Done"), f"done:{item.ref}")]])
    was_open = item.status == TaskStatus.OPEN
    reply = apply_update(ctx, item, ProgressReport(100, " ".join(text.split())))
    if not was_open or item.status == TaskStatus.OPEN:  # already done, or refused
        return reply
    offer = _("If you have the result document, reply to this message with the file as evidence.")
    return Reply(reply.text + "\n" + offer, reply.buttons, context_ref=item.ref)


def _progress(ctx: Ctx, item: WorkItem, intent: ReplyIntent, text: str) -> Reply:
    percent = int(intent.percent or 0)  # the column holds whole percents: 80,5 % is kept as 80 %
    current = item.percent or 0
    if percent < current:
        return Reply(_("The task \"{title}\" is at {old}%. Lower it to {new}%? Press the button to confirm.").format(
            title=title_of(item), old=current, new=percent), buttons=[[Button(
                _("Lower to {n}%").format(n=percent), f"pct:{item.ref}:{percent}")]])
    return apply_update(ctx, item, ProgressReport(percent, " ".join(text.split())))


def on_decision(ctx: Ctx, request_id: int, text: str) -> Reply | None:
    """A leader's typed answer under an extension request: the same as the buttons."""
    intent = parse_reply(text, _naive(ctx))
    if intent.intent == "approve":
        return extension.on_decide(ctx, str(request_id), approve=True)
    if intent.intent == "refuse":
        answer = extension.on_decide(ctx, str(request_id), approve=False)
        if len(fold(text).split()) > 3:  # the reason came with the refusal: pass it on now
            from handlers.core import conversation

            pending = conversation.current(ctx, extension.REFUSAL_FLOW)
            if pending is not None:
                return extension.on_refusal_reason(ctx, pending)
        return answer
    if intent.intent == "thanks":
        return _thanks()
    return None


def _thanks() -> Reply:
    return Reply(_("Thank you. Nothing was changed; I will keep reminding you on schedule."))


def _naive(ctx: Ctx) -> datetime:
    return ctx.now.replace(tzinfo=None)
