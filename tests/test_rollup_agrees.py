"""Whole months read from the monthly roll-up give the same figures as counting
every dossier live — after a first import, after a re-import that changes
dossiers (reopened, closed on another day, moved to another unit or channel),
after an apology recorded on one dossier, and after dossiers are deleted.
(Property test over generated dossier sets, on every configured backend.)"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, Phase, given, settings as hsettings, strategies as st
from sqlalchemy import delete, select

from handlers.dossiers.figures import _COUNTS, DossierRecord, by_field, by_unit, period_figures
from handlers.dossiers.store import upsert_dossiers
from models.db import transaction
from models.dossiers import ROLLUP_COLUMNS, Dossier, DossierMonth, month_rollup
from tests.dossier_db import store

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
TODAY = date(2026, 11, 23)
FIRST = date(2025, 11, 1)
PERIODS = [  # whole ended months, a year still running, a half-year, a month in progress, a custom range
    (date(2026, 1, 1), date(2026, 12, 31)), (date(2026, 7, 1), date(2026, 9, 30)),
    (date(2026, 10, 1), date(2026, 10, 31)), (date(2026, 1, 1), date(2026, 6, 30)),
    (date(2025, 12, 1), date(2026, 2, 28)), (date(2026, 11, 1), date(2026, 11, 30)),
    (date(2026, 3, 15), date(2026, 8, 20)),
]
UNITS = ["QLKH", "QLCN", "TDC", None]


def _at(d: date | None, hour: int = 9) -> datetime | None:
    return datetime.combine(d, time(hour)) if d else None


@st.composite
def dossier(draw, n: int) -> DossierRecord:
    received = FIRST + timedelta(days=draw(st.integers(0, (TODAY - FIRST).days)))
    due = received + timedelta(days=draw(st.integers(0, 30)))
    status = draw(st.sampled_from([2, 3, 4, 5, 7, 8, 9, 10, 10, 10, 10]))
    closed = None
    if status in (3, 7, 9, 10):
        closed = min(received + timedelta(days=draw(st.integers(0, 70))), TODAY)
    apology = due - timedelta(days=draw(st.integers(-2, 3))) if draw(st.booleans()) else None
    return DossierRecord(
        code=f"HS-{n:04d}", procedure=draw(st.sampled_from(["Thủ tục A", "Thủ tục B"])),
        field=draw(st.sampled_from(["Lĩnh vực 1", "Lĩnh vực 2", None])), unit=draw(st.sampled_from(UNITS)),
        received_at=_at(received, 8), due_at=_at(due, 16), original_due_at=None, resolved_at=_at(closed, 15),
        returned_at=None, status=status, channel=draw(st.sampled_from(["direct", "online", "postal"])),
        service_level=None, apology_at=_at(apology, 10), new_due_at=None,
    )


@st.composite
def changed(draw, r: DossierRecord) -> DossierRecord:
    """The same dossier in a newer export: reopened, closed (on another day), or moved."""
    kind = draw(st.sampled_from(["reopen", "close", "move", "channel"]))
    if kind == "reopen":
        return replace(r, status=4, resolved_at=None)
    if kind == "close":
        day = min(r.received_at.date() + timedelta(days=draw(st.integers(0, 90))), TODAY)
        return replace(r, status=draw(st.sampled_from([7, 9, 10])), resolved_at=_at(day, 14))
    if kind == "move":
        return replace(r, unit=draw(st.sampled_from(UNITS)), field=draw(st.sampled_from(["Lĩnh vực 1", None])))
    return replace(r, channel=draw(st.sampled_from(["direct", "online", "postal"])))


@st.composite
def histories(draw) -> tuple[list[DossierRecord], list[DossierRecord]]:
    first = [draw(dossier(i)) for i in range(draw(st.integers(0, 60)))]
    picked = draw(st.lists(st.sampled_from(first), unique_by=lambda r: r.code, max_size=20)) if first else []
    newer = [draw(changed(r)) for r in picked] + [draw(dossier(1000 + i)) for i in range(draw(st.integers(0, 5)))]
    return first, newer


def _counts(fig) -> dict:
    return {name: getattr(fig, name) for name in _COUNTS} | {"codes": fig.late_without_apology_codes}


def _rows(rows) -> list[tuple]:
    """Roll-up rows comparable across backends (PostgreSQL's extract() gives decimals)."""
    return sorted((tuple(int(x) if i < 2 and x is not None else x for i, x in enumerate(r)) for r in rows), key=repr)


def _assert_agree(factory) -> None:
    with factory() as s:
        table = s.execute(select(*(DossierMonth.__table__.c[c] for c in ROLLUP_COLUMNS))).all()
        assert _rows(table) == _rows(s.execute(month_rollup(Dossier.closed_on.is_not(None))).all())
        for start, end in PERIODS:
            for codes in (None, ["QLKH", "TDC"]):
                assert _counts(period_figures(s, start, end, TODAY, codes)) == \
                    _counts(period_figures(s, start, end, TODAY, codes, live=True)), (start, end, codes)
            for grouped in (by_unit, by_field):
                a, b = grouped(s, start, end, TODAY), grouped(s, start, end, TODAY, live=True)
                assert {k: _counts(f) for k, f in a.items()} == {k: _counts(f) for k, f in b.items()}, (start, end)


@hsettings(max_examples=12, deadline=None, derandomize=True, phases=[Phase.explicit, Phase.generate],
           suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                  HealthCheck.data_too_large])
@given(history=histories())
def test_rolled_up_months_equal_the_live_count(factory, history):
    first, newer = history
    with transaction(factory) as s:
        store(s, first)
    _assert_agree(factory)
    with transaction(factory) as s:  # a newer export: some dossiers changed, a few new
        upsert_dossiers(s, newer, TZ)
    _assert_agree(factory)
    with transaction(factory) as s:  # one dossier edited through the ORM (an apology recorded in chat)
        d = s.scalars(select(Dossier).where(Dossier.closed_on.is_not(None)).order_by(Dossier.code).limit(1)).first()
        if d is not None:
            d.apology_at = d.due_at - timedelta(days=1) if d.due_at else None
            d.resolved_at = d.resolved_at + timedelta(days=31) if d.resolved_at else None
    _assert_agree(factory)
    with transaction(factory) as s:  # dossiers removed
        s.execute(delete(Dossier).where(Dossier.code.like("HS-000%")))
    _assert_agree(factory)


def test_figures_read_in_the_same_session_see_its_unsaved_import(factory):
    """An import and a question in one transaction: the roll-up is counted again before it is read."""
    records = [DossierRecord(code=f"X-{i}", procedure="Thủ tục A", field=None, unit="QLKH",
                             received_at=_at(date(2026, 3, 2)), due_at=_at(date(2026, 3, 20), 16),
                             original_due_at=None, resolved_at=_at(date(2026, 3, 10 + i)), returned_at=None,
                             status=10, channel="online", service_level=None, apology_at=None, new_due_at=None)
               for i in range(3)]
    with transaction(factory) as s:
        upsert_dossiers(s, records, TZ)
        fig = period_figures(s, date(2026, 1, 1), date(2026, 3, 31), TODAY)
        assert (fig.received_online, fig.early) == (3, 3)
        upsert_dossiers(s, [replace(r, status=4, resolved_at=None) for r in records[:2]], TZ)
        fig = period_figures(s, date(2026, 1, 1), date(2026, 3, 31), TODAY)
        assert (fig.early, fig.in_progress_total) == (1, 2)


def test_migration_counts_the_dossiers_already_stored(engine, factory):
    """Upgrading a database that already holds dossiers fills the roll-up (0006's backfill),
    and downgrading drops it; figures agree with the live count afterwards."""
    from models.db import downgrade, table_names, upgrade

    records = [DossierRecord(code=f"M-{i}", procedure="Thủ tục A", field=None, unit=UNITS[i % 4],
                             received_at=_at(date(2026, 1 + i % 9, 3)), due_at=_at(date(2026, 1 + i % 9, 20), 16),
                             original_due_at=None, resolved_at=_at(date(2026, 1 + i % 10, 10 + i % 15)),
                             returned_at=None, status=(10, 9, 7, 3)[i % 4], channel=("online", "direct")[i % 2],
                             service_level=None, apology_at=None, new_due_at=None) for i in range(40)]
    with transaction(factory) as s:
        store(s, records)
    downgrade(engine, "0005")
    assert "dossier_month" not in table_names(engine)
    upgrade(engine)
    with factory() as s:
        assert s.scalar(select(DossierMonth.n).limit(1)) is not None
    _assert_agree(factory)
