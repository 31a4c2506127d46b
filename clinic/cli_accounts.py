"""``rehab clinic user|patient|pair``: accounts, patients and pairing codes, straight on the
database (no server needed), audited as ``cli:<os user>``."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from clinic.config import add_db_argument

ROLES = ("physio", "clinician", "admin")


def add_commands(actions: Any) -> None:
    """Adds ``user``, ``patient`` and ``pair`` to the ``rehab clinic`` sub-commands."""
    users = actions.add_parser("user", help="add, list and disable clinic accounts", description="Clinic accounts.")
    user_actions = users.add_subparsers(dest="user_action", metavar="ACTION", required=True)
    add = user_actions.add_parser("add", help="add an account", description="Add an account (password asked twice).")
    add.add_argument("email", metavar="EMAIL", help="the login name")
    add.add_argument("--role", required=True, choices=ROLES, help="physio: own patients; clinician: reads; admin: all")
    add.add_argument("--team", help="team name: physios of one team share their patients")
    add.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin")
    listing = user_actions.add_parser("list", help="list accounts", description="List accounts.")
    off = user_actions.add_parser("disable", help="lock an account out", description="Disable an account.")
    off.add_argument("email", metavar="EMAIL", help="the account to lock out (its tokens stop working)")
    for sub, run in ((add, _user_add), (listing, _user_list), (off, _user_disable)):
        add_db_argument(sub)
        sub.set_defaults(clinic_run=run)
    _add_patient_commands(actions)


def _add_patient_commands(actions: Any) -> None:
    patients = actions.add_parser("patient", help="add and list the clinic's patients", description="Patients.")
    patient_actions = patients.add_subparsers(dest="patient_action", metavar="ACTION", required=True)
    add = patient_actions.add_parser("add", help="add a patient", description="Add a patient under a physio.")
    add.add_argument("patient", metavar="ID", help="pseudonymous id, e.g. P-0042 (1-40 letters, digits, '.', '_', '-')")
    add.add_argument("--physio", required=True, metavar="EMAIL", help="the physio account responsible")
    listing = patient_actions.add_parser("list", help="list patients", description="List patients.")
    pair = actions.add_parser(
        "pair",
        help="print a one-time pairing code for a patient's home",
        description="Print a pairing code (single use, 24 hours) to give to the patient for 'rehab link URL CODE'.",
    )
    pair.add_argument("patient", metavar="ID", help="the patient's id")
    for sub, run in ((add, _patient_add), (listing, _patient_list), (pair, _pair)):
        add_db_argument(sub)
        sub.set_defaults(clinic_run=run)


def _engine(args: argparse.Namespace) -> Any:
    from clinic.config import config_from_args
    from clinic.db import open_database

    return open_database(config_from_args(args))


def read_password(from_stdin: bool) -> str:
    """The new password: the first line of stdin, or typed twice without echo."""
    from getpass import getpass

    from clinic.accounts import check_password
    from clinic.errors import ClinicError

    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass("password: ")
        if getpass("again: ") != password:
            raise ClinicError("the two passwords differ; nothing was changed")
    check_password(password)
    return password


def _user_add(args: argparse.Namespace) -> int:
    from clinic.accounts import add_user, check_role, normalise_email
    from clinic.auth import audit, cli_principal

    normalise_email(args.email)
    check_role(args.role)  # both before asking for a password that would then be refused
    password = read_password(args.password_stdin)
    with _engine(args).begin() as conn:
        made = add_user(conn, args.email, args.role, password, args.team)
        audit(conn, cli_principal(), "add user", None, f"{made.email} as {made.role}")
    team = f" in team {made.team}" if made.team else ""
    print(f"{made.email} can log in as {made.role}{team}")
    return 0


def _user_list(args: argparse.Namespace) -> int:
    from clinic.accounts import list_users

    with _engine(args).begin() as conn:
        found = list_users(conn)
    if not found:
        print("no accounts yet: add one with 'rehab clinic user add EMAIL --role admin'")
    for user in found:
        state = "\tdisabled" if user.disabled else ""
        print(f"{user.email}\t{user.role}\t{user.team or '-'}\tsince {user.created_at}{state}")
    return 0


def _user_disable(args: argparse.Namespace) -> int:
    from clinic.accounts import disable
    from clinic.auth import audit, cli_principal

    with _engine(args).begin() as conn:
        done = disable(conn, args.email)
        audit(conn, cli_principal(), "disable user", None, done.email)
    print(f"{done.email} is disabled: it cannot log in and its tokens no longer work")
    return 0


def _patient_add(args: argparse.Namespace) -> int:
    from clinic.auth import cli_principal
    from clinic.patients import add_patient

    with _engine(args).begin() as conn:
        made = add_patient(conn, cli_principal(), args.patient, args.physio)
    print(f"patient {made.id} is registered with {made.physio}; pair a home with 'rehab clinic pair {made.id}'")
    return 0


def _patient_list(args: argparse.Namespace) -> int:
    from clinic.auth import cli_principal
    from clinic.patients import visible_patients

    with _engine(args).begin() as conn:
        found = visible_patients(conn, cli_principal())
    if not found:
        print("no patients yet: add one with 'rehab clinic patient add ID --physio EMAIL'")
    for patient in found:
        synced = f"last sync {patient.last_sync}" if patient.last_sync else "never synced"
        print(f"{patient.id}\t{patient.physio}\t{patient.team or '-'}\t{patient.devices} device(s)\t{synced}")
    return 0


def _pair(args: argparse.Namespace) -> int:
    from clinic.auth import cli_principal
    from clinic.pairing import new_code

    with _engine(args).begin() as conn:
        made = new_code(conn, cli_principal(), args.patient)
    print(f"pairing code for {made.patient_id}: {made.code}")
    print(f"single use, valid until {made.expires_at}; at home: rehab link URL {made.code}")
    return 0
