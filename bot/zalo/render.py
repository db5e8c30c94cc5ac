"""Turn a channel-neutral :class:`Reply` into the Zalo messages that carry it.

Zalo bots have plain text only (we do not use its optional markdown mode, so
a person's own ``*`` or ``<b>`` is never reinterpreted), no buttons and no
file upload: ``sendPhoto`` takes a public URL, not bytes. So:

* ``*bold*`` loses its stars;
* buttons become numbered lines ("1. ✅ Đã hoàn thành") that the person
  answers by typing the number;
* a photo goes out with ``sendPhoto`` only when the caller can give it a
  public URL; otherwise (and for documents) a line says where to get it;
* text is split at Zalo's limit of 2000 characters per message, counted in
  UTF-16 units to stay on the safe side for emoji.

Pure functions, no network.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.rendering import buttons_as_numbered, split_text, strip_markup, utf16_len
from handlers.core.messages import Attachment, Reply

MAX_TEXT = 2000  # sendMessage text and sendPhoto caption: 1–2000 characters

CHART_ELSEWHERE = ("(Biểu đồ «{name}» chưa gửi được qua Zalo. Anh/Chị vui lòng xem trên Telegram "
                   "hoặc liên hệ Văn phòng Sở.)")
FILE_ELSEWHERE = ("(Tệp «{name}» chưa gửi được qua Zalo. Anh/Chị vui lòng nhận qua Telegram "
                  "hoặc tại Văn phòng Sở.)")


@dataclass(frozen=True)
class OutgoingPart:
    """One Zalo message: plain text, or a photo (public URL) with an optional caption."""

    text: str
    photo_url: str | None = None


def attachment_notice(attachment: Attachment) -> str:
    """The line shown instead of a file Zalo cannot carry."""
    template = CHART_ELSEWHERE if attachment.kind == "photo" else FILE_ELSEWHERE
    return template.format(name=attachment.file_name)


def reply_text(reply: Reply, *, photo_sent: bool = False) -> str:
    """The whole plain text of ``reply``: notice for a missing file, numbered choices, no markup."""
    body = reply.text or ""
    if reply.attachment is not None and not photo_sent:
        notice = attachment_notice(reply.attachment)
        body = f"{body.rstrip()}\n\n{notice}" if body.strip() else notice
    text, _choices = buttons_as_numbered(Reply(text=body, buttons=reply.buttons))
    return strip_markup(text)


def plan_reply(reply: Reply, photo_url: str | None = None) -> list[OutgoingPart]:
    """The messages that render ``reply``, in sending order.

    ``photo_url`` is where Zalo can fetch the reply's photo; without it the
    photo is replaced by a notice line. Numbered choices end the text, so
    after a split they stay on the last part, next to what they refer to.
    """
    use_photo = photo_url is not None and reply.attachment is not None and reply.attachment.kind == "photo"
    text = reply_text(reply, photo_sent=use_photo)
    if use_photo:
        assert photo_url is not None
        if text.strip() and utf16_len(text) <= MAX_TEXT:
            return [OutgoingPart(text=text, photo_url=photo_url)]
        parts = [OutgoingPart(t) for t in split_text(text, MAX_TEXT, length=utf16_len) if t.strip()]
        return parts + [OutgoingPart(text="", photo_url=photo_url)]
    if not text.strip():
        return []
    return [OutgoingPart(t) for t in split_text(text, MAX_TEXT, length=utf16_len)]
