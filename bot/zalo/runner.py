"""Run the Zalo channel until stopped: long polling by default, webhook when configured.

Mirrors ``bot/telegram/runner.py``; ``serve_zalo`` can run next to
``serve_telegram`` in one event loop (see the package docstring).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from bot.base import Handle
from bot.common.delivery import OnSent
from bot.common.serve import serve_adapter
from bot.zalo.adapter import ZaloAdapter
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
