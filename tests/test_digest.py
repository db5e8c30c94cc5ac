"""The weekly leadership digest: figures, who sees what, the chart, the weekly job."""

from __future__ import annotations

import io
from datetime import date, datetime

import pytest
from PIL import Image
from sqlalchemy import select

from handlers.reporting.digest import build_digest, write_digest
from handlers.core.router import Core
from models.db import transaction
from models.dossiers import Dossier
from models.outbox import Notification
from scheduler.dispatcher import dispatch_once
from scheduler.jobs import queue_weekly_digest
from tests import factories as f
from tests.conftest import TZ, Chat, text_of
from tests.test_dispatcher import ListSender

MONDAY = datetime(2026, 11, 23, 7, 30, tzinfo=TZ)


def _dt(y, m, d, hh=9):
    return datetime(y, m, d, hh, tzinfo=TZ)


@pytest.fixture
def data(factory):
    with transaction(factory) as s:
        f.person(s, "hong", role="head", unit_code="VP", name="Lê Thị Hồng")
        f.person(s, "mai", role="head", unit_code="QLCN", name="Nguyễn Thị Mai")
        f.person(s, "phuong", role="head", unit_code="TDC", name="Phạm Thành Phương")
        f.person(s, "nam", role="staff", unit_code="QLCN")
        f.person(s, "gd", role="leader", unit_code="BGD", name="Nguyễn Văn Thành")
        f.person(s, "hoa", role="leader", unit_code="BGD", name="Trần Công Hòa", supervises=["QLCN", "TDC"])
        f.person(s, "lan", role="admin", unit_code="VP")
        tasks = [
            ("VP", "VP xong", date(2026, 10, 1), "done", date(2026, 10, 1)),
            ("VP", "VP trễ", date(2026, 11, 10), "open", None),
            ("VP", "VP đến hạn tuần này", date(2026, 11, 27), "open", None),
            ("VP", "VP cuối năm", date(2026, 12, 31), "open", None),
            ("VP", "VP thường xuyên", None, "open", None),
            ("QLCN", "QLCN trễ lâu", date(2026, 10, 15), "open", None),
            ("QLCN", "QLCN trễ ít", date(2026, 11, 20), "open", None),
            ("QLCN", "QLCN xong năm trước", date(2025, 12, 1), "done", date(2025, 12, 1)),
            ("TDC", "TDC trễ nhất", date(2026, 9, 1), "open", None),
            ("TDC", "TDC trễ tháng 11", date(2026, 11, 2), "open", None),
            ("TDC", "TDC trễ 18/11", date(2026, 11, 18), "open", None),
            ("TDC", "TDC xong", date(2026, 6, 30), "done", date(2026, 6, 28)),
        ]
        for unit, title, deadline, status, done_on in tasks:
            f.task(s, title, lead=unit, deadline=deadline, status=status, completed_on=done_on,
                   percent=100 if status == "done" else 0)
        dossiers = [  # code, received, due, resolved, status, channel
            ("D1", _dt(2026, 11, 17), _dt(2026, 11, 20, 17), _dt(2026, 11, 19), 10, "online"),  # early
            ("D2", _dt(2026, 11, 5), _dt(2026, 11, 12, 17), _dt(2026, 11, 12), 10, "direct"),  # on time
            ("D3", _dt(2026, 11, 10), _dt(2026, 11, 18, 17), _dt(2026, 11, 21), 10, "online"),  # late, no apology
            ("D4", _dt(2026, 11, 18), _dt(2026, 11, 27, 17), None, 4, "postal"),  # open, within due
            ("D5", _dt(2026, 11, 2), _dt(2026, 11, 16, 17), None, 4, "direct"),  # open, late, no apology
        ]
        for code, received, due, resolved, status, channel in dossiers:
            s.add(Dossier(code=code, procedure_name="Thủ tục thử", unit=f.unit(s, "TDC"), received_at=received,
                          due_at=due, resolved_at=resolved, status=status, channel=channel))


def test_digest_figures(factory, settings, data):
    with factory() as s:
        digest = build_digest(s, MONDAY, settings)
    rows = {u.code: (u.done, u.in_progress, u.due_week, u.overdue) for u in digest.units}
    assert rows == {"VP": (1, 2, 1, 1), "QLCN": (0, 0, 0, 2), "TDC": (1, 0, 0, 3)}
    assert [o.title for o in digest.most_overdue] == ["TDC trễ nhất", "QLCN trễ lâu", "TDC trễ tháng 11", "VP trễ", "TDC trễ 18/11"]
    assert digest.most_overdue[0].heads == ["Phạm Thành Phương"]
    week, month = digest.week, digest.month
    assert (week.start, week.end) == (date(2026, 11, 16), date(2026, 11, 22))
    assert (week.received_in_period, week.online_share, week.early, week.on_time, week.late) == (2, 50.0, 1, 0, 1)
    assert (month.received_in_period, month.online_share, month.resolved_total, month.late) == (5, 40.0, 3, 1)
    assert month.late_without_apology_codes == ["D3", "D5"]
    text = digest.text
    assert text.startswith("*BÁO CÁO TUẦN* — toàn Sở, thứ Hai, 23/11/2026")
    assert "VP 1/2/1/1 · QLCN 0/0/0/2 · TDC 1/0/0/3" in text
    assert "1. TDC trễ nhất — TDC (Phạm Thành Phương), quá hạn 58 ngày làm việc" in text
    assert "Hồ sơ tuần qua (16/11–22/11): tiếp nhận 2 (trực tuyến 50%); đã giải quyết 2: trước hạn 1, đúng hạn 0, quá hạn 1." in text
    assert "Hồ sơ đang quá hạn: TDC 1; trễ hạn chưa có phiếu xin lỗi: 2." in text  # by unit, no raw codes
    assert "D3" not in text and "D5" not in text and "task:" not in text
    # the estimate is one line, with its range and the default-threshold flag
    (est,) = [line for line in text.splitlines() if line.startswith("Chỉ số CCHC 2026 (ước tính): ")]
    assert "tối đa" in est and "ngưỡng mặc định" in est
    lines = text.splitlines()
    assert len(lines) <= 15 and len(text) <= 1500


@pytest.fixture
def common_and_monthly(factory, data):
    """A task addressed to all units, and a monthly TTUD report with done, current and future months."""
    from handlers.tasks.occurrences import ensure_occurrences

    with transaction(factory) as s:
        f.task(s, "Giao chung: rà soát tiêu chí", lead=None, deadline=date(2026, 12, 15), all_units=True)
        monthly = f.task(s, "Báo cáo tháng về ứng dụng KH&CN", lead="TTUD", recurrence="monthly")
        ensure_occurrences(s, monthly, date(2026, 9, 1), date(2027, 2, 28))
        for occ in monthly.occurrences:
            if occ.deadline < date(2026, 11, 1):
                occ.status, occ.percent, occ.completed_on = "done", 100, occ.deadline


def test_digest_counts_per_lead_unit_with_common_tasks_apart_and_a_monthly_task_once(
        factory, settings, common_and_monthly):
    with factory() as s:
        digest = build_digest(s, MONDAY, settings)
    rows = {u.code: (u.done, u.in_progress, u.due_week, u.overdue) for u in digest.units}
    assert rows["TTUD"] == (0, 1, 0, 0)  # one monthly task: its current month, not four planned months
    common = digest.common
    assert (common.done, common.in_progress, common.due_week, common.overdue) == (0, 1, 0, 0)
    text = digest.text
    assert "*Nhiệm vụ theo đơn vị chủ trì* (hoàn thành trong năm" in text
    assert "Giao chung 0/1/0/0" in text
    assert "Tổng: 2 hoàn thành, 4 đang thực hiện, 1 đến hạn trong tuần, 6 quá hạn." in text
    with factory() as s:  # the open totals are what /viec lists for a leader
        from models.queries import work_items

        listed = work_items(s, today=MONDAY.date())
    open_total = sum(u.in_progress + u.due_week + u.overdue for u in [*digest.units, common])
    assert open_total == len(listed) == 11


def test_estimate_lines_are_appended(factory, settings, data):
    with factory() as s:
        text = build_digest(s, MONDAY, settings, estimate_lines=["Điểm dự kiến: 84,50/100"]).text
    assert "\nĐiểm dự kiến: 84,50/100\n" in text


def test_chart_is_a_readable_png(factory, settings, data, tmp_path):
    text_path, png_path = write_digest(factory, settings, MONDAY, tmp_path / "d")
    png = png_path.read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and 15_000 < len(png) < 1_000_000
    img = Image.open(io.BytesIO(png))
    assert img.width >= 1000 and img.height >= 400
    assert "BÁO CÁO TUẦN" in text_path.read_text(encoding="utf-8")
    Image.open(io.BytesIO(png)).save("/tmp/bao-cao-tuan-test.png")  # for a human look


@pytest.fixture
def core(factory, settings):
    from handlers.features import build_registry
    return Core(factory, settings, build_registry(), clock=lambda: MONDAY)


def test_baocao_for_leaders_own_unit_for_heads_refused_for_staff(core, data):
    full = Chat(core, "gd").say("/baocao")
    assert len(full) == 2 and full[1].attachment.kind == "photo" and full[1].attachment.file_name == "bao-cao-tuan.png"
    assert "QLCN trễ lâu" in full[0].text and "VP trễ" not in full[0].text  # only the three most overdue
    details = text_of(Chat(core, "gd").press(full[0].buttons[0][0].data))  # "Xem chi tiết": the full list
    assert "VP trễ" in details and "VP đến hạn tuần này" in details
    own = text_of(Chat(core, "mai").say("báo cáo tuần"))
    assert "QLCN trễ lâu" in own and "VP trễ" not in own and "TDC" not in own
    assert "lãnh đạo đơn vị" in text_of(Chat(core, "nam").say("/baocao"))


async def test_weekly_job_queues_one_digest_per_leader_once(factory, settings, data):
    assert queue_weekly_digest(factory, settings, MONDAY) == 3  # two leaders and the office
    assert queue_weekly_digest(factory, settings, MONDAY) == 0
    with factory() as s:
        keys = sorted(s.scalars(select(Notification.idem_key).where(Notification.kind == "digest")))
    assert [k.split(":p")[0] for k in keys] == ["digest:2026-W48"] * 3
    sender = ListSender()
    await dispatch_once(factory, settings, {"console": sender}, MONDAY)
    assert sorted({c for c, _ in sender.sent}) == ["gd", "hoa", "lan"]
    photos = [r for _c, r in sender.sent if r.attachment is not None]
    assert len(photos) == 3 and photos[0].attachment.data.startswith(b"\x89PNG")
    texts = [r for _c, r in sender.sent if r.attachment is None]
    assert [b.label for row in texts[0].buttons for b in row] == ["Xem chi tiết"]
    assert "gửi muộn" not in texts[0].text


def test_missed_monday_goes_out_tuesday_morning_once_marked_late(factory, settings, data):
    # the bot was down on Monday 30/11/2026 (24/11 is a holiday, so the next full week is used)
    tuesday = datetime(2026, 12, 1, 7, 30, tzinfo=TZ)
    assert queue_weekly_digest(factory, settings, tuesday.replace(hour=14)) == 0  # waits for a working morning
    assert queue_weekly_digest(factory, settings, tuesday) == 3
    with transaction(factory) as s:  # a deputy director registers on Tuesday: next week's digest for him
        f.person(s, "van", role="leader", unit_code="BGD", name="Lê Văn Vân")
    for later in (tuesday.replace(hour=9), datetime(2026, 12, 2, 7, 30, tzinfo=TZ), datetime(2026, 12, 4, 8, tzinfo=TZ)):
        assert queue_weekly_digest(factory, settings, later) == 0  # never twice, nobody added mid-week
    with factory() as s:
        rows = list(s.scalars(select(Notification).where(Notification.kind == "digest")))
    assert len(rows) == 3
    first_line = rows[0].payload["text"].splitlines()[0]
    assert first_line == "*BÁO CÁO TUẦN* — toàn Sở, thứ Ba, 01/12/2026 (gửi muộn; đúng lịch là thứ Hai, 30/11/2026)"
    assert rows[0].not_before.astimezone(TZ) == tuesday
    next_monday = datetime(2026, 12, 7, 7, 30, tzinfo=TZ)
    assert queue_weekly_digest(factory, settings, next_monday) == 4  # the newcomer gets the regular one


def test_missed_monday_before_a_holiday_goes_out_the_next_working_morning(factory, settings, data):
    # the bot was down on Monday 23/11; Tuesday 24/11 is a day off (Ngày Văn hóa Việt Nam)
    wednesday = datetime(2026, 11, 25, 7, 30, tzinfo=TZ)
    assert queue_weekly_digest(factory, settings, wednesday) == 3  # Monday 23/11 missed; 24/11 a day off
    with factory() as s:
        text = s.scalars(select(Notification).where(Notification.kind == "digest")).first().payload["text"]
    assert "(gửi muộn; đúng lịch là thứ Hai, 23/11/2026)" in text


def test_digest_on_demo_data_fits_a_phone(factory, settings):
    from handlers.demo.data import load_demo

    with transaction(factory) as s:
        load_demo(s, MONDAY.date(), TZ, dossier_count=250)
    with factory() as s:
        text = build_digest(s, MONDAY, settings).text
    assert len(text.splitlines()) <= 15 and len(text) <= 1500
    assert "task:" not in text and "Xem chi tiết" in text
