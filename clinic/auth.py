"""Who is calling, and what they may see: bearer tokens, roles and access to one patient.

Two kinds of caller hold a token: a *user* (physio, clinician, admin; ``POST /api/v1/login``) and a
*device* (a paired home; ``POST /api/v1/pair``). Only a token's sha256 is stored, so a copy of the
database lets nobody in. Tokens are checked against the database on every request: nothing that
matters is held in memory, so any number of server processes can answer.
"""

from __future__ import annotations

import getpass
import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from fastapi import Request
from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from clinic import audit as audit_log
from clinic.db import engine_of, now, now_iso
from clinic.errors import Forbidden, NotFound, Unauthorized
from clinic.tables import api_tokens, devices, patients, users


@dataclass(frozen=True)
class Principal:
    kind: str  # "user" | "device" | "cli" (the command line on the server)
    id: str  # the user id as text, or the device id
    name: str  # email, "device:<id>" or "cli:<os user>": the audit log's actor
    role: str  # "physio" | "clinician" | "admin" | "device"
    team: str | None
    patient_id: str | None = None  # devices only

    @property
    def user_id(self) -> int | None:
        """The users.id of a user principal (None for a device or the command line)."""
        return int(self.id) if self.kind == "user" else None


def new_token() -> tuple[str, str]:
    """A fresh random token and the sha256 hex the database keeps of it."""
    token = secrets.token_urlsafe(32)
    return token, token_hash(token)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def cli_principal() -> Principal:
    """The command line on the server: it may do what an admin may, audited under the OS user."""
    try:
        name = getpass.getuser()
    except (KeyError, OSError):  # no user name in this environment (a bare container)
        name = "unknown"
    return Principal(kind="cli", id="", name=f"cli:{name}", role="admin", team=None)


def principal(request: Request) -> Principal:
    """FastAPI dependency: the caller of ``Authorization: Bearer <token>``, else 401."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("this needs a token: send 'Authorization: Bearer <token>' (log in or pair first)")
    with engine_of(request).begin() as conn:
        found = lookup(conn, token.strip())
    if found is None:
        raise Unauthorized("the token is not valid (unknown, expired or revoked): log in or pair again")
    return found


def lookup(conn: Connection, token: str) -> Principal | None:
    """The user or device holding ``token``, if it is still valid; a device's last_seen is updated."""
    digest = token_hash(token)
    at = now_iso(conn)
    row = conn.execute(
        select(users.c.id, users.c.email, users.c.role, users.c.team, api_tokens.c.expires_at)
        .join(users, users.c.id == api_tokens.c.user_id)
        .where(api_tokens.c.token_hash == digest, users.c.disabled == 0)
    ).first()
    if row is not None:
        if datetime.fromisoformat(row.expires_at) <= now(conn):
            return None
        return Principal("user", str(row.id), row.email, row.role, row.team)
    device_row = conn.execute(
        select(devices.c.id, devices.c.patient_id, devices.c.revoked_at).where(devices.c.token_hash == digest)
    ).first()
    if device_row is None or device_row.revoked_at is not None:
        return None
    conn.execute(update(devices).where(devices.c.id == device_row.id).values(last_seen=at))
    return Principal("device", device_row.id, f"device:{device_row.id}", "device", None, device_row.patient_id)


def user(*roles: str) -> Callable[[Request], Principal]:
    """Dependency factory: a user principal with one of ``roles`` (any role when none given), else 403."""

    def dependency(request: Request) -> Principal:
        who = principal(request)
        if who.kind != "user":
            raise Forbidden("this is for clinic staff: a device token cannot use it")
        if roles and who.role not in roles:
            raise Forbidden(f"this needs the role {' or '.join(roles)}; you are {who.role}")
        return who

    return dependency


def device(request: Request) -> Principal:
    """Dependency: a paired device's principal, else 403."""
    who = principal(request)
    if who.kind != "device":
        raise Forbidden("this is for a paired home: use the device token 'rehab link' stored")
    return who


def patient_access(conn: Connection, who: Principal, patient_id: str, write: bool = False) -> None:
    """Refuses (404 or 403) unless ``who`` may read (or, with ``write``, change) the patient's data.

    A device: only its own patient. A physio: their own patients and their team's. A clinician:
    reads any patient, changes none. An admin (and the command line): everything.
    """
    if who.kind == "device":
        if who.patient_id != patient_id:
            raise Forbidden("a device may only reach its own patient's data")
        return
    row = conn.execute(select(patients.c.physio_id, patients.c.team).where(patients.c.id == patient_id)).first()
    if row is None:
        raise NotFound(f"patient {patient_id!r} is not known here")
    if who.role == "admin":
        return
    if who.role == "clinician":
        if write:
            raise Forbidden("a clinician reads patients' data but does not change it")
        return
    own = who.user_id == row.physio_id
    same_team = who.team is not None and who.team == row.team
    if who.role == "physio" and (own or same_team):
        return
    raise Forbidden(f"patient {patient_id!r} is not one of yours or your team's")


def audit(conn: Connection, who: Principal, action: str, patient_id: str | None, detail: str | None = None) -> None:
    """One audit row for ``who`` in the caller's transaction (the time is the configured clock's)."""
    audit_log.record(conn, who.name, action, patient_id, detail)
