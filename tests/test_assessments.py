"""The office records index scores in chat; the estimate uses them."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from handlers.core.router import Core
from models.db import transaction
from models.scoring import Assessment
from tests import factories as f
from tests.conftest import NOW, Chat, text_of


@pytest.fixture
def core(factory, settings):
    from handlers.features import build_registry
    with transaction(factory) as s:
        f.person(s, "lan", role="admin", unit_code="VP")
        f.person(s, "mai", role="head", unit_code="QLCN")
        f.person(s, "gd", role="leader", unit_code="BGD")
    return Core(factory, settings, build_registry(), clock=lambda: NOW)


def test_office_records_a_manual_score_with_evidence(core, factory):
    office = Chat(core, "lan")
    usage = text_of(office.say("/diem"))
    assert "1.3.1" in usage and "Để nhập điểm" in usage
    before = text_of(Chat(core, "gd").say("điểm cchc dự kiến"))
    assert "Đã ghi nhận 1.3.1" in text_of(office.say("/diem 1.3.1 0,75 KH 59/KH-SKHCN"))
    with factory() as s:
        row = s.scalar(select(Assessment))
        assert (row.criterion_code, row.points, row.evidence, row.kind) == ("1.3.1", 0.75, ["KH 59/KH-SKHCN"], "manual")
    after = text_of(Chat(core, "gd").say("điểm cchc dự kiến"))
    assert before != after  # the estimate moved by the entered points


@pytest.mark.parametrize("command, expected", [
    ("/diem 1.3.1 5", "ngoài thang điểm"),
    ("/diem 9.9.9 1", "Không có tiêu chí thành phần 9.9.9"),
    ("/diem 3.3.1 1", "tự tính"),
    ("/diem 1.3.1 abc", "Không đọc được điểm"),
])
def test_wrong_scores_are_refused_and_nothing_is_written(core, factory, command, expected):
    assert expected in text_of(Chat(core, "lan").say(command))
    with factory() as s:
        assert s.scalar(select(Assessment)) is None


def test_only_the_office_enters_scores(core, factory):
    assert "Chỉ Văn phòng Sở" in text_of(Chat(core, "mai").say("/diem 1.3.1 1"))
    with factory() as s:
        assert s.scalar(select(Assessment)) is None
