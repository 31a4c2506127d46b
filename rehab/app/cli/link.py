"""``rehab link URL CODE``: link this home to its clinic server with a one-time pairing code."""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("url", metavar="URL", help="the clinic server's address, e.g. https://clinic.example.org")
    parser.add_argument("code", metavar="CODE", help="the one-time pairing code from your clinic (e.g. K7PM-3QXA)")
    parser.add_argument(
        "--insecure",
        action="store_true",
        help="allow plain http to another machine (a test server you trust: the token crosses unencrypted)",
    )
    parser.add_argument("--name", metavar="NAME", help="this device's name as the clinic lists it (default: host name)")
    parser.add_argument("--cafile", metavar="FILE", help="trust the clinic's own certificate authority (PEM) for https")


def run(args: argparse.Namespace) -> int:
    import socket
    from pathlib import Path

    from progress.store import DB_FILENAME, Store
    from rehab.app.cli import CommandError
    from rehab.app.cli.sync import sync_and_say
    from rehab.app.clinic_link import check_server_url, load_link
    from rehab.app.home import prepared_home
    from rehab.app.linking import pair_home

    home = prepared_home(args.home)
    existing = load_link(home)
    if existing is not None:
        raise CommandError(f"this home is already linked ({existing.describe()}); run 'rehab unlink' first")
    url = check_server_url(args.url, args.insecure)
    cafile = str(Path(args.cafile).resolve()) if args.cafile else ""
    if cafile and not Path(cafile).is_file():
        raise CommandError(f"--cafile {args.cafile}: no such file")
    store = Store.open(home / DB_FILENAME)
    try:
        link = pair_home(home, store, url, args.code, args.name or socket.gethostname(), cafile)
        print(f"linked: this home syncs {link.describe()}")
        print(f"use --patient {link.patient_id} for sessions; sync runs after each session and on 'rehab sync'")
        sync_and_say(store, link)
    finally:
        store.close()
    return 0
