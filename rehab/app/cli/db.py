"""``rehab db``: check the progress database and back it up while it is in use."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    actions.add_parser(
        "check",
        help="check the database file for damage (SQLite integrity and foreign keys)",
        description="Check the database for damage; exit 1 if any is found.",
    )
    backup = actions.add_parser(
        "backup",
        help="copy the database to OUT safely, even while a game is running",
        description="Copy the database with SQLite's online backup.",
    )
    backup.add_argument("out", type=Path, metavar="OUT", help="file to write (readable by you only)")
    backup.add_argument("--force", action="store_true", help="overwrite OUT if it exists")


def run(args: argparse.Namespace) -> int:
    from progress.store import DB_FILENAME, SCHEMA_VERSION, Store
    from rehab.app.cli import CommandError
    from rehab.app.home import data_home

    path = data_home(args.home) / DB_FILENAME
    if not path.exists():
        raise CommandError(f"no progress database at {path} (it is created by 'rehab demo' or the first session)")
    if args.action == "backup":
        from rehab.core.private_files import check_output

        out: Path = args.out
        check_output(out, args.force)  # an existing file needs --force; a device or a pipe is never replaced
        if not out.parent.is_dir():
            raise CommandError(f"folder {out.parent} does not exist")
        if out.resolve() == path.resolve():
            raise CommandError("OUT is the database itself; choose another file")
    store = Store.open(path)
    try:
        if args.action == "check":
            problems = store.integrity_problems()
            for problem in problems:
                print(f"problem: {problem}")
            if problems:
                print(f"{path}: {len(problems)} problem(s) found; restore from a backup ('rehab db backup')")
                return 1
            counts = store.counts()
            sessions, reps = counts["sessions"], counts["reps"]
            print(f"{path}: ok (schema {SCHEMA_VERSION}, {sessions} sessions, {reps} reps)")
            return 0
        try:
            store.backup(args.out)
        except OSError as error:
            raise CommandError(f"cannot write {args.out}: {error.strerror or error}") from error
        print(f"backed up {path} to {args.out}")
        return 0
    finally:
        store.close()
