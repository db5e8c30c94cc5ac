"""Formula-looking text from imported files is exported as text, in every .xlsx we write."""

from __future__ import annotations

import io
from datetime import date, datetime

from openpyxl import Workbook, load_workbook

from handlers.dossiers.export_reader import read_dossier_export
from handlers.dossiers.figures import period_figures, with_late_lists
from tests.dossier_db import memory_session
from handlers.reporting.stats_xlsx import LATE_SHEET, write_stats_xlsx
from handlers.tasks.importers.task_sheet import read_task_sheet, write_task_sheet

LINK = '=HYPERLINK("http://example.invalid/x","Bấm vào đây")'


def _cells(data: bytes):
    workbook = load_workbook(io.BytesIO(data))
    return [c for ws in workbook.worksheets for row in ws.iter_rows() for c in row if c.value is not None]


def _assert_text(cell, value: str) -> None:
    assert cell.value == value and cell.data_type == "s" and cell.quotePrefix


def test_a_hyperlink_formula_imported_from_a_task_sheet_is_exported_as_text():
    incoming = Workbook()
    sheet = incoming.active
    sheet.append(["STT", "Nội dung nhiệm vụ", "Đơn vị chủ trì", "Thời hạn", "Ghi chú"])
    sheet.append([1, LINK, "Văn phòng Sở", "30/12/2026", "+84 912 345 678"])
    sheet.append([2, "-Rà soát thủ tục", "Văn phòng Sở", "30/12/2026", "@ghi chú"])
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text in the office's file, as a CSV export or 'typed text would be
    buf = io.BytesIO()
    incoming.save(buf)
    rows = read_task_sheet(buf.getvalue()).rows
    assert [r.content for r in rows] == [LINK, "-Rà soát thủ tục"]
    cells = {c.value: c for c in _cells(write_task_sheet(rows, "Danh sách nhiệm vụ"))}
    for value in (LINK, "+84 912 345 678", "-Rà soát thủ tục", "@ghi chú"):
        _assert_text(cells[value], value)
    assert not any(c.data_type == "f" for c in cells.values())
    assert cells["Nội dung nhiệm vụ"].quotePrefix is False  # ordinary text is left alone


def test_a_formula_in_a_dossier_export_reaches_the_statistics_as_text():
    csv = ("Mã hồ sơ,Thủ tục,Lĩnh vực,Ngày tiếp nhận,Ngày hẹn trả,Ngày có kết quả\n"
           f'H1,"{LINK.replace(chr(34), chr(34) * 2)}",=cmd|calc!A1,01/10/2026,05/10/2026,20/10/2026\n').encode()
    records = read_dossier_export("ds.csv", csv).records
    assert records and records[0].procedure == LINK
    with memory_session(records) as session:
        fig = with_late_lists(session, period_figures(session, date(2026, 10, 1), date(2026, 10, 31),
                                                      datetime(2026, 11, 2, 8, 0)))
    data = write_stats_xlsx(fig, {}, {"=cmd|calc!A1": fig}, "Tháng 10/2026")
    cells = _cells(data)
    assert not any(c.data_type == "f" for c in cells)
    late = load_workbook(io.BytesIO(data))[LATE_SHEET]
    procedure = next(c for row in late.iter_rows() for c in row if c.value == LINK)
    _assert_text(procedure, LINK)
