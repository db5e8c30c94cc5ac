"""The demo database: default organisation, people for every role, the
tasks of the two seed conclusions, and a year of synthetic dossiers."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.tasks.occurrences import ensure_occurrences
from models.org import Identity, Person, Unit
from models.scoring import Assessment
from models.tasks import Conclusion, Task, TaskStatus

DEMO_FILE = Path(__file__).resolve().parents[2] / "models" / "defaults" / "demo.yaml"
DEMO_DOSSIERS = 400


def load_demo(session: Session, today: date, tz: ZoneInfo, dossier_count: int = DEMO_DOSSIERS) -> None:
    """Fill an empty, migrated database with the demo data set."""
    spec = yaml.safe_load(DEMO_FILE.read_text(encoding="utf-8"))
    units = {u.code: u for u in session.scalars(select(Unit))}
    _add_people(session, spec["people"], units)
    for conclusion in spec["conclusions"]:
        _add_conclusion(session, conclusion, units, today)
    _add_dossiers(session, today, tz, dossier_count)
    _add_scores(session, spec.get("scores", {}), today)


def _add_scores(session: Session, spec: dict, today: date) -> None:
    """Manual self-assessment entries, as the office would have typed them."""
    from handlers.scoring import load_framework
    from settings import get_settings

    framework = load_framework(get_settings().par_framework)
    share = float(spec.get("manual_share", 0.9))
    entered_at = datetime.combine(today, datetime.min.time(), tzinfo=ZoneInfo("UTC"))
    for leaf in framework.leaves():
        if leaf.rule.type == "manual":
            session.add(Assessment(framework_key=framework.id, year=today.year, criterion_code=leaf.code, kind="manual",
                                   points=round(leaf.max_points * share, 2), evidence=["(demo)"], entered_at=entered_at))
    for code, points in (spec.get("survey") or {}).items():
        session.add(Assessment(framework_key=framework.id, year=today.year, criterion_code=str(code), kind="survey",
                               points=float(points), evidence=["Kết quả khảo sát của tỉnh (demo)"], entered_at=entered_at))
    session.add(Assessment(framework_key=framework.id, year=today.year, criterion_code="initiatives_approved",
                           kind="count", points=int(spec.get("initiatives_approved", 0)), entered_at=entered_at))


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


def _add_dossiers(session: Session, today: date, tz: ZoneInfo, count: int) -> None:
    from handlers.demo.dossier_samples import PROCESSING_DAYS, generate_dossiers
    from handlers.dossiers.store import set_processing_days, upsert_dossiers

    upsert_dossiers(session, generate_dossiers(count, today - timedelta(days=365), today, seed=2026), tz)
    set_processing_days(session, PROCESSING_DAYS)


