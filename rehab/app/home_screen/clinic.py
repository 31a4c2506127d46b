"""Linking and syncing from the home screen: what ``rehab link`` and ``rehab sync`` do, without a
terminal. Messages from the physiotherapist stay unread in the store until the home screen shows
them (the commands print them and mark them read; nobody reads a terminal here)."""

from __future__ import annotations

import socket
from pathlib import Path

from progress.store import Store
from rehab.app.clinic_client import ClinicRefused, ClinicUnreachable
from rehab.app.clinic_link import ClinicLink, LinkError, check_server_url, load_link
from rehab.app.home_sync import due, sync
from rehab.app.linking import local_now as clock
from rehab.app.linking import open_client, pair_home
from rehab.core.errors import RehabError


def link_home(home: Path, store: Store, address: str, code: str) -> ClinicLink:
    """Pair with ``code`` at ``address``, keep the link and sync once; RehabError says why not."""
    existing = load_link(home)
    if existing is not None:
        raise LinkError(f"this home is already linked to {existing.url}")
    url = check_server_url(address, insecure=False)
    link = pair_home(home, store, url, code, socket.gethostname())
    sync_quietly(home, store, now=True)
    return link


def sync_quietly(home: Path, store: Store, now: bool = False) -> str:
    """Sync a linked home (after a session: only when not waiting out a backoff). Returns the
    problem in one sentence, or ""; offline is normal and loses nothing."""
    try:
        link = load_link(home)
    except LinkError as error:
        return str(error)
    if link is None or not (now or due(store, clock())):
        return ""
    with open_client(link) as client:
        try:
            sync(store, link, client, clock)
        except (ClinicUnreachable, ClinicRefused) as error:
            return str(error)
        except RehabError as error:
            return str(error)
    return ""
