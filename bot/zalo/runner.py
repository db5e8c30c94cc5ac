"""Run the Zalo channel until stopped: long polling by default, webhook when configured.

Mirrors ``bot/telegram/runner.py``; ``serve_zalo`` can run next to
``serve_telegram`` in one event loop (see the package docstring).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from bot.base import Handle
from bot.common.logfilter import install_token_redaction
from bot.common.serve import run_until_signal, serve_adapter
from bot.zalo.adapter import OnSent, OnUndelivered, StillWaiting, ZaloAdapter
from bot.zalo.client import ZaloClient
from bot.zalo.sender import ZaloSender
from settings import Settings

OnStarted = Callable[[ZaloAdapter], Awaitable[None] | None]


async def serve_zalo(settings: Settings, handle: Handle, on_started: OnStarted | None = None, *,
                     stop_event: asyncio.Event | None = None, on_sent: OnSent | None = None,
                     **adapter_options: Any) -> None:
    """Run inside an existing event loop until ``stop_event`` is set (or the task is cancelled).

    ``on_started(adapter)`` runs once the channel is up — the place to give
    ``adapter`` (its ``send``) to the outbound dispatcher. ``adapter_options``
    go to :class:`ZaloAdapter` (``on_undelivered``, ``still_waiting``,
    ``use_webhook``, ``webhook_path``, ``webhook_port``, ``photo_url`` …).
    """
    adapter = ZaloAdapter(settings, handle, on_sent=on_sent, **adapter_options)
    await serve_adapter(adapter, on_started, stop_event)


def run_zalo(settings: Settings, handle: Handle, on_started: OnStarted | None = None, *,
             on_sent: OnSent | None = None, on_undelivered: OnUndelivered | None = None,
             still_waiting: StillWaiting | None = None, **adapter_options: Any) -> None:
    """Blocking entry point for a Zalo-only bot: stops cleanly on Ctrl-C or SIGTERM."""
    run_until_signal(lambda stop: serve_zalo(settings, handle, on_started, stop_event=stop, on_sent=on_sent,
                                             on_undelivered=on_undelivered, still_waiting=still_waiting,
                                             **adapter_options))


@asynccontextmanager
async def open_sender(settings: Settings, **sender_options: Any) -> AsyncIterator[ZaloSender]:
    """A sender without polling or webhook, for one-off sends (CLI digests, scripts).

    While the bot runs, use the running adapter's ``send`` instead: one
    sender per process keeps pacing, per-chat order and the numbered choices right.
    """
    if settings.zalo_bot_token is None:
        raise ValueError("ZALO_BOT_TOKEN chưa được cấu hình")
    token = settings.zalo_bot_token.get_secret_value()
    install_token_redaction(token)
    async with ZaloClient(token, settings.zalo_api_base_url) as client:
        yield ZaloSender(client, **sender_options)
