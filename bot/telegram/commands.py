"""The command menu Telegram shows next to the text box (published at start-up)."""

from __future__ import annotations

from telegram import BotCommand

COMMANDS: tuple[tuple[str, str], ...] = (
    ("start", "Bắt đầu / đăng ký"),
    ("viec", "Việc của đơn vị"),
    ("hoso", "Hồ sơ sắp đến hạn"),
    ("baocao", "Báo cáo tuần"),
    ("huongdan", "Hướng dẫn"),
    ("ngonngu", "Đổi ngôn ngữ"),
)


def bot_commands() -> list[BotCommand]:
    return [BotCommand(name, description) for name, description in COMMANDS]
