"""Simulated exercise sessions: a synthetic skeleton doing reps, with the noise a webcam tracker has.

The built-in demo and the tests use this instead of a camera. Motion follows minimum-jerk
trajectories (how people move between rest and a target), peaks vary from rep to rep and fall as
the patient tires, and landmarks jitter by about a centimetre (more in depth, as single-camera
estimates do).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, replace

import numpy as np

from rehab.core.types import PoseFrame
from rehab.engine.scripted_motion import RepScript, angle_at
from rehab.sim.skeleton import Posture, world_points

#: exercise -> (posture field to drive, arm plane in degrees for arm elevation)
EXERCISES: dict[str, tuple[str, float]] = {
    "elbow_flexion": ("elbow_flexion", 0.0),
    "shoulder_abduction": ("arm_elevation", 0.0),
    "shoulder_flexion": ("arm_elevation", 90.0),
    "knee_flexion": ("knee_flexion", 0.0),
}


@dataclass(frozen=True)
class SimulatedSession:
    exercise: str = "elbow_flexion"
    side: str = "left"
    peaks_deg: tuple[float, ...] = (128.0, 133.0, 126.0, 122.0, 108.0, 124.0)
    rest_deg: float = 8.0
    fps: float = 30.0
    noise_m: float = 0.008
    depth_noise_m: float = 0.015
    tremor_deg: float = 0.8
    facing_deg: float = 0.0
    seed: int = 7

    def __post_init__(self) -> None:
        if self.exercise not in EXERCISES:
            raise ValueError(f"unknown exercise {self.exercise!r}; known: {', '.join(EXERCISES)}")
        if self.side not in ("left", "right"):
            raise ValueError(f"side must be left or right, got {self.side!r}")

    @property
    def scripts(self) -> list[RepScript]:
        return [RepScript(peak_deg=p) for p in self.peaks_deg]

    @property
    def duration_s(self) -> float:
        # a short rest after the last rep, as a real session ends
        return sum(r.total_s for r in self.scripts) + 1.0

    def true_angle(self, t: float) -> float:
        """The exact angle the skeleton is put in at ``t`` (before tremor and landmark noise)."""
        return angle_at(t, self.scripts, self.rest_deg)

    def posture(self, angle_deg: float) -> Posture:
        field_name, plane = EXERCISES[self.exercise]
        posture = Posture(facing_deg=self.facing_deg)
        # the other arm rests with a slight bend, as a real patient's does
        values = {"left": 0.0, "right": 0.0}
        elbows = {"left": 5.0, "right": 5.0}
        values[self.side] = angle_deg
        if field_name == "elbow_flexion":
            return replace(posture, elbow_flexion={**elbows, self.side: angle_deg})
        if field_name == "arm_elevation":
            return replace(
                posture,
                arm_elevation=values,
                arm_plane={"left": 90.0, "right": 90.0, self.side: plane},
                elbow_flexion=elbows,
            )
        return replace(posture, knee_flexion=values, elbow_flexion=elbows)

    def frames(self, start_t: float = 0.0) -> Iterator[PoseFrame]:
        rng = np.random.default_rng(self.seed)
        noise_sd = np.array([self.noise_m, self.noise_m, self.depth_noise_m])
        count = int(self.duration_s * self.fps)
        for i in range(count):
            t = i / self.fps
            tremor = self.tremor_deg * math.sin(2 * math.pi * 5.5 * t + rng.normal(0, 0.3))
            points = world_points(self.posture(self.true_angle(t) + tremor))
            points = points + rng.normal(0.0, 1.0, points.shape) * noise_sd
            visibility = np.clip(rng.normal(0.96, 0.02, 33), 0.0, 1.0)
            yield PoseFrame(t=start_t + t, world=points, visibility=visibility, frame_index=i)
