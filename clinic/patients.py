"""Patients on the clinic server: each belongs to one physio (and that physio's team), and is
known by a pseudonymous id only (``rehab.core.ids``), never by name."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, insert, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from clinic.accounts import require_user
from clinic.auth import Principal, audit
from clinic.db import now_iso
from clinic.errors import ClinicError, Conflict, Forbidden
from clinic.tables import devices, patients, sync_receipts, users
from rehab.core.ids import check_patient_id


@dataclass(frozen=True)
class PatientSummary:
    id: str
    physio: str  # the physio's email
    team: str | None
    created_at: str
    devices: int  # paired devices not revoked
    last_sync: str | None  # the server's time of the newest batch received from any of its devices

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "physio": self.physio,
            "team": self.team,
            "created_at": self.created_at,
            "devices": self.devices,
            "last_sync": self.last_sync,
        }


def add_patient(conn: Connection, who: Principal, patient_id: str, physio_email: str) -> PatientSummary:
    """Registers a patient under a physio (in the physio's team). An admin (or the command line)
    may add anyone's patient; a physio only their own; a clinician none."""
    check_patient_id(patient_id)
    physio = require_user(conn, physio_email)
    if physio.role != "physio" or physio.disabled:
        raise ClinicError(f"{physio.email} is not an active physio account")
    if who.role != "admin" and not (who.role == "physio" and who.user_id == physio.id):
        raise Forbidden("only an admin, or the physio themself, may add a patient")
    at = now_iso(conn)
    try:
        with conn.begin_nested():
            conn.execute(insert(patients).values(id=patient_id, physio_id=physio.id, team=physio.team, created_at=at))
    except IntegrityError as error:
        raise Conflict(f"patient {patient_id} exists already") from error
    audit(conn, who, "add patient", patient_id, f"physio {physio.email}")
    return PatientSummary(patient_id, physio.email, physio.team, at, 0, None)


def visible_patients(conn: Connection, who: Principal, audit_each: bool = True) -> list[PatientSummary]:
    """The patients ``who`` may see (a physio: own and team's; clinician, admin: all); each one
    listed is a read of that patient's data, so each gets an audit row, unless the caller writes
    one row for its whole view (the caseload: 200 rows a view made the log mostly caseload views)."""
    active = (
        select(func.count())
        .select_from(devices)
        .where(devices.c.patient_id == patients.c.id, devices.c.revoked_at.is_(None))
        .scalar_subquery()
    )
    last_sync = (
        select(func.max(sync_receipts.c.received_at))
        .join(devices, devices.c.id == sync_receipts.c.device_id)
        .where(devices.c.patient_id == patients.c.id)
        .scalar_subquery()
    )
    query = (
        select(patients, users.c.email, active.label("devices"), last_sync.label("last_sync"))
        .join(users, users.c.id == patients.c.physio_id)
        .order_by(patients.c.id)
    )
    if who.role == "physio":
        mine = patients.c.physio_id == who.user_id
        query = query.where(mine | (patients.c.team == who.team) if who.team else mine)
    elif who.role not in ("clinician", "admin"):
        raise Forbidden("only clinic staff list patients")
    found = [
        PatientSummary(r.id, r.email, r.team, r.created_at, int(r.devices), r.last_sync) for r in conn.execute(query)
    ]
    if audit_each:
        for patient in found:
            audit(conn, who, "list patient", patient.id)
    return found
