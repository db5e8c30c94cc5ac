"""The Telegram channel: PTB as transport, one catch-all handler, the core decides.

Updates become :class:`IncomingMessage` (files downloaded first), the core
answers with :class:`Reply` objects, and :class:`TelegramSender` delivers
them. Everything Telegram-specific stays here: answering button presses,
removing pressed buttons, file limits, deduplicating updates, apologising
when the core fails.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

from telegram import CallbackQuery, LinkPreviewOptions, Message, Update
from telegram.constants import ParseMode
from telegram.ext import Application, BaseUpdateProcessor, ContextTypes, TypeHandler

from bot.base import Capabilities, Handle
from bot.common.delivery import OnSent, OnUndelivered, ReplyDelivery, StillWaiting
from bot.common.locks import KeyedLocks, RecentKeys
from bot.common.lazyfile import lazy_fetch
from bot.common.logfilter import install_token_redaction
from bot.common.ratelimit import RateLimiter, RateLimits
from bot.common.retry import Sleep
from bot.rendering import strip_markup, to_telegram_html, utf16_len
from bot.telegram.commands import bot_commands
from bot.telegram.incoming import (ALREADY_CHOSEN, APOLOGY, DEFAULT_ACCEPTED_EXTENSIONS, DOWNLOAD_FAILED,
                                   UNSUPPORTED_CONTENT, IncomingFile, file_of, from_button, from_message,
                                   refusal_for)
from bot.telegram.render import MAX_TEXT
from bot.telegram.sender import RetryPolicy, TelegramSender
from bot.telegram.webhook import WebhookServer, build_webhook_app
from handlers.core.messages import Attachment, FetchFailed, IncomingMessage, Reply, SendFailed
from settings import Settings

log = logging.getLogger(__name__)

ALLOWED_UPDATES = ["message", "callback_query"]
# A short first answer to a button press is written into the pressed message itself.
MERGE_LIMIT = 300


class ChatOrderedUpdates(BaseUpdateProcessor):
    """One chat's updates one at a time, in arrival order; at most ``concurrency`` chats at once.

    The per-chat lock is taken *before* the global slot. PTB's own semaphore
    (taken before :meth:`do_process_update`) would otherwise let ten queued
    messages of one busy chat fill every slot while they wait for their chat,
    and every other chat would wait behind them. So PTB's semaphore is sized
    to the backlog (it only bounds queued tasks) and the real limit is ours.
    """

    def __init__(self, concurrency: int = 8, backlog: int = 4096):
        super().__init__(backlog)
        self._chats = KeyedLocks()
        self._slots = asyncio.Semaphore(concurrency)

    @staticmethod
    def chat_of(update: object) -> Any:
        chat = update.effective_chat if isinstance(update, Update) else None
        return chat.id if chat is not None else None

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        async with self._chats.hold(self.chat_of(update)):
            async with self._slots:
                await coroutine

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""


def build_application(settings: Settings, *, webhook: bool, concurrency: int = 8) -> Application:
    """A PTB Application pointed at the configured Bot API (real or fake)."""
    if settings.telegram_bot_token is None:
        raise ValueError("TELEGRAM_BOT_TOKEN chưa được cấu hình")
    builder = (
        Application.builder()
        .token(settings.telegram_bot_token.get_secret_value())
        .base_url(settings.telegram_api_base_url)
        .base_file_url(settings.telegram_file_base_url)
        .concurrent_updates(ChatOrderedUpdates(concurrency))
        .job_queue(None)  # scheduling belongs to scheduler/ (APScheduler), not PTB
        .media_write_timeout(60)
    )
    if webhook:
        builder = builder.updater(None)
    return builder.build()


class TelegramAdapter(ReplyDelivery):
    """A :class:`bot.base.ChannelAdapter` for Telegram."""

    name = "telegram"
    capabilities = Capabilities(buttons=True, max_text=MAX_TEXT, markup="html")
    _send_failed = SendFailed
    _unkept_detail = " (unknown person)"
    _log = log

    def __init__(self, settings: Settings, handle: Handle, *, on_sent: OnSent | None = None,
                 on_undelivered: OnUndelivered | None = None, still_waiting: StillWaiting | None = None,
                 retry: RetryPolicy | None = None, limits: RateLimits = RateLimits(),
                 poll_timeout: float = 10.0, concurrency: int = 8,
                 accepted_extensions: frozenset[str] = DEFAULT_ACCEPTED_EXTENSIONS,
                 clock: Callable[[], float] = time.monotonic, sleep: Sleep = asyncio.sleep):
        """``retry`` defaults to the settings' policy; ``clock``/``sleep`` pace and retry (tests pass virtual ones)."""
        if settings.telegram_bot_token is None:
            raise ValueError("TELEGRAM_BOT_TOKEN chưa được cấu hình")
        install_token_redaction(settings.telegram_bot_token.get_secret_value())
        self._settings = settings
        self._handle = handle
        self._on_sent = on_sent
        self._on_undelivered = on_undelivered
        self._still_waiting = still_waiting
        self._kept_chats: set[str] = set()  # chats with replies waiting in the outbox
        self._poll_timeout = poll_timeout
        self._max_file_bytes = settings.max_file_mb * 1024 * 1024
        self._accepted = accepted_extensions
        self.application = build_application(settings, webhook=bool(settings.webhook_url),
                                             concurrency=concurrency)
        self.sender = TelegramSender(self.application.bot, limiter=RateLimiter(limits, clock=clock, sleep=sleep),
                                     retry=retry or RetryPolicy.from_settings(settings), sleep=sleep)
        self._seen_updates = RecentKeys(4096)
        self._pressed = RecentKeys(4096)
        self._webhook: WebhookServer | None = None
        self.application.add_handler(TypeHandler(Update, self._on_update))
        self.application.add_error_handler(self._on_error)

    # ------------------------------------------------------------ lifecycle
    async def start(self) -> None:
        """Connect, publish the command menu, then poll or serve the webhook."""
        app = self.application
        await app.initialize()
        await self._publish_commands()
        await app.start()
        if self._settings.webhook_url:
            await self._start_webhook()
        else:
            assert app.updater is not None
            await app.updater.start_polling(timeout=self._poll_timeout, allowed_updates=ALLOWED_UPDATES,
                                            drop_pending_updates=False, bootstrap_retries=3,
                                            error_callback=self._polling_error)
        log.info("Telegram channel started (%s)", "webhook" if self._settings.webhook_url else "polling")

    async def stop(self) -> None:
        app = self.application
        if app.updater is not None and app.updater.running:
            await app.updater.stop()
        if self._webhook is not None:
            await self._webhook.stop()
            self._webhook = None
        if app.running:
            await app.stop()
        await app.shutdown()
        log.info("Telegram channel stopped")

    async def _publish_commands(self) -> None:
        try:
            await self.application.bot.set_my_commands(bot_commands())
        except Exception as error:  # noqa: BLE001 - a missing menu must not stop the bot
            log.warning("Could not publish the Telegram command menu: %s", error)

    async def _start_webhook(self) -> None:
        settings = self._settings
        assert settings.webhook_url and settings.webhook_secret
        secret = settings.webhook_secret.get_secret_value()
        path = urlsplit(settings.webhook_url).path or "/"
        self._webhook = WebhookServer(build_webhook_app(path, secret, self.accept_webhook_update),
                                      settings.webhook_listen, settings.webhook_port)
        await self._webhook.start()
        await self.application.bot.set_webhook(url=settings.webhook_url, secret_token=secret,
                                               allowed_updates=ALLOWED_UPDATES, drop_pending_updates=False)

    async def accept_webhook_update(self, data: dict) -> None:
        """Queue an update received by the webhook route (duplicates are dropped later).

        An update PTB cannot read is logged and dropped: answering an error
        would only make Telegram resend the same unreadable update forever.
        """
        try:
            update = Update.de_json(data, self.application.bot)
        except Exception:  # noqa: BLE001
            log.exception("Could not read Telegram update %s; dropped", data.get("update_id"))
            return
        await self.application.update_queue.put(update)

    @staticmethod
    def _polling_error(error: Exception) -> None:
        log.warning("Telegram polling failed, retrying: %s", error)

    # -------------------------------------------------------------- sending
    async def send(self, chat_id: str, reply: Reply) -> str | None:
        """Send ``reply``; the id of the last message sent. Raises :class:`SendFailed`."""
        ids = await self.sender.send_reply(chat_id, reply)
        return str(ids[-1]) if ids else None

    # ------------------------------------------------------------ receiving
    async def _on_update(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """One update; its chat's earlier updates are finished (see :class:`ChatOrderedUpdates`)."""
        if not self._seen_updates.add(update.update_id):
            log.info("Telegram update %s was already processed; ignored", update.update_id)
            return
        chat = update.effective_chat
        if chat is not None:
            await self._wait_for_records(chat.id)
        if update.callback_query is not None:
            await self._on_button(update.callback_query)
        elif update.message is not None:
            await self._on_message(update.message)

    async def _ask_core(self, incoming: IncomingMessage) -> list[Reply] | None:
        """The core's replies, or None after apologising if it failed."""
        try:
            return list(await self._handle(incoming))
        except Exception:  # noqa: BLE001 - the core must never bring the channel down
            log.exception("The core failed on a message from chat %s", incoming.chat_id)
            await self._say(incoming.chat_id, APOLOGY)
            return None

    async def _on_message(self, message: Message) -> None:
        chat_id = message.chat_id
        attachment: Attachment | None = None
        file = file_of(message)
        if file is not None:
            refusal = refusal_for(file, self._max_file_bytes, self._accepted)
            if refusal:
                await self._say(chat_id, refusal)
                return
            # Not downloaded here: the core fetches it only for a registered person.
            attachment = Attachment(file_name=file.file_name, mime_type=file.mime_type, size=file.size,
                                    kind=file.kind, fetch=lazy_fetch(lambda: self._download(chat_id, file)))
        elif message.text is None and message.caption is None:
            await self._say(chat_id, UNSUPPORTED_CONTENT)
            return
        replies = await self._ask_core(from_message(message, attachment))
        if replies is not None:
            await self._deliver(chat_id, replies)

    async def _download(self, chat_id: int, file: IncomingFile) -> bytes:
        """The file's bytes; raises :class:`FetchFailed` with the line to show the person."""
        bot = self.application.bot
        try:
            telegram_file = await self.sender.call(chat_id, lambda _c: bot.get_file(file.file_id), paced=False)
            data = bytes(await self.sender.call(chat_id, lambda _c: telegram_file.download_as_bytearray(),
                                                paced=False))
        except SendFailed as failure:
            log.warning("Could not download a file from chat %s: %s", chat_id, failure)
            raise FetchFailed(DOWNLOAD_FAILED.format(name=file.file_name)) from failure
        if len(data) > self._max_file_bytes:
            raise FetchFailed(refusal_for(
                IncomingFile(file.file_id, file.file_name, file.mime_type, len(data), file.kind),
                self._max_file_bytes, self._accepted) or UNSUPPORTED_CONTENT)
        return data

    async def _on_button(self, query: CallbackQuery) -> None:
        message = query.message
        chat_id = message.chat.id if message is not None else query.from_user.id
        pressed = (chat_id, message.message_id) if message is not None else None
        if pressed is not None and pressed in self._pressed:
            # A second tap (stale client or double tap): acknowledge, do nothing else.
            await self._answer(query, ALREADY_CHOSEN)
            return
        if pressed is not None:
            self._pressed.add(pressed)
        await self._answer(query)
        replies = await self._ask_core(from_button(query))
        if replies is None:
            if pressed is not None:
                self._pressed.discard(pressed)  # the buttons stay, so the person can try again
            return
        rest = replies
        if isinstance(message, Message):
            first = replies[0] if replies else None
            if await self._close_pressed(message, first):
                assert first is not None
                rest = replies[1:]
                await self._notify_sent(chat_id, [message.message_id], first)
        await self._deliver(chat_id, rest)

    async def _answer(self, query: CallbackQuery, text: str | None = None) -> None:
        try:
            await self.sender.call(query.from_user.id, lambda _c: query.answer(text), paced=False)
        except SendFailed as failure:
            log.info("Could not answer a button press: %s", failure)

    @staticmethod
    def _mergeable(message: Message, first: Reply | None) -> bool:
        if first is None or first.buttons or first.attachment or not first.text.strip():
            return False
        if message.text is None or len(first.text) > MERGE_LIMIT:
            return False
        return utf16_len(message.text) + 2 + utf16_len(strip_markup(first.text)) <= MAX_TEXT

    async def _close_pressed(self, message: Message, first: Reply | None) -> bool:
        """Remove the pressed message's buttons; True if ``first`` was written into it.

        Writing a short answer into the pressed message keeps the chat tidy and
        shows at a glance what the choice did; anything longer, with buttons or
        a file, is sent as a new message instead.
        """
        bot = self.application.bot
        message_id = message.message_id
        if self._mergeable(message, first):
            assert first is not None
            html = f"{message.text_html}\n\n{to_telegram_html(first.text)}"
            try:
                await self.sender.call(message.chat_id, lambda chat: bot.edit_message_text(
                    html, chat_id=chat, message_id=message_id, parse_mode=ParseMode.HTML,
                    link_preview_options=LinkPreviewOptions(is_disabled=True)))
                return True
            except SendFailed as failure:
                log.info("Could not write the answer into the pressed message: %s", failure)
        try:
            await self.sender.call(message.chat_id, lambda chat: bot.edit_message_reply_markup(
                chat_id=chat, message_id=message_id, reply_markup=None))
        except SendFailed as failure:
            if "not modified" not in failure.description:
                log.warning("Could not remove the buttons of message %s: %s", message_id, failure)
        return False

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        log.error("Unexpected error while handling a Telegram update", exc_info=context.error)
        if isinstance(update, Update) and update.effective_chat is not None:
            await self._say(update.effective_chat.id, APOLOGY)
