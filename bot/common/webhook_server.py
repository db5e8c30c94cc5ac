"""Serving a channel's webhook: the aiohttp server and the secret-header check.

Each channel mounts its own route (what it accepts differs); the server
lifecycle and the constant-time comparison of the secret header are the
same for every channel and live here.
"""

from __future__ import annotations

import hmac
import logging

from aiohttp import web

log = logging.getLogger(__name__)


def refuse_wrong_secret(request: web.Request, header: str, expected: bytes, channel: str,
                        logger: logging.Logger) -> web.Response | None:
    """A 403 answer when ``header`` is missing or differs from ``expected`` (compared in constant time)."""
    given = request.headers.get(header)
    if given is not None and hmac.compare_digest(given.encode("utf-8"), expected):
        return None
    logger.warning("%s webhook: rejected a request from %s (%s secret)", channel, request.remote,
                   "missing" if given is None else "wrong")
    return web.Response(status=403, text="forbidden")


class WebhookServer:
    """Serves an aiohttp app on host:port until stopped.

    ``channel`` and ``logger`` only shape the start-up log line, so each
    channel's line keeps its own name and logger.
    """

    def __init__(self, app: web.Application, host: str, port: int, *, channel: str = "",
                 logger: logging.Logger | None = None):
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        self.host = host
        self.port = port
        self._channel = channel
        self._log = logger or log

    async def start(self) -> None:
        await self._runner.setup()
        await web.TCPSite(self._runner, self.host, self.port).start()
        self._log.info("%s webhook listening on %s:%s", self._channel or "Channel", self.host, self.port)

    async def stop(self) -> None:
        await self._runner.cleanup()
