"""Adherence: prescribed guided sessions done, per week (Monday to Sunday) and overall.

The rule (docs/report_formats.md says it to readers):
- done: guided sessions (visits) completed; their parts (each exercise, breathing, exposure) count
  once together, and free play never counts (it is shown apart);
- prescribed: for each day of the period on or after the first plan, the weekly sessions of the plan
  in force that day divided by 7, summed per week and rounded half up; a week cut by the period's
  first or last day is so prorated, a whole week gets exactly the plan's number;
- the percent is the real one, above 100 when more than prescribed were done (the text says so).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date, timedelta

from progress.reports.model import SAFETY_STOPS, Adherence, PlanVersion, SessionSummary, VisitSummary, WeekAdherence

#: statuses of a visit that ended early or never began
_STOPPED = frozenset(
    {"stopped_for_pain", "stopped_by_patient", "pain_too_high", "device_lost", "ended_by_physio", "interrupted"}
)


def compute_adherence(
    start: date,
    end: date,
    visits: tuple[VisitSummary, ...],
    sessions: tuple[SessionSummary, ...],
    plan_on: Callable[[date], PlanVersion | None],
) -> Adherence:
    weeks = []
    monday = start - timedelta(days=start.weekday())
    while monday <= end:
        days = [monday + timedelta(days=i) for i in range(7) if start <= monday + timedelta(days=i) <= end]
        weeks.append(_week(monday, days, [v for v in visits if v.day in days], plan_on))
        monday += timedelta(days=7)
    in_period = [v for v in visits if start <= v.day <= end]
    prescribed = sum(w.prescribed for w in weeks)
    done = sum(w.done for w in weeks)
    return Adherence(
        weeks=tuple(weeks),
        prescribed=prescribed,
        done=done,
        stopped_for_safety=sum(1 for v in in_period if v.status in SAFETY_STOPS),
        not_started=sum(1 for v in in_period if v.status == "pain_too_high"),
        percent=_percent(done, prescribed),
        free_play_sessions=sum(1 for s in sessions if s.visit_id is None and start <= s.day <= end),
    )


def _week(
    monday: date, days: list[date], visits: list[VisitSummary], plan_on: Callable[[date], PlanVersion | None]
) -> WeekAdherence:
    share = 0.0
    for day in days:
        plan = plan_on(day)
        share += plan.sessions_per_week / 7 if plan else 0.0
    prescribed = math.floor(share + 0.5)
    done = sum(1 for v in visits if v.status == "completed")
    return WeekAdherence(
        week_start=monday,
        prescribed=prescribed,
        done=done,
        stopped=sum(1 for v in visits if v.status in _STOPPED),
        percent=_percent(done, prescribed),
    )


def _percent(done: int, prescribed: int) -> float | None:
    return 100.0 * done / prescribed if prescribed else None
