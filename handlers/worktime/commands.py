"""/ngaynghi: the office keeps the working calendar current from the chat.

The shipped table holds only announced days. When the government announces
a schedule (Tết bridge days, swapped days off, make-up Saturdays) the office
types it here; the rows live in the database and are merged over the table
by :func:`sync_office_days`, which the planner also calls on every tick, so
every process (bot, scheduler) sees the same calendar.

    /ngaynghi                                   the office's entries and unannounced periods
    /ngaynghi them 2027-02-05 Nghỉ bù Tết       a day off
    /ngaynghi lambu 2027-01-30 Làm bù Tết       a make-up working day
    /ngaynghi bo 2027-02-05                     remove the office's entry for that day
    /ngaynghi xacnhan 2027                      the year's schedule is announced in full
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from handlers.core.context import Ctx
from handlers.core.messages import Reply
from handlers.text.fold import fold
from handlers.text.i18n import _, fmt_date
from handlers.worktime.calendar import WorkCalendar, _parse_date, default_calendar
from models.calendar import OfficeDay
from models.org import Role

OFF, WORK, CONFIRMED = "off", "work", "confirmed"
_ADD_OFF = {"them", "nghi", "add", "off"}
_ADD_WORK = {"lambu", "lam", "bu", "work"}
_REMOVE = {"bo", "xoa", "remove", "del"}
_CONFIRM = {"xacnhan", "confirm"}


def sync_office_days(session: Session, cal: WorkCalendar | None = None) -> bool:
    """Merge the office's rows into ``cal`` (the application calendar by default);
    True when the calendar changed."""
    cal = cal or default_calendar()
    rows = list(session.execute(select(OfficeDay.day, OfficeDay.kind, OfficeDay.reason)))
    return cal.set_office_days(
        {d: r for d, k, r in rows if k == OFF},
        {d: r for d, k, r in rows if k == WORK},
        frozenset(d.year for d, k, _r in rows if k == CONFIRMED),
    )


def on_command(ctx: Ctx, args: str) -> Reply:
    args = args.strip()
    words = args.split(maxsplit=2)
    if len(words) >= 2 and fold(f"{words[0]} {words[1]}") in ("lam bu", "xac nhan"):  # "làm bù …", "xác nhận 2027"
        args = f"{words[0]}{words[1]} {words[2] if len(words) > 2 else ''}"
    parts = args.split(maxsplit=2)
    verb = fold(parts[0]).replace(" ", "") if parts else ""
    if not verb:
        sync_office_days(ctx.session)
        return _listing(ctx)
    if ctx.person is None or ctx.person.role != Role.ADMIN:
        return Reply(_("Only the Department Office changes the working calendar. Type /ngaynghi to see it."))
    if verb in _CONFIRM:
        return _confirm(ctx, parts[1] if len(parts) > 1 else "")
    if verb not in _ADD_OFF | _ADD_WORK | _REMOVE:
        return _usage()
    day = _parse_date(parts[1]) if len(parts) > 1 else None
    if day is None:
        return _usage()
    if verb in _REMOVE:
        gone = ctx.session.execute(
            delete(OfficeDay).where(OfficeDay.day == day, OfficeDay.kind.in_((OFF, WORK)))
        ).rowcount
        ctx.session.flush()
        sync_office_days(ctx.session)
        if not gone:
            return Reply(_("There is no office entry for {date}. Type /ngaynghi to see the list.").format(date=fmt_date(day)))
        ctx.audit("calendar_removed", day.isoformat())
        return Reply(_("Removed the office entry for {date}; that day now follows the official calendar.").format(
            date=fmt_date(day, weekday=True)))
    kind = OFF if verb in _ADD_OFF else WORK
    reason = parts[2].strip() if len(parts) > 2 else ""
    if not reason:
        return Reply(_("Please add the reason, e.g. /ngaynghi them {date} Nghỉ bù Tết.").format(date=day.isoformat()))
    ctx.session.execute(delete(OfficeDay).where(OfficeDay.day == day, OfficeDay.kind.in_((OFF, WORK))))
    ctx.session.add(OfficeDay(day=day, kind=kind, reason=reason[:300], created_by=ctx.person.id, created_at=ctx.now))
    ctx.session.flush()
    sync_office_days(ctx.session)
    ctx.audit("calendar_added", f"{kind} {day.isoformat()} {reason[:100]}")
    text = (_("{date} is now a day off: {reason}.") if kind == OFF
            else _("{date} is now a make-up working day: {reason}.")).format(
        date=fmt_date(day, weekday=True), reason=reason)
    cal = default_calendar()
    if cal.unconfirmed_reason(day):
        text += "\n" + _("When the whole schedule for {year} is announced, type /ngaynghi xacnhan {year}.").format(year=day.year)
    return Reply(text + "\n" + _("Reminders and deadlines in working days now count with this change."))


def _confirm(ctx: Ctx, text: str) -> Reply:
    year = int(text) if text.strip().isdigit() else None
    if year is None or not 1990 <= year <= 2200:
        return Reply(_("Please give the year, e.g. /ngaynghi xacnhan 2027."))
    first = date(year, 1, 1)
    if ctx.session.scalar(select(OfficeDay.id).where(OfficeDay.day == first, OfficeDay.kind == CONFIRMED)) is None:
        ctx.session.add(OfficeDay(day=first, kind=CONFIRMED, reason="", created_by=ctx.person.id, created_at=ctx.now))
        ctx.session.flush()
    sync_office_days(ctx.session)
    ctx.audit("calendar_confirmed", str(year))
    return Reply(_("Noted: the days off for {year} are announced; dates in {year} are no longer marked as unannounced.").format(year=year))


def _listing(ctx: Ctx) -> Reply:
    rows = list(ctx.session.scalars(select(OfficeDay).where(OfficeDay.kind.in_((OFF, WORK))).order_by(OfficeDay.day)))
    lines = [_("Days entered by the office ({n}):").format(n=len(rows)) if rows else _("The office has entered no days.")]
    for row in rows[:30]:
        label = _("day off") if row.kind == OFF else _("make-up working day")
        lines.append(f"• {fmt_date(row.day, weekday=True)} — {label}: {row.reason}")
    cal = default_calendar()
    confirmed = cal.confirmed_years
    open_ranges = [(lo, hi, why) for (lo, hi), why in sorted(cal.overrides.unconfirmed.items())
                   if lo.year not in confirmed and hi >= ctx.today]
    for lo, hi, why in open_ranges:
        lines.append(_("Not announced yet: {from_} – {to} ({why}).").format(from_=fmt_date(lo), to=fmt_date(hi), why=why))
    if ctx.person is not None and ctx.person.role == Role.ADMIN:
        lines.append(_usage().text)
    return Reply("\n".join(lines))


def _usage() -> Reply:
    return Reply(_("To change the calendar: /ngaynghi them 2027-02-05 Nghỉ bù Tết (day off), "
                   "/ngaynghi lambu 2027-01-30 Làm bù Tết (make-up working day), /ngaynghi bo 2027-02-05 (remove), "
                   "/ngaynghi xacnhan 2027 (the year's schedule is announced)."))
