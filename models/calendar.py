"""Days off and make-up working days the office enters in chat (/ngaynghi).

The shipped calendar table holds only announced days; when the government
announces a new schedule (Tết bridge days, swapped days), the office adds it
here without editing files, and the working calendar merges these rows over
the table.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime, utcnow


class OfficeDay(Base):
    """One office calendar entry: ``kind`` is ``off`` (day off), ``work`` (make-up
    working day) or ``confirmed`` (the year's schedule is announced; ``day`` is 1 January)."""

    __tablename__ = "office_day"
    __table_args__ = (UniqueConstraint("day", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    kind: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
