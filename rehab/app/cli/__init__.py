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

from rehab import __version__

#: command -> (module, one-line help). Order is the order shown in ``rehab --help``.
COMMANDS: dict[str, tuple[str, str]] = {
    "demo": ("rehab.app.cli.demo", "play a built-in recorded session end to end (no camera needed)"),
    "play": ("rehab.app.cli.play", "play one game with webcam, serial, keyboard or simulated input"),
    "games": ("rehab.app.cli.games", "list the games with their movements and inputs"),
    "track": ("rehab.app.cli.track", "track a body from a webcam or video and write joint angles"),
    "devices": ("rehab.app.cli.devices", "list, simulate and record serial IMUs and headsets"),
    "plan": ("rehab.app.cli.plan", "write, validate and assign exercise plans"),
    "session": ("rehab.app.cli.session", "run today's guided session from the patient's plan"),
    "patients": ("rehab.app.cli.patients", "add and list patients (pseudonymous ids)"),
    "report": ("rehab.app.cli.report", "export progress reports as PDF, CSV, FHIR or HTML"),
    "db": ("rehab.app.cli.db", "check and back up the progress database"),
}


class CommandError(Exception):
    """A problem the user can fix; printed without a traceback. ``code`` is the exit status."""

    def __init__(self, message: str, code: int = 2) -> None:
        super().__init__(message)
        self.code = code


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
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    try:
        return int(args._run(args))
    except CommandError as error:
        print(f"rehab {args._command}: {error}", file=sys.stderr)
        return error.code
    except KeyboardInterrupt:
        print("\nrehab: stopped.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader went away (e.g. `rehab ... | head`): not an error worth a traceback
        sys.stderr.close()
        return 141
