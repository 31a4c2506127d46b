"""Lift: raise a weight on a pulley by bending the elbow, hold it at the shelf, lower it slowly.

Pure rules on pymunk physics; nothing here draws or reads a clock. The weight hangs from a rope
whose end follows the patient's movement through a damped spring, so it lags and settles like a
real load instead of teleporting with every jitter of the tracker.
"""

from __future__ import annotations

from dataclasses import dataclass

import pymunk

from rehab.core.i18n import _
from rehab.core.types import Controls

TRAVEL_M = 1.0  # height of the shelf above the floor, world metres
WEIGHT_KG = 2.0
SPRING_N_PER_M = 400.0
GRAVITY = 9.81
#: the weight counts as "at the shelf" above this share of the travel
SHELF_BAND = 0.9
#: below this share the weight is "down" and the next lift can start
FLOOR_BAND = 0.25
#: the rail ends a little above the shelf: overreaching cannot fling the weight away
MAX_HEIGHT = 1.05


@dataclass(frozen=True)
class LiftSnapshot:
    t: float
    weight_height: float  # 0 (floor) .. 1 (shelf), may overshoot a little
    hold_progress: float  # 0..1 of the hold needed at the shelf
    lifted: int
    phase: str  # lift, hold, lower, paused
    message: str
    level: float
    angle_deg: float


class LiftGame:
    name = "lift"

    def __init__(self, hold_s: float = 1.0) -> None:
        self.hold_s = hold_s
        self.space = pymunk.Space()
        self.space.gravity = (0.0, -GRAVITY)
        self.rope_end = pymunk.Body(body_type=pymunk.Body.KINEMATIC)
        self.weight = pymunk.Body(WEIGHT_KG, float("inf"))
        box = pymunk.Poly.create_box(self.weight, (0.3, 0.2))
        box.mass = WEIGHT_KG
        # the weight slides on a vertical rail under the pulley
        rail = pymunk.GrooveJoint(self.space.static_body, self.weight, (0, -0.2), (0, TRAVEL_M * MAX_HEIGHT), (0, 0))
        damping = 2.0 * (SPRING_N_PER_M * WEIGHT_KG) ** 0.5  # critically damped: no bouncing
        rope = pymunk.DampedSpring(self.rope_end, self.weight, (0, 0), (0, 0), 0.0, SPRING_N_PER_M, damping)
        floor = pymunk.Segment(self.space.static_body, (-1, -0.1), (1, -0.1), 0.0)
        self.space.add(self.rope_end, self.weight, box, rail, rope, floor)
        self._sag = WEIGHT_KG * GRAVITY / SPRING_N_PER_M
        self.rope_end.position = (0.0, self._sag)
        self.weight.position = (0.0, 0.0)
        self.t = 0.0
        self.lifted = 0
        self.phase = "lift"
        self._held = 0.0
        self._controls = Controls(t=0.0, level=0.0, angle_deg=float("nan"), tracking=False)

    @property
    def weight_height(self) -> float:
        return float(self.weight.position.y) / TRAVEL_M

    def update(self, dt: float, controls: Controls) -> None:
        self.t += dt
        self._controls = controls
        if not controls.tracking:
            # hold everything where it is until we can see the patient again
            return
        self.rope_end.position = (0.0, controls.level * TRAVEL_M + self._sag)
        self.space.step(dt)
        height = self.weight_height
        if self.phase == "lift" and height >= SHELF_BAND:
            self.phase, self._held = "hold", 0.0
        if self.phase == "hold":
            if height < SHELF_BAND:
                self.phase = "lift"
            else:
                self._held += dt
                if self._held >= self.hold_s:
                    self.lifted += 1
                    self.phase = "lower"
        if self.phase == "lower" and height <= FLOOR_BAND:
            self.phase = "lift"

    def snapshot(self) -> LiftSnapshot:
        c = self._controls
        phase = self.phase if c.tracking else "paused"
        messages = {
            "lift": _("Bend your elbow to lift the weight"),
            "hold": _("Hold it there!"),
            "lower": _("Well done! Lower it slowly"),
            "paused": _("Paused: we cannot see your arm. Step back into view."),
        }
        hold = min(self._held / self.hold_s, 1.0) if self.hold_s > 0 else 1.0
        return LiftSnapshot(
            t=self.t,
            weight_height=self.weight_height,
            hold_progress=hold if self.phase == "hold" else (1.0 if self.phase == "lower" else 0.0),
            lifted=self.lifted,
            phase=phase,
            message=messages[phase],
            level=c.level,
            angle_deg=c.angle_deg,
        )
