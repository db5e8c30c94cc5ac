"""The same schema on SQLite and PostgreSQL; upgrade and downgrade both work."""

from __future__ import annotations

import os

import pytest

from tests.conftest import pg_url
from sqlalchemy import inspect, select, text

from models.db import downgrade, make_engine, session_factory, table_names, upgrade
from models.org import Unit


def _schema(engine) -> dict[str, set[str]]:
    insp = inspect(engine)
    return {t: {c["name"] for c in insp.get_columns(t)} for t in insp.get_table_names()}


def test_upgrade_on_empty_sqlite_loads_org_and_downgrades_to_base(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
    upgrade(engine)
    with session_factory(engine)() as s:
        codes = set(s.scalars(select(Unit.code)))
    assert codes == {"BGD", "VP", "TTRA", "QLKH", "QLCN", "KHTC", "TDC", "TTUD"}
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    downgrade(engine)
    assert table_names(engine) == ["alembic_version"]
    upgrade(engine)  # and back up again
    assert "task" in table_names(engine)


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"),
                    reason="PostgreSQL not configured (set TEST_DATABASE_URL)")
def test_postgresql_schema_equals_sqlite_schema(tmp_path, pg_engine):
    lite = make_engine(f"sqlite:///{tmp_path / 'cmp.db'}")
    upgrade(lite)
    assert _schema(lite) == _schema(pg_engine)
    # downgrade to base and back, on a scratch schema so the shared one stays usable
    with pg_engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS scratch CASCADE"))
        conn.execute(text("CREATE SCHEMA scratch"))
    scratch = make_engine(pg_url(), connect_args={"options": "-csearch_path=scratch"})
    upgrade(scratch)
    assert set(table_names(scratch)) == set(_schema(lite))
    downgrade(scratch)
    assert table_names(scratch) == ["alembic_version"]
    scratch.dispose()
    with pg_engine.begin() as conn:
        conn.execute(text("DROP SCHEMA scratch CASCADE"))
