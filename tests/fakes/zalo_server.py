"""A local fake of the Zalo Bot API, for tests and for chatting by hand.

The bot under test uses its real httpx client pointed at this server
(``ZALO_API_BASE_URL``), so tests exercise the requests and answers
production sees — long polling, webhooks with the secret header, image
downloads, 429 and 5xx answers, outages — without the network. Tests play
the user (``user_sends_text`` …) and read back what the bot did
(``sent_messages``, ``calls``).

What it imitates (from Zalo's Bot API documentation):

* ``POST /bot<TOKEN>/<method>`` with JSON; answers ``{"ok", "result"}`` or
  ``{"ok": false, "error_code", "description"}``;
* ``getUpdates`` returns **one** update per call (no offset) and, when none
  arrives within ``timeout``, ``ok: false`` with ``error_code`` 408;
* ``sendMessage`` text of 1–2000 characters, result ``{message_id, date}``;
  ``sendPhoto`` takes a photo URL; ``sendChatAction`` only ``typing``;
* ``setWebhook`` (secret 8–256 characters) makes the server push each update
  as ``{"ok": true, "result": update}`` with header ``X-Bot-Api-Secret-Token``,
  retrying until the bot answers 2xx; ``getUpdates`` then refuses.

Two ways to run it: ``async with FakeZalo() as zl: ...`` on the test's loop,
or ``FakeZalo.start_in_thread()`` / ``stop()`` for sync tests.
Command line: ``python -m tests.fakes.zalo_server --port 8082``.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import itertools
import json
import sys
import time
from dataclasses import dataclass, replace
from typing import Any

import aiohttp
from aiohttp import web

from tests.fakes.loopback import ApiCall, ApiError, LoopbackApiServer

DEFAULT_TOKEN = "1234567890:ZaloFakeToken_abcdefghijklmnop"
SECRET_HEADER = "X-Bot-Api-Secret-Token"
MAX_TEXT = 2000


@dataclass
class SentMessage:
    """A message the bot sent."""

    message_id: str
    chat_id: str
    kind: str  # "text" or "photo"
    text: str | None  # text, or the photo's caption
    photo_url: str | None
    date: int  # milliseconds


def _now_ms() -> int:
    return int(time.time() * 1000)


class FakeZalo(LoopbackApiServer):
    """The fake Bot API server plus the test-facing API to drive and inspect it."""

    thread_name = "fake-zalo"
    # A long poll whose client went away must not take an update with it,
    # as it would not on the real server.
    handler_cancellation = True

    def __init__(self, token: str = DEFAULT_TOKEN, *, host: str = "127.0.0.1", port: int = 0,
                 webhook_retry_delay: float = 0.3, bot_name: str = "Bot Trợ lý CCHC"):
        super().__init__(token, host=host, port=port, webhook_retry_delay=webhook_retry_delay)
        self.bot_info = {"id": token.split(":", 1)[0], "account_name": bot_name, "account_type": "BASIC",
                         "can_join_groups": False}
        self._message_ids = itertools.count(0x5A10000)
        self._media_ids = itertools.count(1)
        self._sent: list[SentMessage] = []
        self._calls: list[ApiCall] = []
        self._media: dict[str, tuple[bytes, str]] = {}
        self._names: dict[str, str] = {}
        self._blocked: set[str] = set()
        self._webhook = {"url": "", "secret": None, "updated_at": 0, "last_error": None}

    # ------------------------------------------------------------------ URLs
    @property
    def base_url(self) -> str:
        """What the bot uses as ``ZALO_API_BASE_URL`` (the token is appended)."""
        return f"http://{self.host}:{self.port}/bot"

    def env(self) -> dict[str, str]:
        """Environment variables that point the bot's settings at this server."""
        return {"ZALO_BOT_TOKEN": self.token, "ZALO_API_BASE_URL": self.base_url}

    def _add_routes(self, app: web.Application) -> None:
        app.router.add_route("*", "/bot{token}/{method}", self._on_api)
        app.router.add_get("/media/{name}", self._on_media)

    def block_user(self, user_id: str) -> None:
        """Sends to this chat are refused (403)."""
        with self._lock:
            self._blocked.add(str(user_id))

    # ------------------------------------------------------------ users act
    def set_name(self, user_id: str, display_name: str) -> None:
        with self._lock:
            self._names[str(user_id)] = display_name

    def _message(self, user_id: str, chat_id: str | None, **content: Any) -> dict:
        user_id = str(user_id)
        chat = str(chat_id) if chat_id is not None else user_id
        with self._lock:
            name = self._names.get(user_id, f"Người dùng {user_id}")
            return {"from": {"id": user_id, "display_name": name, "is_bot": False},
                    "chat": {"id": chat, "chat_type": "PRIVATE" if chat == user_id else "GROUP"},
                    "message_id": f"{next(self._message_ids):020x}", "date": _now_ms(), **content}

    def _enqueue(self, event_name: str, message: dict, deliver: bool) -> dict:
        update = {"event_name": event_name, "message": message}
        if deliver:
            with self._lock:
                self._updates.append(update)
            self._wake()
        return copy.deepcopy(update)

    def user_sends_text(self, user_id: str, text: str, *, chat_id: str | None = None,
                        deliver: bool = True) -> dict:
        """A person types ``text``. Returns the update (``deliver=False``: built, not queued)."""
        return self._enqueue("message.text.received", self._message(user_id, chat_id, text=text), deliver)

    def user_sends_image(self, user_id: str, data: bytes, *, caption: str | None = None,
                         mime: str = "image/jpeg", chat_id: str | None = None) -> dict:
        """A person sends a photo; its bytes are served at the URL in the update."""
        with self._lock:
            name = f"img{next(self._media_ids)}"
            self._media[name] = (bytes(data), mime)
        content: dict[str, Any] = {"photo_url": f"http://{self.host}:{self.port}/media/{name}"}
        if caption:
            content["caption"] = caption
        return self._enqueue("message.image.received", self._message(user_id, chat_id, **content), True)

    def user_sends_sticker(self, user_id: str) -> dict:
        return self._enqueue("message.sticker.received",
                             self._message(user_id, None, sticker="bfe4c5ee43aaaaf4f3bb"), True)

    def user_sends_voice(self, user_id: str) -> dict:
        return self._enqueue("message.voice.received",
                             self._message(user_id, None, voice_url="https://example.invalid/v.aac"), True)

    def user_sends_unsupported(self, user_id: str) -> dict:
        """What Zalo sends for content it does not pass to bots (a file, a video …)."""
        return self._enqueue("message.unsupported.received", self._message(user_id, None), True)

    # ------------------------------------------------------- what bot did
    def sent_messages(self, chat_id: str | None = None) -> list[SentMessage]:
        """Messages the bot sent, oldest first."""
        with self._lock:
            return [replace(m) for m in self._sent if chat_id is None or m.chat_id == str(chat_id)]

    # ---------------------------------------------------------------- HTTP
    @staticmethod
    async def _read_params(request: web.Request) -> dict:
        params: dict[str, Any] = dict(request.query)
        if request.method == "POST" and request.body_exists:
            if request.content_type == "application/json":
                body = await request.json()
                params.update(body if isinstance(body, dict) else {})
            else:
                params.update({k: v for k, v in (await request.post()).items() if isinstance(v, str)})
        return params

    async def _on_api(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        call = ApiCall(method=method, params={}, at=time.time())
        with self._lock:
            self._calls.append(call)
        try:
            return await self._answer_api(request, call)
        finally:
            call.done = True  # recorded as made only now that its effect is in place

    async def _answer_api(self, request: web.Request, call: ApiCall) -> web.StreamResponse:
        key = call.method.lower()
        try:
            call.params = await self._read_params(request)
        except Exception:  # noqa: BLE001 - a malformed body is the client's problem
            call.params = {}
        if request.match_info["token"] != self.token:
            return self._error(call, ApiError(401, "Unauthorized"))
        fault = self._take_fault(key)
        if fault is not None:
            return self._error(call, ApiError(fault.status, fault.description or _describe_status(fault.status),
                                              fault.retry_after))
        handler = getattr(self, f"_m_{key}", None)
        if handler is None:
            return self._error(call, ApiError(404, "Method not found"))
        try:
            result = handler(call.params)
            if asyncio.iscoroutine(result):
                result = await result
        except ApiError as error:
            return self._error(call, error)
        return web.json_response({"ok": True, "result": result}, dumps=_dumps)

    @staticmethod
    def _error(call: ApiCall, error: ApiError) -> web.Response:
        call.status = error.status
        call.description = error.description
        return web.json_response(error.payload(), status=error.http_status, dumps=_dumps)

    async def _on_media(self, request: web.Request) -> web.StreamResponse:
        with self._lock:
            found = self._media.get(request.match_info["name"])
        if found is None:
            return web.Response(status=404)
        data, mime = found
        return web.Response(body=data, content_type=mime)

    # ------------------------------------------------------------ methods
    def _m_getme(self, params: dict) -> dict:
        return dict(self.bot_info)

    async def _m_getupdates(self, params: dict) -> dict:
        with self._lock:
            if self._webhook["url"]:
                raise ApiError(409, "Conflict: webhook is active; call deleteWebhook to use getUpdates")
        try:
            timeout = max(0.0, float(params.get("timeout") or 30))
        except (TypeError, ValueError):
            raise ApiError(400, "Bad Request: invalid timeout") from None
        deadline = time.monotonic() + timeout
        while True:
            event = self._update_event
            with self._lock:
                if self._updates:
                    return self._updates.pop(0)
            remaining = deadline - time.monotonic()
            if remaining <= 0 or self._closing or event is None:
                # Zalo ends an empty long poll with an error envelope, HTTP 200.
                raise ApiError(408, "Request timeout", http_status=200)
            try:
                await asyncio.wait_for(event.wait(), remaining)
            except asyncio.TimeoutError:
                pass

    def _target_chat(self, params: dict) -> str:
        chat = str(params.get("chat_id") or "").strip()
        if not chat:
            raise ApiError(400, "Bad Request: chat_id is required")
        if chat in self._blocked:
            raise ApiError(403, "Forbidden: the user has blocked the bot")
        return chat

    def _record(self, chat: str, kind: str, text: str | None, photo_url: str | None) -> dict:
        with self._lock:
            sent = SentMessage(message_id=f"{next(self._message_ids):020x}", chat_id=chat, kind=kind,
                               text=text, photo_url=photo_url, date=_now_ms())
            self._sent.append(sent)
        for listener in list(self._listeners):
            try:
                listener(replace(sent))
            except Exception:  # noqa: BLE001 - a listener must not break the server
                pass
        return {"message_id": sent.message_id, "date": sent.date}

    def _m_sendmessage(self, params: dict) -> dict:
        chat = self._target_chat(params)
        text = params.get("text")
        if not isinstance(text, str) or not text.strip():
            raise ApiError(400, "Bad Request: text is required")
        if len(text) > MAX_TEXT:
            raise ApiError(400, "Bad Request: text must be 1-2000 characters")
        return self._record(chat, "text", text, None)

    def _m_sendphoto(self, params: dict) -> dict:
        chat = self._target_chat(params)
        photo = params.get("photo")
        if not isinstance(photo, str) or not photo.startswith(("http://", "https://")):
            raise ApiError(400, "Bad Request: photo must be a URL")
        caption = params.get("caption")
        if caption is not None and (not isinstance(caption, str) or not 1 <= len(caption) <= MAX_TEXT):
            raise ApiError(400, "Bad Request: caption must be 1-2000 characters")
        return self._record(chat, "photo", caption, photo)

    def _m_sendchataction(self, params: dict) -> None:
        self._target_chat(params)
        if params.get("action") != "typing":
            raise ApiError(400, "Bad Request: unsupported action")
        return None

    def _m_setwebhook(self, params: dict) -> dict:
        url, secret = params.get("url"), params.get("secret_token")
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise ApiError(400, "Bad Request: url is required")
        if not isinstance(secret, str) or not 8 <= len(secret) <= 256:
            raise ApiError(400, "Bad Request: secret_token must be 8-256 characters")
        with self._lock:
            self._webhook = {"url": url, "secret": secret, "updated_at": _now_ms(), "last_error": None}
        if self._webhook_task is None or self._webhook_task.done():
            self._webhook_task = asyncio.get_running_loop().create_task(self._push_updates())
        self._wake()
        return {"url": url, "updated_at": self._webhook["updated_at"]}

    def _m_deletewebhook(self, params: dict) -> dict:
        with self._lock:
            self._webhook = {"url": "", "secret": None, "updated_at": _now_ms(), "last_error": None}
        self._wake()
        return {"url": "", "updated_at": self._webhook["updated_at"]}

    def _m_getwebhookinfo(self, params: dict) -> dict:
        with self._lock:
            return {"url": self._webhook["url"], "updated_at": self._webhook["updated_at"]}

    async def _push_updates(self) -> None:
        """Post queued updates to the webhook in order, retrying each until accepted."""
        assert self._session is not None
        while not self._closing:
            event = self._update_event
            with self._lock:
                url, secret = self._webhook["url"], self._webhook["secret"]
                update = copy.deepcopy(self._updates[0]) if self._updates else None
            if not url:
                return
            if update is None:
                if event is not None:
                    await event.wait()
                continue
            error = await _post(self._session, url, {"ok": True, "result": update}, secret)
            with self._lock:
                if error is None and self._updates and self._updates[0] == update:
                    self._updates.pop(0)
                self._webhook["last_error"] = error
            if error is not None:
                await asyncio.sleep(self.webhook_retry_delay)


def _describe_status(status: int) -> str:
    return {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
            429: "Too Many Requests", 500: "Internal Server Error", 502: "Bad Gateway",
            503: "Service Unavailable"}.get(status, "Error")


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


async def _post(session: aiohttp.ClientSession, url: str, body: dict, secret: str | None) -> str | None:
    """POST one webhook body; None on a 2xx answer, else what went wrong."""
    headers = {SECRET_HEADER: secret} if secret else {}
    try:
        async with session.post(url, json=body, headers=headers,
                                timeout=aiohttp.ClientTimeout(total=10)) as response:
            return None if 200 <= response.status < 300 else f"HTTP {response.status}"
    except (aiohttp.ClientError, asyncio.TimeoutError) as error:
        return f"Connection failed: {error.__class__.__name__}"


async def post_update_to_webhook(url: str, update: dict, secret: str | None) -> int:
    """Post ``update`` to a bot's webhook as Zalo would; returns the HTTP status."""
    headers = {SECRET_HEADER: secret} if secret is not None else {}
    async with aiohttp.ClientSession() as session:
        async with session.post(url, json={"ok": True, "result": update}, headers=headers) as response:
            return response.status


def post_update_to_webhook_sync(url: str, update: dict, secret: str | None) -> int:
    """Blocking variant of :func:`post_update_to_webhook` for sync tests."""
    return asyncio.run(post_update_to_webhook(url, update, secret))


# ------------------------------------------------------------------ CLI
def main(argv: list[str] | None = None) -> None:
    """Run the fake server and chat with the bot as a user from the terminal."""
    parser = argparse.ArgumentParser(description="Fake Zalo Bot API server")
    parser.add_argument("--port", type=int, default=8082)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--token", default=DEFAULT_TOKEN)
    parser.add_argument("--user", default="a1b2c3d4e5f607182930", help="user id when a line does not name one")
    args = parser.parse_args(argv)
    fake = FakeZalo.start_in_thread(token=args.token, host=args.host, port=args.port)
    fake.on_bot_message(lambda m: print(f"[bot → {m.chat_id}] {m.text or ''}"
                                        + (f" <ảnh {m.photo_url}>" if m.photo_url else ""), flush=True))
    for key, value in fake.env().items():
        print(f"{key}={value}")
    print("Gõ: [@<user_id>] <văn bản>  |  Ctrl-D để thoát", flush=True)
    try:
        for line in sys.stdin:
            line = line.strip()
            if not line:
                continue
            user = args.user
            if line.startswith("@") and " " in line:
                user, line = line[1:].split(" ", 1)
            fake.user_sends_text(user, line)
    except KeyboardInterrupt:
        pass
    finally:
        fake.stop()


if __name__ == "__main__":
    main()
