"""One place that turns any failure of a command into one line and exit code 2,
and that sets the language every command speaks (``LOCALE``, Vietnamese by default).

The office runs these commands, not a developer: a traceback helps nobody
there. Expected problems (a wrong file, a bad period) say what to do next;
anything unexpected says where the details were logged (the traceback goes
to ``Settings.cli_log_file``, never to the terminal).
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import typer
from typer._click import exceptions as click_errors  # typer ships its own click; its errors are these
from pydantic import ValidationError
from typer.core import TyperGroup

from settings import PROJECT_ROOT, describe_error

EXIT_ERROR = 2
DEFAULT_LOG = PROJECT_ROOT / "data" / "logs" / "cli.log"


class CliError(Exception):
    """An operator mistake, worded for the operator: the message is the one line shown."""


def _(message: str) -> str:
    """``handlers.text.i18n._`` for the command line: English message id in, the line in the
    command's language out. Imported on first use, because importing ``handlers`` at start-up
    would slow ``--help``; should that import itself fail, the English id is still one
    readable line rather than a traceback."""
    try:
        from handlers.text.i18n import _ as translate
    except Exception:  # noqa: BLE001 — the error path must still print its one line
        return message
    return translate(message)


def cli_locale() -> str:
    """The command line's language: ``LOCALE`` from the environment or ``.env`` (``vi`` unless set).
    Settings that do not load fall back to Vietnamese; the command reports that failure itself."""
    try:
        from settings import Settings

        return Settings().locale
    except Exception:  # noqa: BLE001 — a bad setting is the command's error to word, not ours
        return "vi"


@contextmanager
def in_cli_locale() -> Iterator[None]:
    """Everything inside — our lines and the handlers' — in :func:`cli_locale`."""
    try:
        from handlers.text.i18n import use_locale
    except Exception:  # noqa: BLE001 — see _()
        yield
        return
    with use_locale(cli_locale()):
        yield


def _worded() -> tuple[type[Exception], ...]:
    """Exceptions whose message is already one line worded for a person
    (imported here, on the error path, so `--help` stays quick)."""
    from handlers.scoring.assessments import ScoreRejected
    from handlers.tasks.importers.errors import ImportRejected

    return CliError, ImportRejected, ScoreRejected


def _usage_words() -> list[tuple[str, str]]:
    """Click's English phrases (it has no Vietnamese) and ours, longest first where one contains another."""
    extra = _("extra arguments")
    return [
        ("Missing argument", _("missing argument")),
        ("Missing option", _("missing option")),
        ("No such option", _("no such option")),
        ("No such command", _("no such command")),
        ("Invalid value for", _("invalid value for")),
        ("Got unexpected extra argument(s)", extra),
        ("Got unexpected extra arguments", extra),
        ("Got unexpected extra argument", extra),
        ("requires an argument", _("requires a value")),
    ]


def one_line(text: str) -> str:
    return " ".join(str(text).split())


def say_error(message: str) -> None:
    """Print the one line on stderr."""
    typer.echo(one_line(message), err=True)


def _usage_line(exc: click_errors.UsageError) -> str:
    message = exc.format_message()
    for click_words, ours in _usage_words():
        message = message.replace(click_words, ours)
    message = message.rstrip(". ") + "."
    sub = exc.ctx.command_path.split(" ")[1:] if exc.ctx is not None else []
    command = " ".join(["python3 main.py", *sub])
    return _("The command is not right: {problem} See how to use it: {command} --help").format(
        problem=message, command=command)


def _log_path() -> Path:
    try:
        from settings import Settings

        return Settings().cli_log_file
    except Exception:  # settings themselves may be what failed
        return DEFAULT_LOG


def _log_traceback(exc: BaseException) -> Path | None:
    path = _log_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as f:
            f.write(f"--- {datetime.now().isoformat(timespec='seconds')} {' '.join(sys.argv)}\n")
            f.write("".join(traceback.format_exception(exc)))
        return path
    except OSError:
        return None


def describe(exc: BaseException) -> str:
    """The one line for any exception a command let through."""
    if isinstance(exc, _worded()):
        return str(exc)
    if isinstance(exc, ValidationError):
        return describe_error(exc)
    if isinstance(exc, click_errors.UsageError):
        return _usage_line(exc)
    if isinstance(exc, PermissionError):
        if not exc.filename:
            return _("No permission to read or write the file. Choose another folder or check the access rights.")
        return _("No permission to read or write {path}. Choose another folder or check the access rights.").format(
            path=exc.filename)
    if isinstance(exc, FileNotFoundError):
        if not exc.filename:
            return _("The file was not found. Check the path.")
        return _("{path} was not found. Check the path.").format(path=exc.filename)
    logged = _log_traceback(exc)
    where = _("details were written to {path}").format(path=logged) if logged else _("the log file could not be written")
    return _("Unexpected error ({kind}): {message} — {where}; please send that file to the technical staff.").format(
        kind=type(exc).__name__, message=one_line(str(exc))[:200], where=where)


class OneLineGroup(TyperGroup):
    """The command group: runs a command and turns whatever it raises into
    one line on stderr and exit code 2 (help and normal exits pass through)."""

    def main(self, args: Any = None, prog_name: str | None = None, complete_var: str | None = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
            code = code if isinstance(code, int) else 0
        except click_errors.NoArgsIsHelpError as exc:
            exc.show()  # the help text, as before
            code = 0
        except typer.Abort:
            with in_cli_locale():
                say_error(_("Stopped as requested."))
            code = 1
        except typer.Exit as exc:
            code = exc.exit_code
        except Exception as exc:  # noqa: BLE001 — the one catch-all, by design
            with in_cli_locale():
                say_error(describe(exc))
            code = EXIT_ERROR
        if standalone_mode:
            sys.exit(code)
        return code

    def invoke(self, ctx: Any) -> Any:
        """Run the chosen command in the command line's language (``--help`` of the group
        itself never gets here, so it does not pay for importing the catalogs)."""
        with in_cli_locale():
            return super().invoke(ctx)

