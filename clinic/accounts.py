"""Clinic accounts: users with a role, passwords hashed with argon2, and API tokens from a login.

Only an argon2id hash of a password is stored (argon2-cffi's defaults: memory-hard, salted), and
only the sha256 of a token, so the database alone lets nobody log in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from clinic.auth import new_token
from clinic.db import now, now_iso
from clinic.errors import ClinicError, Conflict, NotFound
from clinic.tables import api_tokens, users

ROLES = ("physio", "clinician", "admin")
MIN_PASSWORD = 10
TOKEN_DAYS = 30
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_HASHER = PasswordHasher()
# verified against when the email is unknown, so a wrong email takes as long as a wrong password
_DUMMY_HASH = _HASHER.hash("not a password of anyone's")


@dataclass(frozen=True)
class User:
    id: int
    email: str
    role: str
    team: str | None
    created_at: str
    disabled: bool

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "email": self.email,
            "role": self.role,
            "team": self.team,
            "created_at": self.created_at,
            "disabled": self.disabled,
        }


@dataclass(frozen=True)
class Login:
    token: str
    expires_at: str
    role: str


def normalise_email(email: str) -> str:
    """The stored form (trimmed, lowercased); refuses what cannot be an address."""
    cleaned = email.strip().lower()
    if len(cleaned) > 254 or not _EMAIL.fullmatch(cleaned):
        raise ClinicError(f"{email.strip()[:60]!r} is not an email address")
    return cleaned


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise ClinicError(f"the password is too short: use at least {MIN_PASSWORD} characters")


def check_role(role: str) -> None:
    if role not in ROLES:
        raise ClinicError(f"role {role!r} is not known: use {', '.join(ROLES)}")


def add_user(conn: Connection, email: str, role: str, password: str, team: str | None = None) -> User:
    """A new account; refuses a bad email, role or short password, and an email already taken."""
    email = normalise_email(email)
    check_role(role)
    check_password(password)
    team = team.strip() or None if team is not None else None
    values = {"email": email, "password_hash": _HASHER.hash(password), "role": role, "team": team}
    try:
        with conn.begin_nested():  # a taken email must not spoil the caller's transaction
            conn.execute(insert(users).values(**values, created_at=now_iso(conn), disabled=0))
    except IntegrityError as error:
        raise Conflict(f"there is already an account for {email}") from error
    found = find_user(conn, email)
    assert found is not None
    return found


def _user(row: object) -> User:
    return User(row.id, row.email, row.role, row.team, row.created_at, bool(row.disabled))  # type: ignore[attr-defined]


def find_user(conn: Connection, email: str) -> User | None:
    row = conn.execute(select(users).where(users.c.email == email.strip().lower())).first()
    return _user(row) if row is not None else None


def require_user(conn: Connection, email: str) -> User:
    found = find_user(conn, email)
    if found is None:
        raise NotFound(f"there is no account for {email.strip().lower()}")
    return found


def list_users(conn: Connection) -> list[User]:
    return [_user(row) for row in conn.execute(select(users).order_by(users.c.email))]


def authenticate(conn: Connection, email: str, password: str) -> User | None:
    """The enabled account with this email and password, else None (in the same time either way)."""
    row = conn.execute(select(users).where(users.c.email == email.strip().lower())).first()
    if row is None or row.disabled:
        _verify(_DUMMY_HASH, password)
        return None
    if not _verify(row.password_hash, password):
        return None
    if _HASHER.check_needs_rehash(row.password_hash):  # parameters raised since it was hashed
        conn.execute(update(users).where(users.c.id == row.id).values(password_hash=_HASHER.hash(password)))
    return _user(row)


def login(conn: Connection, email: str, password: str) -> Login | None:
    """A new API token for a right email and password of an enabled account, else None."""
    found = authenticate(conn, email, password)
    if found is None:
        return None
    token, digest = new_token()
    expires_at = (now(conn) + timedelta(days=TOKEN_DAYS)).isoformat(timespec="seconds")
    conn.execute(
        insert(api_tokens).values(token_hash=digest, user_id=found.id, created_at=now_iso(conn), expires_at=expires_at)
    )
    return Login(token=token, expires_at=expires_at, role=found.role)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def disable(conn: Connection, email: str) -> User:
    """Locks an account out at once: it cannot log in, and its tokens are deleted."""
    found = require_user(conn, email)
    conn.execute(update(users).where(users.c.id == found.id).values(disabled=1))
    conn.execute(delete(api_tokens).where(api_tokens.c.user_id == found.id))
    return User(found.id, found.email, found.role, found.team, found.created_at, True)
