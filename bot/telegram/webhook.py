"""The HTTPS endpoint Telegram posts updates to, when running in webhook mode.

Our own small aiohttp route rather than PTB's built-in server, so that we
control exactly what is checked and logged: the secret header is compared
in constant time, a wrong or missing secret gets 403, and a log line
records each attempt without its body (which holds people's messages).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from bot.common.webhook_server import WebhookServer as BaseWebhookServer
from bot.common.webhook_server import refuse_wrong_secret

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
log = logging.getLogger(__name__)

OnUpdate = Callable[[dict], Awaitable[None]]


def add_webhook_route(app: web.Application, path: str, secret: str, on_update: OnUpdate) -> None:
    """Mount the webhook on an existing aiohttp app (to share a port with other channels)."""
    expected = secret.encode("utf-8")

    async def receive(request: web.Request) -> web.Response:
        refused = refuse_wrong_secret(request, SECRET_HEADER, expected, "Telegram", log)
        if refused is not None:
            return refused
        try:
            update = await request.json(loads=json.loads)
        except (ValueError, UnicodeDecodeError):
            log.warning("Telegram webhook: rejected a request from %s (body is not JSON)", request.remote)
            return web.Response(status=400, text="bad request")
        if not isinstance(update, dict) or not isinstance(update.get("update_id"), int):
            log.warning("Telegram webhook: rejected a request from %s (no update_id)", request.remote)
            return web.Response(status=400, text="bad request")
        log.info("Telegram webhook: accepted update %s from %s", update["update_id"], request.remote)
        await on_update(update)
        return web.Response(status=200, text="ok")

    app.router.add_post(path, receive)


def build_webhook_app(path: str, secret: str, on_update: OnUpdate) -> web.Application:
    app = web.Application(client_max_size=1024 * 1024)
    add_webhook_route(app, path, secret, on_update)
    return app


class WebhookServer(BaseWebhookServer):
    """Serves the webhook app on host:port until stopped."""

    def __init__(self, app: web.Application, host: str, port: int):
        super().__init__(app, host, port, channel="Telegram", logger=log)
