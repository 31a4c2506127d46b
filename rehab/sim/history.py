"""A plausible patient history for benchmarks, tests and looking at reports without real patients.

Deterministic for a seed; dates are passed in. Range of motion improves over the weeks with
day-to-day noise, pain falls, some days are missed, and a few sessions are mental (SUDS, breathing).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from progress.store import Store
from rehab.core.questionnaires import Instrument, instrument, score
from rehab.core.types import RepMetrics


def fill_history(
    store: Store,
    patient_id: str,
    first_day: date,
    days: int,
    reps_per_session: int = 10,
    seed: int = 1,
    movements: tuple[str, ...] = ("elbow_flexion_left", "shoulder_flexion_left"),
    miss_rate: float = 0.15,
    mental_every: int = 0,
) -> list[int]:
    """Add about one session a day (one movement per day, in turn) and return the session ids."""
    rng = random.Random(seed)
    _add_plan_versions(store, patient_id, first_day, days, movements)
    plan_ids = {row.version: row.id for row in store.plan_versions(patient_id)}
    session_ids = []
    for offset in range(days):
        if rng.random() < miss_rate:
            continue
        day = first_day + timedelta(days=offset)
        at = f"{day.isoformat()}T{rng.randint(8, 19):02d}:{rng.randint(0, 59):02d}:00+00:00"
        plan_version = 1 if offset < days // 2 else 2
        # every session is one guided session (a visit) of its own, completed
        visit = store.start_visit(patient_id, at, plan_ids.get(plan_version))
        if mental_every and offset % mental_every == mental_every - 1:
            session_ids.append(_mental_session(store, patient_id, at, rng, visit))
        else:
            movement = movements[offset % len(movements)]
            progress = offset / max(1, days - 1)
            session_ids.append(
                _physical_session(store, patient_id, at, movement, plan_version, progress, reps_per_session, rng, visit)
            )
        store.end_visit(visit, at, "completed")
    return session_ids


def _add_plan_versions(store: Store, patient_id: str, first_day: date, days: int, movements: tuple[str, ...]) -> None:
    """Two plan versions: the first day's goals, then higher goals from halfway."""
    store.add_plan_version(
        patient_id,
        f"{first_day}T09:00:00+00:00",
        first_day.isoformat(),
        5,
        {"goals_deg": {m: 130.0 if "elbow" in m else 150.0 for m in movements}},
    )
    store.add_plan_version(
        patient_id,
        f"{first_day + timedelta(days=days // 2)}T09:00:00+00:00",
        (first_day + timedelta(days=days // 2)).isoformat(),
        6,
        {"goals_deg": {m: 140.0 if "elbow" in m else 165.0 for m in movements}},
    )


def _physical_session(
    store: Store,
    patient_id: str,
    at: str,
    movement: str,
    plan_version: int,
    progress: float,
    reps: int,
    rng: random.Random,
    visit: str | None = None,
) -> int:
    """One set of ``reps``, peaks rising with ``progress`` (0 on the first day, 1 on the last) as pain falls."""
    normal = 150.0 if "elbow" in movement else 180.0
    start_peak = normal * 0.55
    target = 110.0 + 25 * progress if "elbow" in movement else 120.0 + 30 * progress
    session_id = store.start_session(
        patient_id, at, "lift", movement, movement.rsplit("_", 1)[-1], "sim:elbow", target, visit_id=visit
    )
    store.set_session_plan(session_id, plan_version)
    store.start_set(session_id, 1, movement, reps, 0.0)
    pain = max(0.0, 6.5 - 5 * progress + rng.gauss(0, 0.8))
    store.add_rating(patient_id, at, "pain", round(min(10.0, pain)), session_id, 0.0, "before")
    level = start_peak + (normal * 0.9 - start_peak) * (1 - math.exp(-3 * progress))
    for index in range(1, reps + 1):
        peak = level + rng.gauss(0, 4) - 0.3 * index
        start_deg = 8 + rng.gauss(0, 2)
        t0 = 4.0 * index
        store.add_rep(
            session_id,
            RepMetrics(
                index=index,
                t_start=t0,
                t_end=t0 + 3.2,
                start_deg=start_deg,
                peak_deg=peak,
                rom_deg=peak - start_deg,
                hold_s=1.0 + rng.random(),
                duration_s=3.2,
                peak_velocity_dps=120 + rng.gauss(0, 15),
                target_deg=target,
                success=peak >= target,
                smoothness_sparc=-1.6 - rng.random(),
                compensations=("trunk_lean",) if rng.random() < 0.1 else (),
            ),
        )
    store.add_rating(patient_id, at, "pain", round(min(10.0, max(0.0, pain - 0.5))), session_id, 60.0, "after")
    store.finish_session(session_id, at)
    return session_id


def _mental_session(store: Store, patient_id: str, at: str, rng: random.Random, visit: str | None = None) -> int:
    session_id = store.start_session(patient_id, at, "breathe", "breathing", "", "sim:breath", 0.0, visit_id=visit)
    store.set_session_plan(session_id, None, kind="mental")
    suds = 60 + rng.gauss(0, 8)
    for minute in range(0, 11, 2):
        store.add_rating(
            patient_id,
            at,
            "suds",
            max(0.0, min(100.0, suds - 4 * minute + rng.gauss(0, 3))),
            session_id,
            minute * 60.0,
            "during",
        )
    t = [i * 5.0 for i in range(121)]
    store.add_stream(
        session_id, "breathing_rate", "1/min", t, [14 - 6 * (1 - math.exp(-x / 200)) + rng.gauss(0, 0.4) for x in t]
    )
    store.finish_session(session_id, at)
    return session_id


# -- patient histories for the three kinds of report --------------------------------------------

#: day of the history (from 0) -> how that guided session ends, for the physical part
PHYSICAL_EVENTS: dict[int, tuple[str, str | None]] = {
    5: ("stopped", "stopped_for_pain"),
    9: ("not_started", "pain_too_high"),
    12: ("stopped", "device_lost"),
    16: ("stopped", "stopped_by_patient"),
}
KNEE_MOVEMENTS = ("knee_flexion_right", "hip_flexion_right")
HISTORY_KINDS = ("physical", "mental", "mixed")


@dataclass(frozen=True)
class History:
    """What ``make_history`` stored, for tests to check reports against."""

    patient_id: str
    kind: str
    session_ids: tuple[int, ...]
    visit_ids: tuple[str, ...]
    free_play_ids: tuple[int, ...]
    outcome_ids: tuple[int, ...]


def make_history(
    store: Store, patient_id: str, first_day: date, days: int = 42, kind: str = "physical", seed: int = 1
) -> History:
    """A patient's guided sessions over ``days`` days from ``first_day``, deterministic for ``seed``.

    - physical: a right knee after surgery (knee and hip flexion), plan versions every two weeks
      with their reasons, sessions stopped for pain, by the patient and by a lost device, one day
      with pain too high to start, free play twice a week, the Oxford Knee Score every 28 days;
    - mental: breathing and exposure with their summaries, stress and SUDS answers and the breathing
      rate per minute; PHQ-9, GAD-7 and PSS-10 every 14 days, one PHQ-9 with thoughts of self-harm;
    - mixed: both in each guided session, and every questionnaire.
    """
    if kind not in HISTORY_KINDS:
        raise ValueError(f"unknown history kind {kind!r}; known: {', '.join(HISTORY_KINDS)}")
    rng = random.Random(seed)
    physical, mental = kind in ("physical", "mixed"), kind in ("mental", "mixed")
    plan_ids = _history_plans(store, patient_id, first_day, days, physical, mental)
    sessions: list[int] = []
    visits: list[str] = []
    free: list[int] = []
    for offset in range(days):
        day = first_day + timedelta(days=offset)
        if offset % 7 in (2, 6) and not (physical and offset in PHYSICAL_EVENTS):  # rest days: free play on some
            if physical and offset % 7 == 2:
                free.append(_free_play(store, patient_id, day, offset / max(1, days - 1), rng))
            continue
        plan_id = plan_ids[max(i for i in range(len(plan_ids)) if offset >= 14 * i)]
        visit, made = _guided_day(store, patient_id, day, offset, plan_id, physical, mental, days, rng)
        visits.append(visit)
        sessions += made
    outcomes = _questionnaires(store, patient_id, first_day, days, physical, mental, rng)
    return History(patient_id, kind, tuple(sessions), tuple(visits), tuple(free), tuple(outcomes))


def _history_plans(
    store: Store, patient_id: str, first_day: date, days: int, physical: bool, mental: bool
) -> list[int]:
    """One plan version every 14 days: the knee goal rises by 5 degrees each time, with its reason."""
    ids = []
    for index in range(max(1, (days + 13) // 14)):
        goal = 95.0 + 5 * index
        changes = [] if index == 0 or not physical else [
            {"exercise": 0, "name": "Knee bend", "field": "target_deg", "old": goal - 5, "new": goal,
             "reason": "target reached in 3 sessions in a row"}
        ]  # fmt: skip
        body = {
            "plan": {"title": _plan_title(physical, mental)},
            "reason": _plan_reason(index, physical),
            "goals_deg": {"knee_flexion_right": goal, "hip_flexion_right": 90.0} if physical else {},
            "changes": changes,
        }
        effective = first_day + timedelta(days=14 * index)
        version = store.add_plan_version(patient_id, f"{effective}T08:00:00+00:00", effective.isoformat(), 5, body)
        row = next(r for r in store.plan_versions(patient_id) if r.version == version)
        ids.append(row.id)
    return ids


def _plan_reason(index: int, physical: bool) -> str:
    if index == 0:
        return "first plan after surgery" if physical else "first plan"
    return "progression: targets reached" if physical else "review: exposure steps kept, pace kept"


def _plan_title(physical: bool, mental: bool) -> str:
    if physical and mental:
        return "Knee rehabilitation with breathing and exposure"
    return "Knee rehabilitation after surgery" if physical else "Breathing and graded exposure"


def _guided_day(
    store: Store,
    patient_id: str,
    day: date,
    offset: int,
    plan_id: int,
    physical: bool,
    mental: bool,
    days: int,
    rng: random.Random,
) -> tuple[str, list[int]]:
    """One guided session: pain before, its parts, pain after, and how it ended."""
    at = f"{day.isoformat()}T{9 + offset % 9:02d}:{rng.randint(0, 59):02d}:00+00:00"
    progress = offset / max(1, days - 1)
    status, reason = PHYSICAL_EVENTS.get(offset, ("completed", None)) if physical else ("completed", None)
    visit = store.start_visit(patient_id, at, plan_id)
    pain = round(min(10.0, max(0.0, 6 - 4 * progress + rng.gauss(0, 0.7))))
    if reason == "pain_too_high":
        store.add_rating(patient_id, at, "pain", 9.0, None, None, "before")
        store.end_visit(visit, at, status, reason)
        return visit, []
    made: list[int] = []
    if physical:
        for movement in KNEE_MOVEMENTS:
            made.append(_knee_session(store, patient_id, at, movement, plan_id, visit, progress, rng))
        store.add_rating(patient_id, at, "pain", pain, made[0], 0.0, "before")
    if mental and status == "completed":
        made.append(_breathing_session(store, patient_id, at, plan_id, visit, progress, rng))
        made.append(_exposure_session(store, patient_id, at, plan_id, visit, progress, rng))
    if reason == "stopped_for_pain":
        store.add_rating(patient_id, at, "pain", min(10.0, pain + 3), made[-1], 90.0, "during")
    elif status == "completed" and made:
        store.add_rating(patient_id, at, "pain", max(0.0, pain - 1), made[-1], 600.0, "after")
    ended = (datetime.fromisoformat(at) + timedelta(minutes=40)).isoformat()
    store.finish_unfinished(made, ended, "completed" if status == "completed" else "stopped")
    store.end_visit(visit, ended, status, reason)
    return visit, made


def _knee_session(
    store: Store,
    patient_id: str,
    at: str,
    movement: str,
    plan_id: int,
    visit: str,
    progress: float,
    rng: random.Random,
) -> int:
    """One exercise of a guided session: 8 reps rising over the weeks, with holds, smoothness and a
    trunk lean now and then."""
    knee = movement.startswith("knee")
    target = (95.0 if knee else 80.0) + 20 * progress
    session_id = store.start_session(
        patient_id, at, "lift", movement, "right", "sim:knee", target, plan_id=plan_id, kind="physical", visit_id=visit
    )
    store.start_set(session_id, 1, movement, 8, 0.0)
    level = (70.0 if knee else 60.0) + (45.0 if knee else 35.0) * (1 - math.exp(-3 * progress))
    for index in range(1, 9):
        _add_rep(store, session_id, index, level + rng.gauss(0, 3) - 0.3 * index, target, rng)
    return session_id


def _add_rep(store: Store, session_id: int, index: int, peak: float, target: float, rng: random.Random) -> None:
    start_deg = 5 + rng.gauss(0, 1.5)
    store.add_rep(
        session_id,
        RepMetrics(
            index=index,
            t_start=5.0 * index,
            t_end=5.0 * index + 3.5,
            start_deg=start_deg,
            peak_deg=peak,
            rom_deg=peak - start_deg,
            hold_s=1.0 + rng.random(),
            duration_s=3.5,
            peak_velocity_dps=90 + rng.gauss(0, 10),
            target_deg=target,
            success=peak >= target,
            smoothness_sparc=-1.5 - rng.random(),
            compensations=("trunk_lean",) if rng.random() < 0.15 else (),
            over_ceiling=rng.random() < 0.02,
        ),
    )


def _free_play(store: Store, patient_id: str, day: date, progress: float, rng: random.Random) -> int:
    """A game played outside the plan: no visit, no plan, ended by the player."""
    at = f"{day.isoformat()}T18:{rng.randint(0, 59):02d}:00+00:00"
    session_id = store.start_session(patient_id, at, "lift", "knee_flexion_right", "right", "sim:knee", 100.0)
    for index in range(1, 6):
        _add_rep(store, session_id, index, 75 + 35 * progress + rng.gauss(0, 3), 100.0, rng)
    store.finish_session(session_id, at, "stopped")
    return session_id


def _breathing_session(
    store: Store, patient_id: str, at: str, plan_id: int, visit: str, progress: float, rng: random.Random
) -> int:
    """Five minutes of paced breathing at 6 a minute: the rate settles towards the pace over the weeks."""
    session_id = store.start_session(
        patient_id, at, "breathe", "breath", "", "sim:breath", 0.0, plan_id=plan_id, kind="mental", visit_id=visit
    )
    stress = round(min(10.0, max(0.0, 7 - 4 * progress + rng.gauss(0, 0.8))))
    store.add_rating(patient_id, at, "stress", stress, session_id, 0.0, "before")
    rates = [round(6 + 6 * math.exp(-m / (3 - 2.2 * progress)) + rng.gauss(0, 0.3), 2) for m in range(5)]
    store.add_stream(session_id, "breathing_rate", "1/min", [60.0 * m + 30.0 for m in range(5)], rates)
    store.add_rating(patient_id, at, "stress", max(0.0, stress - 2), session_id, 300.0, "after")
    store.end_part(session_id, (datetime.fromisoformat(at) + timedelta(minutes=6)).isoformat())
    store.set_summary(
        session_id,
        {
            "breaths": int(sum(rates)),
            "pace_bpm": 6.0,
            "breathing_seconds": 300.0,
            "mean_rate_bpm": round(sum(rates) / len(rates), 3),
            "rate_by_minute_bpm": rates,
            "regularity": round(0.6 + 0.3 * progress, 3),
            "seconds_within_1_bpm_of_target": round(60 * sum(1 for r in rates if abs(r - 6) <= 1), 2),
            "stress_before": float(stress),
            "stress_after": float(max(0.0, stress - 2)),
        },
    )
    return session_id


def _exposure_session(
    store: Store, patient_id: str, at: str, plan_id: int, visit: str, progress: float, rng: random.Random
) -> int:
    """Graded exposure: SUDS rise at each new level, then fall; higher levels are reached with time."""
    session_id = store.start_session(
        patient_id, at, "exposure", "hand", "", "sim:hand", 0.0, plan_id=plan_id, kind="mental", visit_id=visit
    )
    top = 1 + int(3 * progress)
    store.add_rating(patient_id, at, "suds", 40.0, session_id, 0.0, "before")
    curves = []
    for level in range(1, top + 1):
        peak = round(min(100.0, 50 + 10 * level - 20 * progress + rng.gauss(0, 4)))
        last = round(max(0.0, peak - 25))
        store.add_rating(patient_id, at, "suds", peak, session_id, 120.0 * level - 60, "during")
        store.add_rating(patient_id, at, "suds", last, session_id, 120.0 * level, "during")
        curves.append({"level": level, "name": f"Step {level}", "seconds": 120.0, "peak": peak, "last": last})
    store.add_rating(patient_id, at, "suds", 20.0, session_id, 120.0 * top + 60, "after")
    store.end_part(session_id, (datetime.fromisoformat(at) + timedelta(minutes=2 * top + 1)).isoformat())
    store.set_summary(
        session_id,
        {
            "levels": top,
            "highest_level": top,
            "highest_level_name": f"Step {top}",
            "stops": 0,
            "finished": True,
            "seconds_per_level": {f"Step {n}": 120.0 for n in range(1, top + 1)},
            "suds_by_level": curves,
            "calm_seconds": 60.0,
        },
    )
    return session_id


def _questionnaires(
    store: Store, patient_id: str, first_day: date, days: int, physical: bool, mental: bool, rng: random.Random
) -> list[int]:
    """OKS every 28 days (physical); PHQ-9, GAD-7 and PSS-10 every 14 (mental), improving with time.
    The second PHQ-9 has item 9 answered 1: the report must flag it."""
    plan = [("oks", 28)] if physical else []
    plan += [("phq9", 14), ("gad7", 14), ("pss10", 14)] if mental else []
    made = []
    for measure, every in plan:
        for number, offset in enumerate(range(0, days, every)):
            tool = instrument(measure)
            better = offset / max(1, days - 1)
            answers = {}
            for item in tool.items:
                low, high = min(item.values), max(item.values)
                good = high if tool.higher_is_better else low
                bad = low if tool.higher_is_better else high
                mean = bad + (good - bad) * (0.3 + 0.6 * better)
                answers[item.key] = min(high, max(low, round(mean + rng.gauss(0, 0.5))))
            if measure == "phq9":
                answers["phq9_9"] = 1 if number == 1 else 0
            at = f"{first_day + timedelta(days=offset)}T20:00:00+00:00"
            made.append(_answer(store, patient_id, at, tool, answers))
    return made


def _answer(store: Store, patient_id: str, at: str, tool: Instrument, answers: dict[str, int]) -> int:
    response = store.start_outcome(patient_id, at, tool.id)
    for key, value in answers.items():
        store.record_answer(response, key, value)
    result = score(tool, answers)
    store.finish_outcome(response, "completed", result.total, result.band, result.flags)
    return response
