"""The PAR report draft and the statistics workbook, read back as the office would."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from datetime import date, datetime

import openpyxl
import pytest
from docx import Document
from docx.enum.text import WD_COLOR_INDEX

from handlers.demo.dossier_samples import generate_dossiers
from handlers.dossiers.figures import by_field, by_unit, period_figures, report_lines_vi, with_late_lists
from handlers.reporting import ReportData, TaskSummary, write_report_docx, write_stats_xlsx
from handlers.reporting.layout import STAT_COLUMNS
from handlers.reporting.stats_xlsx import FIRST_DATA_ROW, FIRST_FIGURE_COL
from tests.dossier_db import memory_session

START, END, NOW = date(2026, 1, 1), date(2026, 6, 30), datetime(2026, 7, 3, 8, 0)
PERIOD = "6 tháng đầu năm 2026"


@pytest.fixture(scope="module")
def figures():
    records = generate_dossiers(1500, START, date(2026, 7, 3), seed=5)
    with memory_session(records) as session:
        return (
            with_late_lists(session, period_figures(session, START, END, NOW)),
            by_unit(session, START, END, NOW),
            by_field(session, START, END, NOW),
        )


@pytest.fixture(scope="module")
def docx_bytes(figures):
    fig, _, fields = figures
    data = ReportData(
        period_label=PERIOD,
        figures=fig,
        tasks=TaskSummary(total=40, done_on_time=30, done_late=4, in_progress=4, overdue=2),
        initiatives_count=2,
        index_estimate_lines=["Cải cách thủ tục hành chính: 9,50/10 điểm (ước tính)"],
        evidence=["Kế hoạch CCHC năm 2026", "Báo cáo CCHC quý I năm 2026"],
        by_field=fields,
    )
    return write_report_docx(data)


@pytest.fixture(scope="module")
def xlsx_bytes(figures):
    fig, units, fields = figures
    return write_stats_xlsx(fig, units, fields, PERIOD)


def _vi_number(text: str) -> float | int | None:
    """'1.655' → 1655, '96,40%' → 96.4, '—' → None."""
    text = text.strip().rstrip("%")
    if text == "—":
        return None
    if "," in text:
        return float(text.replace(".", "").replace(",", "."))
    return int(text.replace(".", ""))


def _docx_figures(doc) -> dict[str, float | int | None]:
    table = next(t for t in doc.tables if t.rows[0].cells[0].text == "Chỉ tiêu")
    return {row.cells[0].text: _vi_number(row.cells[1].text) for row in table.rows[1:]}


def _xlsx_header_labels(ws, top: int = 4) -> dict[int, str]:
    """Column → 'Level 1 – Level 2 – Level 3', resolving merged header cells."""
    def text_at(r: int, c: int) -> str:
        for rng in ws.merged_cells.ranges:
            if rng.min_row <= r <= rng.max_row and rng.min_col <= c <= rng.max_col:
                return "" if rng.min_row != r else str(ws.cell(rng.min_row, rng.min_col).value or "")
        return str(ws.cell(r, c).value or "")

    labels = {}
    for c in range(FIRST_FIGURE_COL, ws.max_column + 1):
        parts = [text_at(r, c) for r in range(top, top + 3)]
        labels[c] = " – ".join(p for p in parts if p)
    return labels


def test_docx_and_xlsx_show_the_same_figures(figures, docx_bytes, xlsx_bytes):
    fig = figures[0]
    in_docx = _docx_figures(Document(io.BytesIO(docx_bytes)))
    ws = openpyxl.load_workbook(io.BytesIO(xlsx_bytes))["Tổng hợp"]
    in_xlsx = {label: ws.cell(FIRST_DATA_ROW, c).value for c, label in _xlsx_header_labels(ws).items()}

    assert set(in_docx) == set(in_xlsx) == {c.label for c in STAT_COLUMNS}
    for label in in_docx:
        assert in_docx[label] == pytest.approx(in_xlsx[label]), label
    assert in_xlsx["Tiếp nhận – Tổng số"] == fig.received_total
    assert in_xlsx["Đã giải quyết – Quá hạn – Kỳ trước"] == fig.late_carried_over
    assert in_xlsx["Đang giải quyết – Quá hạn"] == fig.in_progress_past_due
    assert in_xlsx["Đã giải quyết – Tỷ lệ trước hạn và đúng hạn (%)"] == round(fig.on_time_rate, 2)
    assert fig.late > 0 and fig.in_progress_past_due > 0  # the sample exercises the late columns


def test_xlsx_header_is_merged_like_the_provinces_table(xlsx_bytes):
    ws = openpyxl.load_workbook(io.BytesIO(xlsx_bytes))["Tổng hợp"]
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert "C4:H4" in merged  # Tiếp nhận over six columns
    assert "A4:A6" in merged and "B4:B6" in merged  # STT, label: three rows tall
    assert ws["C4"].value == "Tiếp nhận" and ws["I4"].value == "Đã giải quyết"


def test_xlsx_breakdown_sheets_add_up_to_the_total(figures, xlsx_bytes):
    fig, units, fields = figures
    wb = openpyxl.load_workbook(io.BytesIO(xlsx_bytes))
    assert wb.sheetnames == ["Tổng hợp", "Theo đơn vị", "Theo lĩnh vực", "Hồ sơ trễ hạn"]
    for name, groups in (("Theo đơn vị", units), ("Theo lĩnh vực", fields)):
        ws = wb[name]
        rows = list(ws.iter_rows(min_row=FIRST_DATA_ROW, values_only=True))
        assert len(rows) == len(groups) + 1 and rows[-1][1] == "Tổng cộng"
        total_col = FIRST_FIGURE_COL - 1  # 0-based index of "Tiếp nhận – Tổng số"
        assert sum(r[total_col] for r in rows[:-1]) == rows[-1][total_col] == fig.received_total
    assert any("Phòng Quản lý Khoa học (QLKH)" == r[1] for r in wb["Theo đơn vị"].iter_rows(values_only=True))
    late_rows = list(wb["Hồ sơ trễ hạn"].iter_rows(min_row=3, values_only=True))
    assert len(late_rows) == len(fig.late_resolved) + len(fig.late_open)


def test_report_follows_the_section_layout_and_fills_figures(figures, docx_bytes):
    fig = figures[0]
    doc = Document(io.BytesIO(docx_bytes))
    paragraphs = [p.text for p in doc.paragraphs]
    text = "\n".join(paragraphs)
    expected_order = [
        "BÁO CÁO",
        f"Kết quả thực hiện công tác cải cách hành chính {PERIOD}",
        "I. CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH CCHC",
        "II. KẾT QUẢ THỰC HIỆN CÁC NHIỆM VỤ CCHC",
        "1. Cải cách thể chế",
        "2. Cải cách thủ tục hành chính",
        "3. Cải cách tổ chức bộ máy",
        "4. Cải cách chế độ công vụ",
        "5. Cải cách tài chính công",
        "6. Xây dựng và phát triển Chính quyền điện tử, Chính quyền số",
        "IV. ĐÁNH GIÁ CHUNG",
        "V. PHƯƠNG HƯỚNG, NHIỆM VỤ CCHC TRỌNG TÂM KỲ TỚI",
        "VI. KIẾN NGHỊ, ĐỀ XUẤT",
        "PHỤ LỤC: DANH MỤC TÀI LIỆU KIỂM CHỨNG",
    ]
    positions = [paragraphs.index(h) for h in expected_order]
    assert positions == sorted(positions)
    for line in report_lines_vi(fig):
        assert f"- {line}" in paragraphs
    assert "Tổng số nhiệm vụ: 40; đã hoàn thành: 34 (đúng hạn: 30, quá hạn: 4)" in text
    assert "Tỷ lệ nhiệm vụ hoàn thành đúng hạn: 75,00%." in text
    assert "có 2 sáng kiến" in text
    assert "1. Kế hoạch CCHC năm 2026" in paragraphs and "2. Báo cáo CCHC quý I năm 2026" in paragraphs
    assert "- Cải cách thủ tục hành chính: 9,50/10 điểm (ước tính)" in paragraphs
    assert re.search(r"Tỷ lệ hồ sơ TTHC tiếp nhận trực tuyến trong kỳ: \d+,\d\d%", text)


def test_placeholders_are_highlighted_for_the_office(docx_bytes):
    doc = Document(io.BytesIO(docx_bytes))
    runs = [r for p in doc.paragraphs for r in p.runs if r.text.startswith("[Văn phòng bổ sung")]
    assert len(runs) >= 10
    assert all(r.font.highlight_color == WD_COLOR_INDEX.YELLOW for r in runs)
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    assert any("[Họ và tên người ký]" in c for c in cells)


def test_report_converts_to_pdf(docx_bytes, tmp_path):
    office = shutil.which("libreoffice") or shutil.which("soffice")
    if not office:
        pytest.skip("LibreOffice is not installed (apt-get install libreoffice-writer-nogui)")
    src = tmp_path / "bao_cao.docx"
    src.write_bytes(docx_bytes)
    subprocess.run(
        [office, f"-env:UserInstallation=file://{tmp_path}/lo-profile", "--headless",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(src)],
        check=True, capture_output=True, timeout=90,
    )
    import pdfplumber

    with pdfplumber.open(tmp_path / "bao_cao.pdf") as pdf:
        assert len(pdf.pages) >= 3
        first = pdf.pages[0].extract_text()
    assert "BÁO CÁO" in first
