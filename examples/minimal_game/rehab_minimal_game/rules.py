"""Kite's rules: no drawing, no clock, no devices. Time comes in as ``dt``; input as ``Controls``."""

from __future__ import annotations

from dataclasses import dataclass

from rehab.engine.api import Controls

#: how fast the kite follows the arm, share of the gap closed per second
FOLLOW_PER_S = 6.0
#: the level (0 at rest, 1 at the patient's target) that counts as flying high
HIGH_LEVEL = 0.9


@dataclass(frozen=True)
class KiteSnapshot:
    """What the renderer draws: immutable, so drawing can never change the game."""

    t: float
    height: float  # 0 on the ground .. 1 at the target
    high: bool  # flying at the target now
    climbs: int  # how many times the kite climbed to the target


class KiteGame:
    name = "kite"

    def __init__(self, hold_s: float = 1.0) -> None:
        self.hold_s = hold_s
        self.t = 0.0
        self.height = 0.0
        self.climbs = 0
        self._high = False

    def update(self, dt: float, controls: Controls) -> None:
        self.t += dt
        goal = min(max(controls.level, 0.0), 1.2) if controls.tracking else self.height
        self.height += (goal - self.height) * min(1.0, FOLLOW_PER_S * dt)
        high = self.height >= HIGH_LEVEL
        if high and not self._high:
            self.climbs += 1
        self._high = high

    def snapshot(self) -> KiteSnapshot:
        return KiteSnapshot(t=self.t, height=self.height, high=self._high, climbs=self.climbs)
