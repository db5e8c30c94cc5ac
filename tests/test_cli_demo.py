"""The console demo as a full chat: a script sends a conclusion file and saves
all its tasks; files the bot sends are saved and their paths printed; the
interactive menu refuses a number that is not on it."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select
from typer.testing import CliRunner

from main import app
from models.tasks import Conclusion, Task

CONCLUSION = Path(__file__).resolve().parent / "data" / "conclusions" / "000_ac2fbbd9d4a28b6a.txt"


@pytest.fixture
def env(tmp_path) -> dict:
    return {"DEMO_DB_PATH": str(tmp_path / "demo.db"), "DEMO_OUT_DIR": str(tmp_path / "out"),
            "CLI_LOG_FILE": str(tmp_path / "cli.log"), "DATABASE_URL": None, "ORG_FILE": None}


def _tasks_of_conclusion(db: str, issued_on: date) -> int:
    engine = create_engine(f"sqlite:///{db}")
    try:
        with engine.connect() as conn:
            return conn.scalar(select(func.count(Task.id)).join(Conclusion, Task.conclusion_id == Conclusion.id)
                               .where(Conclusion.issued_on == issued_on))
    finally:
        engine.dispose()


def test_demo_script_sends_a_conclusion_file_and_saves_all_tasks(env):
    result = CliRunner().invoke(app, ["demo", "--as", "admin", "--file", str(CONCLUSION),
                                      "--say", "mục 9: chủ trì Văn phòng", "--say", "Lưu tất cả", "--now", "2026-11-23T09:00"], env=env)
    assert result.exit_code == 0, result.output
    assert "Tìm thấy 10 nhiệm vụ" in result.stdout and "[1] Lưu tất cả" in result.stdout
    assert "Đã lưu: 10 nhiệm vụ mới" in result.stdout
    assert _tasks_of_conclusion(env["DEMO_DB_PATH"], date(2021, 5, 18)) == 10
    assert result.stderr.startswith("(dữ liệu demo: sqlite:///") and "09:00" in result.stderr


def test_numbered_choice_saves_too_and_a_repeated_file_changes_nothing(env):
    first = CliRunner().invoke(app, ["demo", "--as", "admin", "--file", str(CONCLUSION),
                                     "--say", "mục 9: không giao", "--say", "1", "--now", "2026-11-23T09:00"], env=env)
    assert "Đã lưu: 10 nhiệm vụ mới" in first.stdout, first.output
    again = CliRunner().invoke(app, ["demo", "--reuse", "--as", "admin", "--file", str(CONCLUSION),
                                     "--now", "2026-11-23T09:00"], env=env)
    assert again.exit_code == 0 and "đã được nhập" in again.stdout, again.output
    assert _tasks_of_conclusion(env["DEMO_DB_PATH"], date(2021, 5, 18)) == 10


def test_files_the_bot_sends_are_saved_and_their_paths_printed(env):
    result = CliRunner().invoke(app, ["demo", "--as", "admin", "--say", "/baocao", "--now", "2026-11-23T09:00"],
                                env=env)
    assert result.exit_code == 0, result.output
    saved = Path(env["DEMO_OUT_DIR"]) / "bao-cao-tuan.png"
    assert f"(đã lưu tệp: {saved})" in result.stdout
    assert saved.read_bytes().startswith(b"\x89PNG")


def test_interactive_menu_refuses_an_unknown_number_and_prompt_shows_who_and_when(env):
    result = CliRunner().invoke(app, ["demo", "--now", "2026-11-23T09:00"], env=env,
                                input="99\n5\n/tep /khong/co/tep.docx\n/thoat\n")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Không có số 99" in out
    assert "Anh/chị là Lê Thị Hồng (VP). Thời điểm giả lập: 09:00 thứ Hai, 23/11/2026." in out
    assert "Lê Thị Hồng (VP) · 09:00 23/11 > " in out
    assert "Không tìm thấy tệp /khong/co/tep.docx" in out


def test_default_moment_is_a_working_morning_and_the_banner_says_so(env):
    result = CliRunner().invoke(app, ["demo", "--as", "VP"], env=env, input="/thoat\n")
    assert result.exit_code == 0, result.output
    assert "giờ làm việc gần nhất, để nhắc việc hiện ngay; đổi bằng --now" in result.stdout
    banner = next(line for line in result.stdout.splitlines() if "Thời điểm giả lập" in line)
    # whenever the test runs, the moment shown is inside working hours of a working day
    from datetime import datetime

    from handlers.worktime.calendar import WorkCalendar
    from settings import Settings

    hour, day = re.search(r"giả lập: (\d\d:\d\d) [^,]+, (\d\d/\d\d/\d{4})", banner).groups()
    calendar = WorkCalendar.from_settings(Settings())
    moment = datetime.strptime(f"{day} {hour}", "%d/%m/%Y %H:%M").replace(tzinfo=calendar.tz)
    assert calendar.in_working_hours(moment), banner


@pytest.mark.parametrize("now, expected", [
    ("2026-11-21T15:00", "2026-11-23T09:00"),  # Saturday afternoon → Monday morning
    ("2026-11-23T18:30", "2026-11-25T09:00"),  # after hours → next working day (24/11 is a day off from 2026)
    ("2026-11-25T17:00", "2026-11-26T09:00"),  # the day has just closed
    ("2026-11-23T06:00", "2026-11-23T09:00"),  # before the day starts → this morning
    ("2026-11-23T10:15", "2026-11-23T10:15"),  # in working hours → as it is
    ("2026-11-23T12:00", "2026-11-23T13:30"),  # the lunch break → the afternoon opening
    ("2026-12-31T17:30", "2027-01-04T09:00"),  # New Year's Day off, then the weekend
])
def test_working_morning(now, expected):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from handlers.demo.setup import working_morning
    from handlers.worktime.calendar import WorkCalendar
    from settings import Settings

    tz = ZoneInfo("Asia/Ho_Chi_Minh")
    got = working_morning(datetime.fromisoformat(now).replace(tzinfo=tz), WorkCalendar.from_settings(Settings()))
    assert got.replace(tzinfo=None) == datetime.fromisoformat(expected)
