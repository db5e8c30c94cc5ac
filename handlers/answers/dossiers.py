"""Dossier questions, answered with the provincial systems' own rules.

"hồ sơ trễ hạn tháng này" gets two numbers and their lists: resolved late
during the period, and still open past the appointment date (at the end of
the period, or now if sooner), each marked when carried over from before.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from handlers.answers.scope import Scope
from handlers.answers.wording import heading, nothing_found
from handlers.core.context import Ctx
from handlers.dossiers.records import records_for_period
from handlers.dossiers.figures import DossierRecord, PeriodFigures, closed_on, judged_due, period_figures, report_lines_vi
from handlers.display.format import calendar, short
from handlers.text.fold import fold
from handlers.text.i18n import _, fmt_date, fmt_number, ngettext
from handlers.core.messages import Reply
from handlers.core.paging import paged_reply
from handlers.query import Query


@dataclass(frozen=True)
class Row:
    record: DossierRecord
    open: bool
    carried_over: bool
    working_days_late: int


def default_period(ctx: Ctx, query: Query) -> tuple[date, date]:
    """Dossier figures are per period; without one, this month (counted up to now)."""
    if query.period:
        return query.period
    import calendar as month_calendar

    today = ctx.today
    return today.replace(day=1), today.replace(day=month_calendar.monthrange(today.year, today.month)[1])


def _figures(ctx: Ctx, scope: Scope, period: tuple[date, date]) -> tuple[PeriodFigures, list[DossierRecord]]:
    records = records_for_period(ctx.session, period[0], period[1], ctx.tz)
    codes = scope.unit_codes
    if codes is not None:
        records = [r for r in records if r.unit in codes]
    return period_figures(records, period[0], period[1], ctx.now.astimezone(ctx.tz).replace(tzinfo=None)), records


def answer_dossiers(ctx: Ctx, query: Query, scope: Scope, offset: int) -> Reply:
    period = default_period(ctx, query)
    fig, records = _figures(ctx, scope, period)
    handlers = {
        "overdue": _late, "due_soon": _due_soon, "received": _received, "resolved": _resolved,
        "on_time": _resolved, "online": _online,
    }
    if query.status is None:
        # Two lists the status words of the contract do not name.
        key = fold(ctx.msg.text or "")
        if "xin loi" in key:
            return _without_apology(ctx, query, scope, period, fig, records, offset)
        if "bo sung" in key:
            return _waiting(ctx, query, scope, period, fig, records, offset)
    return handlers.get(query.status or "", _overview)(ctx, query, scope, period, fig, records, offset)


def _without_apology(ctx, query, scope, period, fig: PeriodFigures, records, offset) -> Reply:
    """'hồ sơ chưa có phiếu xin lỗi': late dossiers with no apology issued in time."""
    what = _("Late dossiers without an apology letter issued in time")
    late = {d.code: d for d in fig.late_resolved + fig.late_open}
    rows = [late[c] for c in fig.late_without_apology if c in late]
    if not rows:
        return Reply(nothing_found(what, scope, period))
    cal = calendar()
    items = [Row(d.record, d in fig.late_open, d.carried_over,
                 cal.working_days_between(judged_due(d.record), closed_on(d.record) or fig.as_of)) for d in rows]
    header = f"*{heading(what, scope, period)}*: {len(items)}"
    return paged_reply(header, items, lambda n, r: _row_line(n, r, show_unit=scope.unit is None), offset,
                       lambda nxt: f"more:q:{nxt}",
                       footer=_("For each late dossier, send the citizen an apology letter with a new appointment date (Mẫu 04)."))


def _waiting(ctx, query, scope, period, fig, records, offset) -> Reply:
    """'hồ sơ đang chờ bổ sung': paused dossiers (supplements, fees)."""
    what = _("Dossiers waiting for supplements")
    rows = sorted((r for r in records if r.status in (5, 6) and closed_on(r) is None), key=lambda r: r.received_at)
    if not rows:
        return Reply(nothing_found(what, scope, None))
    header = f"*{heading(what, scope, None)}*: {len(rows)}"

    def line(n: int, r: DossierRecord) -> str:
        unit = f"{r.unit} · " if scope.unit is None and r.unit else ""
        return f"{n}. {r.code} — {short(r.procedure or '', 60)}\n   {unit}" + _("received {date}").format(
            date=fmt_date(r.received_at))

    return paged_reply(header, rows, line, offset, lambda nxt: f"more:q:{nxt}")


def _late(ctx, query, scope, period, fig: PeriodFigures, records, offset) -> Reply:
    what = _("Late dossiers")
    if not fig.late_resolved and not fig.late_open:
        return Reply(nothing_found(what, scope, period))
    cal = calendar()
    as_of = fig.as_of
    rows = [Row(d.record, True, d.carried_over, cal.working_days_between(judged_due(d.record), as_of))
            for d in fig.late_open]
    rows += [Row(d.record, False, d.carried_over, cal.working_days_between(judged_due(d.record), closed_on(d.record)))
             for d in fig.late_resolved]
    rows.sort(key=lambda r: (not r.open, -r.working_days_late))
    lines = [
        f"*{heading(what, scope, period)}*",
        _("Resolved late in the period: {n}{carried}.").format(n=len(fig.late_resolved), carried=_carried(fig.late_resolved)),
        _("Still open past the appointment date (as of {date}): {n}{carried}.").format(
            date=fmt_date(as_of), n=len(fig.late_open), carried=_carried(fig.late_open)),
    ]
    if fig.late_without_apology:
        lines.append(_("Without an apology letter issued in time: {n}.").format(n=len(fig.late_without_apology)))
    if not scope.detail:
        if scope.unit is None:  # the whole Department for a head: totals per unit
            lines += _per_unit([r.record.unit for r in rows])
        return Reply("\n".join(lines))
    return paged_reply("\n".join(lines), rows, lambda n, r: _row_line(n, r, show_unit=scope.unit is None), offset,
                       lambda nxt: f"more:q:{nxt}",
                       footer=_("For each late dossier, send the citizen an apology letter with a new appointment date (Mẫu 04)."))


def _carried(items) -> str:
    carried = sum(1 for d in items if d.carried_over)
    return _(", of which {n} carried over from earlier periods").format(n=carried) if carried else ""


def _row_line(n: int, row: Row, show_unit: bool) -> str:
    r = row.record
    meta = []
    if show_unit and r.unit:
        meta.append(r.unit)
    meta.append(_("appointment {date}").format(date=fmt_date(judged_due(r))))
    meta.append(ngettext("{n} working day late", "{n} working days late", row.working_days_late).format(n=row.working_days_late))
    meta.append(_("not yet resolved") if row.open else _("resolved {date}").format(date=fmt_date(closed_on(r))))
    if row.carried_over:
        meta.append(_("carried over"))
    return f"{n}. {r.code} — {short(r.procedure or '', 60)}\n   " + " · ".join(meta)


def _due_soon(ctx, query, scope, period, fig, records, offset) -> Reply:
    today = ctx.today
    end = query.period[1] if query.period else calendar().add_working_days(today, ctx.settings.due_soon_days)
    start = query.period[0] if query.period else today
    soon = sorted((r for r in records if closed_on(r) is None and r.status not in (5, 6, 8)
                   and judged_due(r) and start <= judged_due(r) <= end and judged_due(r) >= today),
                  key=lambda r: (judged_due(r), r.code))
    what = _("Dossiers due soon")
    if not soon:
        return Reply(nothing_found(what, scope, (start, end)))
    cal = calendar()

    def line(n: int, r: DossierRecord) -> str:
        left = cal.working_days_between(today, judged_due(r))
        unit = f"{r.unit} · " if scope.unit is None and r.unit else ""
        due = _("appointment {date}").format(date=fmt_date(judged_due(r)))
        return f"{n}. {r.code} — {short(r.procedure or '', 60)}\n   {unit}{due} · " + (
            _("due today") if left == 0 else ngettext("{n} working day left", "{n} working days left", left).format(n=left))

    header = f"*{heading(what, scope, (start, end))}*: {len(soon)}"
    if not scope.detail:
        return Reply("\n".join([header] + (_per_unit([r.unit for r in soon]) if scope.unit is None else [])))
    return paged_reply(header, soon, line, offset, lambda nxt: f"more:q:{nxt}")


def _received(ctx, query, scope, period, fig, records, offset) -> Reply:
    what = _("Dossiers received")
    if not fig.received_in_period:
        return Reply(nothing_found(what, scope, period))
    return Reply("\n".join([
        f"*{heading(what, scope, period)}*: {fig.received_in_period}",
        _("Online: {online} · direct: {direct} · public postal service: {postal}.").format(
            online=fig.received_online, direct=fig.received_direct, postal=fig.received_postal),
        _("Carried over from earlier periods and still open at its start: {n}.").format(n=fig.received_carried_over),
    ]))


def _resolved(ctx, query, scope, period, fig, records, offset) -> Reply:
    what = _("Dossiers resolved")
    if not fig.resolved_total:
        return Reply(nothing_found(what, scope, period))
    rate = fig.on_time_rate
    return Reply("\n".join([
        f"*{heading(what, scope, period)}*: {fig.resolved_total}",
        _("Early: {early} · on time: {on_time} · late: {late}.").format(early=fig.early, on_time=fig.on_time, late=fig.late),
        _("Early or on time: {rate}%.").format(rate=fmt_number(rate) if rate is not None else "—"),
    ]))


def _online(ctx, query, scope, period, fig, records, offset) -> Reply:
    what = _("Online dossiers")
    if not fig.received_in_period:
        return Reply(nothing_found(what, scope, period))
    share = fig.online_share or 0.0
    return Reply("\n".join([
        f"*{heading(what, scope, period)}*: {fig.received_online}/{fig.received_in_period}",
        _("Online share of dossiers received: {share}%.").format(share=fmt_number(share)),
    ]))


def _overview(ctx, query, scope, period, fig, records, offset) -> Reply:
    title = heading(_("Dossier figures"), scope, period)
    lines = [f"*{title}*"]
    lines += report_lines_vi(fig)
    return Reply("\n".join(lines))


def _per_unit(units: list[str | None]) -> list[str]:
    """"• TDC: 4" per unit, most first (what a head sees of the whole Department)."""
    counts: dict[str, int] = {}
    for unit in units:
        counts[unit or "—"] = counts.get(unit or "—", 0) + 1
    return [f"• {code}: {n}" for code, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
