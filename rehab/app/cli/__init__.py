"""The ``rehab`` command line: a thin layer over the library.

Each command group lives in its own module under ``rehab.app.cli`` with ``add_arguments(parser)`` and
``run(args) -> int``. Those modules import only the standard library at module level, so
``rehab --help`` stays fast; heavy libraries (numpy, pygame, mediapipe, cv2) load inside ``run``.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from rehab.core.errors import RehabError, UsageError
from rehab.core.version import __version__

#: command -> (module, one-line help). Order is the order shown in ``rehab --help``.
COMMANDS: dict[str, tuple[str, str]] = {
    "home": ("rehab.app.cli.home", "the patient's home screen (what 'rehab' alone opens when there is a display)"),
    "install-shortcut": ("rehab.app.cli.shortcut", "add a desktop shortcut that opens the home screen"),
    "demo": ("rehab.app.cli.demo", "play a built-in recorded session end to end (no camera needed)"),
    "play": ("rehab.app.cli.play", "play one game with webcam, serial, keyboard or simulated input"),
    "games": ("rehab.app.cli.games", "list the games with their movements and inputs"),
    "track": ("rehab.app.cli.track", "track a body from a webcam or video and write joint angles"),
    "cameras": ("rehab.app.cli.cameras", "calibrate one or two cameras with a printed board (for two-camera tracking)"),
    "devices": ("rehab.app.cli.devices", "list, simulate and record serial IMUs and headsets"),
    "plan": ("rehab.app.cli.plan", "write, validate and assign exercise plans"),
    "session": ("rehab.app.cli.session", "run today's guided session from the patient's plan"),
    "patients": ("rehab.app.cli.patients", "add and list patients (pseudonymous ids)"),
    "outcomes": ("rehab.app.cli.outcomes", "answer and review outcome questionnaires (PROMs)"),
    "report": ("rehab.app.cli.report", "export progress reports as PDF, CSV, FHIR or HTML"),
    "db": ("rehab.app.cli.db", "check and back up the progress database"),
    "link": ("rehab.app.cli.link", "link this home to its clinic server with a one-time pairing code"),
    "unlink": ("rehab.app.cli.unlink", "forget this home's link to its clinic (sessions stay here)"),
    "sync": ("rehab.app.cli.sync", "send sessions to the clinic and fetch new plans and messages"),
    "clinic": ("clinic.cli", "run and manage a clinic server (on the clinic's machine)"),
}


class CommandError(UsageError):
    """A problem with what the user asked a command to do; printed as one line, exit status 2."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rehab",
        description="Rehabilitation games driven by your body: webcam pose, serial IMUs, EEG.",
        epilog="Run 'rehab COMMAND --help' for the options of one command.",
    )
    parser.add_argument("--version", action="version", version=f"rehab {__version__}")
    parser.add_argument(
        "--home",
        metavar="DIR",
        help="folder for all patient data (default: $REHAB_HOME, else the platform's user data dir)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")
    for name, (module_name, help_text) in COMMANDS.items():
        module = importlib.import_module(module_name)
        sub = commands.add_parser(name, help=help_text, description=help_text[0].upper() + help_text[1:] + ".")
        module.add_arguments(sub)
        sub.set_defaults(_run=module.run, _command=name)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command. Errors the user can fix end it with one line on stderr, never a traceback."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        from rehab.engine.display import has_screen

        if not has_screen():
            parser.print_help()
            return 0
        # a patient's shortcut runs 'rehab' alone: open the home screen, as 'rehab home' does
        args = parser.parse_args([*(sys.argv[1:] if argv is None else argv), "home"])
    try:
        _check_patient_id(args)
        return int(args._run(args))
    except RehabError as error:
        return _fail(args._command, str(error), error.exit_code)
    except KeyboardInterrupt:
        print("\nrehab: stopped.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader went away (e.g. `rehab ... | head`): not an error worth a traceback
        sys.stderr.close()
        return 141
    except OSError as error:
        if error.errno is None:  # not the system refusing a file or device: a bug, keep its traceback
            raise
        return _fail(args._command, describe_os_error(error), 2)


def _check_patient_id(args: argparse.Namespace) -> None:
    """Every command names its patient ``patient`` (``--patient ID`` or a positional ID), so the one
    id rule is applied here, for all of them, before anything is opened or written."""
    patient = getattr(args, "patient", None)
    if patient is not None:
        from rehab.core.ids import check_patient_id

        check_patient_id(patient)


def describe_os_error(error: OSError) -> str:
    """``path: reason`` for a file the system refused (missing folder, no permission, disk full)."""
    paths = [str(name) for name in (error.filename, error.filename2) if name is not None]
    reason = error.strerror or str(error)
    return f"{' -> '.join(paths)}: {reason}" if paths else reason


def _fail(command: str, message: str, exit_code: int) -> int:
    print(f"rehab {command}: {message}", file=sys.stderr)
    return exit_code
