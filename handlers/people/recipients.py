"""Who receives a unit's reminders and who may change its tasks.

One place for these rules so reminders, alerts, extension requests and
permission answers agree: a unit's reminders go to its head(s) — or, while a
unit has no registered head, to its deputy head(s); overdue work escalates to
the deputy director(s) who supervise the unit (phụ trách), or to the leaders
who supervise no unit (the Director) when nobody does.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from models.org import Identity, Person, Role
from models.tasks import Task

CHANGERS = (Role.HEAD, Role.DEPUTY_HEAD)


@dataclass
class Directory:
    """Active, reachable people grouped the way notifications need them.

    Loaded once per planner tick (a handful of queries) instead of once per
    task; people without any messenger identity are left out because no
    message could reach them.
    """

    heads: dict[int, list[Person]] = field(default_factory=dict)
    supervisors: dict[int, list[Person]] = field(default_factory=dict)
    director: list[Person] = field(default_factory=list)
    leaders: list[Person] = field(default_factory=list)
    office: list[Person] = field(default_factory=list)

    @classmethod
    def load(cls, session: Session) -> "Directory":
        reachable = select(Identity.person_id)
        people = list(session.scalars(
            select(Person).where(Person.active.is_(True), Person.id.in_(reachable))
            .options(selectinload(Person.supervised_units)).order_by(Person.id)
        ))
        by_role: dict[tuple[int, str], list[Person]] = defaultdict(list)
        d = cls()
        for p in people:
            if p.unit_id is not None:
                by_role[(p.unit_id, p.role)].append(p)
            if p.role == Role.LEADER:
                d.leaders.append(p)
                for unit in p.supervised_units:
                    d.supervisors.setdefault(unit.id, []).append(p)
                if not p.supervised_units:
                    d.director.append(p)
            if p.role == Role.ADMIN:
                d.office.append(p)
        for (unit_id, role), members in by_role.items():
            if role == Role.HEAD:
                d.heads[unit_id] = members
        for (unit_id, role), members in by_role.items():
            if role == Role.DEPUTY_HEAD and unit_id not in d.heads:
                d.heads[unit_id] = members
        return d

    def unit_heads(self, unit_id: int | None) -> list[Person]:
        """Who is reminded about a unit's work; the office when no unit leads it."""
        if unit_id is None:
            return list(self.office)
        return list(self.heads.get(unit_id, []))

    def escalation(self, unit_id: int | None) -> list[Person]:
        """The supervising deputy director(s), else the Director."""
        if unit_id is not None and self.supervisors.get(unit_id):
            return list(self.supervisors[unit_id])
        return list(self.director)


def can_change_task(person: Person, task: Task) -> bool:
    """Leaders and the office change any task; a unit's head or deputy head its own."""
    if person.can_manage_all:
        return True
    return task.lead_unit_id is not None and person.unit_id == task.lead_unit_id and person.role in CHANGERS


def can_decide_extension(person: Person) -> bool:
    """A supervising deputy director, the Director (any leader) or the office."""
    return person.role in (Role.LEADER, Role.ADMIN)


def head_names(session: Session, unit_id: int | None) -> list[str]:
    """Names of a unit's heads (registered or not), for reports."""
    if unit_id is None:
        return []
    names = list(session.scalars(select(Person.name).where(
        Person.unit_id == unit_id, Person.role == Role.HEAD, Person.active.is_(True)).order_by(Person.id)))
    return names
