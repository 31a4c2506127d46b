"""Per-session facts on the clinic server: one row per synced home session, recomputed from its
home rows whenever a push touches the session (its own row, or a rep, rating or device event of it).

The caseload and the patient page read these rows, so a page never parses a year of JSON. They are
derived data: ``refresh`` can rebuild any of them at any time from ``home_rows`` alone.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from statistics import fmean
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from clinic.tables import home_rows, session_facts

#: device event kinds that mean the patient's device failed during the session
DEVICE_PROBLEMS = ("lost", "error", "unplugged", "disconnected")
#: the kinds of rows a session's facts are computed from, besides the session row itself
CHILD_KINDS = ("reps", "ratings", "device_events")


def refresh(conn: Connection, session_uuids: Iterable[str], now: str) -> int:
    """Recompute the facts of these sessions (those without a session row yet are skipped: a rep
    can arrive before its session). Returns how many were written."""
    wanted = sorted(set(session_uuids))
    written = 0
    for start in range(0, len(wanted), 500):  # bounded IN lists on both engines
        chunk = wanted[start : start + 500]
        sessions = _bodies(conn, sa.and_(home_rows.c.kind == "sessions", home_rows.c.uuid.in_(chunk)))
        children = _bodies(conn, sa.and_(home_rows.c.kind.in_(CHILD_KINDS), home_rows.c.session_uuid.in_(chunk)))
        by_session: dict[str, list[tuple[str, dict[str, Any]]]] = {}
        for kind, _, _patient, body in children:
            by_session.setdefault(str(body.get("session_uuid")), []).append((kind, body))
        rows = [
            {**facts_of(body, by_session.get(session_uuid, [])), "uuid": session_uuid, "patient_id": patient}
            for _, session_uuid, patient, body in sessions
        ]
        _upsert(conn, rows, now)
        written += len(rows)
    return written


def refresh_missing(conn: Connection, now: str) -> int:
    """Facts for every synced session that has none (after an upgrade): a no-op when all have."""
    h, f = home_rows, session_facts
    missing = sa.select(h.c.uuid).where(h.c.kind == "sessions", ~sa.exists().where(f.c.uuid == h.c.uuid))
    return refresh(conn, [str(row.uuid) for row in conn.execute(missing)], now)


def touched_sessions(rows: Iterable[tuple[str, str, dict[str, Any]]]) -> set[str]:
    """The sessions a batch of (kind, uuid, body) rows changes the facts of."""
    found = set()
    for kind, row_uuid, body in rows:
        if kind == "sessions":
            found.add(row_uuid)
        elif kind in CHILD_KINDS and body.get("session_uuid"):
            found.add(str(body["session_uuid"]))
    return found


def facts_of(session: dict[str, Any], children: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    """The facts of one session from its row's body and its children's bodies."""
    reps = [body for kind, body in children if kind == "reps"]
    ratings = [body for kind, body in children if kind == "ratings"]
    events = [body for kind, body in children if kind == "device_events"]
    started = _text(session.get("started_at"))
    summary = session.get("summary")
    return {
        "started_at": started,
        "day": started[:10] if started else None,
        "kind": _text(session.get("kind")) or "physical",
        "game": _text(session.get("game")),
        "movement": _text(session.get("movement")),
        "status": _text(session.get("status")),
        "visit_uuid": _text(session.get("visit_id")),
        "plan_uuid": _text(session.get("plan_uuid")),
        "target_deg": _number(session.get("target_deg")),
        "reps": len(reps),
        "reps_on_target": sum(1 for r in reps if r.get("success")),
        "best_peak_deg": _max(r.get("peak_deg") for r in reps),
        "mean_rom_deg": _mean(r.get("rom_deg") for r in reps),
        "mean_hold_s": _mean(r.get("hold_s") for r in reps),
        "mean_sparc": _mean(r.get("smoothness_sparc") for r in reps),
        "over_ceiling": sum(1 for r in reps if r.get("over_ceiling")),
        "compensations": sum(1 for r in reps if _has_compensation(r.get("compensations"))),
        "pain_before": _pain(ratings, "before", last=True),
        "pain_after": _pain(ratings, "after", last=True),
        "pain_max_during": _max(r.get("value") for r in ratings if _is_pain(r, "during")),
        "device_problems": sum(1 for e in events if str(e.get("kind")) in DEVICE_PROBLEMS),
        "summary": json.dumps(summary) if isinstance(summary, dict) else None,
    }


def _bodies(conn: Connection, where: Any) -> list[tuple[str, str, str, dict[str, Any]]]:
    h = home_rows
    query = sa.select(h.c.kind, h.c.uuid, h.c.patient_id, h.c.body).where(where)
    return [(str(r.kind), str(r.uuid), str(r.patient_id), json.loads(r.body)) for r in conn.execute(query)]


def _upsert(conn: Connection, rows: list[dict[str, Any]], now: str) -> None:
    """Writes the facts rows (each with its ``uuid``): one statement run for many rows for those that
    exist and one for the new, with bound parameters: a push of a year's history touches a thousand
    sessions, and a statement per session with its values inline cost a millisecond each."""
    if not rows:
        return
    f = session_facts
    wanted = [row["uuid"] for row in rows]
    existing = {str(uuid) for (uuid,) in conn.execute(sa.select(f.c.uuid).where(f.c.uuid.in_(wanted)))}
    updates, inserts = [], []
    for row in rows:
        if row["uuid"] in existing:  # the SET clause takes every key but the uuid, matched by b_uuid
            updates.append({**{k: v for k, v in row.items() if k != "uuid"}, "updated_at": now, "b_uuid": row["uuid"]})
        else:
            inserts.append({**row, "updated_at": now})
    if updates:
        conn.execute(sa.update(f).where(f.c.uuid == sa.bindparam("b_uuid")), updates)
    if inserts:
        conn.execute(sa.insert(f), inserts)


def _is_pain(rating: dict[str, Any], moment: str) -> bool:
    return str(rating.get("kind")) == "pain" and str(rating.get("moment")) == moment


def _pain(ratings: list[dict[str, Any]], moment: str, last: bool) -> float | None:
    values = [r for r in ratings if _is_pain(r, moment) and _number(r.get("value")) is not None]
    if not values:
        return None
    values.sort(key=lambda r: (str(r.get("at") or ""), _number(r.get("t")) or 0.0))
    return _number(values[-1 if last else 0].get("value"))


def _has_compensation(value: Any) -> bool:
    if isinstance(value, str):
        text = value.strip()
        return text not in ("", "[]", "{}", "null")
    return bool(value)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if number == number else None  # NaN is no value


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _max(values: Iterable[Any]) -> float | None:
    numbers = [n for n in (_number(v) for v in values) if n is not None]
    return max(numbers) if numbers else None


def _mean(values: Iterable[Any]) -> float | None:
    numbers = [n for n in (_number(v) for v in values) if n is not None]
    return round(fmean(numbers), 3) if numbers else None
