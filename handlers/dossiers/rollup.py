"""Keeping the monthly roll-up of closed dossiers (``dossier_month``) true.

The roll-up is a cache of the figures' own GROUP BY (models.dossiers.month_rollup):
it is right exactly when, for every month, it holds that GROUP BY over the
dossiers closed in the month. So whatever changes a dossier marks the months
its closing date was in before and after the change, and before the session
commits those months are counted again from the dossier table, in the same
transaction: a reader never sees dossiers and roll-up disagree.

Changes are noticed three ways, so no caller has to remember:

* ORM saves (a dossier added or edited one at a time): mapper events, with the
  old closing date from the attribute history;
* statements run through a session on the dossier table (a bulk ``insert``,
  a by-id ``update`` such as :func:`handlers.dossiers.derived.refresh_all`): a
  ``do_orm_execute`` hook reads the months from the parameters, and for
  updates first asks the database where those dossiers were closed before;
* anything else on the dossier table (a ``DELETE``, an update with a WHERE
  clause): the whole roll-up is rebuilt, one GROUP BY.

Code that writes dossiers some other way calls :func:`mark`, :func:`refresh_months`
or :func:`rebuild` itself: the import (driver SQL and COPY) marks the months it
touched in :func:`handlers.dossiers.store.after_import`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import and_, delete, event, insert, inspect, select
from sqlalchemy.orm import Session

from models.dossiers import ROLLUP_COLUMNS, Dossier, DossierMonth, month_rollup, year_month

_KEY = "dossier_months_dirty"
_ALL = "all"
_D = Dossier.__table__.c
_M = DossierMonth.__table__
#: Ids per query when asking where updated dossiers were closed before.
_ID_CHUNK = 1000


def ym(day: date) -> int:
    return day.year * 100 + day.month


def month_start(month: int) -> date:
    return date(month // 100, month % 100, 1)


def next_month(month: int) -> int:
    y, m = divmod(month, 100)
    return (y + 1) * 100 + 1 if m == 12 else month + 1


# ---------------------------------------------------------------- refreshing


def refresh_months(session: Session, months: Iterable[int | date]) -> None:
    """Count the given months (``yyyymm`` or any date in the month) again from the
    dossier table. One DELETE and one INSERT … SELECT per run of consecutive months."""
    wanted = sorted({m if isinstance(m, int) else ym(m) for m in months})
    for first, last in _runs(wanted):
        lo, hi = month_start(first), month_start(next_month(last))
        session.execute(delete(_M).where(_M.c.closed_ym >= first, _M.c.closed_ym <= last))
        session.execute(insert(_M).from_select(ROLLUP_COLUMNS,
                                               month_rollup(and_(_D.closed_on >= lo, _D.closed_on < hi))))


def rebuild(session: Session) -> None:
    """Count every month again (after a change the hooks could not pin to months)."""
    session.execute(delete(_M))
    session.execute(insert(_M).from_select(ROLLUP_COLUMNS, month_rollup(_D.closed_on.is_not(None))))


def _runs(months: list[int]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    for m in months:
        if runs and next_month(runs[-1][1]) == m:
            runs[-1] = (runs[-1][0], m)
        else:
            runs.append((m, m))
    return runs


def settle(session: Session) -> None:
    """Bring the roll-up up to date with what this session changed so far (before
    reading it, and before a commit). Does nothing when nothing changed."""
    if session.new or session.dirty or session.deleted:
        session.flush()
    dirty = session.info.pop(_KEY, None)
    if not dirty:
        return
    if _ALL in dirty:
        rebuild(session)
    else:
        refresh_months(session, dirty)


# ---------------------------------------------------------------- noticing changes


def mark(session: Session, months: Iterable[int | date | None]) -> None:
    """Note months to count again before the session commits (``None`` is ignored)."""
    dirty = session.info.setdefault(_KEY, set())
    dirty.update(m if isinstance(m, int) else ym(m) for m in months if m is not None)


def mark_all(session: Session) -> None:
    session.info.setdefault(_KEY, set()).add(_ALL)


def _closed_on_history(target: Dossier) -> list[date | None]:
    """The closing dates a flushed dossier had before and has now."""
    hist = inspect(target).attrs.closed_on.history
    return [*hist.added, *hist.unchanged, *hist.deleted]


@event.listens_for(Dossier, "after_insert")
@event.listens_for(Dossier, "after_update")
@event.listens_for(Dossier, "after_delete")
def _saved(mapper, connection, target: Dossier) -> None:
    session = Session.object_session(target)
    if session is not None:
        mark(session, _closed_on_history(target))


def _is_dossier(stmt) -> bool:
    table = getattr(stmt, "table", None)
    return table is not None and getattr(table, "name", None) == Dossier.__tablename__


@event.listens_for(Session, "do_orm_execute")
def _statement(state) -> None:
    if not (state.is_insert or state.is_update or state.is_delete) or not _is_dossier(state.statement):
        return
    session = state.session
    params = state.parameters
    rows = params if isinstance(params, list) else [params] if params else []
    if state.is_delete or not rows or _has_own_values(state.statement):
        mark_all(session)
        return
    if state.is_update:
        if not all("id" in row for row in rows) or state.statement.whereclause is not None:
            mark_all(session)
            return
        ids = [row["id"] for row in rows]
        month = year_month(_D.closed_on)
        for i in range(0, len(ids), _ID_CHUNK):
            found = session.execute(select(month).distinct().where(_D.id.in_(ids[i:i + _ID_CHUNK]),
                                                                   _D.closed_on.is_not(None)))
            mark(session, (int(m) for (m,) in found))
    mark(session, (row.get("closed_on") for row in rows))


def _has_own_values(stmt) -> bool:
    """INSERT … SELECT or values() baked into the statement: rows the hook cannot see."""
    return bool(getattr(stmt, "select", None) is not None or getattr(stmt, "_values", None)
                or getattr(stmt, "_multi_values", None))


@event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    settle(session)


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(_KEY, None)


__all__ = ["mark", "mark_all", "rebuild", "refresh_months", "settle"]
