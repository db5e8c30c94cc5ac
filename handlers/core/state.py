"""What the bot remembers about a conversation, one small dict per person.

Features keep their own key ("last_query", "import_draft", …) so they
never overwrite each other's state.
"""

from __future__ import annotations

from typing import Any

from handlers.core.context import Ctx
from models.audit import ConversationState


def _row(ctx: Ctx) -> ConversationState | None:
    assert ctx.person is not None
    return ctx.session.get(ConversationState, ctx.person.id)


def get_state(ctx: Ctx, key: str) -> Any:
    row = _row(ctx)
    return (row.state or {}).get(key) if row else None


def set_state(ctx: Ctx, key: str, value: Any) -> None:
    """Store ``value`` under ``key``; ``None`` removes the key."""
    row = _row(ctx)
    data = dict(row.state or {}) if row else {}
    if value is None:
        data.pop(key, None)
    else:
        data[key] = value
    if row is None:
        ctx.session.add(ConversationState(person_id=ctx.person.id, state=data, updated_at=ctx.now))
    else:
        row.state = data
        row.updated_at = ctx.now
