"""From joint angles to game controls, normalised to the patient's own range.

A patient who can reach 60 degrees wins at 60: ``level`` is 0 at their rest angle and 1 at their
target, whatever the absolute numbers are.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from rehab.filters import OneEuroFilter
from rehab.types import Controls, JointAngles

#: levels are clipped here so a wild estimate cannot throw a game object off screen
MAX_LEVEL = 1.5


@dataclass(frozen=True)
class Calibration:
    """The patient's range for one movement, degrees."""

    angle_name: str
    rest_deg: float
    target_deg: float

    def level(self, angle_deg: float) -> float:
        span = self.target_deg - self.rest_deg
        if math.isnan(angle_deg) or span == 0:
            return 0.0
        return min(max((angle_deg - self.rest_deg) / span, 0.0), MAX_LEVEL)


class ControlMapper:
    """Smooths one angle with a One Euro filter and maps it to ``Controls``."""

    def __init__(self, calibration: Calibration, smoothing: OneEuroFilter | None = None) -> None:
        self.calibration = calibration
        self.filter = smoothing or OneEuroFilter()

    def __call__(self, angles: JointAngles) -> Controls:
        angle = self.filter(angles.t, angles.get(self.calibration.angle_name))
        tracking = not math.isnan(angle)
        return Controls(t=angles.t, level=self.calibration.level(angle), angle_deg=angle, tracking=tracking)
