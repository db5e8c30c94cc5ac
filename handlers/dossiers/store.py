"""Saving imported dossiers: upsert by dossier code, in bulk.

Re-importing the same export changes nothing; a newer export updates what
changed. A ten-year export (a million rows) is saved batch by batch as it
is read (:func:`import_export`), so memory stays flat and a later row of a
code — in the same batch or a later one — is the one kept.

Each batch costs one query for the rows already stored under its codes, a
comparison in Python, and one bulk write of the new and changed rows:

* values are compared and written in the form the database stores them
  (on SQLite the text SQLAlchemy writes for dates and times; on PostgreSQL
  naive UTC), so no per-value type conversion runs a million times;
* SQLite: ``executemany`` with a larger page cache for the import, and for
  a bulk load into a (nearly) empty table the secondary indexes are dropped
  and rebuilt once at the end, inside the same transaction (readers keep
  the committed snapshot; a failure rolls the DDL back too);
* PostgreSQL: ``COPY`` into a temporary staging table, then one
  ``INSERT … ON CONFLICT (code) DO UPDATE`` (indexes stay; readers never wait).

Counts are per distinct code, as when the whole file was read first: a code
repeated across batches is counted once, by comparing its last row with the
row stored before the import.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from handlers.dossiers import rollup
from handlers.dossiers.derived import late_days
from handlers.dossiers.figures import DossierRecord
from models.dossiers import Procedure, derive_dates
from models.org import Unit

BATCH = 5000
DERIVED = ("received_on", "due_on", "closed_on", "outcome", "late_days", "apology_ok")
FIELDS = ("procedure_name", "field", "unit_id", "received_at", "due_at", "original_due_at", "resolved_at",
          "returned_at", "status", "channel", "service_level", "apology_at", "new_due_at", "postal_return")
#: What decides whether a stored dossier changed (``procedure_id`` follows the name; it is written, not compared).
COMPARED = (*FIELDS, *DERIVED)
#: Columns written by an import, in the order of the tuples below.
WRITTEN = ("code", "procedure_id", *COMPARED, "updated_at")
#: received_on, due_on, closed_on: where they sit both in a written row and in a stored one
#: (``fetch`` gives (id, procedure_id, *COMPARED), so the positions are the same).
_MONTH_DATES = slice(WRITTEN.index("received_on"), WRITTEN.index("closed_on") + 1)
#: An id lookup of this many codes per statement (SQLite allows 32,766 parameters).
_LOOKUP = 5000
#: SQLite page cache during an import, in KiB (the default 2 MB thrashes on a million rows).
_SQLITE_CACHE_KIB = 64 * 1024
#: A bulk load rebuilds SQLite's secondary indexes when its first batch brings at least this many new dossiers…
_REBUILD_MIN_NEW = 5000
#: …and the table held no more than this many times as many rows before.
_REBUILD_RATIO = 2

ADDED, UNCHANGED, UPDATED = 1, 2, 3

@dataclass
class UpsertStats:
    added: int = 0
    updated: int = 0
    unchanged: int = 0

    def count(self, outcome: int, n: int = 1) -> None:
        if outcome == ADDED:
            self.added += n
        elif outcome == UPDATED:
            self.updated += n
        else:
            self.unchanged += n


class ExportAborted(Exception):
    """The export became unreadable part-way: nothing of it is saved (the caller rolls back)."""


def after_import(session: Session, touched_months: Iterable[date]) -> None:
    """At the end of every dossier import, inside its transaction: the monthly
    roll-up recounts the months whose dossiers changed before the commit. The
    import writes past the ORM (driver SQL, COPY), so the roll-up's own hooks
    on session statements cannot see these rows."""
    rollup.mark(session, touched_months)


# ---------------------------------------------------------------- procedures


class _Procedures:
    """Link dossiers to the catalogue (by code or name, spelling-tolerant); create
    the procedures an export names that the database does not know yet."""

    def __init__(self, session: Session, unit_ids: dict[str, int]) -> None:
        from handlers.dossiers.procedures import _key

        self._key = _key
        self.session = session
        self.unit_ids = unit_ids
        procs = list(session.scalars(select(Procedure)))
        self.known = {_key(p.name): p for p in procs}
        self.known.update({_key(p.code): p for p in procs if p.code})
        self.ids: dict[str, int] = {}

    def link(self, records: Sequence[DossierRecord]) -> dict[str, int]:
        """Procedure name → id for the names in ``records`` (creating unknown ones)."""
        touched: dict[str, Procedure] = {}
        for r in records:
            name = r.procedure
            if not name or name in self.ids or name in touched:
                continue
            proc = self.known.get(self._key(name))
            if proc is None:
                proc = self.known[self._key(name)] = Procedure(name=name, field=r.field,
                                                                unit_id=self.unit_ids.get(r.unit or ""))
                self.session.add(proc)
            if r.service_level and not proc.online_level and not proc.published:
                proc.online_level = r.service_level  # offered online (toàn trình / một phần)
            touched[name] = proc
        if touched:
            self.session.flush()
            self.ids.update({name: proc.id for name, proc in touched.items()})
        return self.ids


# ---------------------------------------------------------------- stored form


class _Backend:
    """Values in the form the database stores and returns them, and the bulk statements."""

    def __init__(self, conn: Connection, tz: ZoneInfo) -> None:
        self.conn = conn
        self.tz = tz
        self._offsets: dict[int, timedelta] = {}
        self._indexes: list[str] = []

    def time(self, value: datetime) -> Any:
        """Naive local → naive UTC, as UTCDateTime stores it."""
        return value - self._offset(value)

    def _offset(self, value: datetime) -> timedelta:
        """The zone's UTC offset at ``value``: looked up once per day without a change of offset."""
        day = value.toordinal()
        offset = self._offsets.get(day)
        if offset is None:
            offset = value.replace(tzinfo=self.tz).utcoffset() or timedelta(0)
            midnight = datetime.fromordinal(day)
            steady = all((midnight + timedelta(hours=h)).replace(tzinfo=self.tz).utcoffset() == offset
                         for h in range(25))
            if not steady:
                return offset  # a change of offset that day (DST): exact per value, never cached
            self._offsets[day] = offset
        return offset

    def utc(self, value: datetime) -> Any:
        """An aware datetime as stored."""
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def day(self, value: date) -> Any:
        return value

    def flag(self, value: bool) -> Any:
        return value

    def fetch(self, codes: list[str]) -> dict[str, tuple]:
        """code → (id, procedure_id, *COMPARED) for the stored dossiers among ``codes``."""
        cols = ", ".join(("procedure_id", *COMPARED))
        found: dict[str, tuple] = {}
        for start in range(0, len(codes), _LOOKUP):
            part = codes[start:start + _LOOKUP]
            for row in self._select(cols, part):
                found[row[1]] = (row[0], *row[2:])
        return found

    def _select(self, cols: str, codes: list[str]) -> Iterable[tuple]:
        raise NotImplementedError

    def write(self, rows: list[tuple], olds: list[tuple | None]) -> None:
        """Insert the rows whose ``olds`` entry is None, update the others (by the stored id)."""
        raise NotImplementedError

    def begin(self, first_new: int) -> None:
        """Called before the first write, with how many new dossiers the first batch brings.

        A bulk load (at least ``_REBUILD_MIN_NEW`` new dossiers into a table holding at most
        ``_REBUILD_RATIO`` times as many) drops the secondary indexes, to build each once,
        sorted, at the end instead of a million random insertions into each. Unique indexes
        stay: the lookups by code need them. It is all inside the import's transaction: a
        failure rolls the indexes back in place.
        """
        if first_new < _REBUILD_MIN_NEW:
            return
        stored = self.conn.exec_driver_sql("SELECT count(*) FROM dossier").scalar() or 0
        if stored > _REBUILD_RATIO * first_new:
            return
        for name, sql in self._secondary_indexes():
            self.conn.exec_driver_sql(f'DROP INDEX "{name}"')
            self._indexes.append(sql)

    def _secondary_indexes(self) -> list[tuple[str, str]]:
        """(name, CREATE statement) of the dossier table's non-unique indexes."""
        raise NotImplementedError

    def finish(self) -> None:
        """Build the indexes a bulk load set aside."""
        for sql in self._indexes:
            self.conn.exec_driver_sql(sql)
        self._indexes = []

    def abandon(self) -> None:
        """After a failure: the caller rolls back (which restores any dropped index)."""
        self._indexes = []


class _SQLite(_Backend):
    """Text for dates and times exactly as SQLAlchemy writes them; 0/1 for booleans."""

    def __init__(self, conn: Connection, tz: ZoneInfo) -> None:
        super().__init__(conn, tz)
        self._cache_kib: int | None = None
        self._insert = f"INSERT INTO dossier ({', '.join(WRITTEN)}) VALUES ({', '.join('?' * len(WRITTEN))})"

    def time(self, value: datetime) -> str:
        return (value - self._offset(value)).isoformat(" ", "microseconds")

    def utc(self, value: datetime) -> str:
        return super().utc(value).isoformat(" ", "microseconds")

    def day(self, value: date) -> str:
        return value.isoformat()

    def flag(self, value: bool) -> int:
        return 1 if value else 0

    def _select(self, cols: str, codes: list[str]) -> Iterable[tuple]:
        marks = ", ".join("?" * len(codes))
        return self.conn.exec_driver_sql(f"SELECT id, code, {cols} FROM dossier WHERE code IN ({marks})",
                                         tuple(codes)).all()

    def write(self, rows: list[tuple], olds: list[tuple | None]) -> None:
        new = [row for row, old in zip(rows, olds) if old is None]
        if new:
            self.conn.exec_driver_sql(self._insert, new)
        # Only the columns that changed: SQLite then leaves alone every index on the others
        # (a newer export mostly changes a status and a date, not the unit or the procedure).
        updates: dict[tuple[str, ...], list[tuple]] = {}
        for row, old in zip(rows, olds):
            if old is None:
                continue
            cols = [c for c, a, b in zip(COMPARED, old[2:], row[2:-1]) if a != b]
            values = [b for a, b in zip(old[2:], row[2:-1]) if a != b]
            if old[1] != row[1]:
                cols.insert(0, "procedure_id")
                values.insert(0, row[1])
            updates.setdefault(tuple(cols), []).append((*values, row[-1], old[0]))
        for cols, params in updates.items():
            sets = ", ".join(f"{c} = ?" for c in (*cols, "updated_at"))
            self.conn.exec_driver_sql(f"UPDATE dossier SET {sets} WHERE id = ?", params)

    def begin(self, first_new: int) -> None:
        if not self.conn.connection.driver_connection.in_transaction:  # type: ignore[union-attr]
            # pysqlite opens its transaction only at the first INSERT/UPDATE: without
            # this, a DROP INDEX would be committed on its own.
            self.conn.exec_driver_sql("BEGIN")
        self._cache_kib = self.conn.exec_driver_sql("PRAGMA cache_size").scalar()
        self.conn.exec_driver_sql(f"PRAGMA cache_size=-{_SQLITE_CACHE_KIB}")
        super().begin(first_new)

    def _secondary_indexes(self) -> list[tuple[str, str]]:
        return [(name, sql) for name, sql in self.conn.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'dossier' "
            "AND sql IS NOT NULL AND upper(sql) NOT LIKE 'CREATE UNIQUE%'")]

    def _restore_cache(self) -> None:
        if self._cache_kib is not None:
            self.conn.exec_driver_sql(f"PRAGMA cache_size={int(self._cache_kib)}")
            self._cache_kib = None

    def finish(self) -> None:
        # First: an index build sorts in memory up to the cache size *besides* the cache,
        # and is faster with the small default one (measured: 2.0 s vs 3.5 s CPU).
        self._restore_cache()
        super().finish()

    def abandon(self) -> None:
        super().abandon()
        try:
            self._restore_cache()
        except Exception:  # noqa: BLE001 - the original error is the one to report
            self._cache_kib = None


class _PostgreSQL(_Backend):
    """New dossiers are COPYed straight into the table (the lookup just found them absent,
    inside this transaction); changed ones COPYed into a temporary staging table, then
    one ``INSERT … ON CONFLICT (code) DO UPDATE`` per batch."""

    def __init__(self, conn: Connection, tz: ZoneInfo) -> None:
        super().__init__(conn, tz)
        self._staged = False
        cols = ", ".join(WRITTEN)
        updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in WRITTEN[1:])
        self._merge = (f"INSERT INTO dossier ({cols}) SELECT {cols} FROM dossier_import "
                       f"ON CONFLICT (code) DO UPDATE SET {updates}")

    def _copy(self, table: str, rows: list[tuple]) -> None:
        cursor = self.conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            with cursor.copy(f"COPY {table} ({', '.join(WRITTEN)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        finally:
            cursor.close()

    def _select(self, cols: str, codes: list[str]) -> Iterable[tuple]:
        return self.conn.exec_driver_sql(f"SELECT id, code, {cols} FROM dossier WHERE code = ANY(%s)",
                                         (codes,)).all()

    def write(self, rows: list[tuple], olds: list[tuple | None]) -> None:
        new = [row for row, old in zip(rows, olds) if old is None]
        if new:
            self._copy("dossier", new)
        changed = [row for row, old in zip(rows, olds) if old is not None]
        if not changed:
            return
        if not self._staged:
            self.conn.exec_driver_sql(
                f"CREATE TEMPORARY TABLE IF NOT EXISTS dossier_import ON COMMIT DROP AS "
                f"SELECT {', '.join(WRITTEN)} FROM dossier WITH NO DATA")
            self._staged = True
        self._copy("dossier_import", changed)
        self.conn.exec_driver_sql(self._merge)
        self.conn.exec_driver_sql("TRUNCATE dossier_import")

    def _secondary_indexes(self) -> list[tuple[str, str]]:
        # Readers of the table wait for the import's commit while its indexes are dropped:
        # only a bulk load into a (nearly) empty table does it (see begin()).
        return [(name, sql) for name, sql in self.conn.exec_driver_sql(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
            "AND tablename = 'dossier' AND left(indexdef, 13) <> 'CREATE UNIQUE'")]

    def finish(self) -> None:
        super().finish()
        if self._staged:
            self.conn.exec_driver_sql("DROP TABLE IF EXISTS dossier_import")
            self._staged = False

    def abandon(self) -> None:
        super().abandon()
        self._staged = False  # ON COMMIT DROP, and a rollback removes it as well


def _backend(session: Session, tz: ZoneInfo) -> _Backend:
    conn = session.connection()
    name = conn.dialect.name
    if name == "sqlite":
        return _SQLite(conn, tz)
    if name == "postgresql":
        return _PostgreSQL(conn, tz)
    raise NotImplementedError(f"dossier import on {name}")


# ---------------------------------------------------------------- the upsert


def _month(value: Any) -> date:
    """A stored date (a date, or SQLite's 'yyyy-mm-dd') → the first of its month."""
    if isinstance(value, str):
        return date(int(value[:4]), int(value[5:7]), 1)
    return value.replace(day=1)


class _Outcomes:
    """Per code of a streamed file: its first outcome, the one counted now and a hash of
    the row stored before the import (numpy, ~10 bytes a code), to count repeats once."""

    def __init__(self) -> None:
        import numpy as np

        self._np = np
        self.first = np.zeros(0, np.int8)
        self.counted = np.zeros(0, np.int8)
        self.before = np.zeros(0, np.int64)

    def grow(self, size: int) -> None:
        np = self._np
        if size > len(self.first):
            extra = max(size - len(self.first), len(self.first) // 2, 1024)
            self.first = np.concatenate([self.first, np.zeros(extra, np.int8)])
            self.counted = np.concatenate([self.counted, np.zeros(extra, np.int8)])
            self.before = np.concatenate([self.before, np.zeros(extra, np.int64)])


class DossierImport:
    """One import: records saved batch after batch inside the caller's transaction."""

    def __init__(self, session: Session, tz: ZoneInfo) -> None:
        from handlers.worktime.calendar import default_calendar

        self.session = session
        self.tz = tz
        self.cal = default_calendar()
        self.unit_ids = {code: uid for uid, code in session.execute(select(Unit.id, Unit.code))}
        self.procedures = _Procedures(session, self.unit_ids)
        self.db = _backend(session, tz)
        self.stats = UpsertStats()
        self.stamp = datetime.now(timezone.utc)
        self._stamp: Any = None
        self._begun = False
        #: received/due/closed dates (stored form) of every new or changed dossier, old and new values
        self._dates: set[Any] = set()
        self._outcomes: _Outcomes | None = None

    def _stored(self, r: DossierRecord, procedure_ids: dict[str, int]) -> tuple:
        """The record as the tuple of WRITTEN columns, in stored form."""
        db = self.db
        # Naive values are local time: the same dates as from aware ones in the zone.
        derived = derive_dates(r.received_at, r.due_at, r.original_due_at, r.resolved_at, r.returned_at,
                               r.status, r.apology_at, tz=self.tz)
        received_on, due_on, closed_on, outcome = (derived["received_on"], derived["due_on"],
                                                   derived["closed_on"], derived["outcome"])
        time, day = db.time, db.day
        return (
            r.code, procedure_ids.get(r.procedure or ""), r.procedure, r.field, self.unit_ids.get(r.unit or ""),
            time(r.received_at) if r.received_at is not None else None,
            time(r.due_at) if r.due_at is not None else None,
            time(r.original_due_at) if r.original_due_at is not None else None,
            time(r.resolved_at) if r.resolved_at is not None else None,
            time(r.returned_at) if r.returned_at is not None else None,
            r.status, r.channel, r.service_level,
            time(r.apology_at) if r.apology_at is not None else None,
            time(r.new_due_at) if r.new_due_at is not None else None,
            db.flag(bool(r.postal_return)),
            day(received_on) if received_on is not None else None,
            day(due_on) if due_on is not None else None,
            day(closed_on) if closed_on is not None else None,
            outcome, late_days(self.cal, outcome, due_on, closed_on), db.flag(derived["apology_ok"]),
            self._stamp,
        )

    def save(self, records: Sequence[DossierRecord], slots: Sequence[int] | None = None,
             repeats: Sequence[int] = ()) -> None:
        """Upsert one batch of distinct codes. ``slots``/``repeats`` (from a stream) say which
        codes an earlier batch already saved, so that each code is counted once."""
        if not records:
            return
        if self._stamp is None:
            self._stamp = self.db.utc(self.stamp)
        procedure_ids = self.procedures.link(records)
        rows = [self._stored(r, procedure_ids) for r in records]
        existing = self.db.fetch([row[0] for row in rows])
        if not self._begun:
            self.db.begin(sum(1 for row in rows if row[0] not in existing))
            self._begun = True
        out_rows: list[tuple] = []
        out_olds: list[tuple | None] = []
        outcomes: list[int] = []
        befores: list[int] = []
        dates = self._dates
        streamed = slots is not None
        for row in rows:
            old = existing.get(row[0])
            if old is None:
                outcome, before = ADDED, 0
            else:
                before = hash(old[2:]) if streamed else 0
                outcome = UNCHANGED if old[2:] == row[2:-1] else UPDATED
            outcomes.append(outcome)
            befores.append(before)
            if outcome == UNCHANGED:
                continue
            out_rows.append(row)
            out_olds.append(old)
            dates.update(row[_MONTH_DATES])
            if old is not None:
                dates.update(old[_MONTH_DATES])
        if out_rows:
            self.db.write(out_rows, out_olds)
        if slots is None:
            for outcome in outcomes:
                self.stats.count(outcome)
            return
        self._count_stream(rows, slots, repeats, outcomes, befores)

    def _count_stream(self, rows: list[tuple], slots: Sequence[int], repeats: Sequence[int],
                      outcomes: list[int], befores: list[int]) -> None:
        if self._outcomes is None:
            self._outcomes = _Outcomes()
        book = self._outcomes
        np = book._np
        book.grow(max(slots) + 1)
        again = set(repeats)
        fresh = [i for i in range(len(rows)) if i not in again] if again else range(len(rows))
        if again:
            idx = np.fromiter((slots[i] for i in fresh), np.int64)
            values = np.fromiter((outcomes[i] for i in fresh), np.int8)
            hashes = np.fromiter((befores[i] for i in fresh), np.int64)
        else:
            idx = np.asarray(slots, np.int64)
            values = np.asarray(outcomes, np.int8)
            hashes = np.asarray(befores, np.int64)
        book.first[idx] = values
        book.counted[idx] = values
        book.before[idx] = hashes
        for outcome in (ADDED, UNCHANGED, UPDATED):
            self.stats.count(outcome, int((values == outcome).sum()))
        for i in repeats:  # counted once: the last row against what was stored before the import
            slot = slots[i]
            if int(book.first[slot]) == ADDED:
                now = ADDED
            else:
                now = UNCHANGED if hash(rows[i][2:-1]) == int(book.before[slot]) else UPDATED
            self.stats.count(int(book.counted[slot]), -1)
            self.stats.count(now)
            book.counted[slot] = now

    def finish(self) -> UpsertStats:
        """Rebuild what a bulk load set aside, then the after-import hooks."""
        self.db.finish()
        after_import(self.session, {_month(d) for d in self._dates if d is not None})
        return self.stats


def upsert_dossiers(session: Session, records: list[DossierRecord], tz: ZoneInfo) -> UpsertStats:
    """Upsert ``records`` (distinct codes) by code; for a chat upload, the demo and tests."""
    job = DossierImport(session, tz)
    try:
        for start in range(0, len(records), BATCH):
            job.save(records[start:start + BATCH])
    except BaseException:
        job.db.abandon()
        raise
    return job.finish()


def import_export(session: Session, stream: Any, tz: ZoneInfo) -> UpsertStats:
    """Save an :class:`~handlers.dossiers.export_reader.ExportStream` batch by batch.

    Raises :class:`ExportAborted` when the file turned out unreadable part-way;
    the caller then rolls the transaction back (nothing of the file is kept,
    as when the whole file was read before saving).
    """
    job = DossierImport(session, tz)
    try:
        for batch in stream.batches():
            job.save(batch.records, batch.slots, batch.repeats)
        if stream.aborted:
            raise ExportAborted(stream.result.errors[-1].reason_vi)
    except BaseException:
        job.db.abandon()
        raise
    return job.finish()


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
