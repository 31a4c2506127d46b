"""``rehab patients``: add and list patients. Ids are pseudonyms: never a name or a birth date."""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = actions.add_parser("add", help="add a patient by pseudonymous id", description="Add a patient.")
    add.add_argument(
        "patient", metavar="ID", help="pseudonymous id: 1-40 letters, digits, '.', '_' or '-' (e.g. P-0042)"
    )
    actions.add_parser("list", help="list patients with their session counts", description="List patients.")


def run(args: argparse.Namespace) -> int:
    from progress.store import DB_FILENAME, Store
    from rehab.app.demo import wall_clock_iso
    from rehab.app.home import prepared_home

    store = Store.open(prepared_home(args.home) / DB_FILENAME)
    try:
        if args.action == "add":  # the id was checked by ``rehab.app.cli.main``, like every command's
            store.ensure_patient(args.patient, wall_clock_iso())
            print(f"patient {args.patient} is registered")
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
