"""A stand-in for the core (handlers/) in channel tests and benches.

It records what it got and answers predictably, so a channel test can
check the transport alone. The answers every channel test relies on live
here; a test subclasses :class:`EchoCore` for its own scripted words and
echo format.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace

from handlers.core.messages import Button, FetchFailed, IncomingMessage, Reply

PARAGRAPH = ("Đơn vị cần hoàn thành việc cập nhật hồ sơ thủ tục hành chính đúng hạn. " * 7).strip()
LONG_TEXT = "\n\n".join(f"{i:02d}. {PARAGRAPH}" for i in range(20))  # ~10,000 characters


class EchoCore:
    """Stands in for handlers/: records what it got, answers predictably.

    A button press is acknowledged, an attachment named, "dài" answered
    with :data:`LONG_TEXT` and a button, "lỗi" makes the core fail; words in
    :attr:`scripted` get their fixed replies, anything else is echoed.
    """

    #: How the acknowledgement of an attachment names it ("tệp", "ảnh").
    attachment_noun = "tệp"
    #: Fixed replies for exact texts.
    scripted: dict[str, list[Reply]] = {}

    def __init__(self) -> None:
        self.received: list[IncomingMessage] = []

    async def __call__(self, message: IncomingMessage) -> list[Reply]:
        attachment = message.attachment
        if attachment is not None and attachment.data is None and attachment.fetch is not None:
            # As the real core does for a registered person: fetch the bytes off the event loop.
            try:
                data = await asyncio.to_thread(attachment.fetch)
            except FetchFailed as failure:
                return [Reply(text=str(failure))]
            message = replace(message, attachment=replace(attachment, data=data, size=len(data), fetch=None))
        self.received.append(message)
        if message.button_data:
            return [Reply(text=f"Đã ghi nhận: *{message.button_data}*")]
        if message.attachment is not None:
            return [Reply(text=f"Đã nhận {self.attachment_noun} {message.attachment.file_name}")]
        if message.text == "dài":
            return [Reply(text=LONG_TEXT, buttons=[[Button("Xem tiếp", "more:1")]])]
        if message.text == "lỗi":
            raise RuntimeError("core exploded")
        if message.text in self.scripted:
            return list(self.scripted[message.text])
        return self.echo(message)

    def echo(self, message: IncomingMessage) -> list[Reply]:
        return [Reply(text=f"Anh/Chị vừa gửi: *{message.text}*")]
