"""Read Zalo updates (from getUpdates or the webhook) into plain events.

An update is one JSON object ``{"event_name": "message.text.received",
"message": {...}}``; the webhook wraps it as ``{"ok": true, "result": {...}}``
(documented) and some deliveries have been seen bare, so both are accepted.
The message carries ``from {id, display_name, is_bot}``, ``chat {id,
chat_type}``, ``message_id``, ``date`` (milliseconds in the documented
sample) and, by kind, ``text``, ``photo``/``photo_url`` + ``caption``,
``sticker`` or ``voice_url``. Replies go to ``chat.id``.

Documented events: text, image, sticker, voice and "unsupported" (what
Zalo sends for content it does not pass to bots, e.g. files or protected
senders). There is no file event, so documents cannot arrive over Zalo.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from handlers.core.messages import Attachment, IncomingMessage

CHANNEL = "zalo"

APOLOGY = "Xin lỗi, đã có lỗi khi xử lý tin nhắn. Vui lòng thử lại sau ít phút."
FILES_ELSEWHERE = ("Xin lỗi, Zalo chưa chuyển loại tin nhắn này (tệp tài liệu, video…) cho tôi. Nếu cần gửi "
                   "tệp, Anh/Chị vui lòng gửi qua Telegram hoặc gửi trực tiếp Văn phòng Sở.")
VOICE_UNSUPPORTED = "Xin lỗi, tôi chưa nghe được tin nhắn thoại. Anh/Chị vui lòng gõ nội dung bằng chữ."
STICKER_REPLY = ("Cảm ơn Anh/Chị! Để hỏi việc, Anh/Chị gõ câu hỏi, ví dụ «việc quá hạn của phòng mình», "
                 "hoặc /huongdan.")
IMAGE_TOO_BIG = ("Ảnh Anh/Chị gửi vượt quá giới hạn {mb} MB. Anh/Chị vui lòng gửi ảnh nhỏ hơn, hoặc gửi tệp "
                 "qua Telegram.")
DOWNLOAD_FAILED = "Xin lỗi, tôi chưa tải được ảnh Anh/Chị gửi. Anh/Chị vui lòng gửi lại sau ít phút."

_KINDS = {
    "message.text.received": "text",
    "message.image.received": "image",
    "message.sticker.received": "sticker",
    "message.voice.received": "voice",
    "message.unsupported.received": "unsupported",
}


@dataclass(frozen=True)
class ZaloEvent:
    """The parts of an update the bot uses."""

    kind: str  # text, image, sticker, voice, unsupported, unknown
    event_name: str
    chat_id: str
    sender_id: str
    message_id: str | None = None
    text: str = ""
    photo_url: str | None = None
    sender_name: str | None = None
    is_bot: bool = False
    chat_type: str | None = None
    received_at: datetime | None = None

    @property
    def key(self) -> str | None:
        """What identifies a delivery, to drop one Zalo sends twice."""
        return f"{self.event_name}:{self.message_id}" if self.message_id else None


def unwrap(body: Any) -> dict | None:
    """The update inside a webhook body or poll result, or None if it is not one."""
    if not isinstance(body, dict):
        return None
    if body.get("ok") is True and isinstance(body.get("result"), dict):
        body = body["result"]
    return body if isinstance(body.get("event_name"), str) else None


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _id(value: Any) -> str | None:
    if isinstance(value, (str, int)) and not isinstance(value, bool) and str(value).strip():
        return str(value).strip()
    return None


def _date(value: Any) -> datetime | None:
    """Zalo's ``date``: milliseconds in its documented sample; seconds accepted too."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        return None
    seconds = value / 1000 if value > 10**11 else value
    try:
        return datetime.fromtimestamp(seconds, tz=timezone.utc)
    except (OverflowError, OSError, ValueError):
        return None


def _photo_url(message: dict) -> str | None:
    for key in ("photo_url", "photo", "url"):
        value = message.get(key)
        if isinstance(value, str) and value.startswith(("http://", "https://")):
            return value
    return None


def parse_update(update: dict) -> ZaloEvent | None:
    """A :class:`ZaloEvent`, or None when the update lacks what a reply needs (chat and sender)."""
    message = update.get("message")
    if not isinstance(message, dict):
        return None
    chat = message.get("chat") if isinstance(message.get("chat"), dict) else {}
    sender = message.get("from") if isinstance(message.get("from"), dict) else {}
    chat_id = _id(chat.get("id")) or _id(sender.get("id"))
    sender_id = _id(sender.get("id")) or chat_id
    if chat_id is None or sender_id is None:
        return None
    event_name = update["event_name"]
    kind = _KINDS.get(event_name, "unknown")
    text = _text(message.get("text")) if kind == "text" else _text(message.get("caption"))
    name = sender.get("display_name") or sender.get("name")
    return ZaloEvent(
        kind=kind, event_name=event_name, chat_id=chat_id, sender_id=sender_id,
        message_id=_id(message.get("message_id")), text=text,
        photo_url=_photo_url(message) if kind == "image" else None,
        sender_name=name if isinstance(name, str) and name.strip() else None,
        is_bot=sender.get("is_bot") is True,
        chat_type=chat.get("chat_type") if isinstance(chat.get("chat_type"), str) else None,
        received_at=_date(message.get("date")),
    )


def to_incoming(event: ZaloEvent, *, button_data: str | None = None, reply_to: str | None = None,
                attachment: Attachment | None = None) -> IncomingMessage:
    """The core's view of ``event``; ``reply_to`` and ``button_data`` come from the adapter's memory."""
    return IncomingMessage(
        channel=CHANNEL, chat_id=event.chat_id, sender_id=event.sender_id, text=event.text,
        button_data=button_data, attachment=attachment, reply_to_message_id=reply_to,
        message_id=event.message_id, received_at=event.received_at or datetime.now(timezone.utc),
        sender_name=event.sender_name, chat_type=(event.chat_type or "private").lower(),
    )
