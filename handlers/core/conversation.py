"""The one question the bot is waiting for an answer to, per person.

When a flow asks something ("which date?", "why do you refuse?", "which
percentage?"), it records a :class:`Pending`: which flow asked (its id in the
registry), what it waits for, the flow's own data and when the question
expires. The router gives the person's next plain message (or file) to that
flow before anything else, so an answer is never captured by another feature
because of the order features were registered in — the idea of PTB's
``ConversationHandler`` (named states, a timeout), kept in the database so a
restart does not forget the question.

A command (``/viec`` …) abandons the question; a button does not, since the
question's own buttons ("Không ghi lý do") must keep working.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from handlers.core.context import Ctx
from handlers.core.state import get_state, set_state

STATE_KEY = "pending"
DEFAULT_TTL = timedelta(minutes=30)


@dataclass(frozen=True)
class Pending:
    """A question the bot asked and is waiting for."""

    flow: str  # the registry id of the flow that owns the answer, e.g. "extension.date"
    waits_for: str  # what the answer should be: "date", "reason", "percent", …
    expires_at: datetime
    data: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"flow": self.flow, "waits_for": self.waits_for, "expires_at": self.expires_at.isoformat(),
                "data": self.data}

    @classmethod
    def from_json(cls, raw: Any) -> Pending | None:
        if not isinstance(raw, dict) or "flow" not in raw or "expires_at" not in raw:
            return None
        try:
            expires = datetime.fromisoformat(raw["expires_at"])
        except (TypeError, ValueError):
            return None
        return cls(flow=str(raw["flow"]), waits_for=str(raw.get("waits_for", "")), expires_at=expires,
                   data=dict(raw.get("data") or {}))


def ask(ctx: Ctx, flow: str, waits_for: str, ttl: timedelta = DEFAULT_TTL, **data: Any) -> Pending:
    """Record that ``flow`` waits for the person's next message (replacing any older question)."""
    pending = Pending(flow=flow, waits_for=waits_for, expires_at=ctx.now + ttl, data=data)
    set_state(ctx, STATE_KEY, pending.to_json())
    return pending


def current(ctx: Ctx, flow: str | None = None) -> Pending | None:
    """The person's open question (of ``flow`` when given); an expired one is dropped."""
    if ctx.person is None:
        return None
    pending = Pending.from_json(get_state(ctx, STATE_KEY))
    if pending is None:
        return None
    if pending.expires_at <= ctx.now:
        set_state(ctx, STATE_KEY, None)
        return None
    if flow is not None and not pending.flow.startswith(flow):
        return None
    return pending


def clear(ctx: Ctx, flow: str | None = None) -> None:
    """Forget the open question (only ``flow``'s, when given)."""
    if ctx.person is None:
        return
    raw = get_state(ctx, STATE_KEY)
    if raw is None:
        return
    pending = Pending.from_json(raw)
    if flow is None or pending is None or pending.flow.startswith(flow):
        set_state(ctx, STATE_KEY, None)
