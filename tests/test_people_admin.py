"""The office manages people in chat (confirmed by buttons, audited) and on the CLI."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from handlers.people import admin
from handlers.people.registration import create_invite
from models.audit import AuditLog
from models.db import transaction
from models.org import Invite, Person
from tests import factories as f
from tests.conftest import NOW, Chat, buttons_of, text_of

STRANGER = "Văn phòng Sở để nhận mã mời"


@pytest.fixture
def people(factory) -> dict[str, int]:
    with transaction(factory) as s:
        ids = {
            "lan": f.person(s, "lan", role="admin", unit_code="VP", name="Bùi Thị Lan").id,
            "mai": f.person(s, "mai", role="head", unit_code="QLCN", name="Nguyễn Thị Mai").id,
            "hoa": f.person(s, "hoa", role="leader", unit_code="BGD", name="Trần Công Hòa", supervises=["QLCN"]).id,
        }
        create_invite(s, name="Phạm Thành Phương", role="head", unit_code="TDC", now=NOW, valid_days=7)
    return ids


def _data(replies, label_part: str) -> str:
    return next(d for label, d in buttons_of(replies) if label_part in label)


def _audits(factory, action: str) -> list[str]:
    with factory() as s:
        return list(s.scalars(select(AuditLog.detail).where(AuditLog.action == action)))


def test_the_office_lists_people_and_who_has_not_registered(core, people):
    lan = Chat(core, "lan")
    listing = text_of(lan.say("/nguoi"))
    assert "Đã đăng ký (3)" in listing and f"#{people['mai']} Nguyễn Thị Mai — Trưởng đơn vị, QLCN" in listing
    assert "Chưa đăng ký (1)" in listing and "Phạm Thành Phương" in listing
    waiting = text_of(lan.say("ai chưa đăng ký?"))
    assert "Phạm Thành Phương" in waiting and "Nguyễn Thị Mai" not in waiting
    assert "/nguoi" in text_of(lan.say("/huongdan"))
    assert "/nguoi" not in text_of(Chat(core, "mai").say("/huongdan"))


def test_the_office_deactivates_a_person_after_confirming_and_their_next_message_is_a_strangers(core, factory, people):
    lan, mai = Chat(core, "lan"), Chat(core, "mai")
    card = lan.say(f"/nguoi {people['mai']}")
    question = lan.press(_data(card, "Ngừng hoạt động"))
    assert "Ngừng hoạt động" in text_of(question) and "Nguyễn Thị Mai" in text_of(question)
    assert STRANGER not in text_of(mai.say("/viec"))  # nothing changes before the confirmation
    assert "Đã hủy" in text_of(lan.press(_data(question, "Hủy")))
    assert STRANGER not in text_of(mai.say("/viec"))
    done = text_of(lan.press(_data(question, "Xác nhận")))
    assert "Đã ngừng hoạt động Nguyễn Thị Mai" in done
    assert STRANGER in text_of(mai.say("/viec"))
    assert _audits(factory, "person_deactivated") == [f"#{people['mai']} Nguyễn Thị Mai"]
    # Reactivated the same way: the same account works again.
    question = lan.press(_data(lan.say(f"/nguoi {people['mai']}"), "Kích hoạt lại"))
    lan.press(_data(question, "Xác nhận"))
    assert STRANGER not in text_of(mai.say("/viec"))


def test_a_forged_admin_button_from_a_head_changes_and_reveals_nothing(core, factory, people):
    mai = Chat(core, "mai")
    for data in (f"adm:off:{people['lan']}:yes", f"adm:role:{people['mai']}:admin:yes", "adm:revoke:1:yes"):
        answer = text_of(mai.press(data))
        assert "Chỉ Văn phòng Sở" in answer and "Bùi Thị Lan" not in answer and "Phạm" not in answer
    assert "Chỉ Văn phòng Sở" in text_of(mai.say("/nguoi"))
    with factory() as s:
        assert s.get(Person, people["lan"]).active and s.get(Person, people["mai"]).role == "head"
        assert s.scalar(select(Invite.expires_at)) > NOW


def test_unit_role_and_supervised_units_change_after_confirmation(core, factory, people):
    lan = Chat(core, "lan")
    mai_id, hoa_id = people["mai"], people["hoa"]
    choose = lan.press(f"adm:unit:{mai_id}")
    confirm = lan.press(_data(choose, "TDC"))
    assert "Chuyển" in text_of(confirm)
    assert "nay thuộc" in text_of(lan.press(_data(confirm, "Xác nhận")))
    confirm = lan.press(_data(lan.press(f"adm:role:{mai_id}"), "Chuyên viên"))
    lan.press(_data(confirm, "Xác nhận"))
    confirm = lan.say(f"/phutrach {hoa_id} TDC, QLCN")
    assert "TDC, QLCN" in text_of(confirm)
    lan.press(_data(confirm, "Xác nhận"))
    assert "Không có đơn vị mã ABC" in text_of(lan.say(f"/phutrach {hoa_id} ABC"))
    with factory() as s:
        mai, hoa = s.get(Person, mai_id), s.get(Person, hoa_id)
        assert (mai.unit.code, mai.role) == ("TDC", "staff")
        assert sorted(u.code for u in hoa.supervised_units) == ["QLCN", "TDC"]
    assert len(_audits(factory, "person_unit_changed")) == 1 and len(_audits(factory, "person_role_changed")) == 1


def test_invitations_are_withdrawn_and_sent_again(core, factory, people):
    with factory() as s:
        invite_id, old_code = s.execute(select(Invite.id, Invite.code)).one()
    lan = Chat(core, "lan")
    card = lan.say(f"/nguoi m{invite_id}")
    new = text_of(lan.press(_data(lan.press(_data(card, "Gửi lại")), "Xác nhận")))
    assert "/start " in new and old_code not in new
    new_code = new.split("/start ")[1].split()[0]
    assert "hết hạn" in text_of(Chat(core, "p1").say(f"/start {old_code}"))
    with factory() as s:
        second = s.scalar(select(Invite.id).where(Invite.code == new_code))
    lan.press(f"adm:revoke:{second}:yes")
    assert "hết hạn" in text_of(Chat(core, "p2").say(f"/start {new_code}"))
    assert _audits(factory, "invite_revoked") and _audits(factory, "invite_resent")


def test_a_deactivated_person_is_invited_again_and_keeps_their_record(core, factory, people):
    lan, mai = Chat(core, "lan"), Chat(core, "mai")
    lan.press(f"adm:off:{people['mai']}:yes")
    answer = text_of(lan.press(f"adm:reinv:{people['mai']}:yes"))
    assert STRANGER in text_of(mai.say("/viec"))  # the code alone reactivates nobody
    code = answer.split("/start ")[1].split()[0]
    new_phone = Chat(core, "mai-new-phone")
    assert "đã đăng ký" in text_of(new_phone.say(f"/start {code}")).lower()
    assert STRANGER not in text_of(new_phone.say("/viec"))
    with factory() as s:
        assert s.scalar(select(Person.active).where(Person.id == people["mai"]))
        assert len(list(s.scalars(select(Person)))) == 3  # the same record came back


def test_cli_functions_deactivate_reactivate_and_list(factory, people):
    with transaction(factory) as s:
        assert "Đã ngừng hoạt động Nguyễn Thị Mai" in admin.deactivate(s, "nguyen thi mai", NOW)
        assert "từ trước" in admin.deactivate(s, str(people["mai"]), NOW)
        with pytest.raises(ValueError, match="Không có người dùng số 999"):
            admin.deactivate(s, "999", NOW)
    with transaction(factory) as s:
        report = admin.people_report(s, NOW)
        assert "Đã ngừng hoạt động (1)" in report and "Chưa đăng ký (1)" in report
        assert "Đã kích hoạt lại" in admin.reactivate(s, f"#{people['mai']}", NOW)
    assert _audits(factory, "person_deactivated") and _audits(factory, "person_reactivated")
