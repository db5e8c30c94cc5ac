"""Dossier alerts: one working day left, and late without an apology letter.

Called from the planner tick on working days. The responsible unit's head
is told once when a dossier has one working day left before its appointment
date (ngày hẹn trả); when the appointment date has passed and no apology
letter was recorded, the head is told every working day what the rules
require (Thông tư 01/2018/TT-VPCP, Mẫu 04: "Phiếu xin lỗi và hẹn lại ngày trả
kết quả" with a new appointment date) until someone presses "Đã gửi phiếu
xin lỗi". Outbox keys make each alert once per day at most.

Paused dossiers (5 waiting for supplements, 6 waiting for fees, 8 stopped)
get neither alert: their appointment date moves by the waiting time, so
they are neither late nor "due tomorrow"; an alert planned before the pause
is withdrawn.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from handlers.core.context import Ctx
from handlers.display.format import short
from handlers.text.i18n import _, fmt_date, ngettext, use_locale
from handlers.core.messages import Button, Reply
from handlers.core.outbox import cancel_pending, existing_keys, notification_row, reply_payload
from handlers.people.recipients import CHANGERS, Directory
from models.dossiers import Dossier
from models.outbox import Notification, OutboxStatus

if TYPE_CHECKING:
    from handlers.worktime.calendar import WorkCalendar

CLOSED = (3, 7, 9, 10)
PAUSED = Dossier.PAUSED  # 5, 6, 8
LOOKAHEAD_DAYS = 10  # calendar days: enough to contain "one working day left" after any holiday


def _due_date(d: Dossier, cal: WorkCalendar) -> date | None:
    """The appointment date the dossier is judged against (the original one)."""
    due = d.original_due_at or d.due_at
    return cal.to_local(due).date() if due else None


def dossier_alert_rows(session: Session, now: datetime, cal: WorkCalendar, people: Directory) -> list[dict]:
    """Outbox rows for the alerts due today that are not in the outbox yet."""
    today = cal.to_local(now).date()
    if not cal.is_working_day(today):
        return []
    horizon = cal.at(today + timedelta(days=LOOKAHEAD_DAYS), cal.windows[0][0])
    withdraw_paused_alerts(session)
    dossiers = session.scalars(
        select(Dossier).where(Dossier.status.not_in((*CLOSED, *PAUSED)), Dossier.due_at.is_not(None),
                              Dossier.due_at < horizon)
        .options(selectinload(Dossier.unit))
    )
    wanted = []
    for d in dossiers:
        due = _due_date(d, cal)
        if due is None:
            continue
        if due < today and d.apology_at is None:
            kind, key = "late", f"dosl:{d.code}:{today.isoformat()}"
        elif due > today and cal.working_days_between(today, due) == 1:
            kind, key = "soon", f"dos1:{d.code}:{due.isoformat()}"
        else:
            continue
        for person in people.unit_heads(d.unit_id) or people.office:
            wanted.append((f"{key}:p{person.id}", d, due, kind, person))
    known = existing_keys(session, [w[0] for w in wanted])
    rows = []
    send_at = cal.next_window(now)
    for key, d, due, kind, person in wanted:
        if key in known:
            continue
        with use_locale(person.locale):
            reply = late_message(d, due, today, cal) if kind == "late" else soon_message(d, due)
        rows.append(notification_row(key, person.id, "dossier_alert", reply_payload(reply, late=kind == "late"),
                                     send_at, subject_ref=f"dossier:{d.id}"))
    return rows


def withdraw_paused_alerts(session: Session) -> int:
    """Cancel alerts not yet sent about dossiers that have been paused since."""
    pending = session.scalars(select(Notification.subject_ref).where(
        Notification.kind == "dossier_alert", Notification.status == OutboxStatus.PENDING)).all()
    ids = {int(ref.split(":", 1)[1]) for ref in pending if ref and ref.startswith("dossier:") and ref[8:].isdigit()}
    if not ids:
        return 0
    paused = session.scalars(select(Dossier.id).where(Dossier.id.in_(ids), Dossier.status.in_(PAUSED))).all()
    return sum(cancel_pending(session, f"dossier:{i}", kinds=("dossier_alert",)) for i in paused)


def soon_message(d: Dossier, due: date) -> Reply:
    return Reply("\n".join([
        _("⏰ *Dossier due tomorrow*: {code}").format(code=d.code),
        short(d.procedure_name or "", 150),
        _("Appointment date: {date} (1 working day left). Please make sure the result is returned on time.").format(
            date=fmt_date(due, weekday=True)),
    ]))


def late_message(d: Dossier, due: date, today: date, cal: WorkCalendar) -> Reply:
    late = max(cal.working_days_between(due, today), 1)
    lines = [
        _("⚠️ *Late dossier*: {code}").format(code=d.code),
        short(d.procedure_name or "", 150),
        _("Appointment date: {date}").format(date=fmt_date(due, weekday=True)) + " — "
        + ngettext("{n} working day late", "{n} working days late", late).format(n=late),
        _("Required: send the citizen the \"Phiếu xin lỗi và hẹn lại ngày trả kết quả\" (Mẫu 04) with a new appointment date, then press the button below."),
    ]
    return Reply("\n".join(lines), buttons=[[Button(_("Apology letter sent"), f"apo:{d.id}")]])


def on_apology_sent(ctx: Ctx, arg: str) -> Reply:
    """Button ``apo:<dossier id>``: record the apology letter; the daily alert stops."""
    d = ctx.session.get(Dossier, int(arg)) if arg.isdigit() else None
    if d is None:
        return Reply(_("This dossier no longer exists."))
    person = ctx.person
    allowed = person.can_manage_all or (person.unit_id == d.unit_id and person.role in CHANGERS)
    if not allowed:
        ctx.audit("apology_refused", d.code)
        unit = d.unit.name if d.unit else _("the responsible unit")
        return Reply(_("Only the leadership of {unit} or the Department Office can record this.").format(unit=unit)
                     + "\n" + _("Please tell them once the apology letter has been sent."))
    if d.apology_at is not None:
        return Reply(_("The apology letter for dossier {code} was already recorded on {date}.").format(
            code=d.code, date=fmt_date(d.apology_at.astimezone(ctx.tz))))
    d.apology_at = ctx.now
    cancel_pending(ctx.session, f"dossier:{d.id}", kinds=("dossier_alert",))
    ctx.audit("apology_sent", d.code)
    return Reply(_("Recorded: the apology letter for dossier {code} was sent. Please also enter the new appointment date in the dossier system.").format(code=d.code))
