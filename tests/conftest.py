"""Shared fixtures: a migrated database on each configured backend, a core
with a fixed clock, and a conversation helper that reads like a chat.

SQLite always runs; PostgreSQL runs too when TEST_DATABASE_URL names one
(`.ci/run` sets it). Each test gets an empty, migrated database with the
default organisation.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, text

from handlers.core.messages import IncomingMessage, Reply
from models.db import make_engine, seed_org, session_factory, transaction, upgrade
from models.org_file import load_org
from settings import Settings

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=TZ)


def pg_url() -> str:
    """The PostgreSQL test database: under pytest-xdist each worker gets its own
    (``test_gw0``, ``test_gw1`` …, created on first use), so parallel workers never
    truncate each other's tables."""
    url = os.environ["TEST_DATABASE_URL"]
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return url
    base, _sep, name = url.rpartition("/")
    own = f"{name}_{worker}"
    admin = make_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            if conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": own}) is None:
                conn.execute(text(f'CREATE DATABASE "{own}"'))
    finally:
        admin.dispose()
    return f"{base}/{own}"


def _backends() -> list[str]:
    backends = ["sqlite"]
    url = os.environ.get("TEST_DATABASE_URL", "")
    if url.startswith("postgresql"):
        backends.append("postgresql")
    return backends


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """One migrated SQLite file, copied for each test (much faster than migrating)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def pg_engine() -> Iterator[Engine]:
    engine = make_engine(pg_url())
    from models.db import downgrade

    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    upgrade(engine)
    yield engine
    downgrade(engine)
    engine.dispose()


def _truncate_and_seed(engine: Engine) -> None:
    from models import Base

    names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    with transaction(session_factory(engine)) as session:
        seed_org(session, load_org())


@pytest.fixture(params=_backends())
def db_url(request, tmp_path, sqlite_template) -> str:
    """URL of an empty migrated database with the default organisation."""
    if request.param == "sqlite":
        path = tmp_path / "bot.db"
        shutil.copy(sqlite_template, path)
        return f"sqlite:///{path}"
    engine = request.getfixturevalue("pg_engine")
    _truncate_and_seed(engine)
    return engine.url.render_as_string(hide_password=False)


@pytest.fixture
def engine(db_url) -> Iterator[Engine]:
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


@pytest.fixture
def factory(engine):
    return session_factory(engine)


@pytest.fixture
def settings(db_url) -> Settings:
    return Settings(_env_file=None, database_url=db_url)


@pytest.fixture
def core(factory, settings):
    """The real core with every feature, on the test database, at NOW (files that need demo
    data or another moment define their own)."""
    from handlers.core.router import Core
    from handlers.features import build_registry

    return Core(factory, settings, build_registry(), clock=lambda: NOW)


@dataclass
class Chat:
    """A person talking to the core, as in a messenger thread."""

    core: object
    sender_id: str
    channel: str = "console"
    last_context_message: str | None = None
    _next_id: int = 1

    def _id(self) -> str:
        self._next_id += 1
        return str(self._next_id)

    def say(self, text: str = "", **kw) -> list[Reply]:
        msg = IncomingMessage(channel=self.channel, chat_id=self.sender_id, sender_id=self.sender_id, text=text,
                              message_id=self._id(), **kw)
        return self._deliver(msg)

    def reply(self, text: str = "", **kw) -> list[Reply]:
        """Reply to the bot's last message that was about something."""
        return self.say(text, reply_to_message_id=self.last_context_message, **kw)

    def press(self, data: str) -> list[Reply]:
        msg = IncomingMessage(channel=self.channel, chat_id=self.sender_id, sender_id=self.sender_id,
                              button_data=data, message_id=self._id())
        return self._deliver(msg)

    def receive(self, reply: Reply) -> None:
        """The bot sent this on its own (a reminder); remember what it was about."""
        self._remember([reply])

    def _deliver(self, msg: IncomingMessage) -> list[Reply]:
        replies = self.core.handle_sync(msg)
        self._remember(replies)
        return replies

    def _remember(self, replies: list[Reply]) -> None:
        for reply in replies:
            if reply.context_ref:
                mid = f"b{self._id()}"
                self.core.record_sent(self.channel, self.sender_id, mid, reply.context_ref)
                self.last_context_message = mid


def text_of(replies: list[Reply]) -> str:
    return "\n".join(r.text for r in replies)


def buttons_of(replies: list[Reply]) -> list[tuple[str, str]]:
    return [(b.label, b.data) for r in replies for row in r.buttons for b in row]


def pytest_report_header(config) -> str:
    return "databases: " + ", ".join(_backends())


def pytest_terminal_summary(terminalreporter) -> None:
    """Show how many database tests ran on each backend."""
    counts: dict[str, int] = {}
    for report in terminalreporter.stats.get("passed", []):
        for backend in ("sqlite", "postgresql"):
            if f"[{backend}" in report.nodeid or f"-{backend}]" in report.nodeid:
                counts[backend] = counts.get(backend, 0) + 1
    if counts:
        terminalreporter.write_line(
            "database tests passed: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
        )
