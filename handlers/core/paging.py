"""Lists in chat: at most ten rows, the total, and a "Xem thêm" button."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from handlers.text.i18n import _
from handlers.core.context import Ctx
from handlers.core.messages import Button, Reply

PAGE_SIZE = 10
T = TypeVar("T")


def paged_reply(
    header: str,
    items: Sequence[T],
    render: Callable[[int, T], str],
    offset: int,
    more_data: Callable[[int], str],
    footer: str | None = None,
    extra_buttons: list[list[Button]] | None = None,
) -> Reply:
    """Render one page of ``items`` starting at ``offset``.

    ``more_data(next_offset)`` builds the button payload for the next page,
    so each list decides how it re-runs its own query.
    """
    page = items[offset : offset + PAGE_SIZE]
    lines = [header]
    lines += [render(offset + i + 1, item) for i, item in enumerate(page)]
    shown_to = offset + len(page)
    if len(items) > PAGE_SIZE:
        lines.append(_("Showing {start}–{end} of {total}.").format(start=offset + 1, end=shown_to, total=len(items)))
    if footer:
        lines.append(footer)
    buttons = list(extra_buttons or [])
    if shown_to < len(items):
        buttons.insert(0, [Button(_("See more"), more_data(shown_to))])
    return Reply("\n".join(lines), buttons)


def next_page_button(pagers: dict[str, Callable[[Ctx, str, int], Reply]]) -> Callable[[Ctx, str], Reply]:
    """Button ``more:<list>:<offset>[:<params>]``: the next page of a registered list."""

    def on_more(ctx: Ctx, arg: str) -> Reply:
        name, _sep, rest = arg.partition(":")
        offset_text, _sep, params = rest.partition(":")
        offset = int(offset_text) if offset_text.isdigit() else 0
        pager = pagers.get(name)
        if pager is None:
            return Reply(_("This list is no longer available. Please ask again."))
        return pager(ctx, params, offset)

    return on_more
