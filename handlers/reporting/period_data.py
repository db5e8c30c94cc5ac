"""Gathering the figures of a reporting period from the database.

The PAR report (.docx) and the statistics sheet (.xlsx) are built from the
same ``PeriodReport`` so their figures cannot disagree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.dossiers.figures import PeriodFigures, by_field, by_unit, period_figures, procedure_figures, with_late_lists
from handlers.reporting import ReportData, TaskSummary
from handlers.scoring import Estimate, estimate_summary_vi
from handlers.scoring.data import current_estimate
from models.org_file import default_org
from models.queries import WorkItem, work_items
from models.tasks import Evidence, TaskStatus
from settings import Settings

_QUARTERS = {1: "I", 2: "II", 3: "III", 4: "IV"}


def parse_period(text: str) -> tuple[date, date, str]:
    """'2026-H1', '2026-H2', '2026-Q3', '2026-11', '2026' → (start, end, Vietnamese label)."""
    text = text.strip().upper()
    if m := re.fullmatch(r"(\d{4})-H([12])", text):
        year, half = int(m.group(1)), int(m.group(2))
        if half == 1:
            return date(year, 1, 1), date(year, 6, 30), f"6 tháng đầu năm {year}"
        return date(year, 7, 1), date(year, 12, 31), f"6 tháng cuối năm {year}"
    if m := re.fullmatch(r"(\d{4})-Q([1-4])", text):
        year, q = int(m.group(1)), int(m.group(2))
        start = date(year, 3 * q - 2, 1)
        end = date(year + (q == 4), (3 * q) % 12 + 1, 1)
        return start, date.fromordinal(end.toordinal() - 1), f"quý {_QUARTERS[q]} năm {year}"
    if m := re.fullmatch(r"(\d{4})-(\d{1,2})", text):
        year, month = int(m.group(1)), int(m.group(2))
        if 1 <= month <= 12:
            nxt = date(year + (month == 12), month % 12 + 1, 1)
            return date(year, month, 1), date.fromordinal(nxt.toordinal() - 1), f"tháng {month} năm {year}"
    if re.fullmatch(r"\d{4}", text):
        year = int(text)
        return date(year, 1, 1), date(year, 12, 31), f"năm {year}"
    raise ValueError(f"Kỳ báo cáo không hợp lệ: {text!r}. Ví dụ: 2026-H1, 2026-Q3, 2026-11, 2026.")


def reportable_period(text: str, today: date) -> tuple[date, date, str]:
    """:func:`parse_period`, refusing a period that has not started yet (it has no figures)."""
    start, end, label = parse_period(text)
    if start > today:
        example = f"{today.year}-H{1 if today.month <= 6 else 2}, {today.year}-{today.month:02d}"
        raise ValueError(f"Kỳ {label} chưa bắt đầu (hôm nay {today:%d/%m/%Y}), nên chưa có số liệu. "
                         f"Chọn kỳ đã qua hoặc đang diễn ra, ví dụ {example}.")
    return start, end, label


@dataclass
class PeriodReport:
    start: date
    end: date
    label: str
    figures: PeriodFigures
    by_unit: dict[str, PeriodFigures]
    by_field: dict[str, PeriodFigures]
    data: ReportData
    estimate: Estimate | None = None  # as of the period's end: for the internal annex only


def task_summary(items: list[WorkItem], start: date, end: date, as_of: date) -> TaskSummary:
    """The four-way split of government reports, for tasks due in the period."""
    summary = TaskSummary()
    for item in items:
        due = item.original_deadline
        if due is None or not (start <= due <= end):
            continue
        summary.total += 1
        if item.status == TaskStatus.DONE:
            if item.completed_on and item.completed_on <= due:
                summary.done_on_time += 1
            else:
                summary.done_late += 1
        elif due < as_of:
            summary.overdue += 1
        else:
            summary.in_progress += 1
    return summary


def build_period_report(session: Session, period: str, now: datetime, settings: Settings) -> PeriodReport:
    tz = ZoneInfo(settings.timezone)
    local_now = now.astimezone(tz).replace(tzinfo=None)
    start, end, label = reportable_period(period, local_now.date())
    figures = with_late_lists(session, period_figures(session, start, end, local_now))
    units = by_unit(session, start, end, local_now)
    fields = by_field(session, start, end, local_now)
    as_of = min(end, local_now.date())
    items = work_items(session, include_done=True)
    tasks = task_summary([i for i in items if i.task.origin != "ubnd"], start, end, as_of)
    provincial = task_summary([i for i in items if i.task.origin == "ubnd"], start, end, as_of)
    evidence = [
        f"{e.file_name} ({e.at.astimezone(tz):%d/%m/%Y})"
        for e in session.scalars(select(Evidence).order_by(Evidence.at))
        if start <= e.at.astimezone(tz).date() <= end
    ]
    # The estimate as it stood at the end of the period (or now, if sooner),
    # so a six-month report does not cite later dossiers.
    period_end = datetime.combine(end, datetime.max.time(), tz)
    estimate = current_estimate(session, min(now, period_end), settings)
    procedures = procedure_figures(session, start, end)
    org = default_org()
    data = ReportData(
        period_label=label, figures=figures, org_name=org.name, parent_name=org.parent_name, place=org.place,
        tasks=tasks, provincial_tasks=provincial,
        initiatives_count=None, index_estimate_lines=estimate_summary_vi(estimate, top=5), evidence=evidence,
        by_field=fields, procedures_online=procedures.online, procedures_total=procedures.total,
        report_date=local_now.date(), procedure_figures=procedures,
    )
    return PeriodReport(start, end, label, figures, units, fields, data, estimate)
