"""The office sends files to the bot: review a conclusion, correct, save;
duplicates change nothing; spreadsheets go in with a per-row error list."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from handlers.core.messages import Attachment
from models.db import transaction
from models.dossiers import Dossier
from models.tasks import Task
from tests import factories as f
from tests.conftest import Chat, buttons_of, text_of

SEEDS = Path(__file__).resolve().parent / "data" / "conclusions"


@pytest.fixture
def office(core, factory) -> Chat:
    with transaction(factory) as s:
        f.person(s, "lan", role="admin", unit_code="VP")
    return Chat(core, "lan")


def _send(chat: Chat, name: str, data: bytes):
    return chat.say(attachment=Attachment(file_name=name, data=data, size=len(data)))


def _seed(name: str) -> bytes:
    return next(SEEDS.glob(f"{name}*")).read_bytes()


def _count(factory, model) -> int:
    with factory() as s:
        return s.scalar(select(func.count(model.id)))


def test_conclusion_review_correct_and_save(office, factory):
    replies = _send(office, "KL-664.txt", _seed("000"))
    text = text_of(replies)
    assert "Tìm thấy 10 nhiệm vụ" in text or "10" in text.splitlines()[1]
    assert ("Lưu tất cả", "imp:save") in buttons_of(replies)
    assert _count(factory, Task) == 0  # nothing saved before the office confirms

    corrected = text_of(office.say("mục 3: chủ trì Văn phòng, hạn 30/6/2021"))
    assert "30/06/2021" in corrected and "VP" in corrected
    office.say("mục 9: chủ trì Văn phòng")  # item 9 names no unit: saving waits for one

    saved = text_of(office.press("imp:save"))
    assert "10" in saved
    with factory() as s:
        tasks = {t.ref: t for t in s.scalars(select(Task))}
        assert len(tasks) == 10
        assert tasks["3"].lead_unit.code == "VP" and tasks["3"].deadline == date(2021, 6, 30)
        assert tasks["7"].lead_unit.code == "TTRA"

    again = text_of(_send(office, "KL-664 (1).txt", _seed("000")))
    assert "đã được nhập" in again
    assert _count(factory, Task) == 10


def test_newer_version_shows_and_applies_changes(office, factory):
    original = _seed("000").decode("utf-8")
    _send(office, "kl.txt", original.encode())
    office.say("mục 9: không giao")
    office.press("imp:save")
    newer = original.replace("mỗi phòng, đơn vị đăng ký", "mỗi phòng, đơn vị đăng ký ít nhất", 1)
    assert newer != original
    text = text_of(_send(office, "kl-sua.txt", newer.encode()))
    assert "phiên bản mới" in text
    result = text_of(office.press("imp:save"))
    assert "0 nhiệm vụ mới" in result and "1 nhiệm vụ được cập nhật" in result
    assert _count(factory, Task) == 10


def test_cancel_and_unauthorised_import(office, core, factory):
    _send(office, "kl.txt", _seed("003"))
    assert "không lưu" in text_of(office.press("imp:cancel")) or "Đã hủy" in text_of([])
    assert _count(factory, Task) == 0
    with transaction(factory) as s:
        f.person(s, "head", role="head", unit_code="TDC")
    refused = text_of(Chat(core, "head").say(attachment=Attachment("kl.txt", data=_seed("003"))))
    assert "Văn phòng Sở" in refused
    assert _count(factory, Task) == 0


@pytest.mark.parametrize("name, data, expected", [
    ("virus.pdf", b"MZ\x90\x00" + b"\x00" * 200, "PDF"),
    ("hong.docx", b"PK\x03\x04not really a zip", "docx"),
    ("trong.txt", b"", "trống"),
])
def test_bad_files_get_a_clear_answer_and_write_nothing(office, factory, name, data, expected):
    text = text_of(_send(office, name, data))
    assert expected.lower() in text.lower()
    assert _count(factory, Task) == 0


def test_dossier_export_via_chat_is_upserted(office, factory):
    from handlers.demo.dossier_samples import generate_dossiers, write_export_csv

    records = generate_dossiers(60, date(2026, 9, 1), date(2026, 11, 20), seed=7)
    data = write_export_csv(records)
    first = text_of(_send(office, "hoso.csv", data))
    assert "60" in first
    assert _count(factory, Dossier) == 60
    second = text_of(_send(office, "hoso.csv", data))
    assert "0 mới" in second or "0 hồ sơ mới" in second
    assert _count(factory, Dossier) == 60


def test_newer_version_lists_what_changed_before_saving(office, factory):
    original = _seed("000").decode("utf-8")
    _send(office, "kl.txt", original.encode())
    office.say("mục 9: không giao")
    office.press("imp:save")
    newer = original.replace("Chất lượng trong năm 2021", "Chất lượng trước ngày 30/6/2021", 1)
    assert newer != original
    text = text_of(_send(office, "kl-v2.txt", newer.encode()))
    changed = next(line for line in text.splitlines() if line.startswith("Mục 3 thay đổi:"))
    assert "hạn 31/12/2021 → 30/06/2021" in changed
    assert not any(line.startswith("Mục 7 thay đổi") for line in text.splitlines())
    with factory() as s:
        assert s.scalar(select(Task.deadline).where(Task.ref == "3")) == date(2021, 12, 31)  # not saved yet


def test_office_links_an_item_to_an_index_criterion(office, factory):
    _send(office, "kl.txt", _seed("000"))
    assert "Đã sửa mục 3" in text_of(office.say("mục 3: tiêu chí 1.5.1"))
    assert "Không có tiêu chí" in text_of(office.say("mục 4: tiêu chí 9.9.9"))
    office.say("mục 9: không giao")
    office.press("imp:save")
    with factory() as s:
        assert s.scalar(select(Task.criterion_code).where(Task.ref == "3")) == "1.5.1"


def test_tasks_assigned_by_the_province_keep_their_origin(office, factory):
    _send(office, "kl.txt", _seed("003"))
    office.press("imp:save")
    with factory() as s:
        origins = {t.ref: t.origin for t in s.scalars(select(Task))}
    assert origins["III.1"] == origins["IV.1"] == "ubnd"
    assert origins["II.1.a"] == "internal"
