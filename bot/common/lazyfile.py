"""A file the core downloads only if it decides to: a lazy ``fetch`` handle.

Adapters used to download every file before asking the core anything, so
a stranger's 19 MB upload was fetched before the stranger check. Now the
adapter hands the core an :class:`~handlers.core.messages.Attachment`
whose ``fetch`` runs the adapter's download coroutine on the adapter's
event loop; the core (in its worker thread) calls it only for a registered
person in a private chat (``handlers/core/boundary.py``).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable

#: Longest wait for one download before the person is told it failed.
FETCH_TIMEOUT = 300.0


def lazy_fetch(download: Callable[[], Awaitable[bytes]]) -> Callable[[], bytes]:
    """A blocking ``fetch()`` that runs ``download()`` on the current event loop.

    Must be created on the loop and called from another thread (the core
    runs in ``asyncio.to_thread``); calling it on the loop itself would
    deadlock, so that is refused.
    """
    loop = asyncio.get_running_loop()
    loop_thread = threading.get_ident()

    def fetch() -> bytes:
        if threading.get_ident() == loop_thread:
            raise RuntimeError("fetch() must be called from a worker thread, not the event loop")
        return asyncio.run_coroutine_threadsafe(download(), loop).result(timeout=FETCH_TIMEOUT)

    return fetch
