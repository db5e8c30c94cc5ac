"""The weekly leadership digest (báo cáo tuần), as text and as a chart.

Leaders get it every week (Monday 07:30 by default, settings.digest_weekday /
digest_time) and on demand (/baocao, "báo cáo tuần"). It answers what a
giao ban meeting asks: per lead unit (chủ trì), how many tasks are done, in
progress, due this week and overdue — tasks addressed to all units on a line
of their own, so the totals match what /viec lists for a leader; the five most overdue with their heads; the dossier
figures of the past week and of the month so far, counted like the
provincial report (handlers.dossiers.figures); and the PAR index estimate when
the scoring feature supplies ``estimate_lines``.

Who sees what: leaders and the office see the whole Department; a unit's head
or deputy head sees the same digest restricted to their own unit (their
tasks, their dossiers) — useful for their own giao ban, and it reveals
nothing about other units; staff are told to ask their head.

Task buckets are disjoint so the chart's bars add up: *done* = completed this
calendar year; *overdue* = open with a deadline before today; *due this week*
= open with a deadline from today to Sunday; *in progress* = every other open
item (later deadlines and ongoing "thường xuyên" tasks). A recurring task
counts with what is due now — its current occurrence (plus any overdue one,
the same rule as /viec) —, not once per future month already planned, nor
once per month already done: it counts as done only when nothing of it is
open.
"""

from __future__ import annotations

import logging

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from handlers.core.context import Ctx
from handlers.display.format import short
from models.org_file import default_org

log = logging.getLogger(__name__)
from handlers.text.i18n import _, fmt_date, fmt_percent, ngettext, use_locale, fmt_number
from handlers.core.messages import Attachment, Button, Reply
from handlers.core.outbox import notification_row, reply_payload
from handlers.people.recipients import CHANGERS, head_names
from models.org import Unit
from models.queries import WorkItem, work_items
from models.tasks import TaskStatus
from settings import Settings

if TYPE_CHECKING:
    from handlers.dossiers.figures import PeriodFigures
    from handlers.people.recipients import Directory
    from handlers.worktime.calendar import WorkCalendar

CHART_FILE = "bao-cao-tuan.png"
TEXT_FILE = "bao-cao-tuan.txt"
MOST_OVERDUE = 5
DIGEST_OVERDUE = 3  # most overdue tasks shown in the digest text
TITLE_CHARS = 60
MAX_LINES = 15
MAX_CHARS = 1500
DETAIL_BUTTON = "more:viec:0"  # the task list /viec shows, first page
BUCKETS = ("done", "in_progress", "due_week", "overdue")
COLOURS = {"done": "#2e7d32", "in_progress": "#1f77b4", "due_week": "#f0a30a", "overdue": "#c62828"}


@dataclass
class UnitTasks:
    code: str
    name: str
    label: str
    done: int = 0
    in_progress: int = 0
    due_week: int = 0
    overdue: int = 0

    @property
    def total(self) -> int:
        return self.done + self.in_progress + self.due_week + self.overdue


@dataclass
class OverdueLine:
    title: str
    unit_code: str
    deadline: date
    working_days: int
    heads: list[str]


@dataclass
class Digest:
    text: str
    chart_png: bytes
    units: list[UnitTasks] = field(default_factory=list)
    common: UnitTasks | None = None  # tasks addressed to all units, no lead unit
    most_overdue: list[OverdueLine] = field(default_factory=list)
    week: PeriodFigures | None = None
    month: PeriodFigures | None = None


# ---------------------------------------------------------------- figures


def _calendar(cal):
    if cal is not None:
        return cal
    from handlers.display.format import calendar

    return calendar()


def bucket_of(item: WorkItem, today: date, week_end: date) -> str | None:
    """Which bar segment an item belongs to (None: done in an earlier year, or cancelled)."""
    if item.status == TaskStatus.DONE:
        done_on = item.completed_on or item.deadline
        return "done" if done_on is None or done_on.year == today.year else None
    if item.status != TaskStatus.OPEN:
        return None
    if item.deadline is None or item.deadline > week_end:
        return "in_progress"
    return "overdue" if item.deadline < today else "due_week"


def chart_label(unit: Unit) -> str:
    """A name short enough for a phone-sized chart ("Phòng QLCN", not the full title)."""
    spec = default_org().unit(unit.code)
    if spec is not None and spec.short_name:
        return spec.short_name
    if len(unit.name) <= 26:
        return unit.name
    first = unit.name.split()[0].lower()
    kind_words = {"phòng": "phòng", "chi": "chi cục", "trung": "trung tâm"}
    lead = kind_words.get(first)
    fits = [a for a in unit.aliases or [] if lead and a.lower().startswith(lead) and len(a) <= 20]
    if fits:
        best = max(fits, key=len)
        return best[:1].upper() + best[1:]
    return unit.code


def task_figures(session: Session, today: date, unit_id: int | None) -> tuple[list[UnitTasks], UnitTasks | None]:
    """Per lead unit, and the tasks without a lead unit (giao chung) apart.

    For one unit's digest the common line holds only tasks addressed to all
    units (they are that unit's work too).
    """
    week_end = today + timedelta(days=6 - today.weekday())
    units = {u.id: u for u in session.scalars(select(Unit).order_by(Unit.id))}
    rows: dict[int, UnitTasks] = {}
    common = UnitTasks("", _("Tasks addressed to all units"), _("All units"))
    for item in counted_items(session, today):
        uid = item.task.lead_unit_id
        if uid is None:
            if unit_id is not None and not item.task.all_units:
                continue
            row = common
        elif unit_id is not None and uid != unit_id:
            continue
        else:
            unit = units[uid]
            row = rows.setdefault(uid, UnitTasks(unit.code, unit.name, chart_label(unit)))
        bucket = bucket_of(item, today, week_end)
        if bucket is not None:
            setattr(row, bucket, getattr(row, bucket) + 1)
    listed = [rows[uid] for uid in units if uid in rows and rows[uid].total]
    return listed, common if common.total else None


def counted_items(session: Session, today: date) -> list[WorkItem]:
    """The items the digest counts: open ones as /viec lists them; done ones,
    except that a recurring task counts one done occurrence (its latest) and
    only when no occurrence of it is open."""
    items = work_items(session, include_done=True, today=today)
    open_recurring = {i.task.id for i in items if i.occurrence is not None and i.status == TaskStatus.OPEN}
    latest_done: dict[int, WorkItem] = {}
    out = []
    for item in items:
        if item.occurrence is None or item.status == TaskStatus.OPEN:
            out.append(item)
        elif item.status == TaskStatus.DONE and item.task.id not in open_recurring:
            best = latest_done.get(item.task.id)
            if best is None or (item.deadline or date.min) > (best.deadline or date.min):
                latest_done[item.task.id] = item
    return out + list(latest_done.values())


def most_overdue(session: Session, today: date, unit_id: int | None, cal, limit: int = MOST_OVERDUE) -> list[OverdueLine]:
    items = [i for i in work_items(session, unit_id=unit_id, lead_only=unit_id is not None) if i.is_overdue(today)]
    items.sort(key=lambda i: (i.deadline, i.task.id))
    out = []
    for item in items[:limit]:
        unit = item.task.lead_unit
        out.append(OverdueLine(
            title=short(item.task.title, 80), unit_code=unit.code if unit else "—", deadline=item.deadline,
            working_days=max(cal.working_days_between(item.deadline, today), 0),
            heads=head_names(session, item.task.lead_unit_id),
        ))
    return out


def dossier_figures(session: Session, start: date, end: date, now_local: datetime, tz: ZoneInfo,
                    unit_code: str | None) -> PeriodFigures:
    from handlers.dossiers.figures import period_figures

    return period_figures(session, start, end, now_local.date(), None if unit_code is None else [unit_code])


# ---------------------------------------------------------------- text


def _dossier_line(title: str, fig: PeriodFigures) -> str:
    online = fmt_percent(fig.online_share / 100, 0) if fig.online_share is not None else "—"
    return _("{title}: received {received} (online {online}); resolved {resolved}: early {early}, on time {on_time}, late {late}.").format(
        title=title, received=fmt_number(fig.received_in_period, 0), online=online,
        resolved=fmt_number(fig.resolved_total, 0), early=fmt_number(fig.early, 0),
        on_time=fmt_number(fig.on_time, 0), late=fmt_number(fig.late, 0))


def past_due_by_unit(session: Session, fig: PeriodFigures, unit_code: str | None) -> list[tuple[str, int]]:
    """Dossiers open past their appointment date now, counted per unit (most first), in SQL."""
    from handlers.dossiers.figures import by_unit

    groups = by_unit(session, fig.start, fig.end, fig.as_of, None if unit_code is None else [unit_code])
    counts = [(code, f.in_progress_past_due) for code, f in groups.items() if f.in_progress_past_due]
    return sorted(counts, key=lambda kv: (-kv[1], kv[0]))


def render_text(today: date, scope: str, units: list[UnitTasks], overdue: list[OverdueLine],
                week: PeriodFigures, month: PeriodFigures, estimate_lines: Sequence[str] | None,
                common: UnitTasks | None = None, late_from: date | None = None,
                past_due: Sequence[tuple[str, int]] = ()) -> str:
    """The digest as a Director reads it on a phone: at most ``MAX_LINES`` lines and
    ``MAX_CHARS`` characters, figures only; the task titles in full are one tap away
    (the "Xem chi tiết" button opens the task list). ``late_from``: the regular day
    this digest missed (the bot was down), said in the first line."""
    head = _("*WEEKLY REPORT* — {scope}, {date}").format(scope=scope, date=fmt_date(today, weekday=True))
    if late_from is not None:
        head += " " + _("(sent late; due {date})").format(date=fmt_date(late_from, weekday=True))
    lines = [head, _("*Tasks by lead unit* (done this year / in progress / due this week / overdue):")]
    everything = units + ([common] if common else [])
    if everything:
        lines.append(" · ".join(
            f"{u.code or _('All units')} {u.done}/{u.in_progress}/{u.due_week}/{u.overdue}" for u in everything))
    else:
        lines.append(_("No tasks."))
    total = UnitTasks("", "", "", *(sum(getattr(u, b) for u in everything) for b in BUCKETS))
    lines.append(_("Total: {done} done, {progress} in progress, {week} due this week, {overdue} overdue.").format(
        done=total.done, progress=total.in_progress, week=total.due_week, overdue=total.overdue))
    if overdue:
        lines.append(_("*Most overdue tasks*:"))
        for n, o in enumerate(overdue[:DIGEST_OVERDUE], start=1):
            heads = ", ".join(o.heads) or _("no head registered")
            late = ngettext("{n} working day overdue", "{n} working days overdue", o.working_days).format(n=o.working_days)
            lines.append(f"{n}. {short(o.title, TITLE_CHARS)} — {o.unit_code} ({heads}), {late}")
    else:
        lines.append(_("No overdue tasks."))
    lines.append(_dossier_line(_("Dossiers, past week ({start}–{end})").format(
        start=f"{week.start:%d/%m}", end=f"{week.end:%d/%m}"), week))
    lines.append(_dossier_line(_("Month so far"), month))
    by_unit = past_due
    past_due = ", ".join(f"{code} {n}" for code, n in by_unit) if by_unit else "0"
    lines.append(_("Dossiers past due now: {units}; late without an apology letter: {n}.").format(
        units=past_due, n=month.late_without_apology))
    if estimate_lines:
        lines.append(estimate_lines[0])
    lines.append(_("Full task list: press \"Xem chi tiết\"."))
    text = "\n".join(lines)
    if len(text) > MAX_CHARS:  # long unit names or titles: drop the titles' tails, never the figures
        text = text[: MAX_CHARS - 1].rstrip() + "…"
    return text


# ---------------------------------------------------------------- chart


def render_chart(units: list[UnitTasks], title: str) -> bytes:
    """A horizontal stacked bar of task status by unit, readable on a phone."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt
    from matplotlib.figure import Figure

    plt.rcParams["font.family"] = "DejaVu Sans"
    names = {"done": _("Done"), "in_progress": _("In progress"), "due_week": _("Due this week"), "overdue": _("Overdue")}
    rows = list(reversed(units)) or [UnitTasks("", "", _("No tasks"))]
    fig = Figure(figsize=(8, 1.9 + 0.55 * len(rows)), dpi=150)
    ax = fig.add_subplot()
    left = [0] * len(rows)
    labels = [r.label for r in rows]
    for bucket in BUCKETS:
        values = [getattr(r, bucket) for r in rows]
        bars = ax.barh(labels, values, left=left, color=COLOURS[bucket], label=names[bucket], height=0.62)
        for bar, v in zip(bars, values):
            if v:
                ax.text(bar.get_x() + bar.get_width() / 2, bar.get_y() + bar.get_height() / 2, str(v),
                        ha="center", va="center", color="white", fontsize=10, fontweight="bold")
        left = [a + b for a, b in zip(left, values)]
    ax.set_title(title, fontsize=12, fontweight="bold", loc="left")
    ax.set_xlabel(_("Number of tasks"), fontsize=10)
    ax.tick_params(axis="y", labelsize=10)
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(ncols=4, loc="upper center", bbox_to_anchor=(0.45, -0.5 / max(len(rows), 1) - 0.12),
              frameon=False, fontsize=9)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


# ---------------------------------------------------------------- build


def index_estimate_lines(session: Session, now: datetime, settings: Settings) -> list[str]:
    """The PAR estimate in one line (range, framework version, default-threshold flag);
    nothing if the framework cannot be loaded (the digest must still go out)."""
    from handlers.scoring import estimate_line_vi
    from handlers.scoring.data import current_estimate

    try:
        return [estimate_line_vi(current_estimate(session, now, settings))]
    except Exception:  # a broken framework file must not stop the digest
        log.exception("index estimate unavailable for the digest")
        return []


def build_digest(
    session: Session, now: datetime, settings: Settings, unit_id: int | None = None,
    estimate_lines: list[str] | None = None, cal: WorkCalendar | None = None, late_from: date | None = None,
) -> Digest:
    """The digest for the whole Department (or one unit) as of ``now``."""
    cal = _calendar(cal)
    tz = ZoneInfo(settings.timezone)
    local = now.astimezone(tz)
    today = local.date()
    unit = session.get(Unit, unit_id) if unit_id is not None else None
    scope = unit.name if unit else _("the whole Department")
    units, common = task_figures(session, today, unit_id)
    overdue = most_overdue(session, today, unit_id, cal)
    code = unit.code if unit else None
    week = dossier_figures(session, today - timedelta(days=7), today - timedelta(days=1), local, tz, code)
    month = dossier_figures(session, today.replace(day=1), today, local, tz, code)
    if estimate_lines is None and unit_id is None:
        estimate_lines = index_estimate_lines(session, now, settings)
    text = render_text(today, scope, units, overdue, week, month, estimate_lines, common, late_from,
                       past_due_by_unit(session, month, code))
    chart = render_chart(units + ([common] if common else []),
                         _("Tasks by lead unit — week of {date}").format(date=fmt_date(today)))
    return Digest(text=text, chart_png=chart, units=units, common=common, most_overdue=overdue, week=week, month=month)


def digest_replies(digest: Digest) -> list[Reply]:
    photo = Attachment(file_name=CHART_FILE, mime_type="image/png", data=digest.chart_png,
                       size=len(digest.chart_png), kind="photo")
    details = [[Button(_("See details"), DETAIL_BUTTON)]]
    return [Reply(digest.text, buttons=details), Reply(_("Chart: task status by lead unit"), attachment=photo)]


def write_digest(factory: sessionmaker[Session], settings: Settings, now: datetime, out_dir: Path | str) -> tuple[Path, Path]:
    """``python main.py digest --now … --out DIR``: write the text and the chart, send nothing."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    with factory() as session, use_locale(settings.locale):
        digest = build_digest(session, now, settings)
    text_path, png_path = out / TEXT_FILE, out / CHART_FILE
    text_path.write_text(digest.text.replace("*", "") + "\n", encoding="utf-8")
    png_path.write_bytes(digest.chart_png)
    return text_path, png_path


# ---------------------------------------------------------------- chat and schedule


def on_command(ctx: Ctx, _args: str = "") -> list[Reply]:
    """/baocao: the whole Department for leaders and the office, their own unit for heads."""
    person = ctx.person
    if person.can_manage_all:
        unit_id = None
    elif person.role in CHANGERS and person.unit_id is not None:
        unit_id = person.unit_id
    else:
        return [Reply(_("The weekly report is for the Department's leadership and unit heads. Please ask your head of unit."))]
    return digest_replies(build_digest(ctx.session, ctx.now, ctx.settings, unit_id))


def on_text(ctx: Ctx) -> list[Reply] | None:
    """Free text "báo cáo tuần" (with or without diacritics)."""
    from handlers.text.fold import fold

    key = fold(ctx.msg.text or "").strip(" .!?")
    if key in ("bao cao tuan", "xem bao cao tuan", "bao cao tuan nay", "gui bao cao tuan"):
        return on_command(ctx)
    return None


def digest_moment(now: datetime, settings: Settings, cal: WorkCalendar) -> datetime | None:
    """This week's digest time if it has passed (so a bot that was down catches up), else None."""
    local = cal.to_local(now)
    monday = local.date() - timedelta(days=local.weekday())
    moment = cal.at(monday + timedelta(days=settings.digest_weekday), settings.digest_time)
    return moment if moment <= local else None


def weekly_digest_rows(session: Session, now: datetime, settings: Settings, cal: WorkCalendar,
                       people: Directory) -> list[dict]:
    """This week's digest for leaders and the office, planned once per ISO week.

    Regular: the first working day on or after the digest day (Monday 07:30; a
    holiday Monday moves to the next working day). If the bot was down then, the
    digest goes out the next working morning of the same week, marked late. The
    recipients are fixed when the week's digest is first planned: someone who
    registers mid-week waits for the next regular one, and nobody gets it twice
    (one idempotency key per person per week).
    """
    moment = digest_moment(now, settings, cal)
    local = cal.to_local(now)
    today = local.date()
    if moment is None or not cal.is_working_day(today):
        return []
    year, week, _wd = moment.date().isocalendar()
    recipients = {p.id: p for p in [*people.leaders, *people.office]}
    keys = {pid: f"digest:{year}-W{week:02d}:p{pid}" for pid in recipients}
    prefix = f"digest:{year}-W{week:02d}:p"
    if existing_week(session, prefix):
        return []  # planned already this week; late registrations wait for next week
    regular_day = cal.on_or_after(moment.date())
    late_from = None
    if today > regular_day:
        if local.time().replace(tzinfo=None) >= cal.windows[0][1]:
            return []  # missed: send on a working morning, with fresh figures
        late_from = regular_day
    rows = []
    payloads: dict[str, dict] = {}
    for pid, p in recipients.items():
        if p.locale not in payloads:
            with use_locale(p.locale):
                replies = digest_replies(build_digest(session, now, settings, cal=cal, late_from=late_from))
            payloads[p.locale] = reply_payload(replies[0], more=replies[1:])
        rows.append(notification_row(keys[pid], pid, "digest", payloads[p.locale], cal.next_window(max(moment, local))))
    return rows


def existing_week(session: Session, prefix: str) -> bool:
    """Whether any digest of this week was planned (for anyone)."""
    from models.outbox import Notification

    return session.scalar(select(Notification.id).where(Notification.idem_key.startswith(prefix)).limit(1)) is not None
