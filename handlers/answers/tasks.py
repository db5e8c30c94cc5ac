"""Task questions: "việc quá hạn của Chi cục", "nhiệm vụ sắp đến hạn", …"""

from __future__ import annotations

from datetime import date

from handlers.answers.scope import Scope
from handlers.core.context import Ctx
from handlers.display.format import calendar, work_item_line
from handlers.text.i18n import _
from handlers.answers.wording import heading, nothing_found
from handlers.core.messages import Reply
from handlers.core.paging import paged_reply
from handlers.query import Query
from models.queries import WorkItem, by_urgency, work_items
from models.tasks import TaskStatus


def _in_period(d: date | None, period: tuple[date, date] | None) -> bool:
    return period is None or (d is not None and period[0] <= d <= period[1])


def select_items(ctx: Ctx, query: Query, scope: Scope) -> list[WorkItem]:
    """Apply the status words as the issue defines them for tasks."""
    today = ctx.today
    include_done = query.status == "done"
    items = work_items(ctx.session, unit_id=scope.unit.id if scope.unit else None, include_done=include_done,
                       today=ctx.today)
    if scope.supervised:
        codes = scope.unit_codes or set()
        items = [i for i in items if i.task.lead_unit is not None and i.task.lead_unit.code in codes]
    if query.conclusion:
        items = [i for i in items if i.task.conclusion and i.task.conclusion.number_key == query.conclusion]
    status, period = query.status, query.period
    if status == "overdue" and _asks_done_late(ctx.msg.text or ""):
        return sorted((i for i in work_items(ctx.session, unit_id=scope.unit.id if scope.unit else None,
                                             include_done=True, today=ctx.today)
                       if i.status == TaskStatus.DONE and i.completed_on and i.original_deadline
                       and i.completed_on > i.original_deadline and _in_period(i.completed_on, period)),
                      key=lambda i: i.completed_on, reverse=True)
    if status == "overdue":
        items = [i for i in items if i.is_overdue(today) and _in_period(i.deadline, period)]
    elif status == "due_soon":
        if period is None:
            period = (today, calendar().add_working_days(today, ctx.settings.due_soon_days))
        items = [i for i in items if i.status == TaskStatus.OPEN and i.deadline and i.deadline >= today
                 and _in_period(i.deadline, period)]
    elif status == "done":
        items = [i for i in items if i.status == TaskStatus.DONE and _in_period(i.completed_on, period)]
    elif status == "in_progress":
        # "chưa xong / đang thực hiện": every open task, the overdue ones first
        # (reports split "chưa hoàn thành" into trong hạn and quá hạn).
        items = [i for i in items if i.status == TaskStatus.OPEN and (period is None or _in_period(i.deadline, period))]
    elif period is not None:
        items = [i for i in items if _in_period(i.deadline, period)]
    if status == "done":
        return sorted(items, key=lambda i: (i.completed_on or date.min), reverse=True)
    return by_urgency(items)


def _asks_done_late(text: str) -> bool:
    """'việc hoàn thành trễ hạn': done, but after the deadline (not 'chưa hoàn thành')."""
    from handlers.text.fold import fold

    key = fold(text)
    return ("hoan thanh" in key or "da xong" in key) and "chua" not in key.split()


def what_of(query: Query) -> str:
    kinds = {
        "overdue": _("Overdue tasks"),
        "due_soon": _("Tasks due soon"),
        "done": _("Completed tasks"),
        "in_progress": _("Tasks not yet completed"),
    }
    return kinds.get(query.status or "", _("Open tasks"))


def answer_tasks(ctx: Ctx, query: Query, scope: Scope, offset: int) -> Reply:
    items = select_items(ctx, query, scope)
    what = _("Tasks completed late") if query.status == "overdue" and _asks_done_late(ctx.msg.text or "") else what_of(query)
    extra = _("conclusion {number}").format(number=query.conclusion) if query.conclusion else None
    if not items:
        return Reply(nothing_found(what, scope, query.period))
    header = f"*{heading(what, scope, query.period, extra)}*: {len(items)}"
    overdue = sum(1 for i in items if i.is_overdue(ctx.today))
    if overdue and query.status not in ("overdue", "done"):
        header += " · " + _("{n} overdue").format(n=overdue)
    if not scope.detail:
        lines = [header]
        if scope.unit is None:  # the whole Department for a head: totals per lead unit
            lines += per_unit_totals(items, ctx.today)
        lines.append(_("Details of another unit are shown to its own leaders, the Department leadership and the Office."))
        return Reply("\n".join(lines))
    return paged_reply(
        header, items,
        lambda n, i: work_item_line(n, i, ctx.today, show_unit=scope.unit is None,
                                    unit_id=scope.unit.id if scope.unit else None), offset,
        lambda nxt: f"more:q:{nxt}",
    )


def per_unit_totals(items: list[WorkItem], today: date) -> list[str]:
    """"• QLCN: 4 (1 overdue)" per lead unit, most first."""
    counts: dict[str, list[int]] = {}
    for item in items:
        code = item.task.lead_unit.code if item.task.lead_unit else "—"
        entry = counts.setdefault(code, [0, 0])
        entry[0] += 1
        entry[1] += item.is_overdue(today)
    lines = []
    for code, (n, late) in sorted(counts.items(), key=lambda kv: (-kv[1][0], kv[0])):
        line = f"• {code}: {n}"
        if late:
            line += " (" + _("{n} overdue").format(n=late) + ")"
        lines.append(line)
    return lines
