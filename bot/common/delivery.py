"""Delivering the core's replies in order, and keeping the ones that could not go out.

Every channel adapter does the same thing with a batch of replies: send
them one by one, report each delivered reply (``on_sent``), and when the
messenger stays unreachable hand the rest, in order, to whoever keeps them
durably (``on_undelivered``, the outbox). While kept replies for a chat
still wait, newer ones queue behind them instead of overtaking. The mixin
below holds that logic once; adapters only say how they name themselves in
logs and which failure their sender raises.

The hooks usually touch the database. A plain (non-async) hook is therefore
run in a worker thread, never on the event loop: a database locked by
another writer must delay only the chat that waits for it, not every chat.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from typing import Any, TypeVar

from bot.common.locks import Settling
from handlers.core.messages import Reply

T = TypeVar("T")

#: Called after each reply is delivered: (chat id, message ids, the reply) — lets the core
#: remember which message carried which ``Reply.context_ref``.
OnSent = Callable[[str, list[str], Reply], Awaitable[None] | None]
#: Called with replies that could not be sent after all retries (the API is
#: down): the caller keeps them durably (the outbox) so they go out later; True if kept.
OnUndelivered = Callable[[str, Reply], Awaitable[bool] | bool]
#: Whether replies kept for a chat are still waiting to be sent (so newer
#: replies must queue behind them instead of overtaking).
StillWaiting = Callable[[str], Awaitable[bool] | bool]


async def maybe_await(value: Awaitable[T] | T) -> T:
    """Hooks may be plain functions or coroutines; accept both."""
    return await value if inspect.isawaitable(value) else value  # type: ignore[return-value]


async def call_hook(hook: Callable[..., Awaitable[T] | T], *args: Any) -> T:
    """Call a hook without blocking the loop: coroutine functions are awaited,
    plain functions run in a worker thread (they may wait for the database)."""
    if inspect.iscoroutinefunction(hook) or inspect.iscoroutinefunction(getattr(hook, "__call__", None)):
        return await hook(*args)
    return await maybe_await(await asyncio.to_thread(hook, *args))


class ReplyDelivery:
    """Mixin for channel adapters: ``_deliver``, ``_say`` and the hooks around them.

    The adapter provides ``sender`` (with ``send_reply``), ``_on_sent``,
    ``_on_undelivered``, ``_still_waiting`` and ``_kept_chats`` (a set of
    chat ids as strings), and sets the class attributes below.
    """

    #: The failure the adapter's sender raises; other errors propagate.
    _send_failed: type[Exception] = Exception
    #: How log lines name a chat of this channel ("chat", "Zalo chat").
    _chat_label = "chat"
    #: Appended to the log line when the outbox refuses a reply.
    _unkept_detail = ""
    _log = logging.getLogger(__name__)

    sender: Any
    _on_sent: OnSent | None
    _on_undelivered: OnUndelivered | None
    _still_waiting: StillWaiting | None
    _kept_chats: set[str]

    async def _record_sent(self, chat_id: Any, ids: list, reply: Reply) -> None:
        """Channel bookkeeping right after a reply went out (before ``on_sent``)."""

    @property
    def _settling(self) -> Settling:
        """Created on first use: adapters keep their own ``__init__``."""
        settling = self.__dict__.get("_settling_chats")
        if settling is None:
            settling = self.__dict__["_settling_chats"] = Settling()
        return settling

    def recording(self, chat_id: Any) -> AbstractAsyncContextManager[None]:
        """Held by the dispatcher around "send, then store the message id" for ``chat_id``."""
        return self._settling.sending(str(chat_id))

    async def _wait_for_records(self, chat_id: Any) -> None:
        """Before handling a chat's message: let the records of messages just sent to it land."""
        await self._settling.settled(str(chat_id))

    async def _say(self, chat_id: Any, text: str) -> None:
        """Tell the person something from the adapter itself (refusals, apologies)."""
        try:
            await self.sender.send_reply(chat_id, Reply(text=text))
        except self._send_failed as failure:
            self._log.error("Could not send a notice to %s %s: %s", self._chat_label, chat_id, failure)

    async def _deliver(self, chat_id: Any, replies: list[Reply]) -> None:
        if await self._behind_kept_replies(chat_id):
            await self._hand_over(chat_id, replies)
            return
        for index, reply in enumerate(replies):
            try:
                ids = await self.sender.send_reply(chat_id, reply)
            except self._send_failed as failure:
                self._log.error("Could not deliver a reply to %s %s: %s", self._chat_label, chat_id, failure)
                if not failure.permanent:  # type: ignore[attr-defined]
                    # Keep this reply and the ones after it, in order, for later.
                    await self._hand_over(chat_id, replies[index:])
                return
            await self._record_sent(chat_id, ids, reply)
            await self._notify_sent(chat_id, ids, reply)

    async def _behind_kept_replies(self, chat_id: Any) -> bool:
        """True while earlier replies to this chat still wait in the outbox."""
        key = str(chat_id)
        if key not in self._kept_chats or self._still_waiting is None:
            return False
        waiting = bool(await call_hook(self._still_waiting, key))
        if not waiting:
            self._kept_chats.discard(key)
        return waiting

    async def _hand_over(self, chat_id: Any, replies: list[Reply]) -> None:
        """Give undelivered replies, in order, to whoever keeps them durably (the outbox)."""
        if self._on_undelivered is None:
            return
        key = str(chat_id)
        self._kept_chats.add(key)
        for reply in replies:
            try:
                kept = await call_hook(self._on_undelivered, key, reply)
            except Exception:  # noqa: BLE001
                self._log.exception("Could not keep an undelivered reply for %s %s", self._chat_label, chat_id)
                return
            if not kept:
                self._log.error("An undelivered reply for %s %s could not be kept%s", self._chat_label, chat_id,
                                self._unkept_detail)

    async def _notify_sent(self, chat_id: Any, ids: list, reply: Reply) -> None:
        if self._on_sent is None or not ids:
            return
        try:
            await call_hook(self._on_sent, str(chat_id), [str(i) for i in ids], reply)
        except Exception:  # noqa: BLE001 - bookkeeping must not hide the delivered reply
            self._log.exception("on_sent hook failed for %s %s", self._chat_label, chat_id)
