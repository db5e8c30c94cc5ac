"""/ngonngu (/language): each person picks Vietnamese or English."""

from __future__ import annotations

from handlers.core.context import Ctx
from handlers.text.i18n import _, use_locale
from handlers.core.messages import Button, Reply


def choose_language(ctx: Ctx, args: str = "") -> Reply:
    wanted = args.strip().lower()
    if wanted in {"vi", "en"}:
        return set_language(ctx, wanted)
    return Reply(
        _("Choose your language:"),
        [[Button("🇻🇳 Tiếng Việt", "lang:vi"), Button("🇬🇧 English", "lang:en")]],
    )


def set_language(ctx: Ctx, code: str) -> Reply:
    assert ctx.person is not None
    if code not in {"vi", "en"}:
        return choose_language(ctx)
    ctx.person.locale = code
    ctx.audit("language", code)
    with use_locale(code):
        return Reply(_("Language set to English.") if code == "en" else _("Language set to Vietnamese."))
