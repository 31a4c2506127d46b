"""Where the clinic database is and what clock the server reads: everything the server is given.

The database URL comes from ``--db``, else ``$REHAB_CLINIC_DB``, else a SQLite file in the data
home's ``clinic`` folder. The clock is part of the configuration so that tests pass time in (an
expired pairing code, an expired token) instead of waiting for it.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

ENV_VAR = "REHAB_CLINIC_DB"
DB_FILENAME = "clinic.sqlite3"
#: the largest request body the server reads; a sync batch of 500 rows is far below it
MAX_BODY_BYTES = 5 * 1024 * 1024


def utc_now() -> datetime:
    """The wall clock, in UTC: the default clock of a real server and of the command line."""
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class ClinicConfig:
    db_url: str
    clock: Callable[[], datetime] = field(default=utc_now, compare=False)
    max_body_bytes: int = MAX_BODY_BYTES


def default_db_url(home: str | os.PathLike[str] | None = None) -> str:
    """The SQLite file in ``<data home>/clinic/`` (the folder is made owner-only when opened)."""
    from rehab.app.home import data_home

    return f"sqlite:///{data_home(home) / 'clinic' / DB_FILENAME}"


def resolve_db_url(given: str | None, home: str | os.PathLike[str] | None = None) -> str:
    """``--db``, else ``$REHAB_CLINIC_DB``, else the default SQLite file."""
    if given:
        return given
    return os.environ.get(ENV_VAR) or default_db_url(home)


def sqlite_path(url: str) -> Path | None:
    """The file of a ``sqlite:///`` URL (None for PostgreSQL or an in-memory database)."""
    prefix = "sqlite:///"
    if not url.startswith(prefix) or url == prefix or url.endswith(":memory:"):
        return None
    return Path(url[len(prefix) :].split("?", 1)[0])


def add_db_argument(parser: argparse.ArgumentParser) -> None:
    """The ``--db URL`` option every ``rehab clinic`` command takes."""
    parser.add_argument(
        "--db",
        metavar="URL",
        help=f"clinic database: sqlite:///FILE or postgresql://USER@HOST/DB "
        f"(default: ${ENV_VAR}, else <data home>/clinic/{DB_FILENAME})",
    )


def config_from_args(args: argparse.Namespace) -> ClinicConfig:
    return ClinicConfig(db_url=resolve_db_url(getattr(args, "db", None), getattr(args, "home", None)))
