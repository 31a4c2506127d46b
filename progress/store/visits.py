"""Guided sessions as a whole (visits) and the outcome questionnaires answered at home.

A visit is what a plan prescribes ("6 sessions a week"): one guided session, whatever number of
store sessions its exercises and breathing or exposure parts leave behind, or none at all when the
patient's pain was too high to start. Reports count adherence in visits, never in store sessions.
A questionnaire is written after every answer, so leaving half-way keeps what was answered.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from progress.store.base import StoreBase
from progress.store.rows import OutcomeResponseRow, VisitRow
from rehab.core.errors import StoreError

VISIT_STATUSES = ("in_progress", "completed", "stopped", "not_started", "interrupted")
STOP_REASONS = ("stopped_for_pain", "stopped_by_patient", "pain_too_high", "device_lost", "ended_by_physio")
_VISIT_COLUMNS = "id, patient_id, plan_id, started_at, ended_at, status, stop_reason"


class VisitStore(StoreBase):
    def start_visit(self, patient_id: str, started_at: str, plan_id: int | None) -> str:
        """A new guided session (in progress); returns its id, a random UUID."""
        visit_id = str(uuid.uuid4())
        with self.transaction("visit start"):
            self._insert_patient(patient_id, started_at)
            self.db.conn.execute(
                f"insert into visits ({_VISIT_COLUMNS}) values (?, ?, ?, ?, NULL, 'in_progress', NULL)",
                [visit_id, patient_id, plan_id, started_at],
            )
        return visit_id

    def end_visit(self, visit_id: str, ended_at: str, status: str, stop_reason: str | None = None) -> None:
        _check_end(status, stop_reason)
        self._write(
            "update visits set ended_at = ?, status = ?, stop_reason = ? where id = ?",
            [ended_at, status, stop_reason, visit_id],
        )

    def reopen_visit(self, visit_id: str) -> None:
        """A resumed guided session is in progress again (it was stopped by the patient, or cut)."""
        self._write(
            "update visits set ended_at = NULL, status = 'in_progress', stop_reason = NULL where id = ?", [visit_id]
        )

    def visit(self, visit_id: str) -> VisitRow | None:
        rows = self._query(f"select {_VISIT_COLUMNS} from visits where id = ?", [visit_id])
        return VisitRow(**rows[0]) if rows else None

    def visits(self, patient_id: str) -> list[VisitRow]:
        rows = self._query(
            f"select {_VISIT_COLUMNS} from visits where patient_id = ? order by started_at, id", [patient_id]
        )
        return [VisitRow(**row) for row in rows]

    def visits_between(self, patient_id: str, first_day: str, last_day: str) -> list[VisitRow]:
        rows = self._query(
            f"select {_VISIT_COLUMNS} from visits where patient_id = ? and substr(started_at, 1, 10) "
            "between ? and ? order by started_at, id",
            [patient_id, first_day, last_day],
        )
        return [VisitRow(**row) for row in rows]

    # -- outcome questionnaires ---------------------------------------------------------------

    def start_outcome(self, patient_id: str, at: str, measure: str, visit_id: str | None = None) -> int:
        with self.transaction("questionnaire start"):
            self._insert_patient(patient_id, at)
            cursor = self.db.conn.execute(
                "insert into outcome_responses (patient_id, visit_id, at, measure, answers, status) "
                "values (?, ?, ?, ?, '{}', 'in_progress')",
                [patient_id, visit_id, at, measure],
            )
        return int(cursor.lastrowid or 0)

    def record_answer(self, response_id: int, key: str, value: int) -> None:
        """One answer, committed as it is given."""
        self._write(
            "update outcome_responses set answers = json_set(answers, '$.' || ?, ?) where id = ?",
            [json.dumps(key), value, response_id],
        )

    def finish_outcome(
        self, response_id: int, status: str, score: float | None, band: str | None, flags: tuple[str, ...] = ()
    ) -> None:
        if status not in ("completed", "stopped"):
            raise StoreError(f"a questionnaire ends completed or stopped, not {status!r}")
        self._write(
            "update outcome_responses set status = ?, score = ?, band = ?, flags = ? where id = ?",
            [status, score, band, ",".join(flags), response_id],
        )

    def outcome_responses(self, patient_id: str, measure: str | None = None) -> list[OutcomeResponseRow]:
        where, params = "patient_id = ?", [patient_id]
        if measure is not None:
            where, params = where + " and measure = ?", [*params, measure]
        return _responses(self._query(f"select * from outcome_responses where {where} order by at, id", params))

    def outcome_responses_between(self, patient_id: str, first_day: str, last_day: str) -> list[OutcomeResponseRow]:
        return _responses(
            self._query(
                "select * from outcome_responses where patient_id = ? and substr(at, 1, 10) between ? and ? "
                "order by at, id",
                [patient_id, first_day, last_day],
            )
        )


def _check_end(status: str, stop_reason: str | None) -> None:
    if status not in VISIT_STATUSES:
        raise StoreError(f"unknown visit status {status!r}; known: {', '.join(VISIT_STATUSES)}")
    if stop_reason is not None and stop_reason not in STOP_REASONS:
        raise StoreError(f"unknown stop reason {stop_reason!r}; known: {', '.join(STOP_REASONS)}")


def _responses(rows: list[dict[str, Any]]) -> list[OutcomeResponseRow]:
    return [
        OutcomeResponseRow(
            **{
                **row,
                "answers": {str(k): int(v) for k, v in json.loads(row["answers"] or "{}").items()},
                "flags": tuple(f for f in (row["flags"] or "").split(",") if f),
            }
        )
        for row in rows
    ]
