"""Pairing a home with a patient: a one-time code from the clinic, exchanged once for a device token.

A code is 8 characters from an alphabet without look-alikes (no 0/O, 1/I/L), shown as two groups
("K7PM-3QXA") to be read over the phone or typed at home. Only its sha256 is stored; it works once,
for 24 hours. 31^8 codes (about 8.5e11) with 10 tries an hour per address make guessing hopeless.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection

from clinic.auth import Principal, audit, new_token, patient_access, token_hash
from clinic.db import now, now_iso
from clinic.errors import ClinicError, Gone, NotFound
from clinic.tables import devices, pairing_codes

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 8
VALID_FOR = timedelta(hours=24)
MAX_DEVICE_NAME = 80


@dataclass(frozen=True)
class PairingCode:
    code: str
    patient_id: str
    expires_at: str


@dataclass(frozen=True)
class Pairing:
    device_token: str
    device_id: str
    patient_id: str


def normalise_code(code: str) -> str:
    """What the user typed, as stored: upper case, without the dash or spaces."""
    return "".join(ch for ch in code.upper() if ch not in "- \t")


def _shown(raw: str) -> str:
    return f"{raw[:4]}-{raw[4:]}"


def new_code(conn: Connection, who: Principal, patient_id: str) -> PairingCode:
    """A fresh code for the patient (``who`` must be allowed to change the patient's data)."""
    patient_access(conn, who, patient_id, write=True)
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    expires_at = (now(conn) + VALID_FOR).isoformat(timespec="seconds")
    conn.execute(
        insert(pairing_codes).values(
            code_hash=token_hash(raw),
            patient_id=patient_id,
            created_by=who.user_id,
            created_at=now_iso(conn),
            expires_at=expires_at,
        )
    )
    audit(conn, who, "make pairing code", patient_id, f"expires {expires_at}")
    return PairingCode(_shown(raw), patient_id, expires_at)


def pair(conn: Connection, code: str, device_name: str) -> Pairing:
    """Uses the code: a new device of its patient, with a token shown this once."""
    name = " ".join(device_name.split())[:MAX_DEVICE_NAME] or "home"
    digest = token_hash(normalise_code(code))
    row = conn.execute(select(pairing_codes).where(pairing_codes.c.code_hash == digest)).first()
    if row is None:
        raise ClinicError("that pairing code is not right: check it, or ask the clinic for a new one")
    if row.used_at is not None:
        raise Gone("that pairing code was used already: ask the clinic for a new one")
    if datetime.fromisoformat(row.expires_at) <= now(conn):
        raise Gone("that pairing code has expired (codes last 24 hours): ask the clinic for a new one")
    at = now_iso(conn)
    # only one of two homes racing with the same code gets it: the update checks it is still unused
    claimed = conn.execute(
        update(pairing_codes)
        .where(pairing_codes.c.code_hash == digest, pairing_codes.c.used_at.is_(None))
        .values(used_at=at)
    )
    if claimed.rowcount != 1:
        raise Gone("that pairing code was used already: ask the clinic for a new one")
    token, token_digest = new_token()
    device_id = str(uuid.uuid4())
    values = {"id": device_id, "patient_id": row.patient_id, "token_hash": token_digest, "name": name}
    conn.execute(insert(devices).values(**values, created_at=at))
    who = Principal("device", device_id, f"device:{device_id}", "device", None, row.patient_id)
    audit(conn, who, "pair device", row.patient_id, name)
    return Pairing(token, device_id, row.patient_id)


def revoke(conn: Connection, who: Principal, device_id: str) -> None:
    """The device's token stops working at once; its synced data stays."""
    row = conn.execute(select(devices.c.patient_id, devices.c.revoked_at).where(devices.c.id == device_id)).first()
    if row is None:
        raise NotFound(f"device {device_id!r} is not known here")
    patient_access(conn, who, row.patient_id, write=True)
    if row.revoked_at is None:
        conn.execute(update(devices).where(devices.c.id == device_id).values(revoked_at=now_iso(conn)))
    audit(conn, who, "revoke device", row.patient_id, device_id)
