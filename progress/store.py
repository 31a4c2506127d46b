"""The progress store: one SQLite file under the data home, written through sqlite-utils.

Every completed repetition is committed the moment it completes, so a crash or a kill loses at
most the rep in progress. The schema is versioned with ``PRAGMA user_version`` and a list of
migrations; a database written by a newer version of rehab is refused, never altered.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

import sqlite_utils

from rehab.types import RepMetrics


class StoreError(Exception):
    """The database cannot be used as it is (newer schema, unreadable file)."""


def _v1(db: sqlite_utils.Database) -> None:
    db.table("patients").create({"id": str, "created_at": str}, pk="id")
    db.table("sessions").create(
        {
            "id": int,
            "patient_id": str,
            "started_at": str,  # ISO 8601 wall-clock time with offset, for humans and reports
            "ended_at": str,
            "game": str,
            "movement": str,  # angle name, e.g. elbow_flexion_left
            "side": str,
            "input": str,  # the source URL the session was played with
            "target_deg": float,
            "status": str,  # in_progress, completed, stopped
        },
        pk="id",
        foreign_keys=[("patient_id", "patients", "id")],
    )
    db.table("reps").create(
        {
            "id": int,
            "session_id": int,
            "rep_index": int,
            "t_start": float,
            "t_end": float,
            "start_deg": float,
            "peak_deg": float,
            "rom_deg": float,
            "hold_s": float,
            "duration_s": float,
            "peak_velocity_dps": float,
            "target_deg": float,
            "success": int,
        },
        pk="id",
        foreign_keys=[("session_id", "sessions", "id")],
    )
    db.table("reps").create_index(["session_id", "rep_index"], unique=True)
    db.table("sessions").create_index(["patient_id", "started_at"])


def _v2(db: sqlite_utils.Database) -> None:
    """Rep quality: smoothness, compensations (comma-separated names) and the safety ceiling."""
    reps = db.table("reps")
    reps.add_column("smoothness_sparc", float)
    reps.add_column("compensations", str)
    reps.add_column("over_ceiling", int)


#: migrations[i] takes a database from schema version i to i + 1
MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [_v1, _v2]
SCHEMA_VERSION = len(MIGRATIONS)

DB_FILENAME = "rehab.sqlite3"


def _schema_version(db: sqlite_utils.Database) -> int:
    return int(db.execute("PRAGMA user_version").fetchone()[0])


class Store:
    """Patients, sessions and reps. Open with ``Store.open(path)`` or ``Store.memory()``."""

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
            version = _schema_version(self.db)
        except sqlite3.DatabaseError as error:
            raise StoreError(f"{self.path}: not a rehab database ({error})") from error
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
        return _schema_version(self.db)

    # -- patients ---------------------------------------------------------------------------

    def ensure_patient(self, patient_id: str, now_iso: str) -> None:
        with self.db.conn:
            self.db.table("patients").insert({"id": patient_id, "created_at": now_iso}, ignore=True)

    def patients(self) -> list[dict[str, Any]]:
        return list(self.db.table("patients").rows_where(order_by="id"))

    # -- sessions and reps ------------------------------------------------------------------

    def start_session(
        self,
        patient_id: str,
        started_at: str,
        game: str,
        movement: str,
        side: str,
        input_url: str,
        target_deg: float,
    ) -> int:
        """Record a new session (status in_progress) and return its id."""
        self.ensure_patient(patient_id, started_at)
        with self.db.conn:
            table = self.db.table("sessions").insert(
                {
                    "patient_id": patient_id,
                    "started_at": started_at,
                    "ended_at": None,
                    "game": game,
                    "movement": movement,
                    "side": side,
                    "input": input_url,
                    "target_deg": target_deg,
                    "status": "in_progress",
                }
            )
        assert table.last_pk is not None
        return int(table.last_pk)

    def add_rep(self, session_id: int, rep: RepMetrics) -> None:
        """Commit one completed rep now, so nothing finished is ever lost."""
        row = asdict(rep)
        row["rep_index"] = row.pop("index")
        row["success"] = int(rep.success)
        row["over_ceiling"] = int(rep.over_ceiling)
        row["compensations"] = ",".join(rep.compensations)
        with self.db.conn:
            self.db.table("reps").insert({"session_id": session_id, **row})

    def finish_session(self, session_id: int, ended_at: str, status: str = "completed") -> None:
        with self.db.conn:
            self.db.table("sessions").update(session_id, {"ended_at": ended_at, "status": status})

    def session(self, session_id: int) -> dict[str, Any]:
        return dict(self.db.table("sessions").get(session_id))

    def sessions(self, patient_id: str) -> list[dict[str, Any]]:
        return list(
            self.db.table("sessions").rows_where("patient_id = ?", [patient_id], order_by="started_at, id")
        )

    def reps(self, session_id: int) -> list[dict[str, Any]]:
        return list(self.db.table("reps").rows_where("session_id = ?", [session_id], order_by="rep_index"))

    def close(self) -> None:
        self.db.close()
