"""The command line as a clerk meets it when something is wrong: every mistake
(wrong or corrupt file, missing file, unwritable --out, unknown unit or role,
future or malformed period, bad --now) is ONE Vietnamese line on stderr that
says what to do next, exit code 2, and never a traceback. Run in-process
(typer's CliRunner) to stay fast."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from docx import Document
from typer.testing import CliRunner

from main import app
from models.org_file import use_org_file

SEEDS = Path(__file__).resolve().parent / "data" / "conclusions"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + bytes(range(256)) * 8


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("inputs")
    doc = Document()
    doc.add_paragraph("Biên bản họp giao ban tuần.")
    buf = io.BytesIO()
    doc.save(buf)
    (d / "note.docx").write_bytes(buf.getvalue())
    for name in ("photo.jpg", "photo.xlsx", "photo.docx", "photo.csv"):
        (d / name).write_bytes(JPEG)
    (d / "letter.txt").write_text("Kính gửi anh chị. Hôm nay trời đẹp, chúng tôi đi tham quan bảo tàng.\n",
                                  encoding="utf-8")
    (d / "a-folder").mkdir()
    (d / "a-file").write_text("x")
    return d


@pytest.fixture(scope="module")
def env(tmp_path_factory) -> dict:
    d = tmp_path_factory.mktemp("cli")
    return {"DATABASE_URL": f"sqlite:///{d / 'office.db'}", "DEMO_DB_PATH": str(d / "demo.db"),
            "DEMO_OUT_DIR": str(d / "out"), "CLI_LOG_FILE": str(d / "cli.log"),
            "TELEGRAM_BOT_TOKEN": None, "ZALO_BOT_TOKEN": None, "ORG_FILE": None}


def invoke(args: list[str], env: dict, input: str | None = None):
    return CliRunner().invoke(app, args, env=env, input=input)


BAD = {
    # command: (arguments, what the one line must say)
    "conclusion missing": (["import-conclusion", "{d}/none.docx"], "Không tìm thấy tệp"),
    "conclusion jpeg": (["import-conclusion", "{d}/photo.jpg"], "ảnh"),
    "conclusion jpeg as docx": (["import-conclusion", "{d}/photo.docx"], "không phải tệp Word"),
    "conclusion no tasks": (["import-conclusion", "{d}/letter.txt", "--dry-run"],
                            "không tìm thấy nhiệm vụ nào — có phải văn bản Kết luận không?"),
    "tasks docx": (["import-tasks", "{d}/note.docx"], "không phải bảng tính Excel"),
    "tasks jpeg as xlsx": (["import-tasks", "{d}/photo.xlsx"], "không đúng định dạng .xlsx"),
    "tasks missing": (["import-tasks", "{d}/none.xlsx"], "Không tìm thấy tệp"),
    "tasks folder": (["import-tasks", "{d}/a-folder"], "thư mục"),
    "dossiers jpeg": (["import-dossiers", "{d}/photo.jpg"], "không phải bảng tính Excel hoặc CSV"),
    "dossiers jpeg as csv": (["import-dossiers", "{d}/photo.csv"], "không phải bảng tính Excel hoặc CSV"),
    "dossiers docx": (["import-dossiers", "{d}/note.docx"], "không phải danh sách hồ sơ"),
    "export no folder": (["export-tasks", "--out", "{d}/no/such/dir/x.xlsx"], "Không có thư mục"),
    "export to a folder": (["export-tasks", "--out", "{d}/a-folder"], "là một thư mục"),
    "report bad period": (["report", "--period", "2026-H3"], "2026-H1"),
    "report unwritable": (["report", "--period", "2026-H1", "--out", "/proc/bao-cao.docx"], "Không ghi được"),
    "report bad now": (["report", "--period", "2026-H1", "--now", "hôm qua"], "--now 2026-11-23T09:00"),
    "stats future": (["export-stats", "--period", "2030", "--now", "2026-11-23T09:00"], "chưa bắt đầu"),
    "stats future month": (["export-stats", "--period", "2026-12", "--now", "2026-11-23T09:00"], "chưa bắt đầu"),
    "digest out is a file": (["digest", "--out", "{d}/a-file"], "cần một thư mục"),
    "digest bad now": (["digest", "--now", "23/11/2026"], "--now"),
    "invite unknown supervised": (["invite", "--name", "Trần Văn B", "--role", "lanhdao", "--unit", "BGD",
                                   "--supervises", "QLCN,ABC"], "ABC"),
    "invite unknown unit": (["invite", "--name", "Trần Văn B", "--unit", "XYZ"], "XYZ"),
    "invite unknown role": (["invite", "--name", "Trần Văn B", "--unit", "VP", "--role", "sep"], "truong|head"),
    "invite no name": (["invite", "--unit", "VP"], "--name"),
    "score bad points": (["score", "1.3.1", "ba phẩy"], "0,75"),
    "score unknown criterion": (["score", "9.9.9", "0,5"], "9.9.9"),
    "ask nothing": (["ask"], "ask \"hồ sơ trễ hạn tháng này\""),
    "ask batch missing": (["ask", "--batch", "{d}/none.txt"], "Không tìm thấy tệp"),
    "ask bad now": (["ask", "hồ sơ trễ hạn", "--now", "2026-13-45"], "--now"),
    "demo unknown person": (["demo", "--as", "nobody", "--say", "/viec"], "nobody"),
    "demo bad now": (["demo", "--as", "VP", "--say", "/viec", "--now", "sáng mai"], "--now"),
    "demo missing file": (["demo", "--as", "admin", "--file", "{d}/none.docx"], "Không tìm thấy tệp"),
    "run bad now": (["run", "--now", "x"], "--now"),
    "unknown command": (["bao-cao"], "python3 main.py --help"),
    "missing argument": (["import-tasks"], "python3 main.py import-tasks --help"),
    "unknown option": (["report", "--period", "2026-H1", "--format", "pdf"], "--format"),
}


@pytest.mark.parametrize("case", list(BAD), ids=list(BAD))
def test_every_mistake_is_one_vietnamese_line_and_exit_code_2(case, files, env):
    args, expected = BAD[case]
    result = invoke([a.format(d=files) for a in args], env)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert len(lines) == 1, result.stderr
    assert expected in lines[0], lines[0]
    assert "Traceback" not in result.output and result.stdout.strip() == ""


def test_unexpected_failure_is_one_line_and_the_traceback_goes_to_the_log(files, env, tmp_path):
    broken_org = tmp_path / "org.yaml"
    broken_org.write_text("units: 5\n", encoding="utf-8")
    try:
        result = invoke(["export-tasks", "--out", str(tmp_path / "x.xlsx")],
                        {**env, "ORG_FILE": str(broken_org), "DATABASE_URL": f"sqlite:///{tmp_path / 'new.db'}"})
    finally:
        use_org_file(None)  # the org file in force is process-wide; later tests use the default
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.exit_code == 2 and len(lines) == 1, result.stderr
    assert env["CLI_LOG_FILE"] in lines[0] and "Traceback" not in result.output
    assert "Traceback" in Path(env["CLI_LOG_FILE"]).read_text(encoding="utf-8")


def test_roles_in_vietnamese_or_english_and_the_database_named_without_password(db_url, env):
    office = {**env, "DATABASE_URL": db_url}
    for role in ("truong", "deputy_head", "pho", "chuyenvien", "vanphong"):
        result = invoke(["invite", "--unit", "TDC", "--role", role, "--name", "Phạm Thành Phương"], office)
        assert result.exit_code == 0, result.stderr
        assert "Mã mời:" in result.stdout
    leader = invoke(["invite", "--unit", "BGD", "--role", "lanhdao", "--name", "Trần Công Hòa",
                     "--supervises", "QLCN, TDC"], office)
    assert leader.exit_code == 0, leader.stderr
    said = leader.stderr.strip()
    assert said.startswith("(CSDL thật: ") and db_url.split("://")[0] in said
    if "@" in db_url and ":" in db_url.split("@")[0].split("//")[1]:
        assert db_url.split("@")[0].rsplit(":", 1)[1] not in said  # the password is never printed


def test_score_prints_points_the_vietnamese_way(db_url, env):
    result = invoke(["score", "1.3.1", "0,75", "--evidence", "KH 59/KH-SKHCN"], {**env, "DATABASE_URL": db_url})
    assert result.exit_code == 0, result.stderr
    assert ": 0,75/" in result.stdout and "0.75" not in result.stdout
