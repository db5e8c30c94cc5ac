"""Administrative procedures (TTHC) and the dossiers citizens file for them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, UTCDateTime, utcnow
from models.org import Unit


class Procedure(Base):
    __tablename__ = "procedure"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(500), unique=True)
    field: Mapped[str | None] = mapped_column(String(255))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    processing_days: Mapped[int | None] = mapped_column(Integer)
    online_level: Mapped[str | None] = mapped_column(String(32))

    unit: Mapped[Unit | None] = relationship()


class Dossier(Base):
    """One hồ sơ TTHC. Times are UTC; classification is by local date."""

    __tablename__ = "dossier"
    __table_args__ = (
        Index("ix_dossier_unit_due", "unit_id", "due_at"),
        Index("ix_dossier_status_due", "status", "due_at"),
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

    unit: Mapped[Unit | None] = relationship()
    procedure: Mapped[Procedure | None] = relationship()

    HANDLED = (7, 9, 10)
    PAUSED = (5, 6, 8)

    @property
    def is_open(self) -> bool:
        return self.status not in self.HANDLED and self.status != 3
