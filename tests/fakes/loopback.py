"""What every fake messenger API server shares: serving on 127.0.0.1 and being driven by tests.

:class:`LoopbackApiServer` runs an aiohttp app either on the test's event
loop (``async with``) or in a daemon thread with its own loop
(``start_in_thread`` / ``stop``), can go down and come back on the same
port, injects faults (``fail_next``, ``fail_for``) and records calls, with
``wait_for_*`` helpers for tests. A call counts as made once its effect is
in place (the message stored, the webhook set) and its answer is ready, so a
test that waits for a call never looks before the effect; ``started=True``
also shows calls still in progress (a long poll that is waiting). Subclasses (``FakeTelegram``,
``FakeZalo``) add their routes and imitate one messenger's API.
"""

from __future__ import annotations

import asyncio
import copy
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Self

import aiohttp
from aiohttp import web


class ApiError(Exception):
    """An error answer; ``status`` is both the HTTP status and ``error_code`` unless ``http_status`` says otherwise."""

    def __init__(self, status: int, description: str, retry_after: int | None = None,
                 http_status: int | None = None):
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after
        self.http_status = http_status if http_status is not None else status

    def payload(self) -> dict:
        """The JSON error body, shaped like the Bot APIs' ``{"ok": false, ...}``."""
        body: dict[str, Any] = {"ok": False, "error_code": self.status, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


@dataclass
class ApiCall:
    """One request the bot made, as the server saw it."""

    method: str
    params: dict
    at: float  # time.time() when the request arrived
    status: int = 200
    description: str | None = None
    done: bool = False  # set once the call's effect is in place and its answer is ready


@dataclass
class Fault:
    """An injected error answer; ``remaining`` counts the calls it still applies to."""

    status: int
    retry_after: int | None
    description: str | None
    remaining: int


def listen_socket(host: str, port: int) -> socket.socket:
    """A bound, listening, non-blocking socket (``port=0`` picks a free one)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    sock.setblocking(False)
    return sock


class LoopbackApiServer:
    """Lifecycle, outages, fault injection and call records of a fake Bot API server.

    Subclasses implement :meth:`_add_routes` and ``sent_messages(chat_id)``,
    and append to ``_calls``, ``_sent``, ``_updates`` under ``_lock``.
    """

    #: Name of the thread ``start_in_thread`` runs the server in.
    thread_name = "fake-api"
    #: Largest request body the app accepts.
    client_max_size = 8 * 1024 * 1024
    #: Cancel a handler when its client goes away (aiohttp's default is not to).
    handler_cancellation = False

    def __init__(self, token: str, *, host: str = "127.0.0.1", port: int = 0, webhook_retry_delay: float = 0.3):
        self.token = token
        self.host = host
        self.port = port
        self.webhook_retry_delay = webhook_retry_delay
        self._lock = threading.RLock()
        self._updates: list[dict] = []
        self._sent: list[Any] = []
        self._calls: list[Any] = []
        self._webhook: dict[str, Any] = {}
        self._faults: dict[str, list[Fault]] = {}
        self._fail_until: tuple[float, int, str | None] | None = None
        self._listeners: list[Callable[[Any], None]] = []
        # runtime
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self._server: asyncio.AbstractServer | None = None
        self._update_event: asyncio.Event | None = None
        self._webhook_task: asyncio.Task | None = None
        self._session: aiohttp.ClientSession | None = None
        self._down = False
        self._closing = False

    def _add_routes(self, app: web.Application) -> None:
        raise NotImplementedError

    # ------------------------------------------------------------- lifecycle
    async def start(self) -> Self:
        """Serve on the running loop; ``port=0`` picks a free port."""
        self._loop = asyncio.get_running_loop()
        self._update_event = asyncio.Event()
        app = web.Application(client_max_size=self.client_max_size, middlewares=[self._outage_middleware])
        self._add_routes(app)
        self._runner = web.AppRunner(app, handle_signals=False, access_log=None,
                                     handler_cancellation=self.handler_cancellation)
        await self._runner.setup()
        sock = listen_socket(self.host, self.port)
        self.port = sock.getsockname()[1]
        self._server = await self._loop.create_server(self._runner.server, sock=sock)
        self._session = aiohttp.ClientSession()
        return self

    async def aclose(self) -> None:
        """Stop serving and release the port."""
        self._closing = True
        self._wake()
        if self._webhook_task:
            self._webhook_task.cancel()
        if self._server:
            self._server.close()
        self._abort_connections()
        if self._runner:
            await self._runner.cleanup()
        if self._session:
            await self._session.close()

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    @classmethod
    def start_in_thread(cls, **kwargs: Any) -> Self:
        """Run a server in a daemon thread with its own loop; returns once it listens."""
        fake = cls(**kwargs)
        ready = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(fake.start())
            except BaseException as exc:  # noqa: BLE001 - reported to the starting thread
                failure.append(exc)
                ready.set()
                return
            ready.set()
            loop.run_forever()
            loop.run_until_complete(fake.aclose())
            loop.close()

        fake._thread = threading.Thread(target=run, name=cls.thread_name, daemon=True)
        fake._thread.start()
        ready.wait(10)
        if failure:
            raise failure[0]
        return fake

    def stop(self) -> None:
        """Stop a server started with :meth:`start_in_thread`."""
        if self._thread is None:
            raise RuntimeError("started with `await start()`; use `await aclose()`")
        assert self._loop is not None
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._thread = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _on_loop(self, fn: Callable[[], Any]) -> None:
        """Run ``fn`` on the server's loop, waiting for it when called from another thread."""
        assert self._loop is not None, "server not started"
        if self._thread is not None and threading.current_thread() is not self._thread:
            done = threading.Event()

            def call() -> None:
                try:
                    fn()
                finally:
                    done.set()

            self._loop.call_soon_threadsafe(call)
            done.wait(10)
        else:
            fn()

    def _wake(self) -> None:
        """Wake long polls and the webhook sender (safe from any thread)."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return

        def wake() -> None:
            if self._update_event is not None:
                self._update_event.set()
                self._update_event = asyncio.Event()

        if self._thread is None or threading.current_thread() is self._thread:
            wake()
        else:
            loop.call_soon_threadsafe(wake)

    def _abort_connections(self) -> None:
        if self._runner and self._runner.server:
            for handler in self._runner.server.connections:
                transport = handler.transport
                if transport is not None:
                    transport.abort()

    # -------------------------------------------------------- fault injection
    def fail_next(self, method: str = "*", status: int = 429, retry_after: int | None = None,
                  times: int = 1, description: str | None = None) -> None:
        """The next ``times`` calls of ``method`` ("*" = any) fail with ``status``."""
        with self._lock:
            self._faults.setdefault(method.lower(), []).append(Fault(status, retry_after, description, times))

    def fail_for(self, seconds: float, status: int = 500, method: str | None = None) -> None:
        """Every call (or every call of ``method``) fails with ``status`` for ``seconds``."""
        with self._lock:
            self._fail_until = (time.monotonic() + seconds, status, method.lower() if method else None)

    def go_down(self) -> None:
        """Refuse connections: close the listening socket and cut open connections."""
        def down() -> None:
            self._down = True
            if self._server:
                self._server.close()
                self._server = None
            self._abort_connections()

        self._on_loop(down)

    def come_back(self) -> None:
        """Listen again on the same port."""
        if not self._down:
            return
        sock = listen_socket(self.host, self.port)
        assert self._loop is not None and self._runner is not None
        runner, loop = self._runner, self._loop

        async def serve() -> None:
            self._server = await loop.create_server(runner.server, sock=sock)

        def up() -> None:
            self._down = False
            self._serving = loop.create_task(serve())  # keep a reference until it runs

        self._on_loop(up)
        if self._thread is not None and threading.current_thread() is not self._thread:
            deadline = time.monotonic() + 5
            while self._server is None and time.monotonic() < deadline:
                time.sleep(0.005)

    @property
    def is_down(self) -> bool:
        return self._down

    # ------------------------------------------------------- what bot did
    def sent_messages(self, chat_id: Any = None) -> list:
        raise NotImplementedError

    def calls(self, method: str | None = None, *, started: bool = False) -> list:
        """Every finished API request in arrival order (optionally of one method, case-insensitive);
        ``started=True`` includes requests still being answered."""
        with self._lock:
            return [c for c in self._calls if (started or c.done)
                    and (method is None or c.method.lower() == method.lower())]

    def pending_updates(self) -> list[dict]:
        with self._lock:
            return copy.deepcopy(self._updates)

    def webhook_info(self) -> dict:
        with self._lock:
            return dict(self._webhook)

    def on_bot_message(self, listener: Callable[[Any], None]) -> None:
        """Call ``listener`` (on the server's thread) for every message the bot sends (or edits)."""
        self._listeners.append(listener)

    def _enough(self, chat_id: Any, n: int) -> list:
        messages = self.sent_messages(chat_id)
        if len(messages) < n:
            raise AssertionError(f"expected {n} messages to {chat_id}, got {len(messages)}: "
                                 f"{[m.text for m in messages]}")
        return messages

    async def wait_for_messages(self, chat_id: Any, n: int, timeout: float = 5.0) -> list:
        """Wait until the bot sent at least ``n`` messages to ``chat_id``; return them all."""
        deadline = time.monotonic() + timeout
        while len(self.sent_messages(chat_id)) < n and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        return self._enough(chat_id, n)

    def wait_for_messages_sync(self, chat_id: Any, n: int, timeout: float = 5.0) -> list:
        """Blocking variant for sync tests (server running in a thread)."""
        deadline = time.monotonic() + timeout
        while len(self.sent_messages(chat_id)) < n and time.monotonic() < deadline:
            time.sleep(0.01)
        return self._enough(chat_id, n)

    def _enough_calls(self, method: str, n: int, started: bool = False) -> list:
        found = self.calls(method, started=started)
        if len(found) < n:
            raise AssertionError(f"expected {n} {method} calls, got {len(found)}")
        return found

    async def wait_for_calls(self, method: str, n: int = 1, timeout: float = 5.0, *, started: bool = False) -> list:
        """Wait until ``n`` calls of ``method`` took effect (``started``: arrived)."""
        deadline = time.monotonic() + timeout
        while len(self.calls(method, started=started)) < n and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        return self._enough_calls(method, n, started)

    def wait_for_calls_sync(self, method: str, n: int = 1, timeout: float = 5.0, *, started: bool = False) -> list:
        deadline = time.monotonic() + timeout
        while len(self.calls(method, started=started)) < n and time.monotonic() < deadline:
            time.sleep(0.01)
        return self._enough_calls(method, n, started)

    # ---------------------------------------------------------------- HTTP
    @web.middleware
    async def _outage_middleware(self, request: web.Request, handler: Callable) -> web.StreamResponse:
        if self._down:
            if request.transport is not None:
                request.transport.abort()
            raise web.HTTPServiceUnavailable()
        return await handler(request)

    def _take_fault(self, method: str) -> Fault | None:
        """The injected fault that applies to this call of ``method`` (lower case), if any."""
        with self._lock:
            for key in (method, "*"):
                queue = self._faults.get(key)
                if queue:
                    fault = queue[0]
                    fault.remaining -= 1
                    if fault.remaining <= 0:
                        queue.pop(0)
                    return fault
            if self._fail_until:
                until, status, only = self._fail_until
                if time.monotonic() < until and (only is None or only == method):
                    return Fault(status, None, None, 1)
        return None

