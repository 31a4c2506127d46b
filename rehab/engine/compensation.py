"""Compensations: the patient reaching the goal by moving something else.

Leaning the trunk sideways lifts the hand without more shoulder motion; shifting onto one leg makes
a squat look deeper on the other side. A therapist wants those reps marked, not hidden. The monitor
compares each rep against the patient's own posture between reps, so a patient who stands a little
crooked is not flagged for it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from rehab.core.motions import motion_of
from rehab.core.types import JointAngles

#: sideways trunk lean, degrees beyond the patient's resting posture, that counts as compensating
TRUNK_LEAN_DEG = 10.0
#: difference between the two knees' flexion at the bottom of a squat that counts as uneven
KNEE_ASYMMETRY_DEG = 15.0
#: rise of one side of the pelvis, degrees beyond the patient's resting posture, that counts as a hip hike
HIP_HIKE_DEG = 6.0
#: how quickly the resting posture follows the patient between reps (share per sample)
BASELINE_FOLLOW = 0.05


@dataclass(frozen=True)
class CompensationRules:
    watch_trunk_lean: bool
    watch_knee_symmetry: bool
    watch_hip_hike: bool = False

    @classmethod
    def for_movement(cls, angle_name: str) -> CompensationRules:
        """What the motion registry says to watch: arm work for trunk lean; knee and hip work for
        lean, uneven knees and hip hike; channels that are not motions for nothing."""
        motion = motion_of(angle_name)
        watched = motion.compensations if motion is not None else ()
        return cls(
            watch_trunk_lean="trunk_lean" in watched,
            watch_knee_symmetry="uneven_knees" in watched,
            watch_hip_hike="hip_hike" in watched,
        )


class CompensationMonitor:
    """Feed every JointAngles with whether a rep is in progress; ``take()`` the flags when it ends."""

    def __init__(self, rules: CompensationRules) -> None:
        self.rules = rules
        self._baselines: dict[str, float] = {}
        self._flags: set[str] = set()

    def _away_from_rest(self, angles: JointAngles, name: str, in_rep: bool, limit_deg: float) -> bool:
        """Follows ``name`` between reps as the patient's resting posture; during a rep, says
        whether it has moved more than ``limit_deg`` from there."""
        value = angles.get(name)
        if not math.isfinite(value):
            return False
        baseline = self._baselines.get(name, math.nan)
        if not in_rep:
            self._baselines[name] = value if math.isnan(baseline) else baseline + BASELINE_FOLLOW * (value - baseline)
            return False
        return math.isfinite(baseline) and abs(value - baseline) > limit_deg

    def observe(self, angles: JointAngles, in_rep: bool) -> None:
        if self.rules.watch_trunk_lean and self._away_from_rest(
            angles, "trunk_lateral_flexion", in_rep, TRUNK_LEAN_DEG
        ):
            self._flags.add("trunk_lean")
        if self.rules.watch_hip_hike and self._away_from_rest(angles, "pelvic_obliquity", in_rep, HIP_HIKE_DEG):
            self._flags.add("hip_hike")
        if self.rules.watch_knee_symmetry and in_rep:
            left, right = angles.get("knee_flexion_left"), angles.get("knee_flexion_right")
            deep_enough = math.isfinite(left) and math.isfinite(right) and max(left, right) > 30
            if deep_enough and abs(left - right) > KNEE_ASYMMETRY_DEG:
                self._flags.add("uneven_knees")

    def take(self) -> tuple[str, ...]:
        """The compensations seen since the last call, sorted, and start afresh."""
        flags, self._flags = tuple(sorted(self._flags)), set()
        return flags
