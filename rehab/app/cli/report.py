"""``rehab report``: export one patient's progress as PDF, CSV, FHIR R4B or HTML."""

from __future__ import annotations

import argparse
from pathlib import Path

FORMATS = ("pdf", "csv", "fhir", "html")


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
        help="file to write (for csv: a folder that will hold sessions.csv, reps.csv, ratings.csv)",
    )
    parser.add_argument("--from", dest="start", metavar="DATE", help="first day to include, YYYY-MM-DD")
    parser.add_argument("--to", dest="end", metavar="DATE", help="last day to include, YYYY-MM-DD")
    parser.add_argument("--force", action="store_true", help="overwrite an existing report (for csv: its files)")
    parser.add_argument(
        "--pseudonymize",
        action="store_true",
        help="replace the patient id by a stable pseudonym and leave out times of day and devices",
    )


def run(args: argparse.Namespace) -> int:
    from progress.reports.data import parse_day
    from rehab.app.cli import CommandError

    start = parse_day(args.start, "--from") if args.start else None
    end = parse_day(args.end, "--to") if args.end else None
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
        done = export(store, args.patient, args.format, args.out, wall_clock_iso(), start, end, args.pseudonymize)
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
        for name in ("sessions.csv", "reps.csv", "ratings.csv"):
            check_output(out / name, force)
