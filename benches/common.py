"""What several benchmarks need: a fresh database, heads reachable on the console."""

from __future__ import annotations

import os
import tempfile

from sqlalchemy import select, text

from models.db import make_engine
from models.org import Identity, Person, Unit


def empty_postgres(engine) -> None:
    """Drop every table of a PostgreSQL benchmark database (a benchmark starts from nothing)."""
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))


def fresh_database() -> str:
    """``BENCH_DATABASE_URL`` emptied (PostgreSQL), else a new SQLite file."""
    url = os.environ.get("BENCH_DATABASE_URL")
    if url:
        eng = make_engine(url)
        empty_postgres(eng)
        eng.dispose()
        return url
    return f"sqlite:///{tempfile.mkdtemp()}/bench.db"


def latency_ms(parse, texts: list[str], repeats: int) -> str:
    """Wall-clock latency of ``parse(text)`` over ``texts`` × ``repeats`` (after one warm-up pass)."""
    import statistics
    import time

    for t in texts:  # warm-up: caches, lazily compiled matchers
        parse(t)
    samples = []
    for _ in range(repeats):
        for t in texts:
            start = time.perf_counter()
            parse(t)
            samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    q = statistics.quantiles(samples, n=100)
    return (f"latency over {len(samples)} parses: median {statistics.median(samples):.3f} ms, "
            f"p95 {q[94]:.3f} ms, p99 {q[98]:.3f} ms, max {samples[-1]:.3f} ms")


def add_unit_heads(session) -> list[Unit]:
    """One head per unit, reachable on the console chat named by the unit code."""
    units = list(session.scalars(select(Unit)))
    for u in units:
        p = Person(name=f"Trưởng {u.code}", role="head", unit=u)
        p.identities.append(Identity(channel="console", external_id=u.code, chat_id=u.code))
        session.add(p)
    return units
