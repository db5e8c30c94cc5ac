"""Draft of the periodic PAR (CCHC) report as a Word document, fit to send.

The layout follows the departments' reports to Sở Nội vụ (seeds 002 and 004):
title block with the rule lines of Nghị định 30/2020, the opening "Theo đề
nghị của Sở Nội vụ tại văn bản số …", I. chỉ đạo điều hành, II. results per
field of the 2022–2030 framework, III. satisfaction, IV. đánh giá chung,
V. phương hướng for the next period by name ("6 tháng cuối năm 2026"),
VI. kiến nghị, page numbers in the footer, and the province's wide figure
table as an appendix ("Chi tiết theo Phụ lục đính kèm"). The bot fills in
every figure it knows and leaves yellow placeholders "[Văn phòng bổ sung: …]"
for the prose only people can write.

What is for the Department only — the self-assessed index estimate, points
lost per unit, lists of dossier codes, the evidence files — never goes into
the report addressed outside: :func:`build_internal_annex` writes it to a
second document. Dossier figures come from the same PeriodFigures and the
same column list (:mod:`handlers.reporting.layout`) as the statistics workbook.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.text.paragraph import Paragraph

from handlers.text.i18n import fmt_date_nd30, use_locale

from handlers.dossiers.figures import (
    PeriodFigures,
    ProcedureFigures,
    format_int_vi,
    format_percent_vi,
    procedure_lines_vi,
    report_lines_vi,
)
from handlers.reporting.layout import STAT_COLUMNS

FONT = "Times New Roman"
FIGURE_TABLE_HEADER = ("Chỉ tiêu", "Số liệu")
APPENDIX_TITLE = "PHỤ LỤC"
APPENDIX_REF = "(Chi tiết theo Phụ lục đính kèm)"
INTERNAL_TITLE = "PHỤ LỤC NỘI BỘ – KHÔNG GỬI KÈM BÁO CÁO"
_NEXT_HALF = {"6 tháng đầu năm": "6 tháng cuối năm"}
_QUARTERS = ("I", "II", "III", "IV")


def next_period_label(label: str) -> str | None:
    """The period the "phương hướng" section is for, named as the seeds name it:
    "6 tháng đầu năm 2026" → "6 tháng cuối năm 2026", "năm 2026" → "năm 2027",
    "quý I năm 2026" → "quý II năm 2026", "6 tháng cuối năm 2026" → "năm 2027"."""
    import re

    if m := re.fullmatch(r"6 tháng đầu năm (\d{4})", label):
        return f"6 tháng cuối năm {m.group(1)}"
    if m := re.fullmatch(r"(?:6 tháng cuối )?năm (\d{4})", label):
        return f"năm {int(m.group(1)) + 1}"
    if m := re.fullmatch(r"quý (I|II|III|IV) năm (\d{4})", label):
        q, year = _QUARTERS.index(m.group(1)), int(m.group(2))
        return f"quý {_QUARTERS[q + 1]} năm {year}" if q < 3 else f"quý I năm {year + 1}"
    if m := re.fullmatch(r"tháng (\d{1,2}) năm (\d{4})", label):
        month, year = int(m.group(1)), int(m.group(2))
        return f"tháng {month % 12 + 1} năm {year + (month == 12)}"
    return None


@dataclass
class TaskSummary:
    """Counts of tasks in the period (the four-way split of government reports)."""

    total: int = 0
    done_on_time: int = 0
    done_late: int = 0
    in_progress: int = 0  # not done, still within the deadline
    overdue: int = 0  # not done, past the deadline


@dataclass
class ReportData:
    """Everything the report generator may fill in; prose stays a placeholder."""

    period_label: str  # "6 tháng đầu năm 2026", "năm 2026", "quý I năm 2026"
    figures: PeriodFigures
    org_name: str = "Sở Khoa học và Công nghệ"
    parent_name: str | None = None  # "UBND TỈNH QUẢNG NGÃI"
    tasks: TaskSummary | None = None  # tasks of the Director's conclusions / plan
    provincial_tasks: TaskSummary | None = None  # tasks assigned by the UBND tỉnh
    initiatives_count: int | None = None  # PAR initiatives recognised in the period
    index_estimate_lines: list[str] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)
    by_field: Mapping[str, PeriodFigures] | None = None
    procedures_online: int | None = None  # procedures offered online (toàn trình/một phần)
    procedures_total: int | None = None
    place: str | None = None  # "Quảng Ngãi"
    request_ref: str | None = None  # Sở Nội vụ's request: "371/SNV-CCHCVTLT ngày 03/3/2022"
    report_date: date | None = None
    document_number: str | None = None  # "123/BC-SKHCN"
    signer_title: str = "GIÁM ĐỐC"
    signer_name: str | None = None  # placeholder when unknown
    recipients: list[str] = field(default_factory=lambda: ["Sở Nội vụ (b/c)", "Ban Giám đốc Sở", "Lưu: VT, VP"])
    procedure_figures: ProcedureFigures | None = None  # from the official catalogue (danh mục TTHC công bố)


def write_report_docx(data: ReportData) -> bytes:
    """The report addressed to Sở Nội vụ as .docx bytes (no internal content)."""
    doc = Document()
    _page_setup(doc)
    w = _Writer(doc)
    with use_locale("vi"):
        _title_block(w, data)
        _section_direction(w, data)
        _section_results(w, data)
        _section_satisfaction(w)
        _section_assessment(w, data)
        _section_plans(w, data)
        _section_proposals(w)
        _closing(w, data)
        _appendix(w, data)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def build_internal_annex(data: ReportData, estimate=None) -> bytes:
    """The Department-only companion of the report, as .docx bytes: the
    self-assessed index estimate (per criterion when ``estimate`` is given),
    points lost per unit, the codes of late dossiers and those without an
    apology letter, and the evidence files. Never sent with the report."""
    from handlers.scoring.explain import (
        ATTRIBUTION_VI, explain_estimate, fmt_loss, framework_line_vi, losses_by_unit, unit_label,
    )

    doc = Document()
    _page_setup(doc)
    w = _Writer(doc)
    fig = data.figures
    with use_locale("vi"):
        w.para(INTERNAL_TITLE, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
        w.para(f"Kèm dự thảo báo cáo CCHC {data.period_label} của {data.org_name}", italic=True,
               align=WD_ALIGN_PARAGRAPH.CENTER)
        w.heading("1. Tự đánh giá Chỉ số CCHC (ước tính)")
        lines = list(data.index_estimate_lines)
        if estimate is not None and not lines:
            lines = explain_estimate(estimate)[:2]
        if estimate is not None and framework_line_vi(estimate) not in lines:
            lines.append(framework_line_vi(estimate))
        for line in lines or ["Chưa có ước tính."]:
            w.bullet(line)
        if estimate is not None:
            w.heading("2. Điểm bị trừ theo đơn vị")
            by_unit = losses_by_unit(estimate)
            for code, points in by_unit:
                w.bullet(f"{unit_label(code)}: {fmt_loss(points)} điểm")
            if not by_unit:
                w.bullet("Không có.")
            w.para(f"Cách phân bổ: {ATTRIBUTION_VI}.", italic=True)
            w.heading("3. Giải thích từng tiêu chí")
            for line in explain_estimate(estimate)[2:]:
                w.para(line.lstrip("• "), indent=False)
        w.heading("Hồ sơ trễ hạn trong kỳ")
        late = [*fig.late_resolved, *fig.late_open]
        for d in late:
            state = "đang quá hạn" if d in fig.late_open else "trả quá hạn"
            w.bullet(f"{d.code} — {getattr(d, 'unit', None) or '—'} — {state}")
        if not late:
            w.bullet("Không có.")
        missing = fig.late_without_apology_codes
        listed = ", ".join(missing) + (" …" if fig.late_without_apology > len(missing) else "")
        w.para(f"Chưa có phiếu xin lỗi trước ngày hẹn trả: {format_int_vi(fig.late_without_apology)} hồ sơ"
               + (f" ({listed})" if missing else "") + ".", indent=False)
        if data.evidence:
            w.heading("Danh mục tài liệu kiểm chứng")
            for i, item in enumerate(data.evidence, start=1):
                w.para(f"{i}. {item}", indent=False)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


# ---------------------------------------------------------------- writing helpers


def _page_setup(doc) -> None:
    for s in doc.sections:
        s.page_height, s.page_width = Cm(29.7), Cm(21.0)
        s.top_margin, s.bottom_margin = Cm(2), Cm(2)
        s.left_margin, s.right_margin = Cm(3), Cm(1.5)
    style = doc.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(14)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    style.paragraph_format.space_after = Pt(6)
    _page_number_footer(doc.sections[0])


def _page_number_footer(section) -> None:
    """A centred PAGE field in the footer: Word and LibreOffice number every page."""
    p = section.footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = p.add_run()
    for kind, text in (("begin", None), (None, "PAGE"), ("separate", None), (None, "1"), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        elif text == "PAGE":
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = " PAGE "
        else:
            el = OxmlElement("w:t")
            el.text = text
        run._r.append(el)
    run.font.size = Pt(13)


def _rule_line(cell, width_cm: float, cell_cm: float) -> None:
    """The short solid line under the agency name or the motto (Nghị định 30/2020):
    a bottom border on an empty paragraph, shortened by equal indents."""
    p = cell.add_paragraph()
    side = max(0.0, (cell_cm - width_cm) / 2)
    p.paragraph_format.left_indent = Cm(side)
    p.paragraph_format.right_indent = Cm(side)
    p.paragraph_format.space_after = Pt(0)
    p.paragraph_format.line_spacing = Pt(2)
    ppr = p._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    ppr.append(borders)


class _Writer:
    """Paragraph helpers: plain text, bold headings, highlighted placeholders."""

    def __init__(self, doc) -> None:
        self.doc = doc

    def para(self, text: str = "", *, bold: bool = False, italic: bool = False,
             align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent: bool = True, size: int | None = None) -> Paragraph:
        p = self.doc.add_paragraph()
        p.alignment = align
        if indent and align == WD_ALIGN_PARAGRAPH.JUSTIFY:
            p.paragraph_format.first_line_indent = Cm(1)
        if text:
            run = p.add_run(text)
            run.bold, run.italic = bold, italic
            if size:
                run.font.size = Pt(size)
        return p

    def heading(self, text: str) -> Paragraph:
        return self.para(text, bold=True)

    def placeholder(self, what: str, p: Paragraph | None = None) -> Paragraph:
        """A yellow "[Văn phòng bổ sung: …]" the office must replace."""
        p = p or self.para()
        run = p.add_run(f"[Văn phòng bổ sung: {what}]")
        run.italic = True
        run.font.highlight_color = WD_COLOR_INDEX.YELLOW
        return p

    def bullet(self, text: str) -> Paragraph:
        return self.para(f"- {text}")


def _title_block(w: _Writer, d: ReportData) -> None:
    table = w.doc.add_table(rows=2, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    left, right = table.rows[0].cells
    _cell_text(left, [(d.parent_name or "UBND TỈNH [TÊN TỈNH]", False), (d.org_name.upper(), True)])
    _rule_line(left, 2.5, 6.8)
    _cell_text(right, [("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", True), ("Độc lập - Tự do - Hạnh phúc", True)])
    for cell in (left, right):  # 12 pt keeps the agency name and the quốc hiệu on one line each
        for para in cell.paragraphs:
            for run in para.runs:
                run.font.size = Pt(12)
    _rule_line(right, 6.0, 9.7)
    table.autofit = False
    for col, width in zip(table.columns, (Cm(6.8), Cm(9.7))):
        col.width = width  # the grid (LibreOffice reads it) and each cell (Word does)
        for cell in col.cells:
            cell.width = width
    number = d.document_number or "       /BC-SKHCN"
    _cell_text(table.rows[1].cells[0], [(f"Số: {number}", False)])
    when = fmt_date_nd30(d.report_date) if d.report_date else "ngày      tháng      năm"
    _cell_text(table.rows[1].cells[1], [(f"{d.place or '[Địa danh]'}, {when}", False)], italic=True)
    w.para()
    w.para("BÁO CÁO", bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    w.para(f"Kết quả thực hiện công tác cải cách hành chính {d.period_label}", bold=True,
           align=WD_ALIGN_PARAGRAPH.CENTER)
    w.para("––––––––––", align=WD_ALIGN_PARAGRAPH.CENTER)
    p = w.para("Theo đề nghị của Sở Nội vụ tại văn bản số ")
    if d.request_ref:
        p.add_run(d.request_ref)
    else:
        w.placeholder("số, ngày văn bản của Sở Nội vụ", p)
    p.add_run(f" về việc hướng dẫn thực hiện báo cáo cải cách hành chính (CCHC) định kỳ, {d.org_name} "
              f"báo cáo kết quả thực hiện công tác CCHC {d.period_label} như sau:")


def _cell_text(cell, lines: list[tuple[str, bool]], italic: bool = False) -> None:
    cell.paragraphs[0].text = ""
    for i, (text, bold) in enumerate(lines):
        p = cell.paragraphs[0] if i == 0 else cell.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = p.add_run(text)
        run.bold, run.italic = bold, italic
        run.font.size = Pt(13)


def _task_sentences(t: TaskSummary) -> list[str]:
    done = t.done_on_time + t.done_late
    rate = format_percent_vi(100.0 * t.done_on_time / t.total) if t.total else "—"
    return [
        f"Tổng số nhiệm vụ: {format_int_vi(t.total)}; đã hoàn thành: {format_int_vi(done)} "
        f"(đúng hạn: {format_int_vi(t.done_on_time)}, quá hạn: {format_int_vi(t.done_late)}); "
        f"chưa hoàn thành: {format_int_vi(t.in_progress + t.overdue)} (trong hạn: "
        f"{format_int_vi(t.in_progress)}, quá hạn: {format_int_vi(t.overdue)}).",
        f"Tỷ lệ nhiệm vụ hoàn thành đúng hạn: {rate}.",
    ]


# ---------------------------------------------------------------- sections


def _section_direction(w: _Writer, d: ReportData) -> None:
    w.heading("I. CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH CCHC")
    w.heading("1. Về công tác chỉ đạo, điều hành")
    w.placeholder("các kế hoạch, văn bản chỉ đạo, điều hành CCHC đã ban hành trong kỳ (số, ngày, trích yếu)")
    w.heading("2. Tiến độ thực hiện kế hoạch CCHC")
    if d.tasks is not None:
        for s in _task_sentences(d.tasks):
            w.para(s)
    else:
        w.placeholder("tiến độ thực hiện các nhiệm vụ của Kế hoạch CCHC")
    w.heading("3. Về kiểm tra CCHC")
    w.placeholder("kế hoạch và kết quả kiểm tra CCHC tại các phòng, đơn vị")
    w.heading("4. Về công tác tuyên truyền CCHC")
    w.placeholder("kế hoạch, hình thức và kết quả tuyên truyền CCHC")
    w.heading("5. Kết quả thực hiện nhiệm vụ được UBND tỉnh, Chủ tịch UBND tỉnh giao")
    if d.provincial_tasks is not None:
        for s in _task_sentences(d.provincial_tasks):
            w.para(s)
    else:
        w.placeholder("số nhiệm vụ UBND tỉnh giao, số hoàn thành đúng hạn, quá hạn")
    w.heading("6. Mô hình, sáng kiến, giải pháp mới trong CCHC")
    if d.initiatives_count is not None:
        p = w.para(f"Trong kỳ, có {format_int_vi(d.initiatives_count)} sáng kiến, giải pháp mới về CCHC "
                   f"được công nhận. ")
        w.placeholder("tên sáng kiến, quyết định công nhận", p)
    else:
        w.placeholder("các sáng kiến, mô hình mới về CCHC")


def _section_results(w: _Writer, d: ReportData) -> None:
    fig = d.figures
    w.heading("II. KẾT QUẢ THỰC HIỆN CÁC NHIỆM VỤ CCHC")
    w.heading("1. Cải cách thể chế")
    w.placeholder("văn bản QPPL tham mưu, rà soát, kiểm tra; theo dõi thi hành pháp luật")
    w.heading("2. Cải cách thủ tục hành chính")
    if d.procedure_figures is not None:
        for line in procedure_lines_vi(d.procedure_figures):
            w.para(line)
    elif d.procedures_total is not None:
        online = (f", trong đó {format_int_vi(d.procedures_online)} thủ tục cung cấp dịch vụ công trực tuyến"
                  if d.procedures_online is not None else "")
        w.para(f"Sở đang thực hiện {format_int_vi(d.procedures_total)} thủ tục hành chính{online}.")
    else:
        w.placeholder("số TTHC thuộc thẩm quyền, công bố, công khai, rà soát đơn giản hóa")
    w.para(f"Kết quả tiếp nhận, giải quyết hồ sơ TTHC từ {fmt_date_nd30(fig.start)} đến "
           f"{fmt_date_nd30(fig.end)} (số liệu tính đến {fmt_date_nd30(fig.as_of)}):")
    for line in external_lines(fig):
        w.bullet(line)
    if d.by_field:
        parts = [f"{format_int_vi(f.received_total)} hồ sơ thuộc lĩnh vực {name[:1].lower() + name[1:]}"
                 for name, f in d.by_field.items()]
        w.bullet("Theo lĩnh vực: " + "; ".join(parts) + ".")
    w.para(APPENDIX_REF, italic=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    w.heading("3. Cải cách tổ chức bộ máy")
    w.placeholder("rà soát chức năng, nhiệm vụ, cơ cấu tổ chức; quản lý biên chế")
    w.heading("4. Cải cách chế độ công vụ")
    w.placeholder("vị trí việc làm, tuyển dụng, đào tạo bồi dưỡng, kỷ luật kỷ cương hành chính")
    w.heading("5. Cải cách tài chính công")
    w.placeholder("cơ chế tự chủ tài chính, quy chế chi tiêu nội bộ, công khai ngân sách")
    w.heading("6. Xây dựng và phát triển Chính quyền điện tử, Chính quyền số")
    w.para(f"Tỷ lệ hồ sơ TTHC tiếp nhận trực tuyến trong kỳ: {format_percent_vi(fig.online_share)} "
           f"({format_int_vi(fig.received_online)}/{format_int_vi(fig.received_in_period)} hồ sơ); "
           f"tiếp nhận qua dịch vụ bưu chính công ích: {format_int_vi(fig.received_postal)} hồ sơ.")
    w.placeholder("ứng dụng CNTT, văn bản điện tử, chữ ký số, ISO điện tử, chuyển đổi số")


def external_lines(fig: PeriodFigures) -> list[str]:
    """The figure sentences for a letter addressed outside: counts only — a list of
    dossier codes in brackets (for the office's follow-up) is cut off."""
    codes = {d.code for d in (*fig.late_resolved, *fig.late_open)} | set(fig.late_without_apology_codes)
    out = []
    for line in report_lines_vi(fig):
        if any(code in line for code in codes) and " (" in line:
            line = line[: line.rindex(" (")].rstrip(" :") + "."
        out.append(line)
    return out


def _figure_table(w: _Writer, fig: PeriodFigures) -> None:
    """Chỉ tiêu / số liệu, one row per column of the province's table."""
    table = w.doc.add_table(rows=1, cols=2)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, FIGURE_TABLE_HEADER):
        cell.text = ""
        run = cell.paragraphs[0].add_run(text)
        run.bold = True
    for col in STAT_COLUMNS:
        cells = table.add_row().cells
        cells[0].text = col.label
        cells[1].text = col.text_vi(fig)
        cells[1].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for row in table.rows:
        row.cells[0].width, row.cells[1].width = Cm(12.5), Cm(4)
        for cell in row.cells:
            for p in cell.paragraphs:
                p.paragraph_format.first_line_indent = None
                for run in p.runs:
                    run.font.size = Pt(12)
    w.para()


def _section_satisfaction(w: _Writer) -> None:
    w.heading("III. KẾT QUẢ ĐO LƯỜNG SỰ HÀI LÒNG CỦA NGƯỜI DÂN, TỔ CHỨC")
    w.placeholder("chỉ số hài lòng (SIPAS) gần nhất, xếp hạng, giải pháp cải thiện")


def _section_assessment(w: _Writer, d: ReportData) -> None:
    fig = d.figures
    w.heading("IV. ĐÁNH GIÁ CHUNG")
    w.heading("1. Mặt tích cực")
    if fig.resolved_total:
        w.para(f"Tỷ lệ hồ sơ TTHC giải quyết trước hạn và đúng hạn đạt "
               f"{format_percent_vi(fig.on_time_rate)}.")
    w.placeholder("những kết quả nổi bật trong kỳ")
    w.heading("2. Tồn tại, hạn chế và nguyên nhân")
    late_total = fig.late + fig.in_progress_past_due
    if late_total:
        w.para(f"Còn {format_int_vi(fig.late)} hồ sơ giải quyết quá hạn và "
               f"{format_int_vi(fig.in_progress_past_due)} hồ sơ đang quá hạn; "
               f"{format_int_vi(fig.late_without_apology)} hồ sơ chưa có phiếu xin lỗi "
               f"trước ngày hẹn trả.")
    w.placeholder("tồn tại, hạn chế và nguyên nhân")


def _section_plans(w: _Writer, d: ReportData) -> None:
    nxt = next_period_label(d.period_label)
    w.heading("V. PHƯƠNG HƯỚNG, NHIỆM VỤ CCHC TRỌNG TÂM" + (f" {nxt.upper()}" if nxt else ""))
    fig = d.figures
    if fig.late or fig.in_progress_past_due or fig.late_without_apology:
        w.para("Chấn chỉnh việc giải quyết hồ sơ TTHC quá hạn; thực hiện đầy đủ việc gửi phiếu xin "
               "lỗi và hẹn lại ngày trả kết quả trước ngày hẹn trả theo quy định.")
    w.placeholder(f"các nhiệm vụ trọng tâm {nxt}" if nxt else "các nhiệm vụ trọng tâm")


def _section_proposals(w: _Writer) -> None:
    w.heading("VI. KIẾN NGHỊ, ĐỀ XUẤT")
    w.placeholder("kiến nghị, đề xuất với UBND tỉnh, Sở Nội vụ (nếu có)")


def _closing(w: _Writer, d: ReportData) -> None:
    nxt = next_period_label(d.period_label)
    plans = f" và phương hướng, nhiệm vụ {nxt}" if nxt else ""
    w.para(f"Trên đây là báo cáo kết quả thực hiện công tác CCHC {d.period_label}{plans} của "
           f"{d.org_name}./.")
    table = w.doc.add_table(rows=1, cols=2)
    left, right = table.rows[0].cells
    left.paragraphs[0].text = ""
    run = left.paragraphs[0].add_run("Nơi nhận:")
    run.bold, run.italic = True, True
    for r in d.recipients:
        p = left.add_paragraph(f"- {r};")
        for run in p.runs:
            run.font.size = Pt(11)
    right.paragraphs[0].text = ""
    title = right.paragraphs[0].add_run(d.signer_title)
    title.bold = True
    right.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    for _ in range(3):
        right.add_paragraph()
    p = right.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if d.signer_name:
        p.add_run(d.signer_name).bold = True
    else:
        run = p.add_run("[Họ và tên người ký]")
        run.italic = True
        run.font.highlight_color = WD_COLOR_INDEX.YELLOW


def _appendix(w: _Writer, d: ReportData) -> None:
    """The province's figure table, on its own page after the signature."""
    w.doc.add_page_break()
    w.para(APPENDIX_TITLE, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    w.para(f"TÌNH HÌNH TIẾP NHẬN VÀ GIẢI QUYẾT HỒ SƠ TTHC {d.period_label.upper()}", bold=True,
           align=WD_ALIGN_PARAGRAPH.CENTER)
    w.para(f"(Kèm theo Báo cáo kết quả thực hiện công tác CCHC {d.period_label} của {d.org_name})",
           italic=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _figure_table(w, d.figures)
