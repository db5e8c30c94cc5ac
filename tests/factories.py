"""Small builders for test data, so tests state only what matters to them."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.org import Identity, Person, Unit
from models.tasks import Conclusion, Task


def unit(session: Session, code: str) -> Unit:
    found = session.scalar(select(Unit).where(Unit.code == code))
    assert found is not None, code
    return found


def person(session: Session, key: str, role: str = "head", unit_code: str | None = "VP",
           name: str | None = None, supervises: list[str] = (), channel: str = "console") -> Person:
    p = Person(name=name or f"Người {key}", role=role, unit=unit(session, unit_code) if unit_code else None)
    p.supervised_units = [unit(session, c) for c in supervises]
    p.identities.append(Identity(channel=channel, external_id=key, chat_id=key))
    session.add(p)
    session.flush()
    return p


def conclusion(session: Session, number: str = "664/KL-SKH&CN", issued_on: date = date(2026, 5, 27)) -> Conclusion:
    c = Conclusion(number=number, number_key=number.split("/")[0], issued_on=issued_on, title="Kết luận thử")
    session.add(c)
    session.flush()
    return c


def task(session: Session, title: str, lead: str | None = "VP", deadline: date | None = None,
         conclusion_: Conclusion | None = None, ref: str | None = None, support: list[str] = (), **kw) -> Task:
    lead_unit = unit(session, lead) if lead else None
    support_units = [unit(session, c) for c in support]
    t = Task(title=title, lead_unit=lead_unit, deadline=deadline,
             original_deadline=deadline, conclusion=conclusion_, ref=ref,
             source_ref=f"{conclusion_.number} mục {ref}" if conclusion_ and ref else None, **kw)
    t.support_units = support_units
    session.add(t)
    session.flush()
    return t
