"""Stable pseudonyms for exports: the same patient gets the same pseudonym from the same database.

A keyed hash (HMAC-SHA256) with a secret stored in the database, so a pseudonym cannot be turned
back into the id by hashing guesses (patient ids are short and guessable) without the database file.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import date, timedelta


def pseudonym(secret: bytes, patient_id: str) -> str:
    digest = hmac.new(secret, patient_id.encode("utf-8"), hashlib.sha256).digest()
    # 10 base32 characters = 50 bits: collisions are negligible for a clinic's patient list
    return "PSN-" + base64.b32encode(digest).decode("ascii")[:10]


#: a pseudonymised report moves every date by up to this many weeks, earlier or later
MAX_SHIFT_WEEKS = 26


def date_shift_days(secret: bytes, patient_id: str) -> int:
    """The patient's secret date shift: whole weeks (weekdays and weekly counts stay as they were),
    between -26 and +26 weeks and never 0, the same for every export from the same database.

    Keyed like the pseudonym but with its own label, so the shift says nothing about the pseudonym."""
    digest = hmac.new(secret, b"date-shift\x00" + patient_id.encode("utf-8"), hashlib.sha256).digest()
    weeks = 1 + int.from_bytes(digest[:4], "big") % MAX_SHIFT_WEEKS
    return 7 * (weeks if digest[4] % 2 else -weeks)


def shift_day(day: date, days: int) -> date:
    return day + timedelta(days=days)


def shift_iso(text: str, days: int) -> str:
    """An ISO date or date-time moved by ``days``; a date-time keeps its time of day and offset."""
    if not days:
        return text
    head, rest = text[:10], text[10:]
    return shift_day(date.fromisoformat(head), days).isoformat() + rest
