"""Breathing, exposure and focus sessions as FHIR Observations: their own measures, never angles.

- breathing: the mean breathing rate as LOINC 9279-1 Respiratory rate (a measured breaths per
  minute, which this is: counted from the patient's own breaths), in UCUM ``/min``; the pace, the
  time within 1 breath/min of it (``s``), the breaths counted and the minutes as components;
- exposure: SUDS before, at the peak and after (``{score}``, 0-100), the highest level reached and
  the calm time (``s``), as components of a local "exposure session" code;
- focus: mean attention (``{score}``, 0-100) as a component of a local "focus session" code.
Stress and SUDS answers are also in the Bundle one by one, as the rating Observations.
"""

from __future__ import annotations

from typing import Any

from progress.reports.data import MentalSummary, ReportData
from progress.reports.fhir_common import (
    LOINC,
    MENTAL_SYSTEM,
    category,
    component,
    entry,
    local_code,
    quantity,
    urn,
)
from progress.reports.fhir_encounters import status_extension

RESPIRATORY_RATE = {"system": LOINC, "code": "9279-1", "display": "Respiratory rate"}


def _components(summary: MentalSummary) -> list[dict[str, Any]]:
    """Every measure the session has, as (code, words, value); absent ones are left out."""
    numbers: list[tuple[str, str, float | None, str]] = [
        ("breathing-pace", "Breathing pace asked for", summary.pace_bpm, "/min"),
        ("seconds-near-pace", "Time within 1 breath/min of the pace", summary.seconds_near_pace, "s"),
        ("minutes", "Length of the session", summary.minutes, "min"),
        ("suds-before", "SUDS before (0-100)", summary.suds_before, "score"),
        ("suds-peak", "SUDS at the peak (0-100)", summary.suds_peak, "score"),
        ("suds-after", "SUDS after (0-100)", summary.suds_after, "score"),
        ("calm-seconds", "Calm time after exposure", summary.calm_seconds, "s"),
        ("stress-before", "Stress before (0-10)", summary.stress_before, "score"),
        ("stress-after", "Stress after (0-10)", summary.stress_after, "score"),
        ("mean-attention", "Mean attention (0-100)", summary.mean_attention, "score"),
    ]
    parts = [
        component(MENTAL_SYSTEM, code, text, {"valueQuantity": quantity(value, kind)})
        for code, text, value, kind in numbers
        if value is not None
    ]
    counts = [
        ("breaths", "Breaths counted", summary.breaths),
        ("highest-level", "Highest level", summary.highest_level),
    ]
    parts += [
        component(MENTAL_SYSTEM, code, text, {"valueInteger": value})
        for code, text, value in counts
        if value is not None
    ]
    return parts


def _code(summary: MentalSummary) -> dict[str, Any]:
    if summary.game == "breathe" and summary.mean_rate_bpm is not None:
        return {"coding": [RESPIRATORY_RATE], "text": "Mean breathing rate during paced breathing"}
    text = {"exposure": "Graded exposure session", "focus": "Focus (attention) session"}.get(
        summary.game, f"{summary.game} session"
    )
    return local_code(MENTAL_SYSTEM, f"{summary.game}-session", text)


def mental_entries(data: ReportData, patient_ref: str, encounters: dict[int, str]) -> list[dict[str, Any]]:
    entries = []
    started = {s.session_id: s.started_at for s in data.sessions}
    for summary in data.mental:
        resource: dict[str, Any] = {
            "resourceType": "Observation",
            "status": "final" if summary.status_key != "in_progress" else "preliminary",
            "category": category("therapy", "Therapy"),
            "code": _code(summary),
            "subject": {"reference": patient_ref},
            "effectiveDateTime": started[summary.session_id],
            "extension": status_extension(summary.status_key),
        }
        if summary.game == "breathe" and summary.mean_rate_bpm is not None:
            resource["valueQuantity"] = quantity(summary.mean_rate_bpm, "/min")
        if summary.session_id in encounters:
            resource["encounter"] = {"reference": encounters[summary.session_id]}
        parts = _components(summary)
        if parts:
            resource["component"] = parts
        entries.append(entry(urn(data.patient, "mental", summary.session_id), resource))
    return entries
