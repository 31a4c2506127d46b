"""The progress store: one SQLite file under the data home, written through sqlite-utils.

Every completed repetition is committed the moment it completes, so a crash or a kill loses at
most the rep in progress. The schema is versioned with ``PRAGMA user_version`` and a list of
migrations; a database written by a newer version of rehab is refused, never altered.
"""

from __future__ import annotations

import json
import os
import secrets
import sqlite3
import sys
from array import array
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import sqlite_utils

from rehab.core.types import DeviceStatus, RepMetrics


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


def _v3(db: sqlite_utils.Database) -> None:
    """Everything a clinician report needs beyond reps: plan versions, sets, ratings, calibrations,
    device events, compact sample streams, and a per-database secret for stable pseudonyms."""
    db.table("meta").create({"key": str, "value": str}, pk="key")
    # the pseudonym secret lives in the database it pseudonymises: the same patient gets the same
    # pseudonym in every export from this database, and nobody without the file can reverse it
    db.table("meta").insert({"key": "pseudonym_secret", "value": secrets.token_hex(32)})
    db.table("plans").create(
        {
            "id": int,
            "patient_id": str,
            "version": int,  # 1, 2, ... per patient; a new version never overwrites an old one
            "created_at": str,
            "effective_from": str,  # ISO date the version applies from
            "sessions_per_week": int,  # what is prescribed, for adherence
            "body": str,  # the plan itself as JSON (games, targets, reps, safety limits, goals)
        },
        pk="id",
        foreign_keys=[("patient_id", "patients", "id")],
    )
    db.table("plans").create_index(["patient_id", "version"], unique=True)
    sessions = db.table("sessions")
    sessions.add_column("plan_id", int)
    sessions.add_column("kind", str)  # physical (reps) or mental (SUDS, breathing); NULL reads as physical
    db.table("sets").create(
        {
            "id": int,
            "session_id": int,
            "set_index": int,
            "movement": str,
            "prescribed_reps": int,
            "t_start": float,
            "t_end": float,
        },
        pk="id",
        foreign_keys=[("session_id", "sessions", "id")],
    )
    db.table("sets").create_index(["session_id", "set_index"], unique=True)
    db.table("ratings").create(
        {
            "id": int,
            "patient_id": str,
            "session_id": int,  # NULL for a rating outside a session (e.g. a daily pain diary)
            "at": str,  # ISO wall-clock time
            "t": float,  # seconds into the session, for SUDS curves; NULL outside a session
            "kind": str,  # pain (0-10 NRS), suds (0-100), stress (0-10)
            "value": float,
            "moment": str,  # before, during, after, diary
        },
        pk="id",
        foreign_keys=[("patient_id", "patients", "id"), ("session_id", "sessions", "id")],
    )
    db.table("ratings").create_index(["patient_id", "at"])
    db.table("calibrations").create(
        {
            "id": int,
            "patient_id": str,
            "at": str,
            "movement": str,
            "rest_deg": float,
            "max_deg": float,
            "input": str,
        },
        pk="id",
        foreign_keys=[("patient_id", "patients", "id")],
    )
    db.table("device_events").create(
        {"id": int, "session_id": int, "t": float, "device": str, "kind": str, "detail": str},
        pk="id",
        foreign_keys=[("session_id", "sessions", "id")],
    )
    db.table("streams").create(
        {
            "id": int,
            "session_id": int,
            "set_id": int,
            "name": str,  # angle name (elbow_flexion_left) or a measure (breathing_rate)
            "unit": str,  # deg, deg/s, 1/min
            "count": int,
            "t": bytes,  # float64 little-endian seconds: timestamps keep full precision
            "value": bytes,  # float32 little-endian: ample for degrees, half the size
        },
        pk="id",
        foreign_keys=[("session_id", "sessions", "id"), ("set_id", "sets", "id")],
    )
    db.table("streams").create_index(["session_id", "name"])
    db.table("reps").create_index(["session_id"])


#: migrations[i] takes a database from schema version i to i + 1
MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [_v1, _v2, _v3]
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
        return list(self.db.table("sessions").rows_where("patient_id = ?", [patient_id], order_by="started_at, id"))

    def reps(self, session_id: int) -> list[dict[str, Any]]:
        return list(self.db.table("reps").rows_where("session_id = ?", [session_id], order_by="rep_index"))

    # -- plans, sets, ratings, calibrations, device events, streams (schema v3) -------------

    def add_plan_version(
        self, patient_id: str, created_at: str, effective_from: str, sessions_per_week: int, body: dict[str, Any]
    ) -> int:
        """Store a new version of the patient's plan and return its version number (1, 2, ...)."""
        self.ensure_patient(patient_id, created_at)
        with self.db.conn:
            row = self.db.execute(
                "select coalesce(max(version), 0) + 1 from plans where patient_id = ?", [patient_id]
            ).fetchone()
            version = int(row[0])
            self.db.table("plans").insert(
                {
                    "patient_id": patient_id,
                    "version": version,
                    "created_at": created_at,
                    "effective_from": effective_from,
                    "sessions_per_week": sessions_per_week,
                    "body": json.dumps(body, sort_keys=True),
                }
            )
        return version

    def plan_versions(self, patient_id: str) -> list[dict[str, Any]]:
        rows = self.db.table("plans").rows_where("patient_id = ?", [patient_id], order_by="version")
        return [{**row, "body": json.loads(row["body"])} for row in rows]

    def set_session_plan(self, session_id: int, plan_version: int | None, kind: str = "physical") -> None:
        """Link a session to the plan version it followed, and say what kind of session it was."""
        patient_id = self.session(session_id)["patient_id"]
        plan_id = None
        if plan_version is not None:
            found = self.db.execute(
                "select id from plans where patient_id = ? and version = ?", [patient_id, plan_version]
            ).fetchone()
            if found is None:
                raise StoreError(f"patient {patient_id} has no plan version {plan_version}")
            plan_id = int(found[0])
        with self.db.conn:
            self.db.table("sessions").update(session_id, {"plan_id": plan_id, "kind": kind})

    def start_set(self, session_id: int, set_index: int, movement: str, prescribed_reps: int, t_start: float) -> int:
        with self.db.conn:
            table = self.db.table("sets").insert(
                {
                    "session_id": session_id,
                    "set_index": set_index,
                    "movement": movement,
                    "prescribed_reps": prescribed_reps,
                    "t_start": t_start,
                    "t_end": None,
                }
            )
        assert table.last_pk is not None
        return int(table.last_pk)

    def finish_set(self, set_id: int, t_end: float) -> None:
        with self.db.conn:
            self.db.table("sets").update(set_id, {"t_end": t_end})

    def sets(self, session_id: int) -> list[dict[str, Any]]:
        return list(self.db.table("sets").rows_where("session_id = ?", [session_id], order_by="set_index"))

    def add_rating(
        self,
        patient_id: str,
        at: str,
        kind: str,
        value: float,
        session_id: int | None = None,
        t: float | None = None,
        moment: str = "diary",
    ) -> None:
        """Pain (0-10), SUDS (0-100) or stress (0-10), inside a session or on its own."""
        if kind not in RATING_SCALES:
            raise StoreError(f"unknown rating {kind!r}; known: {', '.join(RATING_SCALES)}")
        low, high = RATING_SCALES[kind]
        if not low <= value <= high:
            raise StoreError(f"{kind} rating {value} is outside {low}-{high}")
        self.ensure_patient(patient_id, at)
        with self.db.conn:
            self.db.table("ratings").insert(
                {
                    "patient_id": patient_id,
                    "session_id": session_id,
                    "at": at,
                    "t": t,
                    "kind": kind,
                    "value": value,
                    "moment": moment,
                }
            )

    def ratings(self, patient_id: str, kind: str | None = None) -> list[dict[str, Any]]:
        where, params = "patient_id = ?", [patient_id]
        if kind is not None:
            where, params = where + " and kind = ?", [*params, kind]
        return list(self.db.table("ratings").rows_where(where, params, order_by="at, t, id"))

    def add_calibration(
        self, patient_id: str, at: str, movement: str, rest_deg: float, max_deg: float, input_url: str
    ) -> None:
        self.ensure_patient(patient_id, at)
        with self.db.conn:
            self.db.table("calibrations").insert(
                {
                    "patient_id": patient_id,
                    "at": at,
                    "movement": movement,
                    "rest_deg": rest_deg,
                    "max_deg": max_deg,
                    "input": input_url,
                }
            )

    def calibrations(self, patient_id: str) -> list[dict[str, Any]]:
        return list(self.db.table("calibrations").rows_where("patient_id = ?", [patient_id], order_by="at, id"))

    def add_device_event(self, session_id: int, status: DeviceStatus) -> None:
        with self.db.conn:
            self.db.table("device_events").insert(
                {
                    "session_id": session_id,
                    "t": status.t,
                    "device": status.device,
                    "kind": status.kind,
                    "detail": status.detail,
                }
            )

    def device_events(self, session_id: int) -> list[DeviceStatus]:
        rows = self.db.table("device_events").rows_where("session_id = ?", [session_id], order_by="t, id")
        return [DeviceStatus(t=r["t"], device=r["device"], kind=r["kind"], detail=r["detail"]) for r in rows]

    def add_stream(
        self,
        session_id: int,
        name: str,
        unit: str,
        t: Sequence[float],
        values: Sequence[float],
        set_id: int | None = None,
    ) -> int:
        """Store one stream of samples (e.g. a set's elbow angle at 30 Hz) as two packed arrays in one row.

        One row per set instead of one per sample keeps a year of 30 Hz angles to tens of megabytes
        and makes inserting them a single write.
        """
        if len(t) != len(values):
            raise StoreError(f"stream {name}: {len(t)} timestamps but {len(values)} values")
        with self.db.conn:
            table = self.db.table("streams").insert(
                {
                    "session_id": session_id,
                    "set_id": set_id,
                    "name": name,
                    "unit": unit,
                    "count": len(t),
                    "t": _pack("d", t),
                    "value": _pack("f", values),
                }
            )
        assert table.last_pk is not None
        return int(table.last_pk)

    def streams(self, session_id: int, name: str | None = None) -> list[Stream]:
        where, params = "session_id = ?", [session_id]
        params_any: list[Any] = params
        if name is not None:
            where, params_any = where + " and name = ?", [session_id, name]
        return [
            Stream(
                name=r["name"],
                unit=r["unit"],
                set_id=r["set_id"],
                t=_unpack("d", r["t"]),
                values=_unpack("f", r["value"]),
            )
            for r in self.db.table("streams").rows_where(where, params_any, order_by="id")
        ]

    # -- maintenance --------------------------------------------------------------------------

    def pseudonym_secret(self) -> bytes:
        return bytes.fromhex(self.db.table("meta").get("pseudonym_secret")["value"])

    def integrity_problems(self) -> list[str]:
        """SQLite's integrity and foreign-key checks; an empty list means the file is sound."""
        problems = [row[0] for row in self.db.execute("PRAGMA integrity_check").fetchall() if row[0] != "ok"]
        for table, rowid, parent, _ in self.db.execute("PRAGMA foreign_key_check").fetchall():
            problems.append(f"{table} row {rowid} points at a missing {parent} row")
        return problems

    def backup(self, out: Path) -> None:
        """Copy the live database to ``out`` with SQLite's online backup (safe while a game writes)."""
        partial = out.with_name(f".{out.name}.partial")
        os.close(os.open(partial, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600))
        try:
            target = sqlite3.connect(partial)
            try:
                self.db.conn.backup(target)
            finally:
                target.close()
            os.replace(partial, out)  # the backup appears whole or not at all
        finally:
            partial.unlink(missing_ok=True)

    def close(self) -> None:
        self.db.close()


#: rating kind -> (lowest, highest) on its scale
RATING_SCALES: dict[str, tuple[float, float]] = {"pain": (0, 10), "suds": (0, 100), "stress": (0, 10)}


@dataclass(frozen=True)
class Stream:
    """A stored stream of samples: ``t`` in seconds, ``values`` in ``unit``."""

    name: str
    unit: str
    set_id: int | None
    t: tuple[float, ...]
    values: tuple[float, ...]


def _pack(typecode: str, values: Sequence[float]) -> bytes:
    packed = array(typecode, values)
    if sys.byteorder != "little":
        packed.byteswap()
    return packed.tobytes()


def _unpack(typecode: str, blob: bytes) -> tuple[float, ...]:
    unpacked = array(typecode)
    unpacked.frombytes(blob)
    if sys.byteorder != "little":
        unpacked.byteswap()
    return tuple(unpacked)
