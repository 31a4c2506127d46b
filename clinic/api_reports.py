"""A patient's report from the server: ``GET /api/v1/patients/{id}/report`` (PDF, CSV as a zip, FHIR,
HTML) and ``GET /fhir/Patient/{id}/$everything`` (the FHIR R4B Bundle, for a record system).

Users only (physio with access to the patient, clinician, admin); home devices never read reports.
Each report is made by the home's own report code from the rows the homes pushed (``clinic.reports``)
and every one is written to the audit log in the same transaction as the read.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from clinic import auth, db
from clinic.errors import ClinicError, NotFound
from clinic.reports import Rendered, fhir_bundle, render, report_data
from clinic.secrets import pseudonym_secret
from progress.reports.data import ReportError, parse_day

router = APIRouter(tags=["reports"])

Reader = Annotated[auth.Principal, Depends(auth.user("physio", "clinician", "admin"))]
Format = Literal["pdf", "csv", "fhir", "html"]


@router.get(
    "/api/v1/patients/{patient_id}/report",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}, "application/zip": {}, "application/fhir+json": {}}}},
)
def patient_report(
    patient_id: str,
    request: Request,
    who: Reader,
    format: Format = "pdf",  # the documented query parameter
    start: Annotated[str | None, Query(alias="from", description="first day, YYYY-MM-DD")] = None,
    end: Annotated[str | None, Query(alias="to", description="last day, YYYY-MM-DD")] = None,
    pseudonymize: bool = False,
) -> Response:
    """The patient's report for a period, as the home's ``rehab report`` makes it (CSV: one zip)."""
    first, last = _day(start, "from"), _day(end, "to")
    with db.engine_of(request).begin() as conn:
        auth.patient_access(conn, who, patient_id)
        try:
            secret = pseudonym_secret(conn, patient_id) if pseudonymize else None
            data = report_data(conn, patient_id, db.now_iso(conn), first, last, pseudonymize, secret)
        except ReportError as error:  # no sessions (in the period): nothing to report
            raise NotFound(str(error)) from None
        rendered = render(data, format)
        period = f"{data.start} to {data.end}" + (", pseudonymised" if pseudonymize else "")
        auth.audit(conn, who, f"read report {format}", patient_id, period)
    return _download(rendered)


@router.get("/fhir/Patient/{patient_id}/$everything", response_class=Response)
def everything(patient_id: str, request: Request, who: Reader) -> Response:
    """Everything the clinic holds on the patient as one validated FHIR R4B Bundle."""
    with db.engine_of(request).begin() as conn:
        auth.patient_access(conn, who, patient_id)
        try:
            data = report_data(conn, patient_id, db.now_iso(conn))
        except ReportError as error:
            raise NotFound(str(error)) from None
        bundle = fhir_bundle(data)
        auth.audit(conn, who, "read FHIR $everything", patient_id, f"{len(bundle['entry'])} resources")
    body = json.dumps(bundle, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return Response(body, media_type="application/fhir+json")


def _day(text: str | None, what: str) -> date | None:
    if text is None:
        return None
    try:
        return parse_day(text, what)
    except ReportError as error:
        raise ClinicError(str(error)) from None


def _download(rendered: Rendered) -> Response:
    """Sent as a file to save, except HTML and FHIR, which a browser or a client reads as they are."""
    headers = {}
    if rendered.media_type in ("application/pdf", "application/zip"):
        headers["Content-Disposition"] = f'attachment; filename="{rendered.filename}"'
    return Response(rendered.content, media_type=rendered.media_type, headers=headers)
