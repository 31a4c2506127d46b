"""The schema, versioned with ``PRAGMA user_version``: migrations[i] takes a database from version i to i + 1.

``migrate`` runs every missing migration and the new version number in one ``BEGIN IMMEDIATE``
transaction (SQLite's DDL is transactional): a kill during an upgrade leaves the previous version
whole, never part of the next one. A database written by a newer version of rehab is refused,
never altered. A store left half-upgraded by a rehab from before this rule is reported with its
fix, ``rehab db repair`` (``repair.py``).
"""

from __future__ import annotations

import secrets
import sqlite3
import uuid
from collections.abc import Callable
from pathlib import Path

import sqlite_utils

from rehab.core.errors import StoreError


class InterruptedUpgradeError(StoreError):
    """Part of a migration is already there: an upgrade by an older rehab was cut short."""


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
    _v3_meta(db)
    _v3_plans(db)
    _v3_sets(db)
    _v3_ratings_and_calibrations(db)
    _v3_device_events_and_streams(db)
    db.table("reps").create_index(["session_id"])


def _v3_meta(db: sqlite_utils.Database) -> None:
    db.table("meta").create({"key": str, "value": str}, pk="key")
    # the pseudonym secret lives in the database it pseudonymises: the same patient gets the same
    # pseudonym in every export from this database, and nobody without the file can reverse it
    db.table("meta").insert({"key": "pseudonym_secret", "value": secrets.token_hex(32)})


def _v3_plans(db: sqlite_utils.Database) -> None:
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


def _v3_sets(db: sqlite_utils.Database) -> None:
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


def _v3_ratings_and_calibrations(db: sqlite_utils.Database) -> None:
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


def _v3_device_events_and_streams(db: sqlite_utils.Database) -> None:
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


def _v4(db: sqlite_utils.Database) -> None:
    """Guided sessions as a whole (visits) for adherence and stop reasons, and outcome measures."""
    db.table("visits").create(
        {
            # one guided session, whatever its parts: what a plan prescribes and adherence counts
            "id": str,  # a random UUID: unique beyond this database (clinic sync)
            "patient_id": str,
            "plan_id": int,  # the plan version row followed
            "started_at": str,
            "ended_at": str,
            "status": str,  # in_progress, completed, stopped, not_started, interrupted
            # why it ended short: stopped_for_pain, stopped_by_patient, pain_too_high, device_lost
            "stop_reason": str,
        },
        pk="id",
        foreign_keys=[("patient_id", "patients", "id"), ("plan_id", "plans", "id")],
    )
    db.table("visits").create_index(["patient_id", "started_at"])
    db.table("sessions").add_column("visit_id", str)
    # a mental game's own measures as JSON (breaths and rate, time near the pace, SUDS by level,
    # calm time, attention): what its report shows instead of joint angles
    db.table("sessions").add_column("summary", str)
    db.table("outcome_responses").create(
        {
            "id": int,
            "patient_id": str,
            "visit_id": str,  # NULL when answered outside a guided session
            "at": str,  # ISO wall-clock time the questionnaire was started
            "measure": str,  # questionnaire id: oks, koos_ps, quickdash, ndi, phq9, gad7, pss10
            "answers": str,  # JSON object item key -> value, written after every answer
            "status": str,  # in_progress, completed, stopped (left before the last question)
            "score": float,  # NULL until scored, or when too many answers are missing
            "band": str,  # severity band of the score, where the instrument has bands
            "flags": str,  # comma-separated safety flags, e.g. self_harm_thoughts
        },
        pk="id",
        foreign_keys=[("patient_id", "patients", "id")],
    )
    db.table("outcome_responses").create_index(["patient_id", "measure", "at"])
    _v4_group_old_sessions(db)


def _v4_group_old_sessions(db: sqlite_utils.Database) -> None:
    """Guided sessions stored before visits existed become one visit per patient, plan and day: a
    store session with a plan was one part of a guided session, and a patient did one a day."""
    groups = db.execute(
        "select patient_id, plan_id, substr(started_at, 1, 10) as day, min(started_at), max(ended_at), "
        "group_concat(distinct status) from sessions where plan_id is not null group by 1, 2, 3"
    ).fetchall()
    for patient_id, plan_id, day, started_at, ended_at, statuses in groups:
        status, reason = _old_group_status(set(statuses.split(",")))
        visit_id = str(uuid.uuid4())
        db.execute(
            "insert into visits (id, patient_id, plan_id, started_at, ended_at, status, stop_reason) "
            "values (?, ?, ?, ?, ?, ?, ?)",
            [visit_id, patient_id, plan_id, started_at, ended_at, status, reason],
        )
        db.execute(
            "update sessions set visit_id = ? where patient_id = ? and plan_id = ? and substr(started_at, 1, 10) = ?",
            [visit_id, patient_id, plan_id, day],
        )


def _old_group_status(statuses: set[str]) -> tuple[str, str | None]:
    # before schema 4 a guided session's parts were closed together as "stopped" only when pain rose
    for status, reason in (("in_progress", None), ("stopped", "stopped_for_pain"), ("interrupted", None)):
        if status in statuses:
            return status, reason
    return "completed", None


#: the home tables a clinic receives (issue #14), each row named by a UUID; visits' id is one already
SYNCED_TABLES = (
    "plans",
    "visits",
    "sessions",
    "sets",
    "reps",
    "ratings",
    "calibrations",
    "device_events",
    "streams",
    "outcome_responses",
)

#: a random (version 4) UUID made by SQLite itself, so every insert gets one, whoever writes it
#: (the store, a repair, a test writing SQL): 32 random hex digits laid out 8-4-4-4-12, with the
#: version digit 4 and the variant digit one of 8, 9, a, b
NEW_UUID_SQL = (
    "lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' "
    "|| substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))"
)


def _v5(db: sqlite_utils.Database) -> None:
    """Clinic sync: a UUID on every synced row (unique beyond this database), an outbox of rows
    to send filled by triggers, the sync bookkeeping, and the physio's messages."""
    db.execute(
        "create table sync_outbox (seq integer primary key autoincrement, kind text not null, uuid text not null)"
    )
    db.execute("create table sync_state (key text primary key, value text)")
    db.execute(
        "create table messages (id integer primary key, server_id integer unique, text text not null, "
        "created_at text, received_at text, shown_at text)"
    )
    for table in SYNCED_TABLES:
        key = "id" if table == "visits" else "uuid"
        if table != "visits":
            db.execute(f"alter table {table} add column uuid text")
            db.execute(f"update {table} set uuid = {NEW_UUID_SQL}")
            db.execute(f"create unique index idx_{table}_uuid on {table} (uuid)")
        # a store made before linking uploads its whole history once, oldest first
        db.execute(f"insert into sync_outbox (kind, uuid) select '{table}', {key} from {table} order by rowid")
        _v5_triggers(db, table, key)


def _v5_triggers(db: sqlite_utils.Database, table: str, key: str) -> None:
    """Every insert and every later change of a synced row queues it for the clinic. A new row
    without a UUID gets one first; that update is not queued again (its old UUID is NULL)."""
    name_it = (
        f"update {table} set uuid = {NEW_UUID_SQL} where rowid = new.rowid and uuid is null;" if key == "uuid" else ""
    )
    db.execute(
        f"create trigger sync_{table}_insert after insert on {table} begin {name_it} "
        f"insert into sync_outbox (kind, uuid) select '{table}', {key} from {table} where rowid = new.rowid; end"
    )
    db.execute(
        f"create trigger sync_{table}_update after update on {table} when old.{key} is not null begin "
        f"insert into sync_outbox (kind, uuid) values ('{table}', new.{key}); end"
    )


#: migrations[i] takes a database from schema version i to i + 1
MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [_v1, _v2, _v3, _v4, _v5]
SCHEMA_VERSION = len(MIGRATIONS)

DB_FILENAME = "rehab.sqlite3"


def schema_version(db: sqlite_utils.Database) -> int:
    return int(db.execute("PRAGMA user_version").fetchone()[0])


def migrate(db: sqlite_utils.Database, path: Path | None) -> None:
    """Bring the database to ``SCHEMA_VERSION`` in one transaction, or leave it as it was."""
    version = schema_version(db)
    if version > SCHEMA_VERSION:
        raise newer_schema(path, version, "The file was not changed.")
    if version == SCHEMA_VERSION:
        return
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        # again under the lock: another process may have upgraded it meanwhile (then nothing to do)
        for target in range(schema_version(db), SCHEMA_VERSION):
            try:
                MIGRATIONS[target](db)
            except sqlite3.OperationalError as error:
                raise InterruptedUpgradeError(
                    f"{path}: an earlier upgrade to schema {target + 1} was interrupted and left part of it "
                    f"behind ({error}); run 'rehab db repair', which rebuilds the store keeping every row"
                ) from error
            db.execute(f"PRAGMA user_version = {target + 1}")
    except BaseException:
        db.conn.rollback()
        raise
    db.conn.commit()


def newer_schema(path: Path | None, version: int, what_changed: str) -> StoreError:
    return StoreError(
        f"{path} was written by a newer rehab (schema {version}, this one knows {SCHEMA_VERSION}); "
        f"upgrade rehab to open it. {what_changed}"
    )
