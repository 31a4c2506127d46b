"""FHIR R4B Bundle (JSON) built and validated with fhir.resources: the patient's record of a period.

- a Patient (its id, or its pseudonym);
- an Encounter per guided session (visit) and per free play session, with its status and stop
  reason (``fhir_encounters.py``);
- one Observation per physical movement per session: the best peak angle as ``valueQuantity`` in
  UCUM ``deg`` (0.1 deg), mean peak, best range of motion and rep counts as components, the AAOS normal
  range as referenceRange, the joint and the side in ``bodySite`` as SNOMED CT (the joint structure,
  post-coordinated with 272741003 |Laterality| = 7771000 |Left| or 24028007 |Right|);
- one Observation per mental session with its own measures (``fhir_mental.py``), never an angle;
- pain 0-10 as LOINC 72514-3, SUDS and stress in a local code system, each answer one Observation;
- a QuestionnaireResponse and a total-score Observation per outcome measure, and a Flag for thoughts
  of self-harm (``fhir_outcomes.py``).

LOINC has quantitative range-of-motion codes for only a few motions, and none for "peak angle reached
in an exercise game", so movements use a local code system (``MOVEMENT_SYSTEM``); so do SUDS and stress.
A receiving system must map those codes; docs/report_formats.md lists them all.

Resource ids and fullUrls are name-based UUIDs from the patient and session, never random, so the
same export twice gives the same file, and no clock is read here.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from progress.reports.data import Rating, ReportData, SessionSummary
from progress.reports.fhir_common import (
    LOINC,
    MOVEMENT_SYSTEM,
    PATIENT_SYSTEM,
    PSEUDONYM_SYSTEM,
    RATING_SYSTEM,
    SNOMED,
    UCUM,
    category,
    component,
    entry,
    quantity,
    urn,
)
from progress.reports.fhir_encounters import encounter_entries, status_extension
from progress.reports.fhir_mental import mental_entries
from progress.reports.fhir_outcomes import outcome_entries
from progress.reports.glance import movement_title
from progress.reports.output import write_atomically
from rehab.core.motions import NORMAL_ROM_DEG, split_name

__all__ = [
    "LOINC",
    "MOVEMENT_SYSTEM",
    "RATING_SYSTEM",
    "SNOMED",
    "UCUM",
    "body_site",
    "build_bundle",
    "movement_title",
    "validate_bundle",
    "write_fhir",
]

#: joint -> SNOMED CT body structure (code, display)
JOINT_SNOMED: dict[str, tuple[str, str]] = {
    "shoulder": ("91774008", "Shoulder joint structure"),
    "elbow": ("16953009", "Elbow joint structure"),
    "wrist": ("74670003", "Wrist joint structure"),
    "hip": ("24136001", "Hip joint structure"),
    "knee": ("49076000", "Knee joint structure"),
    "ankle": ("70258002", "Ankle joint structure"),
    "cervical": ("122494005", "Cervical spine structure"),
}
LATERALITY_SNOMED = {"left": "7771000", "right": "24028007"}
LATERALITY_ATTRIBUTE = "272741003"
PAIN_CODE = {
    "system": LOINC,
    "code": "72514-3",
    "display": "Pain severity - 0-10 verbal numeric rating [Score] - Reported",
}
RATING_TEXT = {"suds": "Subjective units of distress (0-100)", "stress": "Stress (0-10)"}


def body_site(angle_name: str) -> dict[str, Any] | None:
    motion, side = split_name(angle_name)
    joint = motion.split("_")[0]
    if joint not in JOINT_SNOMED:
        return None
    code, display = JOINT_SNOMED[joint]
    if side is None:
        return {"coding": [{"system": SNOMED, "code": code, "display": display}], "text": display}
    expression = f"{code}:{LATERALITY_ATTRIBUTE}={LATERALITY_SNOMED[side]}"
    text = f"{display}, {side}"
    return {"coding": [{"system": SNOMED, "code": expression, "display": text}], "text": text}


def _movement_observation(session: SessionSummary, patient_ref: str) -> dict[str, Any]:
    assert session.best_peak_deg is not None
    motion, _ = split_name(session.movement)
    title = movement_title(session.movement)
    resource: dict[str, Any] = {
        "resourceType": "Observation",
        "status": "preliminary" if session.status_key == "in_progress" else "final",
        "category": category("exam", "Exam"),
        "code": {
            "coding": [{"system": MOVEMENT_SYSTEM, "code": session.movement, "display": f"{title}: peak active angle"}],
            "text": f"{title}: peak active angle in a {session.game} session",
        },
        "subject": {"reference": patient_ref},
        "effectiveDateTime": session.started_at,
        "valueQuantity": quantity(session.best_peak_deg, "deg"),
        "component": _movement_components(session),
        "extension": status_extension(session.status_key),
    }
    normal = NORMAL_ROM_DEG.get(motion)
    if normal is not None:
        resource["referenceRange"] = [
            {"low": quantity(0.0, "deg"), "high": quantity(normal, "deg"), "text": "AAOS normal active range of motion"}
        ]
    site = body_site(session.movement)
    if site:
        resource["bodySite"] = site
    return resource


def _movement_components(session: SessionSummary) -> list[dict[str, Any]]:
    """Mean peak, best range (when known), repetitions, repetitions at target and the target (when set)."""
    assert session.mean_peak_deg is not None
    components = [
        component(
            MOVEMENT_SYSTEM,
            "mean-peak-angle",
            "Mean peak angle",
            {"valueQuantity": quantity(session.mean_peak_deg, "deg")},
        )
    ]
    if session.best_rom_deg is not None:
        best_rom = {"valueQuantity": quantity(session.best_rom_deg, "deg")}
        components.append(component(MOVEMENT_SYSTEM, "best-rom", "Best range of motion (peak - start)", best_rom))
    components += [
        component(MOVEMENT_SYSTEM, "reps", "Repetitions", {"valueInteger": session.reps}),
        component(MOVEMENT_SYSTEM, "reps-at-target", "Repetitions at target", {"valueInteger": session.successes}),
    ]
    if session.target_deg is not None:
        target = {"valueQuantity": quantity(session.target_deg, "deg")}
        components.append(component(MOVEMENT_SYSTEM, "target-angle", "Target angle", target))
    return components


def _rating_observation(rating: Rating, patient_ref: str) -> dict[str, Any]:
    if rating.kind == "pain":
        code = {"coding": [PAIN_CODE], "text": "Pain (0-10)"}
    else:
        text = RATING_TEXT[rating.kind]
        code = {"coding": [{"system": RATING_SYSTEM, "code": rating.kind, "display": text}], "text": text}
    return {
        "resourceType": "Observation",
        "status": "final",
        "category": category("survey", "Survey"),
        "code": code,
        "subject": {"reference": patient_ref},
        "effectiveDateTime": rating.at,
        "valueQuantity": quantity(rating.value, "score"),
    }


def build_bundle(data: ReportData) -> dict[str, Any]:
    """The Bundle as plain JSON-able data (validated by ``validate_bundle`` before it is written)."""
    patient_url = urn(data.patient, "patient")
    system = PSEUDONYM_SYSTEM if data.pseudonymized else PATIENT_SYSTEM
    entries = [
        entry(patient_url, {"resourceType": "Patient", "identifier": [{"system": system, "value": data.patient}]})
    ]
    visits, encounters = encounter_entries(data, patient_url)
    entries += visits
    for session in data.sessions:
        if session.kind != "physical" or not session.reps or session.best_peak_deg is None:
            continue
        resource = _movement_observation(session, patient_url)
        if session.session_id in encounters:
            resource["encounter"] = {"reference": encounters[session.session_id]}
        entries.append(entry(urn(data.patient, "session", session.session_id, session.movement), resource))
    entries += mental_entries(data, patient_url, encounters)
    for index, rating in enumerate(data.ratings):
        resource = _rating_observation(rating, patient_url)
        if rating.session_id in encounters:
            resource["encounter"] = {"reference": encounters[rating.session_id]}
        entries.append(entry(urn(data.patient, "rating", rating.at, rating.kind, index), resource))
    entries += outcome_entries(data, patient_url)
    return {
        "resourceType": "Bundle",
        "id": urn(data.patient, "bundle", data.start, data.end)[9:],
        "type": "collection",
        "timestamp": _instant(data.generated_at),
        "entry": entries,
    }


def _instant(text: str) -> str:
    # FHIR instant needs a time and zone; a pseudonymised export keeps the date only
    return text if "T" in text else f"{text}T00:00:00Z"


def validate_bundle(bundle: dict[str, Any]) -> None:
    """Raise pydantic's ValidationError (a ValueError) if the Bundle is not valid FHIR R4B.

    Every resource is validated against its own model, then the Bundle around them: the same checks as
    validating the whole Bundle at once, about a quarter faster, because pydantic does not have to
    resolve each entry's polymorphic ``resource`` field.
    """
    from fhir.resources.R4B.bundle import Bundle
    from fhir.resources.R4B.encounter import Encounter
    from fhir.resources.R4B.flag import Flag
    from fhir.resources.R4B.observation import Observation
    from fhir.resources.R4B.patient import Patient
    from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

    models: dict[str, Any] = {
        "Patient": Patient,
        "Observation": Observation,
        "Encounter": Encounter,
        "QuestionnaireResponse": QuestionnaireResponse,
        "Flag": Flag,
    }
    shell_entries = []
    for item in bundle.get("entry", []):
        resource = item["resource"]
        models[resource["resourceType"]].model_validate(resource)
        shell_entries.append({k: v for k, v in item.items() if k != "resource"})
    Bundle.model_validate({**bundle, "entry": shell_entries})


def write_fhir(data: ReportData, out: Path) -> dict[str, int]:
    """Validate, then write the Bundle exactly as validated. Returns resource type -> how many."""
    bundle = build_bundle(data)
    validate_bundle(bundle)
    # compact JSON: a year of observations is written in a tenth of the time indenting takes
    write_atomically(out, (json.dumps(bundle, separators=(",", ":"), ensure_ascii=False) + "\n").encode("utf-8"))
    return dict(Counter(e["resource"]["resourceType"] for e in bundle["entry"]))
