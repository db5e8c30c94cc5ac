"""A thin async client for the Zalo Bot API (https://bot.zaloplatforms.com/docs).

Every method is ``POST <base>/bot<TOKEN>/<method>`` with a JSON body, and
every answer is an envelope ``{"ok": bool, "result": …, "error_code": int,
"description": str}``. An HTTP 200 is not success on its own: ``ok`` must be
true. This module only speaks HTTP; pacing, retries and rendering live in
``sender.py``.

The token sits in every URL, so nothing here ever puts a URL (or an httpx
exception text, which may contain one) into an error message or a log line.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

#: ``error_code`` Zalo returns when a long poll ends without an update.
POLL_TIMEOUT_CODE = 408


class ZaloApiError(Exception):
    """The API answered but refused the call (``ok`` false or a non-2xx status)."""

    def __init__(self, method: str, status: int, error_code: int | None, description: str,
                 retry_after: float | None = None):
        super().__init__(f"{method}: {error_code or status} {description}")
        self.method = method
        self.status = status  # HTTP status
        self.error_code = error_code if error_code is not None else status
        self.description = description
        self.retry_after = retry_after

    @property
    def is_poll_timeout(self) -> bool:
        return self.error_code == POLL_TIMEOUT_CODE or self.status == POLL_TIMEOUT_CODE


class ZaloNetworkError(Exception):
    """The API could not be reached or did not answer in time (the request may or may not have arrived)."""

    def __init__(self, method: str, reason: str):
        super().__init__(f"{method}: {reason}")
        self.method = method
        self.reason = reason


def _float_or_none(value: Any) -> float | None:
    try:
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None


class ZaloClient:
    """One connection pool to the Bot API, shared by polling and sending."""

    def __init__(self, token: str, base_url: str = "https://bot-api.zaloplatforms.com/bot", *,
                 timeout: float = 20.0, connect_timeout: float = 5.0):
        if not token:
            raise ValueError("ZALO_BOT_TOKEN chưa được cấu hình")
        self._prefix = f"{base_url.rstrip('/')}{token}/"
        self._timeout = httpx.Timeout(timeout, connect=connect_timeout)
        self._http = httpx.AsyncClient(timeout=self._timeout, follow_redirects=False)
        self._downloads = httpx.AsyncClient(timeout=httpx.Timeout(60.0, connect=connect_timeout),
                                            follow_redirects=True)

    async def aclose(self) -> None:
        await self._http.aclose()
        await self._downloads.aclose()

    async def __aenter__(self) -> "ZaloClient":
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # ----------------------------------------------------------------- core
    async def call(self, method: str, params: dict[str, Any] | None = None, *,
                   read_timeout: float | None = None) -> Any:
        """Call ``method``; the ``result`` on success, else :class:`ZaloApiError` / :class:`ZaloNetworkError`."""
        timeout = self._timeout if read_timeout is None else httpx.Timeout(
            read_timeout, connect=self._timeout.connect)
        try:
            response = await self._http.post(self._prefix + method, json=params or {}, timeout=timeout)
        except httpx.TimeoutException:
            raise ZaloNetworkError(method, "timed out") from None
        except httpx.HTTPError as error:  # connection refused/reset, protocol errors …
            raise ZaloNetworkError(method, type(error).__name__) from None
        return self._result(method, response)

    @staticmethod
    def _result(method: str, response: httpx.Response) -> Any:
        try:
            body = response.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            body = None
        if not isinstance(body, dict):
            description = "unreadable answer" if response.is_success else response.reason_phrase or "error"
            if response.is_success:
                # A proxy page or similar: treat like a server error, the call may be retried.
                raise ZaloApiError(method, 502, None, description)
            raise ZaloApiError(method, response.status_code, None, description,
                               _float_or_none(response.headers.get("Retry-After")))
        if response.is_success and body.get("ok") is True:
            return body.get("result")
        parameters = body.get("parameters") if isinstance(body.get("parameters"), dict) else {}
        retry_after = _float_or_none(parameters.get("retry_after")) or _float_or_none(
            response.headers.get("Retry-After"))
        code = body.get("error_code")
        raise ZaloApiError(method, response.status_code, int(code) if isinstance(code, int) else None,
                           str(body.get("description") or response.reason_phrase or "error"), retry_after)

    # ------------------------------------------------------------- methods
    async def get_me(self) -> dict:
        return await self.call("getMe")

    async def get_updates(self, timeout: int = 30) -> list[dict]:
        """One long poll. Zalo answers with a single update per call (not a list
        as Telegram does) and with error 408 when none came; both end up here as
        a list, empty on timeout. There is no offset: an update handed out is gone.
        """
        try:
            result = await self.call("getUpdates", {"timeout": str(int(timeout))}, read_timeout=timeout + 10)
        except ZaloApiError as error:
            if error.is_poll_timeout:
                return []
            raise
        if isinstance(result, list):  # tolerated should the API ever batch
            return [u for u in result if isinstance(u, dict)]
        return [result] if isinstance(result, dict) and result else []

    async def send_message(self, chat_id: str, text: str) -> dict:
        return await self.call("sendMessage", {"chat_id": str(chat_id), "text": text}) or {}

    async def send_photo(self, chat_id: str, photo_url: str, caption: str | None = None) -> dict:
        params: dict[str, Any] = {"chat_id": str(chat_id), "photo": photo_url}
        if caption:
            params["caption"] = caption
        return await self.call("sendPhoto", params) or {}

    async def send_chat_action(self, chat_id: str, action: str = "typing") -> None:
        await self.call("sendChatAction", {"chat_id": str(chat_id), "action": action})

    async def set_webhook(self, url: str, secret_token: str) -> Any:
        return await self.call("setWebhook", {"url": url, "secret_token": secret_token})

    async def delete_webhook(self) -> Any:
        return await self.call("deleteWebhook")

    async def get_webhook_info(self) -> dict:
        return await self.call("getWebhookInfo") or {}

    # ------------------------------------------------------------ download
    async def download(self, url: str, max_bytes: int) -> tuple[bytes, str | None]:
        """Fetch an image a person sent (a URL in the update) without reading past ``max_bytes``.

        Raises :class:`FileTooLarge` as soon as the size is known to exceed
        the limit, :class:`ZaloNetworkError` when it cannot be fetched.
        """
        try:
            async with self._downloads.stream("GET", url) as response:
                if not response.is_success:
                    raise ZaloNetworkError("download", f"HTTP {response.status_code}")
                declared = response.headers.get("Content-Length")
                if declared and declared.isdigit() and int(declared) > max_bytes:
                    raise FileTooLarge(int(declared))
                chunks: list[bytes] = []
                size = 0
                async for chunk in response.aiter_bytes():
                    size += len(chunk)
                    if size > max_bytes:
                        raise FileTooLarge(size)
                    chunks.append(chunk)
                mime = response.headers.get("Content-Type", "").split(";")[0].strip() or None
                return b"".join(chunks), mime
        except httpx.TimeoutException:
            raise ZaloNetworkError("download", "timed out") from None
        except httpx.HTTPError as error:
            raise ZaloNetworkError("download", type(error).__name__) from None


class FileTooLarge(Exception):
    """A download was stopped because it exceeds the size limit (``size`` is what was seen so far)."""

    def __init__(self, size: int):
        super().__init__(f"file larger than the limit ({size} bytes seen)")
        self.size = size
