"""Reading provincial dossier exports: what the office sees after sending a file."""

from __future__ import annotations

import dataclasses
import io
from datetime import date, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest

from handlers.demo.dossier_samples import (
    PROCESSING_DAYS,
    generate_dossiers,
    write_export_csv,
    write_export_xlsx,
)
from handlers.dossiers.figures import RETURNED, DossierRecord
from handlers.dossiers.export_reader import (
    parse_channel,
    parse_datetime,
    parse_status,
    read_dossier_export,
)

DATA = Path(__file__).parent / "data" / "dossiers"
TET_2026 = {date(2026, 2, d) for d in range(16, 21)}  # weekdays of the 14–22/02 break


class TetCalendar:
    """Mon–Fri, minus the Tết 2026 weekdays: enough to test due-date arithmetic."""

    def is_working_day(self, d: date) -> bool:
        return d.weekday() < 5 and d not in TET_2026

    def add_working_days(self, start: date, days: int) -> date:
        d = start
        while days:
            d += timedelta(days=1)
            if self.is_working_day(d):
                days -= 1
        return d


def _xlsx(rows: list[list[object]]) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@pytest.fixture(scope="module")
def generated() -> list[DossierRecord]:
    return generate_dossiers(2000, date(2026, 1, 1), date(2026, 3, 31), seed=7, calendar=TetCalendar())


# ---------------------------------------------------------------- round trips


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_generated_export_reads_back_exactly(generated, fmt):
    data = write_export_xlsx(generated) if fmt == "xlsx" else write_export_csv(generated)
    result = read_dossier_export(f"ho_so.{fmt}", data)
    assert result.errors == []
    assert result.duplicates_in_file == []
    assert result.records == generated


def test_rereading_the_same_file_gives_identical_records(generated):
    data = write_export_xlsx(generated)
    first = read_dossier_export("ho_so.xlsx", data).records
    second = read_dossier_export("ho_so.xlsx", data).records
    assert first == second
    assert len({r.code for r in second}) == len(second) == 2000


def test_newer_export_gives_updated_records(generated):
    """An export taken later: open dossiers got their results, one was withdrawn."""
    old = read_dossier_export("t3.xlsx", write_export_xlsx(generated)).records
    newer = [dataclasses.replace(r) for r in generated]
    open_ones = [r for r in newer if r.status == 4][:5]
    assert len(open_ones) == 5
    for r in open_ones[:4]:
        r.resolved_at = r.returned_at = r.due_at
        r.status = RETURNED
    open_ones[4].status = 7
    open_ones[4].resolved_at = datetime(2026, 3, 31, 9, 0)

    updated = read_dossier_export("t4.xlsx", write_export_xlsx(newer)).records
    assert updated == newer
    # What an upsert by code would hold: same dossiers, new states.
    store = {r.code: r for r in old}
    store.update({r.code: r for r in updated})
    assert len(store) == len(old)
    old_by_code = {r.code: r for r in old}
    changed = {code for code, r in store.items() if r != old_by_code[code]}
    assert changed == {r.code for r in open_ones}


# ---------------------------------------------------------------- messy files


def _messy_rows() -> list[list[object]]:
    header = ["STT", "Số hồ sơ", "Tên TTHC", "Cơ quan xử lý", "Ngày nhận", "Hạn xử lý",
              "Ngày có kết quả", "Tình trạng", "Kênh", "Lý do trễ hẹn"]
    return [
        ["UBND TỈNH QUẢNG NGÃI"],                                              # row 1
        ["DANH SÁCH HỒ SƠ TIẾP NHẬN QUÝ I/2026"],                               # row 2
        [],                                                                    # row 3
        header,                                                                # row 4
        [1, "A-001", "Cấp chứng chỉ nhân viên bức xạ", "Phòng QLCN",
         datetime(2026, 1, 5, 8, 0), datetime(2026, 1, 12, 8, 0), datetime(2026, 1, 9, 10, 0),
         "Đã trả kết quả", "Trực tuyến", None],                                # row 5: Excel dates
        [2, "A-002", "Đăng ký công bố hợp quy", "Chi cục TĐC",
         "06/01/2026 14:30", "13/01/2026", "2026-01-13", "Đã xử lý xong", "BCCI", None],  # row 6
        [None, None, None, None, None, None, None, None, None, None],         # row 7: empty
        [3, "A-003", "Đăng ký công bố hợp chuẩn", "Phòng không có trong danh bạ",
         "07-01-2026", "14.01.2026", None, "Đang xử lý", "qua mạng", None],   # row 8
        [4, None, "Cấp chứng chỉ nhân viên bức xạ", "Phòng QLCN",
         "08/01/2026", "15/01/2026", None, "Đang xử lý", "Trực tiếp", None],  # row 9: no code
        [5, "A-005", "Cấp chứng chỉ nhân viên bức xạ", "Phòng QLCN",
         "hôm qua", "15/01/2026", None, "Đang xử lý", "Trực tiếp", None],     # row 10: bad date
        [6, "A-006", "Cấp chứng chỉ nhân viên bức xạ", "Phòng QLCN",
         "20/01/2026", "15/01/2026", None, "Đang xử lý", "Trực tiếp", None],  # row 11: due < received
        [],                                                                    # row 12: empty
        [7, "A-002", "Đăng ký công bố hợp quy", "Chi cục TĐC",
         "06/01/2026 14:30", "13/01/2026", "2026-01-14", "Đã trả kết quả", "BCCI", "Chờ ký"],  # row 13
        [8, "A-008", "Đăng ký công bố hợp quy", "Chi cục TĐC",
         "09/01/2026", "16/01/2026", None, "Chờ phê duyệt lại", "Trực tiếp", None],  # row 14: status ok
        [9, "A-009", "Đăng ký công bố hợp quy", "Chi cục TĐC",
         "09/01/2026", "16/01/2026", None, "Không rõ", "Trực tiếp", None],    # row 15: unknown status
    ]


def test_messy_file_imports_valid_rows_and_lists_bad_ones():
    result = read_dossier_export("Danh sach ho so.xlsx", _xlsx(_messy_rows()))

    assert result.header_row == 4
    assert [(e.row_number, e.reason_vi.split(":")[0].split(" (")[0]) for e in result.errors] == [
        (9, "Thiếu mã hồ sơ."),
        (10, "Ngày tiếp nhận không đọc được"),
        (11, "Ngày hẹn trả"),
        (15, "Trạng thái không xác định"),
    ]
    assert "hôm qua" in result.errors[1].reason_vi
    assert "trước ngày tiếp nhận (20/01/2026)" in result.errors[2].reason_vi
    assert result.duplicates_in_file == ["A-002"]
    assert result.duplicate_rows == {"A-002": [6, 13]}

    got = {r.code: r for r in result.records}
    assert sorted(got) == ["A-001", "A-002", "A-003", "A-008"]
    a1, a2, a3 = got["A-001"], got["A-002"], got["A-003"]
    assert (a1.unit, a1.channel, a1.status) == ("QLCN", "online", 10)
    assert a1.received_at == datetime(2026, 1, 5, 8, 0)
    # The last row of A-002 wins: returned, result on the 14th.
    assert (a2.status, a2.resolved_at, a2.channel, a2.unit) == (10, datetime(2026, 1, 14), "postal", "TDC")
    assert a2.received_at == datetime(2026, 1, 6, 14, 30)
    # dd-mm-yyyy and dd.mm.yyyy; an unknown unit is kept as None without an error.
    assert (a3.received_at, a3.due_at) == (datetime(2026, 1, 7), datetime(2026, 1, 14))
    assert (a3.unit, a3.channel) == (None, "online")
    assert got["A-008"].status == 4


def test_file_without_a_code_column_gets_one_clear_error():
    data = _xlsx([["Danh sách khách hàng"], ["Họ và tên", "Địa chỉ", "Số điện thoại", "Ngày nhận"],
                  ["Nguyễn Văn A", "Quảng Ngãi", "0905000000", "01/01/2026"]])
    result = read_dossier_export("khach_hang.xlsx", data)
    assert result.records == []
    assert len(result.errors) == 1
    message = result.errors[0].reason_vi
    assert message.startswith("Không tìm thấy cột Mã hồ sơ")
    assert "Họ và tên, Địa chỉ, Số điện thoại, Ngày nhận" in message


def test_windows_1258_csv_with_semicolons():
    result = read_dossier_export("export.csv", (DATA / "export_cp1258_semicolon.csv").read_bytes())
    assert result.errors == []
    assert result.header_row == 3
    by_code = {r.code: r for r in result.records}
    assert list(by_code) == ["HS-0001", "HS-0002", "HS-0003"]
    assert by_code["HS-0001"].procedure == "Cấp chứng chỉ nhân viên bức xạ"
    assert [by_code[c].unit for c in by_code] == ["QLCN", "TDC", "TDC"]
    assert [by_code[c].status for c in by_code] == [10, 4, 7]
    assert [by_code[c].channel for c in by_code] == ["online", "postal", "direct"]
    assert by_code["HS-0001"].due_at == datetime(2026, 3, 9, 8, 15)


def test_missing_due_is_counted_in_working_days_across_tet():
    name = "Cấp chứng chỉ nhân viên bức xạ"  # 5 working days
    data = _xlsx([
        ["Mã hồ sơ", "Tên thủ tục", "Ngày tiếp nhận", "Trạng thái"],
        ["T-1", name, "13/02/2026 09:00", "Đang xử lý"],   # Friday before Tết
        ["T-2", name, "10/02/2026 09:00", "Đang xử lý"],
        ["T-3", "Thủ tục không rõ thời hạn", "10/02/2026", "Đang xử lý"],
    ])
    result = read_dossier_export("tet.xlsx", data, calendar=TetCalendar(), processing_days=PROCESSING_DAYS)
    assert result.errors == []
    due = {r.code: r.due_at for r in result.records}
    assert due["T-1"] == datetime(2026, 2, 27, 17, 0)  # 23–27/02, Tết skipped
    assert due["T-2"] == datetime(2026, 2, 24, 17, 0)  # 11, 12, 13, then 23, 24/02
    assert due["T-3"] is None


def test_csv_exports_saved_as_html_tables_are_read():
    html = (
        "<html><body><table><tr><th>Mã hồ sơ</th><th>Ngày nhận</th><th>Ngày hẹn trả</th>"
        "<th>Trạng thái</th></tr><tr><td>H-1</td><td>02/03/2026</td><td>09/03/2026</td>"
        "<td>Đang xử lý</td></tr></table></body></html>"
    ).encode("utf-8")
    result = read_dossier_export("bao_cao.xls", html)
    assert [(r.code, r.due_at) for r in result.records] == [("H-1", datetime(2026, 3, 9))]


def test_old_xls_without_reader_asks_for_xlsx():
    try:
        import xlrd  # noqa: F401
    except ImportError:
        pass
    else:
        pytest.skip("xlrd is installed: .xls files are read directly")
    result = read_dossier_export("cu.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)
    assert len(result.errors) == 1 and result.records == []
    assert ".xlsx" in result.errors[0].reason_vi and "lưu lại" in result.errors[0].reason_vi


# ---------------------------------------------------------------- cell readers


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("25/12/2026", datetime(2026, 12, 25)),
        ("25/12/2026 14:30", datetime(2026, 12, 25, 14, 30)),
        ("25/12/2026 14:30:15", datetime(2026, 12, 25, 14, 30, 15)),
        ("14:30 25/12/2026", datetime(2026, 12, 25, 14, 30)),
        ("2026-12-25", datetime(2026, 12, 25)),
        ("2026-12-25 08:05:00", datetime(2026, 12, 25, 8, 5)),
        ("25-12-2026", datetime(2026, 12, 25)),
        ("25.12.2026", datetime(2026, 12, 25)),
        ("Số 12/PXL ngày 20/02/2026", datetime(2026, 2, 20)),
        (date(2026, 12, 25), datetime(2026, 12, 25)),
        (46016.5, datetime(2025, 12, 25, 12, 0)),
        ("", None),
        (None, None),
    ],
)
def test_dates_in_export_formats(raw, expected):
    assert parse_datetime(raw) == expected


@pytest.mark.parametrize("raw", ["31/02/2026", "hôm qua", "12/2026"])
def test_unreadable_dates_raise(raw):
    with pytest.raises(ValueError):
        parse_datetime(raw)


@pytest.mark.parametrize(
    "raw, code",
    [
        ("10", 10), ("7 - Công dân rút hồ sơ", 7), ("Đã trả kết quả", 10), ("Đang xử lý", 4),
        ("Yêu cầu bổ sung", 5), ("Công dân rút hồ sơ", 7), ("Không được tiếp nhận", 3),
        ("Được tiếp nhận", 2), ("Đã xử lý xong", 9), ("Dừng xử lý", 8), ("DA TRA KET QUA", 10),
        ("Chờ bổ sung hồ sơ", 5), ("Yêu cầu thực hiện nghĩa vụ tài chính", 6), ("Không rõ", None),
    ],
)
def test_status_words(raw, code):
    assert parse_status(raw) == code


@pytest.mark.parametrize(
    "raw, channel",
    [("Trực tiếp", "direct"), ("trực tuyến", "online"), ("Qua mạng", "online"), ("BCCI", "postal"),
     ("Bưu chính công ích", "postal"), ("2", "online"), ("Dịch vụ công mức độ 4", "online")],
)
def test_channel_words(raw, channel):
    assert parse_channel(raw) == channel


def test_a_word_file_sent_by_mistake_is_refused_politely():
    from docx import Document

    buf = io.BytesIO()
    Document().save(buf)
    result = read_dossier_export("danh_sach.xlsx", buf.getvalue())
    assert result.records == [] and len(result.errors) == 1
    assert "không phải bảng tính Excel hoặc CSV" in result.errors[0].reason_vi


def test_summary_for_the_office_names_rows_and_duplicates():
    result = read_dossier_export("Danh sach ho so.xlsx", _xlsx(_messy_rows()))
    summary = result.summary_vi()
    assert summary.splitlines()[0] == "Đã đọc 4 hồ sơ hợp lệ."
    assert "A-002" in summary and "- Dòng 9: Thiếu mã hồ sơ." in summary
