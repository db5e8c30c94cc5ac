"""What the office approves in the review is exactly what is saved, and nobody is forgotten."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from handlers.core.messages import Attachment
from handlers.people.recipients import Directory
from handlers.tasks.review import STATE_KEY, correction_date, draft_from_json
from handlers.tasks.store import SAVED_FIELDS, task_as_draft
from models.db import transaction
from models.org import Unit
from models.tasks import Task
from tests import factories as f
from tests.conftest import Chat, text_of

DATA = Path(__file__).resolve().parent / "data" / "conclusions"
SAMPLE = (DATA / "kl_danh_gia_va_nhiem_vu.txt").read_bytes()
SEED_000 = (DATA / "000_ac2fbbd9d4a28b6a.txt").read_bytes()


@pytest.fixture
def office(core, factory) -> Chat:
    with transaction(factory) as s:
        f.person(s, "lan", role="admin", unit_code="VP")
        f.person(s, "tdc", role="head", unit_code="TDC")
    return Chat(core, "lan")


def _send(chat: Chat, name: str, data: bytes):
    return chat.say(attachment=Attachment(file_name=name, data=data, size=len(data)))


def test_saved_tasks_equal_the_previewed_draft_field_for_field(office, core, factory):
    review = text_of(_send(office, "kl-000.txt", SEED_000))
    assert "VP + QLCN + TDC" in review  # three named leads stay three leads
    assert "mục 9" in review  # the item without a unit is flagged
    office.say("mục 9: chủ trì Văn phòng, khẩn trương")
    office.say("mục 2: hạn 4/12")
    previewed = _state_draft(core, factory)
    assert "Đã lưu" in text_of(office.press("imp:save"))
    with factory() as s:
        saved = {t.ref: task_as_draft(t) for t in s.scalars(select(Task))}
        assert [t.ref for t in previewed.tasks] == sorted(saved, key=lambda r: int(r))
        for draft in previewed.tasks:
            stored = saved[draft.ref]
            assert {k: getattr(stored, k) for k in SAVED_FIELDS} == {k: getattr(draft, k) for k in SAVED_FIELDS}
        task3 = s.scalar(select(Task).where(Task.ref == "3"))
        assert task3.lead_unit.code == "VP" and [u.code for u in task3.co_lead_units] == ["QLCN", "TDC"]
        assert task3.support_units == []
        task1 = s.scalar(select(Task).where(Task.ref == "1"))
        assert task1.all_units and task1.lead_unit is None  # all units; the office only follows up
        task9 = s.scalar(select(Task).where(Task.ref == "9"))
        assert task9.urgent and task9.lead_unit.code == "VP"
        assert s.scalar(select(Task.deadline).where(Task.ref == "2")) == date(2026, 12, 4)  # next 4/12, not 2021


def _state_draft(core, factory):
    """The draft exactly as the review holds it (what "Lưu tất cả" will save)."""
    from models.audit import ConversationState

    with factory() as s:
        row = s.scalar(select(ConversationState))
        return draft_from_json(row.state[STATE_KEY]["draft"])


def test_item_without_unit_cannot_be_saved_until_confirmed(office, factory):
    _send(office, "kl-000.txt", SEED_000)
    refused = text_of(office.press("imp:save"))
    assert "Chưa lưu" in refused and "9" in refused
    with factory() as s:
        assert s.scalar(select(Task.id)) is None
    office.say("mục 9: không giao")
    assert "Đã lưu" in text_of(office.press("imp:save"))
    with factory() as s:
        task9 = s.scalar(select(Task).where(Task.ref == "9"))
        assert task9.lead_unit is None and not task9.all_units


def test_review_shows_support_urgency_and_units_without_head(office):
    text = text_of(_send(office, "kl-812.txt", SAMPLE))
    assert "[III.1] VP (phối hợp: KHTC)" in text
    assert "[III.5] TTRA (phối hợp: TDC)" in text
    line = next(x for x in text.splitlines() if "[III.2]" in x)
    assert "khẩn" in line
    headless = next(x for x in text.splitlines() if "Chưa có" in x and "Trưởng" in x)
    assert "Phòng Quản lý Khoa học" in headless and "Chi cục" not in headless  # TDC has a head


def test_past_deadline_in_a_correction_is_warned_about(office):
    _send(office, "kl-812.txt", SAMPLE)
    warned = text_of(office.say("mục 1: hạn 30/6/2021"))
    assert "30/06/2021" in warned and "đã qua" in warned


def test_correction_date_without_year_is_the_next_one():
    today = date(2026, 11, 23)
    assert correction_date("4/12", today) == date(2026, 12, 4)
    assert correction_date("4/11", today) == date(2027, 11, 4)
    assert correction_date("23/11", today) == date(2026, 11, 23)
    assert correction_date("30/6/2021", today) == date(2021, 6, 30)
    assert correction_date("trong năm 2027", today) == date(2027, 12, 31)


def test_reminders_reach_every_co_lead_and_the_office_for_a_headless_unit(office, factory):
    with transaction(factory) as s:
        f.person(s, "ttra", role="head", unit_code="TTRA")
    _send(office, "kl-000.txt", SEED_000)
    office.say("mục 9: không giao")
    office.press("imp:save")
    with factory() as s:
        people = Directory.load(s)
        units = {u.code: u.id for u in s.scalars(select(Unit))}
        task7 = s.scalar(select(Task).where(Task.ref == "7"))  # Thanh tra Sở và Chi cục TĐC thực hiện
        got = {(p.name, note) for p, note in people.task_recipients(task7)}
        assert got == {("Người ttra", None), ("Người tdc", None)}
        task3 = s.scalar(select(Task).where(Task.ref == "3"))  # VP, QLCN (no head), TDC
        got = {(p.name, note) for p, note in people.task_recipients(task3)}
        assert ("Người tdc", None) in got and ("Người lan", units["QLCN"]) in got
        task1 = s.scalar(select(Task).where(Task.ref == "1"))  # all units
        got = people.task_recipients(task1, all_unit_ids=list(units.values()))
        assert {p.name for p, _ in got} == {"Người lan", "Người tdc", "Người ttra"}


def test_a_unit_alias_the_office_adds_reaches_importer_and_question_parser(office, core, factory):
    """One unit matcher fed by the database: an alias added there is understood everywhere."""
    with transaction(factory) as s:
        unit = f.unit(s, "QLKH")
        unit.aliases = [*unit.aliases, "Phòng Sở hữu trí tuệ"]
    data = ("Giám đốc Sở kết luận như sau:\n"
            "1. Phòng Sở hữu trí tuệ chủ trì rà soát đề tài, hoàn thành trước ngày 30/12/2026.\n").encode()
    review = text_of(_send(office, "kl.txt", data))
    assert "[1] QLKH" in review
    answer = text_of(office.say("việc quá hạn của phòng sở hữu trí tuệ"))
    assert "Phòng Quản lý Khoa học" in answer or "QLKH" in answer


def test_reminder_for_a_headless_unit_tells_the_office_why(office, factory):
    from handlers.tasks.reminders import render_reminder
    from models.queries import WorkItem

    _send(office, "kl-000.txt", SEED_000)
    office.say("mục 9: không giao")
    office.press("imp:save")
    with factory() as s:
        task3 = s.scalar(select(Task).where(Task.ref == "3"))
        people = Directory.load(s)
        notes = {note for p, note in people.task_recipients(task3) if p.name == "Người lan"}
        unit = s.scalar(select(Unit).where(Unit.code == "QLCN"))
        assert unit.id in notes  # QLCN has no head: the office receives its reminder
        text = render_reminder(WorkItem(task3, None), date(2021, 12, 31), date(2021, 12, 20), headless_unit=unit.name).text
        assert "Phòng Quản lý Công nghệ" in text and "chưa có Trưởng" in text


def test_a_co_lead_head_may_report_progress(office, factory):
    from handlers.people.permissions import can_change_task
    from models.org import Person

    _send(office, "kl-000.txt", SEED_000)
    office.say("mục 9: không giao")
    office.press("imp:save")
    with factory() as s:
        tdc_head = s.scalar(select(Person).where(Person.name == "Người tdc"))
        task3 = s.scalar(select(Task).where(Task.ref == "3"))  # VP leads, QLCN and TDC co-lead
        task9 = s.scalar(select(Task).where(Task.ref == "9"))
        assert can_change_task(tdc_head, task3) and not can_change_task(tdc_head, task9)
