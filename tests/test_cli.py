"""The command line as an office user or a script meets it.

`python3 main.py` itself runs as a child process where the entry point is what
is tested (help, settings, run); the other commands run in-process through
typer's CliRunner, which goes through the same app and is much faster.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parents[1]
_CLEARED = ("TELEGRAM_", "WEBHOOK_", "ZALO_", "DATABASE_URL", "ORG_FILE")


def run_cli(*args: str, env: dict | None = None, input: str | None = None) -> subprocess.CompletedProcess:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(_CLEARED)}
    full_env.update(env or {})
    return subprocess.run([sys.executable, "main.py", *args], cwd=ROOT, env=full_env, capture_output=True,
                          text=True, timeout=120, input=input)


@dataclass
class Ran:
    returncode: int
    stdout: str
    stderr: str


def invoke(*args: str, env: dict | None = None, input: str | None = None) -> Ran:
    """Run a command in-process, with the same environment rules as :func:`run_cli`."""
    from main import app

    cleared = {k: None for k in os.environ if k.startswith(_CLEARED)}
    result = CliRunner().invoke(app, list(args), env={**cleared, **(env or {})}, input=input)
    return Ran(result.exit_code, result.stdout, result.stderr)


def test_help_lists_every_command():
    out = run_cli("--help").stdout
    for command in ("demo", "run", "ask", "invite", "db", "import-conclusion", "import-tasks", "export-tasks",
                    "import-dossiers", "report", "export-stats", "digest", "score", "i18n", "import-procedures",
                    "people", "deactivate", "reactivate"):
        assert re.search(rf"^\s*│?\s*{command}\b", out, re.M), f"{command} missing from --help"


def test_demo_viec_as_office_head_prints_tasks_and_exits_zero(tmp_path):
    env = {"DEMO_DB_PATH": str(tmp_path / "demo.db")}
    result = invoke("demo", "--as", "VP", "--say", "/viec", "--now", "2026-11-23T09:00", env=env)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Nhiệm vụ chưa hoàn thành của Văn phòng Sở" in out
    assert "hạn 25/11/2026" in out and "664/KL-SKH&CN mục 6" in out
    assert "việc phối hợp" in out and "📝 1" in out  # supporting tasks collapsed; numbers to report progress


def test_demo_stranger_gets_only_how_to_register(tmp_path):
    env = {"DEMO_DB_PATH": str(tmp_path / "demo.db")}
    result = invoke("demo", "--as", "stranger", "--say", "/viec", env=env)
    assert result.returncode == 0
    assert "mã mời" in result.stdout
    assert "hạn" not in result.stdout and "664" not in result.stdout


def test_invalid_setting_stops_with_one_line_naming_it(tmp_path):
    result = run_cli("db", "upgrade", env={"TIMEZONE": "Mars/Olympus", "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"})
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "TIMEZONE" in lines[0]


def test_run_without_token_explains_in_one_line(tmp_path):
    result = run_cli("run", env={"DATABASE_URL": f"sqlite:///{tmp_path}/x.db"})
    assert result.returncode == 1
    assert len(result.stdout.strip().splitlines()) == 1
    assert "TELEGRAM_BOT_TOKEN" in result.stdout and "demo" in result.stdout


def test_invite_on_fresh_database_prints_code_and_start_link(tmp_path):
    env = {"DATABASE_URL": f"sqlite:///{tmp_path}/fresh.db", "TELEGRAM_BOT_USERNAME": "sokhcn_bot"}
    result = invoke("invite", "--unit", "VP", "--role", "head", "--name", "Lê Thị Hồng", env=env)
    assert result.returncode == 0, result.stderr
    code = re.search(r"Mã mời: (\w+)", result.stdout).group(1)
    assert f"https://t.me/sokhcn_bot?start={code}" in result.stdout
    bad = invoke("invite", "--unit", "XYZ", "--name", "A", env=env)
    assert bad.returncode == 2 and "XYZ" in bad.stderr


def test_interactive_demo_pick_a_person_ask_help_and_report_progress(tmp_path):
    """What the README's first command opens: choose who you are, then chat."""
    env = {"DEMO_DB_PATH": str(tmp_path / "demo.db")}
    result = invoke("demo", "--now", "2026-11-23T09:00", env=env, input="5\n/help\nxong 80%\n/thoat\n")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Lê Thị Hồng — Chánh Văn phòng VP" in out
    assert "Nhắc việc" in out and "Rà soát văn bản quy phạm pháp luật" in out  # the head's reminder of today
    assert "Trợ lý CCHC có thể giúp anh/chị" in out
    assert "Đã ghi nhận tiến độ 80%" in out
    assert "Traceback" not in result.stderr
