"""The office commands that call features the chat already has: the score
explained, the report's internal annex, the procedure catalogue, people
administration, reminder replies, conclusions read by OCR or refused while
an item has no unit, the bot refusing to start in one line, and days the
office added in chat counting in one-shot commands. In-process (CliRunner)."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import pytest
from docx import Document
from sqlalchemy import func, select

from handlers.core.router import Core
from handlers.demo.dossier_samples import generate_dossiers, write_export_csv
from handlers.worktime.calendar import default_calendar
from models.calendar import OfficeDay
from models.db import transaction
from models.org import Person
from models.tasks import Task
from tests import factories as f
from tests.conftest import NOW, Chat, text_of
from tests.test_cli import invoke

DATA = Path(__file__).resolve().parent / "data"
SEED_WITH_UNITLESS_ITEM = DATA / "conclusions" / "000_ac2fbbd9d4a28b6a.txt"  # item 9 names no unit
MONDAY = "2026-11-23T09:00"


@pytest.fixture
def env(db_url, tmp_path) -> dict:
    return {"DATABASE_URL": db_url, "DEMO_DB_PATH": str(tmp_path / "demo.db"), "CLI_LOG_FILE": str(tmp_path / "cli.log")}


def one_error_line(result) -> str:
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert len(lines) == 1 and "Traceback" not in result.stdout + result.stderr, result.stderr
    return lines[0]


# ---------------------------------------------------------------- 1. score

def test_score_explain_shows_every_criterion_with_inputs_rule_and_points(env):
    assert invoke("score", "1.3.1", "0,75", "--evidence", "KH 59/KH-SKHCN", "--now", "2026-11-20T09:00", env=env).returncode == 0
    result = invoke("score", "--explain", "--now", MONDAY, env=env)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "ước tính đến 23/11/2026" in out
    line = next(x for x in out.splitlines() if x.startswith("• 1.3.1 "))
    assert "số liệu:" in line and "quy tắc:" in line and "điểm: 0,75/1" in line
    criteria = [x for x in out.splitlines() if x.startswith("• ")]
    assert len(criteria) > 25 and "0.75" not in out  # every criterion, Vietnamese numbers


def test_plain_score_prints_the_estimate_before_the_missing_scores(env):
    result = invoke("score", "--now", MONDAY, env=env)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.index("Chỉ số CCHC năm 2026 (ước tính") < out.index("tiêu chí chưa có điểm năm 2026")
    assert "98,50" in out and "98.50" not in out


# ---------------------------------------------------------------- 2. report + internal annex

def _docx_text(path: Path) -> str:
    doc = Document(io.BytesIO(path.read_bytes()))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def test_report_writes_the_internal_annex_with_the_estimate_the_body_has_none(env, tmp_path):
    export = tmp_path / "hoso.csv"
    export.write_bytes(write_export_csv(generate_dossiers(40, date(2026, 1, 1), date(2026, 6, 30), seed=3)))
    assert invoke("import-dossiers", str(export), env=env).returncode == 0
    out = tmp_path / "bao-cao.docx"
    result = invoke("report", "--period", "2026-H1", "--now", "2026-07-10T09:00", "--out", str(out), env=env)
    assert result.returncode == 0, result.stderr
    annex = tmp_path / "bao-cao-noi-bo.docx"  # the default: next to --out
    assert str(annex) in result.stdout
    body, internal = _docx_text(out), _docx_text(annex)
    assert "Chỉ số CCHC năm 2026 (ước tính" not in body and "PHỤ LỤC NỘI BỘ" not in body
    assert "Chỉ số CCHC năm 2026 (ước tính đến 30/06/2026)" in internal  # as of the period's end
    assert "Giải thích từng tiêu chí" in internal

    chosen = tmp_path / "rieng.docx"
    again = invoke("report", "--period", "2026-H1", "--now", "2026-07-10T09:00", "--out", str(out),
                   "--internal", str(chosen), env=env)
    assert again.returncode == 0 and "PHỤ LỤC NỘI BỘ" in _docx_text(chosen)


def test_report_refuses_an_annex_that_would_overwrite_the_body(env, tmp_path):
    out = str(tmp_path / "bc.docx")
    line = one_error_line(invoke("report", "--period", "2026-H1", "--out", out, "--internal", out, env=env))
    assert "--internal" in line


# ---------------------------------------------------------------- 3. procedures

def test_import_procedures_then_reimport_changes_nothing(env, tmp_path):
    catalogue = str(DATA / "procedures_catalogue.csv")
    first = invoke("import-procedures", catalogue, env=env)
    assert first.returncode == 0, first.stderr
    assert "7 thủ tục mới, 0 cập nhật, 0 không đổi" in first.stdout and "Dòng 9" in first.stdout
    again = invoke("import-procedures", catalogue, env=env)
    assert "0 thủ tục mới, 0 cập nhật, 7 không đổi" in again.stdout

    no_header = tmp_path / "lung-tung.csv"
    no_header.write_text("a,b\n1,2\n", encoding="utf-8")
    assert "Tên thủ tục" in one_error_line(invoke("import-procedures", str(no_header), env=env))
    assert "không phải danh mục TTHC" in one_error_line(invoke("import-procedures", str(SEED_WITH_UNITLESS_ITEM), env=env))
    assert "Không tìm thấy tệp" in one_error_line(invoke("import-procedures", str(tmp_path / "none.xlsx"), env=env))


# ---------------------------------------------------------------- 4. people

def test_deactivated_person_gets_the_strangers_reply_until_reactivated(env, factory, settings):
    from handlers.features import build_registry

    with transaction(factory) as s:
        pid = f.person(s, "lan", role="head", unit_code="VP", name="Lê Thị Lan").id
    core = Core(factory, settings, build_registry(), clock=lambda: NOW)
    lan = Chat(core, "lan")
    assert "Văn phòng Sở để nhận mã mời" not in text_of(lan.say("/viec"))

    off = invoke("deactivate", str(pid), env=env)
    assert off.returncode == 0 and "Đã ngừng hoạt động Lê Thị Lan" in off.stdout, off.stderr
    assert "Văn phòng Sở để nhận mã mời" in text_of(lan.say("/viec"))
    listed = invoke("people", env=env).stdout
    assert "Đã ngừng hoạt động (1)" in listed and "Lê Thị Lan" in listed and "*" not in listed

    on = invoke("reactivate", "le thi lan", env=env)  # by name, without diacritics
    assert on.returncode == 0 and "Đã kích hoạt lại Lê Thị Lan" in on.stdout, on.stderr
    assert "Văn phòng Sở để nhận mã mời" not in text_of(lan.say("/viec"))
    with factory() as s:
        assert s.scalar(select(func.count(Person.id)).where(Person.active)) == 1


def test_unknown_person_is_one_line(env):
    assert "Không có người dùng số 999" in one_error_line(invoke("deactivate", "999", env=env))
    assert "Không tìm thấy người dùng tên" in one_error_line(invoke("reactivate", "Ai Đó", env=env))


# ---------------------------------------------------------------- 5. replies

def test_ask_reply_prints_the_contract_object(tmp_path):
    one = invoke("ask", "--reply", "xong 80% rồi ạ", "--now", MONDAY)
    assert json.loads(one.stdout) == {"intent": "progress", "percent": 80, "until": None}
    explained = json.loads(invoke("ask", "--reply", "xin gia hạn đến thứ 6", "--explain", "--now", MONDAY).stdout)
    assert explained["intent"] == "extension" and explained["until"] == "2026-11-27" and explained["matched"]

    batch = tmp_path / "replies.txt"
    batch.write_text("xong rồi\n\nđang làm 50%\n", encoding="utf-8")
    lines = invoke("ask", "--reply", "--batch", str(batch), "--now", MONDAY).stdout.splitlines()
    assert [json.loads(x)["intent"] for x in lines] == ["done", "unclear", "progress"]
    assert all(set(json.loads(x)) == {"intent", "percent", "until"} for x in lines)


def test_ask_without_reply_still_explains_a_question():
    parsed = json.loads(invoke("ask", "hồ sơ trễ hạn tháng này", "--explain", "--now", MONDAY).stdout)
    assert parsed["subject"] == "dossier" and parsed["status"] == "overdue" and "intent" not in parsed


# ---------------------------------------------------------------- 6. conclusions

def test_conclusion_with_an_item_without_unit_is_not_saved_unless_allowed(env, factory):
    refused = invoke("import-conclusion", str(SEED_WITH_UNITLESS_ITEM), env=env)
    assert "mục 9" in one_error_line(refused) and "--allow-unassigned" in refused.stderr
    with factory() as s:
        assert s.scalar(select(func.count(Task.id))) == 0
    saved = invoke("import-conclusion", str(SEED_WITH_UNITLESS_ITEM), "--allow-unassigned", env=env)
    assert saved.returncode == 0 and "Đã lưu: 10 nhiệm vụ mới" in saved.stdout, saved.stderr


def test_photo_of_a_conclusion_is_read_by_ocr_and_says_how_sure(tmp_path):
    from handlers.tasks.importers.ocr import engine_missing
    from tests.page_images import pages, png_bytes

    if engine_missing() is not None:
        pytest.skip("tesseract-ocr-vie not installed")
    text = ("KẾT LUẬN\nGiám đốc Sở kết luận như sau:\n"
            "1. Văn phòng Sở chủ trì xây dựng kế hoạch cải cách hành chính, hoàn thành trước ngày 30/12/2026.\n")
    photo = tmp_path / "ket-luan.png"
    photo.write_bytes(png_bytes(pages(text)[0].convert("RGB")))
    result = invoke("import-conclusion", str(photo), "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "nhận dạng" in result.stdout and "%" in result.stdout
    assert "VP" in result.stdout and "30/12/2026" in result.stdout


# ---------------------------------------------------------------- 7. start-up

def test_run_with_an_unreachable_database_is_one_line_and_exit_1():
    token = "123456:secret-token-value"
    result = invoke("run", env={"TELEGRAM_BOT_TOKEN": token,
                                "DATABASE_URL": "postgresql+psycopg://postgres@127.0.0.1:1/x"})
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.returncode == 1 and len(lines) == 1, result.stderr
    assert "127.0.0.1:1/x" in lines[0] and "DATABASE_URL" in lines[0]
    assert "Traceback" not in result.stdout + result.stderr and "secret-token" not in result.stdout + result.stderr


# ---------------------------------------------------------------- 8. office days

@pytest.fixture
def office_calendar():
    yield default_calendar()
    default_calendar().set_office_days({}, {})  # the calendar is process-wide: leave it as found


def test_digest_counts_a_day_off_the_office_added_in_chat(env, factory, tmp_path, office_calendar):
    with transaction(factory) as s:
        f.task(s, "Báo cáo rà soát thủ tục", lead="VP", deadline=date(2026, 11, 16))

    def overdue_days() -> str:
        out = tmp_path / "digest"
        result = invoke("digest", "--out", str(out), "--now", MONDAY, env=env)
        assert result.returncode == 0, result.stderr
        text = (out / "bao-cao-tuan.txt").read_text(encoding="utf-8")
        return next(line for line in text.splitlines() if "Báo cáo rà soát thủ tục" in line)

    before = overdue_days()
    with transaction(factory) as s:
        s.add(OfficeDay(day=date(2026, 11, 18), kind="off", reason="Nghỉ bù"))
    after = overdue_days()
    assert "5 ngày làm việc" in before and "4 ngày làm việc" in after, (before, after)
