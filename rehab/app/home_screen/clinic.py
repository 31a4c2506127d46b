"""Linking and syncing from the home screen: what ``rehab link`` and ``rehab sync`` do, without a
terminal. Messages from the physiotherapist stay unread in the store until the home screen shows
them (the commands print them and mark them read; nobody reads a terminal here)."""

from __future__ import annotations

import socket
from pathlib import Path

from progress.store import Store
from rehab.app.cli.link import _verify
from rehab.app.cli.sync import clock, open_client
from rehab.app.clinic_client import ClinicClient, ClinicRefused, ClinicUnreachable
from rehab.app.clinic_link import ClinicLink, LinkError, check_server_url, load_link, save_link
from rehab.app.home_sync import due, prepare_for, sync
from rehab.core.errors import RehabError


def link_home(home: Path, store: Store, address: str, code: str) -> ClinicLink:
    """Pair with ``code`` at ``address``, keep the link and sync once; RehabError says why not."""
    existing = load_link(home)
    if existing is not None:
        raise LinkError(f"this home is already linked to {existing.url}")
    url = check_server_url(address, insecure=False)
    code = "".join(code.split()).upper()
    with ClinicClient(url, verify=_verify("")) as client:
        try:
            paired = client.pair(code, socket.gethostname()[:80])
        except ClinicRefused as refused:
            raise LinkError(f"the clinic refused the code {code}: {refused}") from refused
    link = ClinicLink(
        url=url,
        device_token=str(paired["device_token"]),
        device_id=str(paired["device_id"]),
        patient_id=str(paired["patient_id"]),
        linked_at=clock().isoformat(timespec="seconds"),
    )
    store.ensure_patient(link.patient_id, link.linked_at)
    save_link(home, link)
    prepare_for(store, link)
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
