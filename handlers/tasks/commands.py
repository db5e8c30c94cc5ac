"""/viec: the open tasks of the person's unit, soonest deadline first.

A unit's own (lead) tasks come first, numbered; tasks it only supports are
collapsed into one line with a button, so a head's phone shows what the unit
answers for. The numbers are remembered (:mod:`handlers.tasks.numbers`), so
"việc 3 xong 80%" or a tap on "📝 3" reports progress without a reminder.
"""

from __future__ import annotations

from handlers.core.context import Ctx
from handlers.display.format import work_item_line
from handlers.core.messages import Button, Reply
from handlers.core.paging import PAGE_SIZE, paged_reply
from handlers.tasks import numbers
from handlers.text.i18n import _
from models.org import Role
from models.queries import WorkItem, by_urgency, work_items

SUPPORT = "support"


def my_tasks(ctx: Ctx, args: str = "", offset: int = 0) -> Reply:
    person = ctx.person
    assert person is not None
    sees_all = person.role == Role.LEADER or person.unit_id is None
    unit_id = None if sees_all else person.unit_id
    items = by_urgency(work_items(ctx.session, unit_id=unit_id, today=ctx.today))
    scope = _("the whole Department") if sees_all else (person.unit.name if person.unit else "")
    if not items:
        return Reply(_("{scope} has no open tasks. Well done!").format(scope=scope))
    own, supported = (items, []) if sees_all else _split(items, unit_id)
    showing_support = args.strip() == SUPPORT
    listed = supported if showing_support else own
    header = _header(ctx, scope, listed, showing_support)
    shown = dict(zip((i.ref for i in listed), numbers.assign(
        ctx.session, person.id, [i.ref for i in listed], ctx.now, open_refs={i.ref for i in items})))
    extra = _number_buttons(listed, offset, shown)
    if supported and not showing_support and offset + PAGE_SIZE >= len(own):
        extra.append([Button(_("See the {n} supporting tasks").format(n=len(supported)), f"more:viec:0:{SUPPORT}")])
    footer = _("To report progress, type e.g. \"việc {n} xong 80%\", or \"việc {n}\" and then the progress.").format(
        n=shown[listed[0].ref])
    if supported and not showing_support:
        footer = _("…and {n} tasks where your unit supports another unit.").format(n=len(supported)) + "\n" + footer
    return paged_reply(
        header, listed,
        lambda _n, item: work_item_line(shown[item.ref], item, ctx.today, show_unit=sees_all, unit_id=unit_id),
        offset, lambda nxt: f"more:viec:{nxt}:{SUPPORT if showing_support else ''}".rstrip(":"),
        footer=footer, extra_buttons=extra,
    )


def _split(items: list[WorkItem], unit_id: int) -> tuple[list[WorkItem], list[WorkItem]]:
    """The unit's own tasks (it leads them, or all units do them) and those it supports."""
    own = [i for i in items if i.task.lead_unit_id == unit_id or i.task.all_units]
    return own, [i for i in items if i not in own]


def _header(ctx: Ctx, scope: str, listed: list[WorkItem], support: bool) -> str:
    overdue = sum(1 for i in listed if i.is_overdue(ctx.today))
    if support:
        header = _("*Tasks {scope} supports*: {n}").format(scope=scope, n=len(listed))
    else:
        header = _("*Open tasks of {scope}*: {n}").format(scope=scope, n=len(listed))
    if overdue:
        header += " · " + _("{n} overdue").format(n=overdue)
    return header


def _number_buttons(listed: list[WorkItem], offset: int, shown: dict[str, int]) -> list[list[Button]]:
    """"📝 1" … for the page shown, by each task's number: tap, then type the progress."""
    page = listed[offset: offset + PAGE_SIZE]
    buttons = [Button(f"📝 {shown[item.ref]}", f"upd:{item.ref}", shortcut=True) for item in page]
    return [buttons[i: i + 5] for i in range(0, len(buttons), 5)]
