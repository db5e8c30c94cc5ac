"""People administration for the office (Văn phòng Sở), in chat and on the CLI.

The office are clerks, not technicians: who has registered, who has not,
re-sending or withdrawing an invitation, deactivating someone who left,
moving a person to another unit or role, and which units a deputy director
supervises are all done here in chat:

* ``/nguoi`` lists people and invitations with their registration state;
  "ai chưa đăng ký" lists only those who have not registered.
* ``/nguoi 12`` shows one person (``/nguoi m5`` one invitation) with buttons
  for what can be changed.
* ``/phutrach 12 QLCN,TDC`` sets the units a deputy director supervises.

Every change is shown first and applied only after "Xác nhận" (button data
ending in ``:yes``), and is written to the audit log. Every step checks
that the person pressing is the office, so a forged button from anyone else
reveals nothing. The CLI calls :func:`people_report`, :func:`deactivate`
and :func:`reactivate` with a session.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from handlers.core.context import Ctx
from handlers.core.messages import Button, Reply
from handlers.people.invites import ROLE_WORDS
from handlers.people.registration import create_invite, deep_link
from handlers.text.fold import fold
from handlers.text.i18n import _, fmt_date
from models.audit import AuditLog
from models.org import Invite, Person, Role, Unit

PREFIX = "adm"
#: A withdrawn code is marked expired just before now (no schema change; the audit log says why).
REVOKED = timedelta(seconds=1)


def role_label(role: str) -> str:
    return {
        Role.LEADER: _("Department leader"),
        Role.HEAD: _("Head of unit"),
        Role.DEPUTY_HEAD: _("Deputy head of unit"),
        Role.STAFF: _("Staff"),
        Role.ADMIN: _("Department Office (administrator)"),
    }.get(role, role)


CHANNEL_NAMES = {"telegram": "Telegram", "zalo": "Zalo", "console": "console"}


# ------------------------------------------------------------------ shared with the CLI

@dataclass(frozen=True)
class Listing:
    """People and invitations, grouped by registration state."""

    registered: list[Person]
    not_reachable: list[Person]  # active, but no messenger account bound (never registered)
    inactive: list[Person]
    pending: list[Invite]
    expired: list[Invite]


def listing(session: Session, now: datetime) -> Listing:
    people = list(session.scalars(select(Person).options(selectinload(Person.identities), selectinload(Person.unit))
                                  .order_by(Person.unit_id, Person.name)))
    unused = list(session.scalars(select(Invite).where(Invite.used_at.is_(None)).options(selectinload(Invite.unit))
                                  .order_by(Invite.created_at)))
    return Listing(
        registered=[p for p in people if p.active and p.identities],
        not_reachable=[p for p in people if p.active and not p.identities],
        inactive=[p for p in people if not p.active],
        pending=[i for i in unused if i.expires_at >= now],
        expired=[i for i in unused if i.expires_at < now],
    )


def _unit_code(unit: Unit | None) -> str:
    return unit.code if unit is not None else "—"


def person_line(p: Person) -> str:
    channels = ", ".join(sorted({CHANNEL_NAMES.get(i.channel, i.channel) for i in p.identities}))
    line = f"#{p.id} {p.name} — {role_label(p.role)}, {_unit_code(p.unit)}"
    return line + (f" ({channels})" if channels else "")


def invite_line(i: Invite) -> str:
    return _("invitation m{id}: {name} — {role}, {unit}, valid until {date}").format(
        id=i.id, name=i.name, role=role_label(i.role), unit=_unit_code(i.unit), date=fmt_date(i.expires_at))


def people_report(session: Session, now: datetime, *, only_unregistered: bool = False) -> str:
    """The list as text (chat and CLI): registered, not registered, deactivated."""
    found = listing(session, now)
    lines: list[str] = []
    if not only_unregistered:
        lines.append(_("*Registered ({n})*").format(n=len(found.registered)))
        lines += [f"• {person_line(p)}" for p in found.registered] or [_("(nobody yet)")]
    waiting = len(found.pending) + len(found.not_reachable)
    lines.append(_("*Not registered yet ({n})*").format(n=waiting))
    lines += [f"• {invite_line(i)}" for i in found.pending]
    lines += [f"• {person_line(p)} — " + _("no messenger account") for p in found.not_reachable]
    if not waiting:
        lines.append(_("(nobody: every invitation has been used)"))
    if found.expired:
        lines.append(_("*Expired invitations, not used ({n})*").format(n=len(found.expired)))
        lines += [f"• {invite_line(i)}" for i in found.expired]
    if found.inactive and not only_unregistered:
        lines.append(_("*Deactivated ({n})*").format(n=len(found.inactive)))
        lines += [f"• {person_line(p)}" for p in found.inactive]
    return "\n".join(lines)


def find_person(session: Session, ref: str) -> Person:
    """A person by number ("12", "#12") or by full name (with or without diacritics).

    Raises ValueError with a Vietnamese line when there is none or several."""
    key = ref.strip().lstrip("#")
    if key.isdigit():
        person = session.get(Person, int(key))
        if person is None:
            raise ValueError(f"Không có người dùng số {key}. Gõ /nguoi (hoặc lệnh people) để xem danh sách.")
        return person
    wanted = fold(key)
    matches = [p for p in session.scalars(select(Person)) if fold(p.name) == wanted]
    if not matches:
        raise ValueError(f"Không tìm thấy người dùng tên «{key[:60]}». Gõ /nguoi (hoặc lệnh people) để xem danh sách.")
    if len(matches) > 1:
        ids = ", ".join(f"#{p.id}" for p in matches)
        raise ValueError(f"Có {len(matches)} người tên «{key[:60]}» ({ids}); vui lòng ghi số thay cho tên.")
    return matches[0]


def _audit(session: Session, now: datetime, action: str, detail: str, by: Person | None, channel: str,
           sender: str | None) -> None:
    session.add(AuditLog(at=now, person_id=by.id if by else None, channel=channel, sender_id=sender,
                         action=action, detail=detail[:1000]))


def deactivate(session: Session, ref: str, now: datetime, *, by: Person | None = None,
               channel: str = "cli", sender: str | None = None) -> str:
    """Deactivate a person (they then get only the stranger's reply); the Vietnamese result line."""
    person = find_person(session, ref)
    if by is not None and person.id == by.id:
        raise ValueError("Không thể tự ngừng hoạt động tài khoản của chính mình.")
    if not person.active:
        return f"{person.name} (#{person.id}) đã ngừng hoạt động từ trước."
    person.active = False
    _audit(session, now, "person_deactivated", f"#{person.id} {person.name}", by, channel, sender)
    return f"Đã ngừng hoạt động {person.name} (#{person.id}). Người này sẽ không nhận nhắc việc và không xem được dữ liệu."


def reactivate(session: Session, ref: str, now: datetime, *, by: Person | None = None,
               channel: str = "cli", sender: str | None = None) -> str:
    """Reactivate a person with their messenger accounts and history; the Vietnamese result line."""
    person = find_person(session, ref)
    if person.active:
        return f"{person.name} (#{person.id}) đang hoạt động."
    person.active = True
    _audit(session, now, "person_reactivated", f"#{person.id} {person.name}", by, channel, sender)
    if not person.identities:
        return (f"Đã kích hoạt lại {person.name} (#{person.id}). Người này chưa gắn tài khoản nhắn tin: "
                "hãy gửi lời mời mới (trong chat: /nguoi rồi chọn người này).")
    return f"Đã kích hoạt lại {person.name} (#{person.id})."


# ------------------------------------------------------------------ chat

def _is_office(ctx: Ctx) -> bool:
    return ctx.person is not None and ctx.person.role == Role.ADMIN and ctx.person.active


def _refused(ctx: Ctx, what: str) -> Reply:
    ctx.audit("admin_refused", what[:64])
    return Reply(_("Only the Department Office can manage people."))


def on_command(ctx: Ctx, args: str) -> Reply:
    """/nguoi — the list; /nguoi 12 — one person; /nguoi m5 — one invitation."""
    if not _is_office(ctx):
        return _refused(ctx, "nguoi")
    arg = args.strip()
    if not arg:
        return Reply(people_report(ctx.session, ctx.now) + "\n" + _hint())
    if arg.lower().startswith("m") and arg[1:].isdigit():
        return _invite_card(ctx, int(arg[1:]))
    try:
        person = find_person(ctx.session, arg)
    except ValueError as exc:
        return Reply(str(exc))
    return _person_card(ctx, person)


def _hint() -> str:
    return _("Type /nguoi <number> to see or change a person (e.g. /nguoi 3), /nguoi m<number> for an invitation.")


def on_text(ctx: Ctx) -> Reply | None:
    """"ai chưa đăng ký" (and close wordings) from the office: the unregistered list."""
    if not _is_office(ctx):
        return None
    key = fold(ctx.msg.text or "").strip(" ?.!")
    if key in ("ai chua dang ky", "nhung ai chua dang ky", "danh sach chua dang ky", "chua dang ky"):
        return Reply(people_report(ctx.session, ctx.now, only_unregistered=True) + "\n" + _hint())
    return None


def on_supervises(ctx: Ctx, args: str) -> Reply:
    """/phutrach <number> <unit codes|khong>: the units a deputy director supervises (confirmed first)."""
    if not _is_office(ctx):
        return _refused(ctx, "phutrach")
    parts = args.split(maxsplit=1)
    if len(parts) < 2:
        return Reply(_("To set the units a deputy director supervises: /phutrach <number> <unit codes>, e.g. /phutrach 4 QLCN,TDC (or \"khong\" for none)."))
    try:
        person = find_person(ctx.session, parts[0])
    except ValueError as exc:
        return Reply(str(exc))
    codes = _codes(parts[1])
    problem = _check_codes(ctx, codes)
    if problem:
        return Reply(problem)
    return on_button(ctx, f"sup:{person.id}:{','.join(codes) or '-'}")


def _codes(text: str) -> list[str]:
    if fold(text).strip() in ("khong", "-", "none"):
        return []
    return list(dict.fromkeys(c.strip().upper() for c in text.replace(";", ",").replace(" ", ",").split(",") if c.strip()))


def _check_codes(ctx: Ctx, codes: list[str]) -> str | None:
    known = set(ctx.session.scalars(select(Unit.code)))
    unknown = [c for c in codes if c not in known]
    if unknown:
        return _("Unknown unit codes: {codes}. Existing codes: {known}.").format(
            codes=", ".join(c[:16] for c in unknown[:5]), known=", ".join(sorted(known)))
    return None


def _person_card(ctx: Ctx, p: Person) -> Reply:
    lines = [person_line(p)]
    if p.role == Role.LEADER:
        sup = ", ".join(u.code for u in p.supervised_units) or _("none (the Director)")
        lines.append(_("Supervises: {units}").format(units=sup))
    lines.append(_("Status: {state}").format(state=_("active") if p.active else _("deactivated")))
    rows = []
    if p.active:
        rows.append([Button(_("⛔ Deactivate"), f"{PREFIX}:off:{p.id}")])
    else:
        rows.append([Button(_("✅ Reactivate"), f"{PREFIX}:on:{p.id}"),
                     Button(_("✉️ New invitation"), f"{PREFIX}:reinv:{p.id}")])
    rows.append([Button(_("Change unit"), f"{PREFIX}:unit:{p.id}"), Button(_("Change role"), f"{PREFIX}:role:{p.id}")])
    if p.role == Role.LEADER:
        lines.append(_("To change the supervised units: /phutrach {id} QLCN,TDC").format(id=p.id))
    return Reply("\n".join(lines), buttons=rows)


def _invite_card(ctx: Ctx, invite_id: int) -> Reply:
    invite = ctx.session.get(Invite, invite_id)
    if invite is None:
        return Reply(_("There is no invitation m{id}. Type /nguoi to see the list.").format(id=invite_id))
    if invite.used_at is not None:
        return Reply(_("Invitation m{id} has already been used.").format(id=invite_id))
    rows = [[Button(_("✉️ Send again (new code)"), f"{PREFIX}:resend:{invite.id}"),
             Button(_("🗑 Withdraw"), f"{PREFIX}:revoke:{invite.id}")]]
    return Reply(invite_line(invite), buttons=rows)


def _confirm(question: str, data: str) -> Reply:
    return Reply(question, buttons=[[Button(_("✅ Confirm"), f"{PREFIX}:{data}:yes"),
                                     Button(_("Cancel"), f"{PREFIX}:cancel")]])


def on_button(ctx: Ctx, arg: str) -> Reply:
    """``adm:<action>:<id>[:<value>][:yes]`` — ask first, apply on ``:yes``."""
    if not _is_office(ctx):
        return _refused(ctx, f"{PREFIX}:{arg}")
    parts = arg.split(":")
    action = parts[0]
    if action == "cancel":
        return Reply(_("Cancelled; nothing was changed."))
    if len(parts) < 2 or not parts[1].isdigit():
        return Reply(_("This button is no longer valid. Please start again."))
    target = int(parts[1])
    confirmed = parts[-1] == "yes"
    values = parts[2:-1] if confirmed else parts[2:]
    value = values[0] if values else None
    if action in ("resend", "revoke"):
        return _invite_action(ctx, action, target, confirmed)
    person = ctx.session.get(Person, target)
    if person is None:
        return Reply(_("This person no longer exists. Type /nguoi to see the list."))
    handler = _PERSON_ACTIONS.get(action)
    if handler is None:
        return Reply(_("This button is no longer valid. Please start again."))
    return handler(ctx, person, value, confirmed)


def _off(ctx: Ctx, p: Person, _value: str | None, confirmed: bool) -> Reply:
    if p.id == ctx.person.id:
        return Reply(_("You cannot deactivate your own account."))
    if not confirmed:
        return _confirm(_("Deactivate {who}? They will receive no reminders and see no data; their history is kept.").format(
            who=person_line(p)), f"off:{p.id}")
    return Reply(deactivate(ctx.session, str(p.id), ctx.now, by=ctx.person, channel=ctx.msg.channel,
                            sender=ctx.msg.sender_id))


def _on(ctx: Ctx, p: Person, _value: str | None, confirmed: bool) -> Reply:
    if not confirmed:
        return _confirm(_("Reactivate {who}?").format(who=person_line(p)), f"on:{p.id}")
    return Reply(reactivate(ctx.session, str(p.id), ctx.now, by=ctx.person, channel=ctx.msg.channel,
                            sender=ctx.msg.sender_id))


def _reinvite(ctx: Ctx, p: Person, _value: str | None, confirmed: bool) -> Reply:
    if not confirmed:
        return _confirm(_("Create a new invitation code for {who}? Their record and history are kept.").format(
            who=person_line(p)), f"reinv:{p.id}")
    invite = create_invite(ctx.session, name=p.name, role=p.role, unit_code=p.unit.code if p.unit else None,
                           now=ctx.now, valid_days=ctx.settings.invite_valid_days, title=p.title,
                           supervises=[u.code for u in p.supervised_units], for_person=p)
    ctx.audit("person_reinvited", f"#{p.id} {p.name}")
    return _code_reply(ctx, p.name, invite.code, invite.expires_at)


def _code_reply(ctx: Ctx, name: str, code: str, expires_at: datetime) -> Reply:
    lines = [_("Invitation for {name}: code {code}, valid until {date}.").format(
        name=name, code=code, date=fmt_date(expires_at.astimezone(ctx.tz)))]
    if ctx.settings.telegram_bot_username:
        lines.append(_("Send them this link: {link}").format(link=deep_link(code, ctx.settings.telegram_bot_username)))
    lines.append(_("Or ask them to send the bot: /start {code}").format(code=code))
    return Reply("\n".join(lines))


def _unit(ctx: Ctx, p: Person, value: str | None, confirmed: bool) -> Reply:
    if value is None:
        units = list(ctx.session.scalars(select(Unit).order_by(Unit.code)))
        rows = [[Button(u.code, f"{PREFIX}:unit:{p.id}:{u.code}") for u in units[i:i + 4]] for i in range(0, len(units), 4)]
        return Reply(_("Which unit should {name} belong to?").format(name=p.name), buttons=rows)
    unit = ctx.session.scalar(select(Unit).where(Unit.code == value))
    if unit is None:
        return Reply(_("Unknown unit codes: {codes}. Existing codes: {known}.").format(
            codes=value[:16], known=", ".join(ctx.session.scalars(select(Unit.code).order_by(Unit.code)))))
    if not confirmed:
        return _confirm(_("Move {who} to {unit}?").format(who=person_line(p), unit=unit.name), f"unit:{p.id}:{unit.code}")
    old = _unit_code(p.unit)
    p.unit = unit
    ctx.audit("person_unit_changed", f"#{p.id} {p.name}: {old} → {unit.code}")
    return Reply(_("Done: {name} now belongs to {unit}.").format(name=p.name, unit=unit.name))


_ROLE_CHOICES = (Role.LEADER, Role.HEAD, Role.DEPUTY_HEAD, Role.STAFF, Role.ADMIN)


def _role(ctx: Ctx, p: Person, value: str | None, confirmed: bool) -> Reply:
    if value is None:
        rows = [[Button(role_label(r), f"{PREFIX}:role:{p.id}:{r.value}")] for r in _ROLE_CHOICES]
        return Reply(_("Which role should {name} have?").format(name=p.name), buttons=rows)
    role = ROLE_WORDS.get(fold(value)) or (value if value in {r.value for r in Role} else None)
    if role is None:
        return Reply(_("This button is no longer valid. Please start again."))
    if p.id == ctx.person.id and role != Role.ADMIN:
        return Reply(_("You cannot remove your own office role; ask another member of the office."))
    if not confirmed:
        return _confirm(_("Change the role of {who} to {role}?").format(who=person_line(p), role=role_label(role)),
                        f"role:{p.id}:{role}")
    old = p.role
    p.role = role
    if role != Role.LEADER:
        p.supervised_units = []
    ctx.audit("person_role_changed", f"#{p.id} {p.name}: {old} → {role}")
    return Reply(_("Done: {name} is now {role}.").format(name=p.name, role=role_label(role)))


def _supervises(ctx: Ctx, p: Person, value: str | None, confirmed: bool) -> Reply:
    if p.role != Role.LEADER:
        return Reply(_("Only a leader (deputy director) supervises units; {name} is {role}.").format(
            name=p.name, role=role_label(p.role)))
    codes = _codes(value or "-")
    problem = _check_codes(ctx, codes)
    if problem:
        return Reply(problem)
    shown = ", ".join(codes) or _("none (the Director)")
    if not confirmed:
        return _confirm(_("Set the units supervised by {who} to: {units}?").format(who=person_line(p), units=shown),
                        f"sup:{p.id}:{','.join(codes) or '-'}")
    p.supervised_units = list(ctx.session.scalars(select(Unit).where(Unit.code.in_(codes)))) if codes else []
    ctx.audit("person_supervision_changed", f"#{p.id} {p.name}: {shown}")
    return Reply(_("Done: {name} supervises {units}.").format(name=p.name, units=shown))


def _invite_action(ctx: Ctx, action: str, invite_id: int, confirmed: bool) -> Reply:
    invite = ctx.session.get(Invite, invite_id)
    if invite is None or invite.used_at is not None:
        return Reply(_("This invitation has already been used or no longer exists. Type /nguoi to see the list."))
    if action == "revoke":
        if not confirmed:
            return _confirm(_("Withdraw {invite}? The code will stop working.").format(invite=invite_line(invite)),
                            f"revoke:{invite.id}")
        invite.expires_at = min(invite.expires_at, ctx.now - REVOKED)
        ctx.audit("invite_revoked", f"m{invite.id} {invite.name}")
        return Reply(_("Invitation m{id} for {name} has been withdrawn; the code no longer works.").format(
            id=invite.id, name=invite.name))
    if not confirmed:
        return _confirm(_("Send {invite} again with a new code? The old code will stop working.").format(
            invite=invite_line(invite)), f"resend:{invite.id}")
    invite.expires_at = min(invite.expires_at, ctx.now - REVOKED)
    new = create_invite(ctx.session, name=invite.name, role=invite.role, unit_code=invite.unit.code if invite.unit else None,
                        now=ctx.now, valid_days=ctx.settings.invite_valid_days, title=invite.title,
                        supervises=list(invite.supervised_codes or []),
                        for_person=ctx.session.get(Person, invite.person_id) if invite.person_id else None)
    ctx.audit("invite_resent", f"m{invite.id} → new code for {invite.name}")
    return _code_reply(ctx, invite.name, new.code, new.expires_at)


_PERSON_ACTIONS = {"off": _off, "on": _on, "reinv": _reinvite, "unit": _unit, "role": _role, "sup": _supervises}

__all__ = ["people_report", "deactivate", "reactivate", "find_person", "listing", "on_command", "on_button",
           "on_text", "on_supervises"]
