"""Start-up problems as one clear line: what is wrong and what to do.

A wrong database port, a read-only database file, a refused token or a
mistyped API address used to end the bot with a long traceback that also
printed the token (the traceback is written outside logging, so redaction
never saw it). Here each known failure becomes one Vietnamese line naming
the setting to fix; the token never appears in it (and any other text is
passed through :func:`redact`).

Two entry points for the composition root (``main.py run``):

* :func:`check_startup` before the channels start: settings that cannot work
  (an API address that is not http(s), a token of the wrong shape) and a
  database that cannot be reached or written;
* :func:`startup_error_line` for an exception raised while starting (the
  messenger refusing the token, the API unreachable).

Nothing here imports a messenger SDK: exceptions are recognised by name.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, SQLAlchemyError

from bot.common.logfilter import redact
from handlers.text.i18n import _
from models.db import make_engine
from settings import Settings

_TOKEN_SHAPE = re.compile(r"^\d+:\S+$")
_API_ERRORS = {"NetworkError", "TimedOut", "ConnectError", "ConnectTimeout", "UnsupportedProtocol", "InvalidURL",
               "ZaloNetworkError", "ClientConnectorError"}


def check_startup(settings: Settings, *, timeout: float = 5.0) -> str | None:
    """The first reason the bot cannot start with ``settings`` (one line), or None."""
    return _check_urls(settings) or _check_tokens(settings) or check_database(settings.database_url, timeout)


def _check_urls(settings: Settings) -> str | None:
    for name, value in (("TELEGRAM_API_BASE_URL", settings.telegram_api_base_url),
                        ("TELEGRAM_FILE_BASE_URL", settings.telegram_file_base_url),
                        ("ZALO_API_BASE_URL", settings.zalo_api_base_url)):
        parts = urlsplit(value or "")
        if parts.scheme not in ("http", "https") or not parts.netloc:
            return _bad_url(name, value)
    return None


def _bad_url(name: str, value: str | None) -> str:
    return _("{name} is not a valid address ({value}). Write it as https://host/bot, or remove the variable "
             "to use the default.").format(name=name, value=redact(str(value or "")))


def _check_tokens(settings: Settings) -> str | None:
    token = settings.telegram_bot_token
    if token is not None and not _TOKEN_SHAPE.match(token.get_secret_value().strip()):
        return _bad_token("TELEGRAM_BOT_TOKEN")
    return None


def _bad_token(name: str) -> str:
    return _("{name} was refused or is malformed. Copy the token again (from @BotFather for Telegram, from the "
             "Zalo Bot Platform for Zalo) into .env and start again.").format(name=name)


def check_database(url: str, timeout: float = 5.0) -> str | None:
    """None when the database answers and accepts writes; otherwise what to do about it."""
    try:
        kwargs = {"connect_args": {"connect_timeout": max(1, int(timeout))}} if url.startswith("postgresql") else {}
        engine = make_engine(url, **kwargs)
    except (ArgumentError, OSError) as exc:
        return database_error_line(exc, url)
    try:
        with engine.connect() as conn:
            if engine.dialect.name == "postgresql" and conn.execute(text("SHOW transaction_read_only")).scalar() == "on":
                return _read_only(url)
            # A write that is rolled back (DDL is transactional on both databases): fails on a read-only file.
            sqlite = engine.dialect.name == "sqlite"
            if sqlite:
                conn.exec_driver_sql("BEGIN")  # the driver would not open a transaction for DDL by itself
            conn.exec_driver_sql("CREATE TABLE startup_write_probe (x INTEGER)")
            conn.exec_driver_sql("ROLLBACK") if sqlite else conn.rollback()
    except (SQLAlchemyError, OSError) as exc:
        return database_error_line(exc, url)
    finally:
        engine.dispose()
    return None


def _where(url: str) -> str:
    """host:port/name or the file path, never the password."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return "?"
    if parsed.get_backend_name() == "sqlite":
        return str(parsed.database or ":memory:")
    return f"{parsed.host or 'localhost'}:{parsed.port or 5432}/{parsed.database or ''}"


def _read_only(url: str) -> str:
    return _("The database {where} is read-only. Give the bot's user write access to the file and its folder "
             "(or to the database), then start again.").format(where=_where(url))


def database_error_line(exc: BaseException, url: str) -> str:
    """One line for a database failure at start-up."""
    message = str(getattr(exc, "orig", None) or exc).lower()
    where = _where(url)
    if "readonly" in message or "read-only" in message or "read only" in message:
        return _read_only(url)
    if url.startswith("sqlite") or isinstance(exc, PermissionError):
        folder = str(Path(where).parent) if url.startswith("sqlite") else where
        return _("Cannot open the database file {where}. Check that the folder {folder} exists and the bot may "
                 "write there, or set DATABASE_URL.").format(where=where, folder=folder)
    if "password authentication failed" in message or "authentication" in message:
        return _("The database {where} refused the user name or password. Check DATABASE_URL.").format(where=where)
    if "does not exist" in message and "database" in message:
        return _("The database {where} does not exist. Create it (createdb), or correct the name in "
                 "DATABASE_URL.").format(where=where)
    if isinstance(exc, (DBAPIError, OSError)) or "connect" in message or "timeout" in message:
        return _("Cannot connect to the database {where}. Check that the database server is running and that "
                 "the host and port in DATABASE_URL are right.").format(where=where)
    return _("The database {where} could not be used ({error}). Check DATABASE_URL.").format(
        where=where, error=redact(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)[:200])


def startup_error_line(exc: BaseException, settings: Settings) -> str:
    """One line for an exception raised while the bot starts; the token never appears in it."""
    names = {cls.__name__ for cls in type(exc).__mro__}
    message = str(exc)
    if "InvalidToken" in names or "Unauthorized" in names or "ZALO_BOT_TOKEN" in message:
        return _bad_token("ZALO_BOT_TOKEN" if "ZALO" in message else "TELEGRAM_BOT_TOKEN")
    if names & _API_ERRORS:
        zalo = "Zalo" in type(exc).__name__ or "zalo" in message.lower()
        name = "ZALO_API_BASE_URL" if zalo else "TELEGRAM_API_BASE_URL"
        url = settings.zalo_api_base_url if zalo else settings.telegram_api_base_url
        return _("Cannot reach the messenger API at {url}. Check the network and {name} (remove it to use the "
                 "default), then start again.").format(url=redact(url), name=name)
    if isinstance(exc, (SQLAlchemyError, PermissionError)):
        return database_error_line(exc, settings.database_url)
    first = redact(message.splitlines()[0] if message else type(exc).__name__)[:200]
    return _("The bot could not start: {error}. Check the settings in .env.").format(error=first)
