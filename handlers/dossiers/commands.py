"""/hoso: the unit's open dossiers nearest their appointment date."""

from __future__ import annotations

from handlers.core.context import Ctx
from handlers.display.format import dossier_line
from handlers.dossiers.figures import open_dossiers_page
from handlers.text.i18n import _
from handlers.core.messages import Reply
from handlers.core.paging import paged_reply
from models.org import Role


def my_dossiers(ctx: Ctx, args: str = "", offset: int = 0) -> Reply:
    person = ctx.person
    assert person is not None
    sees_all = person.can_manage_all or person.unit_id is None
    today = ctx.today
    rows, late = open_dossiers_page(ctx.session, None if sees_all else person.unit_id, today)
    scope = _("the whole Department") if sees_all else (person.unit.name if person.unit else "")
    if not rows:
        return Reply(_("{scope} has no dossiers in progress.").format(scope=scope))
    header = _("*Dossiers in progress at {scope}*: {n}").format(scope=scope, n=len(rows))
    if late:
        header += " · " + _("{n} past the appointment date").format(n=late)
    footer = None
    if late and person.role != Role.STAFF:
        footer = _("For each late dossier, send the citizen an apology letter with a new appointment date (Mẫu 04).")
    return paged_reply(
        header, rows, lambda n, d: dossier_line(n, d, today, ctx.tz, show_unit=sees_all), offset,
        lambda nxt: f"more:hoso:{nxt}", footer=footer,
    )
