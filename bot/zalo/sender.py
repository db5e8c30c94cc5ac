"""Deliver replies and notifications to Zalo reliably.

Every message the bot sends on Zalo — answers and the dispatcher's
reminders — goes through :class:`ZaloSender`: paced, in order per chat,
retried with bounded exponential back-off on network errors, 5xx and 429,
and finally reported as :class:`handlers.core.messages.SendFailed` so the
dispatcher can retry later or give up: nothing is dropped silently.

Zalo does not document its rate limits. We pace like Telegram's private
chats (about one message a second per chat, short bursts of three, 20 a
second overall) and obey a 429 with its ``retry_after`` when one is given.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from bot.common.locks import KeyedLocks
from bot.common.ratelimit import RateLimiter, RateLimits
from bot.common.retry import RetryPolicy, Sleep
from bot.zalo.client import ZaloApiError, ZaloClient, ZaloNetworkError
from bot.zalo.render import OutgoingPart, plan_reply
from handlers.core.messages import Attachment, Reply, SendFailed

log = logging.getLogger(__name__)

# Zalo chat ids are strings, which the shared limiter treats as groups: the
# group limit is set equal to the per-chat one so both read "1 a second".
ZALO_LIMITS = RateLimits(overall_per_second=20.0, overall_burst=5, chat_per_second=1.0, chat_burst=3,
                         group_per_minute=60.0, group_burst=3)

#: Gives a public URL for a photo attachment (None when it cannot be hosted).
PhotoUrl = Callable[[Attachment], Awaitable[str | None] | str | None]


def _failed(description: str, **facts: Any) -> SendFailed:
    """A :class:`SendFailed` labelled as Zalo's."""
    return SendFailed(description, channel="Zalo", **facts)


def _is_permanent(error: ZaloApiError) -> bool:
    """4xx refusals other than 401 (our token) and 408/429 (try again) cannot succeed on retry."""
    code = error.error_code
    return 400 <= code < 500 and code not in (401, 408, 429)


def _is_flood(error: ZaloApiError) -> bool:
    return error.error_code == 429 or error.status == 429


def _is_server_side(error: ZaloApiError) -> bool:
    return error.error_code >= 500 or error.status >= 500 or error.error_code == 408


class ZaloSender:
    """Sends :class:`Reply` objects through a :class:`ZaloClient`, paced, ordered and retried."""

    def __init__(self, client: ZaloClient, *, limiter: RateLimiter | None = None,
                 retry: RetryPolicy = RetryPolicy(), photo_url: PhotoUrl | None = None,
                 sleep: Sleep = asyncio.sleep):
        self.client = client
        self.limiter = limiter or RateLimiter(ZALO_LIMITS, sleep=sleep)
        self.retry = retry
        self._sleep = sleep
        self._photo_url = photo_url
        self._order = KeyedLocks()

    async def send_reply(self, chat_id: str, reply: Reply) -> list[str]:
        """Send ``reply`` to ``chat_id``; return the message ids, in order. Raises :class:`SendFailed`."""
        chat = str(chat_id)
        url = await self._hosted_photo(reply)
        sent: list[str] = []
        async with self._order.hold(chat):
            for part in plan_reply(reply, url):
                try:
                    result = await self.call(chat, lambda c, p=part: self._send_part(c, p))
                except SendFailed as failure:
                    failure.sent_message_ids = list(sent)
                    raise
                sent.append(_message_id(result))
        return sent

    async def _hosted_photo(self, reply: Reply) -> str | None:
        attachment = reply.attachment
        if self._photo_url is None or attachment is None or attachment.kind != "photo":
            return None
        try:
            result = self._photo_url(attachment)
            return await result if inspect.isawaitable(result) else result
        except Exception:  # noqa: BLE001 - the notice line is an acceptable fallback
            log.exception("Could not host a photo for Zalo; sending a notice instead")
            return None

    def _send_part(self, chat: str, part: OutgoingPart) -> Awaitable[dict]:
        if part.photo_url is not None:
            return self.client.send_photo(chat, part.photo_url, part.text or None)
        return self.client.send_message(chat, part.text)

    async def call(self, chat_id: str, make_call: Callable[[str], Awaitable[Any]], *, paced: bool = True) -> Any:
        """Run one API call for ``chat_id`` with pacing and retries; ``make_call`` builds a fresh request each time."""
        attempts = 0
        flood_waits = 0
        while True:
            if paced:
                await self.limiter.acquire(chat_id)
            try:
                return await make_call(chat_id)
            except ZaloApiError as error:
                if _is_flood(error):
                    flood_waits += 1
                    wait = error.retry_after if error.retry_after is not None else self.retry.backoff(flood_waits)
                    if flood_waits > self.retry.max_flood_waits or wait > self.retry.max_flood_wait:
                        raise _failed(f"rate limited: retry after {wait:.0f} s", permanent=False,
                                         chat_id=chat_id, retry_after=wait) from None
                    log.warning("Zalo asked to slow down; waiting %.1f s before sending to chat %s", wait, chat_id)
                    self.limiter.pause(chat_id, wait)
                    if not paced:
                        await self._sleep(wait)
                    continue
                if error.error_code == 401:
                    raise _failed("invalid bot token", permanent=False, chat_id=chat_id) from None
                if _is_permanent(error):
                    raise _failed(f"{error.error_code} {error.description}", permanent=True,
                                     chat_id=chat_id) from None
                if not _is_server_side(error):
                    raise _failed(f"{error.error_code} {error.description}", permanent=False,
                                     chat_id=chat_id) from None
                reason = f"{error.error_code} {error.description}"
            except ZaloNetworkError as error:
                # A timeout may mean the message did arrive: a duplicate is
                # accepted as the lesser evil than a lost reminder.
                reason = error.reason
            attempts += 1
            if attempts >= self.retry.max_attempts:
                raise _failed(f"{reason} (after {attempts} attempts)", permanent=False, chat_id=chat_id)
            delay = self.retry.backoff(attempts)
            log.info("Zalo call for chat %s failed (%s); retry %d in %.1f s", chat_id, reason, attempts, delay)
            await self._sleep(delay)


def _message_id(result: Any) -> str:
    """The id Zalo gave the sent message; a local one if it gave none.

    Zalo has no reply-to, so ids only serve our own bookkeeping (which
    message carried which task): a unique local id serves just as well.
    """
    if isinstance(result, dict) and result.get("message_id"):
        return str(result["message_id"])
    return f"local-{uuid.uuid4().hex}"

