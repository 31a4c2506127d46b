"""From joint angles to game controls, normalised to the patient's own range.

A patient who can reach 60 degrees wins at 60: ``level`` is 0 at their rest angle and 1 at their
target, whatever the absolute numbers are. Two-sided movements (a head turn, a side bend) map to
-1..1 around neutral, negative towards the patient's left.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from rehab.core.types import Controls, JointAngles
from rehab.engine.filters import filter_for

#: levels are clipped here so a wild estimate cannot throw a game object off screen
MAX_LEVEL = 1.5


@dataclass(frozen=True)
class Calibration:
    """The patient's range for one movement, degrees. Signed movements use ``target_deg`` both ways."""

    angle_name: str
    rest_deg: float
    target_deg: float
    signed: bool = False

    def level(self, angle_deg: float) -> float:
        span = self.target_deg - self.rest_deg
        if math.isnan(angle_deg) or span == 0:
            return 0.0
        share = (angle_deg - self.rest_deg) / span
        low = -MAX_LEVEL if self.signed else 0.0
        return min(max(share, low), MAX_LEVEL)


@dataclass(frozen=True)
class Axis:
    """A further movement a game reads from ``Controls.axes`` under ``key``."""

    key: str
    calibration: Calibration


class ControlMapper:
    """Smooths each angle with the One Euro filter the motion registry tunes for it (the same
    smoothing ``rehab track`` uses) and maps them to ``Controls``."""

    def __init__(self, calibration: Calibration, axes: tuple[Axis, ...] = ()) -> None:
        self.calibration = calibration
        self.axes = axes
        self.filter = filter_for(calibration.angle_name)
        self._axis_filters = {axis.key: filter_for(axis.calibration.angle_name) for axis in axes}

    def __call__(self, angles: JointAngles) -> Controls:
        angle = self.filter(angles.t, angles.get(self.calibration.angle_name))
        axes = {}
        for axis in self.axes:
            value = self._axis_filters[axis.key](angles.t, angles.get(axis.calibration.angle_name))
            if not math.isnan(value):
                axes[axis.key] = axis.calibration.level(value)
        return Controls(
            t=angles.t,
            level=self.calibration.level(angle),
            angle_deg=angle,
            tracking=not math.isnan(angle),
            axes=axes,
        )
