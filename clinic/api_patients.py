"""API: patients, pairing codes, pairing a home, revoking a device, and the audit log.

POST   /api/v1/patients {id, physio_email}           admin, or a physio for themself
GET    /api/v1/patients                              physio: own and team's; clinician, admin: all
POST   /api/v1/patients/{id}/pairing-codes           physio with access, admin -> {code, expires_at}
POST   /api/v1/pair {code, device_name}              no token; 10 tries an hour per address -> 429
DELETE /api/v1/devices/{id}                          physio with access, admin
GET    /api/v1/audit?patient=ID                      admin
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from clinic import audit as audit_log
from clinic import pairing, ratelimit
from clinic.api_accounts import client_address
from clinic.auth import Principal, audit, user
from clinic.db import engine_of
from clinic.errors import TooManyRequests
from clinic.patients import add_patient, visible_patients

router = APIRouter(prefix="/api/v1", tags=["patients"])
Admin = Annotated[Principal, Depends(user("admin"))]
Staff = Annotated[Principal, Depends(user())]
Carer = Annotated[Principal, Depends(user("physio", "admin"))]  # may change a patient's data


class NewPatient(BaseModel):
    id: str = Field(max_length=40)
    physio_email: str = Field(max_length=254)


class PatientOut(BaseModel):
    id: str
    physio: str
    team: str | None
    created_at: str
    devices: int
    last_sync: str | None


class CodeOut(BaseModel):
    code: str
    expires_at: str


class PairBody(BaseModel):
    code: str = Field(max_length=40)
    device_name: str = Field(default="home", max_length=200)


class PairOut(BaseModel):
    device_token: str
    device_id: str
    patient_id: str


class AuditOut(BaseModel):
    id: int
    at: str
    actor: str
    action: str
    patient_id: str | None
    detail: str | None


@router.post("/patients", response_model=PatientOut, status_code=201)
def create_patient(body: NewPatient, request: Request, who: Carer) -> PatientOut:
    with engine_of(request).begin() as conn:
        made = add_patient(conn, who, body.id, body.physio_email)
    return PatientOut(**made.to_dict())  # type: ignore[arg-type]


@router.get("/patients", response_model=list[PatientOut])
def list_patients(request: Request, who: Staff) -> list[PatientOut]:
    with engine_of(request).begin() as conn:
        return [PatientOut(**p.to_dict()) for p in visible_patients(conn, who)]  # type: ignore[arg-type]


@router.post("/patients/{patient_id}/pairing-codes", response_model=CodeOut, status_code=201)
def make_code(patient_id: str, request: Request, who: Carer) -> CodeOut:
    with engine_of(request).begin() as conn:
        made = pairing.new_code(conn, who, patient_id)
    return CodeOut(code=made.code, expires_at=made.expires_at)


@router.post("/pair", response_model=PairOut, status_code=201)
def pair(body: PairBody, request: Request) -> PairOut:
    key = ratelimit.PAIRING.key(client_address(request))
    engine = engine_of(request)
    with engine.begin() as conn:  # counted and committed first: a wrong code still counts
        tries = ratelimit.hit(conn, ratelimit.PAIRING, key)
    if tries > ratelimit.PAIRING.attempts:
        raise TooManyRequests("too many pairing attempts from this address: wait an hour and try again")
    with engine.begin() as conn:
        done = pairing.pair(conn, body.code, body.device_name)
    return PairOut(device_token=done.device_token, device_id=done.device_id, patient_id=done.patient_id)


@router.delete("/devices/{device_id}", status_code=204)
def revoke_device(device_id: str, request: Request, who: Carer) -> None:
    with engine_of(request).begin() as conn:
        pairing.revoke(conn, who, device_id)


@router.get("/audit", response_model=list[AuditOut])
def read_audit(
    request: Request,
    who: Admin,
    patient: Annotated[str | None, Query(max_length=40)] = None,
    limit: Annotated[int, Query(ge=1, le=audit_log.MAX_ROWS)] = audit_log.MAX_ROWS,
) -> list[AuditOut]:
    with engine_of(request).begin() as conn:
        found = audit_log.entries(conn, patient, limit)
        audit(conn, who, "read audit log", patient)
    return [AuditOut(**entry.to_dict()) for entry in found]  # type: ignore[arg-type]
