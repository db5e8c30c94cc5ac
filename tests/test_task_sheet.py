"""Excel task list: tolerant reading with row-level errors, and a round trip."""

from __future__ import annotations

import io
from datetime import date, datetime

import pytest
from openpyxl import Workbook

from handlers.tasks.importers.errors import ImportRejected
from handlers.tasks.importers.task_sheet import TaskRow, column_field, parse_deadline, read_task_sheet, write_task_sheet


def xlsx(rows: list[list], percent_cells: tuple[tuple[int, int], ...] = ()) -> bytes:
    wb = Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    for row, col in percent_cells:
        ws.cell(row=row, column=col).number_format = "0%"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


HEADER = ["TT", "Nội dung công việc", "Chủ trì", "Phối hợp", "Hạn hoàn thành", "% hoàn thành", "Ghi chú", "Mã nhiệm vụ", "Văn bản giao"]


def test_office_sheet_with_title_rows_and_variants():
    data = xlsx(
        [
            ["SỞ KHOA HỌC VÀ CÔNG NGHỆ"],
            ["DANH SÁCH NHIỆM VỤ NĂM 2026"],
            [],
            HEADER,
            ["I", "NHIỆM VỤ TRỌNG TÂM"],
            [1, "Rà soát TTHC", "Văn phòng Sở", "Thanh tra Sở", datetime(2026, 6, 30), 0.8, "", "NV-1", "664/KL-SKH&CN mục 3"],
            [2, "Báo cáo CCHC", "Van phong So", "Các phòng, đơn vị", "hàng tháng", "80%", None, None, None],
            [3, "Kiểm tra ISO", "Chi cục TĐC", None, "quý III/2026", 50, None, None, None],
            [4, "Tập huấn", "TTUD", None, "abc", None, None, None, None],
            [],
            [5, None, "VP", None, "30/6/2026", None, None, None, None],
            [6, "Điều tra", "Phòng XYZ", None, "tháng 6/2026", None, None, None, None],
            [7, "Tuyên truyền", "Phòng Quản lý Công nghệ, Thị trường công nghệ và Chuyên ngành", "VP, TTRA", "thường xuyên", "Đã trình UBND tỉnh", None, None, None],
        ],
        percent_cells=((6, 6),),
    )
    result = read_task_sheet(data)
    rows = {r.row_number: r for r in result.rows}
    assert sorted(rows) == [6, 7, 8, 13]
    r6 = rows[6]
    assert (r6.lead_units, r6.support_units, r6.deadline, r6.percent) == (["VP"], ["TTRA"], date(2026, 6, 30), 80)
    assert (r6.key, r6.source_ref) == ("NV-1", "664/KL-SKH&CN mục 3")
    assert (rows[7].recurrence, rows[7].deadline, rows[7].percent, rows[7].all_units) == ("monthly", None, 80, True)
    assert (rows[8].lead_units, rows[8].deadline, rows[8].percent) == (["TDC"], date(2026, 9, 30), 50)
    assert (rows[13].lead_units, rows[13].support_units, rows[13].deadline) == (["QLCN"], ["VP", "TTRA"], None)
    assert rows[13].progress_text == "Đã trình UBND tỉnh"
    reasons = [e.reason for e in result.errors]
    assert reasons == [
        "dòng 9: không đọc được thời hạn 'abc'",
        "dòng 11: thiếu nội dung nhiệm vụ",
        "dòng 12: không nhận ra đơn vị chủ trì 'Phòng XYZ'",
    ]


@pytest.mark.parametrize(
    "header, field",
    [("Nhiệm vụ", "content"), ("Nội dung nhiệm vụ", "content"), ("Đơn vị thực hiện", "lead"), ("Đơn vị phối hợp", "support"),
     ("Thời gian hoàn thành", "deadline"), ("Kết quả/tiến độ", "progress"), ("Mã", "key"), ("Nguồn", "source"), ("STT", "stt")],
)
def test_header_variants(header, field):
    assert column_field(header) == field


@pytest.mark.parametrize(
    "cell, expected",
    [("30/6/2026", (date(2026, 6, 30), None)), ("30-06-2026", (date(2026, 6, 30), None)),
     ("2026-06-30", (date(2026, 6, 30), None)), ("tháng 6/2026", (date(2026, 6, 30), None)),
     ("quý III/2026", (date(2026, 9, 30), None)), ("hàng tháng", (None, "monthly")), ("thường xuyên", (None, None)),
     (datetime(2026, 1, 5), (date(2026, 1, 5), None))],
)
def test_deadline_cells(cell, expected):
    deadline, recurrence, ok = parse_deadline(cell)
    assert ok and (deadline, recurrence) == expected


def test_round_trip():
    rows = [
        TaskRow(0, "Rà soát TTHC", ["VP", "QLCN"], ["TDC"], date(2026, 6, 30), None, 80, "ghi chú", "664/KL-SKH&CN mục 3", "NV-01"),
        TaskRow(0, "Báo cáo tháng", [], [], None, "monthly", None, None, None, None, all_units=True),
        TaskRow(0, "Thanh tra", ["TTRA"], [], date(2026, 9, 30), "quarterly", 0, None, None, "NV-03", all_units=True),
    ]
    back = read_task_sheet(write_task_sheet(rows, "Danh sách nhiệm vụ")).rows
    fields = ("content", "lead_units", "support_units", "deadline", "recurrence", "percent", "note", "source_ref", "key", "all_units")
    assert [tuple(getattr(r, f) for f in fields) for r in back] == [tuple(getattr(r, f) for f in fields) for r in rows]


def test_written_layout():
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(write_task_sheet([TaskRow(0, "A", ["VP"], [], date(2026, 6, 30))], "Tiêu đề")))
    ws = wb.active
    assert ws["A1"].value == "Tiêu đề"
    assert [c.value for c in ws[3]][:7] == ["STT", "Nội dung nhiệm vụ", "Đơn vị chủ trì", "Đơn vị phối hợp", "Thời hạn", "Tiến độ", "Ghi chú"]
    assert ws["B3"].font.bold and ws["E4"].number_format == "DD/MM/YYYY"
    assert ws.column_dimensions["B"].width >= 40


def test_not_a_task_sheet():
    with pytest.raises(ImportRejected):
        read_task_sheet(xlsx([["a", "b"], [1, 2]]))
    with pytest.raises(ImportRejected):
        read_task_sheet(b"not an excel file")
