"""Documents on request in chat: the report .docx, the statistics and task
list .xlsx, who may have them, and what a channel without files gets."""

from __future__ import annotations

import io
from datetime import date

import pytest
from docx import Document
from openpyxl import load_workbook

from handlers.core.router import Core
from handlers.features import build_registry
from handlers.reporting.documents import DocumentRequest, period_code, read_request
from models.db import transaction
from tests import factories as f
from tests.conftest import NOW, Chat, buttons_of, text_of

TODAY = date(2026, 11, 23)


@pytest.mark.parametrize("text, expected", [
    ("báo cáo CCHC 6 tháng đầu năm 2026", DocumentRequest("report", "2026-H1")),
    ("bao cao cchc 6 thang dau nam 2026", DocumentRequest("report", "2026-H1")),
    ("xuất báo cáo CCHC quý 3", DocumentRequest("report", "2026-Q3")),
    ("xuất thống kê hồ sơ tháng 10", DocumentRequest("stats", "2026-10")),
    ("xuat so lieu ho so nam 2025", DocumentRequest("stats", "2025")),
    ("xuất danh sách nhiệm vụ", DocumentRequest("tasks", None)),
    ("báo cáo CCHC", DocumentRequest("report", None)),
])
def test_document_requests_are_read_with_or_without_diacritics(text, expected):
    assert read_request(text, TODAY) == expected


@pytest.mark.parametrize("text", ["báo cáo tuần", "hồ sơ trễ hạn tháng này", "báo cáo tháng 11", "việc quá hạn"])
def test_questions_are_not_document_requests(text):
    assert read_request(text, TODAY) is None


def test_period_codes():
    assert period_code(date(2026, 7, 1), date(2026, 12, 31)) == "2026-H2"
    assert period_code(date(2026, 10, 1), date(2026, 12, 31)) == "2026-Q4"
    assert period_code(date(2026, 2, 1), date(2026, 2, 28)) == "2026-02"
    assert period_code(date(2026, 11, 16), date(2026, 11, 22)) is None  # a week has no report code


@pytest.fixture
def core(factory, settings):
    with transaction(factory) as s:
        f.person(s, "lan", role="admin", unit_code="VP", name="Bùi Thị Lan")
        f.person(s, "mai", role="head", unit_code="QLCN", name="Nguyễn Thị Mai")
        f.person(s, "zl", role="admin", unit_code="VP", name="Văn thư", channel="zalo")
        f.task(s, "Xây dựng kế hoạch CCHC năm 2027", lead="VP", deadline=date(2026, 12, 15), conclusion_=f.conclusion(s))
    return Core(factory, settings, build_registry(), clock=lambda: NOW)


def test_the_office_receives_the_report_and_the_figures_as_files(core):
    lan = Chat(core, "lan")
    [reply] = lan.say("báo cáo CCHC 6 tháng đầu năm 2026")
    assert "6 tháng đầu năm 2026" in reply.text and reply.attachment is not None
    assert reply.attachment.file_name.endswith(".docx")
    body = "\n".join(p.text for p in Document(io.BytesIO(reply.attachment.data)).paragraphs)
    assert "2026" in body
    [stats] = lan.say("xuất thống kê hồ sơ tháng 10")
    assert stats.attachment.file_name.endswith(".xlsx")
    assert load_workbook(io.BytesIO(stats.attachment.data)).active.max_row > 3
    [tasks] = lan.say("xuất danh sách nhiệm vụ")
    sheet = load_workbook(io.BytesIO(tasks.attachment.data)).active
    assert any("Xây dựng kế hoạch CCHC năm 2027" == c.value for row in sheet.iter_rows() for c in row)


def test_a_period_answer_offers_the_files_to_the_office(core):
    replies = Chat(core, "lan").say("báo cáo quý 3")
    assert ("📄 Báo cáo (.docx)", "doc:report:2026-Q3") in buttons_of(replies)
    [pressed] = Chat(core, "lan").press("doc:stats:2026-Q3")
    assert pressed.attachment is not None and "quý III năm 2026" in pressed.text


def test_a_unit_head_gets_no_documents_and_a_future_period_has_none(core):
    answer = text_of(Chat(core, "mai").say("xuất danh sách nhiệm vụ"))
    assert "Văn phòng Sở" in answer
    assert Chat(core, "mai").press("doc:report:2026-H1")[0].attachment is None
    future = Chat(core, "lan").say("xuất thống kê hồ sơ năm 2030")
    assert future[0].attachment is None and "chưa bắt đầu" in future[0].text


def test_a_channel_without_files_gets_the_summary_and_where_to_find_the_file(core):
    [reply] = Chat(core, "zl", channel="zalo").say("xuất danh sách nhiệm vụ")
    assert reply.attachment is None and "Telegram" in reply.text and "1" in reply.text
