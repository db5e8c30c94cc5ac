"""`run`: serve Telegram and/or Zalo with the reminder scheduler (the root starts the channels).

Start-up failures (a database that cannot be reached, a refused token, an API
address that does not answer) end the command with ONE line on stderr and
exit code 1, never a traceback and never the token (bot.common.startup).
"""

from __future__ import annotations

import logging

import typer

from bot.cli.common import NowOption, parse_now, real_database_line
from bot.cli.errors import _, say_error
from bot.cli.root import Root

EXIT_STARTUP = 1


def register(app: typer.Typer, root: Root) -> None:
    @app.command()
    def run(now: NowOption = None) -> None:
        """Chạy bot trên Telegram và/hoặc Zalo (polling hoặc webhook) cùng bộ lập lịch nhắc việc."""
        from bot.common.startup import check_startup, startup_error_line

        settings = root.load_settings()
        moment = parse_now(now, settings.timezone)
        if settings.telegram_bot_token is None and settings.zalo_bot_token is None:
            typer.echo(_(
                "There is no TELEGRAM_BOT_TOKEN (or ZALO_BOT_TOKEN): set this environment variable (or put it in "
                "the .env file) to the token from @BotFather, or try the bot without a token: python main.py demo"
            ))
            raise typer.Exit(EXIT_STARTUP)
        problem = check_startup(settings)
        if problem:
            say_error(problem)
            raise typer.Exit(EXIT_STARTUP)
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        say_error(real_database_line(settings))
        up: list[bool] = []
        try:
            root.run_channels(settings, moment, lambda: up.append(True))
        except Exception as exc:  # noqa: BLE001 — only failures before the channels are up
            if up:
                raise  # a failure while serving: the one-line handler logs its traceback
            say_error(startup_error_line(exc, settings))
            raise typer.Exit(EXIT_STARTUP) from None
