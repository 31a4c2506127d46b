"""``rehab sync``: send what waits to the clinic and fetch new plans and messages; ``--status``."""

from __future__ import annotations

import argparse
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from progress.store import Store
    from rehab.app.clinic_link import ClinicLink

#: exit status when the server could not be reached: nothing is lost, it is tried again later
UNREACHABLE_EXIT = 1


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--status", action="store_true", help="say when sync last worked and what waits, without syncing"
    )


def run(args: argparse.Namespace) -> int:
    from progress.store import DB_FILENAME, Store
    from rehab.app.cli import CommandError
    from rehab.app.clinic_link import load_link
    from rehab.app.home import prepared_home

    home = prepared_home(args.home)
    link = load_link(home)
    if link is None:
        raise CommandError("this home is not linked to a clinic: run 'rehab link URL CODE' with your clinic's code")
    store = Store.open(home / DB_FILENAME)
    try:
        if args.status:
            _print_status(store, link)
            return 0
        return sync_and_say(store, link)
    finally:
        store.close()


def sync_and_say(store: Store, link: ClinicLink) -> int:
    """One sync, told in a few plain lines; 0 when it worked, else the error's exit status.
    Never raises a clinic error: a failed sync loses nothing and is tried again."""
    from rehab.app.clinic_client import ClinicRefused, ClinicUnreachable
    from rehab.app.home_sync import status, sync
    from rehab.app.linking import local_now as clock
    from rehab.app.linking import open_client

    with open_client(link) as client:
        try:
            result = sync(store, link, client, clock)
        except (ClinicUnreachable, ClinicRefused) as error:
            after = status(store, link)
            print(f"sync: {error}")
            print(
                f"sync: {after.waiting_rows} rows are kept here and wait; the next automatic try is after "
                f"{_clock_time(after.next_try_at)} ('rehab sync' tries now)"
            )
            return UNREACHABLE_EXIT if isinstance(error, ClinicUnreachable) else error.exit_code
    sent = f"sent {result.rows_sent} rows" if result.rows_sent else "nothing new to send"
    print(f"sync: {sent}; the clinic is up to date")
    for version in result.plan_versions:
        print(f"sync: a new plan from your clinic is now plan version {version}; your next session follows it")
    for note in result.notes:
        print(f"sync: {note}")
    unread = store.messages(unshown_only=True)  # new ones, and any a failed print left unshown
    for message in unread:
        print(f"message from your clinic ({_when(message.created_at)}): {message.text}")
    if unread:
        store.mark_shown([m.id for m in unread], clock().isoformat(timespec="seconds"))
    return 0


def sync_after_session(home: str | None) -> None:
    """After a session: sync if linked and not waiting out a backoff. Never fails the session."""
    from progress.store import DB_FILENAME, Store
    from rehab.app.clinic_link import LinkError, load_link
    from rehab.app.home import data_home
    from rehab.app.home_sync import due, status
    from rehab.app.linking import local_now as clock

    folder = data_home(home)
    try:
        link = load_link(folder)
    except LinkError as error:
        print(f"sync: {error}")
        return
    if link is None:
        return
    store = Store.open(folder / DB_FILENAME)
    try:
        if due(store, clock()):
            sync_and_say(store, link)
        else:
            waiting = status(store, link)
            print(
                f"sync: {waiting.waiting_rows} rows wait for the clinic; the next try is after "
                f"{_clock_time(waiting.next_try_at)} ('rehab sync' tries now)"
            )
    finally:
        store.close()


def _print_status(store: Store, link: ClinicLink) -> None:
    from rehab.app.home_sync import status

    now = status(store, link)
    print(f"linked: {link.describe()}")
    print(f"last successful sync: {_when(now.last_success_at) if now.last_success_at else 'never'}")
    print(f"waiting to be sent: {now.waiting_rows} row{'s' if now.waiting_rows != 1 else ''}")
    if now.last_error:
        print(f"last try ({_when(now.last_attempt_at)}) failed: {now.last_error}")
        print(f"next automatic try: after {_clock_time(now.next_try_at)}")
    unread = store.messages(unshown_only=True)
    if unread:
        print(
            f"{len(unread)} message{'s' if len(unread) != 1 else ''} from your clinic not shown yet: run 'rehab sync'"
        )


def _when(iso: str | None) -> str:
    """'2026-12-01 19:02' from an ISO time (people read dates, not ISO stamps)."""
    return "" if not iso else iso[:16].replace("T", " ")


def _clock_time(iso: str | None) -> str:
    if not iso:
        return "now"
    moment = datetime.fromisoformat(iso)
    today = datetime.now().astimezone().date()
    return moment.strftime("%H:%M") if moment.date() == today else moment.strftime("%Y-%m-%d %H:%M")
