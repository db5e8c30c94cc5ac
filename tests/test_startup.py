"""Start-up problems are one clear Vietnamese line with what to do, never a traceback, never the token."""

from __future__ import annotations

import shutil
import socket

import pytest

from bot.common.startup import check_startup, startup_error_line
from bot.telegram import TelegramAdapter
from settings import Settings
from tests.fakes.echo_core import EchoCore
from tests.fakes.telegram_server import FakeTelegram

TOKEN = "123456:AAHsecret-token-value_1234567890"


def _one_clear_line(line: str | None) -> str:
    assert line and "\n" not in line and "Traceback" not in line
    assert TOKEN not in line and "secret-token" not in line
    return line


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_healthy_setup_passes(tmp_path, sqlite_template):
    shutil.copy(sqlite_template, tmp_path / "bot.db")
    assert check_startup(Settings(_env_file=None, database_url=f"sqlite:///{tmp_path / 'bot.db'}",
                                  telegram_bot_token=TOKEN)) is None


def test_unreachable_database_names_host_and_port_not_the_password():
    url = f"postgresql+psycopg://bot:mat-khau@127.0.0.1:{_closed_port()}/cchc"
    line = _one_clear_line(check_startup(Settings(_env_file=None, database_url=url), timeout=2))
    assert "Không kết nối được cơ sở dữ liệu" in line and "127.0.0.1" in line and "DATABASE_URL" in line
    assert "mat-khau" not in line


def test_read_only_database_file(tmp_path, sqlite_template, monkeypatch):
    shutil.copy(sqlite_template, tmp_path / "bot.db")
    monkeypatch.chdir(tmp_path)  # SQLite's URI form; the tests run as root, so file modes would not stop a write
    url = f"sqlite:///file:{tmp_path / 'bot.db'}?mode=ro&uri=true"
    line = _one_clear_line(check_startup(Settings(_env_file=None, database_url=url)))
    assert "chỉ đọc" in line and "quyền ghi" in line


def test_database_folder_that_cannot_be_created():
    line = _one_clear_line(check_startup(Settings(_env_file=None, database_url="sqlite:////proc/khong-co/bot.db")))
    assert "/proc/khong-co" in line and "DATABASE_URL" in line


def test_malformed_api_address_is_refused_before_starting():
    line = _one_clear_line(check_startup(Settings(_env_file=None, telegram_bot_token=TOKEN,
                                                  telegram_api_base_url="api.telegram.org/bot")))
    assert "TELEGRAM_API_BASE_URL" in line


async def test_a_token_telegram_refuses(sqlite_template):
    async with FakeTelegram() as tg:  # the fake knows another token
        settings = Settings(_env_file=None, telegram_bot_token=TOKEN, telegram_api_base_url=tg.base_url,
                            telegram_file_base_url=tg.file_base_url)
        assert check_startup(settings.model_copy(update={"database_url": f"sqlite:///{sqlite_template}"})) is None
        adapter = TelegramAdapter(settings, EchoCore())
        with pytest.raises(Exception) as failure:
            await adapter.start()
    line = _one_clear_line(startup_error_line(failure.value, settings))
    assert "TELEGRAM_BOT_TOKEN" in line and "@BotFather" in line


async def test_an_api_address_nobody_answers():
    base = f"http://127.0.0.1:{_closed_port()}/bot"
    settings = Settings(_env_file=None, telegram_bot_token=TOKEN, telegram_api_base_url=base,
                        telegram_file_base_url=base)
    adapter = TelegramAdapter(settings, EchoCore())
    with pytest.raises(Exception) as failure:
        await adapter.start()
    line = _one_clear_line(startup_error_line(failure.value, settings))
    assert base in line and "TELEGRAM_API_BASE_URL" in line


def test_an_unexpected_error_is_one_line_without_the_token():
    settings = Settings(_env_file=None, telegram_bot_token=TOKEN)
    line = _one_clear_line(startup_error_line(RuntimeError(f"boom at /bot{TOKEN}/getMe\nsecond line"), settings))
    assert "boom" in line
