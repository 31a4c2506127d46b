"""``rehab clinic report ID --format pdf|csv|fhir|html --out PATH``: a patient's report made on the
server's own database, by the same report code as ``rehab report`` at home.

Like the other ``rehab clinic`` commands it acts as an admin would (whoever runs it can open the
database) and the audit log names the operating system user. CSV is written as a folder of files,
as at home (the API sends the same files zipped).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from progress.reports.data import ReportData

FORMATS = ("pdf", "csv", "fhir", "html")


def add_commands(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``report`` to the ``rehab clinic`` group."""
    from clinic.config import add_db_argument

    report = subparsers.add_parser(
        "report",
        help="write a patient's report from the rows their homes synced",
        description="Write one patient's report (PDF, CSV folder, FHIR R4B Bundle or HTML) from the rows their "
        "homes synced, with the same code as 'rehab report' at home.",
    )
    report.add_argument("patient", metavar="ID", help="pseudonymous patient id")
    report.add_argument("--format", choices=FORMATS, default="pdf", help="report format (default pdf)")
    report.add_argument(
        "--out", metavar="PATH", type=Path, required=True, help="file to write (for csv: a folder to hold the files)"
    )
    report.add_argument("--from", dest="start", metavar="DATE", help="first day to include, YYYY-MM-DD")
    report.add_argument("--to", dest="end", metavar="DATE", help="last day to include, YYYY-MM-DD")
    report.add_argument("--force", action="store_true", help="overwrite an existing report (for csv: its files)")
    report.add_argument(
        "--pseudonymize",
        action="store_true",
        help="a stable pseudonym for the id, every date moved by the patient's secret shift, no times of day",
    )
    add_db_argument(report)
    report.set_defaults(clinic_run=run_report)


def run_report(args: argparse.Namespace) -> int:
    from clinic import auth, db
    from clinic.config import config_from_args
    from clinic.reports import report_data
    from clinic.secrets import pseudonym_secret
    from progress.reports.data import parse_day

    start = parse_day(args.start, "--from") if args.start else None
    end = parse_day(args.end, "--to") if args.end else None
    _check_outputs(args.out, args.format, args.force)
    who = auth.cli_principal()
    engine = db.open_database(config_from_args(args))
    try:
        with engine.begin() as conn:
            auth.patient_access(conn, who, args.patient)
            secret = pseudonym_secret(conn, args.patient) if args.pseudonymize else None
            data = report_data(conn, args.patient, db.now_iso(conn), start, end, args.pseudonymize, secret)
            paths = _write(data, args.format, args.out)
            period = f"{data.start} to {data.end}" + (", pseudonymised" if args.pseudonymize else "")
            auth.audit(conn, who, f"read report {args.format}", args.patient, period)
    finally:
        engine.dispose()
    print(f"{args.format.upper()} report for {data.patient}, {data.start} to {data.end}")
    for path in paths:
        print(f"  {path}")
    return 0


def _check_outputs(out: Path, fmt: str, force: bool) -> None:
    """As at home: no report replaces an earlier one without --force; a device or a pipe is never written."""
    from progress.reports.csv_export import CSV_FILES
    from rehab.core.private_files import check_output

    if fmt != "csv":
        check_output(out, force)
    elif out.is_dir():
        for name in CSV_FILES:
            check_output(out / name, force)


def _write(data: ReportData, fmt: str, out: Path) -> list[Path]:
    """Writes with the home's writers (owner-only files, whole or not at all)."""
    if fmt == "csv":
        from progress.reports.csv_export import write_csv

        return write_csv(data, out)
    from clinic.reports import render
    from progress.reports.output import writable_file, write_atomically

    writable_file(out)
    write_atomically(out, render(data, fmt).content)
    return [out]
