"""Administrative procedures (TTHC) and the dossiers citizens file for them."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, Select, String, Text, extract, func, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, UTCDateTime, utcnow
from models.org import Unit


class Procedure(Base):
    """One administrative procedure. ``published`` rows come from the official
    catalogue (danh mục TTHC công bố); others were only named by a dossier export.

    ``online_level``: "toàn trình" or "một phần" (dịch vụ công trực tuyến), or
    None (no online service); ``postal``: results can be sent by BCCI.
    """

    __tablename__ = "procedure"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str | None] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(500), unique=True)
    field: Mapped[str | None] = mapped_column(String(255))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    processing_days: Mapped[int | None] = mapped_column(Integer)
    online_level: Mapped[str | None] = mapped_column(String(32))
    postal: Mapped[bool] = mapped_column(Boolean, default=False)
    fee: Mapped[str | None] = mapped_column(String(255))
    published: Mapped[bool] = mapped_column(Boolean, default=False)

    unit: Mapped[Unit | None] = relationship()


class Dossier(Base):
    """One hồ sơ TTHC. Times are UTC; classification is by local date.

    The ``*_on`` columns, ``outcome``, ``late_days`` and ``apology_ok`` are
    derived from the times when a dossier is saved (handlers.dossiers.derived)
    so that period figures are plain SQL aggregates over dates, identical on
    SQLite and PostgreSQL, with no time-zone or working-day arithmetic at
    question time.
    """

    __tablename__ = "dossier"
    __table_args__ = (
        Index("ix_dossier_unit_due", "unit_id", "due_at"),
        Index("ix_dossier_status_due", "status", "due_at"),
        # Period figures: rows received by the end and not closed before the start.
        Index("ix_dossier_period", "closed_on", "received_on", "status", "channel", "outcome", "due_on",
              "apology_ok", "unit_id"),
        Index("ix_dossier_open_due", "closed_on", "due_on"),
        # Closed in a period, grouped in index order (no sort), and the late ones alone.
        Index("ix_dossier_outcome", "outcome", "channel", "apology_ok", "closed_on", "received_on", "due_on"),
        Index("ix_dossier_unit_period", "unit_id", "closed_on", "received_on"),
        # Catalogue figures: does a procedure have online / BCCI dossiers in a period?
        Index("ix_dossier_procedure_channel", "procedure_id", "channel", "received_on", "postal_return"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    procedure_id: Mapped[int | None] = mapped_column(ForeignKey("procedure.id"))
    procedure_name: Mapped[str | None] = mapped_column(String(500))
    field: Mapped[str | None] = mapped_column(String(255))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    original_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[int] = mapped_column(Integer, default=2)
    channel: Mapped[str] = mapped_column(String(16), default="direct")  # direct | online | postal
    service_level: Mapped[str | None] = mapped_column(String(32))
    apology_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    new_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    postal_return: Mapped[bool] = mapped_column(default=False)
    note: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # Derived (local dates, Asia/Ho_Chi_Minh by default): see derive_dates().
    received_on: Mapped[date | None] = mapped_column(Date, index=True)
    due_on: Mapped[date | None] = mapped_column(Date)  # the appointment judged against (original one)
    closed_on: Mapped[date | None] = mapped_column(Date)  # None while open
    outcome: Mapped[str | None] = mapped_column(String(16))  # early|on_time|late|withdrawn|returned|refused
    late_days: Mapped[int | None] = mapped_column(Integer)  # working days late, resolved late only
    apology_ok: Mapped[bool] = mapped_column(Boolean, default=False)

    unit: Mapped[Unit | None] = relationship()
    procedure: Mapped[Procedure | None] = relationship()

    HANDLED = (7, 9, 10)
    PAUSED = (5, 6, 8)

    @property
    def is_open(self) -> bool:
        return self.status not in self.HANDLED and self.status != 3


class DossierMonth(Base):
    """Closed dossiers counted per month: a cache of the figures' own GROUP BY.

    One row per (month closed, month received, unit, field, channel, outcome,
    apology in time) with the number of dossiers. A dossier counted here is
    closed, so its class (``CLOSED_CLASS``) no longer depends on the day the
    question is asked; only a save can change it, and every save refreshes the
    months it touched (handlers.dossiers.rollup). Period figures read whole
    months from here, so a year costs a few hundred rows instead of every
    dossier closed in it. Rows are only ever written by :func:`month_rollup`.
    """

    __tablename__ = "dossier_month"
    __table_args__ = (
        # Every column a figure reads, after the month: whole months are read from the index alone.
        Index("ix_dossier_month_closed", "closed_ym", "outcome", "channel", "apology_ok", "received_ym", "unit_id",
              "field", "n"),
        Index("ix_dossier_month_unit", "unit_id", "closed_ym"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    closed_ym: Mapped[int] = mapped_column(Integer)  # year * 100 + month of closed_on
    received_ym: Mapped[int | None] = mapped_column(Integer)  # the same of received_on (carried over or not)
    unit_id: Mapped[int | None] = mapped_column(Integer)  # Dossier.unit_id (no FK: a cache, rebuilt at will)
    field: Mapped[str | None] = mapped_column(String(255))
    channel: Mapped[str | None] = mapped_column(String(16))
    outcome: Mapped[str | None] = mapped_column(String(16))
    apology_ok: Mapped[bool | None] = mapped_column(Boolean)
    n: Mapped[int] = mapped_column(Integer)


#: What a closed dossier is counted as: the stored outcome, the channel it came
#: by, and whether an apology was issued in time. The live figures
#: (handlers.dossiers.figures) group closed dossiers by exactly these columns,
#: and the monthly roll-up is the same GROUP BY per month, so the two cannot
#: disagree. Here, not in handlers/, because migration 0006 backfills with it.
CLOSED_CLASS = (Dossier.__table__.c.outcome, Dossier.__table__.c.channel, Dossier.__table__.c.apology_ok)
#: The roll-up's other dimensions: what figures are grouped or scoped by.
ROLLUP_KEYS = (Dossier.__table__.c.unit_id, Dossier.__table__.c.field)


def year_month(column):
    """``year * 100 + month`` of a date column, in SQL (extract() is portable)."""
    return extract("year", column) * 100 + extract("month", column)


def month_rollup(where) -> Select:
    """The roll-up rows of the closed dossiers matching ``where`` (a range of closed_on):
    the figures' GROUP BY per month, ready for ``insert(DossierMonth).from_select``."""
    d = Dossier.__table__.c
    closed, received = year_month(d.closed_on), year_month(d.received_on)
    keys = (closed, received, *ROLLUP_KEYS, *CLOSED_CLASS)
    return select(*keys, func.count()).where(d.closed_on.is_not(None), where).group_by(*keys)


ROLLUP_COLUMNS = ("closed_ym", "received_ym", "unit_id", "field", "outcome", "channel", "apology_ok", "n")


DEFAULT_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def _local_date(value: datetime | None, tz: ZoneInfo) -> date | None:
    if value is None:
        return None
    if value.tzinfo is None:  # naive = already local wall clock (exports)
        return value.date()
    return value.astimezone(tz).date()


def derive_dates(received_at: datetime | None, due_at: datetime | None, original_due_at: datetime | None,
                 resolved_at: datetime | None, returned_at: datetime | None, status: int | None,
                 apology_at: datetime | None, tz: ZoneInfo = DEFAULT_TZ) -> dict:
    """The date-only facts the provincial rules classify by (see
    handlers.dossiers.figures for the rules). Pure: no working-day calendar,
    so the migration can backfill with it; ``late_days`` is filled by the
    caller that has the calendar."""
    received = _local_date(received_at, tz)
    due = _local_date(original_due_at or due_at, tz)
    closed: date | None = None
    outcome: str | None = None
    if status in (9, 10):
        closed = _local_date(resolved_at or returned_at, tz)
        if closed is not None:
            outcome = "on_time" if due is None or closed == due else ("early" if closed < due else "late")
    elif status in (7, 3):
        closed = _local_date(resolved_at or returned_at or received_at, tz)
        if status == 7:
            outcome = "withdrawn"
        else:
            # Refused at reception: closed the day it came. Returned (trả lại)
            # after being taken in: closed on a later day.
            outcome = "returned" if closed and received and closed > received else "refused"
    apology = _local_date(apology_at, tz)
    return {"received_on": received, "due_on": due, "closed_on": closed, "outcome": outcome,
            "apology_ok": bool(apology is not None and due is not None and apology < due)}


def weekdays_between(a: date, b: date) -> int:
    """Monday–Friday days in (a, b]: the migration's stand-in for the working
    calendar (re-importing recomputes with the real calendar)."""
    n, d = 0, a
    while d < b:
        d += timedelta(days=1)
        n += d.weekday() < 5
    return n
