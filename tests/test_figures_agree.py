"""One set of dossiers, one set of figures: the chat answer, the weekly digest,
the report text and the statistics workbook show the same numbers, and every
row of the table adds up (property test over generated dossier sets)."""

from __future__ import annotations

import io
import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from docx import Document
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from handlers.core.router import Core
from handlers.demo.data import load_demo
from handlers.dossiers.figures import DossierRecord, period_figures
from handlers.reporting import write_report_docx, write_stats_xlsx
from handlers.reporting.digest import dossier_figures as digest_figures
from handlers.reporting.layout import STAT_COLUMNS
from handlers.reporting.period_data import build_period_report
from handlers.reporting.stats_xlsx import FIRST_DATA_ROW, FIRST_FIGURE_COL
from models.db import transaction
from tests.conftest import NOW, Chat, text_of
from tests.dossier_db import store

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
TODAY = NOW.date()  # Monday 23/11/2026; the period is November 2026
MONTH = (date(2026, 11, 1), date(2026, 11, 30))


@st.composite
def dossier(draw, n: int) -> DossierRecord:
    received = TODAY - timedelta(days=draw(st.integers(0, 70)))
    due = received + timedelta(days=draw(st.integers(0, 25)))
    status = draw(st.sampled_from([2, 3, 4, 5, 6, 7, 8, 9, 10, 10, 10]))
    closed = None
    if status in (3, 7, 9, 10):
        closed = min(received + timedelta(days=draw(st.integers(0, 35))), TODAY)
    apology = None
    if draw(st.booleans()):
        apology = due - timedelta(days=draw(st.integers(-2, 3)))
    at = lambda d, h=9: datetime.combine(d, time(h)) if d else None  # noqa: E731
    return DossierRecord(
        code=f"HS-{n:04d}", procedure=draw(st.sampled_from(["Thủ tục A", "Thủ tục B", None])),
        field=draw(st.sampled_from(["Lĩnh vực 1", "Lĩnh vực 2", None])),
        unit=draw(st.sampled_from(["QLKH", "QLCN", "TDC", None])), received_at=at(received, 8),
        due_at=at(due, 16), original_due_at=None, resolved_at=at(closed, 15), returned_at=None, status=status,
        channel=draw(st.sampled_from(["direct", "online", "postal"])), service_level=None,
        apology_at=at(apology, 10), new_due_at=None,
    )


@st.composite
def dossier_sets(draw) -> list[DossierRecord]:
    count = draw(st.integers(0, 40))
    return [draw(dossier(i)) for i in range(count)]


def _ints(text: str) -> list[int]:
    return [int(x.replace(".", "")) for x in re.findall(r"\d[\d.]*\d|\d", text)]


def _after(label: str, text: str) -> int:
    m = re.search(re.escape(label) + r"\s*([\d.]+)", text)
    assert m, (label, text)
    return int(m.group(1).replace(".", ""))


@pytest.fixture
def core(factory, settings):
    from handlers.features import build_registry
    with transaction(factory) as s:
        load_demo(s, TODAY, TZ, dossier_count=0)
    return Core(factory, settings, build_registry(), clock=lambda: NOW)


def _chat_figures(office: Chat) -> dict[str, int]:
    out: dict[str, int] = {}
    resolved = text_of(office.say("hồ sơ đã giải quyết tháng này"))
    if "*:" in resolved:
        out["resolved"] = _after("*:", resolved)
        out["early"], out["on_time"], out["late"] = _ints(resolved.splitlines()[1])[:3]
    else:
        out["resolved"] = out["early"] = out["on_time"] = out["late"] = 0
    received = text_of(office.say("hồ sơ tiếp nhận tháng này"))
    if "*:" in received:
        out["received_in_period"] = _after("*:", received)
        out["online"], out["direct"], out["postal"] = _ints(received.splitlines()[1])[:3]
        out["carried"] = _ints(received.splitlines()[2])[-1]
    late = text_of(office.say("hồ sơ trễ hạn tháng này"))
    lines = late.splitlines()
    if len(lines) >= 3 and "*" in lines[0]:
        out["late_again"] = _ints(lines[1])[0]
        out["past_due"] = _ints(lines[2])[-1 if "trong đó" not in lines[2] else -2]
    else:
        out["late_again"] = out["past_due"] = 0
    return out


def _report_text(data) -> str:
    doc = Document(io.BytesIO(write_report_docx(data)))
    return "\n".join(p.text for p in doc.paragraphs)


def _xlsx_rows(book: bytes) -> dict[str, list[dict[str, object]]]:
    """Data rows by column label (the header cells themselves are checked in test_report_docx)."""
    wb = openpyxl.load_workbook(io.BytesIO(book), read_only=True)
    out = {}
    for name in ("Tổng hợp", "Theo đơn vị", "Theo lĩnh vực"):
        rows = []
        for values in wb[name].iter_rows(min_row=FIRST_DATA_ROW, values_only=True):
            if len(values) < 2 or values[1] is None:
                continue
            cells = values[FIRST_FIGURE_COL - 1:]
            rows.append({"_name": values[1], **{c.label: v for c, v in zip(STAT_COLUMNS, cells)}})
        out[name] = rows
    return out


def _adds_up(row: dict[str, object]) -> None:
    g = lambda k: row[k] or 0  # noqa: E731
    early = g("Đã giải quyết – Trước hạn – Kỳ trước") + g("Đã giải quyết – Trước hạn – Trong kỳ")
    on_time = g("Đã giải quyết – Đúng hạn – Kỳ trước") + g("Đã giải quyết – Đúng hạn – Trong kỳ")
    late = g("Đã giải quyết – Quá hạn – Kỳ trước") + g("Đã giải quyết – Quá hạn – Trong kỳ")
    assert early + on_time + late == g("Đã giải quyết – Tổng số"), row["_name"]
    assert g("Tiếp nhận – Tổng số") == g("Tiếp nhận – Kỳ trước chuyển sang") + g("Tiếp nhận – Mới tiếp nhận trong kỳ – Tổng")
    assert g("Tiếp nhận – Mới tiếp nhận trong kỳ – Tổng") == sum(
        g(f"Tiếp nhận – Mới tiếp nhận trong kỳ – {c}") for c in ("Trực tuyến", "Trực tiếp", "BCCI"))
    assert g("Tiếp nhận – Tổng số") == (g("Đã giải quyết – Tổng số") + g("Trả lại / công dân rút hồ sơ")
                                        + g("Đang giải quyết – Tổng số")), row["_name"]
    assert g("Đang giải quyết – Tổng số") == g("Đang giải quyết – Trong hạn") + g("Đang giải quyết – Quá hạn")


@hsettings(max_examples=8, deadline=None, derandomize=True,
           suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large])
@given(records=dossier_sets())
def test_chat_digest_report_and_export_show_the_same_figures(core, factory, settings, records):
    with transaction(factory) as s:
        store(s, records)
    with factory() as s:
        f = period_figures(s, *MONTH, TODAY)
        # What the digest's "month so far" line shows (1–23/11 as of 23/11).
        month = digest_figures(s, MONTH[0], TODAY, NOW.astimezone(TZ), TZ, None)
        report = build_period_report(s, "2026-11", NOW, settings)
        unit_names = {}
        book = write_stats_xlsx(report.figures, report.by_unit, report.by_field, report.label, unit_names=unit_names)
    # The table's own arithmetic.
    assert f.early + f.on_time + f.late == f.resolved_total
    assert f.received_total == f.resolved_total + f.returned_or_withdrawn + f.in_progress_total
    refused = sum(1 for r in records if r.status == 3 and r.resolved_at.date() == r.received_at.date()
                  and r.resolved_at.date() >= MONTH[0])
    assert f.rejected == refused

    chat = _chat_figures(Chat(core, "admin"))
    assert chat["resolved"] == f.resolved_total
    assert (chat["early"], chat["on_time"], chat["late"]) == (f.early, f.on_time, f.late)
    assert chat["late_again"] == f.late and chat["past_due"] == f.in_progress_past_due
    if "received_in_period" in chat:
        assert chat["received_in_period"] == f.received_in_period
        assert (chat["online"], chat["direct"], chat["postal"]) == (f.received_online, f.received_direct,
                                                                   f.received_postal)
        assert chat["carried"] == f.received_carried_over

    # Nothing happened after 23/11, so the digest's month so far has the same counts.
    assert (month.received_in_period, month.resolved_total, month.early, month.on_time, month.late) == (
        f.received_in_period, f.resolved_total, f.early, f.on_time, f.late)

    text = _report_text(report.data)
    assert _after("Tổng số hồ sơ tiếp nhận:", text) == f.received_total
    assert _after("Số hồ sơ đã giải quyết:", text) == f.resolved_total
    assert _after("trả trước hạn:", text) == f.early
    assert _after("trả đúng hạn:", text) == f.on_time
    assert _after("trả quá hạn:", text) == f.late
    assert _after("quá hạn:", text.split("Số hồ sơ đang giải quyết:")[1]) == f.in_progress_past_due

    sheets = _xlsx_rows(book)
    total = sheets["Tổng hợp"][0]
    assert total["Tiếp nhận – Tổng số"] == f.received_total
    assert total["Đã giải quyết – Tổng số"] == f.resolved_total
    assert total["Đang giải quyết – Quá hạn"] == f.in_progress_past_due
    for name in ("Tổng hợp", "Theo đơn vị", "Theo lĩnh vực"):
        for row in sheets[name]:
            _adds_up(row)
    for name in ("Theo đơn vị", "Theo lĩnh vực"):
        *parts, grand = sheets[name]
        assert grand["_name"] == "Tổng cộng"
        for label, value in grand.items():
            if label.startswith("_") or "(%)" in label:
                continue
            assert sum(p[label] or 0 for p in parts) == value, (name, label)
