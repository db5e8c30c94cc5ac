"""Zalo channel: the Zalo Bot API (bot-api.zaloplatforms.com) through httpx.

Running Zalo next to Telegram in one event loop::

    stop = asyncio.Event()
    await asyncio.gather(
        serve_telegram(settings, core.handle, on_started_tg, stop_event=stop, on_sent=on_sent_tg, ...),
        serve_zalo(settings, core.handle, on_started_zl, stop_event=stop, on_sent=on_sent_zl, ...),
    )

In webhook mode both channels read ``WEBHOOK_URL``/``WEBHOOK_SECRET``;
Zalo answers on ``/zalo/webhook`` of the same host and needs its own port
(``webhook_port=``) or :meth:`ZaloAdapter.mount_webhook` on a shared app.
"""

from bot.zalo.adapter import ZaloAdapter, zalo_webhook_url
from bot.zalo.client import FileTooLarge, ZaloApiError, ZaloClient, ZaloNetworkError
from bot.zalo.runner import serve_zalo
from bot.zalo.sender import ZALO_LIMITS, ZaloSender

__all__ = [
    "FileTooLarge", "ZALO_LIMITS", "ZaloAdapter", "ZaloApiError", "ZaloClient", "ZaloNetworkError",
    "ZaloSender", "serve_zalo", "zalo_webhook_url",
]
