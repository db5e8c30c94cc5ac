"""A dispatcher process for the reliability tests: sends the outbox through a
Bot-API-shaped HTTP sink (the fake Telegram server) until nothing is left.

Run: python -m tests.reliability.worker --database-url URL --api URL [--offset S] [--lock-seconds S] [--limit N]

``--offset`` shifts the real clock (seconds) so the run happens inside office
hours whatever the time of day; the shift is the same for every restart, so
lock expiry still works across kills. ``--lock-seconds`` is the claim lease
(renewed while sending); ``--limit`` how many rows one round claims; ``--concurrency`` how many people
are sent to at once.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
from datetime import datetime, timedelta, timezone

import httpx

from handlers.core.messages import Reply
from models.db import make_engine, session_factory
from scheduler.dispatcher import dispatch_once, outstanding
from handlers.core.messages import SendFailed
from settings import Settings


class HttpSender:
    """Posts sendMessage like a Bot API client (a test double of the Telegram sender)."""

    def __init__(self, api: str) -> None:
        self.api = api
        self.client = httpx.AsyncClient(timeout=30)

    async def send(self, chat_id: str, reply: Reply) -> str | None:
        try:
            resp = await self.client.post(f"{self.api}/sendMessage", json={"chat_id": int(chat_id), "text": reply.text})
        except httpx.HTTPError as exc:
            raise SendFailed(str(exc)) from exc
        body = resp.json()
        if not body.get("ok"):
            raise SendFailed(body.get("description", "error"), permanent=resp.status_code in (400, 403))
        return str(body["result"]["message_id"])


async def run(url: str, api: str, offset: float, lock_seconds: float, limit: int = 10, concurrency: int = 1) -> None:
    settings = Settings(_env_file=None, database_url=url)
    factory = session_factory(make_engine(url))
    sender = HttpSender(api)

    def clock() -> datetime:
        return datetime.now(timezone.utc) + timedelta(seconds=offset)

    while True:
        n = await dispatch_once(factory, settings, {"telegram": sender}, clock(), limit=limit, lock_seconds=lock_seconds,
                                concurrency=concurrency)
        if n == 0:
            if outstanding(factory) == 0:
                return
            await asyncio.sleep(0.1)  # in-flight rows of a killed process: wait for their lock to expire


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--database-url", required=True)
    p.add_argument("--api", required=True)
    p.add_argument("--offset", type=float, default=0.0)
    p.add_argument("--lock-seconds", type=float, default=1.0)
    p.add_argument("--limit", type=int, default=10)
    p.add_argument("--concurrency", type=int, default=1)
    a = p.parse_args()
    logging.basicConfig(level=os.environ.get("WORKER_LOG", "WARNING"), format="%(relativeCreated)d %(process)d %(name)s %(message)s")
    asyncio.run(run(a.database_url, a.api, a.offset, a.lock_seconds, a.limit, a.concurrency))


if __name__ == "__main__":
    main()
