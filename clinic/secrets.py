"""The key of a patient's pseudonym and date shift in server-made reports.

A pseudonymised report must give the same pseudonym and the same date shift every time it is made,
and nobody without the clinic database may compute either from the patient id. The key is derived
from the token hash of the first home device ever linked to the patient (the earliest, ties broken by
id): the hash of 256 random bits, held only by this database, never shown by the API, and never
changed afterwards (a device is revoked, not deleted). Like the home's own secret (kept in its store),
it is as safe as the database that holds it; the clinic schema needs no secret of its own for it.
"""

from __future__ import annotations

import hashlib

import sqlalchemy as sa

from clinic.tables import devices
from progress.reports.data import ReportError

_CONTEXT = b"rehab clinic pseudonym key v1\x00"


def pseudonym_secret(conn: sa.Connection, patient_id: str) -> bytes:
    """32 bytes for the patient; ReportError when no home was ever linked (so nothing to report)."""
    first = conn.execute(
        sa.select(devices.c.token_hash)
        .where(devices.c.patient_id == patient_id)
        .order_by(devices.c.created_at, devices.c.id)
        .limit(1)
    ).scalar()
    if first is None:
        raise ReportError(f"patient {patient_id!r} has no linked home yet: nothing to report")
    return hashlib.sha256(_CONTEXT + str(first).encode("ascii")).digest()
