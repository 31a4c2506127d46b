"""Opening the clinic database (SQLite or PostgreSQL) and bringing its schema up to date.

SQLite gets WAL (readers never wait for the writer), foreign keys on (off by default in SQLite) and
a busy timeout (several server processes or a command line may write at once). PostgreSQL goes
through psycopg 3; a plain ``postgresql://`` URL is rewritten to name it, so users type the URL
their database documentation gives them.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

from clinic.config import ClinicConfig, sqlite_path, utc_now
from rehab.core.errors import UsageError

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
BUSY_TIMEOUT_MS = 10_000
_CLOCK = "clinic_clock"


class DatabaseUrlError(UsageError):
    """A --db or $REHAB_CLINIC_DB value that names no database we can open."""


def normalise_url(url: str) -> str:
    """``postgresql://`` (and ``postgres://``) -> ``postgresql+psycopg://``; SQLite unchanged."""
    for plain in ("postgresql://", "postgres://"):
        if url.startswith(plain):
            return "postgresql+psycopg://" + url[len(plain) :]
    if url.startswith(("postgresql+psycopg://", "sqlite://")):
        return url
    raise DatabaseUrlError(
        f"database URL {url.split('://')[0]!r}... is not supported: use sqlite:///FILE or postgresql://..."
    )


def create_engine(url: str, clock: Callable[[], datetime] = utc_now) -> Engine:
    """An engine for ``url``; each of its connections carries ``clock`` (see ``now``)."""
    url = normalise_url(url)
    path = sqlite_path(url)
    if path is not None:
        from rehab.core.private_files import make_private_folder

        make_private_folder(path.parent)  # it holds every patient's synced sessions
        if not path.exists():  # owner-only from the start; SQLite gives its -wal and -shm the same mode
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    engine = sqlalchemy.create_engine(url, pool_pre_ping=path is None)
    if url.startswith("sqlite"):
        event.listen(engine, "connect", _sqlite_pragmas)
    event.listen(engine, "connect", lambda _dbapi, record: record.info.__setitem__(_CLOCK, clock))
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def engine_for(config: ClinicConfig) -> Engine:
    return create_engine(config.db_url, config.clock)


def now(conn: Connection) -> datetime:
    """The configured clock's time, for logic that holds a connection: the clock is passed in
    through the engine, so a test can move it without waiting and nothing reads the wall clock."""
    clock = conn.info.get(_CLOCK, utc_now)
    return clock()


def now_iso(conn: Connection) -> str:
    return now(conn).isoformat(timespec="seconds")


def upgrade(engine: Engine) -> None:
    """Run every migration the database has not had yet (a no-op when it is at the newest)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")


def current_revision(engine: Engine) -> str | None:
    from alembic.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def engine_of(request: Any) -> Engine:
    """The app's engine, for a request handler (``request.app.state.engine``)."""
    engine: Engine = request.app.state.engine
    return engine


def open_database(config: ClinicConfig) -> Engine:
    """An engine on an up-to-date schema: what the command line and the server start with."""
    engine = engine_for(config)
    upgrade(engine)
    from clinic import facts

    with engine.begin() as conn:  # derived data a new revision may have left to build
        facts.refresh_missing(conn, now_iso(conn))
    return engine
