"""Answering a reminder: progress replies, buttons, evidence files, permissions,
extension requests, snooze and dossier apology letters — through the core."""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from handlers.tasks.extension import parse_proposed_date
from handlers.core.messages import Attachment, Reply
from handlers.tasks.progress import parse_progress
from models.audit import AuditLog
from models.db import transaction
from models.dossiers import Dossier
from models.outbox import Notification
from models.tasks import Evidence, ExtensionRequest, ProgressUpdate, Task
from scheduler.dispatcher import dispatch_once
from scheduler.planner import tick_once
from tests import factories as f
from tests.conftest import NOW, TZ, Chat, buttons_of, text_of
from tests.test_dispatcher import ListSender


# ---------------------------------------------------------------- parsing (pure)


@pytest.mark.parametrize("text, percent", [
    ("xong 80%", 80), ("80%", 80), ("được 80% rồi", 80), ("duoc 80 phan tram", 80), ("đã hoàn thành", 100),
    ("xong", 100), ("Đã xong rồi!", 100), ("chưa xong, đang chờ ký", None), ("hoàn thành một phần", None),
    ("đã ban hành KH 59/KH-SKHCN ngày 31/1", None),
])
def test_parse_progress(text, percent):
    report = parse_progress(text, NOW)
    assert report.percent == percent and report.note == text and not report.invalid


def test_parse_progress_rejects_more_than_100():
    assert parse_progress("xong 180%", NOW).invalid and parse_progress("xong 8o%", NOW).invalid


@pytest.mark.parametrize("text, expected, rest", [
    ("30/12", date(2026, 12, 30), ""), ("30/12/2026", date(2026, 12, 30), ""),
    ("ngày 30 tháng 12", date(2026, 12, 30), ""), ("ngày 15 tháng 1 năm 2027, vì chờ số liệu", date(2027, 1, 15), "chờ số liệu"),
    ("15/1 lý do: chờ ý kiến Sở Nội vụ", date(2027, 1, 15), "chờ ý kiến Sở Nội vụ"),  # >6 months ago → next year
    ("20/11", date(2026, 11, 20), ""),  # three days ago stays in the past (and is then refused), not 20/11/2027
    ("1/6", date(2026, 6, 1), ""), ("1/5", date(2027, 5, 1), ""),  # ~6 months back is the boundary
    ("31/2", None, "31/2"), ("tuần sau", None, "tuần sau"),
])
def test_parse_proposed_date(text, expected, rest):
    assert parse_proposed_date(text, date(2026, 11, 23)) == (expected, rest)


# ---------------------------------------------------------------- through the core


@pytest.fixture
def task_id(factory):
    with transaction(factory) as s:
        f.person(s, "mai", role="head", unit_code="QLCN", name="Nguyễn Thị Mai")
        f.person(s, "nam", role="staff", unit_code="QLCN", name="Ngô Văn Nam")
        f.person(s, "hong", role="head", unit_code="VP", name="Lê Thị Hồng")
        f.person(s, "hoa", role="leader", unit_code="BGD", name="Trần Công Hòa", supervises=["QLCN"])
        f.person(s, "lan", role="admin", unit_code="VP", name="Bùi Thị Lan")
        kl = f.conclusion(s)
        t = f.task(s, "Triển khai phần mềm quản lý hồ sơ công việc", lead="QLCN", deadline=date(2026, 11, 25),
                   conclusion_=kl, ref="7", percent=20, criterion_code="6.1")
        return t.id


async def _reminder_for(factory, settings, chat_id: str):
    """Plan and send at NOW; the reminder the given person received."""
    tick_once(factory, settings, NOW)
    sender = ListSender()
    await dispatch_once(factory, settings, {"console": sender}, NOW)
    return sender.to(chat_id)[0]


def _task(factory, task_id) -> Task:
    with factory() as s:
        return s.get(Task, task_id)


async def test_reply_xong_80_sets_progress_and_confirms(core, factory, settings, task_id):
    mai = Chat(core, "mai")
    reminder = await _reminder_for(factory, settings, "mai")
    assert "Triển khai phần mềm" in reminder.text and "thứ Tư, 25/11/2026" in reminder.text
    mai.receive(reminder)
    answer = text_of(mai.reply("xong 80%"))
    assert answer == "Đã ghi nhận tiến độ 80% cho nhiệm vụ “Triển khai phần mềm quản lý hồ sơ công việc”."
    task = _task(factory, task_id)
    assert (task.percent, task.status) == (80, "open")
    with factory() as s:
        update = s.scalar(select(ProgressUpdate))
        assert (update.percent, update.note, update.person.name) == (80, "xong 80%", "Nguyễn Thị Mai")
        assert s.scalar(select(func.count(AuditLog.id)).where(AuditLog.action == "progress")) == 1


async def test_a_note_keeps_the_percent_and_a_question_is_not_a_note(core, factory, settings, task_id):
    mai = Chat(core, "mai")
    mai.receive(await _reminder_for(factory, settings, "mai"))
    answer = text_of(mai.reply("đã ban hành KH 59/KH-SKHCN ngày 31/1"))
    assert "tiến độ vẫn là 20%" in answer
    for question in ("việc nào của phòng mình quá hạn?", "việc quá hạn của Chi cục", "hồ sơ trễ hạn tháng này"):
        mai.reply(question)
    with factory() as s:
        assert [u.note for u in s.scalars(select(ProgressUpdate))] == ["đã ban hành KH 59/KH-SKHCN ngày 31/1"]


async def test_a_file_reply_becomes_evidence(core, factory, settings, task_id):
    mai = Chat(core, "mai")
    mai.receive(await _reminder_for(factory, settings, "mai"))
    data = b"%PDF-1.4 bien ban nghiem thu"
    answer = text_of(mai.reply("", attachment=Attachment("bien-ban.pdf", "application/pdf", data, len(data))))
    assert "bien-ban.pdf" in answer and "kiểm chứng" in answer
    with factory() as s:
        ev = s.scalar(select(Evidence))
        assert (ev.task_id, ev.criterion_code, ev.file_name, ev.mime_type, ev.size) == (task_id, "6.1", "bien-ban.pdf", "application/pdf", len(data))
        assert ev.sha256 == hashlib.sha256(data).hexdigest() and ev.data == data and ev.progress_id is not None


async def test_an_unauthorised_reply_changes_nothing_and_says_who_can(core, factory, settings, task_id):
    reminder = await _reminder_for(factory, settings, "mai")
    for who in ("nam", "hong"):  # staff of the lead unit; head of another unit
        chat = Chat(core, who)
        chat.receive(reminder)
        answer = text_of(chat.reply("xong 100%"))
        assert answer == ("Chỉ lãnh đạo Phòng Quản lý Công nghệ, Thị trường công nghệ và Chuyên ngành (đơn vị chủ trì) "
                          "hoặc Văn phòng Sở mới cập nhật được nhiệm vụ này.\n"
                          "Anh/chị vui lòng báo kết quả cho Nguyễn Thị Mai để cập nhật.")
        # A button reveals nothing about a task the presser may not touch.
        assert text_of(chat.press(f"done:task:{task_id}")) == (
            "Anh/chị không có quyền thao tác trên mục này. Anh/chị gõ /viec để xem nhiệm vụ của đơn vị mình.")
        chat.receive(reminder)
        assert "chủ trì" in text_of(chat.reply("", attachment=Attachment("x.pdf", "application/pdf", b"x", 1)))
    task = _task(factory, task_id)
    assert (task.percent, task.status) == (20, "open")
    with factory() as s:
        assert s.scalar(select(func.count(ProgressUpdate.id))) == 0 and s.scalar(select(func.count(Evidence.id))) == 0


async def test_done_button_closes_the_task_and_cancels_pending_reminders(core, factory, settings, task_id):
    tick_once(factory, settings, NOW)  # planned, not yet sent
    answer = text_of(Chat(core, "mai").press(f"done:task:{task_id}"))
    assert "hoàn thành ngày 23/11/2026" in answer and "dừng nhắc" in answer
    task = _task(factory, task_id)
    assert (task.status, task.percent, task.completed_on) == ("done", 100, date(2026, 11, 23))
    with factory() as s:
        assert set(s.scalars(select(Notification.status).where(Notification.kind == "reminder"))) == {"cancelled"}


async def test_update_button_offers_percentages_and_takes_the_next_message(core, factory, settings, task_id):
    mai = Chat(core, "mai")
    replies = mai.press(f"upd:task:{task_id}")
    assert "20%" in text_of(replies)
    assert [d for _l, d in buttons_of(replies)] == [f"pct:task:{task_id}:{p}" for p in (25, 50, 75, 100)]
    assert "60%" in text_of(mai.say("được 60% rồi"))
    assert _task(factory, task_id).percent == 60
    mai.press(f"upd:task:{task_id}")
    assert "75%" in text_of(mai.press(f"pct:task:{task_id}:75"))
    assert _task(factory, task_id).percent == 75


async def test_a_bare_number_after_update_is_a_percentage(core, factory, settings, task_id):
    mai = Chat(core, "mai")
    mai.press(f"upd:task:{task_id}")
    assert text_of(mai.say("95")) == "Đã ghi nhận tiến độ 95% cho nhiệm vụ “Triển khai phần mềm quản lý hồ sơ công việc”."
    assert _task(factory, task_id).percent == 95
    mai.press(f"upd:task:{task_id}")
    assert "0% đến 100%" in text_of(mai.say("120"))
    assert _task(factory, task_id).percent == 95


async def test_lower_progress_is_confirmed_before_it_is_stored(core, factory, settings, task_id):
    mai = Chat(core, "mai")
    mai.receive(await _reminder_for(factory, settings, "mai"))
    mai.reply("xong 90%")
    asked = mai.reply("xong 80%")
    assert "đang ở mức 90%" in text_of(asked) and _task(factory, task_id).percent == 90  # nothing stored yet
    assert buttons_of(asked) == [("Giảm xuống 80%", f"pct:task:{task_id}:80")]
    assert "giảm từ 90% xuống 80%" in text_of(mai.press(f"pct:task:{task_id}:80"))
    assert _task(factory, task_id).percent == 80
    mai.press(f"done:task:{task_id}")
    mai.receive(Reply("", context_ref=f"task:{task_id}"))
    assert "Giảm xuống 70%" in str(buttons_of(mai.reply("xong 70%")))
    answer = text_of(mai.press(f"pct:task:{task_id}:70"))
    assert "giảm từ 100% xuống 70%" in answer and "mở lại" in answer
    assert _task(factory, task_id).status == "open"


async def test_a_stray_digit_under_a_reminder_is_asked_about_not_stored(core, factory, settings, task_id):
    mai = Chat(core, "mai")
    mai.receive(await _reminder_for(factory, settings, "mai"))
    asked = mai.reply("3")
    assert "Có phải anh/chị muốn báo tiến độ 3%" in text_of(asked)
    assert buttons_of(asked)[0] == ("✅ 3%", f"pct:task:{task_id}:3")
    assert _notes(factory) == [] and _task(factory, task_id).percent == 20
    mai.press(f"pct:task:{task_id}:3")
    assert _task(factory, task_id).percent == 3


async def test_a_leader_closing_a_units_task_tells_the_head(core, factory, settings, task_id):
    hoa = Chat(core, "hoa")
    answer = text_of(hoa.press(f"done:task:{task_id}"))
    assert "dừng nhắc" in answer and "Đã thông báo cho Nguyễn Thị Mai (đơn vị chủ trì)" in answer
    sender = ListSender()
    await dispatch_once(factory, settings, {"console": sender}, NOW)
    told = sender.to("mai")
    assert len(told) == 1 and "Trần Công Hòa đã ghi nhận nhiệm vụ của Phòng Quản lý Công nghệ" in told[0].text
    assert "Triển khai phần mềm" in told[0].text and told[0].context_ref == f"task:{task_id}"
    mai = Chat(core, "mai")
    mai.receive(told[0])
    mai.reply("xong 80%")  # the head corrects it: a lower figure is confirmed first
    mai.press(f"pct:task:{task_id}:80")
    assert (_task(factory, task_id).status, _task(factory, task_id).percent) == ("open", 80)
    mai.press(f"done:task:{task_id}")  # the head closing their own task tells nobody
    await dispatch_once(factory, settings, {"console": sender}, NOW)
    assert len(sender.to("mai")) == 1


async def _escalation_for_hoa(factory, settings, task_id):
    """Move the deadline back so the task is 6 working days overdue: Hòa gets the escalation copy."""
    with transaction(factory) as s:
        task = s.get(Task, task_id)
        task.deadline = task.original_deadline = date(2026, 11, 13)
    tick_once(factory, settings, NOW)
    sender = ListSender()
    await dispatch_once(factory, settings, {"console": sender}, NOW)
    return sender.to("hoa")[0]


async def test_a_leaders_escalation_copy_offers_a_nudge_not_done(core, factory, settings, task_id):
    copy = await _escalation_for_hoa(factory, settings, task_id)
    assert "kính báo để Lãnh đạo chỉ đạo" in copy.text
    assert buttons_of([copy]) == [("📣 Nhắc đơn vị", f"snz:unit:task:{task_id}"),
                                  ("🔕 Nhắc lại sau", f"snz:task:{task_id}")]
    hoa = Chat(core, "hoa")
    assert "Đã nhắc Nguyễn Thị Mai" in text_of(hoa.press(f"snz:unit:task:{task_id}"))
    assert "Hôm nay" in text_of(hoa.press(f"snz:unit:task:{task_id}"))  # once a day
    assert "Lãnh đạo Sở" in text_of(Chat(core, "nam").press(f"snz:unit:task:{task_id}"))
    sender = ListSender()
    await dispatch_once(factory, settings, {"console": sender}, NOW)
    nudges = sender.to("mai")
    assert len(nudges) == 1 and nudges[0].text.startswith("📣 Lãnh đạo Sở (Trần Công Hòa) đề nghị Phòng Quản lý")
    assert "quá hạn 6 ngày làm việc" in nudges[0].text and ("✅ Đã hoàn thành", f"done:task:{task_id}") in buttons_of(nudges)
    assert _task(factory, task_id).status == "open"
    hoa.press(f"snz:task:{task_id}")  # the snoozed copy is still a leader's copy
    wed = datetime(2026, 11, 25, 7, 30, tzinfo=TZ)
    await dispatch_once(factory, settings, {"console": sender}, wed)
    again = sender.to("hoa")
    assert len(again) == 1 and [d for _l, d in buttons_of(again)][0] == f"snz:unit:task:{task_id}"


async def test_a_nudge_on_a_co_led_task_reaches_every_lead_unit(core, factory, settings, task_id):
    """"📣 Nhắc đơn vị" on a task two units lead: both heads are asked; a co-lead with no head is named."""
    with transaction(factory) as s:
        task = s.get(Task, task_id)
        task.co_lead_units = [f.unit(s, "VP"), f.unit(s, "TDC")]
    answer = text_of(Chat(core, "hoa").press(f"snz:unit:task:{task_id}"))
    assert "Nguyễn Thị Mai, Lê Thị Hồng" in answer
    assert "Chi cục" in answer.splitlines()[-1] and "chưa có" in answer.splitlines()[-1]
    sender = ListSender()
    await dispatch_once(factory, settings, {"console": sender}, NOW)
    for head in ("mai", "hong"):
        [nudge] = sender.to(head)
        assert "Chuyên ngành, Văn phòng Sở, Chi cục" in nudge.text and "Trần Công Hòa" in nudge.text


async def test_extension_request_approved_by_the_supervising_deputy(core, factory, settings, task_id):
    mai, hoa, hong = Chat(core, "mai"), Chat(core, "hoa"), Chat(core, "hong")
    assert "25/11/2026" in text_of(mai.press(f"ext:task:{task_id}"))
    assert "Chưa đọc được ngày" in text_of(mai.say("tuần sau nhé"))
    assert "đã qua" in text_of(mai.say("1/1/2026"))
    assert "lý do" in text_of(mai.say("ngày 30 tháng 12")).lower()
    answer = text_of(mai.say("chờ kinh phí bổ sung"))
    assert "Trần Công Hòa" in answer and "thứ Tư, 30/12/2026" in answer

    sender = ListSender()
    await dispatch_once(factory, settings, {"console": sender}, NOW)
    request = sender.to("hoa")[0]
    assert "Nguyễn Thị Mai" in request.text and "chờ kinh phí bổ sung" in request.text
    with factory() as s:
        req_id = s.scalar(select(ExtensionRequest.id))
    assert buttons_of([request]) == [("Đồng ý", f"exa:{req_id}"), ("Không đồng ý", f"exr:{req_id}")]

    assert "Phó Giám đốc phụ trách" in text_of(hong.press(f"exa:{req_id}"))  # a unit head cannot decide
    assert _task(factory, task_id).deadline == date(2026, 11, 25)
    assert "30/12/2026" in text_of(hoa.press(f"exa:{req_id}"))
    task = _task(factory, task_id)
    assert (task.deadline, task.original_deadline) == (date(2026, 12, 30), date(2026, 11, 25))
    assert "đã được cho ý kiến" in text_of(hoa.press(f"exr:{req_id}"))  # decided once only

    await dispatch_once(factory, settings, {"console": sender}, NOW)
    told = sender.to("mai")
    assert len(told) == 1 and "Trần Công Hòa đã đồng ý gia hạn" in told[0].text and "30/12/2026" in told[0].text
    assert "Nhắc việc sẽ theo hạn mới" in told[0].text and told[0].context_ref == f"task:{task_id}"
    assert buttons_of(told)[0] == ("✅ Đã hoàn thành", f"done:task:{task_id}")


async def _request_extension(core, factory, settings, task_id, text="30/12/2026 vì chờ số liệu"):
    """Mai asks; the request reaches Hòa. Returns (request id, the leader's message)."""
    mai = Chat(core, "mai")
    mai.press(f"ext:task:{task_id}")
    mai.say(text)
    sender = ListSender()
    await dispatch_once(factory, settings, {"console": sender}, NOW)
    with factory() as s:
        req_id = s.scalar(select(ExtensionRequest.id))
    return req_id, sender.to("hoa")[0]


def _notes(factory) -> list[str]:
    with factory() as s:
        return list(s.scalars(select(ProgressUpdate.note)))


async def test_extension_rejected_with_a_reason_tells_the_requester_why_and_what_next(core, factory, settings, task_id):
    req_id, request = await _request_extension(core, factory, settings, task_id)
    assert request.context_ref == f"ext:{req_id}"  # not the task: later text is not a progress note
    hoa = Chat(core, "hoa")
    hoa.receive(request)
    asked = hoa.press(f"exr:{req_id}")
    assert "giữ nguyên" in text_of(asked) and "lý do" in text_of(asked)
    assert buttons_of(asked) == [("Không ghi lý do", f"exs:r{req_id}")]
    assert "Đã chuyển lý do tới Nguyễn Thị Mai" in text_of(hoa.reply("chưa có lý do chính đáng"))
    assert _notes(factory) == [] and _task(factory, task_id).deadline == date(2026, 11, 25)
    with factory() as s:
        assert s.get(ExtensionRequest, req_id).status == "rejected"
    sender = ListSender()
    await dispatch_once(factory, settings, {"console": sender}, NOW)
    told = sender.to("mai")
    assert len(told) == 1
    assert told[0].text == (
        "❌ Trần Công Hòa không đồng ý gia hạn nhiệm vụ “Triển khai phần mềm quản lý hồ sơ công việc”; "
        "hạn giữ nguyên thứ Tư, 25/11/2026.\nLý do: chưa có lý do chính đáng\n"
        "Đề nghị khẩn trương hoàn thành trước hạn 25/11/2026 hoặc liên hệ Trần Công Hòa để trao đổi.")
    await dispatch_once(factory, settings, {"console": sender}, NOW + timedelta(hours=1))
    assert len(sender.to("mai")) == 1  # the fallback without a reason was replaced, not sent as well
    hoa.reply("xong 100%")  # plain text under the request later on is still not progress
    assert _notes(factory) == [] and _task(factory, task_id).status == "open"


async def test_extension_rejected_without_a_reason_button_or_silence(core, factory, settings, task_id):
    req_id, request = await _request_extension(core, factory, settings, task_id)
    hoa = Chat(core, "hoa")
    hoa.press(f"exr:{req_id}")
    assert "không kèm lý do" in text_of(hoa.press(f"exs:r{req_id}"))
    assert "không còn hiệu lực" in text_of(hoa.press(f"exs:r{req_id}"))  # once only
    sender = ListSender()
    await dispatch_once(factory, settings, {"console": sender}, NOW)
    told = text_of(sender.to("mai"))
    assert "không đồng ý" in told and "Lý do" not in told and "Đề nghị khẩn trương hoàn thành" in told


async def test_a_silent_rejection_reaches_the_requester_when_the_question_expires(core, factory, settings, task_id):
    req_id, _request = await _request_extension(core, factory, settings, task_id)
    Chat(core, "hoa").press(f"exr:{req_id}")
    sender = ListSender()
    assert await dispatch_once(factory, settings, {"console": sender}, NOW + timedelta(minutes=5)) == 0
    await dispatch_once(factory, settings, {"console": sender}, NOW + timedelta(minutes=31))
    assert "không đồng ý" in text_of(sender.to("mai"))


async def test_a_leaders_plain_reply_to_an_extension_request_is_not_a_progress_note(core, factory, settings, task_id):
    _req_id, request = await _request_extension(core, factory, settings, task_id)
    hoa = Chat(core, "hoa")
    hoa.receive(request)
    hoa.reply("chưa có lý do chính đáng")
    assert _notes(factory) == []


async def test_extension_dates_past_by_days_are_refused_and_days_off_are_named(core, factory, settings, task_id):
    mai = Chat(core, "mai")
    mai.press(f"ext:task:{task_id}")
    assert "đã qua" in text_of(mai.say("20/11"))  # not silently 20/11/2027
    answer = text_of(mai.say("1/1"))
    assert "thứ Sáu, 01/01/2027 là ngày nghỉ (Tết Dương lịch)" in answer and "thứ Năm, 31/12/2026" in answer
    assert "lý do" in answer.lower()
    mai.say("31/12")  # takes the suggested working day instead
    answer = text_of(mai.say("chờ kinh phí"))
    assert "thứ Năm, 31/12/2026" in answer
    with factory() as s:
        assert s.scalar(select(ExtensionRequest.proposed_deadline)) == date(2026, 12, 31)


async def test_extension_on_a_weekend_is_accepted_with_a_warning(core, factory, settings, task_id):
    mai = Chat(core, "mai")
    mai.press(f"ext:task:{task_id}")
    answer = text_of(mai.say("26/12 vì chờ số liệu"))
    assert "thứ Bảy, 26/12/2026 là ngày nghỉ" in answer and "thứ Sáu, 25/12/2026" in answer
    assert "đã gửi đề nghị gia hạn" in answer.lower()
    with factory() as s:
        assert s.scalar(select(ExtensionRequest.proposed_deadline)) == date(2026, 12, 26)


async def test_snooze_sends_the_reminder_again_next_working_morning(core, factory, settings, task_id):
    mai = Chat(core, "mai")
    mai.receive(await _reminder_for(factory, settings, "mai"))
    answer = text_of(mai.press(f"snz:task:{task_id}"))
    assert answer == ("Sẽ nhắc lại nhiệm vụ “Triển khai phần mềm quản lý hồ sơ công việc” "
                      "vào thứ Tư, 25/11/2026 lúc 07:30.")  # 24/11 is a day off
    sender = ListSender()
    tue = datetime(2026, 11, 24, 9, 0, tzinfo=TZ)
    wed = datetime(2026, 11, 25, 7, 30, tzinfo=TZ)
    assert await dispatch_once(factory, settings, {"console": sender}, tue) == 0
    await dispatch_once(factory, settings, {"console": sender}, wed)
    again = sender.to("mai")
    assert len(again) == 1 and "Triển khai phần mềm" in again[0].text
    with factory() as s:
        assert s.scalar(select(Notification.idem_key).where(Notification.idem_key.like("snz:%"))).endswith(":2026-11-23")


async def test_late_dossier_alert_repeats_daily_until_the_apology_is_recorded(core, factory, settings, task_id):
    with transaction(factory) as s:
        d = Dossier(code="000.00.19.H48-261110-0001", procedure_name="Cấp giấy chứng nhận đăng ký hoạt động KH&CN",
                    unit=f.unit(s, "QLCN"), received_at=datetime(2026, 11, 10, 8, tzinfo=TZ),
                    due_at=datetime(2026, 11, 20, 17, tzinfo=TZ), status=4)
        soon = Dossier(code="000.00.19.H48-261116-0002", procedure_name="Thẩm định công nghệ", unit=f.unit(s, "QLCN"),
                       received_at=datetime(2026, 11, 16, 8, tzinfo=TZ), due_at=datetime(2026, 11, 25, 17, tzinfo=TZ), status=4)
        paused = [  # waiting for supplements (late by the original date), fees (due tomorrow), stopped
            Dossier(code=f"000.00.19.H48-261110-000{n}", procedure_name="Tạm dừng", unit=f.unit(s, "QLCN"),
                    received_at=datetime(2026, 11, 10, 8, tzinfo=TZ), due_at=due, status=status)
            for n, status, due in ((5, 5, datetime(2026, 11, 18, 17, tzinfo=TZ)),
                                   (6, 6, datetime(2026, 11, 25, 17, tzinfo=TZ)),
                                   (8, 8, datetime(2026, 11, 19, 17, tzinfo=TZ)))
        ]
        s.add_all([d, soon, *paused])
        s.flush()
        dossier_id = d.id
    sender = ListSender()
    for day in (NOW, NOW + timedelta(minutes=30)):
        tick_once(factory, settings, day)
        await dispatch_once(factory, settings, {"console": sender}, day)
    alerts = sender.to("mai")
    late = [r for r in alerts if "0001" in r.text]
    assert len(late) == 1 and "Phiếu xin lỗi và hẹn lại ngày trả kết quả" in late[0].text and "Mẫu 04" in late[0].text
    assert buttons_of(late) == [("Đã gửi phiếu xin lỗi", f"apo:{dossier_id}")]
    assert any("0002" in r.text and "còn 1 ngày làm việc" in r.text for r in alerts)  # due Wed 25/11; Tue 24/11 is off
    assert not any(code in r.text for r in alerts for code in ("0005", "0006", "0008"))  # paused: no alert
    assert sender.to("nam") == [] and sender.to("hong") == []

    assert "hoặc Văn phòng Sở mới ghi nhận được việc này" in text_of(Chat(core, "nam").press(f"apo:{dossier_id}"))
    assert "0001" not in text_of(Chat(core, "nam").press(f"apo:{dossier_id}"))  # the refusal names no dossier
    with factory() as s:
        assert s.get(Dossier, dossier_id).apology_at is None
    assert "Đã ghi nhận" in text_of(Chat(core, "mai").press(f"apo:{dossier_id}"))
    wed = datetime(2026, 11, 25, 8, 0, tzinfo=TZ)
    tick_once(factory, settings, wed)
    await dispatch_once(factory, settings, {"console": sender}, wed)
    assert len([r for r in sender.to("mai") if "0001" in r.text]) == 1  # no new alert after the apology


async def test_an_alert_planned_before_a_pause_is_withdrawn(core, factory, settings, task_id):
    with transaction(factory) as s:
        d = Dossier(code="000.00.19.H48-261110-0009", procedure_name="Thủ tục", unit=f.unit(s, "QLCN"),
                    received_at=datetime(2026, 11, 10, 8, tzinfo=TZ), due_at=datetime(2026, 11, 20, 17, tzinfo=TZ),
                    status=4)
        s.add(d)
    tick_once(factory, settings, NOW)  # planned, not sent yet
    with transaction(factory) as s:
        s.scalar(select(Dossier)).status = 5  # the unit asks for supplements
    later = NOW + timedelta(minutes=30)
    tick_once(factory, settings, later)
    sender = ListSender()
    await dispatch_once(factory, settings, {"console": sender}, later)
    assert not any("0009" in r.text for r in sender.to("mai"))
    with factory() as s:
        assert set(s.scalars(select(Notification.status).where(Notification.kind == "dossier_alert"))) == {"cancelled"}


def test_a_question_typed_under_a_reminder_is_answered_not_filed_as_a_note():
    """On the console every line follows the last reminder: a question must still be a question."""
    from handlers.tasks.progress import looks_like_question

    assert looks_like_question("các đơn vị tôi phụ trách có việc gì quá hạn không", NOW)
    assert looks_like_question("ho so tre han thang nay", NOW)
    assert not looks_like_question("đang chờ số liệu từ các huyện", NOW)
    assert not looks_like_question("đã ban hành KH 59/KH-SKHCN ngày 31/1", NOW)
