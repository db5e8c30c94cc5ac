"""The first check on every message, before any feature sees it.

Two rules live here because both must hold before anything is looked up or
answered:

* **Private chats only.** In a group or channel the bot would post a head's
  task list for everyone to read, and ``/start <code>`` would bind a
  person's reminders to the group. So outside a private chat the bot says
  once per chat (remembered in the audit log, so across restarts too) that
  it works in private chats, and otherwise stays silent: no data, no
  registration, the invitation code stays unused.
* **Files of strangers are never downloaded.** An adapter may hand over an
  attachment with a lazy ``fetch`` instead of bytes; the bytes are fetched
  here, only once the sender is known to be registered.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from sqlalchemy import select

from handlers.core.context import Ctx
from handlers.core.messages import FetchFailed, Reply
from handlers.text.i18n import _
from models.audit import AuditLog

log = logging.getLogger(__name__)

PRIVATE = "private"
NOTICE = "private_only_notice"


def admit(ctx: Ctx) -> list[Reply] | None:
    """None when the message may go on to the features; else what to answer instead
    (possibly nothing). May replace ``ctx.msg`` with one whose file bytes are loaded."""
    msg = ctx.msg
    if (msg.chat_type or PRIVATE).lower() != PRIVATE:
        return _outside_private(ctx)
    attachment = msg.attachment
    if ctx.person is not None and attachment is not None and attachment.data is None and attachment.fetch:
        try:
            data = attachment.fetch()
        except FetchFailed as failure:
            ctx.audit("file_fetch_failed", attachment.file_name[:200])
            return [Reply(str(failure))]
        ctx.msg = replace(msg, attachment=replace(attachment, data=data, size=len(data), fetch=None))
    return None


def _outside_private(ctx: Ctx) -> list[Reply]:
    """Say once per group that the bot works in private chats; afterwards stay silent."""
    msg = ctx.msg
    chat = f"{msg.chat_type}:{msg.chat_id}"[:200]
    told = ctx.session.scalar(select(AuditLog.id).where(
        AuditLog.action == NOTICE, AuditLog.channel == msg.channel, AuditLog.detail == chat).limit(1))
    if told is not None:
        log.info("Ignored a message in %s chat %s/%s", msg.chat_type, msg.channel, msg.chat_id)
        return []
    ctx.person = None  # the notice is not tied to whoever happened to speak
    ctx.audit(NOTICE, chat)
    return [Reply(_("I only work in private chats. Please message me directly (open my profile and press Message); nothing is shown in groups."))]
