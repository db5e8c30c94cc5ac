"""The conversation core: who is this, what is it, which feature answers.

Every channel adapter calls :meth:`Core.handle` with an IncomingMessage and
renders the returned replies. The order of decisions is fixed here and
nowhere else:

1. a stranger gets only registration;
2. a button goes to its feature, after the permission check on its object;
3. a command goes to its feature (and abandons any open question);
4. the person's open question (:mod:`handlers.core.conversation`) gets the
   next text or file first;
5. then the registry's text or file handlers, in their registered order.

The core never raises on a message: any error is logged and answered with a
polite apology, and the transaction is rolled back so a half-done change is
never stored.
"""

from __future__ import annotations

import asyncio
import logging
import unicodedata
from collections.abc import Callable
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from handlers.core import boundary, conversation, inputs
from handlers.core.context import Ctx
from handlers.core.ledger import ChannelMemory, ChatLedger
from handlers.core.messages import IncomingMessage, Reply
from handlers.core.registry import Registry, Replies, TextHandler
from handlers.text.fold import fold
from handlers.text.i18n import _, fmt_number, use_locale
from models.audit import AuditLog
from models.org import Identity, Person
from settings import Settings

log = logging.getLogger(__name__)

MAX_TEXT = 4000


def as_list(result: Replies) -> list[Reply]:
    if result is None:
        return []
    return result if isinstance(result, list) else [result]


def has_words(text: str) -> bool:
    """True when the text holds at least one letter or digit (not only emoji)."""
    return any(unicodedata.category(ch)[0] in "LN" for ch in text)


class Core:
    """Channel-neutral entry point shared by Telegram, Zalo and the console."""

    def __init__(
        self,
        factory: sessionmaker[Session],
        settings: Settings,
        registry: Registry,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.factory = factory
        self.settings = settings
        registry.validate()
        self.registry = registry
        self.clock = clock or (lambda: datetime.now(timezone.utc))
        self.ledger = ChatLedger(factory, self.clock)

    def now(self) -> datetime:
        return self.clock().astimezone(ZoneInfo(self.settings.timezone))

    async def handle(self, msg: IncomingMessage) -> list[Reply]:
        """Async entry for adapters; database work runs in a worker thread."""
        return await asyncio.to_thread(self.handle_sync, msg)

    def handle_sync(self, msg: IncomingMessage) -> list[Reply]:
        msg = inputs.clean_message(msg)  # NUL and control characters never reach a feature
        try:
            with self.factory() as session:
                with session.begin():
                    return self._handle(session, msg)
        except Exception:  # the bot must never crash on a message
            log.exception("error while handling a message from %s/%s", msg.channel, msg.sender_id)
            self._audit_failure(msg)
            return [Reply(_("Sorry, something went wrong while handling your message. Please try again in a few minutes."))]

    # The chat ledger, as the adapters use it.
    def record_sent(self, channel: str, chat_id: str, message_id: str, context_ref: str) -> None:
        self.ledger.record_sent(channel, chat_id, message_id, context_ref)

    def defer_reply(self, channel: str, chat_id: str, reply: Reply) -> bool:
        return self.ledger.defer_reply(channel, chat_id, reply)

    def has_deferred(self, channel: str, chat_id: str) -> bool:
        return self.ledger.has_deferred(channel, chat_id)

    def channel_memory(self, channel: str) -> ChannelMemory:
        return self.ledger.channel_memory(channel)

    def _audit_failure(self, msg: IncomingMessage) -> None:
        try:
            with self.factory() as session, session.begin():
                session.add(AuditLog(channel=msg.channel, sender_id=msg.sender_id, action="error"))
        except Exception:
            log.exception("could not record the failure in the audit log")

    def _identify(self, session: Session, msg: IncomingMessage) -> Person | None:
        stmt = select(Person).join(Identity).where(
            Identity.channel == msg.channel, Identity.external_id == msg.sender_id, Person.active.is_(True)
        )
        return session.scalar(stmt)

    def _handle(self, session: Session, msg: IncomingMessage) -> list[Reply]:
        person = self._identify(session, msg)
        ctx = Ctx(session=session, msg=msg, person=person, now=self.now(), settings=self.settings)
        with use_locale(person.locale if person else self.settings.locale):
            return Router(self.registry).route(ctx)


class Router:
    """One message's way through the registry (see the module note for the order)."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry

    def route(self, ctx: Ctx) -> list[Reply]:
        if (stop := boundary.admit(ctx)) is not None:  # private chats only; files of registered people only
            return stop
        msg = ctx.msg
        text = (msg.text or "").strip()
        if len(text) > MAX_TEXT:
            ctx.audit("rejected_long", f"{len(text)} characters")
            return [Reply(_("Your message is too long ({n} characters). Please send a shorter message, or attach the document as a file.").format(n=fmt_number(len(text), 0)))]
        command, args = split_command(text)
        if ctx.person is None:
            return [self._for_stranger(ctx, command, args)]
        if msg.button_data:
            return self._button(ctx, msg.button_data)
        if command is not None:
            return self._command(ctx, command, args)
        answered = self._open_question(ctx)
        if answered:
            return answered
        if msg.attachment is not None:
            return self._first_answer(ctx, self.registry.attachments)
        if not text:
            ctx.audit("empty_message")
            return [Reply(_("Your message is empty. Type /huongdan to see what I can do."))]
        if not has_words(text):
            ctx.audit("no_words")
            return [Reply(_("Thank you! To ask something, type a question, e.g. \"việc quá hạn của phòng mình\", or /huongdan."))]
        return self._first_answer(ctx, self.registry.text)

    def _open_question(self, ctx: Ctx) -> list[Reply]:
        """The flow that asked the person something gets the answer first."""
        pending = conversation.current(ctx)
        if pending is None:
            return []
        handler = self.registry.flows.get(pending.flow)
        if handler is None:  # a flow that no longer exists (older version): forget it
            conversation.clear(ctx)
            return []
        return as_list(handler(ctx, pending))

    def _first_answer(self, ctx: Ctx, handlers: list[tuple[str, TextHandler]]) -> list[Reply]:
        for _name, handler in handlers:
            replies = as_list(handler(ctx))
            if replies:
                return replies
        return []

    def _for_stranger(self, ctx: Ctx, command: str | None, args: str) -> Reply:
        assert self.registry.stranger is not None, "the registry needs a stranger handler"
        return self.registry.stranger(ctx, command, args)

    def _command(self, ctx: Ctx, command: str, args: str) -> list[Reply]:
        conversation.clear(ctx)
        entry = self.registry.commands.get(command)
        if entry is None:
            ctx.audit("unknown_command", command[:50])
            return [Reply(_("I do not know the command /{command}. Type /huongdan to see the list of commands.").format(command=command[:30]))]
        ctx.audit("command", command)
        return as_list(entry.handler(ctx, args))

    def _button(self, ctx: Ctx, data: str) -> list[Reply]:
        prefix, _sep, arg = data.partition(":")
        route = self.registry.buttons.get(prefix)
        if route is None:
            ctx.audit("unknown_button", data[:64])
            return [Reply(_("This button is no longer valid. Please start again."))]
        action = route.action_for(arg)
        if action is not None and route.load is not None and self.registry.authorize is not None:  # validate() ensures it
            obj = route.load(ctx.session, arg)
            if obj is None:
                ctx.audit("button_gone", data[:64])
                return [Reply(_("This item no longer exists. Type /viec to see the current tasks."))]
            refused = self.registry.authorize(ctx.session, ctx.person, action, obj)
            if refused is not None:
                ctx.audit("button_refused", data[:64])
                return [Reply(refused)]
        ctx.audit("button", data[:64])
        return as_list(route.handler(ctx, arg))


def split_command(text: str) -> tuple[str | None, str]:
    """'/viec@my_bot args' → ('viec', 'args'); plain text → (None, '')."""
    if not text.startswith("/") or len(text) < 2:
        return None, ""
    head, _sep, args = text[1:].partition(" ")
    name = head.split("@", 1)[0].lower()
    return fold(name), args.strip()
