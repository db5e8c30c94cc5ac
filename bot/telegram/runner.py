"""Run the Telegram channel until stopped: long polling by default, webhook when configured."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from telegram import Bot

from bot.base import Handle
from bot.common.logfilter import install_token_redaction
from bot.common.serve import run_until_signal, serve_adapter
from bot.telegram.adapter import OnSent, OnUndelivered, StillWaiting, TelegramAdapter
from bot.telegram.sender import TelegramSender
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


def run_telegram(settings: Settings, handle: Handle, on_started: OnStarted | None = None, *,
                 on_sent: OnSent | None = None, on_undelivered: OnUndelivered | None = None,
                 still_waiting: StillWaiting | None = None) -> None:
    """Blocking entry point for ``main.py run``: stops cleanly on Ctrl-C or SIGTERM."""
    run_until_signal(lambda stop: serve_telegram(settings, handle, on_started, stop_event=stop, on_sent=on_sent,
                                                 on_undelivered=on_undelivered, still_waiting=still_waiting))


@asynccontextmanager
async def open_sender(settings: Settings, **sender_options: Any) -> AsyncIterator[TelegramSender]:
    """A sender without polling or webhook, for one-off sends (CLI digests, scripts).

    While the bot runs, use the running adapter's ``sender`` instead: one
    sender per process keeps pacing and per-chat order correct.
    """
    if settings.telegram_bot_token is None:
        raise ValueError("TELEGRAM_BOT_TOKEN chưa được cấu hình")
    token = settings.telegram_bot_token.get_secret_value()
    install_token_redaction(token)
    bot = Bot(token, base_url=settings.telegram_api_base_url, base_file_url=settings.telegram_file_base_url)
    async with bot:
        yield TelegramSender(bot, **sender_options)
