"""Per-message context handed to every feature handler."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from handlers.core.messages import IncomingMessage
from models.audit import AuditLog
from models.org import Person
from settings import Settings


@dataclass
class Ctx:
    """What a handler needs: the open session, who is speaking, and 'now'.

    ``now`` comes from the core's injectable clock, so tests and ``--now``
    decide what "today" is.
    """

    session: Session
    msg: IncomingMessage
    person: Person | None
    now: datetime
    settings: Settings
    notes: list[str] = field(default_factory=list)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.settings.timezone)

    @property
    def today(self) -> date:
        return self.now.astimezone(self.tz).date()

    def audit(self, action: str, detail: str | None = None) -> None:
        self.session.add(
            AuditLog(
                at=self.now,
                person_id=self.person.id if self.person else None,
                channel=self.msg.channel,
                sender_id=self.msg.sender_id,
                action=action,
                detail=(detail or "")[:1000] or None,
            )
        )
