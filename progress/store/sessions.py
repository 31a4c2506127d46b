"""Patients, sessions, sets and reps: what one game played for one movement leaves behind.

Every completed repetition is committed the moment it completes, so a crash or a kill loses at
most the rep in progress.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

from progress.store.base import StoreBase
from progress.store.rows import ExerciseProgress, Patient, RepTally, SessionRow, SetRow, StoredRep
from rehab.core.types import RepMetrics

_REP_INSERT = (
    "insert into reps (session_id, rep_index, t_start, t_end, start_deg, peak_deg, rom_deg, hold_s, "
    "duration_s, peak_velocity_dps, target_deg, success, smoothness_sparc, compensations, over_ceiling) "
    "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
SESSION_COLUMNS = (
    "id, patient_id, started_at, ended_at, game, movement, side, input, target_deg, status, plan_id, kind, visit_id"
)


class SessionStore(StoreBase):
    # -- patients ---------------------------------------------------------------------------

    def ensure_patient(self, patient_id: str, now_iso: str) -> None:
        self._check_new_patient(patient_id)
        self._write("insert or ignore into patients (id, created_at) values (?, ?)", [patient_id, now_iso])

    def has_patient(self, patient_id: str) -> bool:
        return bool(self._query("select 1 from patients where id = ?", [patient_id]))

    def patients(self) -> list[Patient]:
        return [Patient(**row) for row in self._query("select id, created_at from patients order by id")]

    # -- sessions ---------------------------------------------------------------------------

    def start_session(
        self,
        patient_id: str,
        started_at: str,
        game: str,
        movement: str,
        side: str,
        input_url: str,
        target_deg: float,
        plan_id: int | None = None,
        kind: str | None = None,
        visit_id: str | None = None,
    ) -> int:
        """Record a new session (status in_progress), with its patient if new, in one commit; returns its id.

        ``plan_id`` is the id of the plan version row followed (``PlanVersionRow.id``), ``kind`` physical
        or mental, ``visit_id`` the guided session it belongs to; all stay NULL for a free game, which
        reports read as physical."""
        with self.transaction("session start"):
            self._insert_patient(patient_id, started_at)
            cursor = self.db.conn.execute(
                "insert into sessions (patient_id, started_at, ended_at, game, movement, side, input, "
                "target_deg, status, plan_id, kind, visit_id) "
                "values (?, ?, NULL, ?, ?, ?, ?, ?, 'in_progress', ?, ?, ?)",
                [patient_id, started_at, game, movement, side, input_url, target_deg, plan_id, kind, visit_id],
            )
        return int(cursor.lastrowid or 0)

    def finish_session(self, session_id: int, ended_at: str, status: str = "completed") -> None:
        self._write("update sessions set ended_at = ?, status = ? where id = ?", [ended_at, status, session_id])

    def finish_unfinished(self, session_ids: Sequence[int], ended_at: str, status: str) -> None:
        """End those of the sessions still in progress, in one commit (a guided session's group);
        a part that ended before (``end_part``) keeps its own end time."""
        marks = ", ".join("?" * len(session_ids))
        self._write(
            "update sessions set ended_at = coalesce(ended_at, ?), status = ? "
            f"where status = 'in_progress' and id in ({marks})",
            [ended_at, status, *session_ids],
        )

    def end_part(self, session_id: int, ended_at: str) -> None:
        """Mark one part of a guided session (a breathing or exposure game) ended while the guided
        session goes on: its status stays in_progress until the whole session closes, and a resume
        knows the part is done."""
        self._write("update sessions set ended_at = ? where id = ?", [ended_at, session_id])

    def set_summary(self, session_id: int, summary: Mapping[str, Any]) -> None:
        """A game's own measures of the session (mental games: breaths, SUDS, calm time), as JSON."""
        self._write("update sessions set summary = ? where id = ?", [json.dumps(summary, allow_nan=False), session_id])

    def session_summaries(self, session_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
        """Session id -> the game's stored summary, for those of the sessions that have one."""
        marks = ", ".join("?" * len(session_ids))
        rows = self._query(
            f"select id, summary from sessions where summary is not null and id in ({marks})", list(session_ids)
        )
        return {int(r["id"]): json.loads(r["summary"]) for r in rows}

    def session(self, session_id: int) -> SessionRow:
        (row,) = self._query(f"select {SESSION_COLUMNS} from sessions where id = ?", [session_id])
        return SessionRow(**row)

    def sessions(self, patient_id: str) -> list[SessionRow]:
        rows = self._query(
            f"select {SESSION_COLUMNS} from sessions where patient_id = ? order by started_at, id", [patient_id]
        )
        return [SessionRow(**row) for row in rows]

    def session_count(self, patient_id: str) -> int:
        return int(self._query("select count(*) as n from sessions where patient_id = ?", [patient_id])[0]["n"])

    # -- reps -------------------------------------------------------------------------------

    def add_rep(self, session_id: int, rep: RepMetrics) -> None:
        """Commit one completed rep now, so nothing finished is ever lost."""
        self._write(_REP_INSERT, _rep_values(session_id, rep))

    def reps(self, session_id: int) -> list[StoredRep]:
        return [
            stored_rep(row)
            for row in self._query("select * from reps where session_id = ? order by rep_index", [session_id])
        ]

    def rep_tallies(self, session_ids: Sequence[int]) -> dict[int, RepTally]:
        """Session id -> its reps counted, in one query; a session without reps is left out."""
        marks = ", ".join("?" * len(session_ids))
        rows = self._query(
            "select session_id, count(*) as reps, coalesce(sum(success), 0) as successes, "
            f"coalesce(sum(over_ceiling), 0) as over_ceiling from reps where session_id in ({marks}) "
            "group by session_id",
            list(session_ids),
        )
        return {
            int(r["session_id"]): RepTally(int(r["reps"]), int(r["successes"]), int(r["over_ceiling"])) for r in rows
        }

    # -- sets -------------------------------------------------------------------------------

    def start_set(self, session_id: int, set_index: int, movement: str, prescribed_reps: int, t_start: float) -> int:
        return self._write(
            "insert into sets (session_id, set_index, movement, prescribed_reps, t_start, t_end) "
            "values (?, ?, ?, ?, ?, NULL)",
            [session_id, set_index, movement, prescribed_reps, t_start],
        )

    def finish_set(self, set_id: int, t_end: float) -> None:
        self._write("update sets set t_end = ? where id = ?", [t_end, set_id])

    def sets(self, session_id: int) -> list[SetRow]:
        rows = self._query("select * from sets where session_id = ? order by set_index", [session_id])
        return [SetRow(**row) for row in rows]

    def exercise_progress(self, session_id: int) -> ExerciseProgress:
        """A session's sets and reps so far: what resuming or tallying an exercise needs."""
        return ExerciseProgress(tuple(self.sets(session_id)), tuple(self.reps(session_id)))


def _rep_values(session_id: int, rep: RepMetrics) -> list[Any]:
    return [
        session_id,
        rep.index,
        rep.t_start,
        rep.t_end,
        rep.start_deg,
        rep.peak_deg,
        rep.rom_deg,
        rep.hold_s,
        rep.duration_s,
        rep.peak_velocity_dps,
        rep.target_deg,
        int(rep.success),
        None if math.isnan(rep.smoothness_sparc) else rep.smoothness_sparc,
        ",".join(rep.compensations),
        int(rep.over_ceiling),
    ]


def stored_rep(row: dict[str, Any]) -> StoredRep:
    row.pop("id", None)
    return StoredRep(
        **{
            **row,
            "success": bool(row["success"]),
            "over_ceiling": bool(row["over_ceiling"]),
            "compensations": tuple(filter(None, (row["compensations"] or "").split(","))),
        }
    )
