"""Who may see what: the unit a question is about, within the asker's rights.

Leaders and the office see every unit in detail; a head or staff member sees
their own unit in detail and other units as totals only.
"""

from __future__ import annotations

from dataclasses import dataclass

from handlers.context import Ctx
from handlers.i18n import _
from handlers.messages import Reply
from handlers.query import Query
from models.org import Unit
from models.queries import unit_by_code


@dataclass(frozen=True)
class Scope:
    unit: Unit | None  # None = the whole Department
    detail: bool  # may list rows, not only totals

    def label(self) -> str:
        return self.unit.name if self.unit else _("the whole Department")


def resolve_scope(ctx: Ctx, query: Query) -> Scope | Reply:
    person = ctx.person
    assert person is not None
    if query.mine:
        if person.unit is None:
            return Scope(None, True)
        return Scope(person.unit, True)
    if query.unit:
        unit = unit_by_code(ctx.session, query.unit)
        if unit is None:
            return Reply(_("I could not find the unit {code}.").format(code=query.unit))
        return Scope(unit, person.can_manage_all or unit.id == person.unit_id)
    if person.can_manage_all or person.unit is None:
        return Scope(None, True)
    # A head asking in general is asking about their own unit.
    return Scope(person.unit, True)
