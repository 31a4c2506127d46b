"""``rehab db check``: everything wrong with a store that can be seen from its rows.

Beyond SQLite's own integrity and foreign-key checks: values no body or clock can produce (an
angle past a full turn, pain 11, a negative duration, a NaN), and sessions left ``in_progress``
long after anyone could still be playing them. Each finding is one line naming the row.
"""

from __future__ import annotations

import math
import sqlite3
from datetime import datetime, timedelta, timezone
from typing import NamedTuple

from progress.store.ratings import RATING_SCALES
from progress.store.recordings import _unpack

#: a session still in progress this long after it started was cut short (no session lasts so long)
STUCK_AFTER = timedelta(hours=6)
ANGLE_LIMIT_DEG = 360.0


class Bound(NamedTuple):
    table: str
    column: str
    low: float
    high: float
    unit: str


#: columns with a physical range; anything outside, or not a number at all (a NaN or 'inf' kept
#: as text), is a finding. NULL means "not measured" and is fine.
BOUNDS: tuple[Bound, ...] = (
    *(Bound("reps", c, -ANGLE_LIMIT_DEG, ANGLE_LIMIT_DEG, "deg") for c in ("start_deg", "peak_deg", "rom_deg")),
    Bound("reps", "target_deg", -ANGLE_LIMIT_DEG, ANGLE_LIMIT_DEG, "deg"),
    Bound("sessions", "target_deg", -ANGLE_LIMIT_DEG, ANGLE_LIMIT_DEG, "deg"),
    Bound("calibrations", "rest_deg", -ANGLE_LIMIT_DEG, ANGLE_LIMIT_DEG, "deg"),
    Bound("calibrations", "max_deg", -ANGLE_LIMIT_DEG, ANGLE_LIMIT_DEG, "deg"),
    *(Bound("reps", c, 0.0, 86_400.0, "s") for c in ("hold_s", "duration_s")),
    *(Bound("reps", c, -1e9, 1e9, "s") for c in ("t_start", "t_end")),
    Bound("reps", "peak_velocity_dps", -1e5, 1e5, "deg/s"),
)


def row_findings(conn: sqlite3.Connection, now: datetime) -> list[str]:
    """Every value outside its physical range and every stuck session, one line each."""
    findings: list[str] = []
    for bound in BOUNDS:
        findings += _out_of_bounds(conn, bound)
    findings += _negative_spans(conn)
    findings += _ratings_off_scale(conn)
    findings += _stream_values(conn)
    findings += _stuck_sessions(conn, now)
    return findings


def _out_of_bounds(conn: sqlite3.Connection, bound: Bound) -> list[str]:
    table, column = bound.table, bound.column
    rows = conn.execute(
        f"select id, {column} from {table} where {column} is not null and "
        f"(typeof({column}) not in ('integer', 'real') or {column} < ? or {column} > ?)",
        [bound.low, bound.high],
    ).fetchall()
    return [
        f"{table} row {row_id}: {column} = {value!r} is outside {bound.low:g}..{bound.high:g} {bound.unit}"
        for row_id, value in rows
    ]


def _negative_spans(conn: sqlite3.Connection) -> list[str]:
    findings = []
    for table in ("reps", "sets"):
        rows = conn.execute(f"select id, t_start, t_end from {table} where t_end < t_start").fetchall()
        findings += [f"{table} row {i}: ends at {end!r} s before it starts at {start!r} s" for i, start, end in rows]
    return findings


def _ratings_off_scale(conn: sqlite3.Connection) -> list[str]:
    findings = []
    for row_id, kind, value in conn.execute("select id, kind, value from ratings").fetchall():
        low, high = RATING_SCALES.get(kind, (math.nan, math.nan))
        if not isinstance(value, int | float) or not low <= value <= high:
            scale = f"{low:g}-{high:g}" if kind in RATING_SCALES else "any known scale"
            findings.append(f"ratings row {row_id}: {kind} = {value!r} is outside {scale}")
    return findings


def _stream_values(conn: sqlite3.Connection) -> list[str]:
    """Angle streams are float32 blobs: a NaN or an impossible angle hides there as well."""
    findings = []
    for row_id, name, blob in conn.execute("select id, name, value from streams where unit = 'deg'").fetchall():
        bad = [v for v in _unpack("f", blob or b"") if not -ANGLE_LIMIT_DEG <= v <= ANGLE_LIMIT_DEG]
        if bad:
            findings.append(
                f"streams row {row_id} ({name}): {len(bad)} sample(s) outside -360..360 deg or not a number, "
                f"first {bad[0]!r}"
            )
    return findings


def _stuck_sessions(conn: sqlite3.Connection, now: datetime) -> list[str]:
    findings = []
    for row_id, started_at in conn.execute("select id, started_at from sessions where status = 'in_progress'"):
        try:
            started = datetime.fromisoformat(started_at)
            stuck = now - (started if started.tzinfo else started.replace(tzinfo=timezone.utc)) > STUCK_AFTER
        except (TypeError, ValueError):
            stuck = True
        if stuck:
            findings.append(
                f"sessions row {row_id}: still in_progress since {started_at} (cut short; "
                "'rehab session --resume' finishes a guided session)"
            )
    return findings
