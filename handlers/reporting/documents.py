"""Documents on request in chat: the PAR report draft, the dossier statistics
and the task list, sent back as files — the same builders as the CLI.

The office and the leaders ask in their own words ("báo cáo CCHC 6 tháng đầu
năm 2026", "xuất thống kê hồ sơ tháng 10", "xuất danh sách nhiệm vụ") or press
"📄 Tải báo cáo" under a period's figures. Telegram carries the file; on a
channel that cannot (Zalo), they get the one-line summary and where to find
the file instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from handlers.core.context import Ctx
from handlers.core.messages import Attachment, Button, Reply
from handlers.query.periods import find_period
from handlers.text.fold import fold
from handlers.text.i18n import _, fmt_date, fmt_number

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHANNELS_WITHOUT_FILES = ("zalo",)

_EXPORT = r"(xuat|tai|gui|lay|file|tep|excel|xlsx|docx|word)"
_REPORT = re.compile(rf"^(?:{_EXPORT}\s+)*(?:du thao\s+)?bao cao (?:cchc|cai cach hanh chinh|dinh ky)\b")
_STATS = re.compile(rf"\b{_EXPORT}\b.*\b(thong ke|so lieu)\b.*\b(ho so|tthc|thu tuc)\b")
_TASKS = re.compile(rf"\b{_EXPORT}\b.*\b(danh sach|ds)\s+(nhiem vu|viec)\b")


@dataclass(frozen=True)
class DocumentRequest:
    kind: str  # "report" | "stats" | "tasks"
    period: str | None  # "2026-H1", "2026-Q3", "2026-10", "2026"


def read_request(text: str, today: date) -> DocumentRequest | None:
    """Which document the text asks for, and for which period (None: not a document request)."""
    key = fold(text).strip(" .!?")
    if _TASKS.search(key):
        return DocumentRequest("tasks", None)
    kind = "report" if _REPORT.search(key) else "stats" if _STATS.search(key) else None
    if kind is None:
        return None
    found = find_period(key, _noon(today))
    return DocumentRequest(kind, period_code(*found.period) if found else None)


def _noon(day: date):
    from datetime import datetime, time

    return datetime.combine(day, time(12))


def period_code(start: date, end: date) -> str | None:
    """(1/1/2026, 30/6/2026) → "2026-H1"; a quarter, a month or a year likewise; else None."""
    if start.year != end.year or start.day != 1:
        return None
    year, months = start.year, (start.month, end.month)
    nxt = date(year + (end.month == 12), end.month % 12 + 1, 1)
    if (nxt - end).days != 1:
        return None  # the period must end on a month's last day
    if months == (1, 12):
        return str(year)
    if months in ((1, 6), (7, 12)):
        return f"{year}-H{1 if start.month == 1 else 2}"
    if end.month - start.month == 2 and start.month % 3 == 1:
        return f"{year}-Q{(start.month + 2) // 3}"
    if start.month == end.month:
        return f"{year}-{start.month:02d}"
    return None


def may_have_documents(ctx: Ctx) -> bool:
    return ctx.person is not None and ctx.person.can_manage_all


def on_text(ctx: Ctx) -> Reply | None:
    """Free text asking for a document; anything else is left to the next handler."""
    request = read_request(ctx.msg.text or "", ctx.today)
    if request is None:
        return None
    if not may_have_documents(ctx):
        return Reply(_("Reports and exports are prepared for the Department's leadership and the Department Office. Type /viec to see your unit's tasks."))
    if request.kind != "tasks" and request.period is None:
        return Reply(_("For which period? For example: \"báo cáo CCHC 6 tháng đầu năm 2026\", \"xuất thống kê hồ sơ quý 3\" or \"… tháng 10\"."))
    return send_document(ctx, request)


def on_button(ctx: Ctx, arg: str) -> Reply:
    """Button ``doc:<kind>:<period>`` under a period's figures."""
    kind, _sep, period = arg.partition(":")
    if kind not in ("report", "stats", "tasks"):
        return Reply(_("This button is no longer valid. Please start again."))
    return send_document(ctx, DocumentRequest(kind, period or None))


def download_buttons(period: str | None) -> list[list[Button]]:
    """"📄 Báo cáo (.docx)" and "📊 Số liệu (.xlsx)" for a period, when it has a code."""
    if period is None:
        return []
    return [[Button(_("📄 Report (.docx)"), f"doc:report:{period}"), Button(_("📊 Figures (.xlsx)"), f"doc:stats:{period}")]]


def send_document(ctx: Ctx, request: DocumentRequest) -> Reply:
    """Build the file with the CLI's builders and answer with it and a one-line summary."""
    if request.kind == "tasks":
        summary, attachment = _task_list(ctx)
    else:
        built = _period(ctx, request.period or "")
        if isinstance(built, Reply):
            return built
        summary, attachment = _report(built) if request.kind == "report" else _stats(built)
    ctx.audit("document", f"{request.kind} {request.period or ''}".strip())
    if ctx.msg.channel in CHANNELS_WITHOUT_FILES:
        return Reply(summary + "\n" + _("This messenger cannot carry files: please ask for it on Telegram, or ask the Department Office to send it by e-mail."))
    return Reply(summary, attachment=attachment)


def _period(ctx: Ctx, period: str):
    from handlers.reporting.period_data import build_period_report, parse_period

    try:
        start, _end, label = parse_period(period)
    except ValueError:
        return Reply(_("I could not read the period. For example: \"báo cáo CCHC 6 tháng đầu năm 2026\"."))
    if start > ctx.today:
        return Reply(_("The period {label} has not started yet, so there are no figures for it.").format(label=label))
    return build_period_report(ctx.session, period, ctx.now, ctx.settings)


def _report(built) -> tuple[str, Attachment]:
    from handlers.reporting import write_report_docx

    data = write_report_docx(built.data)
    summary = _("Draft PAR report, {label}: {received} dossiers received, {resolved} resolved. Please check it before signing.").format(
        label=built.label, received=fmt_number(built.figures.received_total, 0), resolved=fmt_number(built.figures.resolved_total, 0))
    return summary, Attachment(f"bao-cao-cchc-{_slug(built.label)}.docx", DOCX, data, len(data))


def _stats(built) -> tuple[str, Attachment]:
    from handlers.reporting import write_stats_xlsx

    data = write_stats_xlsx(built.figures, built.by_unit, built.by_field, built.label)
    summary = _("Dossier statistics, {label}: {received} received, {resolved} resolved.").format(
        label=built.label, received=fmt_number(built.figures.received_total, 0), resolved=fmt_number(built.figures.resolved_total, 0))
    return summary, Attachment(f"so-lieu-tthc-{_slug(built.label)}.xlsx", XLSX, data, len(data))


def task_list_xlsx(session) -> tuple[int, bytes]:
    """The office's task list workbook (one row per task; recurring tasks once): (rows, bytes).
    The chat and ``main.py export-tasks`` both send this."""
    from handlers.tasks.importers import write_task_sheet
    from handlers.tasks.store import export_rows

    rows = export_rows(session)
    return len(rows), write_task_sheet(rows, "DANH SÁCH NHIỆM VỤ")


def _task_list(ctx: Ctx) -> tuple[str, Attachment]:
    n, data = task_list_xlsx(ctx.session)
    summary = _("Task list: {n} tasks, as of {date}.").format(n=fmt_number(n, 0), date=fmt_date(ctx.today))
    return summary, Attachment(f"nhiem-vu-{ctx.today.isoformat()}.xlsx", XLSX, data, len(data))


def _slug(label: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(label)).strip("-")
