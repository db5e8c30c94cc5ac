"""Dossier questions, answered with the provincial systems' own rules.

"hồ sơ trễ hạn tháng này" gets two numbers and their lists: resolved late
during the period, and still open past the appointment date (at the end of
the period, or now if sooner), each marked when carried over from before.
Every number comes from handlers.dossiers.figures (SQL aggregates) and every
list is read one page at a time, so an answer costs the same few queries at
two thousand dossiers or a million.
"""

from __future__ import annotations

from datetime import date

from handlers.answers.scope import Scope
from handlers.answers.wording import heading, nothing_found
from handlers.core.context import Ctx
from handlers.display.format import calendar, short
from handlers.core.messages import Reply
from handlers.core.paging import paged_reply
from handlers.dossiers.figures import (
    DossierRow,
    by_unit,
    PeriodFigures,
    due_soon_dossiers,
    late_dossiers,
    period_figures,
    procedure_figures,
    report_lines_vi,
    waiting_dossiers,
)
from handlers.query import Query
from handlers.text.fold import fold
from handlers.text.i18n import _, fmt_date, fmt_number, ngettext


def _i(n: int) -> str:
    """A count in the asker's language (Babel)."""
    return fmt_number(n, 0)


def default_period(ctx: Ctx, query: Query) -> tuple[date, date]:
    """Dossier figures are per period; without one, this month (counted up to now)."""
    if query.period:
        return query.period
    import calendar as month_calendar

    today = ctx.today
    return today.replace(day=1), today.replace(day=month_calendar.monthrange(today.year, today.month)[1])


def _codes(scope: Scope):
    codes = scope.unit_codes
    return None if codes is None else sorted(codes)


def answer_dossiers(ctx: Ctx, query: Query, scope: Scope, offset: int) -> Reply:
    period = default_period(ctx, query)
    if query.status == "due_soon":
        return _due_soon(ctx, query, scope, offset)
    # The codes of late dossiers without an apology are quoted only in the overview.
    fig = period_figures(ctx.session, period[0], period[1], ctx.today, _codes(scope),
                         sample_codes=query.status not in ("overdue", "received", "resolved", "on_time", "online"))
    handlers = {
        "overdue": _late, "received": _received, "resolved": _resolved, "on_time": _resolved, "online": _online,
    }
    if query.status is None:
        # Two lists the status words of the contract do not name.
        key = fold(ctx.msg.text or "")
        if "xin loi" in key:
            return _without_apology(ctx, scope, period, fig, offset)
        if "bo sung" in key:
            return _waiting(ctx, scope, period, fig, offset)
    return handlers.get(query.status or "", _overview)(ctx, scope, period, fig, offset)


def _without_apology(ctx, scope, period, fig: PeriodFigures, offset) -> Reply:
    """'hồ sơ chưa có phiếu xin lỗi': late dossiers with no apology issued in time."""
    what = _("Late dossiers without an apology letter issued in time")
    if not fig.late_without_apology:
        return Reply(nothing_found(what, scope, period))
    rows = late_dossiers(ctx.session, period[0], period[1], ctx.today, _codes(scope), fig.late_without_apology,
                         without_apology=True)
    header = f"*{heading(what, scope, period)}*: {_i(len(rows))}"
    return paged_reply(header, rows, lambda n, r: _row_line(n, r, show_unit=scope.unit is None), offset,
                       lambda nxt: f"more:q:{nxt}", footer=_("For each late dossier, send the citizen an apology letter with a new appointment date (Mẫu 04)."))


def _waiting(ctx, scope, period, fig: PeriodFigures, offset) -> Reply:
    """'hồ sơ đang chờ bổ sung': paused dossiers (supplements, fees)."""
    what = _("Dossiers waiting for supplements")
    if not fig.waiting_supplement:
        return Reply(nothing_found(what, scope, None))
    rows = waiting_dossiers(ctx.session, period[0], period[1], ctx.today, _codes(scope), fig.waiting_supplement)
    header = f"*{heading(what, scope, None)}*: {_i(len(rows))}"

    def line(n: int, r: DossierRow) -> str:
        unit = f"{r.unit} · " if scope.unit is None and r.unit else ""
        return f"{n}. {r.code} — {short(r.procedure or '', 60)}\n   {unit}" + _("received {date}").format(
            date=fmt_date(r.received_on))

    return paged_reply(header, rows, line, offset, lambda nxt: f"more:q:{nxt}")


def _late(ctx, scope, period, fig: PeriodFigures, offset) -> Reply:
    what = _("Late dossiers")
    if not fig.late and not fig.in_progress_past_due:
        return Reply(nothing_found(what, scope, period))
    lines = [
        f"*{heading(what, scope, period)}*",
        _("Resolved late in the period: {n}{carried}.").format(n=_i(fig.late), carried=_carried(fig.late_carried_over)),
        _("Still open past the appointment date (as of {date}): {n}{carried}.").format(
            date=fmt_date(fig.as_of), n=_i(fig.in_progress_past_due), carried=_carried(fig.past_due_carried_over)),
    ]
    if fig.late_without_apology:
        lines.append(_("Without an apology letter issued in time: {n}.").format(n=_i(fig.late_without_apology)))
    if not scope.detail:
        if scope.unit is None:  # the whole Department for a head: totals per unit
            groups = by_unit(ctx.session, period[0], period[1], ctx.today, _codes(scope))
            lines += _unit_totals({code: f.late + f.in_progress_past_due for code, f in groups.items()})
        return Reply("\n".join(lines))
    rows = late_dossiers(ctx.session, period[0], period[1], ctx.today, _codes(scope),
                         fig.late + fig.in_progress_past_due)
    return paged_reply("\n".join(lines), rows, lambda n, r: _row_line(n, r, show_unit=scope.unit is None), offset,
                       lambda nxt: f"more:q:{nxt}", footer=_("For each late dossier, send the citizen an apology letter with a new appointment date (Mẫu 04)."))


def _carried(n: int) -> str:
    return _(", of which {n} carried over from earlier periods").format(n=_i(n)) if n else ""


def _row_line(n: int, r: DossierRow, show_unit: bool) -> str:
    meta = []
    if show_unit and r.unit:
        meta.append(r.unit)
    meta.append(_("appointment {date}").format(date=fmt_date(r.due_on)))
    meta.append(ngettext("{n} working day late", "{n} working days late", r.working_days_late).format(
        n=r.working_days_late))
    meta.append(_("not yet resolved") if r.open else _("resolved {date}").format(date=fmt_date(r.closed_on)))
    if r.carried_over:
        meta.append(_("carried over"))
    return f"{n}. {r.code} — {short(r.procedure or '', 60)}\n   " + " · ".join(meta)


def _due_soon(ctx, query, scope, offset) -> Reply:
    today = ctx.today
    end = query.period[1] if query.period else calendar().add_working_days(today, ctx.settings.due_soon_days)
    start = query.period[0] if query.period else today
    soon = due_soon_dossiers(ctx.session, start, end, today, _codes(scope))
    what = _("Dossiers due soon")
    if not soon:
        return Reply(nothing_found(what, scope, (start, end)))
    cal = calendar()

    def line(n: int, r: DossierRow) -> str:
        left = cal.working_days_between(today, r.due_on)
        unit = f"{r.unit} · " if scope.unit is None and r.unit else ""
        due = _("appointment {date}").format(date=fmt_date(r.due_on))
        return f"{n}. {r.code} — {short(r.procedure or '', 60)}\n   {unit}{due} · " + (
            _("due today") if left == 0 else ngettext("{n} working day left", "{n} working days left", left).format(n=left))

    header = f"*{heading(what, scope, (start, end))}*: {_i(len(soon))}"
    if not scope.detail:
        return Reply("\n".join([header] + (_per_unit([r.unit for r in soon]) if scope.unit is None else [])))
    return paged_reply(header, soon, line, offset, lambda nxt: f"more:q:{nxt}")


def _received(ctx, scope, period, fig, offset) -> Reply:
    what = _("Dossiers received")
    if not fig.received_total:
        return Reply(nothing_found(what, scope, period))
    return Reply("\n".join([
        f"*{heading(what, scope, period)}*: {_i(fig.received_in_period)}",
        _("Online: {online} · direct: {direct} · public postal service: {postal}.").format(
            online=_i(fig.received_online), direct=_i(fig.received_direct), postal=_i(fig.received_postal)),
        _("Carried over from earlier periods and still open at its start: {n}.").format(n=_i(fig.received_carried_over)),
    ]))


def _resolved(ctx, scope, period, fig, offset) -> Reply:
    what = _("Dossiers resolved")
    if not fig.resolved_total:
        return Reply(nothing_found(what, scope, period))
    rate = fig.on_time_rate
    lines = [
        f"*{heading(what, scope, period)}*: {_i(fig.resolved_total)}",
        _("Early: {early} · on time: {on_time} · late: {late}.").format(
            early=_i(fig.early), on_time=_i(fig.on_time), late=_i(fig.late)),
        _("Early or on time: {rate}%.").format(rate=fmt_number(rate) if rate is not None else "—"),
    ]
    if fig.returned_or_withdrawn:
        lines.append(_("Withdrawn or returned without a result (not counted as resolved): {n}.").format(
            n=_i(fig.returned_or_withdrawn)))
    return Reply("\n".join(lines))


def _online(ctx, scope, period, fig, offset) -> Reply:
    what = _("Online dossiers")
    if not fig.received_in_period:
        return Reply(nothing_found(what, scope, period))
    share = fig.online_share or 0.0
    lines = [
        f"*{heading(what, scope, period)}*: {_i(fig.received_online)}/{_i(fig.received_in_period)}",
        _("Online share of dossiers received: {share}%.").format(share=fmt_number(share)),
    ]
    if scope.unit is None and not scope.supervised:
        procs = procedure_figures(ctx.session, period[0], period[1])
        if procs.online:
            lines.append(_("Procedures with online public service: {n} (end-to-end: {full}, partial: {partial}).").format(
                n=_i(procs.online), full=_i(procs.online_full), partial=_i(procs.online_partial)))
        if procs.online_without_dossiers:
            names = "; ".join(short(n, 60) for n in procs.online_without_dossiers[:3])
            more = len(procs.online_without_dossiers) - 3
            lines.append(_("Offered online but no online dossier in the period: {n} ({names}{more}).").format(
                n=_i(len(procs.online_without_dossiers)), names=names,
                more=_(" and {n} more").format(n=_i(more)) if more > 0 else ""))
    return Reply("\n".join(lines))


def _overview(ctx, scope, period, fig, offset) -> Reply:
    title = heading(_("Dossier figures"), scope, period)
    lines = [f"*{title}*"]
    lines += report_lines_vi(fig)
    return Reply("\n".join(lines))


def _per_unit(units: list[str | None]) -> list[str]:
    """"• TDC: 4" per unit, most first (what a head sees of the whole Department)."""
    counts: dict[str, int] = {}
    for unit in units:
        counts[unit or "—"] = counts.get(unit or "—", 0) + 1
    return _unit_totals(counts)


def _unit_totals(counts: dict[str | None, int]) -> list[str]:
    shown = {code or "—": n for code, n in counts.items() if n}
    return [f"• {code}: {_i(n)}" for code, n in sorted(shown.items(), key=lambda kv: (-kv[1], kv[0]))]
