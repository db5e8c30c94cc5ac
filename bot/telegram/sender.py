"""Deliver replies and notifications to Telegram reliably.

Every message the bot sends — answers and the dispatcher's reminders —
goes through :class:`TelegramSender`, which paces sends (see
``ratelimit.py``), keeps each chat's messages in order, obeys "retry
after", retries network errors and server errors with bounded exponential
back-off, and finally raises :class:`SendFailed` so the caller can record
the failure: nothing is dropped silently.
"""

from __future__ import annotations

import asyncio
import datetime as dtm
import logging
import warnings
from collections.abc import Awaitable, Callable
from typing import TypeVar

from telegram import Bot, LinkPreviewOptions, Message
from telegram.constants import ParseMode
from telegram.error import (BadRequest, ChatMigrated, Forbidden, InvalidToken, NetworkError, RetryAfter,
                            TelegramError, TimedOut)

from bot.common.locks import KeyedLocks
from bot.common.ratelimit import RateLimiter
from bot.common.retry import RetryPolicy, Sleep
from bot.telegram.render import OutgoingPart, invalid_button_data, keyboard, plan_reply
from handlers.core.messages import Reply, SendFailed

log = logging.getLogger(__name__)
T = TypeVar("T")
_NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


def retry_after_seconds(error: RetryAfter) -> float:
    """Seconds from a 429, whichever type this PTB version exposes."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = error.retry_after
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


def normalise_chat_id(chat_id: int | str) -> int | str:
    """Chat ids travel as strings in the core; Telegram wants ints (or "@channel")."""
    if isinstance(chat_id, int):
        return chat_id
    text = str(chat_id).strip()
    return int(text) if text.lstrip("-").isdigit() else text


class TelegramSender:
    """Sends :class:`Reply` objects through a PTB ``Bot``, paced, ordered and retried."""

    def __init__(self, bot: Bot, *, limiter: RateLimiter | None = None,
                 retry: RetryPolicy = RetryPolicy(), sleep: Sleep = asyncio.sleep):
        self.bot = bot
        self.limiter = limiter or RateLimiter(sleep=sleep)
        self.retry = retry
        self._sleep = sleep
        self._order = KeyedLocks()

    async def send_reply(self, chat_id: int | str, reply: Reply) -> list[int]:
        """Send ``reply`` to ``chat_id``; return the message ids, in order.

        Raises :class:`SendFailed` when a part cannot be delivered.
        """
        chat = normalise_chat_id(chat_id)
        bad = invalid_button_data(reply)
        if bad:
            raise SendFailed(f"button data must be 1-64 bytes: {bad!r}", permanent=True, chat_id=chat)
        sent: list[int] = []
        async with self._order.hold(chat):
            for part in plan_reply(reply):
                try:
                    message = await self._send_part(chat, part)
                except SendFailed as failure:
                    failure.sent_message_ids = list(sent)
                    raise
                chat = message.chat_id
                sent.append(message.message_id)
        return sent

    async def _send_part(self, chat: int | str, part: OutgoingPart) -> Message:
        plain = False

        def make_call(target: int | str) -> Awaitable[Message]:
            markup = keyboard(part.buttons)
            text = part.plain if plain else part.html
            mode = None if plain else ParseMode.HTML
            if part.attachment is None:
                return self.bot.send_message(target, text, parse_mode=mode, reply_markup=markup,
                                             link_preview_options=_NO_PREVIEW)
            attachment = part.attachment
            caption = text or None
            if attachment.data is None:
                raise SendFailed(f"attachment {attachment.file_name!r} has no data", permanent=True,
                                 chat_id=target)
            if part.method == "photo":
                return self.bot.send_photo(target, attachment.data, caption=caption,
                                           parse_mode=mode if caption else None, reply_markup=markup,
                                           filename=attachment.file_name)
            return self.bot.send_document(target, attachment.data, caption=caption,
                                          parse_mode=mode if caption else None, reply_markup=markup,
                                          filename=attachment.file_name)

        while True:
            try:
                return await self.call(chat, make_call)
            except SendFailed as failure:
                # Our HTML is always escaped, but if Telegram still cannot parse it,
                # the words matter more than the bold: resend as plain text.
                if not plain and "can't parse entities" in failure.description.lower():
                    log.warning("Telegram could not parse a message's HTML; resending it as plain text")
                    plain = True
                    continue
                raise

    async def call(self, chat_id: int | str, make_call: Callable[[int | str], Awaitable[T]],
                   *, paced: bool = True) -> T:
        """Run one API call for ``chat_id`` with pacing and retries.

        ``make_call(chat_id)`` must build a fresh request each time (a group
        that became a supergroup changes its id in between).
        """
        chat = chat_id
        attempts = 0
        flood_waits = 0
        migrated = False
        while True:
            if paced:
                await self.limiter.acquire(chat)
            try:
                return await make_call(chat)
            except RetryAfter as error:
                wait = retry_after_seconds(error)
                flood_waits += 1
                if flood_waits > self.retry.max_flood_waits or wait > self.retry.max_flood_wait:
                    raise SendFailed(f"flood control: retry after {wait:.0f} s", permanent=False,
                                     chat_id=chat, retry_after=wait) from error
                log.warning("Telegram asked to wait %.0f s before sending to chat %s", wait, chat)
                self.limiter.pause(chat, wait)
                if not paced:
                    await self._sleep(wait)
            except ChatMigrated as error:
                if migrated:
                    raise SendFailed(str(error), permanent=True, chat_id=chat) from error
                migrated = True
                chat = error.new_chat_id
            except (BadRequest, Forbidden) as error:
                raise SendFailed(error.message, permanent=True, chat_id=chat) from error
            except (TimedOut, NetworkError) as error:
                # NetworkError covers connection failures and 5xx answers; TimedOut may
                # mean the message did arrive, a risk accepted to avoid losing it.
                attempts += 1
                if attempts >= self.retry.max_attempts:
                    raise SendFailed(f"{error.message} (after {attempts} attempts)", permanent=False,
                                     chat_id=chat) from error
                delay = self.retry.backoff(attempts)
                log.info("Telegram call for chat %s failed (%s); retry %d in %.1f s",
                         chat, error.message, attempts, delay)
                await self._sleep(delay)
            except InvalidToken as error:
                raise SendFailed("invalid bot token", permanent=False, chat_id=chat) from error
            except TelegramError as error:
                raise SendFailed(error.message, permanent=False, chat_id=chat) from error
