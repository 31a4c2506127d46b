"""Plans, messages and the synced-sessions summary on the clinic server: the library the API
(``clinic.api_plans``, ``clinic.api_sync``) and the command line (``clinic.cli_plans``) share.

Every function takes an open SQLAlchemy connection inside the caller's transaction and the time as
text, so a request or a command is one transaction and nothing here reads the clock.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from clinic import tables
from rehab.app.plans import Plan, PlanError, parse_text

#: the longest message a physio can send; a message is read on a small screen at home
MESSAGE_MAX = 500
#: the author shown for a message written with the server's command line (no account behind it)
CLINIC_AUTHOR = "the clinic"


@dataclass(frozen=True)
class PlanVersion:
    id: int
    version: int
    plan: dict[str, Any]
    sessions_per_week: int
    effective_from: str
    created_at: str
    created_by: str
    origin: str
    reason: str
    conflict: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "version": self.version,
            "body": self.plan,
            "sessions_per_week": self.sessions_per_week,
            "effective_from": self.effective_from,
            "created_at": self.created_at,
            "created_by": self.created_by,
            "origin": self.origin,
            "reason": self.reason,
            "conflict": self.conflict,
        }


@dataclass(frozen=True)
class Message:
    id: int
    text: str
    created_at: str
    author: str

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "text": self.text, "created_at": self.created_at, "author": self.author}


@dataclass(frozen=True)
class SessionSummary:
    """One synced home session as the clinic sees it: what "see it on the server" shows."""

    uuid: str
    started_at: str
    game: str
    movement: str
    status: str
    reps: int
    best_peak_deg: float | None

    @property
    def date(self) -> str:
        return self.started_at[:10]

    def to_json(self) -> dict[str, Any]:
        return {
            "uuid": self.uuid,
            "date": self.date,
            "started_at": self.started_at,
            "game": self.game,
            "movement": self.movement,
            "status": self.status,
            "reps": self.reps,
            "best_peak_deg": self.best_peak_deg,
        }


# -- checking a plan ----------------------------------------------------------------------------


def installed_games() -> dict[str, str]:
    """Installed game -> the movement it is played with: what ``rehab plan validate`` checks against."""
    from rehab.engine.game import available_games

    return {name: game.angle for name, game in available_games().items()}


def check_plan(text: str, patient_id: str, source: str = "plan") -> Plan:
    """The plan in ``text``, validated exactly as ``rehab plan validate`` does; PlanError otherwise.

    A plan written for another patient is refused too: assigning it would hand one patient
    another's prescription.
    """
    from rehab.app.plans import Problem

    plan = parse_text(text, source, installed_games())
    if plan.patient and plan.patient != patient_id:
        message = f"is {plan.patient!r}, but the plan is being assigned to {patient_id!r}"
        raise PlanError(source, [Problem(None, "patient", message, f'"{patient_id}" or ""')])
    return replace(plan, patient=patient_id)


def problem_lines(error: PlanError) -> list[str]:
    """Each problem as 'line 15: exercise[1].game: ...' (the file is the request body, not a name)."""
    lines = []
    for problem in error.problems:
        where = f"line {problem.line}: " if problem.line else ""
        allowed = f"; allowed: {problem.allowed}" if problem.allowed else ""
        lines.append(f"{where}{problem.field}: {problem.message}{allowed}")
    return lines


# -- plan versions --------------------------------------------------------------------------------


def _next_version(conn: Connection, patient_id: str) -> int:
    pv = tables.plan_versions
    latest = conn.execute(sa.select(sa.func.max(pv.c.version)).where(pv.c.patient_id == patient_id)).scalar()
    return int(latest or 0) + 1


def _insert_version(conn: Connection, patient_id: str, values: Mapping[str, Any]) -> PlanVersion:
    version = _next_version(conn, patient_id)
    row = dict(values, patient_id=patient_id, version=version)
    result = conn.execute(sa.insert(tables.plan_versions).values(**row))
    key = result.inserted_primary_key
    assert key is not None  # an autoincrement primary key always comes back
    return _version_of({**row, "id": int(key[0])})


def assign_plan(
    conn: Connection, patient_id: str, plan: Plan, reason: str, created_by: str, now: str, today: str
) -> PlanVersion:
    """The patient's next plan version, from the clinic: it wins over anything changed at home."""
    values = {
        "body": json.dumps(plan.to_dict()),
        "sessions_per_week": plan.sessions_per_week,
        "effective_from": today,
        "created_at": now,
        "created_by": created_by,
        "origin": "server",
        "home_uuid": None,
        "reason": reason,
        "conflict": None,
    }
    return _insert_version(conn, patient_id, values)


def _version_of(row: Mapping[str, Any] | sa.RowMapping) -> PlanVersion:
    return PlanVersion(
        id=int(row["id"]),
        version=int(row["version"]),
        plan=json.loads(row["body"]),
        sessions_per_week=int(row["sessions_per_week"]),
        effective_from=str(row["effective_from"]),
        created_at=str(row["created_at"]),
        created_by=str(row["created_by"]),
        origin=str(row["origin"]),
        reason=str(row["reason"] or ""),
        conflict=row["conflict"],
    )


def plan_versions(conn: Connection, patient_id: str, origin: str | None = None, after: int = 0) -> list[PlanVersion]:
    """The patient's plan versions, oldest first; only one origin and only ids above ``after`` if asked."""
    pv = tables.plan_versions
    query = sa.select(pv).where(pv.c.patient_id == patient_id, pv.c.id > after)
    if origin is not None:
        query = query.where(pv.c.origin == origin)
    rows = conn.execute(query.order_by(pv.c.version)).mappings().all()
    return [_version_of(row) for row in rows]


def _latest_server_version(conn: Connection, patient_id: str) -> PlanVersion | None:
    versions = plan_versions(conn, patient_id, origin="server")
    return versions[-1] if versions else None


def _home_plan(body: Mapping[str, Any]) -> tuple[dict[str, Any], str]:
    """The plan dict and the reason in a pushed home plan row, whichever way the home store nests
    them (its ``body`` column holds {"plan": ..., "reason": ...})."""
    inner = body.get("body")
    if isinstance(inner, Mapping) and isinstance(inner.get("plan"), Mapping):
        return dict(inner["plan"]), str(body.get("reason") or inner.get("reason") or "")
    plan = inner if isinstance(inner, Mapping) else body.get("plan", {})
    return dict(plan) if isinstance(plan, Mapping) else {}, str(body.get("reason") or "")


def record_home_plan(
    conn: Connection, patient_id: str, device_id: str, home_uuid: str, body: Mapping[str, Any], now: str
) -> PlanVersion | None:
    """A plan version changed at home, kept beside the server's; None when it was recorded before.

    The conflict rule: a home change made without knowing the server's latest version (its
    ``based_on_server_version`` is older, or null) is kept with the conflict written on it, and the
    server's version is issued again as the newest, so it stays current and the next pull brings
    it home, where it wins over the local change.
    """
    pv = tables.plan_versions
    if conn.execute(sa.select(pv.c.id).where(pv.c.home_uuid == home_uuid)).first() is not None:
        return None  # plan versions never change once made; a later seq of the row changes nothing here
    plan, reason = _home_plan(body)
    server = _latest_server_version(conn, patient_id)
    if _is_echo(conn, patient_id, plan, reason):
        return None
    based = body.get("based_on_server_version")
    known = based if isinstance(based, int) and not isinstance(based, bool) else 0
    conflict = None
    if server is not None and known < server.version:
        conflict = (
            f"changed at home while version {server.version} was assigned on the server; the server's version wins"
        )
    values = {
        "body": json.dumps(plan),
        "sessions_per_week": _whole(body.get("sessions_per_week"), plan.get("sessions_per_week")),
        "effective_from": str(body.get("effective_from") or now[:10]),
        "created_at": now,
        "created_by": f"home:{device_id}",
        "origin": "home",
        "home_uuid": home_uuid,
        "reason": reason,
        "conflict": conflict,
    }
    home = _insert_version(conn, patient_id, values)
    if server is not None and conflict is not None:
        _reissue(conn, patient_id, server, home.version, now)
    return home


def _is_echo(conn: Connection, patient_id: str, plan: Mapping[str, Any], reason: str) -> bool:
    """A server version the home stored after a pull and pushes back as one of its own rows.

    It changes nothing, so it must not become a home version (nor a conflict). The home marks
    these with the reason "from the clinic: ..."; a plan equal to a server version is one too.
    """
    if reason.startswith("from the clinic"):
        return True
    return any(version.plan == plan for version in plan_versions(conn, patient_id, origin="server"))


def _whole(*candidates: Any) -> int:
    for value in candidates:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    return 0


def _reissue(conn: Connection, patient_id: str, server: PlanVersion, home_version: int, now: str) -> None:
    values = {
        "body": json.dumps(server.plan),
        "sessions_per_week": server.sessions_per_week,
        "effective_from": server.effective_from,
        "created_at": now,
        "created_by": server.created_by,
        "origin": "server",
        "home_uuid": None,
        "reason": f"version {server.version} again, over the home's change (version {home_version}): {server.reason}",
        "conflict": None,
    }
    _insert_version(conn, patient_id, values)


# -- messages ---------------------------------------------------------------------------------------


def check_message(text: str) -> str:
    """The message without surrounding blanks; ValueError (one plain sentence) when empty or too long."""
    cleaned = text.strip()
    if not cleaned:
        raise ValueError("a message needs some text")
    if len(cleaned) > MESSAGE_MAX:
        raise ValueError(f"a message is at most {MESSAGE_MAX} characters; this one has {len(cleaned)}")
    return cleaned


def add_message(conn: Connection, patient_id: str, author_id: int | None, text: str, now: str) -> Message:
    """Store a message for the patient; ``author_id`` None for one written on the server's command line."""
    cleaned = check_message(text)
    values = {"patient_id": patient_id, "author_id": author_id, "text": cleaned, "created_at": now}
    key = conn.execute(sa.insert(tables.messages).values(**values)).inserted_primary_key
    assert key is not None
    email = conn.execute(sa.select(tables.users.c.email).where(tables.users.c.id == author_id)).scalar()
    return Message(int(key[0]), cleaned, now, str(email or CLINIC_AUTHOR))


def messages(conn: Connection, patient_id: str, after: int = 0) -> list[Message]:
    """The patient's messages from the clinic, oldest first, each with its author's email."""
    m, u = tables.messages, tables.users
    query = (
        sa.select(m.c.id, m.c.text, m.c.created_at, u.c.email)
        .select_from(m.outerjoin(u, u.c.id == m.c.author_id))
        .where(m.c.patient_id == patient_id, m.c.id > after)
        .order_by(m.c.id)
    )
    return [
        Message(int(r.id), str(r.text), str(r.created_at), str(r.email or CLINIC_AUTHOR)) for r in conn.execute(query)
    ]


# -- synced sessions ------------------------------------------------------------------------------


def _bodies(conn: Connection, patient_id: str, kind: str) -> list[tuple[str, dict[str, Any]]]:
    h = tables.home_rows
    query = sa.select(h.c.uuid, h.c.body).where(h.c.patient_id == patient_id, h.c.kind == kind)
    return [(str(r.uuid), json.loads(r.body)) for r in conn.execute(query)]


def session_summaries(conn: Connection, patient_id: str) -> list[SessionSummary]:
    """The patient's synced sessions, oldest first, with their reps counted and the best peak."""
    reps: dict[str, list[float]] = {}
    for _, rep in _bodies(conn, patient_id, "reps"):
        peak = rep.get("peak_deg")
        counted = reps.setdefault(str(rep.get("session_uuid")), [])
        counted.append(float(peak) if isinstance(peak, int | float) and not isinstance(peak, bool) else float("nan"))
    found = []
    for uuid, session in _bodies(conn, patient_id, "sessions"):
        peaks = [p for p in reps.get(uuid, []) if p == p]  # NaN (no peak stored) is not a best
        found.append(
            SessionSummary(
                uuid=uuid,
                started_at=str(session.get("started_at") or ""),
                game=str(session.get("game") or ""),
                movement=str(session.get("movement") or ""),
                status=str(session.get("status") or ""),
                reps=len(reps.get(uuid, [])),
                best_peak_deg=max(peaks) if peaks else None,
            )
        )
    return sorted(found, key=lambda s: (s.started_at, s.uuid))


def summary_lines(summaries: Sequence[SessionSummary]) -> list[str]:
    """The sessions as the command line prints them, one a line."""
    lines = []
    for s in summaries:
        best = f"best {s.best_peak_deg:.0f}°" if s.best_peak_deg is not None else "no peak"
        lines.append(f"{s.date}\t{s.game}\t{s.movement}\t{s.status}\t{s.reps} reps\t{best}")
    return lines
