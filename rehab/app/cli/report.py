"""``rehab report``: export one patient's progress as PDF, CSV, FHIR R4B or HTML."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from progress.reports.data import ReportHeader

FORMATS = ("pdf", "csv", "fhir", "html")
SIDES = ("left", "right", "both")
#: the files a CSV report writes (progress.reports.csv_export.CSV_FILES, kept here so that --help
#: does not import the report code); a test checks the two agree
CSV_FILES = ("sessions.csv", "reps.csv", "ratings.csv", "visits.csv", "mental.csv", "outcomes.csv", "adherence.csv")
#: longest header text accepted: a name or a diagnosis, not a letter
MAX_HEADER_TEXT = 200


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("patient", help="patient id (as in 'rehab patients list')")
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default="pdf",
        help="pdf for clinicians, csv for analysis (a folder of tidy files), fhir for the record "
        "system (R4B Bundle JSON), html for a browser (default pdf)",
    )
    parser.add_argument(
        "--out",
        metavar="PATH",
        type=Path,
        required=True,
        help="file to write (for csv: a folder that will hold sessions.csv, reps.csv, ratings.csv, visits.csv, "
        "mental.csv, outcomes.csv and adherence.csv)",
    )
    parser.add_argument("--from", dest="start", metavar="DATE", help="first day to include, YYYY-MM-DD")
    parser.add_argument("--to", dest="end", metavar="DATE", help="last day to include, YYYY-MM-DD")
    parser.add_argument("--force", action="store_true", help="overwrite an existing report (for csv: its files)")
    parser.add_argument(
        "--pseudonymize",
        action="store_true",
        help="replace the patient id by a stable pseudonym, move every date by the patient's secret number of "
        "weeks (intervals and weekdays kept), and leave out times of day, devices, clinic and clinician",
    )
    header = parser.add_argument_group("report header (all optional)")
    header.add_argument("--clinic", metavar="NAME", help="clinic name shown on the report")
    header.add_argument("--clinician", metavar="NAME", help="clinician shown on the report")
    header.add_argument("--diagnosis", metavar="TEXT", help="diagnosis, in the clinician's words")
    header.add_argument("--operated-side", metavar="SIDE", help="the operated side: left, right or both")
    header.add_argument("--surgery-date", metavar="DATE", help="date of surgery, YYYY-MM-DD")


def run(args: argparse.Namespace) -> int:
    from progress.reports.data import parse_day
    from rehab.app.cli import CommandError

    start = parse_day(args.start, "--from") if args.start else None
    end = parse_day(args.end, "--to") if args.end else None
    header = _header(args)
    _check_outputs(args.out, args.format, args.force)

    from progress.reports.export import export
    from progress.store import DB_FILENAME, Store
    from rehab.app.demo import wall_clock_iso
    from rehab.app.home import data_home

    path = data_home(args.home) / DB_FILENAME
    if not path.exists():
        raise CommandError(f"no progress database at {path}: nothing to report (run 'rehab demo' to make one)")
    store = Store.open(path)
    try:
        done = export(
            store, args.patient, args.format, args.out, wall_clock_iso(), start, end, args.pseudonymize, header
        )
    finally:
        store.close()
    data = done.data
    print(f"{args.format.upper()} report for {data.patient}, {data.start} to {data.end}: {done.detail}")
    for written in done.paths:
        print(f"  {written}")
    return 0


def _check_outputs(out: Path, fmt: str, force: bool) -> None:
    """No report replaces an earlier one without --force; a device or a pipe is never written."""
    from rehab.core.private_files import check_output

    if fmt != "csv":
        check_output(out, force)
    elif out.is_dir():
        for name in CSV_FILES:
            check_output(out / name, force)


def _header(args: argparse.Namespace) -> ReportHeader:
    """The optional header fields, checked: one plain line for a bad value."""
    from progress.reports.data import ReportError, ReportHeader, parse_day

    texts = {}
    for option in ("clinic", "clinician", "diagnosis"):
        value = getattr(args, option)
        if value is not None:
            value = " ".join(value.split())
            if not value or len(value) > MAX_HEADER_TEXT or not value.isprintable():
                raise ReportError(f"--{option} must be printable text of 1 to {MAX_HEADER_TEXT} characters on one line")
        texts[option] = value
    surgery = parse_day(args.surgery_date, "--surgery-date") if args.surgery_date else None
    if args.operated_side is not None and args.operated_side not in SIDES:
        raise ReportError(f"--operated-side {args.operated_side!r} is not a side; give left, right or both")
    return ReportHeader(surgery_date=surgery, operated_side=args.operated_side, **texts)
