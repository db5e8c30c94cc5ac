"""The polling lock: one holder per PostgreSQL database, the next one takes over when it lets go.

(The end-to-end proof with two `main.py run` processes and a SIGKILL is
tests/e2e/test_scale_out_e2e.py; this checks the lock itself, fast.)
"""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text

from bot.common.leader import POLL_LOCK_KEY, poll_leadership
from models.db import make_engine


def _free_for_others(engine) -> bool:
    with engine.connect() as conn:
        got = conn.scalar(text("SELECT pg_try_advisory_lock(:k)"), {"k": POLL_LOCK_KEY})
        if got:
            conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": POLL_LOCK_KEY})
        conn.commit()
        return bool(got)


def test_one_poller_at_a_time_then_the_waiting_one_takes_over(db_url):
    engine = make_engine(db_url)
    if engine.dialect.name != "postgresql":
        pytest.skip("advisory locks are PostgreSQL's; SQLite is covered below")

    async def scenario() -> None:
        stop_a, stop_b, stop_c = asyncio.Event(), asyncio.Event(), asyncio.Event()
        second_held = asyncio.Event()

        async def second() -> None:
            async with poll_leadership(engine, stop_b, retry_seconds=0.05) as lead:
                assert lead.held
                second_held.set()
                await lead.ended.wait()

        async with poll_leadership(engine, stop_a, retry_seconds=0.05) as first:
            assert first.held
            waiting = asyncio.create_task(second())
            assert not await asyncio.to_thread(_free_for_others, engine)
            assert not second_held.is_set()
        await asyncio.wait_for(second_held.wait(), 5)  # the first let go: the second polls now
        assert not await asyncio.to_thread(_free_for_others, engine)

        stop_c.set()  # a process told to stop while waiting never becomes the poller
        async with poll_leadership(engine, stop_c, retry_seconds=0.05) as third:
            assert not third.held and third.ended.is_set()

        stop_b.set()
        await asyncio.wait_for(waiting, 5)
        assert await asyncio.to_thread(_free_for_others, engine)

    try:
        asyncio.run(scenario())
    finally:
        engine.dispose()


def test_sqlite_polls_at_once_until_stopped(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'one.db'}")

    async def scenario() -> None:
        stop = asyncio.Event()
        async with poll_leadership(engine, stop) as lead:
            assert lead.held and not lead.ended.is_set()
            stop.set()
            await asyncio.wait_for(lead.ended.wait(), 5)

    asyncio.run(scenario())
    engine.dispose()
