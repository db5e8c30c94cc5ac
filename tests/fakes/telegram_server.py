"""A local fake of the Telegram Bot API, for tests and for chatting by hand.

The bot under test uses the real python-telegram-bot HTTP stack pointed at
this server (``base_url``/``base_file_url``), so tests exercise exactly the
requests and responses production would see — long polling, multipart
uploads, file downloads, webhooks, flood limits, outages — without the
network. Tests play the user (``user_sends_text`` …) and read back what the
bot did (``sent_messages``, ``calls``).

Two ways to run it:

* inside an asyncio test, on the test's own loop::

      async with FakeTelegram() as tg: ...

* in a background thread, for sync tests that spawn the bot as a process::

      tg = FakeTelegram.start_in_thread(port=8081)
      ...
      tg.stop()

Command line: ``python -m tests.fakes.telegram_server --port 8081``.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import itertools
import json
import math
import sys
import time
from dataclasses import dataclass, field, replace
from typing import Any

import aiohttp
from aiohttp import web

from tests.fakes.loopback import ApiCall, ApiError, LoopbackApiServer

try:  # works both as ``tests.fakes.telegram_server`` and as ``__main__``
    from tests.fakes.telegram_html import EntityParseError, parse_html, utf16_len
except ImportError:  # pragma: no cover - run from inside tests/fakes
    from telegram_html import EntityParseError, parse_html, utf16_len  # type: ignore[no-redef]

DEFAULT_TOKEN = "123456:TEST"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
MAX_DOWNLOAD = 20 * 1024 * 1024  # getFile refuses bigger files on the cloud Bot API
ALL_UPDATE_TYPES_DEFAULT = {"message", "edited_message", "channel_post", "edited_channel_post",
                            "callback_query", "inline_query", "chosen_inline_result",
                            "shipping_query", "pre_checkout_query", "poll", "poll_answer",
                            "my_chat_member", "chat_join_request"}
# Parameters that are always plain strings; every other form value is JSON-decoded when it can be.
_STRING_PARAMS = {"text", "caption", "parse_mode", "callback_query_id", "url", "secret_token",
                  "file_id", "ip_address", "inline_message_id", "language_code", "description",
                  "short_description", "name", "business_connection_id", "message_effect_id"}
_NOT_MODIFIED = ("Bad Request: message is not modified: specified new message content and reply "
                 "markup are exactly the same as a current content and reply markup of the message")


@dataclass
class SentMessage:
    """A message the bot sent, in its current state (edits applied)."""

    message_id: int
    chat_id: int
    kind: str  # "text", "photo", "document"
    text: str | None  # what the person sees: tags removed, entities decoded
    raw_text: str | None  # exactly what the bot sent
    parse_mode: str | None
    entities: list[dict]
    reply_markup: dict | None
    reply_to_message_id: int | None
    date: int
    file_id: str | None = None
    file_name: str | None = None
    edits: int = 0

    @property
    def buttons(self) -> list[list[tuple[str, str | None]]]:
        """(label, callback_data) rows of the inline keyboard, empty when there is none."""
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [[(b.get("text", ""), b.get("callback_data")) for b in row] for row in rows]


@dataclass
class _StoredFile:
    file_id: str
    unique_id: str
    path: str
    data: bytes
    name: str | None = None
    mime: str | None = None


class _Gcra:
    """A rate limit with bursts (generic cell rate algorithm), as Telegram's flood control acts."""

    def __init__(self, per_second: float, burst: int, tolerance: float):
        self.interval = 1.0 / per_second
        self.tau = (burst - 1) * self.interval + tolerance
        self.tat = 0.0

    def check(self, now: float) -> float:
        """0 if allowed now (and counted), else seconds to wait."""
        allowed_at = self.tat - self.tau
        if now < allowed_at:
            return allowed_at - now
        self.tat = max(self.tat, now) + self.interval
        return 0.0


@dataclass
class _Limits:
    chat_per_second: float = 1.0
    chat_burst: int = 3
    group_per_minute: float = 20.0
    overall_per_second: float = 30.0
    tolerance: float = 0.05
    chats: dict = field(default_factory=dict)
    groups: dict = field(default_factory=dict)
    overall: _Gcra | None = None

    def check(self, chat_id: int, now: float) -> float:
        if self.overall is None:
            self.overall = _Gcra(self.overall_per_second, int(self.overall_per_second), self.tolerance)
        chat = self.chats.setdefault(chat_id, _Gcra(self.chat_per_second, self.chat_burst, self.tolerance))
        buckets = [chat, self.overall]
        if chat_id < 0:
            buckets.append(self.groups.setdefault(
                chat_id, _Gcra(self.group_per_minute / 60.0, int(self.group_per_minute), self.tolerance)))
        waits = [b.tat - b.tau - now for b in buckets]
        if max(waits) > 0:
            return max(waits)
        for bucket in buckets:
            bucket.check(now)
        return 0.0


def _decode_param(key: str, value: str) -> Any:
    if key in _STRING_PARAMS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


class FakeTelegram(LoopbackApiServer):
    """The fake Bot API server plus the test-facing API to drive and inspect it."""

    thread_name = "fake-telegram"
    client_max_size = 64 * 1024 * 1024

    def __init__(self, token: str = DEFAULT_TOKEN, *, host: str = "127.0.0.1", port: int = 0,
                 enforce_limits: bool = False, chat_burst: int = 3, strict_chats: bool = False,
                 webhook_retry_delay: float = 0.3):
        super().__init__(token, host=host, port=port, webhook_retry_delay=webhook_retry_delay)
        self.enforce_limits = enforce_limits
        self.strict_chats = strict_chats
        self.bot_id = int(token.split(":", 1)[0]) if token.split(":", 1)[0].isdigit() else 1
        self.bot_user = {"id": self.bot_id, "is_bot": True, "first_name": "Trợ lý CCHC",
                         "username": "cchc_fake_bot", "can_join_groups": True,
                         "can_read_all_group_messages": False, "supports_inline_queries": False}
        self._limits = _Limits(chat_burst=chat_burst)
        self._ids = itertools.count(1)
        self._update_ids = itertools.count(1000)
        self._message_ids = itertools.count(1)
        self._allowed_updates: set[str] = set(ALL_UPDATE_TYPES_DEFAULT)
        self._messages: dict[tuple[int, int], dict] = {}
        self._sent: list[SentMessage] = []
        self._calls: list[ApiCall] = []
        self._files: dict[str, _StoredFile] = {}
        self._files_by_path: dict[str, _StoredFile] = {}
        self._users: dict[int, dict] = {}
        self._blocked: set[int] = set()
        self._callbacks: dict[str, bool] = {}  # id -> answered
        self._commands: list[dict] = []
        self._webhook = {"url": "", "secret": None, "last_error": None}
        self._delay: dict[str | None, float] = {}
        self._drops: list[str | None] = []
        self._poll_generation = 0
        self.rejected_429 = 0
    # ------------------------------------------------------------------ URLs
    @property
    def base_url(self) -> str:
        """What the bot uses as ``base_url`` (PTB appends the token)."""
        return f"http://{self.host}:{self.port}/bot"

    @property
    def file_base_url(self) -> str:
        return f"http://{self.host}:{self.port}/file/bot"

    @property
    def api_url(self) -> str:
        """The full method prefix, token included: ``<api_url>/sendMessage``."""
        return f"{self.base_url}{self.token}"

    def env(self) -> dict[str, str]:
        """Environment variables that point the bot's settings at this server."""
        return {"TELEGRAM_BOT_TOKEN": self.token, "TELEGRAM_API_BASE_URL": self.base_url,
                "TELEGRAM_FILE_BASE_URL": self.file_base_url}

    def _add_routes(self, app: web.Application) -> None:
        app.router.add_route("*", "/bot{token}/{method}", self._on_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._on_file)

    # -------------------------------------------------------- fault injection
    def fail_next(self, method: str, status: int = 429, retry_after: int | None = None,
                  times: int = 1, description: str | None = None) -> None:
        """The next ``times`` calls of ``method`` ("*" = any) fail with ``status``."""
        if status == 429 and retry_after is None:
            retry_after = 1
        super().fail_next(method, status, retry_after, times, description)

    def set_delay(self, seconds: float, method: str | None = None) -> None:
        """Answer every call (or ``method``) only after ``seconds``."""
        with self._lock:
            self._delay[method.lower() if method else None] = seconds

    def drop_connections(self, n: int = 1, method: str | None = None) -> None:
        """Close the connection of the next ``n`` requests without answering (not processed)."""
        with self._lock:
            self._drops.extend([method.lower() if method else None] * n)

    def block_user(self, user_id: int) -> None:
        """The user blocked the bot: sends to them get 403."""
        with self._lock:
            self._blocked.add(int(user_id))

    # ------------------------------------------------------------ users act
    def set_user(self, user_id: int, first_name: str, last_name: str | None = None,
                 username: str | None = None, language_code: str = "vi") -> dict:
        """Give a user a name (otherwise "Người dùng <id>")."""
        user = {"id": int(user_id), "is_bot": False, "first_name": first_name,
                "language_code": language_code}
        if last_name:
            user["last_name"] = last_name
        if username:
            user["username"] = username
        with self._lock:
            self._users[int(user_id)] = user
        return user

    def _user(self, user_id: int) -> dict:
        with self._lock:
            if int(user_id) not in self._users:
                self.set_user(user_id, f"Người dùng {user_id}")
            return dict(self._users[int(user_id)])

    def _chat(self, chat_id: int, user: dict | None = None) -> dict:
        if chat_id < 0:
            return {"id": chat_id, "type": "group", "title": f"Nhóm {-chat_id}"}
        user = user or self._user(chat_id)
        chat = {"id": chat_id, "type": "private", "first_name": user["first_name"]}
        for key in ("last_name", "username"):
            if key in user:
                chat[key] = user[key]
        return chat

    def _user_message(self, user_id: int, chat_id: int | None, reply_to_message_id: int | None,
                      **content: Any) -> dict:
        user = self._user(user_id)
        chat_id = int(chat_id) if chat_id is not None else int(user_id)
        with self._lock:
            message = {"message_id": next(self._message_ids), "date": int(time.time()),
                       "chat": self._chat(chat_id, user), "from": user, **content}
            if reply_to_message_id is not None:
                replied = self._messages.get((chat_id, int(reply_to_message_id)))
                if replied is None:
                    raise ValueError(f"no message {reply_to_message_id} in chat {chat_id} to reply to")
                replied = {k: v for k, v in replied.items() if k != "reply_to_message"}
                message["reply_to_message"] = copy.deepcopy(replied)
            self._messages[(chat_id, message["message_id"])] = message
        return message

    def _enqueue(self, update_body: dict, deliver: bool) -> dict:
        with self._lock:
            update = {"update_id": next(self._update_ids), **update_body}
            if deliver:
                self._updates.append(update)
        self._wake()
        return copy.deepcopy(update)

    def user_sends_text(self, user_id: int, text: str, reply_to_message_id: int | None = None, *,
                        chat_id: int | None = None, deliver: bool = True) -> dict:
        """A person types ``text`` (optionally as a reply). Returns the update.

        ``deliver=False`` builds the update without queueing it (to post it by hand).
        """
        content: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": utf16_len(command)}]
        message = self._user_message(user_id, chat_id, reply_to_message_id, **content)
        return self._enqueue({"message": message}, deliver)

    def user_presses_button(self, user_id: int, message_id: int, callback_data: str, *,
                            chat_id: int | None = None, strict: bool = True,
                            deliver: bool = True) -> dict:
        """A person taps an inline button of the bot's message ``message_id``.

        With ``strict`` (default) the button must currently be shown, as in a
        real client; ``strict=False`` imitates a stale client tapping again.
        """
        chat_id = int(chat_id) if chat_id is not None else int(user_id)
        with self._lock:
            message = self._messages.get((chat_id, int(message_id)))
            if message is None:
                raise ValueError(f"no message {message_id} in chat {chat_id}")
            shown = [b.get("callback_data") for row in
                     (message.get("reply_markup") or {}).get("inline_keyboard", []) for b in row]
            if strict and callback_data not in shown:
                raise ValueError(f"message {message_id} shows no button {callback_data!r} (shown: {shown})")
            query_id = str(next(self._ids) * 7919 + 100000)
            self._callbacks[query_id] = False
            query = {"id": query_id, "from": self._user(user_id), "chat_instance": f"ci{chat_id}",
                     "message": copy.deepcopy(message), "data": callback_data}
        return self._enqueue({"callback_query": query}, deliver)

    def _store_file(self, data: bytes, folder: str, name: str | None, mime: str | None) -> _StoredFile:
        with self._lock:
            number = next(self._ids)
            suffix = ("." + name.rsplit(".", 1)[-1]) if name and "." in name else ""
            stored = _StoredFile(file_id=f"FILE{number:06d}{folder[:3].upper()}", unique_id=f"U{number}",
                                 path=f"{folder}/file_{number}{suffix}", data=bytes(data), name=name, mime=mime)
            self._files[stored.file_id] = stored
            self._files_by_path[stored.path] = stored
        return stored

    def user_sends_document(self, user_id: int, file_name: str, data: bytes,
                            mime: str = "application/octet-stream", *, caption: str | None = None,
                            chat_id: int | None = None) -> dict:
        """A person uploads a file."""
        stored = self._store_file(data, "documents", file_name, mime)
        content: dict[str, Any] = {"document": {"file_id": stored.file_id, "file_unique_id": stored.unique_id,
                                                "file_name": file_name, "mime_type": mime,
                                                "file_size": len(data)}}
        if caption:
            content["caption"] = caption
        return self._enqueue({"message": self._user_message(user_id, chat_id, None, **content)}, True)

    def user_sends_photo(self, user_id: int, data: bytes, *, caption: str | None = None,
                         chat_id: int | None = None) -> dict:
        """A person sends a photo (Telegram offers several sizes; the largest is the original)."""
        stored = self._store_file(data, "photos", "photo.jpg", "image/jpeg")
        thumb = self._store_file(data[:2048], "photos", "thumb.jpg", "image/jpeg")
        sizes = [{"file_id": thumb.file_id, "file_unique_id": thumb.unique_id, "width": 90, "height": 67,
                  "file_size": len(thumb.data)},
                 {"file_id": stored.file_id, "file_unique_id": stored.unique_id, "width": 1280,
                  "height": 960, "file_size": len(data)}]
        content: dict[str, Any] = {"photo": sizes}
        if caption:
            content["caption"] = caption
        return self._enqueue({"message": self._user_message(user_id, chat_id, None, **content)}, True)

    # ------------------------------------------------------- what bot did
    def sent_messages(self, chat_id: int | None = None) -> list[SentMessage]:
        """Messages the bot sent, oldest first, in their current state."""
        with self._lock:
            return [replace(m, entities=list(m.entities), reply_markup=copy.deepcopy(m.reply_markup))
                    for m in self._sent if chat_id is None or m.chat_id == int(chat_id)]

    def file_bytes(self, file_id: str) -> bytes:
        """The bytes of a file the bot or a user uploaded."""
        with self._lock:
            return self._files[file_id].data

    def commands(self) -> list[dict]:
        with self._lock:
            return copy.deepcopy(self._commands)

    # ---------------------------------------------------------------- HTTP
    async def _read_params(self, request: web.Request) -> dict:
        params: dict[str, Any] = {k: _decode_param(k, v) for k, v in request.query.items()}
        if request.method != "POST" or not request.body_exists:
            return params
        if request.content_type == "application/json":
            body = await request.json()
            params.update(body if isinstance(body, dict) else {})
            return params
        form = await request.post()
        for key, value in form.items():
            if isinstance(value, web.FileField):
                params[key] = {"__file__": True, "filename": value.filename,
                               "content_type": value.content_type, "data": value.file.read()}
            else:
                params[key] = _decode_param(key, value)
        return params

    @staticmethod
    def _loggable(params: dict) -> dict:
        return {k: ({"filename": v["filename"], "size": len(v["data"])}
                    if isinstance(v, dict) and v.get("__file__") else copy.deepcopy(v))
                for k, v in params.items()}

    def _take_drop(self, method: str) -> bool:
        with self._lock:
            for i, only in enumerate(self._drops):
                if only is None or only == method:
                    del self._drops[i]
                    return True
        return False

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
            params = await self._read_params(request)
        except Exception:  # noqa: BLE001 - malformed body is the client's problem
            params = {}
        call.params = self._loggable(params)
        if request.match_info["token"] != self.token:
            return self._error(call, ApiError(401, "Unauthorized"))
        if self._take_drop(key):
            call.status = 0
            call.description = "connection dropped"
            if request.transport is not None:
                request.transport.abort()
            return web.Response(status=500)
        delay = self._delay.get(key, self._delay.get(None, 0.0))
        if delay:
            await asyncio.sleep(delay)
        fault = self._take_fault(key)
        if fault is not None:
            if fault.status == 429:
                self.rejected_429 += 1
            return self._error(call, ApiError(fault.status, fault.description or _default_description(
                fault.status, fault.retry_after), fault.retry_after))
        handler = getattr(self, f"_m_{key}", None)
        if handler is None:
            return self._error(call, ApiError(404, "Not Found"))
        try:
            result = handler(params)
            if asyncio.iscoroutine(result):
                result = await result
        except ApiError as error:
            if error.status == 429:
                self.rejected_429 += 1
            return self._error(call, error)
        return web.json_response({"ok": True, "result": result}, dumps=_dumps)

    @staticmethod
    def _error(call: ApiCall, error: ApiError) -> web.Response:
        call.status = error.status
        call.description = error.description
        return web.json_response(error.payload(), status=error.status, dumps=_dumps)

    async def _on_file(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return web.json_response(ApiError(401, "Unauthorized").payload(), status=401)
        with self._lock:
            stored = self._files_by_path.get(request.match_info["path"])
            call = ApiCall(method="download", params={"file_path": request.match_info["path"]}, at=time.time(),
                           done=True)
            self._calls.append(call)
        if stored is None:
            call.status = 404
            return web.json_response(ApiError(404, "Not Found").payload(), status=404)
        return web.Response(body=stored.data, content_type=stored.mime or "application/octet-stream")

    # ------------------------------------------------------------ methods
    def _m_getme(self, params: dict) -> dict:
        return dict(self.bot_user)

    def _m_logout(self, params: dict) -> bool:
        return True

    def _m_close(self, params: dict) -> bool:
        return True

    def _m_sendchataction(self, params: dict) -> bool:
        self._target_chat(params)
        return True

    def _m_setmycommands(self, params: dict) -> bool:
        commands = params.get("commands") or []
        for command in commands:
            name = command.get("command", "")
            if not (1 <= len(name) <= 32) or not name.replace("_", "").isalnum() or name.lower() != name:
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not (1 <= len(command.get("description", "")) <= 256):
                raise ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        with self._lock:
            self._commands = copy.deepcopy(commands)
        return True

    def _m_getmycommands(self, params: dict) -> list:
        return self.commands()

    def _m_deletemycommands(self, params: dict) -> bool:
        with self._lock:
            self._commands = []
        return True

    def _m_setwebhook(self, params: dict) -> bool:
        url = params.get("url") or ""
        with self._lock:
            self._webhook = {"url": url, "secret": params.get("secret_token"), "last_error": None}
            if params.get("allowed_updates") is not None:
                self._allowed_updates = set(params["allowed_updates"]) or set(ALL_UPDATE_TYPES_DEFAULT)
            if params.get("drop_pending_updates"):
                self._updates.clear()
        if url and (self._webhook_task is None or self._webhook_task.done()):
            self._webhook_task = asyncio.get_running_loop().create_task(self._deliver_webhook())
        self._wake()
        return True

    def _m_deletewebhook(self, params: dict) -> bool:
        with self._lock:
            self._webhook = {"url": "", "secret": None, "last_error": None}
            if params.get("drop_pending_updates"):
                self._updates.clear()
        self._wake()
        return True

    def _m_getwebhookinfo(self, params: dict) -> dict:
        with self._lock:
            info = {"url": self._webhook["url"], "has_custom_certificate": False,
                    "pending_update_count": len(self._updates)}
            if self._webhook["last_error"]:
                info["last_error_date"] = int(time.time())
                info["last_error_message"] = self._webhook["last_error"]
        return info

    def _visible_updates(self, offset: int | None, limit: int) -> list[dict]:
        """Confirm updates below ``offset`` and return the next ones allowed (under the lock)."""
        if offset:
            if offset < 0:
                self._updates = self._updates[offset:]
            else:
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
        self._updates = [u for u in self._updates if _update_type(u) in self._allowed_updates]
        return copy.deepcopy(self._updates[:limit])

    async def _m_getupdates(self, params: dict) -> list:
        with self._lock:
            if self._webhook["url"]:
                raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active; "
                                    "use deleteWebhook to delete the webhook first")
            if params.get("allowed_updates") is not None:
                self._allowed_updates = set(params["allowed_updates"]) or set(ALL_UPDATE_TYPES_DEFAULT)
            self._poll_generation += 1
            generation = self._poll_generation
        self._wake()  # a newer poll ends an older one, as on Telegram
        offset = int(params.get("offset") or 0)
        limit = max(1, min(100, int(params.get("limit") or 100)))
        deadline = time.monotonic() + max(0.0, float(params.get("timeout") or 0))
        while True:
            event = self._update_event
            with self._lock:
                if generation != self._poll_generation:
                    raise ApiError(409, "Conflict: terminated by other getUpdates request; make sure "
                                        "that only one bot instance is running")
                updates = self._visible_updates(offset, limit)
            remaining = deadline - time.monotonic()
            if updates or remaining <= 0 or self._closing or event is None:
                return updates
            try:
                await asyncio.wait_for(event.wait(), remaining)
            except asyncio.TimeoutError:
                pass

    async def _deliver_webhook(self) -> None:
        """Push queued updates to the webhook in order, retrying until accepted."""
        assert self._session is not None
        while not self._closing:
            event = self._update_event
            with self._lock:
                url, secret = self._webhook["url"], self._webhook["secret"]
                updates = self._visible_updates(None, 1)
            if not url:
                return
            if not updates:
                if event is not None:
                    await event.wait()
                continue
            update = updates[0]
            error = await _post_update(self._session, url, update, secret)
            with self._lock:
                if error is None:
                    self._updates = [u for u in self._updates if u["update_id"] != update["update_id"]]
                self._webhook["last_error"] = error
            if error is not None:
                await asyncio.sleep(self.webhook_retry_delay)

    # -- sending
    def _target_chat(self, params: dict) -> int:
        raw = params.get("chat_id")
        if raw is None or raw == "":
            raise ApiError(400, "Bad Request: chat_id is empty")
        try:
            chat_id = int(raw)
        except (TypeError, ValueError):
            raise ApiError(400, "Bad Request: chat not found") from None
        if chat_id in self._blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if self.strict_chats and chat_id not in {c for c, _ in self._messages}:
            raise ApiError(400, "Bad Request: chat not found")
        return chat_id

    @staticmethod
    def _formatted(text: str, parse_mode: str | None, limit: int, what: str) -> tuple[str, list[dict]]:
        if (parse_mode or "").lower() == "html":
            try:
                plain, entities = parse_html(text)
            except EntityParseError as error:
                raise ApiError(400, f"Bad Request: {error}") from None
        else:
            plain, entities = text, []
        if utf16_len(plain) > limit:
            raise ApiError(400, f"Bad Request: {what} is too long")
        return plain, entities

    @staticmethod
    def _markup(params: dict) -> dict | None:
        markup = params.get("reply_markup")
        if markup in (None, ""):
            return None
        if not isinstance(markup, dict):
            raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
        for row in markup.get("inline_keyboard", []):
            for button in row:
                if not button.get("text"):
                    raise ApiError(400, "Bad Request: text buttons are unallowed in the inline keyboard")
                data = button.get("callback_data")
                if data is not None and not (1 <= len(str(data).encode("utf-8")) <= MAX_CALLBACK_DATA):
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
        if "inline_keyboard" in markup and not any(markup["inline_keyboard"]):
            return None
        return markup

    def _check_rate(self, chat_id: int) -> None:
        if not self.enforce_limits:
            return
        with self._lock:
            wait = self._limits.check(chat_id, time.monotonic())
        if wait > 0:
            retry_after = max(1, math.ceil(wait))
            raise ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after)

    def _reply_to(self, chat_id: int, params: dict) -> int | None:
        reply = params.get("reply_parameters")
        target = reply.get("message_id") if isinstance(reply, dict) else params.get("reply_to_message_id")
        if target in (None, ""):
            return None
        if (chat_id, int(target)) not in self._messages:
            raise ApiError(400, "Bad Request: message to be replied not found")
        return int(target)

    def _record_bot_message(self, chat_id: int, kind: str, params: dict, content: dict,
                            plain: str | None, entities: list[dict], markup: dict | None,
                            stored: _StoredFile | None, text_key: str) -> dict:
        reply_to = self._reply_to(chat_id, params)
        with self._lock:
            message = {"message_id": next(self._message_ids), "date": int(time.time()),
                       "chat": self._chat(chat_id), "from": dict(self.bot_user), **content}
            if plain is not None:
                message[text_key] = plain
                if entities:
                    message["entities" if text_key == "text" else "caption_entities"] = entities
            if markup:
                message["reply_markup"] = markup
            if reply_to is not None:
                replied = {k: v for k, v in self._messages[(chat_id, reply_to)].items()
                           if k != "reply_to_message"}
                message["reply_to_message"] = copy.deepcopy(replied)
            self._messages[(chat_id, message["message_id"])] = message
            sent = SentMessage(message_id=message["message_id"], chat_id=chat_id, kind=kind, text=plain,
                               raw_text=params.get(text_key), parse_mode=params.get("parse_mode"),
                               entities=list(entities), reply_markup=copy.deepcopy(markup),
                               reply_to_message_id=reply_to, date=message["date"],
                               file_id=stored.file_id if stored else None,
                               file_name=stored.name if stored else None)
            self._sent.append(sent)
        self._notify_listeners(sent)
        return copy.deepcopy(message)

    def _notify_listeners(self, sent: SentMessage) -> None:
        for listener in list(self._listeners):
            try:
                listener(replace(sent))
            except Exception:  # noqa: BLE001 - a listener must not break the server
                pass

    def _m_sendmessage(self, params: dict) -> dict:
        chat_id = self._target_chat(params)
        text = params.get("text")
        if not text or not str(text).strip():
            raise ApiError(400, "Bad Request: message text is empty")
        plain, entities = self._formatted(str(text), params.get("parse_mode"), MAX_TEXT, "message")
        markup = self._markup(params)
        self._check_rate(chat_id)
        return self._record_bot_message(chat_id, "text", params, {}, plain, entities, markup, None, "text")

    def _upload(self, params: dict, field_name: str, folder: str) -> _StoredFile:
        value = params.get(field_name)
        if isinstance(value, dict) and value.get("__file__"):
            if not value["data"]:
                raise ApiError(400, "Bad Request: file must be non-empty")
            return self._store_file(value["data"], folder, value["filename"], value["content_type"])
        if isinstance(value, str) and value in self._files:
            return self._files[value]
        if isinstance(value, str) and value.startswith("attach://"):
            attached = params.get(value[len("attach://"):])
            if isinstance(attached, dict) and attached.get("__file__"):
                return self._store_file(attached["data"], folder, attached["filename"], attached["content_type"])
        raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")

    def _send_file(self, params: dict, kind: str) -> dict:
        chat_id = self._target_chat(params)
        caption = params.get("caption")
        plain, entities = (self._formatted(str(caption), params.get("parse_mode"), MAX_CAPTION, "message caption")
                           if caption else (None, []))
        markup = self._markup(params)
        stored = self._upload(params, kind, "photos" if kind == "photo" else "documents")
        self._check_rate(chat_id)
        if kind == "photo":
            content = {"photo": [{"file_id": stored.file_id, "file_unique_id": stored.unique_id,
                                  "width": 1280, "height": 960, "file_size": len(stored.data)}]}
        else:
            content = {"document": {"file_id": stored.file_id, "file_unique_id": stored.unique_id,
                                    "file_name": stored.name or "file", "file_size": len(stored.data),
                                    **({"mime_type": stored.mime} if stored.mime else {})}}
        return self._record_bot_message(chat_id, kind, params, content, plain, entities, markup, stored, "caption")

    def _m_sendphoto(self, params: dict) -> dict:
        return self._send_file(params, "photo")

    def _m_senddocument(self, params: dict) -> dict:
        return self._send_file(params, "document")

    def _editable(self, params: dict) -> tuple[dict, SentMessage]:
        chat_id = self._target_chat(params)
        message = self._messages.get((chat_id, int(params.get("message_id") or 0)))
        sent = next((m for m in self._sent if m.chat_id == chat_id and message
                     and m.message_id == message["message_id"]), None)
        if message is None or sent is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        return message, sent

    def _apply_edit(self, message: dict, sent: SentMessage, markup: dict | None) -> dict:
        message["edit_date"] = int(time.time())
        if markup:
            message["reply_markup"] = markup
        else:
            message.pop("reply_markup", None)
        sent.reply_markup = copy.deepcopy(markup)
        sent.edits += 1
        self._notify_listeners(sent)
        return copy.deepcopy(message)

    def _m_editmessagetext(self, params: dict) -> dict:
        with self._lock:
            message, sent = self._editable(params)
            if "text" not in message:
                raise ApiError(400, "Bad Request: there is no text in the message to edit")
            text = params.get("text")
            if not text or not str(text).strip():
                raise ApiError(400, "Bad Request: message text is empty")
            plain, entities = self._formatted(str(text), params.get("parse_mode"), MAX_TEXT, "message")
            markup = self._markup(params)
            if plain == message.get("text") and entities == message.get("entities", []) \
                    and markup == message.get("reply_markup"):
                raise ApiError(400, _NOT_MODIFIED)
            message["text"] = plain
            if entities:
                message["entities"] = entities
            else:
                message.pop("entities", None)
            sent.text, sent.raw_text, sent.entities = plain, str(text), list(entities)
            sent.parse_mode = params.get("parse_mode")
            return self._apply_edit(message, sent, markup)

    def _m_editmessagereplymarkup(self, params: dict) -> dict:
        with self._lock:
            message, sent = self._editable(params)
            markup = self._markup(params)
            if markup == message.get("reply_markup"):
                raise ApiError(400, _NOT_MODIFIED)
            return self._apply_edit(message, sent, markup)

    def _m_answercallbackquery(self, params: dict) -> bool:
        query_id = str(params.get("callback_query_id") or "")
        with self._lock:
            if self._callbacks.get(query_id, True):
                raise ApiError(400, "Bad Request: query is too old and response timeout expired "
                                    "or query ID is invalid")
            self._callbacks[query_id] = True
        return True

    def _m_getfile(self, params: dict) -> dict:
        with self._lock:
            stored = self._files.get(str(params.get("file_id") or ""))
        if stored is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        if len(stored.data) > MAX_DOWNLOAD:
            raise ApiError(400, "Bad Request: file is too big")
        return {"file_id": stored.file_id, "file_unique_id": stored.unique_id,
                "file_size": len(stored.data), "file_path": stored.path}


def _update_type(update: dict) -> str:
    return next(k for k in update if k != "update_id")


def _default_description(status: int, retry_after: int | None) -> str:
    if status == 429:
        return f"Too Many Requests: retry after {retry_after}"
    return {400: "Bad Request", 403: "Forbidden", 404: "Not Found", 500: "Internal Server Error",
            502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout"}.get(status, "Error")


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


async def _post_update(session: aiohttp.ClientSession, url: str, update: dict,
                       secret: str | None) -> str | None:
    """POST one update like Telegram does; None on success, else the error text."""
    headers = {SECRET_HEADER: secret} if secret else {}
    try:
        async with session.post(url, json=update, headers=headers,
                                timeout=aiohttp.ClientTimeout(total=10)) as response:
            if 200 <= response.status < 300:
                return None
            return f"Wrong response from the webhook: {response.status} {response.reason}"
    except (aiohttp.ClientError, asyncio.TimeoutError) as error:
        return f"Connection failed: {error.__class__.__name__}"


async def post_update_to_webhook(url: str, update: dict, secret: str | None) -> int:
    """Post ``update`` to a bot's webhook as Telegram would; returns the HTTP status."""
    headers = {SECRET_HEADER: secret} if secret is not None else {}
    async with aiohttp.ClientSession() as session:
        async with session.post(url, json=update, headers=headers) as response:
            return response.status


def post_update_to_webhook_sync(url: str, update: dict, secret: str | None) -> int:
    """Blocking variant of :func:`post_update_to_webhook` for sync tests."""
    return asyncio.run(post_update_to_webhook(url, update, secret))


# ------------------------------------------------------------------ CLI
def _describe(sent: SentMessage) -> str:
    head = f"[bot → {sent.chat_id}] #{sent.message_id}"
    if sent.edits:
        head += " (sửa)"
    body = sent.text or ""
    if sent.kind != "text":
        body = f"<{sent.kind}: {sent.file_name}> {body}"
    lines = [f"{head} {body}"]
    for row in sent.buttons:
        lines.append("    " + "  ".join(f"[{label} = {data}]" for label, data in row))
    return "\n".join(lines)


def _chat_line(fake: FakeTelegram, line: str, default_user: int) -> None:
    """One typed line: "[<user_id>] <text>" or "press [<user_id>] <message_id> <data>"."""
    words = line.split()
    if not words:
        return
    try:
        if words[0] == "press":
            rest = words[1:]
            user = int(rest.pop(0)) if len(rest) == 3 else default_user
            fake.user_presses_button(user, int(rest[0]), rest[1], strict=False)
        elif words[0].isdigit() and len(words) > 1:
            fake.user_sends_text(int(words[0]), line.split(maxsplit=1)[1])
        else:
            fake.user_sends_text(default_user, line)
    except (ValueError, IndexError) as error:
        print(f"! {error}", flush=True)


def main(argv: list[str] | None = None) -> None:
    """Run the fake server and chat with the bot as a user from the terminal."""
    parser = argparse.ArgumentParser(description="Fake Telegram Bot API server")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--token", default=DEFAULT_TOKEN)
    parser.add_argument("--user", type=int, default=1001, help="user id when a line does not start with one")
    parser.add_argument("--enforce-limits", action="store_true")
    args = parser.parse_args(argv)
    fake = FakeTelegram.start_in_thread(token=args.token, host=args.host, port=args.port,
                                        enforce_limits=args.enforce_limits)
    fake.on_bot_message(lambda sent: print(_describe(sent), flush=True))
    for key, value in fake.env().items():
        print(f"{key}={value}")
    print("Gõ: [<user_id>] <văn bản>  |  press [<user_id>] <message_id> <data>  |  Ctrl-D để thoát",
          flush=True)
    try:
        for line in sys.stdin:
            _chat_line(fake, line.strip(), args.user)
    except KeyboardInterrupt:
        pass
    finally:
        fake.stop()


if __name__ == "__main__":
    main()
