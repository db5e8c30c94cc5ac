"""Decisions about the demo database, kept out of the command line.

Which database a command should use (the real one, or the demo data when a
fresh install has nothing yet), who "--as VP" is, and which simulated moment
makes reminders appear on the first try. The command line only asks these
questions and prints the answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from handlers.demo.data import load_demo
from models.dossiers import Dossier
from models.org import Person, Role, Unit
from models.tasks import Task
from settings import Settings

DEMO_MORNING = time(9, 0)


def demo_url(settings: Settings) -> str:
    return f"sqlite:///{settings.demo_db_path}"


def remove_demo_files(path: Path) -> None:
    """Delete a previous demo database (and SQLite's side files) for a fresh start."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def fill_demo(factory: sessionmaker[Session], today: date, tz: ZoneInfo) -> None:
    """Load the demo people, tasks, dossiers and scores into an empty database."""
    with factory() as session, session.begin():
        load_demo(session, today, tz)


def is_empty(factory: sessionmaker[Session]) -> bool:
    """No task and no dossier yet: a first try right after installing."""
    with factory() as session:
        return not session.scalar(select(func.count(Task.id))) and not session.scalar(select(func.count(Dossier.id)))


def falls_back_to_demo(settings: Settings, factory: sessionmaker[Session]) -> bool:
    """Reports run on the demo data only when no DATABASE_URL was configured
    and the default database is still empty; a configured database is always used."""
    return "database_url" not in settings.model_fields_set and is_empty(factory)


@dataclass(frozen=True)
class DemoPerson:
    key: str  # console chat id
    name: str
    title: str
    unit: str


def demo_people(session: Session) -> list[DemoPerson]:
    """Everyone in the demo data, in a stable order for a numbered menu."""
    return [DemoPerson(p.demo_key or "admin", p.name, p.title or "", p.unit.code if p.unit else "")
            for p in session.scalars(select(Person).order_by(Person.id))]


def demo_person_key(session: Session, who: str) -> str | None:
    """Map ``--as`` to a console id: a demo person's id, a unit code (its head), a role, or stranger."""
    if who == "stranger":
        return "stranger"
    if session.scalar(select(Person.id).where(Person.demo_key == who)):
        return who
    unit = session.scalar(select(Unit).where(Unit.code == who.upper()))
    if unit is not None:
        return session.scalar(
            select(Person.demo_key).where(Person.unit_id == unit.id).order_by(
                (Person.role != Role.HEAD), (Person.role != Role.LEADER), Person.id)
        )
    if who in {r.value for r in Role}:
        return session.scalar(select(Person.demo_key).where(Person.role == who).order_by(Person.id))
    return None


def person_label(session: Session, key: str) -> str:
    """'Lê Thị Hồng (VP)' for the prompt; 'Người chưa đăng ký' for a stranger."""
    person = session.scalar(select(Person).where(Person.demo_key == key))
    if person is None:
        return "Người chưa đăng ký"
    return f"{person.name} ({person.unit.code})" if person.unit else person.name


def working_morning(now: datetime, calendar) -> datetime:
    """``now`` if it falls in working hours of a working day, the afternoon
    opening during the lunch break, else 09:00 of the
    next working day (today's if the day has not started): the demo's default
    moment, so that reminders — which wait for working hours — show at once."""
    local = now.astimezone(calendar.tz)
    opens, closes = calendar.windows[0][0], calendar.windows[-1][1]
    if calendar.in_working_hours(local):
        return local
    if calendar.is_working_day(local.date()) and opens <= local.time() < closes:
        return calendar.next_window(local)  # the lunch break: the afternoon opening
    day = local.date()
    if not (calendar.is_working_day(day) and local.time() < opens):
        day += timedelta(days=1)
        while not calendar.is_working_day(day):
            day += timedelta(days=1)
    return datetime.combine(day, DEMO_MORNING, calendar.tz)
