"""The first page: per movement baseline against latest, adherence, pain, safety stops, the plan.

Baseline and latest are the median of the best peaks of the first and of the last three sessions
with reps: one good or bad day does not move them. Pain compares the mean pain before sessions over
the first 7 days with ratings against the last 7; a change of a point or more is a trend.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from datetime import date, timedelta

from progress.reports.model import (
    Adherence,
    Glance,
    MovementGlance,
    OutcomeScore,
    PlanEvent,
    PlanVersion,
    Rating,
    SessionSummary,
)
from progress.store import StoredRep
from rehab.core.motions import NORMAL_ROM_DEG, split_name

#: sessions taken for the baseline and for the latest value
WINDOW = 3
#: points of pain (0-10) the first and last weeks must differ by to call it a trend
PAIN_TREND_POINTS = 1.0


def movement_title(angle_name: str) -> str:
    """``knee_flexion_right`` -> "Knee flexion, right"."""
    motion, side = split_name(angle_name)
    words = motion.replace("_", " ").capitalize()
    return f"{words}, {side}" if side else words


def movement_glances(
    sessions: tuple[SessionSummary, ...], reps: tuple[StoredRep, ...], goals: dict[str, float]
) -> tuple[MovementGlance, ...]:
    by_movement: dict[str, list[SessionSummary]] = defaultdict(list)
    for session in sessions:
        if session.kind == "physical" and session.best_peak_deg is not None:
            by_movement[session.movement].append(session)
    movement_of = {s.session_id: s.movement for s in sessions}
    reps_of: dict[str, list[StoredRep]] = defaultdict(list)
    for rep in reps:
        reps_of[movement_of.get(rep.session_id, "")].append(rep)
    return tuple(_movement(name, by_movement[name], reps_of[name], goals.get(name)) for name in sorted(by_movement))


def _movement(name: str, sessions: list[SessionSummary], reps: list[StoredRep], goal: float | None) -> MovementGlance:
    peaks = [s.best_peak_deg for s in sessions if s.best_peak_deg is not None]
    baseline = statistics.median(peaks[:WINDOW]) if peaks else None
    latest = statistics.median(peaks[-WINDOW:]) if peaks else None
    holds = [r.hold_s for r in reps if r.hold_s is not None]
    sparc = [r.smoothness_sparc for r in reps if r.smoothness_sparc is not None]
    return MovementGlance(
        movement=name,
        title=movement_title(name),
        baseline_deg=baseline,
        latest_deg=latest,
        change_deg=latest - baseline if latest is not None and baseline is not None else None,
        goal_deg=goal,
        goal_met=latest >= goal if latest is not None and goal is not None else None,
        normal_deg=NORMAL_ROM_DEG.get(split_name(name)[0]),
        sessions=len(sessions),
        best_hold_s=max(holds) if holds else None,
        mean_hold_s=statistics.fmean(holds) if holds else None,
        mean_sparc=statistics.fmean(sparc) if sparc else None,
        compensations=dict(sorted(Counter(c for r in reps for c in r.compensations).items())),
        over_ceiling=sum(1 for r in reps if r.over_ceiling),
    )


def pain_trend(ratings: tuple[Rating, ...]) -> tuple[float | None, float | None, str]:
    """Mean pain before sessions, first 7 days with ratings and last 7, and which way it went."""
    before = [r for r in ratings if r.kind == "pain" and r.moment == "before"]
    if not before:
        return None, None, "not enough ratings"
    first_day, last_day = min(r.day for r in before), max(r.day for r in before)
    first = statistics.fmean(r.value for r in before if r.day < first_day + timedelta(days=7))
    last = statistics.fmean(r.value for r in before if r.day > last_day - timedelta(days=7))
    if (last_day - first_day).days < 7:
        return first, last, "not enough ratings"  # the two weeks would overlap
    if last <= first - PAIN_TREND_POINTS:
        return first, last, "falling"
    return first, last, "rising" if last >= first + PAIN_TREND_POINTS else "steady"


def plan_events(plans: tuple[PlanVersion, ...], start: date, end: date) -> tuple[PlanEvent, ...]:
    """Plan versions that began in the period, and the one in force at its start."""
    in_force = [p for p in plans if p.effective_from <= start]
    shown = ([in_force[-1]] if in_force else []) + [p for p in plans if start < p.effective_from <= end]
    return tuple(PlanEvent(p.version, p.effective_from, p.reason, p.changes) for p in shown)


def glance(
    movements: tuple[MovementGlance, ...],
    adherence: Adherence,
    ratings: tuple[Rating, ...],
    plans: tuple[PlanVersion, ...],
    outcomes: tuple[OutcomeScore, ...],
    period: tuple[date, date],
) -> Glance:
    first, last, trend = pain_trend(ratings)
    current = [p for p in plans if p.effective_from <= period[1]]
    plan = current[-1] if current else None
    return Glance(
        movements=movements,
        adherence=adherence,
        pain_first=first,
        pain_last=last,
        pain_trend=trend,
        stopped_for_safety=adherence.stopped_for_safety,
        plan_title=plan.title if plan else None,
        plan_version=plan.version if plan else None,
        plan_events=plan_events(plans, *period),
        outcome_flags=tuple(o for o in outcomes if o.flags),
    )
