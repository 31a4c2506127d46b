"""What every part of the FHIR Bundle shares: code systems, UCUM quantities, name-based ids."""

from __future__ import annotations

import uuid
from typing import Any

from progress.reports.precision import rounded

UCUM = "http://unitsofmeasure.org"
SNOMED = "http://snomed.info/sct"
LOINC = "http://loinc.org"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
#: local code systems: no standard code fits these (docs/report_formats.md lists every code)
MOVEMENT_SYSTEM = "urn:rehab:codesystem:movement"
RATING_SYSTEM = "urn:rehab:codesystem:rating"
STATUS_SYSTEM = "urn:rehab:codesystem:session-status"
MENTAL_SYSTEM = "urn:rehab:codesystem:mental-measure"
#: the extension that carries a session's status and stop reason (Encounter has no statusReason in R4B)
STATUS_EXTENSION = "urn:rehab:fhir:StructureDefinition:session-status"
PATIENT_SYSTEM = "urn:rehab:patient-id"
PSEUDONYM_SYSTEM = "urn:rehab:pseudonym"
NAMESPACE = uuid.UUID("6f1c1d3e-6b0e-4e0a-9a53-5a0c2f9d7e11")

#: measure kind (precision.py) -> UCUM unit code
UCUM_UNITS: dict[str, str] = {"deg": "deg", "s": "s", "min": "min", "/min": "/min", "score": "{score}"}


def quantity(value: float, kind: str) -> dict[str, Any]:
    """A UCUM quantity rounded to what is measured (``kind`` as in precision.py)."""
    unit = UCUM_UNITS[kind]
    return {"value": rounded(value, kind), "unit": unit, "system": UCUM, "code": unit}


def urn(*parts: object) -> str:
    """A name-based UUID: the same export twice gives the same ids, and no clock or random is read."""
    return "urn:uuid:" + str(uuid.uuid5(NAMESPACE, "/".join(str(p) for p in parts)))


def entry(url: str, resource: dict[str, Any]) -> dict[str, Any]:
    return {"fullUrl": url, "resource": {**resource, "id": url[9:]}}


def category(code: str, display: str) -> list[dict[str, Any]]:
    return [{"coding": [{"system": OBSERVATION_CATEGORY, "code": code, "display": display}]}]


def local_code(system: str, code: str, text: str) -> dict[str, Any]:
    return {"coding": [{"system": system, "code": code, "display": text}], "text": text}


def component(system: str, code: str, text: str, value: dict[str, Any]) -> dict[str, Any]:
    return {"code": {"coding": [{"system": system, "code": code}], "text": text}, **value}
