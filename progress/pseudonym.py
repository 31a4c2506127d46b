"""Stable pseudonyms for exports: the same patient gets the same pseudonym from the same database.

A keyed hash (HMAC-SHA256) with a secret stored in the database, so a pseudonym cannot be turned
back into the id by hashing guesses (patient ids are short and guessable) without the database file.
"""

from __future__ import annotations

import base64
import hashlib
import hmac


def pseudonym(secret: bytes, patient_id: str) -> str:
    digest = hmac.new(secret, patient_id.encode("utf-8"), hashlib.sha256).digest()
    # 10 base32 characters = 50 bits: collisions are negligible for a clinic's patient list
    return "PSN-" + base64.b32encode(digest).decode("ascii")[:10]
