"""Alembic environment: the engine is handed in by models.db, never read from an ini file."""

from alembic import context

import models  # noqa: F401  (registers every table)
from models.base import Base

config = context.config
engine = config.attributes["engine"]

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
