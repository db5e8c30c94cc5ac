"""Virtual time for channel tests: waits are checked, not waited.

Senders and the rate limiter take ``clock`` and ``sleep``; a test passes
:meth:`VirtualTime.clock` and :meth:`VirtualTime.sleep` so that "retry after
1 s" moves a virtual clock by one second at once, and the test asserts on
the clock instead of sleeping. Concurrent sleeps add up (the clock is a
sum of waits), so an assertion on it is a lower bound, as it should be.
"""

from __future__ import annotations

import asyncio


class VirtualTime:
    """A clock that moves only when the code under test sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += max(seconds, 0.0)
        await asyncio.sleep(0)  # still let other tasks run
