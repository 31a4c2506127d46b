"""A patient's report made on the server from the rows the homes pushed: the home's own report code
(``progress.reports``) run on a store rebuilt from those rows (``patient_store``), rendered in memory
so the API can send it and the command line can write it."""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa

from clinic.patient_store import materialize
from progress.reports.data import ReportData, ReportError, load_report

FORMATS = ("pdf", "csv", "fhir", "html")
MEDIA_TYPES = {
    "pdf": "application/pdf",
    "csv": "application/zip",
    "fhir": "application/fhir+json",
    "html": "text/html; charset=utf-8",
}
SUFFIXES = {"pdf": ".pdf", "csv": ".zip", "fhir": ".json", "html": ".html"}


@dataclass(frozen=True)
class Rendered:
    """One report, whole, in memory: its bytes and what to call them."""

    content: bytes
    media_type: str
    filename: str
    data: ReportData


def report_data(
    conn: sa.Connection,
    patient_id: str,
    generated_at: str,
    start: date | None = None,
    end: date | None = None,
    pseudonymize: bool = False,
    secret: bytes | None = None,
) -> ReportData:
    """The report's numbers, exactly as the home computes them from the same rows.

    ``secret`` keys the pseudonym and the date shift; without one, a pseudonymised report would get
    a new pseudonym every time, so pseudonymising requires it."""
    if pseudonymize and secret is None:
        raise ReportError("a pseudonymised report needs the clinic's pseudonym secret")
    store = materialize(conn, patient_id, secret)
    try:
        return load_report(store, patient_id, generated_at, start, end, pseudonymize)
    finally:
        store.close()


def render(data: ReportData, fmt: str) -> Rendered:
    """The report in one format; FHIR is validated against R4B before it is returned."""
    stem = f"{data.patient}-{data.start}-{data.end}"
    if fmt not in FORMATS:
        raise ReportError(f"unknown report format {fmt!r}; use one of {', '.join(FORMATS)}")
    if fmt == "pdf":
        from progress.reports.pdf import render_pdf

        content = render_pdf(data)
    elif fmt == "html":
        from progress.reports.html import render_html

        content = render_html(data).encode("utf-8")
    elif fmt == "fhir":
        content = (json.dumps(fhir_bundle(data), separators=(",", ":"), ensure_ascii=False) + "\n").encode("utf-8")
    else:
        content = _zip_csv(data, stem)
    return Rendered(content, MEDIA_TYPES[fmt], stem + SUFFIXES[fmt], data)


def fhir_bundle(data: ReportData) -> dict[str, Any]:
    """The FHIR R4B Bundle the home's ``rehab report --format fhir`` writes, validated."""
    from progress.reports.fhir import build_bundle, validate_bundle

    bundle = build_bundle(data)
    validate_bundle(bundle)
    return bundle


def _zip_csv(data: ReportData, stem: str) -> bytes:
    """The CSV report's files in one zip (one download), in a folder named after the report."""
    from progress.reports.csv_export import csv_files

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in csv_files(data).items():
            # a fixed date: the same report zips to the same bytes
            info = zipfile.ZipInfo(f"{stem}/{name}", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, content)
    return buffer.getvalue()
