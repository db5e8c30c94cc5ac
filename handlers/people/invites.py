"""/moi: the office invites a person from the chat, as `main.py invite` does."""

from __future__ import annotations

from handlers.core.context import Ctx
from handlers.text.i18n import _, fmt_date
from handlers.core.messages import Reply
from handlers.people.registration import create_invite, deep_link
from handlers.text.fold import fold
from models.org import Role

# Role words as the office types them.
ROLE_WORDS = {
    "truong": Role.HEAD, "truongphong": Role.HEAD, "head": Role.HEAD,
    "pho": Role.DEPUTY_HEAD, "phophong": Role.DEPUTY_HEAD, "deputy": Role.DEPUTY_HEAD, "deputyhead": Role.DEPUTY_HEAD,
    "chuyenvien": Role.STAFF, "cv": Role.STAFF, "staff": Role.STAFF,
    "lanhdao": Role.LEADER, "leader": Role.LEADER, "pgd": Role.LEADER, "gd": Role.LEADER,
    "vanphong": Role.ADMIN, "admin": Role.ADMIN,
}

ROLE_CHOICES = "truong|head, pho|deputy_head, lanhdao|leader, vanphong|admin, chuyenvien|staff"


def role_from_word(word: str) -> Role | None:
    """The role a typed word names, in Vietnamese (with or without marks) or English; the one mapping
    shared by /moi and `main.py invite`."""
    return ROLE_WORDS.get(fold(word).replace(" ", "").replace("_", "").replace("-", ""))


def on_command(ctx: Ctx, args: str) -> Reply:
    """/moi <mã đơn vị> <vai trò> <họ tên>, e.g. /moi TDC truong Phạm Thành Phương."""
    assert ctx.person is not None
    if ctx.person.role != Role.ADMIN:
        return Reply(_("Only the Department Office can invite people."))
    parts = args.split(maxsplit=2)
    role = role_from_word(parts[1]) if len(parts) > 1 else None
    if len(parts) < 3 or role is None:
        return Reply(_("To invite someone: /moi <unit code> <role> <full name>, e.g. /moi TDC truong Phạm Thành Phương. Roles: truong, pho, chuyenvien, lanhdao, vanphong."))
    try:
        invite = create_invite(ctx.session, name=parts[2], role=role, unit_code=parts[0], now=ctx.now,
                               valid_days=ctx.settings.invite_valid_days)
    except ValueError as exc:
        return Reply(str(exc))
    ctx.audit("invite_created", f"{parts[0].upper()} {role} {parts[2]}")
    link = deep_link(invite.code, ctx.settings.telegram_bot_username)
    lines = [_("Invitation for {name}: code {code}, valid until {date}.").format(
        name=parts[2], code=invite.code, date=fmt_date(invite.expires_at.astimezone(ctx.tz)))]
    if ctx.settings.telegram_bot_username:
        lines.append(_("Send them this link: {link}").format(link=link))
    lines.append(_("Or ask them to send the bot: /start {code}").format(code=invite.code))
    return Reply("\n".join(lines))
