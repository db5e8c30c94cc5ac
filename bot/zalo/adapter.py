"""The Zalo channel: the Zalo Bot API as transport, the core decides.

Updates (long polling by default, the webhook when configured) become
:class:`IncomingMessage`, the core answers with :class:`Reply` objects, and
:class:`ZaloSender` delivers them. Everything Zalo-specific stays here.

Decisions where Zalo's documentation is silent or Zalo lacks a feature:

* **Buttons** are numbered lines; typing the number ("2", "số 2") is the
  press: ``button_data`` is set and ``reply_to_message_id`` is the message
  that offered it (see :mod:`bot.zalo.memory`). A choice is used once.
* **Reply-to** does not exist: the first plain text (or photo) after a
  message that carried a context (a reminder) is given that message's id as
  ``reply_to_message_id``, once. The core still checks that the text reads
  like a progress report before treating it as one.
* **Files**: Zalo passes only images to bots (downloaded here, within
  ``settings.max_file_mb``); other content arrives as "unsupported" and the
  person is asked to send files through Telegram or to the Office.
* **Outgoing files**: ``sendPhoto`` takes a public URL, not bytes; without a
  ``photo_url`` hook a notice line replaces the chart (see ``render.py``).
* **Webhook** path defaults to ``/zalo/webhook`` on the host of
  ``settings.webhook_url`` (shared with Telegram), on its own port if given,
  or mounted on an existing aiohttp app with :meth:`ZaloAdapter.mount_webhook`.
* Duplicate deliveries (same event and message id) are processed once.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from urllib.parse import urlsplit, urlunsplit

from aiohttp import web

from bot.base import Capabilities, Handle
from bot.rendering import buttons_as_numbered
from bot.common.delivery import OnSent, OnUndelivered, ReplyDelivery, StillWaiting
from bot.common.locks import KeyedLocks, RecentKeys
from bot.common.logfilter import install_token_redaction
from bot.common.ratelimit import RateLimiter, RateLimits
from bot.common.retry import RetryPolicy, Sleep
from bot.zalo.client import FileTooLarge, ZaloApiError, ZaloClient, ZaloNetworkError
from bot.zalo.incoming import (APOLOGY, DOWNLOAD_FAILED, FILES_ELSEWHERE, IMAGE_TOO_BIG, STICKER_REPLY,
                               VOICE_UNSUPPORTED, ZaloEvent, parse_update, to_incoming, unwrap)
from bot.zalo.memory import ChatMemory, MemoryStore
from bot.zalo.render import MAX_TEXT
from bot.zalo.sender import ZALO_LIMITS, PhotoUrl, ZaloSender
from bot.zalo.webhook import DEFAULT_PATH, WebhookServer, add_webhook_route, update_key
from bot.common.lazyfile import lazy_fetch
from handlers.core.messages import Attachment, FetchFailed, IncomingMessage, Reply, SendFailed
from settings import Settings

log = logging.getLogger(__name__)

NOTICES = {"sticker": STICKER_REPLY, "voice": VOICE_UNSUPPORTED, "unsupported": FILES_ELSEWHERE}


def zalo_webhook_url(settings: Settings, path: str = DEFAULT_PATH) -> str:
    """The public URL Zalo should post to: the host of ``settings.webhook_url`` with ``path``."""
    if not settings.webhook_url:
        raise ValueError("WEBHOOK_URL chưa được cấu hình")
    parts = urlsplit(settings.webhook_url)
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


class ZaloAdapter(ReplyDelivery):
    """A :class:`bot.base.ChannelAdapter` for Zalo bots."""

    name = "zalo"
    capabilities = Capabilities(buttons=False, max_text=MAX_TEXT, markup="plain")
    _send_failed = SendFailed
    _chat_label = "Zalo chat"
    _log = log

    def __init__(self, settings: Settings, handle: Handle, *, on_sent: OnSent | None = None,
                 on_undelivered: OnUndelivered | None = None, still_waiting: StillWaiting | None = None,
                 retry: RetryPolicy | None = None, limits: RateLimits = ZALO_LIMITS,
                 poll_timeout: int = 30, poll_retry_max: float = 30.0, use_webhook: bool | None = None,
                 webhook_path: str = DEFAULT_PATH, webhook_url: str | None = None,
                 webhook_port: int | None = None, serve_webhook: bool = True,
                 photo_url: PhotoUrl | None = None, concurrency: int = 8,
                 memory_store: MemoryStore | None = None,
                 clock: Callable[[], float] = time.monotonic, sleep: Sleep = asyncio.sleep):
        """``retry`` defaults to the settings' policy; ``clock``/``sleep`` pace and retry (tests pass virtual ones)."""
        if settings.zalo_bot_token is None:
            raise ValueError("ZALO_BOT_TOKEN chưa được cấu hình")
        token = settings.zalo_bot_token.get_secret_value()
        install_token_redaction(token)
        self._settings = settings
        self._handle = handle
        self._on_sent = on_sent
        self._on_undelivered = on_undelivered
        self._still_waiting = still_waiting
        self._poll_timeout = poll_timeout
        self._poll_retry_max = poll_retry_max
        self.webhook_mode = bool(settings.webhook_url) if use_webhook is None else use_webhook
        self.webhook_path = webhook_path
        self._webhook_url = webhook_url
        self._webhook_port = webhook_port if webhook_port is not None else settings.webhook_port
        self._serve_webhook = serve_webhook
        self._max_file_bytes = settings.max_file_mb * 1024 * 1024
        self.client = ZaloClient(token, settings.zalo_api_base_url)
        self.sender = ZaloSender(self.client, limiter=RateLimiter(limits, clock=clock, sleep=sleep),
                                 retry=retry or RetryPolicy.from_settings(settings), photo_url=photo_url, sleep=sleep)
        self.memory = ChatMemory(store=memory_store)
        self._chat_locks = KeyedLocks()
        self._seen = RecentKeys(4096)
        self._slots = asyncio.Semaphore(concurrency)
        self._tasks: set[asyncio.Task] = set()
        self._kept_chats: set[str] = set()
        self._poll_task: asyncio.Task | None = None
        self._webhook: WebhookServer | None = None
        self._stopping = False

    # ------------------------------------------------------------ lifecycle
    async def start(self) -> None:
        """Check the token, then poll or register and serve the webhook."""
        self._stopping = False
        await self._check_token()
        if self.webhook_mode:
            await self._start_webhook()
        else:
            await self._leave_webhook()
            self._poll_task = asyncio.create_task(self._poll(), name="zalo-polling")
        log.info("Zalo channel started (%s)", "webhook" if self.webhook_mode else "polling")

    async def stop(self) -> None:
        """Stop receiving, let messages being handled finish (10 s at most), close connections."""
        self._stopping = True
        if self._poll_task is not None:
            self._poll_task.cancel()
            await asyncio.gather(self._poll_task, return_exceptions=True)
            self._poll_task = None
        if self._webhook is not None:
            await self._webhook.stop()
            self._webhook = None
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=10)
        await self.client.aclose()
        log.info("Zalo channel stopped")

    async def _check_token(self) -> None:
        try:
            me = await self.client.get_me()
        except ZaloApiError as error:
            if error.error_code in (401, 403, 404):
                raise ValueError("ZALO_BOT_TOKEN không hợp lệ (Zalo từ chối getMe)") from None
            log.warning("Zalo getMe failed (%s); continuing", error.error_code)
            return
        except ZaloNetworkError as error:
            log.warning("Zalo is not reachable yet (%s); will keep trying", error.reason)
            return
        name = me.get("account_name") or me.get("name") if isinstance(me, dict) else None
        log.info("Zalo bot %s connected", name or "?")

    def public_webhook_url(self) -> str:
        return self._webhook_url or zalo_webhook_url(self._settings, self.webhook_path)

    def _secret(self) -> str:
        secret = self._settings.webhook_secret.get_secret_value() if self._settings.webhook_secret else ""
        if not 8 <= len(secret) <= 256:
            raise ValueError("WEBHOOK_SECRET phải dài từ 8 đến 256 ký tự cho webhook Zalo")
        return secret

    def mount_webhook(self, app: web.Application) -> None:
        """Serve the Zalo route from an aiohttp app the caller runs (e.g. shared with other channels)."""
        add_webhook_route(app, self.webhook_path, self._secret(), self.accept_update, seen=self._seen)

    async def _start_webhook(self) -> None:
        secret = self._secret()
        if self._serve_webhook:
            app = web.Application(client_max_size=256 * 1024)
            self.mount_webhook(app)
            self._webhook = WebhookServer(app, self._settings.webhook_listen, self._webhook_port)
            await self._webhook.start()
        await self.client.set_webhook(self.public_webhook_url(), secret)

    async def _leave_webhook(self) -> None:
        """getUpdates does not work while a webhook is set: remove a leftover one (as PTB does)."""
        try:
            info = await self.client.get_webhook_info()
            if info.get("url"):
                log.warning("A Zalo webhook was set; removing it to use polling")
                await self.client.delete_webhook()
        except (ZaloApiError, ZaloNetworkError) as error:
            log.warning("Could not check the Zalo webhook before polling: %s", error)

    # ------------------------------------------------------------ receiving
    async def _poll(self) -> None:
        """Long-poll forever, one request at a time, with bounded back-off after failures."""
        failures = 0
        while not self._stopping:
            try:
                updates = await self.client.get_updates(self._poll_timeout)
            except (ZaloApiError, ZaloNetworkError) as error:
                failures += 1
                delay = min(self._poll_retry_max, 0.5 * 2 ** (failures - 1))
                log.warning("Zalo polling failed (%s); retrying in %.1f s", error, delay)
                await asyncio.sleep(delay)
                continue
            failures = 0
            for update in updates:
                key = update_key(update)
                if key is not None and not self._seen.add(key):
                    log.info("Zalo update %s was already processed; ignored", key)
                    continue
                await self.accept_update(update)

    async def accept_update(self, body: dict) -> None:
        """Start handling one update (from polling or the webhook) without waiting for it."""
        update = unwrap(body)
        event = parse_update(update) if update is not None else None
        if event is None:
            log.warning("Zalo update without chat or sender; dropped")
            return
        if event.is_bot:
            return
        task = asyncio.create_task(self._process(event))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _process(self, event: ZaloEvent) -> None:
        async with self._chat_locks.hold(event.chat_id):
            async with self._slots:
                try:
                    await self._wait_for_records(event.chat_id)
                    incoming = await self._to_incoming(event)
                    if incoming is None:
                        return
                    replies = await self._ask_core(incoming)
                    if replies is not None:
                        await self._deliver(event.chat_id, replies)
                except Exception:  # noqa: BLE001 - one bad update must not stop the channel
                    log.exception("Unexpected error while handling a Zalo %s", event.kind)

    async def _to_incoming(self, event: ZaloEvent) -> IncomingMessage | None:
        """The message for the core, or None after answering it here (stickers, voice, files)."""
        chat = event.chat_id
        if event.kind == "text":
            if not event.text.strip():
                return None
            choice = await self.memory.take_choice(chat, event.text)
            if choice is not None:
                return to_incoming(event, button_data=choice.data, reply_to=choice.message_id)
            return to_incoming(event, reply_to=await self.memory.take_context(chat))
        if event.kind == "image":
            attachment = await self._fetch_image(event)
            if attachment is None:
                return None
            return to_incoming(event, reply_to=await self.memory.take_context(chat), attachment=attachment)
        notice = NOTICES.get(event.kind)
        if notice is None:
            log.info("Zalo event %s is not handled; ignored", event.event_name)
            return None
        await self._say(chat, notice)
        return None

    async def _fetch_image(self, event: ZaloEvent) -> Attachment | None:
        """The photo as a lazy attachment (downloaded only if the core wants it, i.e. for a
        registered person); None after telling the person when there is nothing to fetch."""
        if event.photo_url is None:
            await self._say(event.chat_id, DOWNLOAD_FAILED)
            return None
        url = event.photo_url

        async def download() -> bytes:
            try:
                data, mime = await self.client.download(url, self._max_file_bytes)
            except FileTooLarge as error:
                raise FetchFailed(IMAGE_TOO_BIG.format(mb=self._settings.max_file_mb)) from error
            except ZaloNetworkError as error:
                log.warning("Could not download a Zalo image from chat %s: %s", event.chat_id, error.reason)
                raise FetchFailed(DOWNLOAD_FAILED) from error
            return data

        # The name and type are decided before download (Zalo photos are JPEG unless told otherwise).
        name = f"anh_{event.message_id or 'zalo'}.jpg"
        return Attachment(file_name=name, mime_type="image/jpeg", kind="photo", fetch=lazy_fetch(download))

    async def _ask_core(self, incoming: IncomingMessage) -> list[Reply] | None:
        """The core's replies, or None after apologising if it failed."""
        try:
            return list(await self._handle(incoming))
        except Exception:  # noqa: BLE001 - the core must never bring the channel down
            log.exception("The core failed on a Zalo message from chat %s", incoming.chat_id)
            await self._say(incoming.chat_id, APOLOGY)
            return None

    # -------------------------------------------------------------- sending
    async def send(self, chat_id: str, reply: Reply) -> str | None:
        """Send ``reply`` (e.g. a reminder); the id of the last message. Raises :class:`SendFailed`."""
        ids = await self.sender.send_reply(str(chat_id), reply)
        await self._record_sent(str(chat_id), ids, reply)
        return ids[-1] if ids else None

    async def _record_sent(self, chat_id: str, ids: list[str], reply: Reply) -> None:
        """Remember the numbered choices and context a delivered reply offered (see ``memory.py``)."""
        _text, choices = buttons_as_numbered(reply)
        await self.memory.remember_sent(chat_id, ids, choices, has_context=bool(reply.context_ref))
