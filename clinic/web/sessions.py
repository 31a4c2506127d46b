"""Login sessions for the web app: an HttpOnly, SameSite=Strict cookie holding a random token,
kept in the database (only its sha256), ended by logout, by 30 minutes idle or after 12 hours.
A live page watching a session that streams counts as activity (``clinic.live`` marks it seen).

The CSRF token of a form is derived from the session's token (a keyed hash), so it needs no
storage, changes with every login and cannot be read or made by another site.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from clinic.auth import Principal, new_token, token_hash
from clinic.db import now, now_iso
from clinic.tables import users, web_sessions

COOKIE = "rehab_clinic_session"
IDLE_TIMEOUT = timedelta(minutes=30)
LONGEST = timedelta(hours=12)


@dataclass(frozen=True)
class WebSession:
    token: str  # the cookie's value
    who: Principal

    @property
    def csrf(self) -> str:
        return csrf_token(self.token)


def csrf_token(session_token: str) -> str:
    return hmac.new(session_token.encode(), b"rehab clinic form", hashlib.sha256).hexdigest()


def csrf_ok(session_token: str, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(csrf_token(session_token), str(given))


def start(conn: Connection, user_id: int) -> str:
    """A new session for the user; returns the cookie's value."""
    token, digest = new_token()
    at = now_iso(conn)
    conn.execute(sa.insert(web_sessions).values(token_hash=digest, user_id=user_id, created_at=at, last_seen_at=at))
    return token


def resume(conn: Connection, token: str, touch: bool = True) -> WebSession | None:
    """The session of this cookie if still valid (and marks it seen now, unless ``touch`` is false:
    a check that is not the user's activity), else None (an ended session's row is deleted)."""
    digest = token_hash(token)
    row = conn.execute(
        sa.select(web_sessions, users.c.email, users.c.role, users.c.team, users.c.disabled)
        .join(users, users.c.id == web_sessions.c.user_id)
        .where(web_sessions.c.token_hash == digest)
    ).first()
    if row is None:
        return None
    moment = now(conn)
    idle = moment - datetime.fromisoformat(row.last_seen_at) > IDLE_TIMEOUT
    old = moment - datetime.fromisoformat(row.created_at) > LONGEST
    if idle or old or row.disabled:
        conn.execute(sa.delete(web_sessions).where(web_sessions.c.token_hash == digest))
        return None
    if touch:
        conn.execute(
            sa.update(web_sessions).where(web_sessions.c.token_hash == digest).values(last_seen_at=moment.isoformat())
        )
    return WebSession(token, Principal("user", str(row.user_id), row.email, row.role, row.team))


def end(conn: Connection, token: str) -> None:
    conn.execute(sa.delete(web_sessions).where(web_sessions.c.token_hash == token_hash(token)))
