"""The outbox: every message the bot sends on its own initiative.

The database, not a scheduler's memory, holds what is due; the unique
idempotency key makes planning the same reminder twice a no-op, so restarts
and re-plans neither lose nor duplicate messages.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime, utcnow


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    DEAD = "dead"  # kept failing; the office is told
    CANCELLED = "cancelled"  # stale (deadline changed, task done)
    BUNDLED = "bundled"  # a task's reminder sent inside its person's round message (never sent alone)


class Notification(Base):
    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_status_due", "status", "not_before"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    idem_key: Mapped[str] = mapped_column(String(255), unique=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"), index=True)
    kind: Mapped[str] = mapped_column(String(32))  # reminder | dossier_alert | digest | extension | system
    subject_ref: Mapped[str | None] = mapped_column(String(64), index=True)  # task:12, occ:4, dossier:88
    payload: Mapped[dict] = mapped_column(JSON)  # rendered Reply: text, buttons, attachment
    not_before: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SentMessage(Base):
    """Which bot message was about what, so a reply to it finds its task."""

    __tablename__ = "sent_message"
    __table_args__ = (Index("ix_sent_message_lookup", "channel", "chat_id", "message_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(64))
    message_id: Mapped[str] = mapped_column(String(64))
    context_ref: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
