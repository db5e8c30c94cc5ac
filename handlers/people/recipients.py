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

    def task_recipients(self, task: Task, all_unit_ids: list[int] | None = None) -> list[tuple[Person, int | None]]:
        """Everyone reminded about a task, with the unit each is reminded for.

        Every lead and co-lead unit's heads; for an all-units item without a
        lead, every unit's heads (``all_unit_ids``); a unit with no registered
        head sends its reminder to the office instead of nobody — the second
        element then names that unit so the message can say why the office
        received it (None: the person is reminded for their own unit).
        """
        return self.unit_recipients([u.id for u in task.lead_units], task.all_units, all_unit_ids)

    def unit_recipients(
        self, lead_unit_ids: list[int], all_units: bool = False, all_unit_ids: list[int] | None = None,
    ) -> list[tuple[Person, int | None]]:
        """:meth:`task_recipients` from plain columns: the lead and co-lead unit ids, in order.

        The planner computes every open item's outbox keys from a Core select
        of ids (no Task objects), so it asks this directly; same rules.
        """
        unit_ids = list(lead_unit_ids)
        if not unit_ids and all_units and all_unit_ids:
            unit_ids = list(all_unit_ids)
        if not unit_ids:
            return [(p, None) for p in self.office]
        out: list[tuple[Person, int | None]] = []
        seen: set[tuple[int, int | None]] = set()
        for unit_id in unit_ids:
            heads = self.heads.get(unit_id)
            pairs = [(p, None) for p in heads] if heads else [(p, unit_id) for p in self.office]
            for person, note in pairs:
                if (person.id, note) not in seen:
                    seen.add((person.id, note))
                    out.append((person, note))
        return out

    def headless(self, unit_ids: list[int]) -> list[int]:
        """Units among ``unit_ids`` whose reminders nobody of their own receives."""
        return [u for u in unit_ids if not self.heads.get(u)]

    def escalation(self, unit_id: int | None) -> list[Person]:
        """The supervising deputy director(s), else the Director."""
        if unit_id is not None and self.supervisors.get(unit_id):
            return list(self.supervisors[unit_id])
        return list(self.director)


def head_names(session: Session, unit_id: int | None) -> list[str]:
    """Names of a unit's heads (registered or not), for reports."""
    if unit_id is None:
        return []
    names = list(session.scalars(select(Person.name).where(
        Person.unit_id == unit_id, Person.role == Role.HEAD, Person.active.is_(True)).order_by(Person.id)))
    return names
