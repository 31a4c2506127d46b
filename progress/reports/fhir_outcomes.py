"""Outcome questionnaires as FHIR: a QuestionnaireResponse with every answer, and an Observation of
its total (LOINC where a verified code exists, e.g. PHQ-9 44261-6, GAD-7 70274-6; else the measure id
in ``LOCAL_CODE_SYSTEM``), derived from the response. A PHQ-9 with thoughts of self-harm also gets
interpretation "AA" (critical) on its Observation and an active Flag, so no receiving system can
show the total without the warning.
"""

from __future__ import annotations

from typing import Any

from progress.reports.data import OutcomeScore, ReportData
from progress.reports.fhir_common import LOINC, category, entry, quantity, urn
from rehab.core.questionnaires import LOCAL_CODE_SYSTEM, SELF_HARM_FLAG

INTERPRETATION = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
FLAG_CATEGORY = "http://terminology.hl7.org/CodeSystem/flag-category"
QUESTIONNAIRE_STATUS = {"completed": "completed", "stopped": "stopped", "in_progress": "in-progress"}
FLAG_TEXT = {SELF_HARM_FLAG: "Thoughts of self-harm reported (PHQ-9 item 9): contact the patient"}


def questionnaire_url(measure: str) -> str:
    return f"urn:rehab:questionnaire:{measure}"


def _response(score: OutcomeScore, patient_ref: str) -> dict[str, Any]:
    return {
        "resourceType": "QuestionnaireResponse",
        "questionnaire": questionnaire_url(score.measure),
        "status": QUESTIONNAIRE_STATUS.get(score.status, "in-progress"),
        "subject": {"reference": patient_ref},
        "authored": score.at,
        "item": [{"linkId": key, "answer": [{"valueInteger": value}]} for key, value in score.answers.items()] or None,
    }


def _total(score: OutcomeScore, patient_ref: str, response_url: str) -> dict[str, Any]:
    assert score.total is not None
    coding = (
        {"system": LOINC, "code": score.loinc_total, "display": f"{score.short_title} total score"}
        if score.loinc_total
        else {"system": LOCAL_CODE_SYSTEM, "code": score.measure, "display": f"{score.short_title} total score"}
    )
    resource: dict[str, Any] = {
        "resourceType": "Observation",
        "status": "final",
        "category": category("survey", "Survey"),
        "code": {"coding": [coding], "text": f"{score.title}: total score"},
        "subject": {"reference": patient_ref},
        "effectiveDateTime": score.at,
        "valueQuantity": quantity(score.total, "score"),
        "referenceRange": [
            {
                "low": quantity(score.score_min, "score"),
                "high": quantity(score.score_max, "score"),
                "text": f"{'higher' if score.higher_is_better else 'lower'} is better",
            }
        ],
        "derivedFrom": [{"reference": response_url}],
    }
    interpretation: list[dict[str, Any]] = [{"text": score.band}] if score.band else []
    if SELF_HARM_FLAG in score.flags:
        interpretation.append(
            {
                "coding": [{"system": INTERPRETATION, "code": "AA", "display": "Critical abnormal"}],
                "text": FLAG_TEXT[SELF_HARM_FLAG],
            }
        )
    if interpretation:
        resource["interpretation"] = interpretation
    return resource


def _flag(score: OutcomeScore, flag: str, patient_ref: str) -> dict[str, Any]:
    return {
        "resourceType": "Flag",
        "status": "active",
        "category": [{"coding": [{"system": FLAG_CATEGORY, "code": "clinical", "display": "Clinical"}]}],
        "code": {"coding": [{"system": LOCAL_CODE_SYSTEM, "code": flag}], "text": FLAG_TEXT.get(flag, flag)},
        "subject": {"reference": patient_ref},
        "period": {"start": score.at},
    }


def outcome_entries(data: ReportData, patient_ref: str) -> list[dict[str, Any]]:
    entries = []
    for score in data.outcomes:
        response_url = urn(data.patient, "questionnaire", score.response_id)
        response = {k: v for k, v in _response(score, patient_ref).items() if v is not None}
        entries.append(entry(response_url, response))
        if score.total is not None:
            entries.append(
                entry(urn(data.patient, "score", score.response_id), _total(score, patient_ref, response_url))
            )
        for flag in score.flags:
            entries.append(entry(urn(data.patient, "flag", score.response_id, flag), _flag(score, flag, patient_ref)))
    return entries
