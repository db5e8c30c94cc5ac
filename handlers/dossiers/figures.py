"""Period figures for administrative-procedure dossiers (hồ sơ TTHC): the
one place that classifies and counts them.

The chat answers, the weekly digest, the report, the statistics workbook and
the index estimate all take their dossier numbers from here, so they cannot
disagree. The office compares them with the province's own table (TÌNH HÌNH
TIẾP NHẬN VÀ GIẢI QUYẾT TTHC), so every rule copies how the provincial
systems classify:

* **By date, not time.** Closed before the appointment date (ngày hẹn trả):
  *trước hạn*; on that date: *đúng hạn*; after it: *quá hạn*.
* **The original appointment decides.** An apology letter sets a new date,
  but the dossier is judged against the original one (``due_on``).
* **Received = carried over + new; new = online + direct + BCCI.** A dossier
  refused at reception (status 3, closed the day it came) is *not* received;
  it is only counted as "không được tiếp nhận".
* **Resolved = early + on time + late.** A withdrawal (status 7) and a
  dossier returned without a result (status 3 closed on a later day than it
  was taken in) are their own group, never "resolved".
* **Still open = within due + past due**, as of ``min(period end, now)``; a
  paused dossier (waiting for supplements or fees, or stopped) is never
  late: it counts as within due, and is also shown on its own.
  So received = resolved + withdrawn/returned + still open, row by row.
* **Days late are working days** (handlers.worktime.calendar), for resolved
  dossiers computed when the dossier is saved (``Dossier.late_days``).
* **An apology is in time** when issued before the original appointment date.

Everything is counted in the database: the date facts are precomputed when a
dossier is saved (handlers.dossiers.derived), and each figure set is one
``GROUP BY`` query per slice; lists are read a page at a time. Nothing here
loads the dossiers of a period into Python. A closed dossier's class does not
depend on the day it is asked about, so for a period of whole months (month,
quarter, half-year, year) the dossiers closed in it are read from the monthly
roll-up (``dossier_month``: the same GROUP BY over ``CLOSED_CLASS``, counted
again by handlers.dossiers.rollup whenever a save touches a month); open
dossiers, and everything judged "as of now" (past due, days late), are
counted live.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import and_, case, func, literal, not_, or_, select
from sqlalchemy.orm import Session

from handlers.dossiers import rollup
from handlers.text.i18n import fmt_number
from models.dossiers import CLOSED_CLASS, Dossier, DossierMonth, Procedure
from models.org import Unit

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

#: Group key used by :func:`by_unit` / :func:`by_field` for dossiers without one.
UNKNOWN_GROUP = "Chưa xác định"

EARLY, ON_TIME, LATE = "early", "on_time", "late"

#: Codes quoted in a report sentence before "và N hồ sơ khác".
MAX_CODES_LISTED = 10


@dataclass
class DossierRecord:
    """One dossier as read from a provincial export (no database identity).

    Datetimes are naive local time (Asia/Ho_Chi_Minh). ``due_at`` is the
    current appointment; ``original_due_at`` the one before an apology
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


# ---------------------------------------------------------------- the figures


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
    returned: int = 0  # taken in, then returned without a result (trả lại)
    rejected: int = 0  # refused at reception: not received
    in_progress_active_within_due: int = 0  # open, not paused, appointment not passed
    in_progress_past_due: int = 0
    past_due_carried_over: int = 0
    waiting_supplement: int = 0  # paused: supplements or fees (counted within due)
    stopped: int = 0  # paused: processing stopped (counted within due)
    late_without_apology: int = 0
    late_without_apology_codes: list[str] = field(default_factory=list)  # MAX_CODES_LISTED, earliest due first
    #: Detail lists, filled only by :func:`with_late_lists` (report and workbook).
    late_resolved: list[DossierRow] = field(default_factory=list)
    late_open: list[DossierRow] = field(default_factory=list)

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
        """Đã giải quyết: early + on time + late (never withdrawals)."""
        return self.early + self.on_time + self.late

    @property
    def handled_total(self) -> int:
        """Kept for the table's column key: the same as :attr:`resolved_total`."""
        return self.resolved_total

    @property
    def returned_or_withdrawn(self) -> int:
        """Trả lại / xin rút: taken in, closed without a result."""
        return self.returned + self.withdrawn

    @property
    def paused(self) -> int:
        return self.waiting_supplement + self.stopped

    @property
    def in_progress_within_due(self) -> int:
        """Open and not past due; paused dossiers are never late, so they are here."""
        return self.in_progress_active_within_due + self.paused

    @property
    def in_progress_total(self) -> int:
        return self.in_progress_within_due + self.in_progress_past_due

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

    def add(self, other: PeriodFigures) -> None:
        for name in _COUNTS:
            setattr(self, name, getattr(self, name) + getattr(other, name))


_COUNTS = (
    "received_carried_over", "received_in_period", "received_online", "received_direct", "received_postal",
    "early_carried_over", "early_in_period", "on_time_carried_over", "on_time_in_period", "late_carried_over",
    "late_in_period", "withdrawn", "returned", "rejected", "in_progress_active_within_due", "in_progress_past_due",
    "past_due_carried_over", "waiting_supplement", "stopped", "late_without_apology",
)


@dataclass(frozen=True)
class DossierRow:
    """One dossier of a list, with what the chat and the workbook show."""

    code: str
    procedure: str | None
    unit: str | None
    received_on: date | None
    due_on: date | None
    closed_on: date | None
    status: int
    carried_over: bool
    open: bool
    working_days_late: int
    apology_ok: bool

    @property
    def days_late(self) -> int:
        return self.working_days_late


@dataclass(frozen=True)
class Period:
    """A reporting period and the day open dossiers are judged on."""

    start: date
    end: date
    as_of: date

    @classmethod
    def of(cls, start: date, end: date, now: datetime | date) -> Period:
        today = now.date() if isinstance(now, datetime) else now
        return cls(start, end, min(end, today))


# ---------------------------------------------------------------- SQL rules

_D = Dossier.__table__.c


_FAR_FUTURE = date(9999, 12, 31)


def _slices(p: Period) -> list:
    """The dossiers that take part in a period — received by its end and not
    closed before its start — as three disjoint parts, each a range on the
    (closed_on, received_on, …) index: closed in the period, still open now,
    closed after the period end (so open at it). Separate queries keep every
    planner (SQLite's included) on that index instead of scanning ten years
    of receipts."""
    got = _D.received_on <= p.end
    return [
        and_(_D.closed_on >= p.start, _D.closed_on <= p.end, got),
        and_(_D.closed_on.is_(None), got),
        and_(_D.closed_on > p.end, _D.closed_on <= _FAR_FUTURE, got),
    ]


def _late_slices(p: Period) -> list:
    """Resolved late in the period, and open past due at ``as_of`` (now or after the end)."""
    got = _D.received_on <= p.end
    overdue = _D.due_on < p.as_of  # (NULL < x is not true: no appointment, never late)
    return [
        # outcome, channel, apology_ok spelled out: six seeks on ix_dossier_outcome read only late rows.
        and_(_D.outcome == LATE, _D.channel.in_(CHANNELS), _D.apology_ok.in_((False, True)),
             _D.closed_on >= p.start, _D.closed_on <= p.end, got),
        and_(_D.closed_on.is_(None), overdue, _D.status.not_in(PAUSED_STATUSES), got),
        # A bounded range on closed_on keeps planners on the closed_on index rather
        # than skip-scanning every closing date for old appointments.
        and_(_D.closed_on > p.end, _D.closed_on <= _FAR_FUTURE, overdue, got),
    ]


def _bucket(p: Period):
    """Where a dossier stands at the period end (the table column it lands in)."""
    closed = and_(_D.closed_on.is_not(None), _D.closed_on <= p.end)
    still_open = _D.closed_on.is_(None)
    return case(
        (closed, _D.outcome),
        (and_(still_open, _D.status.in_(WAITING_STATUSES)), literal("waiting")),
        (and_(still_open, _D.status == STOPPED), literal("stopped")),
        (and_(_D.due_on.is_not(None), _D.due_on < p.as_of), literal("past_due")),
        else_=literal("within_due"),
    )


def _carried(p: Period):
    return case((_D.received_on < p.start, 1), else_=0)


def _unit_ids(unit_codes: Iterable[str]):
    return select(Unit.id).where(Unit.code.in_(list(unit_codes))).scalar_subquery()


def _scope(stmt, unit_codes: Iterable[str] | None):
    if unit_codes is None:
        return stmt
    return stmt.where(_D.unit_id.in_(_unit_ids(unit_codes)))


def _fill(fig: PeriodFigures, carried: int, channel: str, bucket: str, apology_ok: bool, n: int) -> None:
    if bucket == "refused":
        fig.rejected += n
        return
    if carried:
        fig.received_carried_over += n
    else:
        fig.received_in_period += n
        if channel == "online":
            fig.received_online += n
        elif channel == "postal":
            fig.received_postal += n
        else:
            fig.received_direct += n
    suffix = "carried_over" if carried else "in_period"
    if bucket in (EARLY, ON_TIME, LATE):
        name = f"{bucket}_{suffix}"
        setattr(fig, name, getattr(fig, name) + n)
    elif bucket == "withdrawn":
        fig.withdrawn += n
    elif bucket == "returned":
        fig.returned += n
    elif bucket == "waiting":
        fig.waiting_supplement += n
    elif bucket == "stopped":
        fig.stopped += n
    elif bucket == "past_due":
        fig.in_progress_past_due += n
        fig.past_due_carried_over += n if carried else 0
    else:
        fig.in_progress_active_within_due += n
    if bucket in (LATE, "past_due") and not apology_ok:
        fig.late_without_apology += n


def _rollup_months(p: Period) -> tuple[int, int] | None:
    """The months of the period the roll-up answers for dossiers closed in them:
    all of them when the period is made of whole months (a month, a quarter, a
    year — the month in progress included: a closed dossier's class does not
    depend on the day of the question, and every save recounts its month);
    None for a week or a custom range, which are counted live."""
    if p.start.day != 1 or (p.end + timedelta(days=1)).day != 1:
        return None
    return rollup.ym(p.start), rollup.ym(p.end)


_M = DossierMonth.__table__.c


def _closed_counts(session: Session, p: Period, key, unit_codes, live: bool = False):
    """(outcome, channel, apology_ok, key, carried, n) of the dossiers closed in the period.

    A period of whole months is read from the roll-up (the same GROUP BY over
    ``CLOSED_CLASS``, stored per month); any other period from the dossier
    table, grouped in the order of ``ix_dossier_outcome`` so even a live year
    is read without a sort.
    """
    months = None if live else _rollup_months(p)
    if months is not None:
        rollup.settle(session)  # what this session changed is counted before it is read
        first, last = months
        mkey = [_M[key.name].label("k")] if key is not None else []
        cols = [_M.outcome, _M.channel, _M.apology_ok, *mkey]
        carried = func.sum(case((_M.received_ym < rollup.ym(p.start), _M.n), else_=0))
        stmt = (select(*cols, carried.label("carried"), func.sum(_M.n).label("n"))
                .where(_M.closed_ym >= first, _M.closed_ym <= last, _M.received_ym <= rollup.ym(p.end))
                .group_by(*cols))
        if unit_codes is not None:
            stmt = stmt.where(_M.unit_id.in_(_unit_ids(unit_codes)))
        yield from session.execute(stmt)
        return
    closed = _slices(p)[0]
    cols = [*CLOSED_CLASS] + ([key.label("k")] if key is not None else [])
    stmt = _scope(select(*cols, func.sum(_carried(p)).label("carried"), func.count().label("n")).where(closed),
                  unit_codes).group_by(*cols)
    yield from session.execute(stmt)


def _grouped(session: Session, p: Period, key, unit_codes: Iterable[str] | None,
             live: bool = False) -> dict[object, PeriodFigures]:
    """Counts per (key, carried, channel, bucket, apology): closed in the period
    (:func:`_closed_counts`), then still open now and closed after the period end
    (open at it), one query per slice."""
    out: dict[object, PeriodFigures] = {}

    def fig_for(k) -> PeriodFigures:
        fig = out.get(k)
        if fig is None:
            fig = out[k] = PeriodFigures(p.start, p.end, p.as_of)
        return fig

    for row in _closed_counts(session, p, key, unit_codes, live):
        fig = fig_for(row.k if key is not None else None)
        carried, n = int(row.carried or 0), int(row.n)
        if carried:
            _fill(fig, 1, row.channel, row.outcome, bool(row.apology_ok), carried)
        if n - carried:
            _fill(fig, 0, row.channel, row.outcome, bool(row.apology_ok), n - carried)
    _closed, *still_open = _slices(p)
    bucket = _bucket(p).label("bucket")
    carried_col = _carried(p).label("carried")
    cols = [carried_col, _D.channel, bucket, _D.apology_ok] + ([key.label("k")] if key is not None else [])
    for part in still_open:
        stmt = _scope(select(*cols, func.count().label("n")).where(part), unit_codes).group_by(*cols)
        for row in session.execute(stmt):
            _fill(fig_for(row.k if key is not None else None), int(row.carried), row.channel, row.bucket,
                  bool(row.apology_ok), int(row.n))
    return out


def period_figures(session: Session, start: date, end: date, now: datetime | date,
                   unit_codes: Iterable[str] | None = None, sample_codes: bool = True,
                   live: bool = False) -> PeriodFigures:
    """The period's figures (for some units only when ``unit_codes`` is given).

    Five queries at most: the counts (roll-up, live closed, two open slices), and —
    when some late dossier has no apology in time and ``sample_codes`` — the
    first codes of those, for the report sentence. ``live`` counts everything
    from the dossier table, ignoring the roll-up (to check one against the other).
    """
    p = Period.of(start, end, now)
    codes = None if unit_codes is None else list(unit_codes)
    fig = _grouped(session, p, None, codes, live).get(None) or PeriodFigures(p.start, p.end, p.as_of)
    if fig.late_without_apology and sample_codes:
        sub = _union(_late_parts(p, True), codes, _D.code, _D.due_on)
        # Sorted by the appointment first: no index leads with it, so every planner
        # filters the (few) late rows and sorts them instead of walking all codes.
        fig.late_without_apology_codes = sorted(session.scalars(
            select(sub.c.code).order_by(sub.c.due_on, sub.c.code).limit(MAX_CODES_LISTED)))
    return fig


def by_unit(session: Session, start: date, end: date, now: datetime | date,
            unit_codes: Iterable[str] | None = None, live: bool = False) -> dict[str, PeriodFigures]:
    """Figures per responsible unit code (``UNKNOWN_GROUP`` for none); units with
    nothing received in the period are left out."""
    p = Period.of(start, end, now)
    groups = _grouped(session, p, _D.unit_id, unit_codes, live)
    names = dict(session.execute(select(Unit.id, Unit.code)).all()) if groups else {}
    return _named(groups, lambda k: names.get(k) if k is not None else None)


def by_field(session: Session, start: date, end: date, now: datetime | date,
             unit_codes: Iterable[str] | None = None, live: bool = False) -> dict[str, PeriodFigures]:
    """Figures per field (lĩnh vực), same rules as :func:`by_unit`."""
    p = Period.of(start, end, now)
    return _named(_grouped(session, p, _D.field, unit_codes, live), lambda k: k)


def _named(groups: dict[object, PeriodFigures], name: Callable[[object], str | None]) -> dict[str, PeriodFigures]:
    out: dict[str, PeriodFigures] = {}
    for k, fig in groups.items():
        label = name(k) or UNKNOWN_GROUP
        if label in out:
            out[label].add(fig)
        else:
            out[label] = fig
    return {k: out[k] for k in sorted(out) if out[k].received_total}


# ---------------------------------------------------------------- lists, a page at a time


class PagedRows(Sequence):
    """A list whose length is a COUNT and whose slices are LIMIT/OFFSET
    queries: ``handlers.core.paging.paged_reply`` reads one page of it."""

    def __init__(self, total: int, fetch: Callable[[int, int], list]) -> None:
        self.total = total
        self._fetch = fetch

    def __len__(self) -> int:
        return self.total

    def __getitem__(self, index):
        if isinstance(index, slice):
            start, stop, step = index.indices(self.total)
            if step != 1:
                raise ValueError("only contiguous pages")
            return self._fetch(start, max(stop - start, 0)) if stop > start else []
        if index < 0:
            index += self.total
        if not 0 <= index < self.total:
            raise IndexError(index)
        return self._fetch(index, 1)[0]


def _union(parts: list, unit_codes, *cols):
    """UNION ALL of the slices (each on its index), as a subquery to count, sort and page."""
    branches = [_scope(select(*cols).where(part), unit_codes) for part in parts]
    return branches[0].union_all(*branches[1:]).subquery() if len(branches) > 1 else branches[0].subquery()


class _Query:
    """Rows of a union of slices, joined to the unit code, sorted and paged in SQL."""

    def __init__(self, session: Session, parts: list, unit_codes, order: Callable) -> None:
        self.session = session
        self.sub = _union(parts, unit_codes, *_ROW_SOURCE)
        self.order = order

    def count(self) -> int:
        return int(self.session.scalar(select(func.count()).select_from(self.sub)) or 0)

    def page(self, offset: int, limit: int):
        sub = self.sub.c
        stmt = (select(sub.code, sub.procedure_name, Unit.code.label("unit"), sub.received_on, sub.due_on,
                       sub.closed_on, sub.status, sub.late_days, sub.apology_ok)
                .select_from(self.sub.outerjoin(Unit.__table__, Unit.id == sub.unit_id))
                .order_by(*self.order(sub)).offset(offset).limit(limit))
        return self.session.execute(stmt)


_ROW_SOURCE = (_D.code, _D.procedure_name, _D.unit_id, _D.received_on, _D.due_on, _D.closed_on, _D.status,
               _D.late_days, _D.apology_ok)


def _to_row(r, p: Period, cal) -> DossierRow:
    is_open = r.closed_on is None or r.closed_on > p.end
    if is_open and r.due_on is not None and r.due_on < p.as_of:
        late = max(cal.working_days_between(r.due_on, p.as_of), 1)
    else:
        late = int(r.late_days or 0) if not is_open else 0
    carried = r.received_on is not None and r.received_on < p.start
    return DossierRow(r.code, r.procedure_name, r.unit, r.received_on, r.due_on, r.closed_on, r.status, carried,
                      is_open, late, bool(r.apology_ok))


def _calendar():
    from handlers.worktime.calendar import default_calendar

    return default_calendar()


def _late_order(p: Period):
    """Open past-due first (longest waiting first), then resolved late (most days late first)."""
    def order(c):
        is_open = or_(c.closed_on.is_(None), c.closed_on > p.end)
        return (case((is_open, 0), else_=1), case((is_open, c.due_on), else_=None), c.late_days.desc(), c.code)
    return order


def _late_parts(p: Period, without_apology: bool) -> list:
    parts = _late_slices(p)
    return [and_(part, not_(_D.apology_ok)) for part in parts] if without_apology else parts


def late_dossiers(session: Session, start: date, end: date, now: datetime | date,
                  unit_codes: Iterable[str] | None = None, total: int | None = None,
                  without_apology: bool = False) -> PagedRows:
    """Late dossiers of the period (resolved late, and open past due), paged in SQL.

    ``total`` is the count when the caller has it from the figures already.
    """
    p = Period.of(start, end, now)
    codes = None if unit_codes is None else list(unit_codes)
    q = _Query(session, _late_parts(p, without_apology), codes, _late_order(p))
    cal = _calendar()
    return PagedRows(q.count() if total is None else total,
                     lambda offset, limit: [_to_row(r, p, cal) for r in q.page(offset, limit)])


def iter_late_dossiers(session: Session, start: date, end: date, now: datetime | date,
                       unit_codes: Iterable[str] | None = None, batch: int = 2000) -> Iterator[DossierRow]:
    """Every late dossier of the period, in pages (for the workbook's list and the estimate)."""
    p = Period.of(start, end, now)
    q = _Query(session, _late_parts(p, False), None if unit_codes is None else list(unit_codes), _late_order(p))
    cal = _calendar()
    offset = 0
    while True:
        rows = [_to_row(r, p, cal) for r in q.page(offset, batch)]
        yield from rows
        if len(rows) < batch:
            return
        offset += batch


def with_late_lists(session: Session, fig: PeriodFigures, unit_codes: Iterable[str] | None = None) -> PeriodFigures:
    """Fill ``late_resolved`` / ``late_open`` (the report's and workbook's list of late dossiers)."""
    fig.late_resolved, fig.late_open = [], []
    for row in iter_late_dossiers(session, fig.start, fig.end, fig.as_of, unit_codes):
        (fig.late_open if row.open else fig.late_resolved).append(row)
    return fig


def waiting_dossiers(session: Session, start: date, end: date, now: datetime | date,
                     unit_codes: Iterable[str] | None = None, total: int | None = None) -> PagedRows:
    """Dossiers of the period waiting for supplements or fees, oldest first."""
    p = Period.of(start, end, now)
    codes = None if unit_codes is None else list(unit_codes)
    part = and_(_D.closed_on.is_(None), _D.status.in_(WAITING_STATUSES), _D.received_on <= p.end)
    q = _Query(session, [part], codes, lambda c: (c.received_on, c.code))
    cal = _calendar()
    return PagedRows(q.count() if total is None else total,
                     lambda offset, limit: [_to_row(r, p, cal) for r in q.page(offset, limit)])


def due_soon_dossiers(session: Session, first: date, last: date, today: date,
                      unit_codes: Iterable[str] | None = None) -> PagedRows:
    """Open, not paused dossiers whose appointment date is in [first, last] and not before today."""
    codes = None if unit_codes is None else list(unit_codes)
    lo = max(first, today)
    where = and_(_D.closed_on.is_(None), _D.due_on >= lo, _D.due_on <= last, _D.status.not_in(PAUSED_STATUSES))
    q = _Query(session, [where], codes, lambda c: (c.due_on, c.code))
    p = Period(today, last, today)
    cal = _calendar()
    return PagedRows(q.count(), lambda offset, limit: [_to_row(r, p, cal) for r in q.page(offset, limit)])


# ---------------------------------------------------------------- the year, for the index estimate


@dataclass(frozen=True)
class ProcedureFigures:
    """The procedure catalogue against the dossiers of a period."""

    total: int  # published procedures (or, without a catalogue, those named by dossiers)
    online: int  # offering dịch vụ công trực tuyến (toàn trình or một phần)
    online_full: int
    online_partial: int
    with_postal: int  # with a dossier received or returned by BCCI in the period
    online_without_dossiers: list[str]  # online service offered, no online dossier in the period
    from_catalogue: bool


def procedure_figures(session: Session, start: date, end: date) -> ProcedureFigures:
    """Counts from the official catalogue when one was imported (``published``),
    otherwise from the procedures dossier exports named."""
    P = Procedure.__table__.c
    from_catalogue = session.scalar(select(func.count()).where(P.published.is_(True))) or 0
    base = P.published.is_(True) if from_catalogue else literal(True)
    counts = session.execute(select(
        func.count(),
        func.count().filter(P.online_level.is_not(None)),
        func.count().filter(P.online_level == "toàn trình"),
        func.count().filter(P.online_level == "một phần"),
    ).where(base)).one()
    def has(*conds):
        """EXISTS on the (procedure_id, channel, received_on, postal_return) index: one seek per procedure."""
        return select(_D.id).where(_D.procedure_id == P.id, _D.received_on >= start, _D.received_on <= end,
                                   *conds).exists()

    postal = or_(has(_D.channel == "postal"), has(_D.channel.in_(CHANNELS), _D.postal_return.is_(True)))
    with_postal = session.scalar(select(func.count()).select_from(Procedure.__table__).where(base, postal)) or 0
    without = list(session.scalars(select(P.name).where(base, P.online_level.is_not(None),
                                                        not_(has(_D.channel == "online"))).order_by(P.name)))
    return ProcedureFigures(int(counts[0]), int(counts[1]), int(counts[2]), int(counts[3]), int(with_postal),
                            without, bool(from_catalogue))


def late_refs(session: Session, start: date, end: date, now: datetime | date) -> tuple[list, list, list]:
    """(code, unit) of dossiers resolved late, open past due, and either without an
    apology in time — the inputs of the estimate's dossier criteria."""
    resolved, still_open, no_apology = [], [], []
    for row in iter_late_dossiers(session, start, end, now):
        ref = (row.code, row.unit or "VP")
        (still_open if row.open else resolved).append(ref)
        if not row.apology_ok:
            no_apology.append(ref)
    return resolved, still_open, no_apology


# ---------------------------------------------------------------- wording (Babel numbers)


def format_int_vi(n: int) -> str:
    """1234567 → '1.234.567' (Babel, Vietnamese)."""
    return fmt_number(n, 0, locale="vi")


def format_percent_vi(value: float | None, places: int = 2) -> str:
    """Percent in Vietnamese style ('93,18%'); '—' when there is nothing to divide."""
    return "—" if value is None else f"{fmt_number(value, places, locale='vi')}%"


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
        f"Số hồ sơ đã giải quyết: {_n(fig.resolved_total)}; trong đó trả trước hạn: "
        f"{_n(fig.early)} ({_split(fig.early_carried_over, fig.early_in_period)}); "
        f"trả đúng hạn: {_n(fig.on_time)} "
        f"({_split(fig.on_time_carried_over, fig.on_time_in_period)}); "
        f"trả quá hạn: {_n(fig.late)} ({_split(fig.late_carried_over, fig.late_in_period)}).",
        f"Tỷ lệ hồ sơ giải quyết trước hạn và đúng hạn: {format_percent_vi(fig.on_time_rate)}.",
        f"Số hồ sơ đang giải quyết: {_n(fig.in_progress_total)}; trong đó trong hạn: "
        f"{_n(fig.in_progress_within_due)}; quá hạn: {_n(fig.in_progress_past_due)}.",
        f"Trong số hồ sơ đang giải quyết, chờ bổ sung, hoàn thiện hoặc thực hiện nghĩa vụ tài chính: "
        f"{_n(fig.waiting_supplement)}; dừng xử lý: {_n(fig.stopped)}.",
        f"Trả lại hồ sơ/rút lại hồ sơ: {_n(fig.returned_or_withdrawn)} "
        f"(trả lại: {format_int_vi(fig.returned)}, công dân rút: {format_int_vi(fig.withdrawn)}); "
        f"không được tiếp nhận (không tính vào số tiếp nhận): {_n(fig.rejected)}.",
        f"Tỷ lệ hồ sơ tiếp nhận trực tuyến: {format_percent_vi(fig.online_share)}.",
    ]
    if fig.late_without_apology:
        shown = fig.late_without_apology_codes[:MAX_CODES_LISTED]
        codes = ", ".join(shown)
        if fig.late_without_apology > len(shown):
            codes += f" và {format_int_vi(fig.late_without_apology - len(shown))} hồ sơ khác"
        lines.append(
            f"Hồ sơ trễ hạn chưa có phiếu xin lỗi trước ngày hẹn trả: "
            f"{_n(fig.late_without_apology)} ({codes})."
        )
    elif fig.late or fig.in_progress_past_due:
        lines.append("Tất cả hồ sơ trễ hạn đều có phiếu xin lỗi và hẹn lại ngày trả kết quả.")
    return lines


def procedure_lines_vi(pf: ProcedureFigures) -> list[str]:
    """The catalogue sentence of a report: procedures, online service (current terms), BCCI."""
    lines = [f"Sở đang thực hiện {format_int_vi(pf.total)} thủ tục hành chính, trong đó "
             f"{format_int_vi(pf.online)} thủ tục cung cấp dịch vụ công trực tuyến "
             f"(toàn trình: {format_int_vi(pf.online_full)}, một phần: {format_int_vi(pf.online_partial)})."]
    if pf.online_without_dossiers:
        lines.append(f"Thủ tục có dịch vụ công trực tuyến nhưng chưa phát sinh hồ sơ trực tuyến trong kỳ: "
                     f"{format_int_vi(len(pf.online_without_dossiers))} thủ tục.")
    if not pf.from_catalogue:
        lines.append("(Chưa nhập danh mục TTHC công bố: số thủ tục tính theo hồ sơ đã nhập.)")
    return lines


def late_summary_vi(fig: PeriodFigures) -> str:
    """Short answer to "hồ sơ trễ hạn tháng này": the two numbers, carried-over marked."""

    def part(n: int, carried: int) -> str:
        note = f", trong đó {format_int_vi(carried)} hồ sơ tồn từ kỳ trước" if carried else ""
        return f"{_n(n)}{note}"

    return (
        f"Đã giải quyết quá hạn trong kỳ: {part(fig.late, fig.late_carried_over)}. "
        f"Đang quá hạn chưa giải quyết (tính đến {fig.as_of:%d/%m/%Y}): "
        f"{part(fig.in_progress_past_due, fig.past_due_carried_over)}."
    )


__all__ = [
    "CHANNELS", "DossierRecord", "DossierRow", "PagedRows", "Period", "PeriodFigures", "ProcedureFigures",
    "by_field", "by_unit", "due_soon_dossiers", "format_int_vi", "format_percent_vi", "iter_late_dossiers",
    "late_dossiers", "late_refs", "late_summary_vi", "period_figures", "procedure_figures", "procedure_lines_vi",
    "report_lines_vi", "waiting_dossiers", "with_late_lists",
]


def open_dossiers_page(session: Session, unit_id: int | None, today: date) -> tuple[PagedRows, int]:
    """/hoso: dossiers not yet handled, nearest appointment first, read a page at a
    time; with the number past due (open, not paused, appointment before today)."""
    from sqlalchemy.orm import selectinload

    still_open = and_(_D.closed_on.is_(None), _D.status != REJECTED)
    if unit_id is not None:
        still_open = and_(still_open, _D.unit_id == unit_id)
    total, late = session.execute(select(
        func.count(),
        func.count().filter(and_(_D.status.not_in(PAUSED_STATUSES), _D.due_on < today)),
    ).select_from(Dossier.__table__).where(still_open)).one()

    def fetch(offset: int, limit: int) -> list[Dossier]:
        stmt = (select(Dossier).where(still_open).order_by(_D.due_on.is_(None), _D.due_on, _D.id)
                .offset(offset).limit(limit).options(selectinload(Dossier.unit)))
        return list(session.scalars(stmt))

    return PagedRows(int(total), fetch), int(late)
