"""Argument checks every command shares: moments, files in, files out, which database."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Annotated, Any, Optional
from zoneinfo import ZoneInfo

import typer

from bot.cli.errors import CliError, _, say_error
from bot.cli.root import Root
from settings import Settings

NowOption = Annotated[Optional[str], typer.Option(
    "--now", help="Thời điểm giả lập, ISO (vd. 2026-11-23T09:00), giờ Việt Nam.")]


def parse_now(value: str | None, tz_name: str) -> datetime | None:
    """``--now`` as an aware moment; a malformed value is refused with an example."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise CliError(_("The --now moment is not valid: {value}. Type it as year-month-dayThour:minute, "
                         "for example --now 2026-11-23T09:00.").format(value=repr(value))) from None
    return moment.replace(tzinfo=ZoneInfo(tz_name)) if moment.tzinfo is None else moment


def fixed_clock(moment: datetime | None):
    """A clock frozen at ``moment`` (one-shot commands), or real time."""
    return (lambda: moment) if moment else (lambda: datetime.now(timezone.utc))


def today(settings: Settings, moment: datetime | None = None):
    return (moment or datetime.now(timezone.utc)).astimezone(ZoneInfo(settings.timezone)).date()


def input_file(path: Path, kinds: str) -> Path:
    """An input file that exists; a missing one is refused naming what was expected
    (``kinds``, already translated: "a Conclusion .docx, .pdf, .txt or a photo")."""
    if path.is_dir():
        raise CliError(_("{path} is a folder, not a file. Point to a file: {kinds}.").format(path=path, kinds=kinds))
    if not path.exists():
        raise CliError(_("File {path} was not found. Check the path (a file is needed: {kinds}).").format(
            path=path, kinds=kinds))
    return path


def read_input(path: Path, kinds: str) -> bytes:
    """The bytes of an input file; a missing one is refused naming what was expected."""
    return input_file(path, kinds).read_bytes()


def writable_file(path: Path, kind: str) -> Path:
    """Check before any work that ``--out`` can be written, so nothing is computed for nothing."""
    if path.is_dir():
        raise CliError(_("{path} is a folder; --out needs a {kind} file name, for example --out {example}.").format(
            path=path, kind=kind, example=path / ("ket-qua" + kind)))
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise CliError(_("There is no folder {folder} to write {name} in. Create that folder or choose another --out.")
                       .format(folder=folder, name=path.name))
    existed = path.exists()
    try:
        with path.open("ab"):
            pass
    except OSError:
        raise CliError(_("Cannot write to {path} (no write permission, or a read-only disk). "
                         "Choose --out in another folder.").format(path=path)) from None
    if not existed:
        path.unlink(missing_ok=True)
    return path


def writable_folder(path: Path) -> Path:
    if path.exists() and not path.is_dir():
        raise CliError(_("{path} is a file; --out needs a folder. Choose another --out.").format(path=path))
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError:
        raise CliError(_("Cannot create the folder {path}. Choose --out where writing is allowed.").format(
            path=path)) from None
    if not os.access(path, os.W_OK):
        raise CliError(_("Cannot write to the folder {path} (no write permission). Choose another --out.").format(
            path=path))
    return path


def safe_url(url: str) -> str:
    """The database URL without its password, for messages."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 — a URL the driver would refuse anyway
        return url.split("@")[-1]


@dataclass(frozen=True)
class Database:
    """An opened database and how to name it. Commands call :meth:`announce` once
    they succeeded, so a failing command still prints exactly one line."""

    settings: Settings
    factory: Any
    demo: bool
    note: str = ""  # said after the URL, already translated

    def announce(self) -> None:
        """Say on stderr which database was used, so nobody mistakes demo figures for real ones."""
        if not self.demo:
            say_error(real_database_line(self.settings))
            return
        line = _("demo data: {url}").format(url=safe_url(self.settings.database_url))
        say_error(f"({line}; {self.note})" if self.note else f"({line})")


def real_database_line(settings: Settings) -> str:
    """The line on stderr that ends every command run on the configured database: (real database: URL)."""
    return "(" + _("real database: {url}").format(url=safe_url(settings.database_url)) + ")"


def open_real(root: Root, settings: Settings) -> Database:
    return Database(settings, root.open_database(settings), demo=False)


def open_demo(root: Root, settings: Settings, moment: datetime | None, reuse: bool, note: str = "") -> Database:
    """The demo database, rebuilt unless ``reuse`` and it already exists."""
    from handlers.demo import setup as demo_setup

    demo_settings = settings.model_copy(update={"database_url": demo_setup.demo_url(settings)})
    fresh = not (reuse and settings.demo_db_path.exists())
    if fresh:
        demo_setup.remove_demo_files(settings.demo_db_path)
    factory = root.open_database(demo_settings)
    if fresh:
        demo_setup.fill_demo(factory, today(settings, moment), ZoneInfo(settings.timezone))
    return Database(demo_settings, factory, demo=True, note=note)


def open_office(root: Root, settings: Settings, moment: datetime | None) -> Database:
    """The configured database, or the demo data on a fresh install (see handlers.demo.setup)."""
    from handlers.demo import setup as demo_setup

    factory = root.open_database(settings)
    if not demo_setup.falls_back_to_demo(settings, factory):
        return Database(settings, factory, demo=False)
    return open_demo(root, settings, moment, reuse=True,
                     note=_("the main database has no tasks or dossiers yet — set DATABASE_URL to use the real one"))
