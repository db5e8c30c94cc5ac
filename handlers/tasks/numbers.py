"""Short numbers for tasks, so a head can answer "việc 3 xong 80%" or "3 xong".

Each person has their own numbers, and a task keeps its number while it is
open: the ``/viec`` list, a reminder round and a single reminder all show the
same number for the same task. So a reply typed later, on any channel and
without reply-to (Zalo has none), finds the task it meant even when newer
messages came in between — not only the latest one. A task is numbered when
it is first shown (a first ``/viec`` reads 1, 2, 3 …); its number is freed
for reuse only after the task has left the person's open list and has not
been shown for :data:`KEEP_DAYS` days, so an older message's number never
points at another task the next morning.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from handlers.text.fold import fold
from models.tasks import TaskNumber

KEEP_DAYS = 14
MAX_NUMBERS = 999  # what "việc 123" can name

# "việc 3 xong 80%", "viec so 3: 80%", "nv 3 - đã ban hành KH", "#3 xong"
_WITH_WORD = re.compile(r"^(?:viec|nhiem vu|nv|task)\s*(?:so\s*)?#?(\d{1,3})\s*[:.,)\-–]?\s*(.*)$")
# "3 xong", "3: 80%", "3. hoàn thành" — a bare number only with a progress word after it
_BARE = re.compile(r"^#?(\d{1,3})\s*[:.,)\-–]?\s+(.+)$")


def assign(session: Session, person_id: int, refs: list[str], now: datetime,
           open_refs: set[str] | None = None) -> list[int]:
    """The person's number for each of ``refs`` (new ones get the lowest free number).

    ``open_refs``: every task still open for the person (``/viec`` knows it);
    numbers of other tasks not shown for :data:`KEEP_DAYS` are then freed.
    Two writers numbering the same person at once (the planner and the
    person's own ``/viec``) may pick the same free number: the loser retries.
    """
    for attempt in range(3):
        try:
            with session.begin_nested():
                return _assign(session, person_id, refs, now.date(), open_refs)
        except IntegrityError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _assign(session: Session, person_id: int, refs: list[str], today: date, open_refs: set[str] | None) -> list[int]:
    rows = {row.ref: row for row in session.scalars(select(TaskNumber).where(TaskNumber.person_id == person_id))}
    if open_refs is not None:
        stale = today - timedelta(days=KEEP_DAYS)
        for ref, row in list(rows.items()):
            if ref not in open_refs and row.shown_on < stale:
                session.delete(rows.pop(ref))
        session.flush()
    used = {row.number for row in rows.values()}
    free = (n for n in range(1, MAX_NUMBERS + 1) if n not in used)
    for ref in dict.fromkeys(refs):
        row = rows.get(ref)
        if row is None:
            number = next(free, None)
            if number is None:  # a thousand numbered tasks for one person: the longest unseen gives way
                oldest = min((r for r in rows.values() if r.ref not in refs), key=lambda r: r.shown_on)
                number = oldest.number
                session.delete(rows.pop(oldest.ref))
                session.flush()
            row = rows[ref] = TaskNumber(person_id=person_id, ref=ref, number=number, shown_on=today)
            session.add(row)
        row.shown_on = today
    session.flush()
    return [rows[ref].number for ref in refs]


def ref_of(session: Session, person_id: int, number: int) -> str | None:
    """The task the person's number stands for, if any."""
    return session.scalar(select(TaskNumber.ref).where(TaskNumber.person_id == person_id,
                                                       TaskNumber.number == number))


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
