"""Period figures for administrative-procedure dossiers (hồ sơ TTHC).

The office compares the bot's numbers with the province's own report
(TÌNH HÌNH TIẾP NHẬN VÀ GIẢI QUYẾT TTHC), so every rule here copies how the
provincial dossier systems classify, not what would seem natural:

* **By date, not time.** A dossier closed before the date of its appointment
  (ngày hẹn trả) is *trước hạn*, on that date *đúng hạn*, after it *quá hạn*.
* **The original appointment decides.** An apology letter (phiếu xin lỗi và
  hẹn lại) sets a new appointment, but a dossier closed after its original
  appointment is still late, and an open dossier past its original
  appointment is still past due: ``original_due_at`` when set, else
  ``due_at``. A request for supplements *does* move the appointment; the
  exports already show the moved date in ``due_at``.
* **Figures are as of the period end.** Status codes describe the dossier
  *today*; dates describe its history. A dossier resolved after the period
  end was open at the end, so it counts as in progress for that period.
  An open dossier is *trong hạn* while its appointment date is on or after
  ``min(end, now)``, *quá hạn* otherwise.
* **Withdrawal (status 7) counts as handled**: it is closed, never in
  progress, never late. Like the province's table (and the wording of the
  department's reports: "trả lại hồ sơ/rút lại hồ sơ"), it has its own column
  next to trước hạn / đúng hạn / quá hạn, so ``handled_total`` = early +
  on time + late + withdrawn, while the on-time rate is over dossiers that
  received a result (early + on time + late).
* **Rejected at intake (status 3)** is neither handled nor open; it is
  reported with withdrawals as "trả lại / xin rút".
* **An apology is in time** only when issued strictly before the original
  appointment date (Thông tư 01/2018/TT-VPCP: at the latest one day before
  the deadline).
* A dossier with no appointment at all (the export had none and it could not
  be computed) cannot be late: it counts as on time / within due.

All datetimes are naive local time (Asia/Ho_Chi_Minh), as the exports write
them; only their date part matters for classification.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

# National status codes (hệ thống thông tin giải quyết TTHC).
NEW, RECEIVED, REJECTED, PROCESSING = 1, 2, 3, 4
SUPPLEMENT, FINANCIAL, WITHDRAWN, STOPPED = 5, 6, 7, 8
RESOLVED, RETURNED = 9, 10

HANDLED_STATUSES = frozenset({WITHDRAWN, RESOLVED, RETURNED})
PAUSED_STATUSES = frozenset({SUPPLEMENT, FINANCIAL, STOPPED})
WAITING_STATUSES = frozenset({SUPPLEMENT, FINANCIAL})

STATUS_NAMES_VI = {
    NEW: "Mới đăng ký",
    RECEIVED: "Được tiếp nhận",
    REJECTED: "Không được tiếp nhận",
    PROCESSING: "Đang xử lý",
    SUPPLEMENT: "Yêu cầu bổ sung",
    FINANCIAL: "Yêu cầu thực hiện nghĩa vụ tài chính",
    WITHDRAWN: "Công dân rút hồ sơ",
    STOPPED: "Dừng xử lý",
    RESOLVED: "Đã xử lý xong",
    RETURNED: "Đã trả kết quả",
}

CHANNELS = ("direct", "online", "postal")
CHANNEL_NAMES_VI = {"direct": "Trực tiếp", "online": "Trực tuyến", "postal": "Bưu chính công ích"}

#: Group key used by :func:`by_unit` / :func:`by_field` for records without one.
UNKNOWN_GROUP = "Chưa xác định"

EARLY, ON_TIME, LATE = "early", "on_time", "late"

#: Codes quoted in a report sentence before "và N hồ sơ khác".
MAX_CODES_LISTED = 10


@dataclass
class DossierRecord:
    """One dossier as read from a provincial export (no database identity).

    Datetimes are naive local time (Asia/Ho_Chi_Minh). ``due_at`` is the
    current appointment (after supplement shifts and after any apology
    re-appointment); ``original_due_at`` is the appointment before an apology
    re-appointment (``None`` when there was none).
    """

    code: str
    procedure: str | None
    field: str | None
    unit: str | None
    received_at: datetime
    due_at: datetime | None
    original_due_at: datetime | None
    resolved_at: datetime | None
    returned_at: datetime | None
    status: int
    channel: str
    service_level: str | None
    apology_at: datetime | None
    new_due_at: datetime | None
    postal_return: bool = False


# ---------------------------------------------------------------- per record


def judged_due(r: DossierRecord) -> date | None:
    """The appointment date a dossier is judged against (the original one)."""
    due = r.original_due_at or r.due_at
    return due.date() if due else None


def closed_on(r: DossierRecord) -> date | None:
    """The date a dossier stopped being open, or None while it is open.

    Resolved/returned dossiers close on the result date (ngày có kết quả),
    falling back to the return date. Withdrawals and rejections without an
    end date close on the day of receipt.
    """
    if r.status in (RESOLVED, RETURNED):
        end = r.resolved_at or r.returned_at
        return end.date() if end else None
    if r.status in (WITHDRAWN, REJECTED):
        end = r.resolved_at or r.returned_at or r.received_at
        return end.date()
    return None


def classify_resolution(closed: date, due: date | None) -> str:
    """trước hạn / đúng hạn / quá hạn by date: ``early``, ``on_time`` or ``late``."""
    if due is None or closed == due:
        return ON_TIME
    return EARLY if closed < due else LATE


def is_open_past_due(r: DossierRecord, as_of: date) -> bool:
    """Open-dossier rule: past due when its appointment date is before ``as_of``."""
    due = judged_due(r)
    return due is not None and due < as_of


def apology_in_time(r: DossierRecord) -> bool:
    """True when an apology letter was issued before the original appointment date."""
    due = judged_due(r)
    return r.apology_at is not None and due is not None and r.apology_at.date() < due


# ---------------------------------------------------------------- figures


class LateDossier:
    """A late dossier with the facts the chat needs; reads like a DossierRecord.

    ``carried_over`` marks dossiers received before the period (tồn kỳ trước);
    ``days_late`` counts calendar days from the original appointment to the
    closing date (resolved) or to the reference date (open).
    """

    __slots__ = ("record", "carried_over", "days_late", "apology_ok")

    def __init__(self, record: DossierRecord, carried_over: bool, days_late: int) -> None:
        self.record = record
        self.carried_over = carried_over
        self.days_late = days_late
        self.apology_ok = apology_in_time(record)

    def __getattr__(self, name: str):
        return getattr(self.record, name)

    def __repr__(self) -> str:
        return (
            f"LateDossier({self.record.code!r}, carried_over={self.carried_over}, "
            f"days_late={self.days_late})"
        )


@dataclass
class PeriodFigures:
    """Counts for one period in the layout of the province's statistics table."""

    start: date
    end: date
    as_of: date
    received_carried_over: int = 0
    received_in_period: int = 0
    received_online: int = 0
    received_direct: int = 0
    received_postal: int = 0
    early_carried_over: int = 0
    early_in_period: int = 0
    on_time_carried_over: int = 0
    on_time_in_period: int = 0
    late_carried_over: int = 0
    late_in_period: int = 0
    withdrawn: int = 0
    rejected: int = 0
    in_progress_within_due: int = 0
    in_progress_past_due: int = 0
    waiting_supplement: int = 0
    stopped: int = 0
    late_resolved: list[LateDossier] = field(default_factory=list)
    late_open: list[LateDossier] = field(default_factory=list)
    late_without_apology: list[str] = field(default_factory=list)

    @property
    def received_total(self) -> int:
        return self.received_carried_over + self.received_in_period

    @property
    def early(self) -> int:
        return self.early_carried_over + self.early_in_period

    @property
    def on_time(self) -> int:
        return self.on_time_carried_over + self.on_time_in_period

    @property
    def late(self) -> int:
        return self.late_carried_over + self.late_in_period

    @property
    def resolved_total(self) -> int:
        """Dossiers that received a result in the period (early + on time + late)."""
        return self.early + self.on_time + self.late

    @property
    def handled_total(self) -> int:
        """Closed in the period: with a result, or withdrawn."""
        return self.resolved_total + self.withdrawn

    @property
    def in_progress_total(self) -> int:
        return self.in_progress_within_due + self.in_progress_past_due

    @property
    def returned_or_withdrawn(self) -> int:
        return self.rejected + self.withdrawn

    @property
    def on_time_rate(self) -> float | None:
        """(early + on time) / resolved, in percent; None when nothing was resolved."""
        if not self.resolved_total:
            return None
        return 100.0 * (self.early + self.on_time) / self.resolved_total

    @property
    def online_share(self) -> float | None:
        """Online received / received in period, in percent."""
        if not self.received_in_period:
            return None
        return 100.0 * self.received_online / self.received_in_period


def period_figures(
    records: Iterable[DossierRecord], start: date, end: date, now: datetime
) -> PeriodFigures:
    """Count a period exactly as the provincial systems do (see module doc)."""
    as_of = min(end, now.date())
    fig = PeriodFigures(start=start, end=end, as_of=as_of)
    for r in records:
        _count(fig, r, start, end, as_of)
    fig.late_resolved.sort(key=_late_sort_key)
    fig.late_open.sort(key=_late_sort_key)
    fig.late_without_apology = sorted(
        {d.code for d in (*fig.late_resolved, *fig.late_open) if not d.apology_ok}
    )
    return fig


def _late_sort_key(d: LateDossier) -> tuple:
    return (judged_due(d.record) or date.min, d.record.code)


def _count(fig: PeriodFigures, r: DossierRecord, start: date, end: date, as_of: date) -> None:
    """Put one record into its buckets (it lands in at most one outcome)."""
    received = r.received_at.date()
    if received > end:
        return
    closed = closed_on(r)
    carried = received < start
    if carried and closed is not None and closed < start:
        return  # finished before the period: not part of it
    if carried:
        fig.received_carried_over += 1
    else:
        fig.received_in_period += 1
        if r.channel == "online":
            fig.received_online += 1
        elif r.channel == "postal":
            fig.received_postal += 1
        else:
            fig.received_direct += 1

    if closed is not None and closed <= end:
        _count_closed(fig, r, closed, carried)
    else:
        _count_open(fig, r, carried, as_of)


def _count_closed(fig: PeriodFigures, r: DossierRecord, closed: date, carried: bool) -> None:
    if r.status == REJECTED:
        fig.rejected += 1
        return
    if r.status == WITHDRAWN:
        fig.withdrawn += 1
        return
    due = judged_due(r)
    outcome = classify_resolution(closed, due)
    suffix = "carried_over" if carried else "in_period"
    name = f"{outcome}_{suffix}"
    setattr(fig, name, getattr(fig, name) + 1)
    if outcome == LATE:
        fig.late_resolved.append(LateDossier(r, carried, (closed - due).days))


def _count_open(fig: PeriodFigures, r: DossierRecord, carried: bool, as_of: date) -> None:
    # Open at the period end. A paused status only tells where it waits now if
    # it is still open now; one closed after the period end was in progress.
    still_open = closed_on(r) is None
    if still_open and r.status in WAITING_STATUSES:
        fig.waiting_supplement += 1
    elif still_open and r.status == STOPPED:
        fig.stopped += 1
    elif is_open_past_due(r, as_of):
        fig.in_progress_past_due += 1
        fig.late_open.append(LateDossier(r, carried, (as_of - judged_due(r)).days))
    else:
        fig.in_progress_within_due += 1


def _group(
    records: Iterable[DossierRecord],
    key: Callable[[DossierRecord], str | None],
    start: date,
    end: date,
    now: datetime,
) -> dict[str, PeriodFigures]:
    groups: dict[str, list[DossierRecord]] = defaultdict(list)
    for r in records:
        groups[key(r) or UNKNOWN_GROUP].append(r)
    result = {k: period_figures(v, start, end, now) for k, v in sorted(groups.items())}
    return {k: f for k, f in result.items() if f.received_total}


def by_unit(
    records: Iterable[DossierRecord], start: date, end: date, now: datetime
) -> dict[str, PeriodFigures]:
    """Figures per responsible unit code (``UNKNOWN_GROUP`` for unknown units).

    Units with no dossier in the period are left out.
    """
    return _group(records, lambda r: r.unit, start, end, now)


def by_field(
    records: Iterable[DossierRecord], start: date, end: date, now: datetime
) -> dict[str, PeriodFigures]:
    """Figures per field (lĩnh vực), same rules as :func:`by_unit`."""
    return _group(records, lambda r: r.field, start, end, now)


# ---------------------------------------------------------------- wording


def format_int_vi(n: int) -> str:
    """1234567 → '1.234.567' (Vietnamese thousands separator)."""
    return f"{n:,}".replace(",", ".")


def format_decimal_vi(value: float, places: int = 2) -> str:
    """93.175 → '93,18' (half-up rounding, decimal comma, dot thousands)."""
    q = Decimal(repr(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    whole, _, frac = f"{q:f}".partition(".")
    sign = "-" if whole.startswith("-") else ""
    whole = format_int_vi(int(whole.lstrip("-")))
    return f"{sign}{whole},{frac}" if frac else f"{sign}{whole}"


def format_percent_vi(value: float | None, places: int = 2) -> str:
    """Percent in Vietnamese style; '—' when there is nothing to divide."""
    return "—" if value is None else f"{format_decimal_vi(value, places)}%"


def _n(count: int) -> str:
    return f"{format_int_vi(count)} hồ sơ"


def _split(carried: int, in_period: int) -> str:
    return f"kỳ trước chuyển sang: {format_int_vi(carried)}, trong kỳ: {format_int_vi(in_period)}"


def report_lines_vi(fig: PeriodFigures) -> list[str]:
    """The dossier paragraph of a PAR report, one sentence per line.

    Wording follows the department's reports ("Trả trước hạn: 137 hồ sơ;
    trả quá hạn: 3 hồ sơ; …") so the office can paste it unchanged.
    """
    lines = [
        f"Tổng số hồ sơ tiếp nhận: {_n(fig.received_total)} "
        f"(kỳ trước chuyển sang: {_n(fig.received_carried_over)}; "
        f"tiếp nhận mới trong kỳ: {_n(fig.received_in_period)}, trong đó trực tuyến: "
        f"{_n(fig.received_online)}, trực tiếp: {_n(fig.received_direct)}, "
        f"qua dịch vụ bưu chính công ích: {_n(fig.received_postal)}).",
        f"Số hồ sơ đã giải quyết: {_n(fig.handled_total)}; trong đó trả trước hạn: "
        f"{_n(fig.early)} ({_split(fig.early_carried_over, fig.early_in_period)}); "
        f"trả đúng hạn: {_n(fig.on_time)} "
        f"({_split(fig.on_time_carried_over, fig.on_time_in_period)}); "
        f"trả quá hạn: {_n(fig.late)} ({_split(fig.late_carried_over, fig.late_in_period)}); "
        f"công dân rút hồ sơ: {_n(fig.withdrawn)}.",
        f"Tỷ lệ hồ sơ giải quyết trước hạn và đúng hạn: {format_percent_vi(fig.on_time_rate)}.",
        f"Số hồ sơ đang giải quyết: {_n(fig.in_progress_total)}; trong đó trong hạn: "
        f"{_n(fig.in_progress_within_due)}; quá hạn: {_n(fig.in_progress_past_due)}.",
        f"Số hồ sơ chờ bổ sung, hoàn thiện hoặc thực hiện nghĩa vụ tài chính: "
        f"{_n(fig.waiting_supplement)}; dừng xử lý: {_n(fig.stopped)}.",
        f"Trả lại hồ sơ/rút lại hồ sơ: {_n(fig.returned_or_withdrawn)} "
        f"(không được tiếp nhận: {format_int_vi(fig.rejected)}, "
        f"công dân rút: {format_int_vi(fig.withdrawn)}).",
        f"Tỷ lệ hồ sơ tiếp nhận trực tuyến: {format_percent_vi(fig.online_share)}.",
    ]
    if fig.late_without_apology:
        shown = fig.late_without_apology[:MAX_CODES_LISTED]
        codes = ", ".join(shown)
        if len(fig.late_without_apology) > len(shown):
            codes += f" và {format_int_vi(len(fig.late_without_apology) - len(shown))} hồ sơ khác"
        lines.append(
            f"Hồ sơ trễ hạn chưa có phiếu xin lỗi trước ngày hẹn trả: "
            f"{_n(len(fig.late_without_apology))} ({codes})."
        )
    elif fig.late or fig.in_progress_past_due:
        lines.append("Tất cả hồ sơ trễ hạn đều có phiếu xin lỗi và hẹn lại ngày trả kết quả.")
    return lines


def late_summary_vi(fig: PeriodFigures) -> str:
    """Short answer to "hồ sơ trễ hạn tháng này": the two numbers, carried-over marked."""

    def part(items: list[LateDossier]) -> str:
        carried = sum(1 for d in items if d.carried_over)
        note = f", trong đó {format_int_vi(carried)} hồ sơ tồn từ kỳ trước" if carried else ""
        return f"{_n(len(items))}{note}"

    return (
        f"Đã giải quyết quá hạn trong kỳ: {part(fig.late_resolved)}. "
        f"Đang quá hạn chưa giải quyết (tính đến {fig.as_of:%d/%m/%Y}): {part(fig.late_open)}."
    )
