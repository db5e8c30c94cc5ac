"""`run`: serve Telegram and/or Zalo with the reminder scheduler (the root starts the channels)."""

from __future__ import annotations

import logging

import typer

from bot.cli.common import NowOption, parse_now, safe_url
from bot.cli.errors import say_error
from bot.cli.root import Root


def register(app: typer.Typer, root: Root) -> None:
    @app.command()
    def run(now: NowOption = None) -> None:
        """Chạy bot trên Telegram và/hoặc Zalo (polling hoặc webhook) cùng bộ lập lịch nhắc việc."""
        settings = root.load_settings()
        moment = parse_now(now, settings.timezone)
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        if settings.telegram_bot_token is None and settings.zalo_bot_token is None:
            typer.echo(
                "Chưa có TELEGRAM_BOT_TOKEN (hoặc ZALO_BOT_TOKEN): đặt biến môi trường này (hoặc trong tệp .env) "
                "bằng token lấy từ @BotFather, hoặc chạy thử không cần token bằng: python main.py demo"
            )
            raise typer.Exit(1)
        say_error(f"(CSDL thật: {safe_url(settings.database_url)})")
        root.run_channels(settings, moment)
