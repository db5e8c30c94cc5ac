"""How long the event loop went without running: a 5 ms sleeper notes every late wake-up.

Used where a test must show that waiting for the database (a locked SQLite
writer) delays only the chat that needs it, never the whole channel.
"""

from __future__ import annotations

import asyncio

TICK = 0.005


class LoopWatch:
    """``async with LoopWatch() as watch: …`` then ``watch.worst`` is the longest stall in seconds."""

    def __init__(self) -> None:
        self.lags: list[float] = []
        self._stop = asyncio.Event()
        self._task: asyncio.Task | None = None

    async def __aenter__(self) -> "LoopWatch":
        self._task = asyncio.create_task(self._watch())
        return self

    async def __aexit__(self, *_exc: object) -> None:
        self._stop.set()
        if self._task is not None:
            await self._task

    @property
    def worst(self) -> float:
        return max(self.lags, default=0.0)

    async def _watch(self) -> None:
        loop = asyncio.get_running_loop()
        last = loop.time()
        while not self._stop.is_set():
            await asyncio.sleep(TICK)
            now = loop.time()
            self.lags.append(now - last - TICK)
            last = now
