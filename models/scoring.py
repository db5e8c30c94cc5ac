"""Index frameworks, their criteria and the scores the office enters.

The frameworks themselves are versioned YAML files; these tables record
which framework is in force and the figures that are not computed from data
(manual self-assessment with evidence, appraisal, survey results).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Float, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime, utcnow


class Framework(Base):
    __tablename__ = "framework"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    province: Mapped[str | None] = mapped_column(String(128))
    year: Mapped[int | None]
    active: Mapped[bool] = mapped_column(default=False)


class Criterion(Base):
    __tablename__ = "criterion"
    __table_args__ = (UniqueConstraint("framework_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(ForeignKey("framework.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(32))
    parent_code: Mapped[str | None] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(Text)
    max_points: Mapped[float] = mapped_column(Float)
    responsible_unit: Mapped[str | None] = mapped_column(String(16))
    rule: Mapped[dict | None] = mapped_column(JSON)


class Assessment(Base):
    """A score entered by a person: kind is manual, appraised or survey."""

    __tablename__ = "assessment"

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_key: Mapped[str] = mapped_column(String(64), index=True)
    year: Mapped[int]
    criterion_code: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16), default="manual")
    points: Mapped[float] = mapped_column(Float)
    evidence: Mapped[list[str]] = mapped_column(JSON, default=list)
    note: Mapped[str | None] = mapped_column(Text)
    entered_by: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
