"""Units, people, their messenger identities, and invitations."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Column, ForeignKey, String, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, UTCDateTime, utcnow


class Role(StrEnum):
    LEADER = "leader"  # Giám đốc, Phó Giám đốc
    HEAD = "head"  # Trưởng phòng / Thủ trưởng đơn vị
    DEPUTY_HEAD = "deputy_head"
    STAFF = "staff"
    ADMIN = "admin"  # Văn phòng Sở, theo dõi CCHC


supervision = Table(
    "supervision",
    Base.metadata,
    Column("person_id", ForeignKey("person.id", ondelete="CASCADE"), primary_key=True),
    Column("unit_id", ForeignKey("unit.id", ondelete="CASCADE"), primary_key=True),
)


class Unit(Base):
    __tablename__ = "unit"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(32), default="division")
    aliases: Mapped[list[str]] = mapped_column(JSON, default=list)


class Person(Base):
    __tablename__ = "person"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    title: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    locale: Mapped[str] = mapped_column(String(8), default="vi")
    active: Mapped[bool] = mapped_column(default=True)
    demo_key: Mapped[str | None] = mapped_column(String(32), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    unit: Mapped[Unit | None] = relationship()
    supervised_units: Mapped[list[Unit]] = relationship(secondary=supervision)
    identities: Mapped[list["Identity"]] = relationship(back_populates="person", cascade="all, delete-orphan")

    @property
    def can_manage_all(self) -> bool:
        """Leaders and the office see and change everything."""
        return self.role in (Role.LEADER, Role.ADMIN)


class Identity(Base):
    """One messenger account of a person; a person may use several channels."""

    __tablename__ = "identity"
    __table_args__ = (UniqueConstraint("channel", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(64))
    chat_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    person: Mapped[Person] = relationship(back_populates="identities")


class Invite(Base):
    """A one-time registration code created by the office."""

    __tablename__ = "invite"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    title: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    supervised_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))

    unit: Mapped[Unit | None] = relationship()
