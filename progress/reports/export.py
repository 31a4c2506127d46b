"""One entry point for the CLI: read the period, write the chosen format, whole or not at all."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from progress.reports.data import ReportData, ReportHeader, load_report
from progress.reports.output import writable_file
from progress.store import Store

FORMATS = ("pdf", "csv", "fhir", "html")


@dataclass(frozen=True)
class Exported:
    data: ReportData
    paths: tuple[Path, ...]
    detail: str


def export(
    store: Store,
    patient_id: str,
    fmt: str,
    out: Path,
    generated_at: str,
    start: date | None = None,
    end: date | None = None,
    pseudonymize: bool = False,
    header: ReportHeader | None = None,
) -> Exported:
    """Write one report. ``generated_at`` is passed in: report logic never reads the clock."""
    if fmt != "csv":
        writable_file(out)  # before any work, so a typo in --out fails fast
    data = load_report(store, patient_id, generated_at, start, end, pseudonymize, header)
    if fmt == "csv":
        from progress.reports.csv_export import write_csv

        paths = write_csv(data, out)
        return Exported(data, tuple(paths), f"{_counts(data)}, {len(data.reps)} reps")
    if fmt == "fhir":
        from progress.reports.fhir import write_fhir

        counts = write_fhir(data, out)
        listed = ", ".join(f"{n} {kind}{'s' if n > 1 else ''}" for kind, n in counts.items())
        return Exported(data, (out,), f"Bundle with {listed}, valid FHIR R4B")
    if fmt == "pdf":
        from progress.reports.pdf import write_pdf

        write_pdf(data, out)
        return Exported(data, (out,), _counts(data))
    if fmt == "html":
        from progress.reports.html import write_html

        write_html(data, out)
        return Exported(data, (out,), _counts(data))
    raise ValueError(f"unknown format {fmt!r}")


def _counts(data: ReportData) -> str:
    """What the period holds, in the units adherence counts: guided sessions, then free play."""
    text = f"{len(data.visits)} guided sessions, {data.adherence.free_play_sessions} free play"
    return text + (f", {len(data.outcomes)} questionnaires" if data.outcomes else "")
