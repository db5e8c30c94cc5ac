"""Typed answers act like the buttons: an extension asked in words reaches the
supervising deputy director, whose typed "đồng ý" moves the deadline; thanks
change nothing; a number answers a round of reminders — through the core."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from handlers.core.messages import Reply
from models.db import transaction
from models.outbox import Notification
from models.tasks import ExtensionRequest, ProgressUpdate, Task
from scheduler.dispatcher import dispatch_once
from tests import factories as f
from tests.conftest import NOW, Chat, text_of
from tests.test_dispatcher import ListSender

pytestmark = pytest.mark.db


@pytest.fixture
def task_id(factory):
    with transaction(factory) as s:
        f.person(s, "mai", role="head", unit_code="QLCN", name="Nguyễn Thị Mai")
        f.person(s, "hoa", role="leader", unit_code="BGD", name="Trần Công Hòa", supervises=["QLCN"])
        t = f.task(s, "Triển khai phần mềm quản lý hồ sơ công việc", lead="QLCN", deadline=date(2026, 11, 25),
                   conclusion_=f.conclusion(s), ref="7", percent=20)
        return t.id


def _deadline(factory, task_id) -> date:
    with factory() as s:
        return s.get(Task, task_id).deadline


async def test_a_typed_extension_reaches_the_deputy_whose_typed_yes_moves_the_deadline(core, factory, settings, task_id):
    mai = Chat(core, "mai")
    mai.receive(Reply("🔔 Nhắc việc", context_ref=f"task:{task_id}"))
    answer = text_of(mai.reply("xin gia hạn đến 15/12 do chờ quyết định phê duyệt"))
    assert "Trần Công Hòa" in answer and "15/12/2026" in answer
    sender = ListSender()
    await dispatch_once(factory, settings, {"console": sender}, NOW)
    [request] = sender.to("hoa")
    assert "chờ quyết định phê duyệt" in request.text
    hoa = Chat(core, "hoa")
    hoa.receive(request)
    assert "15/12/2026" in text_of(hoa.reply("Đồng ý nhé"))
    assert _deadline(factory, task_id) == date(2026, 12, 15)
    with factory() as s:
        assert s.scalar(select(ExtensionRequest.status)) == "approved"


async def test_a_typed_refusal_with_its_reason_reaches_the_head(core, factory, settings, task_id):
    mai = Chat(core, "mai")
    mai.receive(Reply("🔔 Nhắc việc", context_ref=f"task:{task_id}"))
    mai.reply("xin gia hạn đến 15/12")
    sender = ListSender()
    await dispatch_once(factory, settings, {"console": sender}, NOW)
    hoa = Chat(core, "hoa")
    hoa.receive(sender.to("hoa")[0])
    hoa.reply("Không đồng ý, việc này đã chậm nhiều rồi sao còn xin thêm?")
    await dispatch_once(factory, settings, {"console": sender}, NOW)
    told = text_of(sender.to("mai"))
    assert "đã chậm nhiều rồi" in told
    assert _deadline(factory, task_id) == date(2026, 11, 25)


def test_an_extension_without_a_date_asks_for_it(core, factory, task_id):
    mai = Chat(core, "mai")
    mai.receive(Reply("🔔 Nhắc việc", context_ref=f"task:{task_id}"))
    assert "đến ngày nào" in text_of(mai.reply("cho em xin thêm 5 ngày ạ")).lower()
    assert "lý do" in text_of(mai.say("2/12")).lower()
    with factory() as s:
        assert s.scalar(select(func.count(ExtensionRequest.id))) == 0  # not sent before the reason step


@pytest.mark.parametrize("text", ["ok em", "dạ vâng", "cảm ơn", "👍"])
def test_thanks_change_nothing(core, factory, task_id, text):
    mai = Chat(core, "mai")
    mai.receive(Reply("🔔 Nhắc việc", context_ref=f"task:{task_id}"))
    assert "Không có gì thay đổi" in text_of(mai.reply(text)) or text == "👍"
    with factory() as s:
        assert s.scalar(select(func.count(ProgressUpdate.id))) == 0


def test_a_completion_that_does_not_say_so_plainly_is_confirmed(core, factory, task_id):
    mai = Chat(core, "mai")
    mai.receive(Reply("🔔 Nhắc việc", context_ref=f"task:{task_id}"))
    answer = mai.reply("100%")
    with factory() as s:
        status = s.get(Task, task_id).status
    assert status == "done" and "minh chứng" in text_of(answer)  # "100%" is plain: done, evidence offered


async def test_a_number_answers_a_round_of_reminders(core, factory, settings):
    from scheduler.planner import tick_once

    with transaction(factory) as s:
        f.person(s, "mai", role="head", unit_code="QLCN", name="Nguyễn Thị Mai")
        ids = [f.task(s, f"Nhiệm vụ {i}", lead="QLCN", deadline=date(2026, 11, 25)).id for i in range(3)]
    tick_once(factory, settings, NOW)
    sender = ListSender()
    await dispatch_once(factory, settings, {"console": sender}, NOW)
    [round_message] = sender.to("mai")
    mai = Chat(core, "mai")
    mai.receive(round_message)
    assert "Nhiệm vụ" in text_of(mai.reply("2 xong 80%"))
    assert "số thứ tự" in text_of(mai.reply("xong 80%"))  # which one? asked, nothing stored
    with factory() as s:
        percents = [s.get(Task, i).percent for i in ids]
        assert sorted(percents) == [0, 0, 80]
        assert s.scalar(select(func.count(Notification.id)).where(Notification.idem_key.like("rnd:%"))) == 1


async def test_an_older_message_is_answered_by_its_number_after_newer_ones(core, factory, settings):
    """A head answers Monday's reminder on Wednesday, without reply-to (as on Zalo), after a newer
    round and a /viec list came in between: the number in Monday's message still names its task."""
    from datetime import datetime, timedelta

    from scheduler.planner import tick_once
    from tests.conftest import TZ

    with transaction(factory) as s:
        f.person(s, "mai", role="head", unit_code="QLCN", name="Nguyễn Thị Mai")
        early = f.task(s, "Báo cáo quý IV", lead="QLCN", deadline=date(2026, 11, 24)).id
        later = [f.task(s, f"Kế hoạch {i}", lead="QLCN", deadline=date(2026, 12, 4)).id for i in range(2)]
    mai = Chat(core, "mai")
    sender = ListSender()
    monday = datetime(2026, 11, 23, 7, 30, tzinfo=TZ)
    tick_once(factory, settings, monday)
    await dispatch_once(factory, settings, {"console": sender}, monday)
    [first] = sender.to("mai")
    number = int(first.text.split("(việc số ")[1].split(")")[0])
    assert f"“{number} xong 80%”" in first.text  # the reminder says how to answer it later
    wednesday = monday + timedelta(days=2)  # the other two are now 3 working days away: a round
    tick_once(factory, settings, wednesday)
    await dispatch_once(factory, settings, {"console": sender}, wednesday)
    newer = sender.to("mai")[-1]
    assert "2 nhiệm vụ" in newer.text and f"\n{number}." not in newer.text  # the round numbers its own tasks apart
    mai.receive(newer)  # on Zalo a plain message counts as a reply to the latest message
    assert "Báo cáo quý IV" in text_of(mai.reply(f"{number} xong 80%"))
    text_of(mai.say("/viec"))
    assert "Báo cáo quý IV" in text_of(mai.say(f"việc {number} xong 90%"))
    with factory() as s:
        assert s.get(Task, early).percent == 90 and [s.get(Task, i).percent for i in later] == [0, 0]


def test_a_closed_tasks_number_is_reused_only_after_two_weeks_unseen(factory):
    from datetime import datetime, timedelta

    from handlers.tasks import numbers
    from tests.conftest import TZ

    with transaction(factory) as s:
        mai = f.person(s, "mai", role="head", unit_code="QLCN", name="Nguyễn Thị Mai").id
    day = datetime(2026, 11, 23, 9, tzinfo=TZ)
    with transaction(factory) as s:
        assert numbers.assign(s, mai, ["task:1", "task:2", "task:3"], day) == [1, 2, 3]
    with transaction(factory) as s:  # task 1 closed; a new task the same week gets a fresh number
        assert numbers.assign(s, mai, ["task:4", "task:2"], day + timedelta(days=3), open_refs={"task:2", "task:3", "task:4"}) == [4, 2]
        assert numbers.ref_of(s, mai, 1) == "task:1"
    with transaction(factory) as s:  # two weeks later number 1 is free again
        assert numbers.assign(s, mai, ["task:5"], day + timedelta(days=15), open_refs={"task:2", "task:3", "task:4", "task:5"}) == [1]
        assert numbers.ref_of(s, mai, 1) == "task:5"
