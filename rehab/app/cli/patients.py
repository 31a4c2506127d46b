"""``rehab patients``: add and list patients. Ids are pseudonyms: never a name or a birth date."""

from __future__ import annotations

import argparse
import re

PATIENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = actions.add_parser("add", help="add a patient by pseudonymous id", description="Add a patient.")
    add.add_argument("id", help="pseudonymous id: letters, digits, '.', '_' or '-' (e.g. P-0042)")
    actions.add_parser("list", help="list patients with their session counts", description="List patients.")


def run(args: argparse.Namespace) -> int:
    from progress.store import DB_FILENAME, Store
    from rehab.app.cli import CommandError
    from rehab.app.demo import wall_clock_iso
    from rehab.app.home import data_home

    store = Store.open(data_home(args.home) / DB_FILENAME)
    try:
        if args.action == "add":
            if not PATIENT_ID.match(args.id):
                raise CommandError(
                    f"patient id {args.id!r} is not allowed: use 1-64 letters, digits, '.', '_' or '-', "
                    "starting with a letter or digit"
                )
            store.ensure_patient(args.id, wall_clock_iso())
            print(f"patient {args.id} is registered")
            return 0
        patients = store.patients()
        if not patients:
            print("no patients yet: add one with 'rehab patients add ID', or run 'rehab demo'")
        for patient in patients:
            count = store.session_count(patient.id)
            print(f"{patient.id}\t{count} session{'s' if count != 1 else ''}\tsince {patient.created_at}")
        return 0
    finally:
        store.close()
