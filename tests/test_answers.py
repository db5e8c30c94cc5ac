"""Questions in plain Vietnamese, answered from the demo data with the
asker's rights; the figures are checked against an independent count."""

from __future__ import annotations

import re
from datetime import date
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from handlers.demo.data import load_demo
from handlers.core.router import Core
from models.db import transaction
from models.dossiers import Dossier
from tests.conftest import NOW, Chat, buttons_of, text_of

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def core(factory, settings):
    from handlers.features import build_registry
    with transaction(factory) as s:
        load_demo(s, NOW.date(), TZ, dossier_count=250)
    return Core(factory, settings, build_registry(), clock=lambda: NOW)


def _late_in_november(factory) -> tuple[set[str], set[str]]:
    """Late dossiers of November 2026 counted straight from the rows, by local date.

    Paused dossiers (5, 6, 8: waiting for supplements or fees, stopped) are not
    late: their appointment date moves by the waiting time."""
    resolved_late, open_late = set(), set()
    as_of = NOW.date()
    with factory() as s:
        for d in s.scalars(select(Dossier)):
            due = (d.original_due_at or d.due_at)
            if due is None:
                continue
            due_day = due.astimezone(TZ).date()
            if d.status in (9, 10) and d.resolved_at is not None:
                done = d.resolved_at.astimezone(TZ).date()
                if date(2026, 11, 1) <= done <= as_of and done > due_day:
                    resolved_late.add(d.code)
            elif d.status not in (3, 5, 6, 7, 8, 9, 10) and d.received_at.astimezone(TZ).date() <= as_of and due_day < as_of:
                open_late.add(d.code)
    return resolved_late, open_late


def test_late_dossiers_this_month_same_answer_in_three_spellings(core, factory):
    office = Chat(core, "admin")
    answers = [text_of(office.say(q)) for q in ("hồ sơ trễ hạn tháng này", "ho so tre han thang nay", "hs qh t11")]
    assert answers[0] == answers[1] == answers[2]
    resolved_late, open_late = _late_in_november(factory)
    text = answers[0]
    assert f"Đã giải quyết quá hạn trong kỳ: {len(resolved_late)} hồ sơ" in text
    assert f"Đang quá hạn, chưa giải quyết (tính đến 23/11/2026): {len(open_late)} hồ sơ" in text
    listed = set(re.findall(r"\d+\. (\S+) —", text))
    expected = resolved_late | open_late
    assert listed == expected if len(expected) <= 10 else listed < expected


def test_head_sees_other_units_only_as_totals(core):
    head_tdc = Chat(core, "head-TDC")
    own = text_of(head_tdc.say("việc quá hạn của chi cục"))
    assert "Kiểm tra việc áp dụng, duy trì ISO" in own
    other = text_of(head_tdc.say("viec cua van phong sap den han"))
    assert "Chi tiết của đơn vị khác chỉ hiển thị" in other
    assert "Rà soát văn bản quy phạm" not in other
    leader = text_of(Chat(core, "gd").say("viec cua van phong sap den han"))
    assert "Rà soát văn bản quy phạm" in leader


def test_empty_result_says_so_plainly(core):
    text = text_of(Chat(core, "admin").say("hồ sơ trễ hạn tháng 1/2020"))
    assert text == "Không có hồ sơ trễ hạn trong tháng 1/2020."


def test_two_units_get_a_clarifying_question(core):
    office = Chat(core, "admin")
    replies = office.say("việc của vp và tdc")
    assert "đơn vị nào" in text_of(replies)
    choice = [data for label, data in buttons_of(replies) if data == "clar:TDC"][0]
    assert "Chi cục Tiêu chuẩn Đo lường Chất lượng" in text_of(office.press(choice))


def test_unknown_question_gets_three_examples(core):
    text = text_of(Chat(core, "admin").say("thời tiết hôm nay thế nào"))
    assert text.count("•") == 3 and "hồ sơ trễ hạn tháng này" in text


def test_score_questions(core):
    leader = Chat(core, "gd")
    estimate = text_of(leader.say("điểm cchc dự kiến"))
    assert re.search(r"Chỉ số CCHC năm 2026 \(ước tính đến 23/11/2026\): \d+,\d\d điểm đã xác định, "
                     r"tối đa \d+,\d\d/100 \(còn [\d,]+ điểm chưa có dữ liệu\)", estimate)
    assert "phiên bản 2022-2030-mau-1 (ngưỡng mặc định — Văn phòng cần cập nhật theo Quyết định của tỉnh)" in estimate
    deducted = text_of(leader.say("phong nao dang lam mat diem"))
    assert "Điểm bị trừ theo đơn vị (chưa tính điều tra xã hội học):" in deducted and "VP −" in deducted
    assert "phân bổ cho đơn vị theo số hồ sơ trễ hạn" in deducted and "ngưỡng mặc định" in deducted


def test_why_this_score_explains_figures_rule_and_points(core):
    leader = Chat(core, "gd")
    one = text_of(leader.say("vì sao điểm 1.6.1 thấp"))
    (line,) = [x for x in one.splitlines() if x.startswith("• 1.6.1 ")]
    assert "số liệu:" in line and "quy tắc:" in line and "điểm:" in line
    assert "ngưỡng mặc định" in one
    overview = text_of(leader.say("giai thich diem cchc"))
    assert overview.count("\n• ") >= 3 and "vì sao điểm 3.3.1" in overview


@pytest.mark.parametrize("question, expected", [
    ("viec qua han cua phong abc", "Không tìm thấy đơn vị \"phong abc\""),
    ("hồ sơ trễ hạn tháng 13", "Không có tháng này"),
    ("hs quy 5", "Không có quý này"),
    ("Chi cục TĐC tiến độ ra sao", "Nhiệm vụ chưa hoàn thành của Chi cục Tiêu chuẩn Đo lường Chất lượng"),
    ("cảm ơn em nhé", "không có gì"),
])
def test_what_cannot_be_used_is_said_plainly(core, question, expected):
    assert expected in text_of(Chat(core, "admin").say(question))


def test_period_report_and_tasks_done_late(core):
    office = Chat(core, "admin")
    report = text_of(office.say("bao cao quy 3"))
    assert report.startswith("*Báo cáo — quý III/2026*") and "Nhiệm vụ đến hạn trong kỳ:" in report
    assert "Tỷ lệ hồ sơ giải quyết trước hạn và đúng hạn:" in report
    late = text_of(office.say("việc hoàn thành trễ hạn"))
    assert "*Nhiệm vụ hoàn thành trễ hạn*: 1" in late and "hoàn thành 05/10/2026 (trễ" in late


def test_dossier_lists_the_contract_does_not_name(core):
    office = Chat(core, "admin")
    apology = text_of(office.say("hồ sơ chưa có phiếu xin lỗi"))
    assert apology.startswith("*Hồ sơ trễ hạn chưa có phiếu xin lỗi trước ngày hẹn trả — tháng 11/2026*")
    waiting = text_of(office.say("ho so dang cho bo sung"))
    assert waiting.startswith("*Hồ sơ đang chờ bổ sung*")
    staff = text_of(Chat(core, "staff-QLKH").say("xong 80%"))
    assert "báo kết quả cho Trưởng đơn vị" in staff


def test_cli_score_explain_text_lists_every_criterion(core, factory, settings):
    from handlers.answers.scores import estimate_text
    from handlers.scoring import load_framework

    with factory() as s:
        text = estimate_text(s, NOW, settings, explain=True)
    lines = text.splitlines()
    assert "ngưỡng mặc định — Văn phòng cần cập nhật theo Quyết định của tỉnh" in lines[1]
    leaves = load_framework(settings.par_framework).leaves()
    assert len(lines) == 2 + len(leaves)
    assert all("số liệu:" in line and "quy tắc:" in line and "điểm:" in line for line in lines[2:])
