"""Engine and session factories, migrations, and seeding the organisation.

Nothing happens at import time: callers build an engine from a URL, so
tests, the demo and the bot can each point at their own database.
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, inspect, select
from sqlalchemy.orm import Session, sessionmaker

from models.org import Person, Unit, supervision

if TYPE_CHECKING:
    from settings import Settings
from models.org_file import OrgSpec, load_org

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def make_engine(url: str, **kwargs) -> Engine:
    """An engine with SQLite tuned for a bot: WAL, foreign keys, busy timeout."""
    if url.startswith("sqlite"):
        _ensure_sqlite_dir(url)
        engine = create_engine(url, connect_args={"timeout": 30}, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def _ensure_sqlite_dir(url: str) -> None:
    path = url.split("///", 1)[-1]
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error."""
    with factory() as session:
        with session.begin():
            yield session


def alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine, revision: str = "head", org: OrgSpec | None = None) -> None:
    """Migrate to ``revision``; an empty database also gets the organisation."""
    command.upgrade(alembic_config(engine), revision)
    if revision == "head":
        with transaction(session_factory(engine)) as session:
            seed_org(session, org or load_org())


def downgrade(engine: Engine, revision: str = "base") -> None:
    command.downgrade(alembic_config(engine), revision)


def table_names(engine: Engine) -> list[str]:
    return sorted(inspect(engine).get_table_names())


def seed_org(session: Session, org: OrgSpec) -> int:
    """Load units from the org file into an empty database; returns units added.

    Runs only when no unit exists, so the office's later edits made in the
    database are never overwritten by the file.
    """
    if session.scalar(select(Unit.id).limit(1)) is not None:
        return 0
    for spec in org.units:
        session.add(Unit(code=spec.code, name=spec.name, kind=spec.kind, aliases=list(spec.aliases)))
    session.flush()
    return len(org.units)


__all__ = [
    "make_engine", "session_factory", "transaction", "upgrade", "downgrade", "table_names", "seed_org",
    "upgrade_database", "downgrade_database",
    "Person", "supervision",
]


def upgrade_database(settings: "Settings", revision: str) -> int:
    """``main.py db upgrade``: migrate the configured database (an empty one gets the org file)."""
    from models.org_file import load_org

    engine = make_engine(settings.database_url)
    upgrade(engine, revision, org=load_org(settings.org_file))
    return len(table_names(engine))


def downgrade_database(settings: "Settings", revision: str) -> None:
    downgrade(make_engine(settings.database_url), revision)
