"""Clinical notes: what the physio writes about a patient, dated with the clinical day it is about.

A note stays on the server (the patient never sees it; a message is what goes home). Notes are never
edited or deleted here: a correction is a new note, so the record shows what was written when. Every
function takes an open connection inside the caller's transaction and the time as text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from clinic import tables

#: the longest note: a page of text, enough for a review, short enough to read on the patient page
NOTE_MAX = 5000
#: the earliest clinical date a note may carry (a typo guard: 0226 for 2026)
EARLIEST = date(2000, 1, 1)


class NoteProblem(ValueError):
    """A note that cannot be stored; ``field`` is the form field at fault ('text' or 'noted_on')."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Note:
    id: int
    patient_id: str
    noted_on: str  # YYYY-MM-DD: the clinical day the note is about
    text: str
    author: str  # the author's email
    created_at: str  # when it was written (the server's clock)


def check_note(text: str, noted_on: str, today: date) -> tuple[str, str]:
    """The note's text (without surrounding blanks) and its day; NoteProblem naming the field.

    A note may be dated one day after the server's ``today``: the physio's own day can be ahead of
    the server's clock (UTC) in the evening."""
    cleaned = text.strip()
    if not cleaned:
        raise NoteProblem("text", "a note needs some text")
    if len(cleaned) > NOTE_MAX:
        raise NoteProblem("text", f"a note is at most {NOTE_MAX} characters; this one has {len(cleaned)}")
    try:
        day = date.fromisoformat(noted_on.strip())
    except ValueError:
        raise NoteProblem("noted_on", "the date must be a day written YYYY-MM-DD, e.g. 2026-03-02") from None
    if day < EARLIEST:
        raise NoteProblem("noted_on", f"the date must be on or after {EARLIEST.isoformat()}")
    if day > today + timedelta(days=1):
        raise NoteProblem("noted_on", f"a note cannot be dated after today ({today.isoformat()})")
    return cleaned, day.isoformat()


def add_note(conn: Connection, patient_id: str, author_id: int, noted_on: str, text: str, now: str) -> Note:
    """Store a checked note (``check_note`` first, with the same ``now``); returns it as stored."""
    cleaned, day = check_note(text, noted_on, date.fromisoformat(now[:10]))
    values = {"patient_id": patient_id, "author_id": author_id, "noted_on": day, "text": cleaned, "created_at": now}
    key = conn.execute(sa.insert(tables.clinical_notes).values(**values)).inserted_primary_key
    assert key is not None  # an autoincrement primary key always comes back
    email = conn.execute(sa.select(tables.users.c.email).where(tables.users.c.id == author_id)).scalar()
    return Note(int(key[0]), patient_id, day, cleaned, str(email or ""), now)


def notes(conn: Connection, patient_id: str) -> list[Note]:
    """The patient's notes, newest clinical day first (the latest written first within a day)."""
    n, u = tables.clinical_notes, tables.users
    query = (
        sa.select(n.c.id, n.c.noted_on, n.c.text, n.c.created_at, u.c.email)
        .select_from(n.outerjoin(u, u.c.id == n.c.author_id))
        .where(n.c.patient_id == patient_id)
        .order_by(n.c.noted_on.desc(), n.c.id.desc())
    )
    return [
        Note(int(r.id), patient_id, str(r.noted_on), str(r.text), str(r.email or ""), str(r.created_at))
        for r in conn.execute(query)
    ]
