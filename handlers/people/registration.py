"""Invitations and registration by one-time code (``/start <code>``)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from handlers.core.context import Ctx
from handlers.core.inputs import clean_text, too_long
from handlers.text.i18n import _
from handlers.core.messages import Reply
from models.org import Identity, Invite, Person, Role, Unit

# No look-alike characters: codes are read aloud and typed on phones.
_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


@dataclass(frozen=True)
class NewInvite:
    code: str
    expires_at: datetime


def create_invite(
    session: Session,
    *,
    name: str,
    role: str,
    unit_code: str | None,
    now: datetime,
    valid_days: int,
    title: str | None = None,
    supervises: list[str] | None = None,
    for_person: Person | None = None,
) -> NewInvite:
    """Create a single-use code; raises ValueError with a Vietnamese reason.

    ``for_person`` re-invites an existing (e.g. deactivated) person: the
    code then reactivates that record, with its history, instead of creating
    a new one.
    """
    if role not in {r.value for r in Role}:
        raise ValueError(f"Vai trò không hợp lệ: {role!r} (leader, head, deputy_head, staff, admin).")
    name = " ".join((clean_text(name) or "").split())
    if not name:
        raise ValueError("Chưa có họ tên người được mời. Vui lòng ghi họ tên sau vai trò.")
    for value, column, what in ((name, Invite.name, "Họ tên"), (title, Invite.title, "Chức danh")):
        limit = too_long(value, column)
        if limit is not None:
            raise ValueError(f"{what} dài {len(value)} ký tự, vượt quá {limit} ký tự cho phép. "
                             "Vui lòng ghi ngắn gọn hơn.")
    unit = None
    if unit_code:
        unit = session.scalar(select(Unit).where(Unit.code == unit_code.upper()))
        if unit is None:
            codes = ", ".join(session.scalars(select(Unit.code).order_by(Unit.code)))
            shown = unit_code if len(unit_code) <= 20 else unit_code[:20] + "…"
            raise ValueError(f"Không có đơn vị mã {shown!r}. Các mã hiện có: {codes}.")
    supervised = [c.strip().upper() for c in supervises or [] if c.strip()]
    if supervised:
        known = set(session.scalars(select(Unit.code).where(Unit.code.in_(supervised))))
        unknown = [c for c in supervised if c not in known]
        if unknown:
            raise ValueError(f"Không có đơn vị mã {', '.join(unknown)} (đơn vị phụ trách).")
    code = "".join(secrets.choice(_ALPHABET) for _ in range(10))
    invite = Invite(
        code=code, name=name, title=title, role=role, unit_id=unit.id if unit else None,
        supervised_codes=supervised, created_at=now, expires_at=now + timedelta(days=valid_days),
        person_id=for_person.id if for_person is not None else None,
    )
    session.add(invite)
    session.flush()
    return NewInvite(code, invite.expires_at)


def claim(session: Session, invite: Invite, now: datetime) -> bool:
    """Mark ``invite`` used in one conditional UPDATE; True for exactly one caller.

    Reading ``used_at`` and then writing it lets two people who send the same
    code at once both pass the read. The database decides instead: the
    UPDATE only matches while the code is unused and unexpired, PostgreSQL's
    row lock makes a concurrent claim wait and then match nothing, and
    SQLite serialises writers. The loser is told the code was used.
    """
    result = session.execute(
        update(Invite)
        .where(Invite.id == invite.id, Invite.used_at.is_(None), Invite.expires_at >= now)
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return False
    invite.used_at = now
    return True


def deep_link(code: str, bot_username: str | None) -> str:
    if bot_username:
        return f"https://t.me/{bot_username.lstrip('@')}?start={code}"
    return f"start={code}"


def register(ctx: Ctx, code: str) -> Reply:
    """Turn a valid invite into a person bound to this messenger account."""
    code = code.strip().upper()
    invite = ctx.session.scalar(select(Invite).where(Invite.code == code)) if len(code) <= 32 else None
    if invite is None or invite.expires_at < ctx.now:
        ctx.audit("register_refused", "unknown or expired code")
        return Reply(_("This invitation code is not valid or has expired. Please ask the Department Office (Văn phòng Sở) for a new code."))
    if invite.used_at is not None or not claim(ctx.session, invite, ctx.now):
        ctx.audit("register_refused", "code already used")
        return Reply(_("This invitation code has already been used. Each code works once; please ask the Department Office for a new one if you need it."))
    person = ctx.session.get(Person, invite.person_id) if invite.person_id is not None else None
    if person is None:
        person = Person(name=invite.name, title=invite.title, role=invite.role, unit_id=invite.unit_id)
        ctx.session.add(person)
    else:  # a re-invitation: the same record, with its history, comes back
        person.name, person.role, person.unit_id, person.active = invite.name, invite.role, invite.unit_id, True
        person.title = invite.title or person.title
    if invite.supervised_codes:
        person.supervised_units = list(ctx.session.scalars(select(Unit).where(Unit.code.in_(invite.supervised_codes))))
    # This messenger account may still belong to a deactivated person: it moves over.
    identity = ctx.session.scalar(select(Identity).where(
        Identity.channel == ctx.msg.channel, Identity.external_id == ctx.msg.sender_id))
    if identity is None:
        person.identities.append(Identity(channel=ctx.msg.channel, external_id=ctx.msg.sender_id, chat_id=ctx.msg.chat_id))
    else:
        identity.person = person
        identity.chat_id = ctx.msg.chat_id
    ctx.session.flush()
    invite.person_id = person.id
    ctx.person = person
    ctx.audit("registered", f"invite {invite.id}")
    unit = f" — {invite.unit.name}" if invite.unit else ""
    return Reply(
        _("Welcome, {name}{unit}. You are registered.").format(name=person.name, unit=unit)
        + "\n"
        + _("Type /viec to see your unit's tasks, or /huongdan for help.")
    )


def unregistered_reply() -> Reply:
    """What a stranger gets: how to get access, and nothing else."""
    return Reply(
        _("Hello. This assistant is for staff of the Department of Science and Technology only.")
        + "\n"
        + _("To use it, ask the Department Office (Văn phòng Sở) for an invitation code, then send: /start <code>.")
    )
