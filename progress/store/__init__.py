"""The progress store: one SQLite file under the data home, and the only place rehab writes SQL.

Every completed repetition is committed the moment it completes, so a crash or a kill loses at
most the rep in progress. The schema is versioned with ``PRAGMA user_version`` and a list of
migrations (``schema.py``); a database written by a newer version of rehab is refused, never altered.

The store is one class built from parts with one concern each: sessions, sets and reps
(``sessions.py``), plan versions (``plans.py``), ratings and calibrations (``ratings.py``), device
events and sample streams (``recordings.py``) and a patient's period for reports (``period.py``).
Every read returns small frozen rows (``rows.py``).
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import sqlite_utils

from progress.store.period import PeriodStore
from progress.store.plans import PlanStore
from progress.store.ratings import RATING_SCALES, RatingStore
from progress.store.recordings import STREAM_UNITS, RecordingStore
from progress.store.rows import (
    REP_COLUMNS,
    CalibrationRow,
    ExerciseProgress,
    Patient,
    PlanVersionRow,
    RatingRow,
    RepTally,
    SessionRow,
    SetRow,
    StoredRep,
    Stream,
)
from progress.store.schema import DB_FILENAME, MIGRATIONS, SCHEMA_VERSION, schema_version
from progress.store.sessions import SessionStore
from rehab.core.errors import StoreError
from rehab.core.private_files import private_temp, replace_private

__all__ = [
    "DB_FILENAME",
    "MIGRATIONS",
    "RATING_SCALES",
    "REP_COLUMNS",
    "SCHEMA_VERSION",
    "STREAM_UNITS",
    "CalibrationRow",
    "ExerciseProgress",
    "Patient",
    "PlanVersionRow",
    "RatingRow",
    "RepTally",
    "SessionRow",
    "SetRow",
    "Store",
    "StoreError",
    "StoredRep",
    "Stream",
]


class Store(SessionStore, PlanStore, RatingStore, RecordingStore, PeriodStore):
    """Open with ``Store.open(path)`` or ``Store.memory()``; see the module docstring for its parts."""

    def __init__(self, db: sqlite_utils.Database, path: Path | None = None) -> None:
        self.db = db
        self.path = path
        self._migrate()

    @classmethod
    def open(cls, path: Path) -> Store:
        """Open or create the database file, readable by its owner only."""
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            # create it with owner-only permissions before SQLite writes anything into it
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
        try:
            db = sqlite_utils.Database(path)
            db.execute("PRAGMA journal_mode=WAL")
        except sqlite3.DatabaseError as error:
            raise StoreError(f"{path}: not a rehab database ({error})") from error
        db.execute("PRAGMA foreign_keys=ON")
        return cls(db, path)

    @classmethod
    def memory(cls) -> Store:
        return cls(sqlite_utils.Database(memory=True))

    def _migrate(self) -> None:
        try:
            version = schema_version(self.db)
        except sqlite3.DatabaseError as error:
            raise self._not_a_database(error) from error
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path} was written by a newer rehab (schema {version}, this one knows "
                f"{SCHEMA_VERSION}); upgrade rehab to open it. The file was not changed."
            )
        for target in range(version, SCHEMA_VERSION):
            with self.db.conn:
                MIGRATIONS[target](self.db)
                self.db.execute(f"PRAGMA user_version = {target + 1}")

    @property
    def schema_version(self) -> int:
        return schema_version(self.db)

    # -- maintenance --------------------------------------------------------------------------

    def pseudonym_secret(self) -> bytes:
        (row,) = self._query("select value from meta where key = 'pseudonym_secret'")
        return bytes.fromhex(row["value"])

    def counts(self) -> dict[str, int]:
        """Rows in the sessions and reps tables, for ``rehab db check``."""
        return {table: int(self._query(f"select count(*) as n from {table}")[0]["n"]) for table in ("sessions", "reps")}

    def integrity_problems(self) -> list[str]:
        """SQLite's integrity and foreign-key checks; an empty list means the file is sound."""
        problems = [row[0] for row in self.db.execute("PRAGMA integrity_check").fetchall() if row[0] != "ok"]
        for table, rowid, parent, _ in self.db.execute("PRAGMA foreign_key_check").fetchall():
            problems.append(f"{table} row {rowid} points at a missing {parent} row")
        return problems

    def backup(self, out: Path) -> None:
        """Copy the live database to ``out`` with SQLite's online backup (safe while a game writes).

        The copy goes into a fresh owner-only file with an unpredictable name, created exclusively
        in ``out``'s folder (a symlink planted there is never followed), then is renamed into place:
        the backup appears whole or not at all."""
        with private_temp(out) as partial:
            target = sqlite3.connect(partial)
            try:
                self.db.conn.backup(target)
            finally:
                target.close()
            replace_private(partial, out)

    def close(self) -> None:
        self.db.close()
