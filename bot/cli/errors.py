"""One place that turns any failure of a command into one Vietnamese line and exit code 2.

The office runs these commands, not a developer: a traceback helps nobody
there. Expected problems (a wrong file, a bad period) say what to do next;
anything unexpected says where the details were logged (the traceback goes
to ``Settings.cli_log_file``, never to the terminal).
"""

from __future__ import annotations

import sys
import traceback
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



def _worded() -> tuple[type[Exception], ...]:
    """Exceptions whose message is already one Vietnamese line meant for a person
    (imported here, on the error path, so `--help` stays quick)."""
    from handlers.scoring.assessments import ScoreRejected
    from handlers.tasks.importers.errors import ImportRejected

    return CliError, ImportRejected, ScoreRejected

_USAGE = {
    "Missing argument": "thiếu tham số",
    "Missing option": "thiếu tùy chọn",
    "No such option": "không có tùy chọn",
    "No such command": "không có lệnh",
    "Invalid value for": "giá trị không hợp lệ cho",
    "Got unexpected extra argument(s)": "thừa tham số",
    "Got unexpected extra arguments": "thừa tham số",
    "Got unexpected extra argument": "thừa tham số",
    "requires an argument": "cần một giá trị",
}


def one_line(text: str) -> str:
    return " ".join(str(text).split())


def say_error(message: str) -> None:
    """Print the one line on stderr."""
    typer.echo(one_line(message), err=True)


def _usage_line(exc: click_errors.UsageError) -> str:
    message = exc.format_message()
    for english, vietnamese in _USAGE.items():
        message = message.replace(english, vietnamese)
    message = message.rstrip(". ") + "."
    sub = exc.ctx.command_path.split(" ")[1:] if exc.ctx is not None else []
    command = " ".join(["python3 main.py", *sub])
    return f"Lệnh chưa đúng: {message} Xem cách dùng: {command} --help"


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
        return f"Không có quyền đọc/ghi {exc.filename or 'tệp'}. Chọn thư mục khác hoặc kiểm tra quyền truy cập."
    if isinstance(exc, FileNotFoundError):
        return f"Không tìm thấy {exc.filename or 'tệp'}. Kiểm tra lại đường dẫn."
    logged = _log_traceback(exc)
    where = f"chi tiết đã ghi vào {logged}" if logged else "không ghi được tệp nhật ký"
    return (f"Lỗi ngoài dự kiến ({type(exc).__name__}): {one_line(str(exc))[:200]} — {where}; "
            "vui lòng gửi tệp đó cho bộ phận kỹ thuật.")


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
            say_error("Đã dừng theo yêu cầu.")
            code = 1
        except typer.Exit as exc:
            code = exc.exit_code
        except Exception as exc:  # noqa: BLE001 — the one catch-all, by design
            say_error(describe(exc))
            code = EXIT_ERROR
        if standalone_mode:
            sys.exit(code)
        return code

