"""``/api/v1/patients/{id}/plans``, ``/messages`` and ``/sessions``: what a physio assigns and
writes to a patient, and the patient's synced sessions (what "see it on the server" means).

Writing takes a physio with access to the patient; reading, anyone ``patient_access`` lets read (a
clinician reads every patient, a physio their own and their team's). Every read and every change
is audited. A refused request writes nothing, not even its audit line.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from clinic import auth, db, plans

router = APIRouter(prefix="/api/v1/patients/{patient_id}", tags=["plans and messages"])

#: a physio writes; a clinician only reads (403 on a write)
Writer = Annotated[auth.Principal, Depends(auth.user("physio"))]
Reader = Annotated[auth.Principal, Depends(auth.user("physio", "clinician", "admin"))]

#: a plan file is a few kilobytes; this bounds the work one request can ask of the parser
PLAN_MAX_CHARS = 200_000


class PlanIn(BaseModel):
    """A plan file's TOML text and why it is assigned (kept with the version)."""

    model_config = ConfigDict(extra="forbid", strict=True)

    toml: str = Field(max_length=PLAN_MAX_CHARS)
    reason: str = Field(default="", max_length=500)


class MessageIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    # checked again after stripping blanks, with a plain sentence, by plans.check_message
    text: str = Field(max_length=10 * plans.MESSAGE_MAX)


def _error(status: int, message: str, **more: Any) -> JSONResponse:
    return JSONResponse(status_code=status, content={"error": message, **more})


@router.post("/plans", status_code=201, responses={422: {"description": "the plan is not valid: every problem"}})
def assign_plan(patient_id: str, given: PlanIn, request: Request, who: Writer) -> Any:
    """Store the plan as the patient's next version; the home takes it at its next sync."""
    from rehab.app.plans import PlanError

    with db.engine_of(request).begin() as conn:
        auth.patient_access(conn, who, patient_id, write=True)
        try:
            plan = plans.check_plan(given.toml, patient_id)
        except PlanError as error:
            return _error(422, "the plan is not valid", problems=plans.problem_lines(error))
        now = db.now_iso(conn)
        reason = given.reason.strip() or f"assigned by {who.name}"
        version = plans.assign_plan(conn, patient_id, plan, reason, who.name, now, now[:10])
        auth.audit(conn, who, f"assign plan v{version.version}", patient_id, reason)
    return version.to_json()


@router.get("/plans")
def read_plans(patient_id: str, request: Request, who: Reader) -> Any:
    """Every plan version, oldest first, with its origin (server or home), reason and any conflict."""
    with db.engine_of(request).begin() as conn:
        auth.patient_access(conn, who, patient_id)
        versions = plans.plan_versions(conn, patient_id)
        auth.audit(conn, who, "read plans", patient_id)
    return {"patient": patient_id, "versions": [v.to_json() for v in versions]}


@router.post("/messages", status_code=201)
def send_message(patient_id: str, given: MessageIn, request: Request, who: Writer) -> Any:
    """A message for the patient, shown at home after the next sync."""
    with db.engine_of(request).begin() as conn:
        auth.patient_access(conn, who, patient_id, write=True)
        try:
            text = plans.check_message(given.text)
        except ValueError as error:
            return _error(422, str(error))
        message = plans.add_message(conn, patient_id, who.user_id, text, db.now_iso(conn))
        auth.audit(conn, who, "send message", patient_id, f"message {message.id}")
    return message.to_json()


@router.get("/messages")
def read_messages(patient_id: str, request: Request, who: Reader) -> Any:
    with db.engine_of(request).begin() as conn:
        auth.patient_access(conn, who, patient_id)
        found = plans.messages(conn, patient_id)
        auth.audit(conn, who, "read messages", patient_id)
    return {"patient": patient_id, "messages": [m.to_json() for m in found]}


@router.get("/sessions")
def read_sessions(patient_id: str, request: Request, who: Reader) -> Any:
    """The patient's synced sessions, oldest first: date, game, movement, status, reps, best peak."""
    with db.engine_of(request).begin() as conn:
        auth.patient_access(conn, who, patient_id)
        found = plans.session_summaries(conn, patient_id)
        auth.audit(conn, who, "read sessions", patient_id)
    return {"patient": patient_id, "sessions": [s.to_json() for s in found]}
