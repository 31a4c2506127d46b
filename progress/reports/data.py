"""One patient's period read from the store into frozen values that every report format shares.

Reading happens once, through the store's period queries (one per table, ``period.py``), so a year of
daily sessions (about 22,000 reps) loads in a fraction of a second; the writers never touch the
database. The values are defined in ``model.py`` and re-exported here: writers import from this module.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from progress.pseudonym import date_shift_days, pseudonym, shift_day, shift_iso
from progress.reports.adherence import compute_adherence
from progress.reports.glance import glance, movement_glances
from progress.reports.mental import mental_summaries
from progress.reports.model import (
    SAFETY_STOPS,
    STATUS_TEXT,
    Adherence,
    Glance,
    MentalSummary,
    MovementGlance,
    OutcomeScore,
    PlanEvent,
    PlanVersion,
    Rating,
    ReportData,
    ReportHeader,
    SessionSummary,
    VisitSummary,
    WeekAdherence,
)
from progress.reports.outcomes import outcome_scores
from progress.reports.period import PeriodRows, read_period
from progress.reports.visits import session_status_key, visit_summaries
from progress.store import PlanVersionRow, RatingRow, SessionRow, Store, StoredRep
from rehab.core.errors import RehabError

__all__ = [
    "SAFETY_STOPS",
    "STATUS_TEXT",
    "Adherence",
    "Glance",
    "MentalSummary",
    "MovementGlance",
    "OutcomeScore",
    "PlanEvent",
    "PlanVersion",
    "Rating",
    "ReportData",
    "ReportError",
    "ReportHeader",
    "SessionSummary",
    "VisitSummary",
    "WeekAdherence",
    "adherence",
    "days",
    "load_report",
    "parse_day",
]


class ReportError(RehabError):
    """The report cannot be made as asked (unknown patient, no sessions in the period)."""


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
    header: ReportHeader | None = None,
) -> ReportData:
    """Read one patient's sessions between ``start`` and ``end`` (inclusive dates, local to each session).

    Pseudonymised, the id becomes its pseudonym and every date moves by the patient's secret shift
    (``progress.pseudonym.date_shift_days``); times of day are left out."""
    if start and end and start > end:
        raise ReportError(f"the period is empty: --from {start} is after --to {end}")
    if not store.has_patient(patient_id):
        raise ReportError(f"no patient {patient_id!r} in this database ('rehab patients list' shows who is there)")
    lo, hi = (start or date.min).isoformat(), (end or date.max).isoformat()
    shift = date_shift_days(store.pseudonym_secret(), patient_id) if pseudonymize else 0
    rows = read_period(store, patient_id, lo, hi, shift)
    if not rows.sessions and not rows.visits:
        between = f" between {lo if start else 'the start'} and {hi if end else 'today'}" if start or end else ""
        raise ReportError(f"patient {patient_id!r} has no sessions{between}: nothing to report")
    first_day = min([_day(s.started_at) for s in rows.sessions] + [_day(v.started_at) for v in rows.visits])
    last_day = max([_day(s.started_at) for s in rows.sessions] + [_day(v.started_at) for v in rows.visits])
    period = (shift_day(start, shift) if start else first_day, shift_day(end, shift) if end else last_day)
    shown = pseudonym(store.pseudonym_secret(), patient_id) if pseudonymize else patient_id
    header = _pseudonymous_header(header, shift) if pseudonymize else header or ReportHeader()
    return _assemble(store, rows, shown, period, shift_iso(generated_at, shift), pseudonymize, header, shift)


def _assemble(
    store: Store,
    rows: PeriodRows,
    patient: str,
    period: tuple[date, date],
    generated_at: str,
    pseudonymize: bool,
    header: ReportHeader,
    shift: int,
) -> ReportData:
    ratings = tuple(_rating(row) for row in rows.ratings)
    plan_versions = {row.id: row.version for row in rows.plans}
    visits = {v.id: v for v in rows.visits}
    status_keys = {s.id: session_status_key(s, visits.get(s.visit_id or "")) for s in rows.sessions}
    sessions = _summaries(rows, ratings, plan_versions, status_keys)
    plans = tuple(_plan(row) for row in rows.plans)
    visit_rows = visit_summaries(rows.visits, rows.sessions, ratings, plan_versions)

    def plan_on(day: date) -> PlanVersion | None:
        return next((p for p in reversed(plans) if p.effective_from <= day), None)

    adherence_ = compute_adherence(*period, visit_rows, sessions, plan_on)
    outcomes = outcome_scores(rows.outcomes)
    end_plan = plan_on(period[1])
    movements = movement_glances(sessions, rows.reps, end_plan.goals_deg if end_plan else {})
    data = ReportData(
        patient=patient,
        pseudonymized=pseudonymize,
        start=period[0],
        end=period[1],
        generated_at=generated_at[:10] if pseudonymize else generated_at,
        sessions=_without_times(sessions) if pseudonymize else sessions,
        reps=rows.reps,
        ratings=tuple(_date_only(r) for r in ratings) if pseudonymize else ratings,
        plans=plans,
        breathing=_breathing(store, sessions, rows.summaries),
        visits=tuple(_date_only(v) for v in visit_rows) if pseudonymize else visit_rows,
        adherence=adherence_,
        mental=mental_summaries(rows.sessions, status_keys, rows.summaries, ratings),
        outcomes=tuple(_date_only(o) for o in outcomes) if pseudonymize else outcomes,
        glance=glance(movements, adherence_, ratings, plans, outcomes, period),
        header=header,
        date_shift_days=shift,
    )
    return data


def _pseudonymous_header(header: ReportHeader | None, shift: int) -> ReportHeader:
    """Clinic and clinician are left out (with the dates they would narrow down who the patient is);
    the diagnosis and the side stay, as a reader of the data needs them; the surgery date moves."""
    if header is None:
        return ReportHeader()
    surgery = shift_day(header.surgery_date, shift) if header.surgery_date else None
    return ReportHeader(None, None, header.diagnosis, header.operated_side, surgery)


def _day(text: str) -> date:
    return date.fromisoformat(text[:10])


def _date_only(value: Any) -> Any:
    """The same value with its ``at`` or ``started_at`` cut to the date: pseudonymised reports give
    no time of day."""
    from dataclasses import replace

    name = "at" if hasattr(value, "at") else "started_at"
    return replace(value, **{name: getattr(value, name)[:10]})


def _without_times(sessions: tuple[SessionSummary, ...]) -> tuple[SessionSummary, ...]:
    from dataclasses import replace

    return tuple(
        replace(s, started_at=s.started_at[:10], ended_at=s.ended_at[:10] if s.ended_at else None) for s in sessions
    )


def _summaries(
    rows: PeriodRows, ratings: tuple[Rating, ...], plan_versions: dict[int, int], status_keys: dict[int, str]
) -> tuple[SessionSummary, ...]:
    reps_by_session: dict[int, list[StoredRep]] = defaultdict(list)
    for rep in rows.reps:
        reps_by_session[rep.session_id].append(rep)
    pain = {(r.session_id, r.moment): r.value for r in ratings if r.kind == "pain" and r.session_id is not None}
    return tuple(
        _summary(row, reps_by_session.get(row.id, []), pain, plan_versions, rows.prescribed_reps, status_keys[row.id])
        for row in rows.sessions
    )


def _summary(
    row: SessionRow,
    reps: list[StoredRep],
    pain: dict[tuple[int, str], float],
    plan_versions: dict[int, int],
    prescribed: dict[int, int],
    status_key: str,
) -> SessionSummary:
    return SessionSummary(
        session_id=row.id,
        day=_day(row.started_at),
        started_at=row.started_at,
        ended_at=row.ended_at,
        kind=row.kind or "physical",
        game=row.game,
        movement=row.movement,
        side=row.side or None,
        status=row.status,
        target_deg=row.target_deg if row.kind == "physical" else None,
        plan_version=plan_versions.get(row.plan_id) if row.plan_id is not None else None,
        prescribed_reps=prescribed.get(row.id) if row.kind == "physical" else None,
        pain_before=pain.get((row.id, "before")),
        pain_after=pain.get((row.id, "after")),
        status_key=status_key,
        visit_id=row.visit_id,
        **_rep_summary(reps),
    )


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


def _breathing(
    store: Store, sessions: tuple[SessionSummary, ...], summaries: dict[int, dict[str, Any]]
) -> dict[int, tuple[tuple[float, ...], tuple[float, ...]]]:
    """Session id -> (seconds, breaths per minute) for the mental sessions that measured it: the
    stored stream, else the game's per-minute rates (each at its minute's middle)."""
    breathing = {}
    for session in sessions:
        if session.kind != "mental":
            continue
        for stream in store.streams(session.session_id, "breathing_rate"):
            breathing[session.session_id] = (stream.t, stream.values)
        rates = summaries.get(session.session_id, {}).get("rate_by_minute_bpm") or []
        if session.session_id not in breathing and rates:
            breathing[session.session_id] = (tuple(60.0 * i + 30.0 for i in range(len(rates))), tuple(rates))
    return breathing


def _rating(row: RatingRow) -> Rating:
    return Rating(
        day=_day(row.at),
        at=row.at,
        kind=row.kind,
        value=row.value,
        session_id=row.session_id,
        t=row.t,
        moment=row.moment,
    )


def _plan(row: PlanVersionRow) -> PlanVersion:
    goals = {str(k): float(v) for k, v in (row.body.get("goals_deg") or {}).items()}
    plan = row.body.get("plan") or {}
    return PlanVersion(
        version=row.version,
        effective_from=_day(row.effective_from),
        sessions_per_week=row.sessions_per_week,
        goals_deg=goals,
        reason=str(row.body.get("reason") or ""),
        changes=tuple(_change_text(c) for c in row.body.get("changes") or []),
        title=str(plan["title"]) if isinstance(plan, dict) and plan.get("title") else None,
    )


_CHANGED_FIELDS = {"target_deg": ("target", "°"), "target_percent": ("target", "% of the calibrated range")}


def _change_text(change: Any) -> str:
    """A stored progression change as a clinician reads it: "Knee bend: target from 90° to 95°
    (target reached in 3 sessions in a row)"."""
    if not isinstance(change, dict):
        return str(change)
    what, unit = _CHANGED_FIELDS.get(str(change.get("field", "")), (str(change.get("field", "")), ""))

    def value(number: Any) -> str:
        return f"{number:g}{unit}" if isinstance(number, (int, float)) else str(number)

    text = f"{change.get('name', '')}: {what} from {value(change.get('old', ''))} to {value(change.get('new', ''))}"
    return text + (f" ({change['reason']})" if change.get("reason") else "")


def days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def adherence(data: ReportData) -> tuple[dict[date, int], dict[date, float]]:
    """Guided sessions completed per day, and sessions prescribed per day (the weekly prescription
    spread over 7 days). ``data.adherence`` holds the weekly and overall counts."""
    done: dict[date, int] = defaultdict(int)
    for visit in data.visits:
        if visit.status == "completed":
            done[visit.day] += 1
    prescribed = {}
    for day in days(data.start, data.end):
        plan = data.plan_on(day)
        prescribed[day] = plan.sessions_per_week / 7 if plan else 0.0
    return dict(done), prescribed
