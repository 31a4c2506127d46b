"""Compensations: the patient reaching the goal by moving something else.

Leaning the trunk sideways lifts the hand without more shoulder motion; shifting onto one leg makes
a squat look deeper on the other side. A therapist wants those reps marked, not hidden. The monitor
compares each rep against the patient's own posture between reps, so a patient who stands a little
crooked is not flagged for it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from rehab.types import JointAngles

#: sideways trunk lean, degrees beyond the patient's resting posture, that counts as compensating
TRUNK_LEAN_DEG = 10.0
#: difference between the two knees' flexion at the bottom of a squat that counts as uneven
KNEE_ASYMMETRY_DEG = 15.0
#: how quickly the resting posture follows the patient between reps (share per sample)
BASELINE_FOLLOW = 0.05


@dataclass(frozen=True)
class CompensationRules:
    watch_trunk_lean: bool
    watch_knee_symmetry: bool

    @classmethod
    def for_movement(cls, angle_name: str) -> CompensationRules:
        """Shoulder work is watched for trunk lean; knee and hip work for lean and uneven knees."""
        motion = angle_name.split("_")[0]
        return cls(
            watch_trunk_lean=motion in ("shoulder", "knee", "hip", "elbow"),
            watch_knee_symmetry=motion in ("knee", "hip"),
        )


class CompensationMonitor:
    """Feed every JointAngles with whether a rep is in progress; ``take()`` the flags when it ends."""

    def __init__(self, rules: CompensationRules) -> None:
        self.rules = rules
        self._baseline = math.nan
        self._flags: set[str] = set()

    def observe(self, angles: JointAngles, in_rep: bool) -> None:
        lean = angles.get("trunk_lateral_flexion")
        if self.rules.watch_trunk_lean and math.isfinite(lean):
            if not in_rep:
                self._baseline = lean if math.isnan(self._baseline) else (
                    self._baseline + BASELINE_FOLLOW * (lean - self._baseline))  # fmt: skip
            elif math.isfinite(self._baseline) and abs(lean - self._baseline) > TRUNK_LEAN_DEG:
                self._flags.add("trunk_lean")
        if self.rules.watch_knee_symmetry and in_rep:
            left, right = angles.get("knee_flexion_left"), angles.get("knee_flexion_right")
            deep_enough = math.isfinite(left) and math.isfinite(right) and max(left, right) > 30
            if deep_enough and abs(left - right) > KNEE_ASYMMETRY_DEG:
                self._flags.add("uneven_knees")

    def take(self) -> tuple[str, ...]:
        """The compensations seen since the last call, sorted, and start afresh."""
        flags, self._flags = tuple(sorted(self._flags)), set()
        return flags
