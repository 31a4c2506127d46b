"""Pairing a home with its clinic and opening a connection to it: what ``rehab link``, ``rehab sync``
and the home screen's *Link to my clinic* share. The callers say the outcome in their own way (lines
on a terminal, a sentence on screen)."""

from __future__ import annotations

import ssl
from datetime import datetime
from pathlib import Path

from progress.store import Store
from rehab.app.clinic_client import ClinicClient, ClinicRefused
from rehab.app.clinic_link import ClinicLink, LinkError, save_link
from rehab.app.home_sync import prepare_for


def local_now() -> datetime:
    """The wall clock, with the local offset: what a sync writes down and compares with."""
    return datetime.now().astimezone()


def tls_verify(cafile: str) -> ssl.SSLContext | bool:
    """Trust the clinic's own certificate authority when one is named, else the system's."""
    return ssl.create_default_context(cafile=cafile) if cafile else True


def open_client(link: ClinicLink) -> ClinicClient:
    """A client for a linked home, with its device token and the CA it was linked with."""
    return ClinicClient(link.url, link.device_token, verify=tls_verify(link.cafile))


def pair_home(home: Path, store: Store, url: str, code: str, device_name: str, cafile: str = "") -> ClinicLink:
    """Trade a one-time pairing ``code`` at the (checked) ``url`` for a device token and keep the link:
    the patient in the store, the link file (owner-only), the outbox ready for the first sync.
    A refused code is a LinkError saying so; an unreachable clinic is ClinicUnreachable."""
    code = "".join(code.split()).upper()
    with ClinicClient(url, verify=tls_verify(cafile)) as client:
        try:
            paired = client.pair(code, device_name[:80])
        except ClinicRefused as refused:
            raise LinkError(f"the clinic refused the code {code}: {refused}") from refused
    link = ClinicLink(
        url=url,
        device_token=str(paired["device_token"]),
        device_id=str(paired["device_id"]),
        patient_id=str(paired["patient_id"]),
        linked_at=local_now().isoformat(timespec="seconds"),
        cafile=cafile,
    )
    store.ensure_patient(link.patient_id, link.linked_at)
    save_link(home, link)
    prepare_for(store, link)
    return link
