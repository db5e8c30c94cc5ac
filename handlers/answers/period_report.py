"""'báo cáo tháng 11', 'bao cao quy 3': the figures of a period in chat —
tasks due in it (the four-way split of government reports) and dossiers."""

from __future__ import annotations

import re

from handlers.answers.scope import Scope
from handlers.answers.wording import heading
from handlers.core.context import Ctx
from handlers.dossiers.figures import period_figures, report_lines_vi
from handlers.text.i18n import _
from handlers.core.messages import Reply
from handlers.query import Query, parse
from handlers.reporting.documents import download_buttons, period_code
from handlers.text.fold import fold
from models.queries import work_items

_REPORT = re.compile(r"^(bao cao|tong hop|so lieu)\b")


def period_asked(ctx: Ctx, text: str) -> Query | None:
    """A report request with a period the parser left unused (it is not a
    weekly digest): read the period as if the words were about dossiers."""
    key = fold(text)
    if not _REPORT.match(key) or "tuan" in key.split():
        return None
    query = parse(_REPORT.sub("ho so", key), ctx.now.replace(tzinfo=None))
    return query if query.period else None


def period_report(ctx: Ctx, query: Query, scope: Scope) -> Reply:
    from handlers.reporting.period_data import task_summary

    start, end = query.period
    today = ctx.today
    items = work_items(ctx.session, unit_id=scope.unit.id if scope.unit else None, include_done=True)
    tasks = task_summary(items, start, end, min(end, today))
    codes = scope.unit_codes
    figures = period_figures(ctx.session, start, end, today, None if codes is None else sorted(codes),
                             sample_codes=False)  # the chat report shows the first three lines only
    title = heading(_("Report"), scope, query.period)
    lines = [f"*{title}*",
             _("Tasks due in the period: {total} — done on time {on_time}, done late {late}, "
               "not done and overdue {overdue}, still within the deadline {open}.").format(
                 total=tasks.total, on_time=tasks.done_on_time, late=tasks.done_late, overdue=tasks.overdue,
                 open=tasks.in_progress)]
    lines += report_lines_vi(figures)[:3]
    if ctx.person is not None and ctx.person.can_manage_all:
        buttons = download_buttons(period_code(start, end))
        if buttons:
            lines.append(_("Press a button below to receive the full report or the figures as a file."))
        return Reply("\n".join(lines), buttons)
    lines.append(_("The Department Office can produce the full report (.docx) with the periodic report function."))
    return Reply("\n".join(lines))
