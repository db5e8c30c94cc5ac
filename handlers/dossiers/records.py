"""Bridge from Dossier rows (UTC) to the pure DossierRecord (local wall clock).

The figures module classifies by local date like the provincial systems do,
so every conversion to local time happens here, once.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from handlers.dossiers.figures import DossierRecord
from models.dossiers import Dossier
from models.queries import dossiers_between


def _local(value: datetime | None, tz: ZoneInfo) -> datetime | None:
    return value.astimezone(tz).replace(tzinfo=None) if value else None


def to_record(d: Dossier, tz: ZoneInfo) -> DossierRecord:
    return DossierRecord(
        code=d.code, procedure=d.procedure_name, field=d.field, unit=d.unit.code if d.unit else None,
        received_at=_local(d.received_at, tz), due_at=_local(d.due_at, tz),
        original_due_at=_local(d.original_due_at, tz), resolved_at=_local(d.resolved_at, tz),
        returned_at=_local(d.returned_at, tz), status=d.status, channel=d.channel, service_level=d.service_level,
        apology_at=_local(d.apology_at, tz), new_due_at=_local(d.new_due_at, tz), postal_return=d.postal_return,
    )


def records_for_period(session: Session, start: date, end: date, tz: ZoneInfo) -> list[DossierRecord]:
    """Every dossier that can count in [start, end]: received by its end and
    not closed before its start."""
    lo = datetime.combine(start, time.min, tz)
    hi = datetime.combine(end + timedelta(days=1), time.min, tz)
    return [to_record(d, tz) for d in dossiers_between(session, lo, hi)]
