"""Conclusions, the tasks they assign, occurrences of recurring tasks, progress."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, Column, false, Date, ForeignKey, Index, Integer, LargeBinary, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, UTCDateTime, utcnow
from models.org import Person, Unit


class TaskStatus(StrEnum):
    OPEN = "open"  # chưa hoàn thành
    DONE = "done"  # đã hoàn thành
    CANCELLED = "cancelled"


class Recurrence(StrEnum):
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    YEARLY = "yearly"


task_support_unit = Table(
    "task_support_unit",
    Base.metadata,
    Column("task_id", ForeignKey("task.id", ondelete="CASCADE"), primary_key=True),
    Column("unit_id", ForeignKey("unit.id", ondelete="CASCADE"), primary_key=True),
)


# Several named leads of one item ("Thanh tra Sở và Chi cục TĐC thực hiện") stay
# co-leads: each is reminded and each may report; ``Task.lead_unit`` is the first.
task_co_lead_unit = Table(
    "task_co_lead_unit",
    Base.metadata,
    Column("task_id", ForeignKey("task.id", ondelete="CASCADE"), primary_key=True),
    Column("unit_id", ForeignKey("unit.id", ondelete="CASCADE"), primary_key=True),
)


class Conclusion(Base):
    """A Kết luận of the Director (or another assigning document)."""

    __tablename__ = "conclusion"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str | None] = mapped_column(String(64))  # 664/KL-SKH&CN
    number_key: Mapped[str | None] = mapped_column(String(16), index=True)  # 664
    issued_on: Mapped[date | None] = mapped_column(Date)
    signer: Mapped[str | None] = mapped_column(String(255))
    title: Mapped[str | None] = mapped_column(Text)
    content_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    source_file: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    tasks: Mapped[list["Task"]] = relationship(back_populates="conclusion")

    @property
    def label(self) -> str:
        return self.number or (f"KL ngày {self.issued_on:%d/%m/%Y}" if self.issued_on else "Kết luận")


class Task(Base):
    """An assigned task. One-off tasks carry their deadline and progress here;
    recurring ones carry them per occurrence (see TaskOccurrence)."""

    __tablename__ = "task"
    __table_args__ = (Index("ix_task_status_deadline", "status", "deadline"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conclusion_id: Mapped[int | None] = mapped_column(ForeignKey("conclusion.id"), index=True)
    ref: Mapped[str | None] = mapped_column(String(32))  # numbering as printed: 3, II.1.b
    external_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(Text)
    lead_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    all_units: Mapped[bool] = mapped_column(default=False)
    persons: Mapped[list[str]] = mapped_column(JSON, default=list)
    origin: Mapped[str] = mapped_column(String(16), default="internal")  # internal | ubnd | report
    deadline: Mapped[date | None] = mapped_column(Date, index=True)
    original_deadline: Mapped[date | None] = mapped_column(Date)
    recurrence: Mapped[str | None] = mapped_column(String(16))
    target: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=TaskStatus.OPEN)
    percent: Mapped[int] = mapped_column(Integer, default=0)
    completed_on: Mapped[date | None] = mapped_column(Date)
    source_ref: Mapped[str | None] = mapped_column(String(128))  # 664/KL-SKH&CN mục 3
    criterion_code: Mapped[str | None] = mapped_column(String(32))
    reminder_policy: Mapped[dict | None] = mapped_column(JSON)
    urgent: Mapped[bool] = mapped_column(default=False, server_default=false())  # "khẩn trương"
    external_units: Mapped[list[str] | None] = mapped_column(JSON)  # "Sở Nội vụ", … as a directive names them
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    conclusion: Mapped[Conclusion | None] = relationship(back_populates="tasks")
    lead_unit: Mapped[Unit | None] = relationship(foreign_keys=[lead_unit_id])
    support_units: Mapped[list[Unit]] = relationship(secondary=task_support_unit)
    co_lead_units: Mapped[list[Unit]] = relationship(secondary=task_co_lead_unit)

    @property
    def lead_units(self) -> list[Unit]:
        """The lead unit and its co-leads, in the order the document names them."""
        return ([self.lead_unit] if self.lead_unit else []) + [u for u in self.co_lead_units if u is not self.lead_unit]
    occurrences: Mapped[list["TaskOccurrence"]] = relationship(
        back_populates="task", cascade="all, delete-orphan", order_by="TaskOccurrence.deadline"
    )


class TaskOccurrence(Base):
    """One period of a recurring task (e.g. the November monthly report)."""

    __tablename__ = "task_occurrence"
    __table_args__ = (UniqueConstraint("task_id", "period_key"), Index("ix_occ_status_deadline", "status", "deadline"))

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"))
    period_key: Mapped[str] = mapped_column(String(16))  # 2026-11, 2026-Q4, 2026
    deadline: Mapped[date] = mapped_column(Date)
    original_deadline: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default=TaskStatus.OPEN)
    percent: Mapped[int] = mapped_column(Integer, default=0)
    completed_on: Mapped[date | None] = mapped_column(Date)

    task: Mapped[Task] = relationship(back_populates="occurrences")


class ProgressUpdate(Base):
    __tablename__ = "progress_update"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"), index=True)
    occurrence_id: Mapped[int | None] = mapped_column(ForeignKey("task_occurrence.id", ondelete="CASCADE"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    percent: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)

    person: Mapped[Person | None] = relationship()


class Evidence(Base):
    """A file proving progress (tài liệu kiểm chứng), kept in the database so
    a backup of one file holds everything."""

    __tablename__ = "evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("task.id", ondelete="SET NULL"), index=True)
    progress_id: Mapped[int | None] = mapped_column(ForeignKey("progress_update.id", ondelete="SET NULL"))
    criterion_code: Mapped[str | None] = mapped_column(String(32), index=True)
    file_name: Mapped[str] = mapped_column(String(255))
    mime_type: Mapped[str | None] = mapped_column(String(128))
    size: Mapped[int] = mapped_column(Integer, default=0)
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes | None] = mapped_column(LargeBinary)
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ExtensionRequest(Base):
    """Xin gia hạn: decided by the deputy director who supervises the unit."""

    __tablename__ = "extension_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"), index=True)
    occurrence_id: Mapped[int | None] = mapped_column(ForeignKey("task_occurrence.id", ondelete="CASCADE"))
    requested_by: Mapped[int] = mapped_column(ForeignKey("person.id"))
    proposed_deadline: Mapped[date] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending | approved | rejected
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    task: Mapped[Task] = relationship()


class TaskNumber(Base):
    """A task's short number for one person ("việc 3 xong 80%"), kept while it is open.

    Its own table rather than the conversation state: the planner numbers a
    round's tasks while the person may be mid-conversation, and neither write
    may undo the other.
    """

    __tablename__ = "task_number"
    __table_args__ = (UniqueConstraint("person_id", "number"),)

    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), primary_key=True)
    ref: Mapped[str] = mapped_column(String(40), primary_key=True)  # "task:42", "occ:7"
    number: Mapped[int] = mapped_column(Integer)
    shown_on: Mapped[date] = mapped_column(Date)  # last shown with its number; freed KEEP_DAYS after it closes
