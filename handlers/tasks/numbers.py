"""Short numbers for tasks, so a head can answer "việc 3 xong 80%" or "3 xong".

The numbers are those of the last list the person was shown (``/viec``, or a
grouped reminder), remembered with the person, so a reply typed later on any
channel — with or without reply-to — still finds the task it meant.
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy.orm import Session

from handlers.core import state
from handlers.core.context import Ctx
from handlers.text.fold import fold

STATE_KEY = "task_numbers"
MAX_REMEMBERED = 200

# "việc 3 xong 80%", "viec so 3: 80%", "nv 3 - đã ban hành KH", "#3 xong"
_WITH_WORD = re.compile(r"^(?:viec|nhiem vu|nv|task)\s*(?:so\s*)?#?(\d{1,3})\s*[:.,)\-–]?\s*(.*)$")
# "3 xong", "3: 80%", "3. hoàn thành" — a bare number only with a progress word after it
_BARE = re.compile(r"^#?(\d{1,3})\s*[:.,)\-–]?\s+(.+)$")


def remember(session: Session, person_id: int, refs: list[str], now: datetime) -> None:
    """Number ``refs`` 1, 2, 3 … for this person (replacing the previous numbering)."""
    state.write(session, person_id, STATE_KEY, {"refs": refs[:MAX_REMEMBERED], "at": now.isoformat()}, now)


def remembered(ctx: Ctx) -> tuple[list[str], datetime | None]:
    """The numbered refs of the last list shown with ``/viec``, and when it was shown."""
    raw = state.get_state(ctx, STATE_KEY) or {}
    if not isinstance(raw, dict):
        return [], None
    return list(raw.get("refs") or []), datetime.fromisoformat(raw["at"]) if raw.get("at") else None


def split_numbered(text: str) -> tuple[int, str, bool] | None:
    """(number, the rest, named with a word like "việc") from a numbered reply, else None."""
    key = " ".join(fold(text).split())
    m = _WITH_WORD.match(key)
    if m:
        return int(m.group(1)), _rest(text, m.start(2)), True
    m = _BARE.match(key)
    if m:
        return int(m.group(1)), _rest(text, m.start(2)), False
    return None


def _rest(original: str, folded_start: int) -> str:
    """The rest of the original text (diacritics kept): folding keeps one character per character."""
    squeezed = " ".join(original.split())
    return squeezed[folded_start:].strip()
