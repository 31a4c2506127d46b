"""Simulated joint-angle streams: what ``--input sim`` feeds a game, with no camera or skeleton.

Each game describes a plausible patient with these pieces (reps of one motion, two-sided
alternation, a correlated second motion); the result is a list of JointAngles at 30 Hz with
tracker-like jitter, played through the same loop as a live session.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from rehab.types import JointAngles

from .pose_sim import RepScript, angle_at


@dataclass(frozen=True)
class MotionScript:
    """One angle over time: reps from ``rest_deg`` to each peak (negative peaks go the other way)."""

    name: str  # full angle name, e.g. elbow_flexion_left or cervical_rotation
    rest_deg: float
    peaks_deg: Sequence[float]
    rise_s: float = 1.3
    hold_s: float = 1.0
    lower_s: float = 1.6
    rest_s: float = 1.2
    noise_deg: float = 2.0

    def scripts(self) -> list[RepScript]:
        return [RepScript(p, self.rest_s, self.rise_s, self.hold_s, self.lower_s) for p in self.peaks_deg]

    @property
    def duration_s(self) -> float:
        return sum(s.total_s for s in self.scripts()) + 1.0

    def at(self, t: float) -> float:
        return angle_at(t, self.scripts(), self.rest_deg)


def simulate_angles(
    motions: Sequence[MotionScript], fps: float = 30.0, seed: int = 0, duration_s: float | None = None
) -> list[JointAngles]:
    """JointAngles for every motion at ``fps``; jitter is Gaussian with each motion's ``noise_deg``."""
    rng = np.random.default_rng(seed)
    total = duration_s if duration_s is not None else max(m.duration_s for m in motions)
    samples = []
    for i in range(int(total * fps)):
        t = i / fps
        values = {m.name: m.at(t) + float(rng.normal(0.0, m.noise_deg)) for m in motions}
        samples.append(JointAngles(t=t, values=values, confidence=dict.fromkeys(values, 0.95)))
    return samples


def nan_gap(samples: list[JointAngles], start_s: float, end_s: float) -> list[JointAngles]:
    """The same stream with tracking lost between two times (the patient stepped out of view)."""
    return [
        JointAngles(t=s.t, values=dict.fromkeys(s.values, math.nan), confidence=dict.fromkeys(s.values, 0.0))
        if start_s <= s.t < end_s
        else s
        for s in samples
    ]


def prescribed_patient(angle_name: str, rest_deg: float, goal_deg: float, ceiling_deg: float, reps: int,
                       hold_s: float, signed: bool = False, seed: int = 0) -> list[JointAngles]:  # fmt: skip
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
