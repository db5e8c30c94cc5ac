"""The demo database: default organisation, people for every role, the
tasks of the two seed conclusions, and a year of synthetic dossiers."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.occurrences import ensure_occurrences
from models.dossiers import Dossier, Procedure
from models.org import Identity, Person, Unit
from models.tasks import Conclusion, Task, TaskStatus

DEMO_FILE = Path(__file__).resolve().parent.parent / "models" / "defaults" / "demo.yaml"
DEMO_DOSSIERS = 400


def load_demo(session: Session, today: date, tz: ZoneInfo, dossier_count: int = DEMO_DOSSIERS) -> None:
    """Fill an empty, migrated database with the demo data set."""
    spec = yaml.safe_load(DEMO_FILE.read_text(encoding="utf-8"))
    units = {u.code: u for u in session.scalars(select(Unit))}
    _add_people(session, spec["people"], units)
    for conclusion in spec["conclusions"]:
        _add_conclusion(session, conclusion, units, today)
    _add_dossiers(session, units, today, tz, dossier_count)


def _add_people(session: Session, people: list[dict], units: dict[str, Unit]) -> None:
    for p in people:
        person = Person(
            name=p["name"], title=p.get("title"), role=p["role"], unit=units.get(p.get("unit")), demo_key=p["key"]
        )
        person.supervised_units = [units[c] for c in p.get("supervises", [])]
        person.identities.append(Identity(channel="console", external_id=p["key"], chat_id=p["key"]))
        session.add(person)
    session.flush()


def _add_conclusion(session: Session, spec: dict, units: dict[str, Unit], today: date) -> None:
    number = spec["number"]
    conclusion = Conclusion(
        number=number, number_key=number.split("/")[0], issued_on=spec["issued_on"], signer=spec.get("signer"),
        title=spec.get("title"),
    )
    session.add(conclusion)
    for t in spec["tasks"]:
        leads = t.get("lead", [])
        task = Task(
            conclusion=conclusion, ref=t["ref"], title=t["title"], lead_unit=units[leads[0]] if leads else None,
            all_units=bool(t.get("all_units")), persons=list(t.get("persons", [])), origin=t.get("origin", "internal"),
            deadline=t.get("deadline"), original_deadline=t.get("deadline"), recurrence=t.get("recurrence"),
            target=t.get("target"), status=t.get("status", TaskStatus.OPEN), percent=100 if t.get("status") == "done" else t.get("percent", 0),
            completed_on=t.get("completed_on"), source_ref=f"{number} mục {t['ref']}", criterion_code=t.get("criterion"),
        )
        support = set(leads[1:]) | set(t.get("support", []))
        if t.get("support_all"):
            support |= {c for c in units if c not in ("BGD", leads[0] if leads else "")}
        task.support_units = [units[c] for c in sorted(support)]
        session.add(task)
        session.flush()
        if task.recurrence:
            ensure_occurrences(session, task, date(today.year, 1, 1), today + timedelta(days=120))
            for occ in task.occurrences:
                if occ.deadline < today - timedelta(days=20):
                    occ.status, occ.percent, occ.completed_on = TaskStatus.DONE, 100, occ.deadline
    session.flush()


def _add_dossiers(session: Session, units: dict[str, Unit], today: date, tz: ZoneInfo, count: int) -> None:
    from handlers.dossier_samples import generate_dossiers

    records = generate_dossiers(count, today - timedelta(days=365), today, seed=2026)
    procedures: dict[str, Procedure] = {}
    for r in records:
        proc = procedures.get(r.procedure or "")
        if proc is None and r.procedure:
            proc = procedures[r.procedure] = Procedure(name=r.procedure, field=r.field, unit=units.get(r.unit))
            session.add(proc)
        session.add(
            Dossier(
                code=r.code, procedure=proc, procedure_name=r.procedure, field=r.field, unit=units.get(r.unit),
                received_at=_utc(r.received_at, tz), due_at=_utc(r.due_at, tz), original_due_at=_utc(r.original_due_at, tz),
                resolved_at=_utc(r.resolved_at, tz), returned_at=_utc(r.returned_at, tz), status=r.status,
                channel=r.channel, service_level=r.service_level, apology_at=_utc(r.apology_at, tz),
                new_due_at=_utc(r.new_due_at, tz), postal_return=r.postal_return,
            )
        )
    session.flush()


def _utc(value: datetime | None, tz: ZoneInfo) -> datetime | None:
    """Dossier exports carry local wall-clock times; the database keeps UTC."""
    if value is None:
        return None
    return value.replace(tzinfo=tz) if value.tzinfo is None else value
