"""``rehab unlink``: forget this home's link to its clinic (the sessions stay here)."""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.set_defaults()  # no options: the link is the home's


def run(args: argparse.Namespace) -> int:
    from rehab.app.clinic_link import LinkError, forget_link, load_link
    from rehab.app.home import data_home

    home = data_home(args.home)
    try:
        link = load_link(home)
    except LinkError:  # a damaged link file is removed all the same
        link = None
    if not forget_link(home):
        print("this home was not linked to a clinic")
        return 0
    where = f" ({link.describe()})" if link else ""
    print(f"unlinked{where}: nothing more is sent; your sessions stay on this computer")
    print("the clinic can also revoke this device; ask it for a new code to link again")
    return 0
