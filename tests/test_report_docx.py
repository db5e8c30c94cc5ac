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
from docx.oxml.ns import qn

from handlers.demo.dossier_samples import generate_dossiers
from handlers.dossiers.figures import by_field, by_unit, period_figures, report_lines_vi, with_late_lists
from handlers.reporting import ReportData, TaskSummary, build_internal_annex, write_report_docx, write_stats_xlsx
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
def report_data(figures):
    fig, _, fields = figures
    return ReportData(
        period_label=PERIOD,
        figures=fig,
        tasks=TaskSummary(total=40, done_on_time=30, done_late=4, in_progress=4, overdue=2),
        initiatives_count=2,
        index_estimate_lines=["Cải cách thủ tục hành chính: 9,50/10 điểm (ước tính)"],
        evidence=["Kế hoạch CCHC năm 2026", "Báo cáo CCHC quý I năm 2026"],
        by_field=fields,
        place="Quảng Ngãi",
        report_date=date(2026, 7, 3),
    )


@pytest.fixture(scope="module")
def docx_bytes(report_data):
    return write_report_docx(report_data)


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
        "(Chi tiết theo Phụ lục đính kèm)",
        "3. Cải cách tổ chức bộ máy",
        "4. Cải cách chế độ công vụ",
        "5. Cải cách tài chính công",
        "6. Xây dựng và phát triển Chính quyền điện tử, Chính quyền số",
        "IV. ĐÁNH GIÁ CHUNG",
        "V. PHƯƠNG HƯỚNG, NHIỆM VỤ CCHC TRỌNG TÂM 6 THÁNG CUỐI NĂM 2026",
        "VI. KIẾN NGHỊ, ĐỀ XUẤT",
        f"Trên đây là báo cáo kết quả thực hiện công tác CCHC {PERIOD} và phương hướng, nhiệm vụ "
        "6 tháng cuối năm 2026 của Sở Khoa học và Công nghệ./.",
        "PHỤ LỤC",
    ]
    positions = [paragraphs.index(h) for h in expected_order]
    assert positions == sorted(positions)
    for line in report_lines_vi(fig):
        if "phiếu xin lỗi" not in line:
            assert f"- {line}" in paragraphs
    n = fig.late_without_apology
    assert f"- Hồ sơ trễ hạn chưa có phiếu xin lỗi trước ngày hẹn trả: {n} hồ sơ." in paragraphs
    assert "Tổng số nhiệm vụ: 40; đã hoàn thành: 34 (đúng hạn: 30, quá hạn: 4)" in text
    assert "Tỷ lệ nhiệm vụ hoàn thành đúng hạn: 75,00%." in text
    assert "có 2 sáng kiến" in text
    assert paragraphs[paragraphs.index("–––––––––-".replace("-", "–")) + 1].startswith(
        "Theo đề nghị của Sở Nội vụ tại văn bản số [Văn phòng bổ sung: số, ngày văn bản của Sở Nội vụ] "
        "về việc hướng dẫn thực hiện báo cáo cải cách hành chính (CCHC) định kỳ")
    assert "kỳ tới" not in text.lower()
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


def _body_text(doc) -> str:
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def test_report_has_page_numbers_nd30_dates_and_rule_lines(docx_bytes):
    doc = Document(io.BytesIO(docx_bytes))
    footer = doc.sections[0].footer._element.xml
    assert "PAGE" in footer and "fldChar" in footer  # a PAGE field, numbered by Word/LibreOffice
    text = _body_text(doc)
    assert "Quảng Ngãi, ngày 03 tháng 7 năm 2026" in text
    assert "từ ngày 01 tháng 01 năm 2026 đến ngày 30 tháng 6 năm 2026" in text
    title = doc.tables[0]
    for cell in (title.rows[0].cells[0], title.rows[0].cells[1]):  # under the agency name and the motto
        assert any(p._p.pPr is not None and p._p.pPr.find(qn("w:pBdr")) is not None for p in cell.paragraphs)


def test_figure_table_is_an_appendix_after_the_signature(docx_bytes):
    doc = Document(io.BytesIO(docx_bytes))
    body = doc.element.body
    order = [child for child in body.iterchildren() if child.tag in (qn("w:p"), qn("w:tbl"))]
    figures_tbl = next(t for t in doc.tables if t.rows[0].cells[0].text == "Chỉ tiêu")._tbl
    appendix = next(p for p in doc.paragraphs if p.text == "PHỤ LỤC")._p
    closing = next(p for p in doc.paragraphs if p.text.startswith("Trên đây là báo cáo"))._p
    assert order.index(closing) < order.index(appendix) < order.index(figures_tbl)


def test_report_body_has_no_estimate_codes_or_evidence_and_the_internal_annex_has_them(
        figures, report_data, docx_bytes):
    fig = figures[0]
    text = _body_text(Document(io.BytesIO(docx_bytes)))
    codes = [d.code for d in (*fig.late_resolved, *fig.late_open)]
    assert codes and not any(code in text for code in codes)
    assert "ước tính" not in text.lower() and "Chỉ số CCHC" not in text and "9,50/10" not in text
    assert "Kế hoạch CCHC năm 2026" not in text  # the evidence list is internal
    assert not re.search(r"\b(?:task|occ|dossier):\d+", text)
    annex = _body_text(Document(io.BytesIO(build_internal_annex(report_data))))
    assert "PHỤ LỤC NỘI BỘ" in annex and "9,50/10 điểm (ước tính)" in annex
    assert all(code in annex for code in codes)
    assert "Kế hoạch CCHC năm 2026" in annex


def test_internal_annex_explains_the_estimate_per_unit_and_criterion(report_data):
    from handlers.scoring import estimate, load_framework
    from handlers.scoring.inputs import DossierSummary, ScoringInputs

    est = estimate(load_framework("dept-2022-2030"), ScoringInputs(
        as_of=date(2026, 6, 30), year=2026,
        dossiers=DossierSummary(received=100, resolved=90, late=[("HS-1", "TDC"), ("HS-2", "QLKH")])))
    annex = _body_text(Document(io.BytesIO(build_internal_annex(report_data, est))))
    assert "Điểm bị trừ theo đơn vị" in annex and "Chi cục TĐC: −" in annex
    assert "3.3.1 Tỷ lệ hồ sơ giải quyết đúng hạn — số liệu: 88/90" in annex
    assert "ngưỡng mặc định" in annex


@pytest.mark.parametrize("label, expected", [
    ("6 tháng đầu năm 2026", "6 tháng cuối năm 2026"), ("năm 2026", "năm 2027"),
    ("quý IV năm 2026", "quý I năm 2027"), ("tháng 12 năm 2026", "tháng 1 năm 2027"),
])
def test_next_period_is_named(label, expected):
    from handlers.reporting.report_docx import next_period_label

    assert next_period_label(label) == expected


@pytest.mark.parametrize("day, expected", [
    (date(2026, 6, 15), "ngày 15 tháng 6 năm 2026"), (date(2026, 2, 5), "ngày 05 tháng 02 năm 2026"),
    (date(2026, 1, 31), "ngày 31 tháng 01 năm 2026"), (date(2026, 12, 9), "ngày 09 tháng 12 năm 2026"),
    (date(2026, 10, 10), "ngày 10 tháng 10 năm 2026"),
])
def test_nd30_dates(day, expected):
    from handlers.text.i18n import fmt_date_nd30, use_locale

    with use_locale("vi"):
        assert fmt_date_nd30(day) == expected
