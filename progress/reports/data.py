"""One patient's period read from the store into frozen values that every report format shares.

Reading happens once, with one query per table, so a year of daily sessions (about 22,000 reps)
loads in a fraction of a second; the writers never touch the database.
"""

from __future__ import annotations

import json
import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from progress.pseudonym import pseudonym
from progress.store import Store
from rehab.core.errors import RehabError


class ReportError(RehabError):
    """The report cannot be made as asked (unknown patient, no sessions in the period)."""


#: rep columns exported as they are stored, in this order
REP_COLUMNS: tuple[str, ...] = (
    "session_id",
    "rep_index",
    "t_start",
    "t_end",
    "start_deg",
    "peak_deg",
    "rom_deg",
    "hold_s",
    "duration_s",
    "peak_velocity_dps",
    "target_deg",
    "success",
    "smoothness_sparc",
    "compensations",
    "over_ceiling",
)


@dataclass(frozen=True)
class SessionSummary:
    """One session with its reps summarised; angles in degrees. Aggregates are None without reps."""

    session_id: int
    day: date
    started_at: str  # ISO timestamp, or only the date when pseudonymised
    ended_at: str | None
    kind: str  # physical or mental
    game: str
    movement: str
    side: str | None
    status: str
    target_deg: float | None
    plan_version: int | None
    prescribed_reps: int | None
    reps: int
    successes: int
    best_peak_deg: float | None
    mean_peak_deg: float | None
    best_rom_deg: float | None
    mean_rom_deg: float | None
    pain_before: float | None
    pain_after: float | None


@dataclass(frozen=True)
class Rating:
    day: date
    at: str
    kind: str
    value: float
    session_id: int | None
    t: float | None
    moment: str


@dataclass(frozen=True)
class PlanVersion:
    version: int
    effective_from: date
    sessions_per_week: int
    goals_deg: dict[str, float]  # angle name -> goal peak angle


@dataclass(frozen=True)
class ReportData:
    """What a report shows. ``patient`` is the id, or its pseudonym when pseudonymised."""

    patient: str
    pseudonymized: bool
    start: date
    end: date
    generated_at: str
    sessions: tuple[SessionSummary, ...]
    reps: tuple[dict[str, Any], ...]  # rows as stored, with REP_COLUMNS plus movement
    ratings: tuple[Rating, ...]
    plans: tuple[PlanVersion, ...]
    #: session id -> (seconds, breaths per minute) for mental sessions
    breathing: dict[int, tuple[tuple[float, ...], tuple[float, ...]]]

    @property
    def movements(self) -> list[str]:
        return sorted({s.movement for s in self.sessions if s.kind == "physical" and s.reps})

    def plan_on(self, day: date) -> PlanVersion | None:
        current = None
        for plan in self.plans:
            if plan.effective_from <= day:
                current = plan
        return current

    def goal_deg(self, movement: str, day: date) -> float | None:
        plan = self.plan_on(day)
        return plan.goals_deg.get(movement) if plan else None


def parse_day(text: str, what: str) -> date:
    """A date given as YYYY-MM-DD (what users type), with a message that says which option was wrong."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ReportError(f"{what} {text!r} is not a date; use YYYY-MM-DD, e.g. 2026-11-25") from None


def load_report(
    store: Store,
    patient_id: str,
    generated_at: str,
    start: date | None = None,
    end: date | None = None,
    pseudonymize: bool = False,
) -> ReportData:
    """Read one patient's sessions between ``start`` and ``end`` (inclusive dates, local to each session)."""
    if start and end and start > end:
        raise ReportError(f"the period is empty: --from {start} is after --to {end}")
    if store.db.table("patients").count_where("id = ?", [patient_id]) == 0:
        raise ReportError(f"no patient {patient_id!r} in this database ('rehab patients list' shows who is there)")
    lo, hi = (start or date.min).isoformat(), (end or date.max).isoformat()
    in_period = "s.patient_id = ? and substr(s.started_at, 1, 10) between ? and ?"
    params = [patient_id, lo, hi]

    rep_rows = [
        dict(row)
        for row in store.db.query(
            f"select {', '.join('r.' + c for c in REP_COLUMNS)}, s.movement from reps r "
            f"join sessions s on s.id = r.session_id where {in_period} "
            "order by s.started_at, s.id, r.rep_index",
            params,
        )
    ]
    ratings = _ratings(store, patient_id, lo, hi, pseudonymize)
    plans = _plans(store, patient_id)
    plan_versions = {
        row["id"]: row["version"]
        for row in store.db.query("select id, version from plans where patient_id = ?", [patient_id])
    }
    prescribed: dict[int, int] = defaultdict(int)
    for row in store.db.query(
        f"select t.session_id, t.prescribed_reps from sets t join sessions s on s.id = t.session_id where {in_period}",
        params,
    ):
        prescribed[row["session_id"]] += row["prescribed_reps"] or 0
    reps_by_session: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in rep_rows:
        reps_by_session[row["session_id"]].append(row)
    pain: dict[tuple[int, str], float] = {}
    for rating in ratings:
        if rating.kind == "pain" and rating.session_id is not None:
            pain[(rating.session_id, rating.moment)] = rating.value

    sessions = []
    for row in store.db.query(f"select * from sessions s where {in_period} order by s.started_at, s.id", params):
        reps = reps_by_session.get(row["id"], [])
        peaks = [r["peak_deg"] for r in reps if r["peak_deg"] is not None]
        roms = [r["rom_deg"] for r in reps if r["rom_deg"] is not None]
        sessions.append(
            SessionSummary(
                session_id=row["id"],
                day=date.fromisoformat(row["started_at"][:10]),
                started_at=row["started_at"][:10] if pseudonymize else row["started_at"],
                ended_at=(row["ended_at"] or "")[:10] if pseudonymize and row["ended_at"] else row["ended_at"],
                kind=row.get("kind") or "physical",
                game=row["game"],
                movement=row["movement"],
                side=row["side"],
                status=row["status"],
                target_deg=row["target_deg"],
                plan_version=plan_versions.get(row.get("plan_id")),
                prescribed_reps=prescribed.get(row["id"]),
                reps=len(reps),
                successes=sum(1 for r in reps if r["success"]),
                best_peak_deg=max(peaks) if peaks else None,
                mean_peak_deg=statistics.fmean(peaks) if peaks else None,
                best_rom_deg=max(roms) if roms else None,
                mean_rom_deg=statistics.fmean(roms) if roms else None,
                pain_before=pain.get((row["id"], "before")),
                pain_after=pain.get((row["id"], "after")),
            )
        )
    if not sessions:
        period = f" between {lo if start else 'the start'} and {hi if end else 'today'}" if start or end else ""
        raise ReportError(f"patient {patient_id!r} has no sessions{period}: nothing to report")

    breathing = {}
    mental = [s.session_id for s in sessions if s.kind == "mental"]
    for session_id in mental:
        for stream in store.streams(session_id, "breathing_rate"):
            breathing[session_id] = (stream.t, stream.values)
    shown = pseudonym(store.pseudonym_secret(), patient_id) if pseudonymize else patient_id
    return ReportData(
        patient=shown,
        pseudonymized=pseudonymize,
        start=start or sessions[0].day,
        end=end or sessions[-1].day,
        generated_at=generated_at[:10] if pseudonymize else generated_at,
        sessions=tuple(sessions),
        reps=tuple(rep_rows),
        ratings=tuple(ratings),
        plans=tuple(plans),
        breathing=breathing,
    )


def _ratings(store: Store, patient_id: str, lo: str, hi: str, pseudonymize: bool) -> list[Rating]:
    rows = store.db.query(
        "select * from ratings where patient_id = ? and substr(at, 1, 10) between ? and ? order by at, t, id",
        [patient_id, lo, hi],
    )
    return [
        Rating(
            day=date.fromisoformat(r["at"][:10]),
            at=r["at"][:10] if pseudonymize else r["at"],
            kind=r["kind"],
            value=r["value"],
            session_id=r["session_id"],
            t=r["t"],
            moment=r["moment"],
        )
        for r in rows
    ]


def _plans(store: Store, patient_id: str) -> list[PlanVersion]:
    plans = []
    for row in store.db.query("select * from plans where patient_id = ? order by version", [patient_id]):
        body = json.loads(row["body"])
        goals = {str(k): float(v) for k, v in (body.get("goals_deg") or {}).items()}
        plans.append(
            PlanVersion(
                version=row["version"],
                effective_from=date.fromisoformat(row["effective_from"]),
                sessions_per_week=row["sessions_per_week"],
                goals_deg=goals,
            )
        )
    return plans


def days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def adherence(data: ReportData) -> tuple[dict[date, int], dict[date, float]]:
    """Sessions done per day, and sessions prescribed per day (the weekly prescription spread over 7 days)."""
    done: dict[date, int] = defaultdict(int)
    for session in data.sessions:
        if session.status == "completed" or session.reps:
            done[session.day] += 1
    prescribed = {}
    for day in days(data.start, data.end):
        plan = data.plan_on(day)
        prescribed[day] = plan.sessions_per_week / 7 if plan else 0.0
    return dict(done), prescribed
