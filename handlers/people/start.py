"""``/start``: registration for a stranger, a reminder of who they are for everyone else."""

from __future__ import annotations

from handlers.core.context import Ctx
from handlers.core.help import help_reply
from handlers.core.messages import Reply
from handlers.people.registration import register, unregistered_reply
from handlers.text.i18n import _


def on_stranger(ctx: Ctx, command: str | None, args: str) -> Reply:
    """An unregistered person may only register with an invitation code."""
    if command == "start" and args:
        return register(ctx, args)
    ctx.audit("unregistered", (ctx.msg.text or "")[:100])
    return unregistered_reply()


def on_start(ctx: Ctx, args: str) -> Reply:
    """``/start`` from a registered person: help; a second code is refused."""
    if args:
        ctx.audit("register_refused", "already registered")
        return Reply(_("You are already registered as {name}. Type /viec to see your tasks.").format(name=ctx.person.name))
    return help_reply(ctx)
