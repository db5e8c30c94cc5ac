"""Run the Telegram channel until stopped: long polling by default, webhook when configured."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from bot.base import Handle
from bot.common.delivery import OnSent
from bot.common.serve import serve_adapter
from bot.telegram.adapter import TelegramAdapter
from settings import Settings

OnStarted = Callable[[TelegramAdapter], Awaitable[None] | None]


async def serve_telegram(settings: Settings, handle: Handle, on_started: OnStarted | None = None, *,
                         stop_event: asyncio.Event | None = None, on_sent: OnSent | None = None,
                         **adapter_options: Any) -> None:
    """Run inside an existing event loop until ``stop_event`` is set (or the task is cancelled).

    ``on_started(adapter)`` runs once the channel is up — the place to start the
    outbound dispatcher with ``adapter.send`` / ``adapter.sender.send_reply``.
    """
    adapter = TelegramAdapter(settings, handle, on_sent=on_sent, **adapter_options)
    await serve_adapter(adapter, on_started, stop_event)
