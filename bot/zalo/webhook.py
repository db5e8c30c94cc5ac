"""The HTTPS endpoint Zalo posts updates to, when running in webhook mode.

Zalo sends each update as one JSON object with the secret given to
``setWebhook`` in the ``X-Bot-Api-Secret-Token`` header. The route compares
it in constant time and answers 403 to a wrong or missing secret before
reading the body. Accepted updates are handed on without waiting for the
core, so Zalo gets its 200 at once; an update Zalo delivers twice (same
event and message id) is acknowledged but passed on only once. Log lines
never contain the body (people's messages) nor the secret.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from bot.common.locks import RecentKeys
from bot.common.webhook_server import WebhookServer as BaseWebhookServer
from bot.common.webhook_server import refuse_wrong_secret
from bot.zalo.incoming import unwrap

SECRET_HEADER = "X-Bot-Api-Secret-Token"
DEFAULT_PATH = "/zalo/webhook"
MAX_BODY = 256 * 1024  # a text or image event is a few hundred bytes

log = logging.getLogger(__name__)

OnUpdate = Callable[[dict], Awaitable[None]]


def update_key(update: dict) -> str | None:
    """``event_name:message_id``, the identity of one delivery (None when Zalo gave no id)."""
    message = update.get("message")
    message_id = message.get("message_id") if isinstance(message, dict) else None
    return f"{update.get('event_name')}:{message_id}" if message_id else None


def add_webhook_route(app: web.Application, path: str, secret: str, on_update: OnUpdate, *,
                      seen: RecentKeys | None = None) -> None:
    """Mount the Zalo webhook at ``path`` on ``app`` (which may also serve other channels)."""
    expected = secret.encode("utf-8")
    seen = seen if seen is not None else RecentKeys(4096)

    async def receive(request: web.Request) -> web.Response:
        refused = refuse_wrong_secret(request, SECRET_HEADER, expected, "Zalo", log)
        if refused is not None:
            return refused
        if request.content_length is not None and request.content_length > MAX_BODY:
            return web.Response(status=413, text="too large")
        try:
            body = await request.json(loads=json.loads)
        except (ValueError, UnicodeDecodeError, web.HTTPException):
            log.warning("Zalo webhook: rejected a request from %s (body is not JSON)", request.remote)
            return web.Response(status=400, text="bad request")
        update = unwrap(body)
        if update is None:
            log.warning("Zalo webhook: rejected a request from %s (no event_name)", request.remote)
            return web.Response(status=400, text="bad request")
        key = update_key(update)
        if key is not None and not seen.add(key):
            log.info("Zalo webhook: %s delivered again; ignored", key)
            return web.Response(status=200, text="ok")
        log.info("Zalo webhook: accepted %s", update["event_name"])
        await on_update(update)
        return web.Response(status=200, text="ok")

    app.router.add_post(path, receive)


class WebhookServer(BaseWebhookServer):
    """Serves an aiohttp app on host:port until stopped."""

    def __init__(self, app: web.Application, host: str, port: int):
        super().__init__(app, host, port, channel="Zalo", logger=log)


def build_webhook_app(path: str, secret: str, on_update: OnUpdate) -> web.Application:
    app = web.Application(client_max_size=MAX_BODY)
    add_webhook_route(app, path, secret, on_update)
    return app
