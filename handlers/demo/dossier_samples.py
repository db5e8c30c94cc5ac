"""Synthetic dossier exports with known outcomes (tests, benchmarks, demo data).

The generator draws the outcome of each dossier first (early, on time, late
with or without an apology, withdrawn, waiting for supplements, …) and then
builds dates that produce it, so a test can compare the statistics with what
was intended. Everything is deterministic for a given seed.

Dates are naive local time (Asia/Ho_Chi_Minh). The export date is ``end``:
nothing is resolved after it, dossiers whose result would fall later are
still open in the export.
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from handlers.dossiers.figures import (
    CHANNEL_NAMES_VI,
    FINANCIAL,
    PROCESSING,
    REJECTED,
    RESOLVED,
    RETURNED,
    STATUS_NAMES_VI,
    STOPPED,
    SUPPLEMENT,
    WITHDRAWN,
    DossierRecord,
)

FIELD_KHCN = "Hoạt động khoa học và công nghệ"
FIELD_ATBX = "Năng lượng nguyên tử, an toàn bức xạ và hạt nhân"
FIELD_CGCN = "Chuyển giao công nghệ"
FIELD_TDC = "Tiêu chuẩn, đo lường, chất lượng"
FIELD_SHTT = "Sở hữu trí tuệ"


@dataclass(frozen=True)
class SampleProcedure:
    name: str
    field: str
    unit: str  # unit code from the default org file
    days: int  # processing time in working days
    service_level: str | None  # online service level offered


PROCEDURES: tuple[SampleProcedure, ...] = (
    SampleProcedure("Cấp Giấy chứng nhận đăng ký hoạt động khoa học và công nghệ", FIELD_KHCN, "QLKH", 15, "toàn trình"),
    SampleProcedure("Đăng ký kết quả thực hiện nhiệm vụ khoa học và công nghệ không sử dụng ngân sách nhà nước", FIELD_KHCN, "QLKH", 10, "toàn trình"),
    SampleProcedure("Đăng ký kết quả thực hiện nhiệm vụ khoa học và công nghệ có sử dụng ngân sách nhà nước", FIELD_KHCN, "QLKH", 12, "một phần"),
    SampleProcedure("Cấp Giấy chứng nhận doanh nghiệp khoa học và công nghệ", FIELD_KHCN, "QLKH", 30, "một phần"),
    SampleProcedure("Cấp giấy phép tiến hành công việc bức xạ - Sử dụng thiết bị X-quang chẩn đoán trong y tế", FIELD_ATBX, "QLCN", 20, "toàn trình"),
    SampleProcedure("Gia hạn giấy phép tiến hành công việc bức xạ - Sử dụng thiết bị X-quang chẩn đoán trong y tế", FIELD_ATBX, "QLCN", 15, "toàn trình"),
    SampleProcedure("Cấp chứng chỉ nhân viên bức xạ", FIELD_ATBX, "QLCN", 5, "toàn trình"),
    SampleProcedure("Cấp Giấy chứng nhận đăng ký chuyển giao công nghệ", FIELD_CGCN, "QLCN", 7, "một phần"),
    SampleProcedure("Cấp Giấy xác nhận đăng ký hoạt động xét tặng giải thưởng chất lượng sản phẩm, hàng hóa", FIELD_SHTT, "QLCN", 10, None),
    SampleProcedure("Đăng ký công bố hợp chuẩn dựa trên kết quả tự đánh giá của tổ chức, cá nhân sản xuất, kinh doanh", FIELD_TDC, "TDC", 5, "toàn trình"),
    SampleProcedure("Đăng ký công bố hợp quy đối với các sản phẩm, hàng hóa sản xuất trong nước", FIELD_TDC, "TDC", 5, "toàn trình"),
    SampleProcedure("Kiểm định phương tiện đo nhóm 2", FIELD_TDC, "TDC", 8, "một phần"),
    SampleProcedure("Đăng ký kiểm tra nhà nước về chất lượng hàng hóa nhập khẩu", FIELD_TDC, "TDC", 6, "toàn trình"),
)

#: procedure name → working days, as the importer's ``processing_days`` wants it
PROCESSING_DAYS: dict[str, int] = {p.name: p.days for p in PROCEDURES}

# Outcome mix (weights, in percent of dossiers).
_OUTCOMES: tuple[tuple[str, float], ...] = (
    ("early", 68.0),
    ("on_time", 12.0),
    ("late", 2.0),
    ("late_apology", 1.5),
    ("late_open", 1.0),
    ("open", 6.0),
    ("withdrawn", 2.5),
    ("rejected", 1.5),
    ("waiting", 4.0),
    ("financial", 0.5),
    ("stopped", 1.0),
)
_UNIT_NO = {"QLKH": 21, "QLCN": 22, "TDC": 23}


class _WeekdayHolidayCalendar:
    """Fallback when no calendar is given: Mon–Fri minus the `holidays` VN days."""

    def __init__(self) -> None:
        import holidays

        self._holidays = holidays.country_holidays("VN")

    def is_working_day(self, d: date) -> bool:
        return d.weekday() < 5 and d not in self._holidays

    def add_working_days(self, start: date, days: int) -> date:
        d = start
        while days > 0:
            d += timedelta(days=1)
            if self.is_working_day(d):
                days -= 1
        return d


@dataclass(frozen=True)
class SampleDossier:
    """A generated record and the outcome it was built to have."""

    record: DossierRecord
    outcome: str


def _as_date(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


class _Builder:
    def __init__(self, start: date, end: date, seed: int, calendar) -> None:
        self.rng = random.Random(seed)
        self.start, self.end = start, end
        self.cal = calendar or _WeekdayHolidayCalendar()
        # Some dossiers are received before the window: they are carried over.
        self.first_day = start - timedelta(days=45)
        self.days = [
            self.first_day + timedelta(days=i) for i in range((end - self.first_day).days + 1)
        ]
        self.days = [d for d in self.days if self._is_working(d)] or [start]
        self.seq = 0

    def _is_working(self, d: date) -> bool:
        if hasattr(self.cal, "is_working_day"):
            return bool(self.cal.is_working_day(d))
        # A day is working when adding one working day to the day before lands on it.
        return d.weekday() < 5 and _as_date(self.cal.add_working_days(d - timedelta(days=1), 1)) == d

    def add(self, d: date, n: int) -> date:
        return _as_date(self.cal.add_working_days(d, n)) if n > 0 else d

    def at(self, d: date, minute_of_day: int | None = None) -> datetime:
        if minute_of_day is None:
            minute_of_day = self.rng.choice(
                [self.rng.randint(7 * 60 + 30, 11 * 60 + 15), self.rng.randint(13 * 60 + 30, 16 * 60 + 45)]
            )
        return datetime.combine(d, time(minute_of_day // 60, minute_of_day % 60))

    def between(self, a: date, b: date) -> date:
        """A day in [a, b] (b ≥ a), preferring working days."""
        span = [a + timedelta(days=i) for i in range((b - a).days + 1)]
        working = [d for d in span if self._is_working(d)]
        return self.rng.choice(working or span)

    def dossier(self) -> SampleDossier:
        rng = self.rng
        proc = rng.choice(PROCEDURES)
        received_day = rng.choice(self.days)
        received = self.at(received_day)
        channel = rng.choices(("online", "direct", "postal"), weights=(60, 32, 8))[0]
        if proc.service_level is None and channel == "online":
            channel = "direct"
        self.seq += 1
        code = f"000.00.{_UNIT_NO[proc.unit]}.H48-{received_day:%y%m%d}-{self.seq:04d}"
        due_day = self.add(received_day, proc.days)
        if rng.random() < 0.08:  # an earlier supplement request moved the appointment
            due_day = self.add(due_day, rng.randint(2, 8))
        outcome = rng.choices([o for o, _ in _OUTCOMES], weights=[w for _, w in _OUTCOMES])[0]
        rec = DossierRecord(
            code=code,
            procedure=proc.name,
            field=proc.field,
            unit=proc.unit,
            received_at=received,
            due_at=self.at(due_day, received.hour * 60 + received.minute),
            original_due_at=None,
            resolved_at=None,
            returned_at=None,
            status=PROCESSING,
            channel=channel,
            service_level=proc.service_level if channel == "online" else None,
            apology_at=None,
            new_due_at=None,
            postal_return=channel == "postal" or rng.random() < 0.05,
        )
        outcome = self._apply(rec, outcome, received_day, due_day)
        return SampleDossier(rec, outcome)

    def _apply(self, rec: DossierRecord, outcome: str, received: date, due: date) -> str:
        """Set dates/status for the drawn outcome; falls back to 'open' past the export date."""
        rng = self.rng
        if outcome == "rejected":
            rec.status, rec.resolved_at = REJECTED, max(self.at(received), rec.received_at)
            return outcome
        if outcome == "withdrawn":
            day = self.between(received, min(due, self.end))
            rec.status, rec.resolved_at = WITHDRAWN, max(self.at(day), rec.received_at)
            return outcome
        if outcome in ("waiting", "financial", "stopped") and (self.end - received).days > 30:
            outcome = "early"  # long-paused dossiers are rare: resolve old ones
        elif outcome in ("waiting", "financial", "stopped"):
            rec.status = {"waiting": SUPPLEMENT, "financial": FINANCIAL, "stopped": STOPPED}[outcome]
            return outcome
        if outcome == "open":
            if due >= self.end:
                return "open"
            outcome = "early"  # an old dossier would be late, not merely open
        if outcome == "late_open":
            if due >= self.end:
                return "open"
            if rng.random() < 0.5:
                self._apologise(rec, due, in_time=rng.random() < 0.7)
            return outcome
        if outcome == "early":
            if due <= received:
                outcome, day = "on_time", due
            else:
                day = self.between(received, due - timedelta(days=1))
        elif outcome == "on_time":
            day = due
        else:  # late, late_apology
            day = self.add(due, rng.randint(1, 6))
        if day > self.end:
            return "open" if due >= self.end else "late_open"
        if outcome == "late_apology":
            self._apologise(rec, due, in_time=rng.random() < 0.75, resolved=day)
            outcome = "late"
        resolved = max(self.at(day), rec.received_at)
        rec.resolved_at = resolved
        rec.status = RESOLVED
        returned_day = self.add(day, rng.choice((0, 0, 0, 1, 2)))
        if returned_day <= self.end:
            rec.returned_at = max(self.at(returned_day), resolved)
            rec.status = RETURNED
        return outcome

    def _apologise(self, rec: DossierRecord, due: date, in_time: bool, resolved: date | None = None) -> None:
        received = rec.received_at.date()
        if in_time and due > received:
            day = self.between(max(received, due - timedelta(days=3)), due - timedelta(days=1))
        else:
            day = self.add(due, self.rng.randint(0, 2))
            day = min(day, resolved or self.end)
        new_due = self.add(max(due, day), self.rng.randint(3, 10))
        if resolved is not None and new_due < resolved:
            new_due = resolved
        rec.apology_at = self.at(day)
        rec.original_due_at = rec.due_at
        rec.new_due_at = self.at(new_due, 16 * 60 + 30)
        rec.due_at = rec.new_due_at


def generate_samples(
    n: int, start: date, end: date, seed: int = 1, calendar=None
) -> list[SampleDossier]:
    """``n`` dossiers received from ~45 days before ``start`` up to ``end``, with outcomes.

    ``calendar`` needs ``add_working_days(date, n)`` (and, optionally,
    ``is_working_day(date)``); without one, Mon–Fri minus the `holidays`
    package's Vietnamese holidays is used.
    """
    builder = _Builder(start, end, seed, calendar)
    return [builder.dossier() for _ in range(n)]


def generate_dossiers(
    n: int, start: date, end: date, seed: int = 1, calendar=None
) -> list[DossierRecord]:
    """Like :func:`generate_samples`, records only."""
    return [s.record for s in generate_samples(n, start, end, seed, calendar)]


# ---------------------------------------------------------------- export files

EXPORT_HEADERS: tuple[str, ...] = (
    "STT",
    "Mã hồ sơ",
    "Tên thủ tục hành chính",
    "Lĩnh vực",
    "Đơn vị xử lý",
    "Ngày nộp hồ sơ",
    "Ngày hẹn trả",
    "Ngày kết thúc xử lý",
    "Ngày trả kết quả",
    "Trạng thái",
    "Hình thức nộp",
    "Mức độ",
    "Hình thức trả kết quả",
    "Ngày xin lỗi",
    "Ngày hẹn lại",
    "Số ngày quá hạn",
)


def _unit_names() -> dict[str, str]:
    from models.org_file import default_org

    return {u.code: u.name for u in default_org().units}


def _export_rows(records: Sequence[DossierRecord], as_text: bool) -> list[list[object]]:
    units = _unit_names()

    def when(value: datetime | None) -> object:
        if value is None:
            return None if not as_text else ""
        return value.strftime("%d/%m/%Y %H:%M") if as_text else value

    rows = []
    for i, r in enumerate(records, start=1):
        first_due = r.original_due_at or r.due_at
        end = r.resolved_at or r.returned_at
        overdue = (end.date() - first_due.date()).days if end and first_due and end.date() > first_due.date() else 0
        rows.append([
            i,
            r.code,
            r.procedure or "",
            r.field or "",
            units.get(r.unit or "", r.unit or ""),
            when(r.received_at),
            when(first_due),
            when(r.resolved_at),
            when(r.returned_at),
            STATUS_NAMES_VI[r.status],
            CHANNEL_NAMES_VI[r.channel],
            {"toàn trình": "Toàn trình", "một phần": "Một phần"}.get(r.service_level or "", ""),
            "Qua dịch vụ bưu chính công ích" if r.postal_return else "Trực tiếp",
            when(r.apology_at),
            when(r.new_due_at),
            overdue or ("" if as_text else None),
        ])
    return rows


_TITLE = ("SỞ KHOA HỌC VÀ CÔNG NGHỆ", "DANH SÁCH HỒ SƠ THỦ TỤC HÀNH CHÍNH")


def write_export_xlsx(records: Sequence[DossierRecord]) -> bytes:
    """An export as the provincial system writes it: title rows, then the table."""
    import openpyxl
    from openpyxl.cell import WriteOnlyCell

    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("Danh sách hồ sơ")
    ws.append([_TITLE[0]])
    ws.append([_TITLE[1]])
    ws.append([])
    ws.append(list(EXPORT_HEADERS))
    for row in _export_rows(records, as_text=False):
        out = []
        for value in row:
            if isinstance(value, datetime):
                cell = WriteOnlyCell(ws, value=value)
                cell.number_format = "DD/MM/YYYY HH:MM"
                out.append(cell)
            else:
                out.append(value)
        ws.append(out)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def write_export_csv(records: Sequence[DossierRecord], delimiter: str = ",") -> bytes:
    """The same export as CSV (UTF-8 with BOM, as Excel expects), dates dd/mm/yyyy HH:MM."""
    buf = io.StringIO(newline="")
    w = csv.writer(buf, delimiter=delimiter)
    w.writerow([_TITLE[1]])
    w.writerow(list(EXPORT_HEADERS))
    w.writerows(_export_rows(records, as_text=True))
    return buf.getvalue().encode("utf-8-sig")
