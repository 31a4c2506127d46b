"""``rehab home`` (and ``rehab`` with no arguments on a machine with a display): the patient's home
screen, full screen, with big buttons for today's session, progress, breathing, the camera check,
settings and the link to the clinic."""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--window", action="store_true", help="open in a window instead of the full screen")
    parser.add_argument(
        "--input",
        metavar="URL",
        default="",
        help="input for everything started from the home screen (sim for a demonstration; default: the settings')",
    )
    from rehab.core.i18n import LANGUAGES

    parser.add_argument(
        "--language",
        choices=sorted(LANGUAGES),
        default="",
        help="the language of every screen (default: the settings', else $LANGUAGE or $LANG)",
    )


def run(args: argparse.Namespace) -> int:
    from rehab.app.cli import CommandError
    from rehab.app.home import data_home
    from rehab.app.home_screen.app import open_home
    from rehab.engine.display import has_screen

    if not has_screen():
        raise CommandError("the home screen needs a display, and none was found; see 'rehab --help' for commands")
    return open_home(data_home(args.home), fullscreen=not args.window, input_url=args.input, language=args.language)
