"""Guided sessions (visits) and free play as FHIR Encounters, each with its status and stop reason.

Encounter.status says whether it took place (finished, cancelled when pain was too high to start,
in-progress); R4B has no Encounter.statusReason, so the status key and its words ("Stopped for
pain") go in a local extension, as a CodeableConcept in ``STATUS_SYSTEM``.
"""

from __future__ import annotations

from typing import Any

from progress.reports.data import STATUS_TEXT, ReportData, SessionSummary, VisitSummary
from progress.reports.fhir_common import STATUS_EXTENSION, STATUS_SYSTEM, entry, local_code, urn

ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
#: status key -> Encounter.status
ENCOUNTER_STATUS: dict[str, str] = {
    "completed": "finished",
    "stopped_for_pain": "finished",
    "stopped_by_patient": "finished",
    "device_lost": "finished",
    "ended_by_physio": "finished",
    "interrupted": "finished",
    "free_play": "finished",
    "pain_too_high": "cancelled",
    "in_progress": "in-progress",
}


def status_extension(key: str) -> list[dict[str, Any]]:
    return [{"url": STATUS_EXTENSION, "valueCodeableConcept": local_code(STATUS_SYSTEM, key, STATUS_TEXT[key])}]


def _encounter(key: str, start: str, end: str | None, text: str, patient_ref: str) -> dict[str, Any]:
    period = {"start": start, **({"end": end} if end else {})}
    return {
        "resourceType": "Encounter",
        "status": ENCOUNTER_STATUS[key],
        "class": {"system": ACT_CODE, "code": "HH", "display": "home health"},
        "type": [{"text": text}],
        "subject": {"reference": patient_ref},
        "period": period,
        "extension": status_extension(key),
    }


def encounter_entries(data: ReportData, patient_ref: str) -> tuple[list[dict[str, Any]], dict[int, str]]:
    """An Encounter per visit and per free play session, and session id -> its Encounter's fullUrl."""
    entries: list[dict[str, Any]] = []
    of_session: dict[int, str] = {}
    sessions = {s.session_id: s for s in data.sessions}
    for visit in data.visits:
        url = urn(data.patient, "visit", visit.visit_id)
        entries.append(entry(url, _visit_resource(visit, sessions, patient_ref)))
        of_session.update({i: url for i in visit.session_ids})
    for session in data.sessions:
        if session.visit_id is None:
            url = urn(data.patient, "free-play", session.session_id)
            entries.append(entry(url, _free_play_resource(session, patient_ref)))
            of_session[session.session_id] = url
    return entries, of_session


def _visit_resource(visit: VisitSummary, sessions: dict[int, SessionSummary], patient_ref: str) -> dict[str, Any]:
    ends = [end for i in visit.session_ids if i in sessions and (end := sessions[i].ended_at)]
    return _encounter(visit.status, visit.started_at, max(ends) if ends else None, "Guided session", patient_ref)


def _free_play_resource(session: SessionSummary, patient_ref: str) -> dict[str, Any]:
    return _encounter(
        session.status_key, session.started_at, session.ended_at, f"Free play: {session.game}", patient_ref
    )
