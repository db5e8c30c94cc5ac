"""Registration, roles, /viec and bad input, through the channel-neutral core."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from handlers.people.registration import create_invite
from models.audit import AuditLog
from models.db import transaction
from models.org import Person
from models.tasks import Task
from tests import factories as f
from tests.conftest import NOW, Chat, buttons_of, text_of


def _invite(factory, **kw) -> str:
    with transaction(factory) as s:
        return create_invite(s, now=NOW, valid_days=7, **kw).code


def test_registration_by_code_is_single_use(core, factory):
    code = _invite(factory, name="Lê Thị Hồng", role="head", unit_code="VP")
    alice = Chat(core, "1001")
    assert "Văn phòng Sở" in text_of(alice.say(f"/start {code}"))
    assert "đã đăng ký" in text_of(alice.say("/start")) or "/viec" in text_of(alice.say("/start"))
    bob = Chat(core, "1002")
    answer = text_of(bob.say(f"/start {code}"))
    assert "đã được sử dụng" in answer
    with factory() as s:
        assert s.scalar(select(func.count(Person.id))) == 1


def test_expired_and_unknown_codes_are_refused(core, factory):
    with transaction(factory) as s:
        old = create_invite(s, name="A", role="staff", unit_code="VP", now=NOW - timedelta(days=8), valid_days=7).code
    assert "hết hạn" in text_of(Chat(core, "1").say(f"/start {old}"))
    assert "hết hạn" in text_of(Chat(core, "2").say("/start NOSUCHCODE"))


def test_stranger_sees_no_data(core, factory):
    with transaction(factory) as s:
        f.task(s, "Việc bí mật của Văn phòng", lead="VP", deadline=date(2026, 11, 30))
    for text in ["/viec", "/hoso", "việc quá hạn", "/start", ""]:
        answer = text_of(Chat(core, "999").say(text))
        assert "Văn phòng Sở để nhận mã mời" in answer
        assert "bí mật" not in answer and "1" not in answer.replace("/start", "")


def test_viec_lists_own_unit_soonest_first_with_dates_and_source(core, factory):
    with transaction(factory) as s:
        f.person(s, "hong", role="head", unit_code="VP")
        kl = f.conclusion(s)
        f.task(s, "Rà soát văn bản QPPL", lead="VP", deadline=date(2026, 11, 25), conclusion_=kl, ref="6")
        f.task(s, "Kiện toàn tổ chức bộ máy", lead="VP", deadline=date(2026, 12, 20), conclusion_=kl, ref="9")
        f.task(s, "Sáng kiến CCHC", lead="QLCN", deadline=date(2026, 12, 31), conclusion_=kl, ref="3", support=["VP"])
        f.task(s, "Việc của Thanh tra", lead="TTRA", deadline=date(2026, 11, 24))
        f.task(s, "Việc trễ", lead="VP", deadline=date(2026, 11, 20))
    answer = text_of(Chat(core, "hong").say("/viec"))
    assert "Việc của Thanh tra" not in answer
    order = [answer.index(t) for t in ["Việc trễ", "Rà soát văn bản", "Kiện toàn"]]
    assert order == sorted(order)
    # a task the unit only supports is collapsed into one line with a button
    assert "Sáng kiến" not in answer and "…và 1 việc đơn vị phối hợp" in answer
    chat = Chat(core, "hong")
    [(_label, data)] = [b for b in buttons_of(chat.say("/viec")) if b[0] == "Xem 1 việc phối hợp"]
    assert "Sáng kiến CCHC" in text_of(chat.press(data))
    assert "25/11/2026" in answer and "664/KL-SKH&CN mục 6" in answer
    assert "quá hạn 1 ngày làm việc" in answer  # 20/11 (Fri) → 23/11 (Mon)
    # 24/11 is Ngày Văn hóa Việt Nam, a day off in the holidays table: 25/11 is one working day away.
    assert "hạn 25/11/2026 (còn 1 ngày làm việc)" in answer


def test_long_lists_page_with_see_more(core, factory):
    with transaction(factory) as s:
        f.person(s, "hong", role="head", unit_code="VP")
        for i in range(14):
            f.task(s, f"Nhiệm vụ số {i:02d}", lead="VP", deadline=date(2026, 12, 1) + timedelta(days=i))
    chat = Chat(core, "hong")
    first = chat.say("/viec")
    assert "14" in first[0].text and "Nhiệm vụ số 09" in first[0].text and "Nhiệm vụ số 10" not in first[0].text
    (label, data), = [b for b in buttons_of(first) if b[0] == "Xem thêm"]
    second = chat.press(data)
    assert "Nhiệm vụ số 13" in second[0].text and "Nhiệm vụ số 00" not in second[0].text
    assert not [b for b in buttons_of(second) if b[0] == "Xem thêm"]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("/khonglenhnay", "Không có lệnh /khonglenhnay"),
        ("", "Tin nhắn trống"),
        ("x" * 10_000, "Tin nhắn quá dài (10.000 ký tự)"),
        ("🙂🎉👍", "Cảm ơn anh/chị"),
    ],
    ids=["unknown-command", "empty", "10000-characters", "emoji-only"],
)
def test_bad_input_gets_a_short_vietnamese_answer_and_writes_only_audit(core, factory, text, expected):
    with transaction(factory) as s:
        f.person(s, "hong", role="head", unit_code="VP")
    with factory() as s:
        before_tasks = s.scalar(select(func.count(Task.id)))
        before_audit = s.scalar(select(func.count(AuditLog.id)))
    replies = Chat(core, "hong").say(text)
    assert len(replies) == 1 and expected in replies[0].text and len(replies[0].text) < 300
    with factory() as s:
        assert s.scalar(select(func.count(Task.id))) == before_tasks
        assert s.scalar(select(func.count(AuditLog.id))) == before_audit + 1


def test_language_switch_is_per_person(core, factory):
    with transaction(factory) as s:
        f.person(s, "a", unit_code="VP")
        f.person(s, "b", unit_code="VP")
    a, b = Chat(core, "a"), Chat(core, "b")
    a.press("lang:en")
    assert "Open tasks" in text_of(a.say("/viec")) or "no open tasks" in text_of(a.say("/viec"))
    assert "Văn phòng Sở hiện không có nhiệm vụ" in text_of(b.say("/viec"))


def test_office_invites_from_chat_and_the_code_registers_once(core, factory):
    with transaction(factory) as s:
        f.person(s, "lan", role="admin", unit_code="VP")
        f.person(s, "mai", role="head", unit_code="QLCN")
    answer = text_of(Chat(core, "lan").say("/moi TDC truong Phạm Thành Phương"))
    code = answer.split("/start ")[-1].strip()
    assert "Mã mời cho Phạm Thành Phương" in answer and len(code) == 10
    assert "Chi cục Tiêu chuẩn" in text_of(Chat(core, "9001").say(f"/start {code}"))
    assert "Chỉ Văn phòng Sở" in text_of(Chat(core, "mai").say("/moi TDC truong A"))
    assert "Để mời" in text_of(Chat(core, "lan").say("/moi TDC"))
    assert "XYZ" in text_of(Chat(core, "lan").say("/moi XYZ truong A"))


def test_progress_by_number_from_viec_without_a_reminder(core, factory):
    with transaction(factory) as s:
        f.person(s, "hong", role="head", unit_code="VP")
        first = f.task(s, "Rà soát văn bản QPPL", lead="VP", deadline=date(2026, 11, 25))
        second = f.task(s, "Kiện toàn tổ chức bộ máy", lead="VP", deadline=date(2026, 12, 20))
        ids = first.id, second.id
    chat = Chat(core, "hong")
    listing = chat.say("/viec")
    assert ("📝 1", f"upd:task:{ids[0]}") in buttons_of(listing)
    assert "80%" in text_of(chat.say("việc 1 xong 80%"))
    assert "Kiện toàn" in text_of(chat.say("2 xong"))
    assert "Đã ghi nhận" not in text_of(chat.say("3 việc quá hạn"))  # a question, not task 3
    assert "/viec" in text_of(chat.say("việc 7 xong"))  # no such number
    with factory() as s:
        assert [s.get(Task, i).percent for i in ids] == [80, 100]
