"""Whole-Department questions, the Office head's view, a named year for the score, English questions."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from handlers.core.router import Core
from handlers.demo.data import load_demo
from models.db import transaction
from tests.conftest import NOW, Chat, text_of

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def core(factory, settings):
    from handlers.features import build_registry
    with transaction(factory) as s:
        load_demo(s, NOW.date(), TZ, dossier_count=40)
    return Core(factory, settings, build_registry(), clock=lambda: NOW)


def test_whole_department_is_not_narrowed_to_the_heads_unit(core):
    head = text_of(Chat(core, "head-TDC").say("việc quá hạn toàn Sở"))
    assert "• TDC: " in head and "• TTUD: " in head  # totals per unit, not only the Chi cục
    assert "Chi tiết của đơn vị khác chỉ hiển thị" in head
    own = text_of(Chat(core, "head-TDC").say("việc quá hạn"))
    assert "TTUD" not in own  # asked in general, a head still gets their own unit
    leader = text_of(Chat(core, "gd").say("các phòng còn bao nhiêu việc quá hạn"))
    assert leader.startswith(head.splitlines()[0]) and "1. " in leader  # same count, with the rows


def test_the_office_head_has_the_office_view(core):
    hong = text_of(Chat(core, "head-VP").say("viec cua chi cuc qua han"))
    assert "Chi tiết của đơn vị khác chỉ hiển thị" not in hong and "1. " in hong
    assert text_of(Chat(core, "head-VP").say("việc quá hạn")) == text_of(Chat(core, "admin").say("việc quá hạn"))


def test_score_of_a_named_year_is_that_years(core):
    assert "năm 2025" in text_of(Chat(core, "gd").say("điểm CCHC năm 2025"))
    assert "năm 2026" in text_of(Chat(core, "gd").say("điểm CCHC dự kiến"))


def test_english_question_gets_the_same_answer(core):
    office = Chat(core, "admin")
    assert text_of(office.say("overdue tasks")) == text_of(office.say("nhiệm vụ quá hạn"))
    assert text_of(office.say("late dossiers this month")) == text_of(office.say("hồ sơ trễ hạn tháng này"))


def test_whole_department_dossiers_for_a_head_are_totals_per_unit(core):
    head = text_of(Chat(core, "head-TDC").say("hồ sơ trễ hạn toàn Sở tháng này"))
    office = text_of(Chat(core, "admin").say("hồ sơ trễ hạn tháng này"))
    assert head.splitlines()[:3] == office.splitlines()[:3]  # the same Department figures
    assert "• " in head and "1. " not in head and "1. " in office
