"""Turn Telegram updates into the core's :class:`IncomingMessage`.

Also decides, before any download, whether a file can be accepted: the
person gets a clear answer right away instead of a silent failure.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import PurePath

from telegram import CallbackQuery, Message

from handlers.core.messages import Attachment, IncomingMessage

CHANNEL = "telegram"
# Formats the core can read (conclusions: txt/docx/pdf; lists: xlsx/csv) and photos.
DEFAULT_ACCEPTED_EXTENSIONS = frozenset({".pdf", ".docx", ".xlsx", ".csv", ".txt", ".jpg", ".jpeg", ".png"})

APOLOGY = "Xin lỗi, đã có lỗi khi xử lý tin nhắn. Vui lòng thử lại sau ít phút."
UNSUPPORTED_CONTENT = ("Hiện tại tôi chỉ nhận tin nhắn văn bản, ảnh và tệp tài liệu "
                       "(PDF, Word, Excel, CSV). Anh/Chị vui lòng gửi lại theo một trong các dạng này.")
DOWNLOAD_FAILED = "Xin lỗi, tôi chưa tải được tệp «{name}». Anh/Chị vui lòng gửi lại sau ít phút."
ALREADY_CHOSEN = "Lựa chọn này đã được ghi nhận trước đó."


@dataclass(frozen=True)
class IncomingFile:
    """What Telegram tells about a file before it is downloaded."""

    file_id: str
    file_name: str
    mime_type: str | None
    size: int | None
    kind: str  # "document" or "photo"


def file_of(message: Message) -> IncomingFile | None:
    """The document or (largest) photo in ``message``, if any."""
    if message.document is not None:
        document = message.document
        return IncomingFile(document.file_id, document.file_name or f"tep_{message.message_id}",
                            document.mime_type, document.file_size, "document")
    if message.photo:
        largest = message.photo[-1]
        return IncomingFile(largest.file_id, f"anh_{message.message_id}.jpg", "image/jpeg",
                            largest.file_size, "photo")
    return None


def refusal_for(file: IncomingFile, max_bytes: int,
                accepted_extensions: frozenset[str] = DEFAULT_ACCEPTED_EXTENSIONS) -> str | None:
    """A polite Vietnamese refusal when the file cannot be taken, else None."""
    if file.size is not None and file.size > max_bytes:
        return (f"Tệp «{file.file_name}» có dung lượng {file.size / 1048576:.1f} MB, vượt quá giới hạn "
                f"{max_bytes // 1048576} MB. Anh/Chị vui lòng gửi tệp nhỏ hơn hoặc chia thành nhiều tệp.")
    if file.kind == "photo":
        return None
    if PurePath(file.file_name).suffix.lower() not in accepted_extensions:
        return (f"Tệp «{file.file_name}» có định dạng chưa được hỗ trợ. Anh/Chị vui lòng gửi tệp "
                f"PDF, Word (.docx), Excel (.xlsx), CSV, TXT hoặc ảnh.")
    return None


def from_message(message: Message, attachment: Attachment | None = None) -> IncomingMessage:
    """A text, caption or file message; a reply keeps the id of the message it answers.

    Deep links ("/start <code>") are ordinary text and pass through unchanged.
    """
    user = message.from_user
    reply_to = message.reply_to_message
    return IncomingMessage(
        channel=CHANNEL,
        chat_id=str(message.chat_id),
        sender_id=str(user.id) if user else str(message.chat_id),
        text=message.text or message.caption or "",
        attachment=attachment,
        reply_to_message_id=str(reply_to.message_id) if reply_to is not None else None,
        message_id=str(message.message_id),
        received_at=message.date,
        sender_name=user.full_name if user else None,
        chat_type=str(message.chat.type or "private"),
    )


def from_button(query: CallbackQuery) -> IncomingMessage:
    """A button press. ``reply_to_message_id`` is the message whose button was pressed."""
    message = query.message
    chat_id = message.chat.id if message is not None else query.from_user.id
    return IncomingMessage(
        channel=CHANNEL,
        chat_id=str(chat_id),
        sender_id=str(query.from_user.id),
        button_data=query.data,
        reply_to_message_id=str(message.message_id) if message is not None else None,
        received_at=datetime.now(timezone.utc),
        sender_name=query.from_user.full_name,
        chat_type=str(message.chat.type or "private") if message is not None else "private",
    )
