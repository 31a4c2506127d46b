"""The progress store: one SQLite file under the data home, and the only place rehab writes SQL.

Every completed repetition is committed the moment it completes, so a crash or a kill loses at
most the rep in progress. The schema is versioned with ``PRAGMA user_version`` and a list of
migrations (``schema.py``), each upgrade one transaction; a new store is created whole or not at all,
a database written by a newer version of rehab is refused, never altered, and another program
holding the write lock is waited out (``connection.py``). ``checks.py`` and ``repair.py`` are
``rehab db check`` and ``rehab db repair``.

The store is one class built from parts with one concern each: sessions, sets and reps
(``sessions.py``), plan versions (``plans.py``), ratings and calibrations (``ratings.py``), device
events and sample streams (``recordings.py``), guided sessions as a whole and outcome questionnaires (``visits.py``),
a patient's period for reports (``period.py``), and what clinic sync needs: the outbox, rows as
the clinic receives them, sync bookkeeping and the physio's messages (``sync.py``).
Every read returns small frozen rows (``rows.py``).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import sqlite_utils

from progress.store.connection import (
    BusyListener,
    PatientConnection,
    StoreBusy,
    StoreBusyError,
    backup_to,
    not_a_database,
    open_database,
    tell_once_per_wait,
)
from progress.store.period import PeriodStore
from progress.store.plans import PlanStore
from progress.store.ratings import RATING_SCALES, RatingStore
from progress.store.recordings import STREAM_UNITS, RecordingStore
from progress.store.rows import (
    REP_COLUMNS,
    CalibrationRow,
    ExerciseProgress,
    MessageRow,
    OutboxRow,
    OutcomeResponseRow,
    Patient,
    PlanVersionRow,
    RatingRow,
    RepTally,
    SessionRow,
    SetRow,
    StoredRep,
    Stream,
    VisitRow,
)
from progress.store.schema import (
    DB_FILENAME,
    MIGRATIONS,
    SCHEMA_VERSION,
    SYNCED_TABLES,
    InterruptedUpgradeError,
    migrate,
    schema_version,
)
from progress.store.sessions import SessionStore
from progress.store.sync import SyncStore
from progress.store.visits import STOP_REASONS, VISIT_STATUSES, VisitStore
from rehab.core.errors import StoreError

__all__ = [
    "DB_FILENAME",
    "MIGRATIONS",
    "RATING_SCALES",
    "REP_COLUMNS",
    "SCHEMA_VERSION",
    "STOP_REASONS",
    "STREAM_UNITS",
    "SYNCED_TABLES",
    "VISIT_STATUSES",
    "CalibrationRow",
    "ExerciseProgress",
    "MessageRow",
    "OutboxRow",
    "OutcomeResponseRow",
    "Patient",
    "PlanVersionRow",
    "RatingRow",
    "RepTally",
    "SessionRow",
    "SetRow",
    "InterruptedUpgradeError",
    "Store",
    "StoreBusy",
    "StoreBusyError",
    "StoreError",
    "StoredRep",
    "Stream",
    "VisitRow",
    "tell_once_per_wait",
]


class Store(SessionStore, PlanStore, RatingStore, RecordingStore, PeriodStore, VisitStore, SyncStore):
    """Open with ``Store.open(path)`` or ``Store.memory()``; see the module docstring for its parts."""

    def __init__(self, db: sqlite_utils.Database, path: Path | None = None) -> None:
        self.db = db
        self.path = path
        self._migrate()

    @classmethod
    def open(cls, path: Path) -> Store:
        """Open the database file, creating it (readable by its owner only) whole or not at all;
        see ``connection.py`` for what is refused, and ``schema.migrate`` for atomic upgrades."""
        return cls(open_database(path), path)

    @classmethod
    def memory(cls) -> Store:
        return cls(sqlite_utils.Database(memory=True))

    def _migrate(self) -> None:
        try:
            migrate(self.db, self.path)
        except sqlite3.DatabaseError as error:
            raise not_a_database(self.path, error) from error

    @property
    def on_busy(self) -> BusyListener | None:
        """Told while another program holds the write lock (``StoreBusy``); the write waits and
        goes through, so a game can show the status and carry on."""
        conn = self.db.conn
        return conn.busy_listener if isinstance(conn, PatientConnection) else None

    @on_busy.setter
    def on_busy(self, listener: BusyListener | None) -> None:
        if isinstance(self.db.conn, PatientConnection):
            self.db.conn.busy_listener = listener

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
        """Copy the live database to ``out``, whole or not at all (``connection.backup_to``)."""
        backup_to(self.db.conn, out)

    def close(self) -> None:
        self.db.close()
