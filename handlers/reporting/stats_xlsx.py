"""The dossier statistics workbook, in the layout of the province's table.

Sheet "Tổng hợp" holds the department's row, then one sheet per breakdown
(unit, field) and a list of late dossiers, so the office can attach the
workbook to a report as it is.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from handlers.core.xlsx_out import workbook_bytes
from handlers.dossiers.figures import PeriodFigures
from handlers.reporting.layout import STAT_COLUMNS

SUMMARY_SHEET = "Tổng hợp"
UNIT_SHEET = "Theo đơn vị"
FIELD_SHEET = "Theo lĩnh vực"
LATE_SHEET = "Hồ sơ trễ hạn"
TITLE = "TÌNH HÌNH TIẾP NHẬN VÀ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH"
#: first data row (after title, period, blank line and three header rows)
FIRST_DATA_ROW = 7
#: first figure column (after STT and the row label)
FIRST_FIGURE_COL = 3

_THIN = Side(style="thin")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_BOLD = Font(name="Times New Roman", bold=True)
_PLAIN = Font(name="Times New Roman")
_HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)


def write_stats_xlsx(
    figures: PeriodFigures,
    by_unit: Mapping[str, PeriodFigures],
    by_field: Mapping[str, PeriodFigures],
    period_label: str,
    org_name: str = "Sở Khoa học và Công nghệ",
    unit_names: Mapping[str, str] | None = None,
) -> bytes:
    """Workbook bytes: summary, per-unit, per-field and late-dossier sheets."""
    names = dict(unit_names) if unit_names is not None else _default_unit_names()
    wb = Workbook()
    ws = wb.active
    ws.title = SUMMARY_SHEET
    _table(ws, "Nội dung", period_label, [(org_name, figures)], total=None)
    unit_rows = [(f"{names.get(k, k)} ({k})" if k in names else k, f) for k, f in by_unit.items()]
    _table(wb.create_sheet(UNIT_SHEET), "Đơn vị", period_label, unit_rows, total=figures)
    _table(wb.create_sheet(FIELD_SHEET), "Lĩnh vực", period_label, list(by_field.items()), total=figures)
    _late_sheet(wb.create_sheet(LATE_SHEET), figures, names)
    return workbook_bytes(wb)  # imported text never becomes a live formula


def _default_unit_names() -> dict[str, str]:
    from models.org_file import default_org

    return {u.code: u.name for u in default_org().units}


def _table(
    ws: Worksheet,
    label_header: str,
    period_label: str,
    rows: Sequence[tuple[str, PeriodFigures]],
    total: PeriodFigures | None,
) -> None:
    last_col = FIRST_FIGURE_COL + len(STAT_COLUMNS) - 1
    ws.cell(1, 1, TITLE).font = Font(name="Times New Roman", bold=True, size=13)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=last_col)
    ws.cell(2, 1, f"Kỳ báo cáo: {period_label}").font = _PLAIN
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=last_col)
    for r in (1, 2):
        ws.cell(r, 1).alignment = Alignment(horizontal="center")
    _header(ws, label_header, top=4)
    r = FIRST_DATA_ROW
    for i, (label, fig) in enumerate(rows, start=1):
        _data_row(ws, r, i, label, fig, bold=False)
        r += 1
    if total is not None:
        _data_row(ws, r, None, "Tổng cộng", total, bold=True)
    ws.column_dimensions["A"].width = 5
    ws.column_dimensions["B"].width = 42
    for c in range(FIRST_FIGURE_COL, last_col + 1):
        ws.column_dimensions[get_column_letter(c)].width = 11
    ws.freeze_panes = ws.cell(FIRST_DATA_ROW, FIRST_FIGURE_COL)


def _header(ws: Worksheet, label_header: str, top: int) -> None:
    """Three header rows; equal consecutive labels merge across, empty ones merge up."""
    bottom = top + 2
    for col, text in ((1, "STT"), (2, label_header)):
        ws.cell(top, col, text)
        ws.merge_cells(start_row=top, start_column=col, end_row=bottom, end_column=col)
    for level in range(3):
        c = 0
        while c < len(STAT_COLUMNS):
            path = STAT_COLUMNS[c].path
            if not path[level]:
                c += 1
                continue
            span = c
            while (
                span + 1 < len(STAT_COLUMNS)
                and STAT_COLUMNS[span + 1].path[: level + 1] == path[: level + 1]
            ):
                span += 1
            row = top + level
            down = bottom if not any(path[level + 1 :]) else row
            first, last = FIRST_FIGURE_COL + c, FIRST_FIGURE_COL + span
            ws.cell(row, first, path[level])
            if down > row or last > first:
                ws.merge_cells(start_row=row, start_column=first, end_row=down, end_column=last)
            c = span + 1
    for row in ws.iter_rows(min_row=top, max_row=bottom, max_col=FIRST_FIGURE_COL + len(STAT_COLUMNS) - 1):
        for cell in row:
            cell.font, cell.alignment, cell.border, cell.fill = _BOLD, _CENTER, _BORDER, _HEAD_FILL
    ws.row_dimensions[top + 1].height = 45


def _data_row(ws: Worksheet, r: int, n: int | None, label: str, fig: PeriodFigures, bold: bool) -> None:
    font = _BOLD if bold else _PLAIN
    ws.cell(r, 1, n)
    ws.cell(r, 2, label)
    for j, col in enumerate(STAT_COLUMNS):
        cell = ws.cell(r, FIRST_FIGURE_COL + j, col.number(fig))
        if col.is_rate:
            cell.number_format = "0.00"
    for c in range(1, FIRST_FIGURE_COL + len(STAT_COLUMNS)):
        cell = ws.cell(r, c)
        cell.font, cell.border = font, _BORDER
        if c != 2:
            cell.alignment = Alignment(horizontal="center")


_LATE_HEADERS = (
    "STT", "Mã hồ sơ", "Thủ tục hành chính", "Đơn vị", "Ngày tiếp nhận", "Ngày hẹn trả (ban đầu)",
    "Ngày có kết quả", "Tình trạng", "Số ngày trễ (ngày làm việc)", "Kỳ trước chuyển sang", "Phiếu xin lỗi đúng hạn",
)


def _late_sheet(ws: Worksheet, fig: PeriodFigures, names: Mapping[str, str]) -> None:
    ws.append([f"DANH SÁCH HỒ SƠ TRỄ HẠN (tính đến {fig.as_of:%d/%m/%Y})"])
    ws.append(list(_LATE_HEADERS))
    for cell in ws[2]:
        cell.font, cell.alignment, cell.border, cell.fill = _BOLD, _CENTER, _BORDER, _HEAD_FILL
    items = [(d, "Đã giải quyết quá hạn") for d in fig.late_resolved]
    items += [(d, "Đang giải quyết quá hạn") for d in fig.late_open]
    for i, (d, state) in enumerate(items, start=1):
        ws.append([
            i, d.code, d.procedure, names.get(d.unit or "", d.unit), _d(d.received_on), _d(d.due_on),
            None if d.open else _d(d.closed_on), state,
            d.days_late, "Có" if d.carried_over else "", "Có" if d.apology_ok else "Chưa",
        ])
    widths = (5, 28, 50, 30, 14, 14, 14, 24, 10, 12, 14)
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w


def _d(value: date | None) -> str | None:
    return value.strftime("%d/%m/%Y") if value else None
