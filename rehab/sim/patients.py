"""Simulated patients for guided sessions and tests: prescribed sets, and tracking lost for a while."""

from __future__ import annotations

import math

import numpy as np

from rehab.core.types import JointAngles
from rehab.engine.scripted_motion import MotionScript, simulate_angles


def nan_gap(samples: list[JointAngles], start_s: float, end_s: float) -> list[JointAngles]:
    """The same stream with tracking lost between two times (the patient stepped out of view)."""
    return [
        JointAngles(t=s.t, values=dict.fromkeys(s.values, math.nan), confidence=dict.fromkeys(s.values, 0.0))
        if start_s <= s.t < end_s
        else s
        for s in samples
    ]


def prescribed_patient(
    angle_name: str,
    rest_deg: float,
    goal_deg: float,
    ceiling_deg: float,
    reps: int,
    hold_s: float,
    signed: bool = False,
    seed: int = 0,
) -> list[JointAngles]:
    """A simulated patient doing one prescribed set: ``reps`` movements around the goal (most reach
    it, one falls short, none passes the ceiling), each held a little longer than asked. Two-sided
    movements alternate right and left."""
    rng = np.random.default_rng(seed)
    top = min(goal_deg * 1.12, rest_deg + 0.97 * (ceiling_deg - rest_deg))
    peaks = [float(rng.uniform(min(goal_deg * 1.02, top), top)) for _ in range(reps)]
    peaks[int(rng.integers(0, reps))] = rest_deg + 0.85 * (goal_deg - rest_deg)  # one rep short of the goal
    if signed:
        peaks = [p if i % 2 == 0 else -p for i, p in enumerate(peaks)]
    script = MotionScript(angle_name, rest_deg, peaks, hold_s=hold_s + 0.4, noise_deg=1.0)
    return simulate_angles([script], seed=seed)
