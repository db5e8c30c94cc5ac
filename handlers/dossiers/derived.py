"""The derived columns of a dossier, computed whenever it is saved.

Period figures are SQL aggregates over local dates (received_on, due_on,
closed_on), a precomputed outcome and the working days a resolved dossier was
late. They are filled here — by the bulk upsert for imports and by an ORM
hook for dossiers changed one at a time (an apology recorded in chat, test
and demo data) — so that no question ever loads dossiers to classify them.
Importing this module also arms the monthly roll-up's save hooks
(handlers.dossiers.rollup): every save that can change a closed dossier's
class counts its months again before the transaction commits.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy import event

from handlers.dossiers import rollup as _rollup  # noqa: F401  (arms the roll-up's save hooks)
from models.dossiers import Dossier, derive_dates

TIME_FIELDS = ("received_at", "due_at", "original_due_at", "resolved_at", "returned_at", "status", "apology_at")


def derived_columns(values: dict, tz: ZoneInfo | None = None, cal=None) -> dict:
    """``values`` holds the dossier's times (aware UTC or naive local) and status."""
    if cal is None:
        from handlers.worktime.calendar import default_calendar

        cal = default_calendar()
    out = derive_dates(*(values.get(name) for name in TIME_FIELDS), tz=tz or cal.tz)
    out["late_days"] = late_days(cal, out["outcome"], out["due_on"], out["closed_on"])
    return out


def late_days(cal, outcome: str | None, due_on, closed_on) -> int | None:
    """Working days a dossier resolved late was late (at least 1); None otherwise."""
    return max(cal.working_days_between(due_on, closed_on), 1) if outcome == "late" else None


@event.listens_for(Dossier, "before_insert")
@event.listens_for(Dossier, "before_update")
def _refresh(mapper, connection, target: Dossier) -> None:
    for name, value in derived_columns({name: getattr(target, name) for name in TIME_FIELDS}).items():
        setattr(target, name, value)


def refresh_all(session, batch: int = 5000) -> int:
    """Recompute the derived columns of every dossier (after the working
    calendar changed, or after the migration's Monday–Friday backfill)."""
    from sqlalchemy import select, update

    cols = [Dossier.id, *(getattr(Dossier, n) for n in TIME_FIELDS)]
    last, done = 0, 0
    while True:
        rows = session.execute(select(*cols).where(Dossier.id > last).order_by(Dossier.id).limit(batch)).all()
        if not rows:
            return done
        session.execute(update(Dossier), [{"id": r.id, **derived_columns(r._asdict())} for r in rows])
        last, done = rows[-1].id, done + len(rows)


__all__ = ["derived_columns", "late_days", "refresh_all"]
