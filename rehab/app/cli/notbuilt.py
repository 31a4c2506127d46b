"""Commands the product will have but that are not built yet. They say so and exit non-zero."""

from __future__ import annotations

import argparse
import sys

#: the issue that builds each command, so a user knows where it stands
PLANNED_IN = {
    "play": "the game engine and physical games",
    "track": "webcam pose tracking and joint kinematics",
    "devices": "serial IMU and headset controllers",
    "plan": "exercise plans and guided sessions",
    "session": "exercise plans and guided sessions",
    "report": "the progress store and clinician reports",
    "db": "the progress store and clinician reports",
}

NOT_BUILT_EXIT = 3


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("rest", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)


def run(args: argparse.Namespace) -> int:
    work = PLANNED_IN.get(args._command, "a later release")
    print(
        f"rehab {args._command}: not built yet (planned with {work}). Try 'rehab demo' to see what works today.",
        file=sys.stderr,
    )
    return NOT_BUILT_EXIT
