"""The office's Excel task list: read it (tolerantly) and write it back.

Offices keep tasks in a sheet with Vietnamese headers that vary from office
to office ("Nội dung nhiệm vụ" / "Nhiệm vụ" / "Nội dung công việc", "Chủ trì"
/ "Đơn vị thực hiện", "Hạn hoàn thành", "% hoàn thành", …), usually under a
title row or two. The reader finds the header row, maps the columns by their
folded names and reads each row; a bad row is reported with its Excel row
number and a Vietnamese reason, and never stops the good rows from loading.
``read_task_sheet(write_task_sheet(rows))`` gives the rows back.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from handlers.core.file_limits import TASK_SHEET_LIMITS, FileRefused, check_file
from handlers.core.xlsx_out import workbook_bytes
from handlers.tasks.importers.errors import ImportRejected
from handlers.tasks.importers.periods import ROMAN, end_of_month, end_of_quarter, find_deadline, is_ongoing, recurrence_anywhere
from handlers.text.textkeys import aligned_key
from handlers.query.units import matcher_for
from handlers.text.fold import fold
from models.org_file import OrgSpec, default_org

HEADER_SCAN_ROWS = 20
MAX_ROWS = 20_000
MAX_COLUMNS = 40  # a task list has about ten; the rows are held in memory while read
ALL_UNITS_TEXT = "Các phòng, đơn vị thuộc Sở"
RECURRENCE_TEXT = {"weekly": "Hàng tuần", "monthly": "Hàng tháng", "quarterly": "Hàng quý", "yearly": "Hàng năm"}

# field → folded header names; exact names first, then "contains" rules in priority order.
_EXACT = {
    "stt": {"stt", "tt", "so tt", "so thu tu"},
    "key": {"ma", "ma nhiem vu", "ma so", "ma nv"},
    "content": {"noi dung nhiem vu", "nhiem vu", "noi dung cong viec", "noi dung", "ten nhiem vu", "cong viec"},
    "lead": {"don vi chu tri", "chu tri", "don vi thuc hien", "don vi chiu trach nhiem", "co quan chu tri"},
    "support": {"don vi phoi hop", "phoi hop", "co quan phoi hop"},
    "deadline": {"thoi han", "han hoan thanh", "thoi gian hoan thanh", "han", "thoi han hoan thanh", "han chot"},
    "progress": {"tien do", "ket qua/tien do", "% hoan thanh", "ty le hoan thanh", "ket qua thuc hien", "ket qua"},
    "note": {"ghi chu"},
    "source": {"nguon", "van ban giao", "can cu", "nguon giao", "van ban"},
}
_CONTAINS = [
    ("key", r"^ma\b"),
    ("support", r"phoi hop"),
    ("lead", r"chu tri|don vi thuc hien|chiu trach nhiem"),
    ("deadline", r"thoi han|han hoan thanh|thoi gian hoan thanh|^han\b"),
    ("progress", r"tien do|% ?hoan thanh|ty le|ket qua"),
    ("note", r"ghi chu"),
    ("source", r"^nguon|van ban giao|^can cu"),
    ("content", r"noi dung|nhiem vu|cong viec"),
]
_HEADERS_OUT = [
    ("stt", "STT", 6),
    ("content", "Nội dung nhiệm vụ", 60),
    ("lead", "Đơn vị chủ trì", 26),
    ("support", "Đơn vị phối hợp", 26),
    ("deadline", "Thời hạn", 14),
    ("progress", "Tiến độ", 11),
    ("note", "Ghi chú", 26),
    ("key", "Mã nhiệm vụ", 14),
    ("source", "Văn bản giao", 24),
]
_ROMAN_ROW = re.compile(r"^[IVX]{1,5}\.?$")
_UNIT_SPLIT = re.compile(r"[;\n+]|,\s*|\s+và\s+|\s+va\s+")
_UNIT_NOISE = {"", "va", "cac", "so", "chu tri", "phoi hop", "-", "don vi", "lien quan", "co lien quan"}


@dataclass
class TaskRow:
    row_number: int
    content: str
    lead_units: list[str] = field(default_factory=list)
    support_units: list[str] = field(default_factory=list)
    deadline: date | None = None
    recurrence: str | None = None
    percent: int | None = None
    note: str | None = None
    source_ref: str | None = None
    key: str | None = None
    all_units: bool = False  # "Các phòng, đơn vị" in the lead or support cell
    progress_text: str | None = None  # a progress cell in words ("Đã trình UBND tỉnh")


@dataclass
class RowError:
    row_number: int
    reason: str


@dataclass
class SheetResult:
    rows: list[TaskRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    sheet_name: str | None = None


# -- reading ------------------------------------------------------------------------------
def read_task_sheet(data: bytes, org: OrgSpec | None = None) -> SheetResult:
    """Rows of the first sheet that has a recognisable task header."""
    from openpyxl import load_workbook

    try:
        check_file("Excel", data, TASK_SHEET_LIMITS)
    except FileRefused as exc:
        raise ImportRejected(str(exc)) from None
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        raise ImportRejected(
            "Tệp Excel bị hỏng hoặc không đúng định dạng .xlsx, không mở được. Vui lòng lưu lại tệp rồi gửi lại."
        ) from exc
    try:
        for sheet in workbook.worksheets:
            rows = list(sheet.iter_rows(max_row=MAX_ROWS, max_col=MAX_COLUMNS))
            found = _find_header(rows)
            if found is None:
                continue
            header_index, columns = found
            result = SheetResult(sheet_name=sheet.title)
            reader = _RowReader(columns, org or default_org())
            for cells in rows[header_index + 1 :]:
                reader.read(cells, result)
            return result
    finally:
        workbook.close()
    raise ImportRejected(
        "Không tìm thấy dòng tiêu đề của danh sách nhiệm vụ (cần có cột \"Nội dung nhiệm vụ\" và "
        "\"Đơn vị chủ trì\" hoặc \"Thời hạn\"). Vui lòng kiểm tra lại tệp."
    )


def column_field(header: str) -> str | None:
    """Which TaskRow field a header names ("Hạn hoàn thành" → "deadline")."""
    key = re.sub(r"\s*\(.*?\)\s*", " ", fold(header)).strip(" :.*")
    for name, names in _EXACT.items():
        if key in names:
            return name
    for name, pattern in _CONTAINS:
        if re.search(pattern, key):
            return name
    return None


def _find_header(rows: list) -> tuple[int, dict[str, int]] | None:
    for index, cells in enumerate(rows[:HEADER_SCAN_ROWS]):
        columns: dict[str, int] = {}
        for col, cell in enumerate(cells):
            value = cell.value
            if isinstance(value, str) and len(value) < 60:
                name = column_field(value)
                if name and name not in columns:
                    columns[name] = col
        if "content" in columns and len(set(columns) & {"lead", "support", "deadline", "progress", "stt"}) >= 1:
            return index, columns
    return None


class _RowReader:
    def __init__(self, columns: dict[str, int], org: OrgSpec) -> None:
        self.columns = columns
        self.matcher = matcher_for(org)

    def _cell(self, cells, name: str):
        col = self.columns.get(name)
        return cells[col] if col is not None and col < len(cells) else None

    def _text(self, cells, name: str) -> str:
        cell = self._cell(cells, name)
        value = cell.value if cell is not None else None
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return str(value).strip()

    def read(self, cells, result: SheetResult) -> None:
        if not cells or all(c.value is None or str(c.value).strip() == "" for c in cells):
            return
        row_number = next((c.row for c in cells if getattr(c, "row", None)), 0)
        content = self._text(cells, "content")
        lead_text, support_text = self._text(cells, "lead"), self._text(cells, "support")
        deadline_cell = self._cell(cells, "deadline")
        others = [lead_text, support_text, self._text(cells, "deadline"), self._text(cells, "progress")]
        if content and not any(others) and (_ROMAN_ROW.match(self._text(cells, "stt")) or content.isupper()):
            return  # a group heading row ("I. NHIỆM VỤ TRỌNG TÂM")
        if not content:
            if any(others):
                result.errors.append(RowError(row_number, f"dòng {row_number}: thiếu nội dung nhiệm vụ"))
            return
        errors: list[str] = []
        lead, all_lead, bad = self._units(lead_text)
        errors += [f"dòng {row_number}: không nhận ra đơn vị chủ trì '{b}'" for b in bad]
        support, all_support, bad = self._units(support_text)
        errors += [f"dòng {row_number}: không nhận ra đơn vị phối hợp '{b}'" for b in bad]
        deadline, recurrence, ok = parse_deadline(deadline_cell.value if deadline_cell is not None else None)
        if not ok:
            errors.append(f"dòng {row_number}: không đọc được thời hạn '{self._text(cells, 'deadline')}'")
        percent, progress_text, ok = parse_percent(self._cell(cells, "progress"))
        if not ok:
            errors.append(f"dòng {row_number}: không đọc được tỷ lệ hoàn thành '{self._text(cells, 'progress')}'")
        if errors:
            result.errors.extend(RowError(row_number, e) for e in errors)
            return
        result.rows.append(
            TaskRow(
                row_number=row_number,
                content=content,
                lead_units=lead,
                support_units=[u for u in support if u not in lead],
                deadline=deadline,
                recurrence=recurrence,
                percent=percent,
                note=self._text(cells, "note") or None,
                source_ref=self._text(cells, "source") or None,
                key=self._text(cells, "key") or None,
                all_units=all_lead or all_support,
                progress_text=progress_text,
            )
        )

    def _units(self, text: str) -> tuple[list[str], bool, list[str]]:
        """(codes, names all units?, parts not recognised) of a unit cell."""
        if not text:
            return [], False, []
        whole = self.matcher.code_for(text)
        if whole:
            return [whole], False, []
        codes: list[str] = []
        all_units = False
        rest = list(text)
        for m in self.matcher.mentions(text):
            if m.kind == "all":
                all_units = True
            elif m.code and m.code not in codes:
                codes.append(m.code)
            elif not m.code:
                continue
            rest[m.start : m.end] = [" "] * (m.end - m.start)
        bad: list[str] = []
        for part in _UNIT_SPLIT.split("".join(rest)):
            part = part.strip(" .-:()")
            if fold(part) in _UNIT_NOISE or len(part) < 2:
                continue
            code = self.matcher.code_for(part)
            if code:
                codes.append(code) if code not in codes else None
            else:
                bad.append(part)
        return codes, all_units, bad


_DMY = re.compile(r"(?<!\d)(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4}|\d{2})(?!\d)")
_YMD = re.compile(r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)")
_DMY_WORDS = re.compile(r"ngay\s+(\d{1,2})\s+thang\s+(\d{1,2})\s+nam\s+(\d{4})")
_MONTH = re.compile(r"^(?:trong |het |cuoi )?thang\s+(\d{1,2})\s*(?:/|nam|-)\s*(\d{4})$")
_QUARTER = re.compile(r"^(?:trong |het |cuoi )?quy\s+(iv|i{1,3}|[1-4])\s*(?:/|nam|-)\s*(\d{4})$")
_YEAR = re.compile(r"^(?:trong |het |cuoi )?nam\s+(\d{4})$")


def parse_deadline(value) -> tuple[date | None, str | None, bool]:
    """(deadline, recurrence, understood) of a deadline cell.

    Excel dates, "30/6/2026", "30-06-2026", "2026-06-30", "tháng 6/2026" (end
    of June), "quý III/2026" (30/9), "năm 2026", "hàng tháng" (recurring, no
    date), "thường xuyên" (ongoing, no date), or a phrase such as "trước ngày
    30/6/2026".
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, None, True
    if isinstance(value, datetime):
        return value.date(), None, True
    if isinstance(value, date):
        return value, None, True
    text = str(value).strip()
    key = aligned_key(text).strip()
    recurrence = recurrence_anywhere(text)
    found = _date_in(key)
    if found is not None:
        return found, recurrence, True
    if recurrence:
        return None, recurrence, True
    if is_ongoing(text) or key in {"khan truong", "kip thoi", "-"}:
        return None, None, True
    if m := _MONTH.match(key):
        return (end_of_month(int(m.group(2)), int(m.group(1))), None, True) if 1 <= int(m.group(1)) <= 12 else (None, None, False)
    if m := _QUARTER.match(key):
        return end_of_quarter(int(m.group(2)), ROMAN[m.group(1)]), None, True
    if m := _YEAR.match(key):
        return date(int(m.group(1)), 12, 31), None, True
    phrase = find_deadline(text, None)
    return (phrase, None, True) if phrase else (None, None, False)


def _date_in(key: str) -> date | None:
    for regex, order in ((_YMD, (2, 1, 0)), (_DMY, (0, 1, 2)), (_DMY_WORDS, (0, 1, 2))):
        m = regex.search(key)
        if m:
            parts = m.groups()
            d, mo, y = (int(parts[i]) for i in order)
            y = y + 2000 if y < 100 else y
            try:
                return date(y, mo, d)
            except ValueError:
                return None
    return None


def parse_percent(cell) -> tuple[int | None, str | None, bool]:
    """(percent 0–100, progress in words, understood) of a progress cell."""
    value = cell.value if cell is not None else None
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, None, True
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        fmt = getattr(cell, "number_format", "") or ""
        number = float(value) * 100 if "%" in fmt or (0 < value < 1) else float(value)
        return (round(number), None, True) if 0 <= number <= 100 else (None, None, False)
    text = str(value).strip()
    m = re.fullmatch(r"(\d{1,3}(?:[.,]\d+)?)\s*%?", text)
    if m:
        number = float(m.group(1).replace(",", "."))
        return (round(number), None, True) if number <= 100 else (None, None, False)
    key = fold(text)
    if key in {"hoan thanh", "da hoan thanh", "xong", "da xong"}:
        return 100, text, True
    if key in {"chua thuc hien", "chua trien khai"}:
        return 0, text, True
    return None, text, True


# -- writing ------------------------------------------------------------------------------
def write_task_sheet(rows: Iterable[TaskRow], title: str, org: OrgSpec | None = None) -> bytes:
    """The office layout: title row, bold header, dd/mm/yyyy dates, set column widths."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    org = org or default_org()
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Nhiệm vụ"
    sheet.cell(row=1, column=1, value=title).font = Font(bold=True, size=13)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(_HEADERS_OUT))
    header_row = 3
    for col, (_, label, width) in enumerate(_HEADERS_OUT, start=1):
        cell = sheet.cell(row=header_row, column=col, value=label)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        sheet.column_dimensions[get_column_letter(col)].width = width
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    wrap = Alignment(wrap_text=True, vertical="top")
    for index, row in enumerate(rows, start=1):
        lead = _unit_names(row.lead_units, org)
        support = _unit_names(row.support_units, org)
        if row.all_units:
            (support if row.lead_units else lead).append(ALL_UNITS_TEXT)
        values = {
            "stt": index,
            "content": row.content,
            "lead": "; ".join(lead) or None,
            "support": "; ".join(support) or None,
            "deadline": _deadline_out(row),
            "progress": row.percent / 100 if row.percent is not None else row.progress_text,
            "note": row.note,
            "key": row.key,
            "source": row.source_ref,
        }
        r = header_row + index
        for col, (name, _, _) in enumerate(_HEADERS_OUT, start=1):
            cell = sheet.cell(row=r, column=col, value=values[name])
            cell.alignment = wrap
            if name == "deadline" and isinstance(values[name], date):
                cell.number_format = "DD/MM/YYYY"
            if name == "progress" and row.percent is not None:
                cell.number_format = "0%"
    return workbook_bytes(workbook)  # imported text never becomes a live formula


def _unit_names(codes: list[str], org: OrgSpec) -> list[str]:
    return [org.unit(c).name if org.unit(c) else c for c in codes]


def _deadline_out(row: TaskRow):
    if row.recurrence:
        label = RECURRENCE_TEXT.get(row.recurrence, row.recurrence)
        return f"{label}, hạn {row.deadline:%d/%m/%Y}" if row.deadline else label
    return row.deadline
