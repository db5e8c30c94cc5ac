"""Who may see what: the unit a question is about, within the asker's rights.

Leaders and the office (with the head of the Department Office) see every
unit in detail; a head or staff member sees their own unit in detail and
other units as totals only — for the whole Department ("toàn Sở", "các
phòng"), totals per unit.
"""

from __future__ import annotations

from dataclasses import dataclass

from handlers.core.context import Ctx
from handlers.text.i18n import _
from handlers.core.messages import Reply
from handlers.query import Query
from models.org import Person, Role, Unit
from models.queries import unit_by_code


@dataclass(frozen=True)
class Scope:
    unit: Unit | None  # None = the whole Department (or the supervised units below)
    detail: bool  # may list rows, not only totals
    supervised: tuple[Unit, ...] = ()  # a deputy director asking about "my units"

    def label(self) -> str:
        return self.owner_name or _("the whole Department")

    @property
    def owner_name(self) -> str | None:
        """Whose figures these are, for headings; None for the whole Department."""
        if self.unit is not None:
            return self.unit.name
        if self.supervised:
            return _("the units you supervise ({codes})").format(codes=", ".join(u.code for u in self.supervised))
        return None

    @property
    def unit_codes(self) -> set[str] | None:
        """Codes to filter by, or None for everything."""
        if self.unit is not None:
            return {self.unit.code}
        return {u.code for u in self.supervised} or None


OFFICE_UNIT = "VP"  # Văn phòng Sở: its head and deputy head see what the office sees


def office_view(person: Person) -> bool:
    """Leaders, the office, and the head (or deputy head) of the Department Office see every unit in detail."""
    if person.can_manage_all:
        return True
    return (person.unit is not None and person.unit.code == OFFICE_UNIT
            and person.role in (Role.HEAD, Role.DEPUTY_HEAD))


def resolve_scope(ctx: Ctx, query: Query) -> Scope | Reply:
    person = ctx.person
    assert person is not None
    if query.whole:  # "toàn Sở", "các phòng": never narrowed to the asker's unit
        return Scope(None, office_view(person))
    if query.mine:
        if person.supervised_units:  # "các đơn vị tôi phụ trách"
            return Scope(None, True, tuple(sorted(person.supervised_units, key=lambda u: u.code)))
        if person.unit is None:
            return Scope(None, True)
        return Scope(person.unit, True)
    if query.unit:
        unit = unit_by_code(ctx.session, query.unit)
        if unit is None:
            return Reply(_("I could not find the unit {code}.").format(code=query.unit))
        return Scope(unit, office_view(person) or unit.id == person.unit_id)
    if office_view(person) or person.unit is None:
        return Scope(None, True)
    # A head asking in general is asking about their own unit.
    return Scope(person.unit, True)
