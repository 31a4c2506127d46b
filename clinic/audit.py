"""The audit log: who read or changed which patient's data, and when. Rows are only ever added.

Callers write through ``clinic.auth.audit`` (which takes the Principal); reading is for admins
(``GET /api/v1/audit``) and the command line.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import insert, select
from sqlalchemy.engine import Connection

from clinic.db import now_iso
from clinic.tables import audit_log

#: an admin asking for a patient's history gets this many of its newest rows at most per request
MAX_ROWS = 1000


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: str
    actor: str
    action: str
    patient_id: str | None
    detail: str | None

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "at": self.at,
            "actor": self.actor,
            "action": self.action,
            "patient_id": self.patient_id,
            "detail": self.detail,
        }


def record(conn: Connection, actor: str, action: str, patient_id: str | None, detail: str | None = None) -> None:
    """One audit row, in the caller's transaction: a change and its audit row commit together."""
    conn.execute(
        insert(audit_log).values(at=now_iso(conn), actor=actor, action=action, patient_id=patient_id, detail=detail)
    )


def entries(conn: Connection, patient_id: str | None = None, limit: int = MAX_ROWS) -> list[AuditEntry]:
    """The newest ``limit`` rows (of one patient, when given), oldest first."""
    query = select(audit_log).order_by(audit_log.c.id.desc()).limit(min(limit, MAX_ROWS))
    if patient_id is not None:
        query = query.where(audit_log.c.patient_id == patient_id)
    rows = conn.execute(query).all()
    return [AuditEntry(r.id, r.at, r.actor, r.action, r.patient_id, r.detail) for r in reversed(rows)]
