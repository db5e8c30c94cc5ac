"""Who the planner reminds about one task: every co-lead unit's head, each unit's
head for an item addressed to all units, and the office for a unit with no
registered head — once per person per step, however often the planner ticks."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from models.db import transaction
from models.outbox import Notification
from models.org import Unit
from models.tasks import Task
from scheduler.dispatcher import dispatch_once
from scheduler.planner import tick_once
from tests import factories as f
from tests.test_dispatcher import ListSender
from tests.test_planner import tet_cal  # noqa: F401  (fixture)

DEADLINE = date(2027, 2, 15)  # a Monday after Tết: its "due today" step is due at 07:30


def _at(cal, hh: int, mm: int = 0) -> datetime:
    return datetime(DEADLINE.year, DEADLINE.month, DEADLINE.day, hh, mm, tzinfo=cal.tz)


async def _tick_and_send(factory, settings, cal, now: datetime) -> ListSender:
    sender = ListSender(clock=lambda: now)
    tick_once(factory, settings, now, cal)
    await dispatch_once(factory, settings, {"console": sender}, now, cal=cal)
    return sender


def _reminders(sender: ListSender, ref: str) -> dict[str, list[str]]:
    """Chat → texts of the reminders about ``ref`` it received."""
    out: dict[str, list[str]] = {}
    for chat, reply in sender.sent:
        if reply.context_ref == ref:
            out.setdefault(chat, []).append(reply.text)
    return out


def _count(factory) -> int:
    with factory() as s:
        return s.scalar(select(func.count(Notification.id)).where(Notification.kind == "reminder"))


async def _second_tick_sends_nothing(factory, settings, cal) -> None:
    before = _count(factory)
    again = await _tick_and_send(factory, settings, cal, _at(cal, 10))
    assert again.sent == [] and _count(factory) == before


async def test_both_co_lead_heads_are_reminded_once(factory, settings, tet_cal):
    with transaction(factory) as s:
        f.person(s, "mai", role="head", unit_code="QLCN")
        f.person(s, "pho-qlcn", role="deputy_head", unit_code="QLCN")  # QLCN has a head: its deputy gets nothing
        f.person(s, "tdc", role="head", unit_code="TDC")
        f.person(s, "lan", role="admin", unit_code="VP")
        task = f.task(s, "Triển khai đề án chuyển đổi số", lead="QLCN", deadline=DEADLINE)
        task.co_lead_units = [f.unit(s, "TDC")]
        ref = f"task:{task.id}"
    sender = await _tick_and_send(factory, settings, tet_cal, _at(tet_cal, 9))
    got = _reminders(sender, ref)
    assert sorted(got) == ["mai", "tdc"] and all(len(texts) == 1 for texts in got.values())
    assert "hạn hôm nay" in got["tdc"][0] and "Văn phòng Sở" not in got["tdc"][0]
    await _second_tick_sends_nothing(factory, settings, tet_cal)


async def test_an_all_units_item_reminds_each_units_head(factory, settings, tet_cal):
    with transaction(factory) as s:
        codes = list(s.scalars(select(Unit.code).where(Unit.kind != "leadership").order_by(Unit.id)))
        for code in codes:
            f.person(s, f"head-{code}", role="head", unit_code=code)
        f.person(s, "lan", role="admin", unit_code="VP")
        f.person(s, "gd", role="leader", unit_code="BGD")
        task = f.task(s, "Rà soát thủ tục hành chính thuộc lĩnh vực quản lý", lead=None, deadline=DEADLINE, all_units=True)
        ref = f"task:{task.id}"
    sender = await _tick_and_send(factory, settings, tet_cal, _at(tet_cal, 9))
    got = _reminders(sender, ref)
    assert len(codes) == 7
    assert sorted(got) == sorted(f"head-{c}" for c in codes)  # not the office, not the Directorate
    assert all(len(texts) == 1 for texts in got.values())
    await _second_tick_sends_nothing(factory, settings, tet_cal)


async def test_a_lead_unit_without_head_is_reminded_through_the_office(factory, settings, tet_cal):
    with transaction(factory) as s:
        f.person(s, "lan", role="admin", unit_code="VP")
        f.person(s, "hong", role="head", unit_code="VP")
        f.person(s, "nam", role="staff", unit_code="QLKH")  # staff are not reminded in the head's place
        task = f.task(s, "Tổng kết nhiệm vụ khoa học cấp tỉnh", lead="QLKH", deadline=DEADLINE)
        ref = f"task:{task.id}"
    sender = await _tick_and_send(factory, settings, tet_cal, _at(tet_cal, 9))
    got = _reminders(sender, ref)
    assert list(got) == ["lan"] and len(got["lan"]) == 1
    text = got["lan"][0]
    assert "Gửi Văn phòng Sở vì Phòng Quản lý Khoa học chưa có Trưởng đơn vị" in text
    assert "Tổng kết nhiệm vụ khoa học cấp tỉnh" in text
    await _second_tick_sends_nothing(factory, settings, tet_cal)


async def test_the_office_gets_one_round_naming_each_headless_unit(factory, settings, tet_cal):
    with transaction(factory) as s:
        f.person(s, "lan", role="admin", unit_code="VP")
        a = f.task(s, "Báo cáo kết quả thanh tra chuyên ngành", lead="TTRA", deadline=DEADLINE)
        b = f.task(s, "Kế hoạch ứng dụng tiến bộ kỹ thuật", lead="TTUD", deadline=DEADLINE)
        b.co_lead_units = [f.unit(s, "TTRA")]  # two headless lead units of one item: still one line for it
        a_id, b_id = a.id, b.id
    sender = await _tick_and_send(factory, settings, tet_cal, _at(tet_cal, 9))
    texts = [r.text for chat, r in sender.sent if chat == "lan" and (r.context_ref or "").startswith("rnd:")]
    assert len(texts) == 1 and "2 nhiệm vụ" in texts[0]
    assert "Thanh tra Sở" in texts[0] and "Trung tâm" in texts[0] and "Gửi Văn phòng Sở vì" in texts[0]
    with factory() as s:
        bundled = sorted(s.scalars(select(Notification.subject_ref).where(Notification.status == "bundled")))
    assert bundled == [f"task:{a_id}", f"task:{b_id}"]  # one per item, though the office stands in for TTRA twice
    await _second_tick_sends_nothing(factory, settings, tet_cal)
