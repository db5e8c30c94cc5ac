"""/viec: the open tasks of the person's unit, soonest deadline first."""

from __future__ import annotations

from handlers.core.context import Ctx
from handlers.core.format import work_item_line
from handlers.text.i18n import _
from handlers.core.messages import Reply
from handlers.core.paging import paged_reply
from models.org import Role
from models.queries import by_urgency, work_items


def my_tasks(ctx: Ctx, args: str = "", offset: int = 0) -> Reply:
    person = ctx.person
    assert person is not None
    sees_all = person.role == Role.LEADER or person.unit_id is None
    items = by_urgency(work_items(ctx.session, unit_id=None if sees_all else person.unit_id, today=ctx.today))
    if sees_all:
        header_scope = _("the whole Department")
    else:
        header_scope = person.unit.name if person.unit else ""
    if not items:
        return Reply(_("{scope} has no open tasks. Well done!").format(scope=header_scope))
    overdue = sum(1 for i in items if i.is_overdue(ctx.today))
    header = _("*Open tasks of {scope}*: {n}").format(scope=header_scope, n=len(items))
    if overdue:
        header += " · " + _("{n} overdue").format(n=overdue)
    return paged_reply(
        header,
        items,
        lambda n, item: work_item_line(n, item, ctx.today, show_unit=sees_all,
                                       unit_id=None if sees_all else person.unit_id),
        offset,
        lambda nxt: f"more:viec:{nxt}",
        footer=_("Reply to a reminder to report progress, e.g. \"xong 80%\"."),
    )
