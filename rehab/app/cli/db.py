"""``rehab db``: check the progress database, back it up while it is in use, repair an interrupted upgrade."""

from __future__ import annotations

import argparse
from datetime import datetime, timezone
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    actions.add_parser(
        "check",
        help="check the database for damage and impossible values",
        description=(
            "Check the database: SQLite integrity and foreign keys, values outside physical ranges "
            "(angles, pain, SUDS, durations, NaN) and sessions stuck in progress. One line per "
            "problem; exit 1 if any is found."
        ),
    )
    backup = actions.add_parser(
        "backup",
        help="copy the database to OUT safely, even while a game is running",
        description="Copy the database with SQLite's online backup, as it is (nothing is upgraded).",
    )
    backup.add_argument("out", type=Path, metavar="OUT", help="file to write (readable by you only)")
    backup.add_argument("--force", action="store_true", help="overwrite OUT if it exists")
    actions.add_parser(
        "repair",
        help="rebuild a database left half-upgraded by an interrupted upgrade, keeping every row",
        description=(
            "Rebuild a database an interrupted upgrade left unusable, keeping every row; the old file "
            "is kept next to it as rehab.sqlite3.before-repair-TIME. An empty (0-byte) file is removed."
        ),
    )


def run(args: argparse.Namespace) -> int:
    from progress.store import DB_FILENAME
    from rehab.app.cli import CommandError
    from rehab.app.home import data_home

    path = data_home(args.home) / DB_FILENAME
    if not path.exists():
        raise CommandError(f"no progress database at {path} (it is created by 'rehab demo' or the first session)")
    now = datetime.now(timezone.utc)
    if args.action == "check":
        return _check(path, now)
    if args.action == "repair":
        return _repair(path, now)
    return _backup(path, args.out, args.force)


def _check(path: Path, now: datetime) -> int:
    from progress.store import SCHEMA_VERSION, Store, StoreError
    from progress.store.checks import row_findings

    try:
        store = Store.open(path)
    except StoreError as error:
        print(f"problem: {error}")
        print(f"{path}: 1 problem(s) found")
        return 1
    try:
        problems = store.integrity_problems() + row_findings(store.db.conn, now)
        counts = store.counts()
    finally:
        store.close()
    for problem in problems:
        print(f"problem: {problem}")
    if problems:
        print(f"{path}: {len(problems)} problem(s) found; restore from a backup ('rehab db backup') or correct them")
        return 1
    print(f"{path}: ok (schema {SCHEMA_VERSION}, {counts['sessions']} sessions, {counts['reps']} reps)")
    return 0


def _backup(path: Path, out: Path, force: bool) -> int:
    """A copy of the file as it is, even one this rehab cannot open (newer, half-upgraded)."""
    from progress.store.connection import backup_to, read_only
    from rehab.app.cli import CommandError
    from rehab.core.private_files import check_output

    check_output(out, force)  # an existing file needs --force; a device or a pipe is never replaced
    if not out.parent.is_dir():
        raise CommandError(f"folder {out.parent} does not exist")
    if out.resolve() == path.resolve():
        raise CommandError("OUT is the database itself; choose another file")
    source = read_only(path)
    try:
        backup_to(source, out)
    except OSError as error:
        raise CommandError(f"cannot write {out}: {error.strerror or error}") from error
    finally:
        source.close()
    print(f"backed up {path} to {out}")
    return 0


def _repair(path: Path, now: datetime) -> int:
    from progress.store.repair import repair

    result = repair(path, now.strftime("%Y%m%dT%H%M%SZ"))
    if result.action == "nothing":
        print(f"{path}: opens as it is; nothing to repair ('rehab db check' looks for damage)")
    elif result.action == "removed-empty":
        print(f"{path}: removed an empty (0-byte) file; the next session creates a new database")
    else:
        rows = ", ".join(f"{table} {n}" for table, n in result.rows_after.items())
        print(f"{path}: rebuilt, every row kept ({rows}); the old file is kept as {result.kept_as}")
        if result.left_out:
            print(f"tables unknown to this rehab, kept only in {result.kept_as}: {', '.join(result.left_out)}")
    return 0
