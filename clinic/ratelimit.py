"""Rate limits kept in the database, so every server process behind a load balancer counts the
same attempts and a restart forgives nothing.

A fixed window per key: ``rate_limits(key, window_start, count)``. The count is raised with one
``INSERT ... ON CONFLICT DO UPDATE`` (SQLite and PostgreSQL both have it), so two processes counting
at once never lose an attempt. Callers commit the count in its own transaction before the attempt,
so a failed attempt that rolls back its own work is still counted.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select, update
from sqlalchemy.engine import Connection

from clinic.db import now
from clinic.tables import rate_limits


@dataclass(frozen=True)
class Limit:
    name: str
    attempts: int
    window_seconds: int

    def key(self, *parts: str) -> str:
        return ":".join((self.name, *parts))


#: failed logins per email and client address
LOGIN = Limit("login", 5, 15 * 60)
#: pairing attempts (good or bad) per client address: a code has 31^8 values, this makes guessing hopeless
PAIRING = Limit("pair", 10, 60 * 60)


def _window(conn: Connection, limit: Limit) -> int:
    seconds = int(now(conn).timestamp())
    return seconds - seconds % limit.window_seconds


def count(conn: Connection, limit: Limit, key: str) -> int:
    """Attempts counted for ``key`` in the current window."""
    query = select(rate_limits.c.count).where(
        rate_limits.c.key == key, rate_limits.c.window_start == _window(conn, limit)
    )
    return int(conn.execute(query).scalar() or 0)


def exceeded(conn: Connection, limit: Limit, key: str) -> bool:
    return count(conn, limit, key) >= limit.attempts


def hit(conn: Connection, limit: Limit, key: str) -> int:
    """Counts one attempt; returns the count in this window including it. Old windows are dropped."""
    window = _window(conn, limit)
    values = {"key": key, "window_start": window, "count": 1}
    statement = _insert(conn).values(**values)
    statement = statement.on_conflict_do_update(
        index_elements=[rate_limits.c.key, rate_limits.c.window_start],
        set_={"count": rate_limits.c.count + 1},
    )
    conn.execute(statement)
    conn.execute(delete(rate_limits).where(rate_limits.c.key == key, rate_limits.c.window_start < window))
    return count(conn, limit, key)


def forgive(conn: Connection, limit: Limit, key: str) -> None:
    """Takes back one attempt counted in the current window (a login that turned out right)."""
    statement = (
        update(rate_limits)
        .where(rate_limits.c.key == key, rate_limits.c.window_start == _window(conn, limit), rate_limits.c.count > 0)
        .values(count=rate_limits.c.count - 1)
    )
    conn.execute(statement)


def _insert(conn: Connection):  # type: ignore[no-untyped-def]  # the two dialects' Insert share no base with the method
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(rate_limits)
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(rate_limits)
