"""A letter of UBND tỉnh assigning work to the Sở gives "UBND tỉnh giao" tasks."""

from __future__ import annotations

from sqlalchemy import select

from handlers.core.messages import Attachment
from handlers.tasks.importers.conclusion import parse_conclusion
from handlers.tasks.importers.noise import ocr_noise
from models.db import transaction
from models.tasks import Task
from tests import factories as f
from tests.conclusion_accuracy import expected, source
from tests.conftest import Chat, text_of

NAME = "cv_ubnd_giao_so_khcn"


def _essentials(draft) -> list[dict]:
    return [{"ref": t.ref, "lead_units": t.lead_units, "support_units": t.support_units, "all_units": t.all_units,
             "deadline": t.deadline.isoformat() if t.deadline else None, "urgent": t.urgent} for t in draft.tasks]


def test_directive_tasks_as_written():
    draft = parse_conclusion(source(NAME), strict=True)
    assert _essentials(draft) == expected(NAME)["tasks"]
    assert {t.origin for t in draft.tasks} == {"ubnd"}
    assert draft.doc.number == "4125/UBND-KGVX" and draft.doc.signer == "Trần Phước Hiền"
    assert draft.doc.title.startswith("triển khai các nhiệm vụ")


def test_directive_without_diacritics_and_with_ocr_noise():
    draft = parse_conclusion(ocr_noise(source(NAME)), strict=True)
    got = [(t.ref, t.deadline, t.urgent, t.origin, "Sở KH&CN" in t.lead_units + t.support_units) for t in draft.tasks]
    want = [(t.ref, t.deadline, t.urgent, "ubnd", True) for t in parse_conclusion(source(NAME)).tasks]
    assert got == want


def test_a_department_conclusion_is_not_a_directive():
    draft = parse_conclusion(source("kl_danh_gia_va_nhiem_vu"))  # "UBND TỈNH QUẢNG NGÃI / SỞ KHOA HỌC …"
    assert {t.origin for t in draft.tasks} == {"internal"}


def test_directive_saved_with_origin_and_named_agencies(core, factory):
    with transaction(factory) as s:
        f.person(s, "lan", role="admin", unit_code="VP")
    office = Chat(core, "lan")
    data = source(NAME).encode()
    review = text_of(office.say(attachment=Attachment(file_name="cv-4125.txt", data=data, size=len(data))))
    assert "UBND tỉnh giao" in review and "Sở Nội vụ" in review
    office.say("mục 1: chủ trì Chi cục TĐC")  # the office hands the Sở's part to a unit
    assert "Đã lưu" in text_of(office.press("imp:save"))
    with factory() as s:
        tasks = {t.ref: t for t in s.scalars(select(Task))}
        assert {t.origin for t in tasks.values()} == {"ubnd"}
        assert tasks["1"].lead_unit.code == "TDC" and tasks["1"].external_units == [{"name": "Sở Nội vụ", "role": "support"}]
        assert tasks["2"].lead_unit is None
        assert {"name": "Sở Nội vụ", "role": "lead"} in tasks["2"].external_units
        assert tasks["3"].urgent
