"""Scripted joint-angle streams: how a game describes the plausible patient behind ``--input sim``.

Each game describes a plausible patient with these pieces (reps of one motion, two-sided
alternation, a correlated second motion); the result is a list of JointAngles at 30 Hz with
tracker-like jitter, played through the same loop as a live session.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from rehab.core.types import JointAngles


@dataclass(frozen=True)
class RepScript:
    """Timing of one simulated rep, seconds, and its peak angle in degrees."""

    peak_deg: float
    rest_s: float = 1.2
    rise_s: float = 1.3
    hold_s: float = 1.0
    lower_s: float = 1.6

    @property
    def total_s(self) -> float:
        return self.rest_s + self.rise_s + self.hold_s + self.lower_s


def minimum_jerk(fraction: float) -> float:
    """Position along a minimum-jerk move (Flash and Hogan, 1985): 0 at start, 1 at the end."""
    s = min(max(fraction, 0.0), 1.0)
    return 10 * s**3 - 15 * s**4 + 6 * s**5


def angle_at(t: float, reps: list[RepScript], rest_deg: float) -> float:
    """The scripted angle at time ``t`` (seconds from the start)."""
    start = 0.0
    for rep in reps:
        local = t - start
        if local < rep.total_s:
            rise_at = rep.rest_s
            top_at = rise_at + rep.rise_s
            lower_at = top_at + rep.hold_s
            span = rep.peak_deg - rest_deg
            if local < rise_at:
                return rest_deg
            if local < top_at:
                return rest_deg + span * minimum_jerk((local - rise_at) / rep.rise_s)
            if local < lower_at:
                return rep.peak_deg
            return rep.peak_deg - span * minimum_jerk((local - lower_at) / rep.lower_s)
        start += rep.total_s
    return rest_deg


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
