"""A plausible patient history for benchmarks, tests and looking at reports without real patients.

Deterministic for a seed; dates are passed in. Range of motion improves over the weeks with
day-to-day noise, pain falls, some days are missed, and a few sessions are mental (SUDS, breathing).
"""

from __future__ import annotations

import math
import random
from datetime import date, timedelta

from progress.store import Store
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
    session_ids = []
    for offset in range(days):
        if rng.random() < miss_rate:
            continue
        day = first_day + timedelta(days=offset)
        at = f"{day.isoformat()}T{rng.randint(8, 19):02d}:{rng.randint(0, 59):02d}:00+00:00"
        if mental_every and offset % mental_every == mental_every - 1:
            session_ids.append(_mental_session(store, patient_id, at, rng))
            continue
        movement = movements[offset % len(movements)]
        plan_version = 1 if offset < days // 2 else 2
        progress = offset / max(1, days - 1)
        session_ids.append(
            _physical_session(store, patient_id, at, movement, plan_version, progress, reps_per_session, rng)
        )
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
) -> int:
    """One set of ``reps``, peaks rising with ``progress`` (0 on the first day, 1 on the last) as pain falls."""
    normal = 150.0 if "elbow" in movement else 180.0
    start_peak = normal * 0.55
    target = 110.0 + 25 * progress if "elbow" in movement else 120.0 + 30 * progress
    session_id = store.start_session(patient_id, at, "lift", movement, movement.rsplit("_", 1)[-1], "sim:elbow", target)
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


def _mental_session(store: Store, patient_id: str, at: str, rng: random.Random) -> int:
    session_id = store.start_session(patient_id, at, "breathe", "breathing", "", "sim:breath", 0.0)
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
