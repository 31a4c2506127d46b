"""FHIR R4B Bundle (JSON) built and validated with fhir.resources: a Patient and its Observations.

- one Observation per movement per session: the best peak angle as ``valueQuantity`` in UCUM ``deg``,
  mean peak and range of motion and rep counts as components, the AAOS normal range as referenceRange;
- the joint and the side in ``bodySite`` as SNOMED CT: the joint structure, post-coordinated with
  272741003 |Laterality| = 7771000 |Left| or 24028007 |Right| (SNOMED compositional grammar);
- pain 0-10 as LOINC 72514-3.

LOINC has quantitative range-of-motion codes for only a few motions, and none for "peak angle reached
in an exercise game", so movements use a local code system (``MOVEMENT_SYSTEM``); so do SUDS and stress.
A receiving system must map those codes; docs/reports.md says so.

Resource ids and fullUrls are name-based UUIDs from the patient and session, never random, so the
same export twice gives the same file, and no clock is read here.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

from progress.reports.data import ReportData, SessionSummary
from progress.reports.output import write_atomically
from rehab.core.motions import NORMAL_ROM_DEG, split_name

UCUM = "http://unitsofmeasure.org"
SNOMED = "http://snomed.info/sct"
LOINC = "http://loinc.org"
#: local code systems: no standard code fits these (see the module docstring)
MOVEMENT_SYSTEM = "urn:rehab:codesystem:movement"
RATING_SYSTEM = "urn:rehab:codesystem:rating"
PATIENT_SYSTEM = "urn:rehab:patient-id"
PSEUDONYM_SYSTEM = "urn:rehab:pseudonym"
NAMESPACE = uuid.UUID("6f1c1d3e-6b0e-4e0a-9a53-5a0c2f9d7e11")

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


def _deg(value: float) -> dict[str, Any]:
    return {"value": value, "unit": "deg", "system": UCUM, "code": "deg"}


def _urn(*parts: object) -> str:
    return "urn:uuid:" + str(uuid.uuid5(NAMESPACE, "/".join(str(p) for p in parts)))


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


def movement_title(angle_name: str) -> str:
    motion, side = split_name(angle_name)
    words = motion.replace("_", " ").capitalize()
    return f"{words}, {side}" if side else words


def _movement_observation(session: SessionSummary, patient_ref: str) -> dict[str, Any]:
    assert session.best_peak_deg is not None
    motion, _ = split_name(session.movement)
    title = movement_title(session.movement)
    resource: dict[str, Any] = {
        "resourceType": "Observation",
        "status": "final" if session.status == "completed" else "preliminary",
        "category": [
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                        "code": "exam",
                        "display": "Exam",
                    }
                ]
            }
        ],
        "code": {
            "coding": [{"system": MOVEMENT_SYSTEM, "code": session.movement, "display": f"{title}: peak active angle"}],
            "text": f"{title}: peak active angle in a {session.game} session",
        },
        "subject": {"reference": patient_ref},
        "effectiveDateTime": session.started_at,
        "valueQuantity": _deg(session.best_peak_deg),
        "component": _movement_components(session),
    }
    normal = NORMAL_ROM_DEG.get(motion)
    if normal is not None:
        resource["referenceRange"] = [
            {"low": _deg(0.0), "high": _deg(float(normal)), "text": "AAOS normal active range of motion"}
        ]
    site = body_site(session.movement)
    if site:
        resource["bodySite"] = site
    return resource


def _component(code: str, text: str, value: dict[str, Any]) -> dict[str, Any]:
    return {"code": {"coding": [{"system": MOVEMENT_SYSTEM, "code": code}], "text": text}, **value}


def _movement_components(session: SessionSummary) -> list[dict[str, Any]]:
    """Mean peak, best range (when known), repetitions, repetitions at target and the target (when set)."""
    assert session.mean_peak_deg is not None
    components = [_component("mean-peak-angle", "Mean peak angle", {"valueQuantity": _deg(session.mean_peak_deg)})]
    if session.best_rom_deg is not None and session.mean_rom_deg is not None:
        best_rom = {"valueQuantity": _deg(session.best_rom_deg)}
        components.append(_component("best-rom", "Best range of motion (peak - start)", best_rom))
    components += [
        _component("reps", "Repetitions", {"valueInteger": session.reps}),
        _component("reps-at-target", "Repetitions at target", {"valueInteger": session.successes}),
    ]
    if session.target_deg is not None:
        components.append(_component("target-angle", "Target angle", {"valueQuantity": _deg(session.target_deg)}))
    return components


def _rating_observation(kind: str, value: float, at: str, patient_ref: str) -> dict[str, Any]:
    if kind == "pain":
        code = {
            "coding": [
                {
                    "system": LOINC,
                    "code": "72514-3",
                    "display": "Pain severity - 0-10 verbal numeric rating [Score] - Reported",
                }
            ],
            "text": "Pain (0-10)",
        }
    else:
        text = {"suds": "Subjective units of distress (0-100)", "stress": "Stress (0-10)"}[kind]
        code = {"coding": [{"system": RATING_SYSTEM, "code": kind, "display": text}], "text": text}
    return {
        "resourceType": "Observation",
        "status": "final",
        "category": [
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                        "code": "survey",
                        "display": "Survey",
                    }
                ]
            }
        ],
        "code": code,
        "subject": {"reference": patient_ref},
        "effectiveDateTime": at,
        "valueQuantity": {"value": value, "unit": "{score}", "system": UCUM, "code": "{score}"},
    }


def build_bundle(data: ReportData) -> dict[str, Any]:
    """The Bundle as plain JSON-able data (validated by ``validate_bundle`` before it is written)."""
    patient_url = _urn(data.patient, "patient")
    system = PSEUDONYM_SYSTEM if data.pseudonymized else PATIENT_SYSTEM
    entries: list[dict[str, Any]] = [
        {
            "fullUrl": patient_url,
            "resource": {
                "resourceType": "Patient",
                "id": patient_url[9:],
                "identifier": [{"system": system, "value": data.patient}],
            },
        }
    ]
    for session in data.sessions:
        if session.kind != "physical" or not session.reps or session.best_peak_deg is None:
            continue
        url = _urn(data.patient, "session", session.session_id, session.movement)
        resource = _movement_observation(session, patient_url)
        resource["id"] = url[9:]
        entries.append({"fullUrl": url, "resource": resource})
    for index, rating in enumerate(data.ratings):
        url = _urn(data.patient, "rating", rating.at, rating.kind, index)
        resource = _rating_observation(rating.kind, rating.value, rating.at, patient_url)
        resource["id"] = url[9:]
        entries.append({"fullUrl": url, "resource": resource})
    return {
        "resourceType": "Bundle",
        "id": _urn(data.patient, "bundle", data.start, data.end)[9:],
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
    from fhir.resources.R4B.observation import Observation
    from fhir.resources.R4B.patient import Patient

    models: dict[str, Any] = {"Patient": Patient, "Observation": Observation}
    shell_entries = []
    for entry in bundle.get("entry", []):
        resource = entry["resource"]
        models[resource["resourceType"]].model_validate(resource)
        shell_entries.append({k: v for k, v in entry.items() if k != "resource"})
    Bundle.model_validate({**bundle, "entry": shell_entries})


def write_fhir(data: ReportData, out: Path) -> int:
    """Validate, then write the Bundle exactly as validated. Returns the number of Observations."""
    bundle = build_bundle(data)
    validate_bundle(bundle)
    # compact JSON: a year of observations is written in a tenth of the time indenting takes
    write_atomically(out, (json.dumps(bundle, separators=(",", ":"), ensure_ascii=False) + "\n").encode("utf-8"))
    return len(bundle["entry"]) - 1
