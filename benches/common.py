"""What several benchmarks need: a fresh database, heads reachable on the console."""

from __future__ import annotations

import os
import tempfile

from sqlalchemy import select, text

from models.db import make_engine
from models.org import Identity, Person, Unit


def fresh_database() -> str:
    """``BENCH_DATABASE_URL`` emptied (PostgreSQL), else a new SQLite file."""
    url = os.environ.get("BENCH_DATABASE_URL")
    if url:
        eng = make_engine(url)
        with eng.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        eng.dispose()
        return url
    return f"sqlite:///{tempfile.mkdtemp()}/bench.db"


def add_unit_heads(session) -> list[Unit]:
    """One head per unit, reachable on the console chat named by the unit code."""
    units = list(session.scalars(select(Unit)))
    for u in units:
        p = Person(name=f"Trưởng {u.code}", role="head", unit=u)
        p.identities.append(Identity(channel="console", external_id=u.code, chat_id=u.code))
        session.add(p)
    return units
