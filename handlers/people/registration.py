"""Invitations and registration by one-time code (``/start <code>``)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.core.context import Ctx
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
) -> NewInvite:
    """Create a single-use code; raises ValueError with a Vietnamese reason."""
    if role not in {r.value for r in Role}:
        raise ValueError(f"Vai trò không hợp lệ: {role!r} (leader, head, deputy_head, staff, admin).")
    unit = None
    if unit_code:
        unit = session.scalar(select(Unit).where(Unit.code == unit_code.upper()))
        if unit is None:
            codes = ", ".join(session.scalars(select(Unit.code).order_by(Unit.code)))
            raise ValueError(f"Không có đơn vị mã {unit_code!r}. Các mã hiện có: {codes}.")
    known = set(session.scalars(select(Unit.code)))
    unknown = [c for c in (s.strip().upper() for s in supervises or []) if c and c not in known]
    if unknown:
        raise ValueError(f"Không có đơn vị mã {', '.join(unknown)} (đơn vị phụ trách). "
                         f"Các mã hiện có: {', '.join(sorted(known))}.")
    code = "".join(secrets.choice(_ALPHABET) for _ in range(10))
    invite = Invite(
        code=code, name=name.strip(), title=title, role=role, unit_id=unit.id if unit else None,
        supervised_codes=[c.strip().upper() for c in supervises or [] if c.strip()],
        created_at=now, expires_at=now + timedelta(days=valid_days),
    )
    session.add(invite)
    session.flush()
    return NewInvite(code, invite.expires_at)


def deep_link(code: str, bot_username: str | None) -> str:
    if bot_username:
        return f"https://t.me/{bot_username.lstrip('@')}?start={code}"
    return f"start={code}"


def register(ctx: Ctx, code: str) -> Reply:
    """Turn a valid invite into a person bound to this messenger account."""
    invite = ctx.session.scalar(select(Invite).where(Invite.code == code.strip().upper()))
    if invite is None or invite.expires_at < ctx.now:
        ctx.audit("register_refused", "unknown or expired code")
        return Reply(_("This invitation code is not valid or has expired. Please ask the Department Office (Văn phòng Sở) for a new code."))
    if invite.used_at is not None:
        ctx.audit("register_refused", "code already used")
        return Reply(_("This invitation code has already been used. Each code works once; please ask the Department Office for a new one if you need it."))
    person = Person(name=invite.name, title=invite.title, role=invite.role, unit_id=invite.unit_id)
    if invite.supervised_codes:
        person.supervised_units = list(ctx.session.scalars(select(Unit).where(Unit.code.in_(invite.supervised_codes))))
    person.identities.append(Identity(channel=ctx.msg.channel, external_id=ctx.msg.sender_id, chat_id=ctx.msg.chat_id))
    ctx.session.add(person)
    ctx.session.flush()
    invite.used_at = ctx.now
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
