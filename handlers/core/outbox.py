"""Putting messages into the outbox, and reading them back as replies.

Every message the bot sends on its own (reminders, alerts, digests, answers
to an extension request) is a Notification row first. Rows are inserted with
INSERT … ON CONFLICT DO NOTHING on the unique ``idem_key``, so planning the
same message twice — two ticks, two processes, a retried handler — is a no-op
on SQLite and PostgreSQL alike, without aborting the caller's transaction.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from handlers.core.messages import Attachment, Button, Reply
from models.base import utcnow
from models.org import Person, Role
from models.outbox import Notification, OutboxStatus

# Kinds the dispatcher holds back outside working hours. Messages caused by a
# person's own action (an extension request, its answer, a dead-letter note to
# the office) go out at once.
OFFICE_HOURS_KINDS = ("reminder", "dossier_alert", "digest")

_CHUNK = 500


def reply_payload(reply: Reply, more: Sequence[Reply] = (), **meta: Any) -> dict:
    """JSON form of a reply (plus follow-up replies) as stored in the outbox.

    ``meta`` keeps facts the dispatcher re-checks at send time (e.g. the
    deadline a reminder was planned for), so a stale message is dropped.
    """
    payload = _one(reply)
    if more:
        payload["more"] = [_one(r) for r in more]
    if reply.context_ref:
        payload["context_ref"] = reply.context_ref
    payload.update(meta)
    return payload


def _one(reply: Reply) -> dict:
    data: dict[str, Any] = {
        "text": reply.text,
        "buttons": [[_button(b) for b in row] for row in reply.buttons],
    }
    if reply.context_ref:
        data["context_ref"] = reply.context_ref
    att = reply.attachment
    if att is not None:
        data["attachment"] = {
            "file_name": att.file_name, "mime_type": att.mime_type, "kind": att.kind,
            "data_b64": base64.b64encode(att.data or b"").decode("ascii"),
        }
    return data


def _button(button: Button) -> dict:
    data = {"label": button.label, "data": button.data}
    if button.shortcut:
        data["shortcut"] = True
    return data


def payload_replies(payload: dict) -> list[Reply]:
    """The replies a payload stands for, in sending order."""
    return [_reply(payload), *(_reply(p) for p in payload.get("more", []))]


def _reply(data: dict) -> Reply:
    att = data.get("attachment")
    attachment = None
    if att:
        raw = base64.b64decode(att.get("data_b64") or "")
        attachment = Attachment(file_name=att["file_name"], mime_type=att.get("mime_type"), data=raw,
                                size=len(raw), kind=att.get("kind", "document"))
    buttons = [[Button(b["label"], b["data"], bool(b.get("shortcut"))) for b in row] for row in data.get("buttons", [])]
    return Reply(text=data.get("text", ""), buttons=buttons, attachment=attachment, context_ref=data.get("context_ref"))


def notification_row(
    idem_key: str, person_id: int | None, kind: str, payload: dict, not_before: datetime,
    subject_ref: str | None = None,
) -> dict:
    """A row for :func:`enqueue` (plain dict, so thousands insert in one statement)."""
    return {
        "idem_key": idem_key[:255], "person_id": person_id, "kind": kind, "subject_ref": subject_ref,
        "payload": payload, "not_before": not_before, "status": OutboxStatus.PENDING.value, "attempts": 0,
        "created_at": utcnow(),
    }


def _insert_ignore(session: Session):
    """The dialect's INSERT with ON CONFLICT DO NOTHING support."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


def enqueue(session: Session, rows: Iterable[dict]) -> int:
    """Insert notification rows, skipping keys already present; returns rows inserted."""
    rows = list(rows)
    if not rows:
        return 0
    insert = _insert_ignore(session)
    added = 0
    for i in range(0, len(rows), _CHUNK):
        chunk = rows[i: i + _CHUNK]
        stmt = (insert(Notification).values(chunk).on_conflict_do_nothing(index_elements=["idem_key"])
                .returning(Notification.id))
        added += len(session.execute(stmt).all())  # rowcount is not reliable for multi-row inserts
    return added


def existing_keys(session: Session, keys: Iterable[str]) -> set[str]:
    """Which of ``keys`` are already in the outbox (to skip re-rendering known rows)."""
    keys = list(keys)
    found: set[str] = set()
    for i in range(0, len(keys), _CHUNK):
        chunk = keys[i: i + _CHUNK]
        found.update(session.scalars(select(Notification.idem_key).where(Notification.idem_key.in_(chunk))))
    return found


def cancel_pending(session: Session, subject_ref: str, kinds: Sequence[str] = ("reminder",)) -> int:
    """Cancel not-yet-sent messages about ``subject_ref`` (task done, deadline moved)."""
    stmt = (
        update(Notification)
        .where(Notification.subject_ref == subject_ref, Notification.status == OutboxStatus.PENDING,
               Notification.kind.in_(list(kinds)))
        .values(status=OutboxStatus.CANCELLED)
        .execution_options(synchronize_session=False)
    )
    return session.execute(stmt).rowcount or 0


def office_people(session: Session) -> list[Person]:
    """The office (role admin): told about undeliverable messages."""
    return list(session.scalars(
        select(Person).where(Person.role == Role.ADMIN, Person.active.is_(True)).order_by(Person.id)))
