"""Draft of the periodic PAR (CCHC) report as a Word document.

The layout follows the departments' reports to Sở Nội vụ (seeds 002 and 004):
title block, I. chỉ đạo điều hành, II. results per field of the 2022–2030
framework, III. satisfaction, IV. đánh giá chung, V. phương hướng,
VI. kiến nghị. The bot fills in every figure it knows (dossier statistics,
task counts, online share, initiatives, evidence list) and leaves yellow
placeholders "[Văn phòng bổ sung: …]" for the prose only people can write.
Dossier figures come from the same PeriodFigures and the same column list
(:mod:`handlers.reporting.layout`) as the statistics workbook.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.text.paragraph import Paragraph

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
    report_date: date | None = None
    document_number: str | None = None  # "123/BC-SKHCN"
    signer_title: str = "GIÁM ĐỐC"
    signer_name: str | None = None  # placeholder when unknown
    recipients: list[str] = field(default_factory=lambda: ["Sở Nội vụ (b/c)", "Ban Giám đốc Sở", "Lưu: VT, VP"])
    procedure_figures: ProcedureFigures | None = None  # from the official catalogue (danh mục TTHC công bố)


def write_report_docx(data: ReportData) -> bytes:
    """The report as .docx bytes."""
    doc = Document()
    _page_setup(doc)
    w = _Writer(doc)
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
    _cell_text(right, [("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", True), ("Độc lập - Tự do - Hạnh phúc", True)])
    number = d.document_number or "       /BC-SKHCN"
    _cell_text(table.rows[1].cells[0], [(f"Số: {number}", False)])
    if d.report_date:
        when = f"ngày {d.report_date.day:02d} tháng {d.report_date.month:02d} năm {d.report_date.year}"
    else:
        when = "ngày      tháng      năm"
    _cell_text(table.rows[1].cells[1], [(f"{d.place or '[Địa danh]'}, {when}", False)], italic=True)
    w.para()
    w.para("BÁO CÁO", bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    w.para(f"Kết quả thực hiện công tác cải cách hành chính {d.period_label}", bold=True,
           align=WD_ALIGN_PARAGRAPH.CENTER)
    w.para("––––––––––", align=WD_ALIGN_PARAGRAPH.CENTER)
    p = w.para(f"{d.org_name} báo cáo kết quả thực hiện công tác cải cách hành chính (CCHC) "
               f"{d.period_label} như sau. Căn cứ: ")
    w.placeholder("văn bản hướng dẫn của Sở Nội vụ về chế độ báo cáo CCHC (số, ngày)", p)


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
    w.para(f"Kết quả tiếp nhận, giải quyết hồ sơ TTHC từ ngày {fig.start:%d/%m/%Y} đến ngày "
           f"{fig.end:%d/%m/%Y} (số liệu tính đến ngày {fig.as_of:%d/%m/%Y}):")
    for line in report_lines_vi(fig):
        w.bullet(line)
    if d.by_field:
        parts = [f"{format_int_vi(f.received_total)} hồ sơ thuộc lĩnh vực {name[:1].lower() + name[1:]}"
                 for name, f in d.by_field.items()]
        w.bullet("Theo lĩnh vực: " + "; ".join(parts) + ".")
    _figure_table(w, fig)
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


def _figure_table(w: _Writer, fig: PeriodFigures) -> None:
    """Chỉ tiêu / số liệu, one row per column of the province's table."""
    w.para("Bảng số liệu tiếp nhận và giải quyết hồ sơ TTHC:", italic=True)
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
    if d.index_estimate_lines:
        w.heading("3. Tự đánh giá Chỉ số CCHC (ước tính)")
        for line in d.index_estimate_lines:
            w.bullet(line)


def _section_plans(w: _Writer, d: ReportData) -> None:
    w.heading("V. PHƯƠNG HƯỚNG, NHIỆM VỤ CCHC TRỌNG TÂM KỲ TỚI")
    fig = d.figures
    if fig.late or fig.in_progress_past_due or fig.late_without_apology:
        w.para("Chấn chỉnh việc giải quyết hồ sơ TTHC quá hạn; thực hiện đầy đủ việc gửi phiếu xin "
               "lỗi và hẹn lại ngày trả kết quả trước ngày hẹn trả theo quy định.")
    w.placeholder("các nhiệm vụ trọng tâm kỳ tới")


def _section_proposals(w: _Writer) -> None:
    w.heading("VI. KIẾN NGHỊ, ĐỀ XUẤT")
    w.placeholder("kiến nghị, đề xuất với UBND tỉnh, Sở Nội vụ (nếu có)")


def _closing(w: _Writer, d: ReportData) -> None:
    w.para(f"Trên đây là báo cáo kết quả thực hiện công tác CCHC {d.period_label} của "
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
    if not d.evidence:
        return
    w.doc.add_page_break()
    w.para("PHỤ LỤC: DANH MỤC TÀI LIỆU KIỂM CHỨNG", bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    for i, item in enumerate(d.evidence, start=1):
        w.para(f"{i}. {item}", indent=False)
