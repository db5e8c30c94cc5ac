"""Input hardening through the core, on both databases: control characters,
lengths, far-away dates, group chats, invitations claimed once."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from handlers.core.inputs import clean_text
from handlers.core.messages import Attachment, FetchFailed, IncomingMessage
from handlers.people.registration import create_invite
from models.audit import AuditLog
from models.db import transaction
from models.org import Identity, Invite, Person
from models.tasks import ExtensionRequest
from tests import factories as f
from tests.conftest import NOW, Chat, text_of


def _invite(factory, **kw) -> str:
    with transaction(factory) as s:
        return create_invite(s, now=NOW, valid_days=7, **kw).code


def test_clean_text_strips_nul_controls_and_bidi_overrides():
    assert clean_text("a\x00b\x07c\u202ed\r\ne\tf") == "abcd\ne\tf"
    assert clean_text(None) is None


def test_a_nul_byte_in_a_message_is_answered_normally(core, factory):
    with transaction(factory) as s:
        f.person(s, "hong", role="head", unit_code="VP")
        f.task(s, "Rà soát văn bản", lead="VP", deadline=date(2026, 11, 30))
    answer = text_of(Chat(core, "hong").say("/viec\x00\x00"))
    assert "Rà soát văn bản" in answer
    stranger = text_of(Chat(core, "999").say("xin\x00 chào\x1b[31m"))
    assert "Văn phòng Sở để nhận mã mời" in stranger
    with factory() as s:
        assert s.scalar(select(func.count(AuditLog.id)).where(AuditLog.action == "error")) == 0
        details = list(s.scalars(select(AuditLog.detail).where(AuditLog.action == "unregistered")))
        assert details and all("\x00" not in d and "\x1b" not in d for d in details)


def test_a_300_character_name_in_moi_gets_a_clear_line(core, factory):
    with transaction(factory) as s:
        f.person(s, "lan", role="admin", unit_code="VP")
    answer = text_of(Chat(core, "lan").say("/moi TDC truong " + "Phạm Thành Phương " * 17))
    assert "vượt quá 255 ký tự" in answer and "ngắn gọn" in answer
    with factory() as s:
        assert s.scalar(select(func.count(Invite.id))) == 0
        assert s.scalar(select(func.count(AuditLog.id)).where(AuditLog.action == "error")) == 0


@pytest.mark.parametrize("typed", ["31/12/99999", "31/12/2100", "1/1/2030"])
def test_extension_dates_beyond_three_years_are_refused(core, factory, typed):
    with transaction(factory) as s:
        f.person(s, "mai", role="head", unit_code="QLCN")
        task_id = f.task(s, "Triển khai phần mềm", lead="QLCN", deadline=date(2026, 11, 25)).id
    mai = Chat(core, "mai")
    mai.press(f"ext:task:{task_id}")
    answer = text_of(mai.say(typed))
    assert "quá xa" in answer or "chưa đọc được ngày" in answer.lower()
    assert "đã gửi" not in answer.lower()
    with factory() as s:
        assert s.scalar(select(func.count(ExtensionRequest.id))) == 0
    assert "lý do" in text_of(mai.say("30/12/2026")).lower()  # a sensible date still works


def test_a_group_chat_sees_no_data_is_told_once_and_cannot_register(core, factory):
    with transaction(factory) as s:
        f.person(s, "hong", role="head", unit_code="VP")
        f.task(s, "Việc nội bộ của Văn phòng", lead="VP", deadline=date(2026, 11, 30))
    code = _invite(factory, name="Lê Văn Nhóm", role="head", unit_code="TDC")

    def in_group(sender: str, text: str) -> str:
        msg = IncomingMessage(channel="console", chat_id="-100", sender_id=sender, text=text, chat_type="group")
        return text_of(core.handle_sync(msg))

    first = in_group("hong", "/viec")
    assert "trò chuyện riêng" in first and "Việc nội bộ" not in first
    assert in_group("hong", "/viec") == ""
    assert in_group("newbie", f"/start {code}") == ""
    with factory() as s:
        assert s.scalar(select(Invite.used_at).where(Invite.code == code)) is None
        assert s.scalar(select(func.count(Person.id))) == 1
    # The same code still works in a private chat.
    assert "đã đăng ký" in text_of(Chat(core, "newbie").say(f"/start {code}")).lower()


def test_a_strangers_file_is_never_fetched_a_members_is(core, factory):
    fetched: list[str] = []

    def fetch() -> bytes:
        fetched.append("x")
        return b"STT\tNoi dung\n"

    def send(sender: str) -> str:
        msg = IncomingMessage(channel="console", chat_id=sender, sender_id=sender,
                              attachment=Attachment("list.txt", fetch=fetch))
        return text_of(core.handle_sync(msg))

    assert "Văn phòng Sở để nhận mã mời" in send("999")
    assert fetched == []
    with transaction(factory) as s:
        f.person(s, "lan", role="admin", unit_code="VP")
    send("lan")
    assert fetched == ["x"]


def test_a_failed_fetch_is_told_in_the_persons_words(core, factory):
    def fetch() -> bytes:
        raise FetchFailed("Xin lỗi, tôi chưa tải được tệp.")

    with transaction(factory) as s:
        f.person(s, "lan", role="admin", unit_code="VP")
    msg = IncomingMessage(channel="console", chat_id="lan", sender_id="lan",
                          attachment=Attachment("list.xlsx", fetch=fetch))
    assert text_of(core.handle_sync(msg)) == "Xin lỗi, tôi chưa tải được tệp."


def test_five_people_with_one_code_at_once_get_one_account(core, factory):
    code = _invite(factory, name="Nguyễn Văn Một", role="staff", unit_code="TDC")
    barrier = threading.Barrier(5)
    answers: dict[int, str] = {}

    def register(n: int) -> None:
        barrier.wait()
        answers[n] = text_of(Chat(core, f"race{n}").say(f"/start {code}"))

    threads = [threading.Thread(target=register, args=(n,)) for n in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with factory() as s:
        assert s.scalar(select(func.count(Person.id))) == 1
        assert s.scalar(select(func.count(Identity.id))) == 1
    welcomed = [a for a in answers.values() if "đã đăng ký" in a.lower()]
    assert len(welcomed) == 1, answers


def test_a_deactivated_person_can_be_reinvited_on_the_same_account(core, factory):
    code = _invite(factory, name="Trần Văn Cũ", role="staff", unit_code="TDC")
    old = Chat(core, "4242")
    old.say(f"/start {code}")
    with transaction(factory) as s:
        s.scalar(select(Person)).active = False
    assert "Văn phòng Sở để nhận mã mời" in text_of(old.say("/viec"))
    again = _invite(factory, name="Trần Văn Cũ", role="head", unit_code="TDC")
    assert "đã đăng ký" in text_of(old.say(f"/start {again}")).lower()
    assert "Văn phòng Sở để nhận mã mời" not in text_of(old.say("/viec"))
    with factory() as s:
        active = list(s.scalars(select(Person).where(Person.active.is_(True))))
        assert [p.role for p in active] == ["head"]


def test_an_invitation_refuses_unknown_supervised_units(factory):
    with transaction(factory) as s, pytest.raises(ValueError, match="ABC"):
        create_invite(s, name="Phó Giám đốc", role="leader", unit_code="BGD", now=NOW, valid_days=7,
                      supervises=["QLCN", "ABC"])


def test_expiry_is_checked_by_the_claim_too(core, factory):
    with transaction(factory) as s:
        old = create_invite(s, name="A", role="staff", unit_code="VP", now=NOW - timedelta(days=7, seconds=1),
                            valid_days=7).code
    assert "hết hạn" in text_of(Chat(core, "1").say(f"/start {old}"))


def test_a_corrected_deadline_beyond_three_years_is_refused():
    from handlers.tasks.importers.conclusion import TaskDraft
    from handlers.tasks.review import apply_correction

    task = TaskDraft(ref="3", content="Rà soát thủ tục", deadline=date(2026, 6, 30))
    kept, problems = apply_correction(task, "hạn 31/12/2099", date(2026, 5, 27), {})
    assert kept.deadline == date(2026, 6, 30) and "quá xa" in "; ".join(problems)
    moved, problems = apply_correction(task, "hạn 31/12/2026", date(2026, 5, 27), {})
    assert moved.deadline == date(2026, 12, 31) and problems == []
