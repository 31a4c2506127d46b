"""Plan versions: a new version never overwrites an old one, and a session remembers the one it followed."""

from __future__ import annotations

import json
from typing import Any

from progress.store.base import StoreBase
from progress.store.rows import PlanVersionRow
from rehab.core.errors import StoreError


class PlanStore(StoreBase):
    def add_plan_version(
        self, patient_id: str, created_at: str, effective_from: str, sessions_per_week: int, body: dict[str, Any]
    ) -> int:
        """Store a new version of the patient's plan and return its version number (1, 2, ...)."""
        with self.transaction("plan version"):
            self._insert_patient(patient_id, created_at)
            (version,) = self.db.conn.execute(
                "select coalesce(max(version), 0) + 1 from plans where patient_id = ?", [patient_id]
            ).fetchone()
            self.db.conn.execute(
                "insert into plans (patient_id, version, created_at, effective_from, sessions_per_week, body) "
                "values (?, ?, ?, ?, ?, ?)",
                [patient_id, version, created_at, effective_from, sessions_per_week, json.dumps(body, sort_keys=True)],
            )
        return int(version)

    def plan_versions(self, patient_id: str) -> list[PlanVersionRow]:
        rows = self._query("select * from plans where patient_id = ? order by version", [patient_id])
        return [PlanVersionRow(**{**row, "body": json.loads(row["body"])}) for row in rows]

    def latest_plan_version(self, patient_id: str) -> PlanVersionRow | None:
        rows = self._query("select * from plans where patient_id = ? order by version desc limit 1", [patient_id])
        return PlanVersionRow(**{**rows[0], "body": json.loads(rows[0]["body"])}) if rows else None

    def plan_version_by_id(self, plan_id: int) -> PlanVersionRow | None:
        rows = self._query("select * from plans where id = ?", [plan_id])
        return PlanVersionRow(**{**rows[0], "body": json.loads(rows[0]["body"])}) if rows else None

    def set_session_plan(self, session_id: int, plan_version: int | None, kind: str = "physical") -> None:
        """Link a session to the plan version it followed, and say what kind of session it was."""
        plan_id = None
        if plan_version is not None:
            found = self._query(
                "select p.id from plans p join sessions s on s.patient_id = p.patient_id "
                "where s.id = ? and p.version = ?",
                [session_id, plan_version],
            )
            if not found:
                (session,) = self._query("select patient_id from sessions where id = ?", [session_id])
                raise StoreError(f"patient {session['patient_id']} has no plan version {plan_version}")
            plan_id = int(found[0]["id"])
        self._write("update sessions set plan_id = ?, kind = ? where id = ?", [plan_id, kind, session_id])
