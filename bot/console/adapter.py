"""Terminal chat. Buttons have no native form here, so they are shown as
numbered choices and the person answers with 1, 2, … (or types the button's
label), the same fallback the Zalo adapter uses. Files go both ways as on a
phone: ``/tep PATH`` sends one, and files the bot sends are saved to a folder
and their paths printed."""

from __future__ import annotations

import itertools
import mimetypes
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from handlers.core.messages import Attachment, Button, IncomingMessage, Reply
from handlers.text.fold import fold

FILE_COMMANDS = ("/tep", "/file")

_BOLD = re.compile(r"\*(.+?)\*")


def render(reply: Reply, first_number: int = 1) -> tuple[str, dict[str, str]]:
    """Text of a reply for a terminal, and the number → button-data map."""
    text = _BOLD.sub(lambda m: m.group(1), reply.text)
    choices: dict[str, str] = {}
    lines = [text]
    buttons: list[Button] = list(itertools.chain.from_iterable(reply.buttons))
    for n, button in enumerate(buttons, start=first_number):
        choices[str(n)] = button.data
        lines.append(f"  [{n}] {button.label}")
    if reply.attachment is not None:
        lines.append(f"  (tệp đính kèm: {reply.attachment.file_name})")
    return "\n".join(lines), choices


def _label_key(label: str) -> str:
    """'✅ Lưu tất cả' and 'luu tat ca' compare equal: letters and digits only, folded."""
    return " ".join(re.sub(r"[^\w\s]", " ", fold(label)).split())


def _is_file(path: Path) -> bool:
    return bool(str(path)) and path.is_file()


def save_attachment(attachment: Attachment, folder: Path) -> Path | None:
    """Write a file the bot sent into ``folder`` without overwriting an earlier one."""
    if attachment.data is None:
        return None
    folder.mkdir(parents=True, exist_ok=True)
    name = Path(attachment.file_name or "tep").name
    target = folder / name
    for n in itertools.count(2):
        if not target.exists():
            break
        target = folder / f"{Path(name).stem}-{n}{Path(name).suffix}"
    target.write_bytes(attachment.data)
    return target


class ConsoleChat:
    """Drives the core from stdin/stdout as one person.

    Every plain line counts as a reply to the bot's last message that was
    about something (a reminder, a task), as a thread would on a phone.
    """

    def __init__(
        self,
        handle: Callable[[IncomingMessage], list[Reply]],
        sender_id: str,
        record_sent: Callable[[str, str, str, str], None] | None = None,
        out: TextIO | None = None,
        files_dir: Path | None = None,
    ) -> None:
        self.handle = handle
        self.sender_id = sender_id
        self.record_sent = record_sent
        self.out = out or sys.stdout
        self.files_dir = files_dir
        self.choices: dict[str, str] = {}
        self.labels: dict[str, str] = {}
        self.last_context_message: str | None = None
        self._ids = itertools.count(1)

    def _message(self, text: str) -> IncomingMessage:
        base = dict(channel="console", chat_id=self.sender_id, sender_id=self.sender_id, message_id=str(next(self._ids)))
        stripped = text.strip()
        if stripped in self.choices:
            return IncomingMessage(button_data=self.choices[stripped], **base)
        if _label_key(stripped) in self.labels:
            return IncomingMessage(button_data=self.labels[_label_key(stripped)], **base)
        return IncomingMessage(text=text, reply_to_message_id=self.last_context_message, **base)

    def _next_id(self) -> str:
        return str(next(self._ids))

    def say(self, text: str) -> list[Reply]:
        """Send one line as the person; numbered answers (or a button's label) press the buttons,
        ``/tep PATH`` sends a file."""
        command, _, rest = text.strip().partition(" ")
        if command.lower() in FILE_COMMANDS:
            return self.send_file(Path(rest.strip().strip("\"'")))
        return self._show_all(self.handle(self._message(text)))

    def send_file(self, path: Path, caption: str = "") -> list[Reply]:
        """Send a file from disk as an attachment, as a phone would: a new message, not a
        reply (to attach evidence, press "Cập nhật tiến độ" under the reminder first)."""
        if not _is_file(path):
            print(f"Không tìm thấy tệp {path}. Gõ /tep rồi đường dẫn đến tệp, ví dụ: /tep data/ket-luan.docx", file=self.out)
            print(file=self.out)
            return []
        data = path.read_bytes()
        attachment = Attachment(file_name=path.name, mime_type=mimetypes.guess_type(path.name)[0],
                                data=data, size=len(data))
        msg = IncomingMessage(channel="console", chat_id=self.sender_id, sender_id=self.sender_id,
                              message_id=self._next_id(), text=caption, attachment=attachment)
        return self._show_all(self.handle(msg))

    def _show_all(self, replies: list[Reply]) -> list[Reply]:
        self.choices, self.labels = {}, {}
        for reply in replies:
            rendered, choices = render(reply, first_number=len(self.choices) + 1)
            self.choices.update(choices)
            self._remember_labels(reply)
            self.show(reply, rendered)
        return replies

    def _remember_labels(self, reply: Reply) -> None:
        for button in itertools.chain.from_iterable(reply.buttons):
            self.labels.setdefault(_label_key(button.label), button.data)

    def show(self, reply: Reply, rendered: str | None = None) -> None:
        """Print a reply (also used for notifications the bot sends on its own)."""
        if rendered is None:
            rendered, choices = render(reply, first_number=len(self.choices) + 1)
            self.choices.update(choices)
            self._remember_labels(reply)
        mid = f"c{next(self._ids)}"
        if reply.context_ref:
            self.last_context_message = mid
            if self.record_sent:
                self.record_sent("console", self.sender_id, mid, reply.context_ref)
        print(rendered, file=self.out)
        if reply.attachment is not None and self.files_dir is not None:
            saved = save_attachment(reply.attachment, self.files_dir)
            if saved is not None:
                print(f"  (đã lưu tệp: {saved})", file=self.out)
        print(file=self.out)

    def loop(self, prompt: str | Callable[[], str] = "Bạn: ") -> None:
        """Chat until /thoat or end of input; ``prompt`` may be computed each time
        (who you are, the simulated time)."""
        print("Gõ nội dung rồi nhấn Enter; /tep ĐƯỜNG_DẪN để gửi tệp; /thoat để kết thúc.\n", file=self.out)
        while True:
            try:
                line = input(prompt() if callable(prompt) else prompt)
            except (EOFError, KeyboardInterrupt):
                print(file=self.out)
                return
            if line.strip().lower() in {"/thoat", "/quit", "/exit"}:
                return
            self.say(line)
