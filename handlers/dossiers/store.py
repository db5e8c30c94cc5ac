"""Saving imported dossiers: upsert by dossier code, in bulk.

Re-importing the same export changes nothing; a newer export updates what
changed. Work is done in batches so 100,000 rows stay well under 30 s.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from handlers.dossiers.derived import derived_columns
from handlers.dossiers.figures import DossierRecord
from models.dossiers import Dossier, Procedure
from models.org import Unit

BATCH = 2000
DERIVED = ("received_on", "due_on", "closed_on", "outcome", "late_days", "apology_ok")
FIELDS = ("procedure_name", "field", "unit_id", "received_at", "due_at", "original_due_at", "resolved_at",
          "returned_at", "status", "channel", "service_level", "apology_at", "new_due_at", "postal_return")


@dataclass
class UpsertStats:
    added: int = 0
    updated: int = 0
    unchanged: int = 0


def _utc(value: datetime | None, tz: ZoneInfo) -> datetime | None:
    return value.replace(tzinfo=tz) if value is not None and value.tzinfo is None else value


def _row(r: DossierRecord, unit_ids: dict[str, int], procedure_ids: dict[str, int], tz: ZoneInfo, cal) -> dict:
    row = {
        "code": r.code, "procedure_id": procedure_ids.get(r.procedure or ""), "procedure_name": r.procedure,
        "field": r.field, "unit_id": unit_ids.get(r.unit or ""), "received_at": _utc(r.received_at, tz),
        "due_at": _utc(r.due_at, tz), "original_due_at": _utc(r.original_due_at, tz),
        "resolved_at": _utc(r.resolved_at, tz), "returned_at": _utc(r.returned_at, tz), "status": r.status,
        "channel": r.channel, "service_level": r.service_level, "apology_at": _utc(r.apology_at, tz),
        "new_due_at": _utc(r.new_due_at, tz), "postal_return": bool(r.postal_return),
    }
    row.update(derived_columns(row, tz, cal))  # dates and outcome the figures count by, in SQL
    return row


def _procedures(session: Session, records: list[DossierRecord], unit_ids: dict[str, int]) -> dict[str, int]:
    """Link dossiers to the catalogue (by code or name, spelling-tolerant); create
    the procedures an export names that the database does not know yet."""
    from handlers.dossiers.procedures import _key

    procs = list(session.scalars(select(Procedure)))
    known = {_key(p.name): p for p in procs}
    known.update({_key(p.code): p for p in procs if p.code})
    ids: dict[str, int] = {}
    for r in records:
        if not r.procedure or r.procedure in ids:
            continue
        proc = known.get(_key(r.procedure))
        if proc is None:
            proc = known[_key(r.procedure)] = Procedure(name=r.procedure, field=r.field,
                                                        unit_id=unit_ids.get(r.unit or ""))
            session.add(proc)
        if r.service_level and not proc.online_level and not proc.published:
            proc.online_level = r.service_level  # offered online (toàn trình / một phần)
        ids[r.procedure] = proc  # type: ignore[assignment]
    session.flush()
    return {name: proc.id for name, proc in ids.items()}  # type: ignore[attr-defined]


def _same(existing, row: dict) -> bool:
    return all(getattr(existing, name) == row[name] for name in (*FIELDS, *DERIVED))


_COLUMNS = [Dossier.id, Dossier.code, *(getattr(Dossier, name) for name in (*FIELDS, *DERIVED))]


def upsert_dossiers(session: Session, records: list[DossierRecord], tz: ZoneInfo) -> UpsertStats:
    from handlers.worktime.calendar import default_calendar

    cal = default_calendar()
    unit_ids = {code: uid for uid, code in session.execute(select(Unit.id, Unit.code))}
    procedure_ids = _procedures(session, records, unit_ids)
    stats = UpsertStats()
    for start in range(0, len(records), BATCH):
        chunk = [_row(r, unit_ids, procedure_ids, tz, cal) for r in records[start : start + BATCH]]
        codes = [row["code"] for row in chunk]
        # Plain rows, not ORM objects: comparing 100,000 dossiers stays cheap.
        existing = {d.code: d for d in session.execute(select(*_COLUMNS).where(Dossier.code.in_(codes)))}
        new_rows = [row for row in chunk if row["code"] not in existing]
        changed = []
        for row in chunk:
            old = existing.get(row["code"])
            if old is None:
                continue
            if _same(old, row):
                stats.unchanged += 1
            else:
                changed.append({"id": old.id, **{name: row[name] for name in (*FIELDS, *DERIVED)},
                                "procedure_id": row["procedure_id"]})
        if new_rows:
            # Core insert: every row has every key, so the driver batches them
            # (the ORM bulk path splits rows by which values are None).
            stamp = datetime.now(ZoneInfo("UTC"))
            session.execute(insert(Dossier.__table__), [{**row, "updated_at": stamp} for row in new_rows])
        if changed:
            session.execute(update(Dossier), changed)
        stats.added += len(new_rows)
        stats.updated += len(changed)
    return stats


def processing_days(session: Session) -> dict[str, int]:
    """Procedure name (and catalogue code) → processing time in working days,
    from the official catalogue, for exports that leave the appointment date empty."""
    days: dict[str, int] = {}
    for code, name, n in session.execute(select(Procedure.code, Procedure.name, Procedure.processing_days)
                                         .where(Procedure.processing_days.is_not(None))):
        days[name] = n
        if code:
            days[code] = n
    return days


def set_processing_days(session: Session, days_by_procedure: dict[str, int]) -> None:
    """Record official processing times (from the procedure list the office keeps)."""
    for proc in session.scalars(select(Procedure).where(Procedure.name.in_(list(days_by_procedure)))):
        proc.processing_days = days_by_procedure[proc.name]
