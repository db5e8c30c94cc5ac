"""The conversation core: who is this, what is it, which feature answers.

Every channel adapter calls :meth:`Core.handle` with an IncomingMessage and
renders the returned replies. The core never raises on a message: any error
is logged and answered with a polite apology, and the transaction is rolled
back so a half-done change is never stored.
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

from handlers import answers
from handlers.scoring import assessments
from handlers.dossiers import commands as dossiers
from handlers.core import help as help_
from handlers.tasks import review as imports
from handlers.people import invites
from handlers.core import boundary, inputs, language
from handlers.people import registration
from handlers.tasks import commands as tasks
from handlers.core.context import Ctx
from handlers.text.i18n import _, fmt_number, use_locale
from handlers.core.messages import IncomingMessage, Reply
from models.audit import AuditLog
from models.org import Identity, Person
from settings import Settings

log = logging.getLogger(__name__)

MAX_TEXT = 4000

Handler = Callable[[Ctx, str], Reply | list[Reply]]
ButtonHandler = Callable[[Ctx, str], Reply | list[Reply]]
FreeTextHandler = Callable[[Ctx], Reply | list[Reply] | None]

# Vietnamese command names with ASCII aliases; Telegram menus show the first.
COMMANDS: dict[str, Handler] = {
    "help": help_.help_reply,
    "huongdan": help_.help_reply,
    "trogiup": help_.help_reply,
    "viec": tasks.my_tasks,
    "nhiemvu": tasks.my_tasks,
    "tasks": tasks.my_tasks,
    "hoso": dossiers.my_dossiers,
    "dossiers": dossiers.my_dossiers,
    "diem": assessments.on_command,
    "moi": invites.on_command,
    "ngonngu": language.choose_language,
    "language": language.choose_language,
}

BUTTONS: dict[str, ButtonHandler] = {
    "lang": lambda ctx, arg: language.set_language(ctx, arg),
    "more": lambda ctx, arg: _more(ctx, arg),
    "clar": answers.on_clarify,
    "imp": imports.on_button,
}

# Features that want a say on free text (replies to reminders, questions, …)
# register here, in order; the first that returns something answers.
FREE_TEXT: list[FreeTextHandler] = []
# Features that handle a file sent by a person; same contract.
ATTACHMENTS: list[FreeTextHandler] = []


def _more(ctx: Ctx, arg: str) -> Reply:
    """Next page of a list: ``more:<list>:<offset>[:<params>]``."""
    name, _sep, rest = arg.partition(":")
    offset_text, _sep, params = rest.partition(":")
    offset = int(offset_text) if offset_text.isdigit() else 0
    pager = PAGERS.get(name)
    if pager is None:
        return Reply(_("This list is no longer available. Please ask again."))
    return pager(ctx, params, offset)


PAGERS: dict[str, Callable[[Ctx, str, int], Reply]] = {
    "viec": lambda ctx, params, offset: tasks.my_tasks(ctx, params, offset),
    "hoso": lambda ctx, params, offset: dossiers.my_dossiers(ctx, params, offset),
    "q": answers.on_more,
}


def _as_list(result: Reply | list[Reply] | None) -> list[Reply]:
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
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.factory = factory
        self.settings = settings
        self.clock = clock or (lambda: datetime.now(timezone.utc))

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

    def record_sent(self, channel: str, chat_id: str, message_id: str, context_ref: str) -> None:
        """Remember what a sent message was about, so a reply to it finds its task."""
        from models.outbox import SentMessage

        with self.factory() as session, session.begin():
            session.add(SentMessage(channel=channel, chat_id=str(chat_id), message_id=str(message_id), context_ref=context_ref))

    def defer_reply(self, channel: str, chat_id: str, reply: Reply) -> bool:
        """Keep a reply the channel could not deliver (API down) in the outbox,
        so the dispatcher sends it when the channel is back. False when the
        chat belongs to nobody registered (nothing worth keeping)."""
        from uuid import uuid4

        from handlers.core.outbox import enqueue, notification_row, reply_payload

        with self.factory() as session, session.begin():
            person_id = _person_for_chat(session, channel, chat_id)
            if person_id is None:
                return False
            row = notification_row(f"reply:{channel}:{chat_id}:{uuid4().hex}", person_id, "reply",
                                   reply_payload(reply), self.clock(), subject_ref=reply.context_ref)
            enqueue(session, [row])
        return True

    def channel_memory(self, channel: str):
        """Durable per-chat memory for channels without buttons or reply-to
        (Zalo): the numbered choices last offered, kept with the person."""
        core = self

        class _Store:
            def load(self, chat_id: str) -> dict | None:
                return core._chat_state(channel, chat_id)

            def save(self, chat_id: str, data: dict) -> None:
                core._chat_state(channel, chat_id, data)

        return _Store()

    def _chat_state(self, channel: str, chat_id: str, data: dict | None = None) -> dict | None:
        from models.audit import ConversationState

        key = f"channel:{channel}"
        with self.factory() as session, session.begin():
            person_id = _person_for_chat(session, channel, chat_id)
            if person_id is None:
                return None
            row = session.get(ConversationState, person_id)
            state = dict(row.state or {}) if row else {}
            if data is None:
                return state.get(key)
            state[key] = data
            if row is None:
                session.add(ConversationState(person_id=person_id, state=state, updated_at=self.clock()))
            else:
                row.state = state
            return data

    def has_deferred(self, channel: str, chat_id: str) -> bool:
        """Replies kept for this chat that the dispatcher has not sent yet."""
        from models.outbox import Notification, OutboxStatus

        with self.factory() as session:
            stmt = (select(Notification.id).join(Identity, Identity.person_id == Notification.person_id)
                    .where(Identity.channel == channel, Identity.chat_id == str(chat_id), Notification.kind == "reply",
                           Notification.status.in_([OutboxStatus.PENDING, OutboxStatus.SENDING])).limit(1))
            return session.scalar(stmt) is not None

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
            return self._route(ctx)

    def _route(self, ctx: Ctx) -> list[Reply]:
        if (stop := boundary.admit(ctx)) is not None:  # private chats only; files of registered people only
            return stop
        msg = ctx.msg
        text = (msg.text or "").strip()
        if len(text) > MAX_TEXT:
            ctx.audit("rejected_long", f"{len(text)} characters")
            return [Reply(_("Your message is too long ({n} characters). Please send a shorter message, or attach the document as a file.").format(n=fmt_number(len(text), 0)))]
        command, args = _split_command(text)
        if ctx.person is None:
            return [self._for_stranger(ctx, command, args)]
        if msg.button_data:
            return self._button(ctx, msg.button_data)
        if command is not None:
            return self._command(ctx, command, args)
        if msg.attachment is not None:
            # Evidence for a reminder first; otherwise the office imports it.
            return self._first_answer(ctx, ATTACHMENTS) or imports.handle_file(ctx)
        if not text:
            ctx.audit("empty_message")
            return [Reply(_("Your message is empty. Type /huongdan to see what I can do."))]
        if not has_words(text):
            ctx.audit("no_words")
            return [Reply(_("Thank you! To ask something, type a question, e.g. \"việc quá hạn của phòng mình\", or /huongdan."))]
        # Features first (a reply to a reminder is progress, not a question),
        # then the question answerer, which always answers.
        return (
            self._first_answer(ctx, FREE_TEXT)
            or imports.handle_correction(ctx)
            or answers.answer_text(ctx)
        )

    def _first_answer(self, ctx: Ctx, handlers: list[FreeTextHandler]) -> list[Reply]:
        for handler in handlers:
            replies = _as_list(handler(ctx))
            if replies:
                return replies
        return []

    def _for_stranger(self, ctx: Ctx, command: str | None, args: str) -> Reply:
        if command == "start" and args:
            return registration.register(ctx, args)
        ctx.audit("unregistered", (ctx.msg.text or "")[:100])
        return registration.unregistered_reply()

    def _command(self, ctx: Ctx, command: str, args: str) -> list[Reply]:
        if command == "start":
            if args:
                ctx.audit("register_refused", "already registered")
                return [Reply(_("You are already registered as {name}. Type /viec to see your tasks.").format(name=ctx.person.name))]
            return [help_.help_reply(ctx)]
        handler = COMMANDS.get(command)
        if handler is None:
            ctx.audit("unknown_command", command[:50])
            return [Reply(_("I do not know the command /{command}. Type /huongdan to see the list of commands.").format(command=command[:30]))]
        ctx.audit("command", command)
        return _as_list(handler(ctx, args))

    def _button(self, ctx: Ctx, data: str) -> list[Reply]:
        prefix, _sep, arg = data.partition(":")
        handler = BUTTONS.get(prefix)
        if handler is None:
            ctx.audit("unknown_button", data[:64])
            return [Reply(_("This button is no longer valid. Please start again."))]
        ctx.audit("button", data[:64])
        return _as_list(handler(ctx, arg))


def _person_for_chat(session: Session, channel: str, chat_id: str) -> int | None:
    """Whose messenger chat this is (None for a stranger)."""
    return session.scalar(select(Identity.person_id).where(
        Identity.channel == channel, Identity.chat_id == str(chat_id)))


def _split_command(text: str) -> tuple[str | None, str]:
    """'/viec@my_bot args' → ('viec', 'args'); plain text → (None, '')."""
    if not text.startswith("/") or len(text) < 2:
        return None, ""
    head, _sep, args = text[1:].partition(" ")
    name = head.split("@", 1)[0].lower()
    from handlers.text.fold import fold

    return fold(name), args.strip()
