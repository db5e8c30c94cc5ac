"""Help and the example questions shown when the bot does not understand."""

from __future__ import annotations

from handlers.core.context import Ctx
from handlers.text.i18n import _
from handlers.core.messages import Reply


def example_questions() -> list[str]:
    # Kept in Vietnamese in every language: the parser understands Vietnamese.
    return ["hồ sơ trễ hạn tháng này", "việc quá hạn của Chi cục", "điểm CCHC dự kiến"]


def help_reply(ctx: Ctx, _args: str = "") -> Reply:
    """The commands this person may use (a staff member is not offered the
    leadership digest, only the office is offered score entry)."""
    from models.org import Role

    role = ctx.person.role if ctx.person else None
    lines = [
        _("*What I can do*"),
        _("/viec — open tasks of your unit, nearest deadline first"),
        _("/hoso — open dossiers nearest their appointment date"),
    ]
    if role != Role.STAFF:
        lines.append(_("/baocao — weekly summary for leadership"))
    if role == Role.ADMIN:
        lines.append(_("/diem — the Office records index scores with evidence"))
        lines.append(_("/moi — invite a colleague (code and link)"))
        lines.append(_("/ngaynghi — days off and make-up working days as announced"))
        lines.append(_("/nguoi — people and invitations: who has not registered, re-send or withdraw an invitation, deactivate or reactivate, change unit or role"))
        lines.append(_("/phutrach <number> QLCN,TDC — the units a deputy director supervises"))
        lines.append(_("Send a conclusion (.docx, .pdf) or a list (.xlsx, .csv) to import it."))
    lines += [
        _("/ngonngu — switch language (Tiếng Việt / English)"),
        _("You can also ask in your own words, with or without diacritics, for example:"),
    ]
    lines += [f"• {q}" for q in example_questions()]
    lines.append(_("To report progress, reply to a reminder with e.g. \"xong 80%\" or attach a file; or, at any time, "
                   "type the task's number from /viec or a reminder: \"việc 3 xong 80%\"."))
    return Reply("\n".join(lines))


def not_understood_reply() -> Reply:
    lines = [_("Sorry, I did not understand. You could ask, for example:")]
    lines += [f"• {q}" for q in example_questions()]
    lines.append(_("Type /huongdan for the full list."))
    return Reply("\n".join(lines))


_SMALL_TALK = {
    "thanks": ("cam on", "thank", "tks", "thanks", "cám ơn"),
    "hello": ("chao", "xin chao", "hello", "hi", "alo"),
}


def small_talk_reply(text: str) -> Reply | None:
    """A polite answer to "cảm ơn em", "chào bạn": not a question, not an error."""
    from handlers.text.fold import fold

    key = fold(text).strip(" .!?")
    words = key.split()
    if not words or len(words) > 5:
        return None
    if any(key.startswith(fold(w)) for w in _SMALL_TALK["thanks"]):
        return Reply(_("You're welcome! Type /viec to see your tasks whenever you need."))
    if words[0] in ("chao", "hello", "hi", "alo") or key.startswith("xin chao"):
        return Reply(_("Hello! Type /viec for your unit's tasks, or ask e.g. \"việc sắp đến hạn tuần này\"."))
    return None
