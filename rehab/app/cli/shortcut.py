"""``rehab install-shortcut``: a desktop shortcut (Linux ``.desktop``) that opens the home screen."""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--print", action="store_true", help="show the shortcut's text instead of writing it")


def run(args: argparse.Namespace) -> int:
    import os

    from rehab.app.home import ENV_VAR, data_home
    from rehab.app.shortcut import desktop_entry, install, installed_command

    # a data folder chosen for this install is kept: the desktop starts rehab without $REHAB_HOME
    home = data_home(args.home).resolve() if args.home or os.environ.get(ENV_VAR) else None
    text = desktop_entry(installed_command(), home)
    if args.print:
        print(text, end="")
        return 0
    shortcut = install(text)
    for path in shortcut.paths:
        print(f"shortcut: {path}")
    print("It opens the home screen; on Windows and macOS see docs/home_screen.md.")
    return 0
