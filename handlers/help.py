"""Help and the example questions shown when the bot does not understand."""

from __future__ import annotations

from handlers.context import Ctx
from handlers.i18n import _
from handlers.messages import Reply


def example_questions() -> list[str]:
    # Kept in Vietnamese in every language: the parser understands Vietnamese.
    return ["hồ sơ trễ hạn tháng này", "việc quá hạn của Chi cục", "điểm CCHC dự kiến"]


def help_reply(ctx: Ctx, _args: str = "") -> Reply:
    lines = [
        _("*What I can do*"),
        _("/viec — open tasks of your unit, nearest deadline first"),
        _("/hoso — open dossiers nearest their appointment date"),
        _("/baocao — weekly summary for leadership"),
        _("/ngonngu — switch language (Tiếng Việt / English)"),
        _("/diem — the Office records index scores with evidence"),
        _("You can also ask in your own words, with or without diacritics, for example:"),
    ]
    lines += [f"• {q}" for q in example_questions()]
    lines.append(_("To report progress, reply to a reminder with e.g. \"xong 80%\" or attach a file."))
    return Reply("\n".join(lines))


def not_understood_reply() -> Reply:
    lines = [_("Sorry, I did not understand. You could ask, for example:")]
    lines += [f"• {q}" for q in example_questions()]
    lines.append(_("Type /huongdan for the full list."))
    return Reply("\n".join(lines))
