"""One poller at a time when several bot processes share a PostgreSQL database.

Telegram (and Zalo) long polling must run in exactly one process: two
``getUpdates`` callers terminate each other's requests and an update could be
answered by both. Processes that share a PostgreSQL database therefore elect
the poller with a *session-level* advisory lock (``pg_try_advisory_lock``)
held on a dedicated connection:

* the process that gets the lock polls; the others retry every
  ``retry_seconds`` (5 s) and serve nothing meanwhile;
* if the holder dies, PostgreSQL closes its session and the lock goes with it,
  so a waiting process takes over within one retry (the test asserts < 30 s).
  The session asks the server to probe the client with TCP keepalives, so a
  holder whose machine vanished is noticed in about 30 s too;
* the holder checks its connection every ``check_seconds``: if it broke (the
  database restarted), the lock may already belong to another process, so it
  stops polling and waits to be elected again.

On SQLite (one process by construction) the context is entered at once and
never lost. Migrations use :func:`migration_lock` so two processes started
together do not both create the tables.
"""

from __future__ import annotations

import asyncio
import logging
import zlib
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field

from sqlalchemy import Connection, Engine, text

log = logging.getLogger(__name__)

# Stable 32-bit keys (pg advisory locks take a bigint); crc32 of a name so they read as intent.
POLL_LOCK_KEY = zlib.crc32(b"cchc-bot:polling")
MIGRATION_LOCK_KEY = zlib.crc32(b"cchc-bot:migrations")
RETRY_SECONDS = 5.0
CHECK_SECONDS = 10.0
# Server-side keepalive probes on the lock's session: a vanished holder is dropped in ~10 + 3×5 s.
_KEEPALIVE = ("SET tcp_keepalives_idle = 10", "SET tcp_keepalives_interval = 5", "SET tcp_keepalives_count = 3")


@dataclass
class Leadership:
    """What :func:`poll_leadership` yields.

    ``ended`` is set when the outer ``stop`` is set or the lock is lost: pass it
    as the channels' stop event. ``held`` is False when ``stop`` came while waiting.
    """

    held: bool
    ended: asyncio.Event = field(default_factory=asyncio.Event)
    lost: bool = False


def uses_advisory_locks(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


@asynccontextmanager
async def poll_leadership(engine: Engine, stop: asyncio.Event | None = None, *, key: int = POLL_LOCK_KEY,
                          retry_seconds: float = RETRY_SECONDS,
                          check_seconds: float = CHECK_SECONDS) -> AsyncIterator[Leadership]:
    """Wait until this process may poll, then hold that right for the body.

    ``async with poll_leadership(engine, stop) as lead:`` — if ``lead.held``,
    serve until ``lead.ended``; then leave the block (the lock is released
    when the block ends, or by PostgreSQL if the process dies).
    """
    stop = stop or asyncio.Event()
    if not uses_advisory_locks(engine):
        lead = Leadership(held=True)
        watcher = asyncio.create_task(_relay(stop, lead.ended))
        try:
            yield lead
        finally:
            watcher.cancel()
        return
    conn = await _acquire(engine, key, stop, retry_seconds)
    if conn is None:
        lead = Leadership(held=False)
        lead.ended.set()
        yield lead
        return
    lead = Leadership(held=True)
    log.info("This process now polls the messengers (advisory lock %s held)", key)
    watcher = asyncio.create_task(_watch(conn, stop, lead, check_seconds))
    try:
        yield lead
    finally:
        watcher.cancel()
        await asyncio.to_thread(_release, conn, key)
        log.info("Polling lock %s released", key)


async def _relay(stop: asyncio.Event, ended: asyncio.Event) -> None:
    await stop.wait()
    ended.set()


async def _acquire(engine: Engine, key: int, stop: asyncio.Event, retry_seconds: float) -> Connection | None:
    """A connection holding the lock, or None if ``stop`` was set first."""
    announced = False
    while not stop.is_set():
        try:
            conn = await asyncio.to_thread(_try_lock, engine, key)
        except Exception as error:  # noqa: BLE001 - the database may be restarting: keep trying
            log.warning("Could not ask for the polling lock: %s", error)
            conn = None
        if conn is not None:
            return conn
        if not announced:
            log.info("Another process polls the messengers; this one waits to take over")
            announced = True
        try:
            await asyncio.wait_for(stop.wait(), retry_seconds)
        except asyncio.TimeoutError:
            pass
    return None


def _try_lock(engine: Engine, key: int) -> Connection | None:
    conn = engine.connect()
    try:
        conn.execution_options(isolation_level="AUTOCOMMIT")
        for statement in _KEEPALIVE:
            conn.execute(text(statement))
        if conn.scalar(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}):
            return conn
    except Exception:
        conn.invalidate()
        conn.close()
        raise
    conn.close()
    return None


def _alive(conn: Connection) -> bool:
    try:
        conn.execute(text("SELECT 1"))
        return True
    except Exception:  # noqa: BLE001
        return False


async def _watch(conn: Connection, stop: asyncio.Event, lead: Leadership, check_seconds: float) -> None:
    """End the leadership on ``stop``, or when the lock's connection breaks."""
    while True:
        try:
            await asyncio.wait_for(stop.wait(), check_seconds)
            lead.ended.set()
            return
        except asyncio.TimeoutError:
            pass
        if not await asyncio.to_thread(_alive, conn):
            log.warning("Lost the database connection that held the polling lock; stopping polling")
            lead.lost = True
            lead.ended.set()
            return


def _release(conn: Connection, key: int) -> None:
    """Unlock and drop the connection (never back to the pool with a lock on it)."""
    try:
        conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
    except Exception:  # noqa: BLE001 - a broken connection holds nothing any more
        pass
    conn.invalidate()
    conn.close()


@contextmanager
def migration_lock(engine: Engine, key: int = MIGRATION_LOCK_KEY) -> Iterator[None]:
    """Blocking: one process migrates at a time (a no-op on SQLite)."""
    if not uses_advisory_locks(engine):
        yield
        return
    conn = engine.connect()
    try:
        conn.execution_options(isolation_level="AUTOCOMMIT")
        conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": key})
        yield
    finally:
        _release(conn, key)
