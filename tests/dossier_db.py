"""Dossier records stored in a database, for tests of the SQL figures.

``store`` writes records through the real import path (upsert with derived
columns) into a session of any backend; ``memory_session`` gives a throwaway
in-memory SQLite with the schema and the default units, for module-scoped
fixtures that need no second backend.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from zoneinfo import ZoneInfo

from sqlalchemy import create_engine, delete
from sqlalchemy.orm import Session

from handlers.dossiers.figures import DossierRecord
from handlers.dossiers.store import upsert_dossiers
from models import Base
from models.db import seed_org
from models.dossiers import Dossier, Procedure
from models.org_file import load_org

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def store(session: Session, records: Sequence[DossierRecord], replace: bool = True) -> None:
    if replace:
        session.execute(delete(Dossier))
        session.execute(delete(Procedure))
    upsert_dossiers(session, list(records), TZ)
    session.flush()


@contextmanager
def memory_session(records: Sequence[DossierRecord] = ()) -> Iterator[Session]:
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        seed_org(session, load_org())
        store(session, records, replace=False)
        yield session
    engine.dispose()
