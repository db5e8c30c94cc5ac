"""Running a channel adapter until told to stop — the same for every channel."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from bot.common.delivery import maybe_await


class Startable(Protocol):
    async def start(self) -> None: ...

    async def stop(self) -> None: ...


OnStarted = Callable[[Any], Awaitable[None] | None]


async def serve_adapter(adapter: Startable, on_started: OnStarted | None = None,
                        stop_event: asyncio.Event | None = None) -> None:
    """Start ``adapter``, call ``on_started(adapter)``, wait for ``stop_event`` (or cancellation), stop.

    ``on_started`` is the place to give the running adapter to the outbound
    dispatcher. The adapter is stopped however the wait ends.
    """
    await adapter.start()
    try:
        if on_started is not None:
            await maybe_await(on_started(adapter))
        await (stop_event or asyncio.Event()).wait()
    finally:
        await adapter.stop()
