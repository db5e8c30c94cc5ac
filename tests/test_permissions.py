"""Who may press what: forged buttons of every kind, closed tasks, and the
answer the bot waits for — through the core, on every configured database."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from models.db import transaction
from models.dossiers import Dossier
from models.outbox import Notification
from models.tasks import ExtensionRequest, ProgressUpdate, Task, TaskStatus
from scheduler.dispatcher import dispatch_once
from tests import factories as f
from tests.conftest import NOW, Chat, buttons_of, text_of
from tests.test_dispatcher import ListSender

pytestmark = pytest.mark.db

TITLE = "Số hóa hồ sơ lưu trữ của Chi cục"
REFUSED = "Anh/chị không có quyền thao tác trên mục này. Anh/chị gõ /viec để xem nhiệm vụ của đơn vị mình."


@pytest.fixture
def world(factory):
    """Two units, each with a head; a deputy director for each; the Director; the office."""
    with transaction(factory) as s:
        f.person(s, "mai", role="head", unit_code="QLCN", name="Nguyễn Thị Mai")
        f.person(s, "phuong", role="head", unit_code="TDC", name="Phạm Thành Phương")
        f.person(s, "hoa", role="leader", unit_code="BGD", name="Trần Công Hòa", supervises=["QLCN"])
        f.person(s, "tuan", role="leader", unit_code="BGD", name="Lê Minh Tuấn", supervises=["TDC"])
        f.person(s, "gd", role="leader", unit_code="BGD", name="Võ Văn Giám")
        f.person(s, "lan", role="admin", unit_code="VP", name="Bùi Thị Lan")
        kl = f.conclusion(s)
        tdc = f.task(s, TITLE, lead="TDC", deadline=date(2026, 12, 15), conclusion_=kl, ref="3", percent=40)
        d = Dossier(code="000.00.19.H48-261110-0042", procedure_name="Đăng ký công bố hợp chuẩn",
                    unit=f.unit(s, "TDC"), received_at=NOW, due_at=NOW, channel="online", status=2)
        s.add(d)
        s.flush()
        return {"task": tdc.id, "dossier": d.id}


def _request(core, factory, task_id: int, who: str = "phuong") -> int:
    chat = Chat(core, who)
    chat.press(f"ext:task:{task_id}")
    chat.say("30/12 chờ kết quả thẩm định")
    with factory() as s:
        return s.scalar(select(ExtensionRequest.id).order_by(ExtensionRequest.id.desc()))


def _task(factory, task_id) -> Task:
    with factory() as s:
        return s.get(Task, task_id)


@pytest.mark.parametrize("button", ["done:{ref}", "upd:{ref}", "pct:{ref}:100", "ext:{ref}", "snz:{ref}"])
def test_a_forged_task_button_from_another_unit_reveals_nothing_and_changes_nothing(core, factory, world, button):
    ref = f"task:{world['task']}"
    answer = text_of(Chat(core, "mai").press(button.format(ref=ref)))
    assert answer == REFUSED
    assert TITLE not in answer and "15/12" not in answer
    task = _task(factory, world["task"])
    assert (task.percent, task.status, task.deadline) == (40, TaskStatus.OPEN, date(2026, 12, 15))
    with factory() as s:
        assert s.scalar(select(func.count(Notification.id))) == 0  # no snoozed copy, no request sent


def test_task_ids_cannot_be_walked_to_list_titles(core, world):
    mai = Chat(core, "mai")
    answers = [text_of(mai.press(f"snz:task:{n}")) for n in range(1, 6)]
    assert all(TITLE not in a for a in answers)


def test_a_head_cannot_nudge_another_unit_nor_record_its_apology(core, factory, world):
    mai = Chat(core, "mai")
    assert "Lãnh đạo Sở" in text_of(mai.press(f"snz:unit:task:{world['task']}"))
    answer = text_of(mai.press(f"apo:{world['dossier']}"))
    assert "0042" not in answer and "Văn phòng Sở" in answer
    with factory() as s:
        assert s.get(Dossier, world["dossier"]).apology_at is None


def test_a_percentage_above_100_is_refused_not_clamped(core, factory, world):
    answer = text_of(Chat(core, "phuong").press(f"pct:task:{world['task']}:150"))
    assert "không còn hiệu lực" in answer
    assert _task(factory, world["task"]).status == TaskStatus.OPEN


def test_only_the_supervising_deputy_or_the_director_decides_an_extension(core, factory, world):
    req = _request(core, factory, world["task"])
    for who in ("hoa", "lan", "mai"):  # another unit's deputy director, the office, another head
        assert "Phó Giám đốc phụ trách" in text_of(Chat(core, who).press(f"exa:{req}"))
    assert _task(factory, world["task"]).deadline == date(2026, 12, 15)
    assert "30/12/2026" in text_of(Chat(core, "tuan").press(f"exa:{req}"))
    assert _task(factory, world["task"]).deadline == date(2026, 12, 30)


def test_the_director_may_decide_for_any_unit(core, factory, world):
    req = _request(core, factory, world["task"])
    text_of(Chat(core, "gd").press(f"exa:{req}"))
    assert _task(factory, world["task"]).deadline == date(2026, 12, 30)


def test_a_request_on_a_completed_task_no_longer_moves_its_deadline(core, factory, world):
    req = _request(core, factory, world["task"])
    Chat(core, "phuong").press(f"done:task:{world['task']}")
    assert "đã hoàn thành" in text_of(Chat(core, "tuan").press(f"exa:{req}"))
    task = _task(factory, world["task"])
    assert (task.status, task.deadline) == (TaskStatus.DONE, date(2026, 12, 15))


def test_a_withdrawn_task_takes_no_progress(core, factory, world):
    with transaction(factory) as s:
        s.get(Task, world["task"]).status = TaskStatus.CANCELLED
    answer = text_of(Chat(core, "phuong").press(f"done:task:{world['task']}"))
    assert "thu hồi" in answer
    with factory() as s:
        assert s.scalar(select(func.count(ProgressUpdate.id))) == 0


async def test_a_refusal_reason_that_reads_like_a_question_reaches_the_requester(core, factory, settings, world):
    req = _request(core, factory, world["task"])
    tuan = Chat(core, "tuan")
    assert buttons_of(tuan.press(f"exr:{req}")) == [("Không ghi lý do", f"exs:r{req}")]
    reason = "việc quá hạn của Chi cục còn nhiều, sao lại xin gia hạn?"
    assert "Đã chuyển lý do tới Phạm Thành Phương" in text_of(tuan.say(reason))
    sender = ListSender()
    await dispatch_once(factory, settings, {"console": sender}, NOW)
    told = text_of(sender.to("phuong"))
    assert "không đồng ý" in told.lower() and reason in told


def test_a_command_abandons_the_open_question(core, factory, world):
    phuong = Chat(core, "phuong")
    phuong.press(f"ext:task:{world['task']}")
    phuong.say("/viec")
    answer = text_of(phuong.say("30/12"))  # no longer read as the proposed date
    with factory() as s:
        assert s.scalar(select(func.count(ExtensionRequest.id))) == 0
    assert "gia hạn" not in answer.lower()
