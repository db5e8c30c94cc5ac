"""Reading the facts of an assessment year from the database for the
estimate engine (which itself never touches the database)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.dossiers.figures import late_refs, period_figures, procedure_figures
from handlers.scoring import DossierSummary, Estimate, ManualScore, ScoringInputs, TaskFact, estimate, load_framework
from models.org import Person
from models.queries import work_items
from models.scoring import Assessment
from settings import Settings


def task_facts(session: Session, year: int) -> list[TaskFact]:
    """Tasks and occurrences whose (original) deadline or completion falls in the year."""
    facts = []
    for item in work_items(session, include_done=True):
        judged = item.original_deadline or item.deadline
        in_year = (judged and judged.year == year) or (item.completed_on and item.completed_on.year == year)
        if not in_year:
            continue
        facts.append(TaskFact(
            task_id=item.ref, title=item.task.title, unit=item.task.lead_unit.code if item.task.lead_unit else "VP",
            criterion_code=item.task.criterion_code, origin=item.task.origin,  # type: ignore[arg-type]
            deadline=item.deadline, original_deadline=item.original_deadline, completed_at=item.completed_on,
            percent=item.percent,
        ))
    return facts


def dossier_summary(session: Session, year: int, now: datetime, tz: ZoneInfo) -> DossierSummary:
    """The year's dossier inputs, counted by the one figures module (SQL)."""
    start = date(year, 1, 1)
    today = now.astimezone(tz).date()
    end = min(date(year, 12, 31), today)  # "as of": nothing after now counts
    fig = period_figures(session, start, end, today)
    procs = procedure_figures(session, start, end)
    late, overdue_open, no_apology = late_refs(session, start, end, today)
    return DossierSummary(
        received=fig.received_in_period, online=fig.received_online, resolved=fig.resolved_total,
        procedures_total=procs.total,
        procedures_with_postal=procs.with_postal, online_procedures=procs.online,
        procedures_online_without_dossiers=procs.online_without_dossiers,
        late=late, overdue_open=overdue_open, late_without_apology=no_apology,
    )


def entered_scores(session: Session, framework_key: str, year: int) -> tuple[list[ManualScore], list[ManualScore], float | None, dict[str, int]]:
    manual, survey, appraised, counts = [], [], None, {}
    rows = session.scalars(select(Assessment).where(Assessment.framework_key == framework_key, Assessment.year == year)
                           .order_by(Assessment.entered_at, Assessment.id))
    names = {pid: name for pid, name in session.execute(select(Person.id, Person.name))}
    for row in rows:
        who = names.get(row.entered_by, "Văn phòng Sở")
        score = ManualScore(row.criterion_code, row.points, list(row.evidence or []), who, row.entered_at.date())
        if row.kind == "survey":
            survey.append(score)
        elif row.kind == "appraised":
            appraised = row.points
        elif row.kind == "count":
            counts[row.criterion_code] = int(row.points)
        else:
            manual.append(score)
    return manual, survey, appraised, counts


def current_estimate(session: Session, now: datetime, settings: Settings, year: int | None = None) -> Estimate:
    """The estimate of this year as of now; of an earlier ``year`` as at its last day ("điểm CCHC năm 2025")."""
    tz = ZoneInfo(settings.timezone)
    today = now.astimezone(tz).date()
    if year is not None and year < today.year:
        now = datetime(year, 12, 31, 23, 59, tzinfo=tz)
        today = now.date()
    framework = load_framework(settings.par_framework)
    manual, survey, appraised, counts = entered_scores(session, framework.id, today.year)
    inputs = ScoringInputs(
        as_of=today, year=today.year, tasks=task_facts(session, today.year),
        dossiers=dossier_summary(session, today.year, now, tz), manual=manual, survey=survey,
        initiatives_approved=counts.pop("initiatives_approved", 0), counts=counts, appraised=appraised,
    )
    return estimate(framework, inputs)
