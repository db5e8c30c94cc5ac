"""How hard a channel's sender tries before it gives up.

Both channels retry the same way (bounded exponential back-off, obeying
"retry after" a bounded number of times) and then raise the one
:class:`handlers.core.messages.SendFailed`, so the policy lives here once.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any



#: How a sender waits (``asyncio.sleep``); tests pass a virtual one so no test waits for real.
Sleep = Callable[[float], Awaitable[Any]]
real_sleep: Sleep = asyncio.sleep


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try before giving up on one API call."""

    max_attempts: int = 6  # network errors and 5xx: waits 0.5, 1, 2, 4, 8 s
    base_delay: float = 0.5
    max_delay: float = 8.0
    max_flood_waits: int = 8  # 429 answers obeyed for one call
    max_flood_wait: float = 60.0  # a longer "retry after" is handed back to the caller

    def backoff(self, attempt: int) -> float:
        """Delay before retry number ``attempt`` (1-based), with jitter so chats do not retry in lockstep."""
        delay = min(self.max_delay, self.base_delay * (2 ** (attempt - 1)))
        return delay * random.uniform(0.75, 1.0)

    @classmethod
    def from_settings(cls, settings: Any) -> "RetryPolicy":
        """The policy ``SEND_RETRY_ATTEMPTS`` / ``SEND_RETRY_BASE_SECONDS`` describe."""
        base = float(getattr(settings, "send_retry_base_seconds", cls.base_delay))
        return cls(max_attempts=int(getattr(settings, "send_retry_attempts", cls.max_attempts)), base_delay=base,
                   max_delay=max(base, cls.max_delay * base / cls.base_delay))
