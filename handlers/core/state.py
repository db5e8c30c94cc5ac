"""What the bot remembers about a conversation, one small dict per person.

Features keep their own key ("last_query", "import_draft", …) so they
never overwrite each other's state. The session-level functions serve code
that writes for a person outside their own message (the planner numbering a
reminder's tasks).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from handlers.core.context import Ctx
from models.audit import ConversationState


def read(session: Session, person_id: int, key: str) -> Any:
    row = session.get(ConversationState, person_id)
    return (row.state or {}).get(key) if row else None


def write(session: Session, person_id: int, key: str, value: Any, now: datetime) -> None:
    """Store ``value`` under ``key``; ``None`` removes the key."""
    row = session.get(ConversationState, person_id)
    data = dict(row.state or {}) if row else {}
    if value is None:
        data.pop(key, None)
    else:
        data[key] = value
    if row is None:
        session.add(ConversationState(person_id=person_id, state=data, updated_at=now))
    else:
        row.state = data
        row.updated_at = now


def get_state(ctx: Ctx, key: str) -> Any:
    assert ctx.person is not None
    return read(ctx.session, ctx.person.id, key)


def set_state(ctx: Ctx, key: str, value: Any) -> None:
    assert ctx.person is not None
    write(ctx.session, ctx.person.id, key, value, ctx.now)
