"""One patient's period read from the store into frozen values that every report format shares.

Reading happens once, through the store's period queries (one per table), so a year of daily
sessions (about 22,000 reps) loads in a fraction of a second; the writers never touch the database.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from progress.pseudonym import pseudonym
from progress.store import PlanVersionRow, RatingRow, SessionRow, Store, StoredRep
from rehab.core.errors import RehabError


class ReportError(RehabError):
    """The report cannot be made as asked (unknown patient, no sessions in the period)."""


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
    reps: tuple[StoredRep, ...]  # in session then rep order
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
    if not store.has_patient(patient_id):
        raise ReportError(f"no patient {patient_id!r} in this database ('rehab patients list' shows who is there)")
    lo, hi = (start or date.min).isoformat(), (end or date.max).isoformat()
    reps = store.reps_between(patient_id, lo, hi)
    ratings = [_rating(row, pseudonymize) for row in store.ratings_between(patient_id, lo, hi)]
    versions = store.plan_versions(patient_id)
    sessions = _summaries(
        store.sessions_between(patient_id, lo, hi),
        reps,
        ratings,
        {row.id: row.version for row in versions},
        store.prescribed_reps_between(patient_id, lo, hi),
        pseudonymize,
    )
    if not sessions:
        period = f" between {lo if start else 'the start'} and {hi if end else 'today'}" if start or end else ""
        raise ReportError(f"patient {patient_id!r} has no sessions{period}: nothing to report")
    shown = pseudonym(store.pseudonym_secret(), patient_id) if pseudonymize else patient_id
    return ReportData(
        patient=shown,
        pseudonymized=pseudonymize,
        start=start or sessions[0].day,
        end=end or sessions[-1].day,
        generated_at=generated_at[:10] if pseudonymize else generated_at,
        sessions=tuple(sessions),
        reps=tuple(reps),
        ratings=tuple(ratings),
        plans=tuple(_plan(row) for row in versions),
        breathing=_breathing(store, sessions),
    )


def _summaries(
    rows: list[SessionRow],
    reps: list[StoredRep],
    ratings: list[Rating],
    plan_versions: dict[int, int],
    prescribed: dict[int, int],
    pseudonymize: bool,
) -> list[SessionSummary]:
    reps_by_session: dict[int, list[StoredRep]] = defaultdict(list)
    for rep in reps:
        reps_by_session[rep.session_id].append(rep)
    pain = {(r.session_id, r.moment): r.value for r in ratings if r.kind == "pain" and r.session_id is not None}
    summaries = []
    for row in rows:
        session_reps = reps_by_session.get(row.id, [])
        summaries.append(
            SessionSummary(
                session_id=row.id,
                day=date.fromisoformat(row.started_at[:10]),
                started_at=row.started_at[:10] if pseudonymize else row.started_at,
                ended_at=row.ended_at[:10] if pseudonymize and row.ended_at else row.ended_at,
                kind=row.kind or "physical",
                game=row.game,
                movement=row.movement,
                side=row.side,
                status=row.status,
                target_deg=row.target_deg,
                plan_version=plan_versions.get(row.plan_id) if row.plan_id is not None else None,
                prescribed_reps=prescribed.get(row.id),
                pain_before=pain.get((row.id, "before")),
                pain_after=pain.get((row.id, "after")),
                **_rep_summary(session_reps),
            )
        )
    return summaries


def _rep_summary(reps: list[StoredRep]) -> dict[str, Any]:
    peaks = [r.peak_deg for r in reps if r.peak_deg is not None]
    roms = [r.rom_deg for r in reps if r.rom_deg is not None]
    return {
        "reps": len(reps),
        "successes": sum(1 for r in reps if r.success),
        "best_peak_deg": max(peaks) if peaks else None,
        "mean_peak_deg": statistics.fmean(peaks) if peaks else None,
        "best_rom_deg": max(roms) if roms else None,
        "mean_rom_deg": statistics.fmean(roms) if roms else None,
    }


def _breathing(store: Store, sessions: list[SessionSummary]) -> dict[int, tuple[tuple[float, ...], tuple[float, ...]]]:
    """Session id -> (seconds, breaths per minute) for the mental sessions that recorded it."""
    breathing = {}
    for session in sessions:
        if session.kind == "mental":
            for stream in store.streams(session.session_id, "breathing_rate"):
                breathing[session.session_id] = (stream.t, stream.values)
    return breathing


def _rating(row: RatingRow, pseudonymize: bool) -> Rating:
    return Rating(
        day=date.fromisoformat(row.at[:10]),
        at=row.at[:10] if pseudonymize else row.at,
        kind=row.kind,
        value=row.value,
        session_id=row.session_id,
        t=row.t,
        moment=row.moment,
    )


def _plan(row: PlanVersionRow) -> PlanVersion:
    goals = {str(k): float(v) for k, v in (row.body.get("goals_deg") or {}).items()}
    return PlanVersion(
        version=row.version,
        effective_from=date.fromisoformat(row.effective_from),
        sessions_per_week=row.sessions_per_week,
        goals_deg=goals,
    )


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
