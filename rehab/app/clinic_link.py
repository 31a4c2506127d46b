"""A home's link to its clinic server: the device token a one-time pairing code was exchanged for.

The link is one owner-only JSON file in the data folder. It binds this home to one patient: sync
sends that patient's rows only and receives that patient's plans and messages only.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlsplit

from rehab.core.errors import RehabError
from rehab.core.private_files import write_private

LINK_FILENAME = "clinic-link.json"
#: hosts a plain-http link is allowed to: this machine (a clinic server run beside the home, tests)
_LOOPBACK = {"localhost", "127.0.0.1", "::1"}


class LinkError(RehabError):
    """Linking failed or the link file is unusable; one sentence for the user."""


@dataclass(frozen=True)
class ClinicLink:
    url: str  # the server's base URL, e.g. https://clinic.example.org
    device_token: str
    device_id: str
    patient_id: str
    linked_at: str
    cafile: str = ""  # the clinic's own certificate authority (PEM), when it is not a public one

    def describe(self) -> str:
        return f"patient {self.patient_id} at {self.url} (this device: {self.device_id})"


def link_path(home: Path) -> Path:
    return home / LINK_FILENAME


def check_server_url(url: str, insecure: bool) -> str:
    """The base URL without a trailing slash; LinkError for anything a device token must not go to.

    A device token sent over plain http can be read on the way and then writes as the patient, so
    http is for this machine only, unless the user says ``--insecure`` (a test clinic on a LAN).
    """
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise LinkError(f"{url!r} is not a server address; give it like https://clinic.example.org")
    if parts.query or parts.fragment or parts.username:
        raise LinkError(f"{url!r}: give the server address alone, without a query, fragment or user name")
    if parts.scheme == "http" and parts.hostname not in _LOOPBACK and not insecure:
        raise LinkError(
            f"{url} is plain http: the device token would cross the network unencrypted; "
            "use https, or --insecure for a test server you trust"
        )
    return url.strip().rstrip("/")


def load_link(home: Path) -> ClinicLink | None:
    """The home's link, or None when it is not linked; LinkError when the file is damaged."""
    path = link_path(home)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    try:
        data = json.loads(text)
        optional = {"cafile": str(data.get("cafile") or "")}
        return ClinicLink(
            **{key: str(data[key]) for key in ClinicLink.__dataclass_fields__ if key != "cafile"}, **optional
        )
    except (ValueError, KeyError, TypeError) as error:
        raise LinkError(f"{path} is damaged ({error}); run 'rehab unlink' and link again") from error


def save_link(home: Path, link: ClinicLink) -> Path:
    """Writes the link owner-only (0600): the token writes as the patient."""
    path = link_path(home)
    write_private(path, (json.dumps(asdict(link), indent=2) + "\n").encode("utf-8"), force=True)
    return path


def forget_link(home: Path) -> bool:
    """Removes the link file; False when there was none."""
    try:
        os.remove(link_path(home))
    except FileNotFoundError:
        return False
    return True
