"""``rehab clinic plan assign``, ``rehab clinic message`` and ``rehab clinic sessions``: the same work
as the API's plans, messages and sessions endpoints, done on the server's own database.

Whoever can run these can open the database file (or holds its URL), so there is no account to
check: the command line acts as an admin would, and the audit log names the operating system user
("cli:<user>").
"""

from __future__ import annotations

import argparse
from pathlib import Path


def add_commands(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``plan``, ``message`` and ``sessions`` to the ``rehab clinic`` group."""
    from clinic.config import add_db_argument

    plan = subparsers.add_parser(
        "plan",
        help="assign a plan file to a patient on the server",
        description="Plans on the clinic server; the home takes a new version at its next sync.",
    )
    actions = plan.add_subparsers(dest="plan_action", metavar="ACTION", required=True)
    assign = actions.add_parser(
        "assign",
        help="store a plan file as the patient's next plan version",
        description="Check a plan file as 'rehab plan validate' does and store it as the patient's next version; "
        "nothing is stored when anything in it is wrong.",
    )
    assign.add_argument("file", type=Path, help="plan file (TOML)")
    assign.add_argument("--patient", required=True, metavar="ID", help="pseudonymous patient id")
    assign.add_argument("--reason", default="", help="why (kept with the version; shown at home)")
    add_db_argument(assign)
    assign.set_defaults(clinic_run=run_assign)
    message = subparsers.add_parser(
        "message",
        help="leave a message for a patient (shown at home after the next sync)",
        description="Leave a message (1-500 characters) for a patient; the home shows it after its next sync.",
    )
    message.add_argument("patient", metavar="ID", help="pseudonymous patient id")
    message.add_argument("text", help="the message (quote it)")
    add_db_argument(message)
    message.set_defaults(clinic_run=run_message)
    sessions = subparsers.add_parser(
        "sessions",
        help="list a patient's sessions synced from home",
        description="A patient's sessions synced from home, one a line: date, game, movement, status, reps, best peak.",
    )
    sessions.add_argument("patient", metavar="ID", help="pseudonymous patient id")
    add_db_argument(sessions)
    sessions.set_defaults(clinic_run=run_sessions)


def _read_plan_file(path: Path) -> str:
    from rehab.app.plans import PlanError, Problem
    from rehab.core.errors import NotFoundError

    if not path.is_file():
        raise NotFoundError(f"no plan file {path}")
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise PlanError(path.name, [Problem(None, "file", "is not UTF-8 text", "a UTF-8 TOML file")]) from error


def run_assign(args: argparse.Namespace) -> int:
    from clinic import auth, db, plans
    from clinic.config import config_from_args
    from rehab.app.plans import PlanError
    from rehab.core.errors import PlanError as UserPlanError

    text = _read_plan_file(args.file)
    who = auth.cli_principal()
    engine = db.open_database(config_from_args(args))
    try:
        with engine.begin() as conn:
            auth.patient_access(conn, who, args.patient, write=True)
            try:
                plan = plans.check_plan(text, args.patient, args.file.name)
            except PlanError as error:
                raise UserPlanError(f"the plan is not valid; nothing was stored.\n{error}") from error
            now = db.now_iso(conn)
            reason = args.reason.strip() or f"assigned from {args.file.name}"
            version = plans.assign_plan(conn, args.patient, plan, reason, who.name, now, now[:10])
            auth.audit(conn, who, f"assign plan v{version.version}", args.patient, reason)
    finally:
        engine.dispose()
    print(
        f"plan version {version.version} assigned to {args.patient}: {plan.title} (the home takes it at its next sync)"
    )
    return 0


def run_message(args: argparse.Namespace) -> int:
    from clinic import auth, db, plans
    from clinic.config import config_from_args
    from rehab.core.errors import UsageError

    try:
        text = plans.check_message(args.text)
    except ValueError as error:
        raise UsageError(str(error)) from error
    who = auth.cli_principal()
    engine = db.open_database(config_from_args(args))
    try:
        with engine.begin() as conn:
            auth.patient_access(conn, who, args.patient, write=True)
            message = plans.add_message(conn, args.patient, who.user_id, text, db.now_iso(conn))
            auth.audit(conn, who, "send message", args.patient, f"message {message.id}")
    finally:
        engine.dispose()
    print(f"message {message.id} for {args.patient} stored; the home shows it after its next sync")
    return 0


def run_sessions(args: argparse.Namespace) -> int:
    from clinic import auth, db, plans
    from clinic.config import config_from_args

    who = auth.cli_principal()
    engine = db.open_database(config_from_args(args))
    try:
        with engine.begin() as conn:
            auth.patient_access(conn, who, args.patient)
            found = plans.session_summaries(conn, args.patient)
            auth.audit(conn, who, "read sessions", args.patient)
    finally:
        engine.dispose()
    if not found:
        print(f"{args.patient}: no sessions synced yet")
    for line in plans.summary_lines(found):
        print(line)
    return 0
