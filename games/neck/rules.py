"""Neck: a glider flies into the screen at a calm, constant speed; turning the head steers it
left and right through gates.

Pure rules on pymunk physics; nothing here draws or reads a clock.

- The glider's sideways position follows the signed level of cervical rotation (-1 = the patient's
  calibrated turn to their LEFT, +1 to their RIGHT) through a critically damped spring, so it glides
  and settles rather than jumping with every jitter of the tracker.
- Gates alternate left and right. Their centres stay between ``MIN_GATE_LEVEL`` and ``MAX_GATE_LEVEL``
  of the calibrated range, and their openings never reach past level 1: the patient is never asked
  to turn further than their own comfortable range.
- Gates come ``GATE_GAP_S`` seconds apart (at least 3 s): a neck patient must never be rushed.
- An optional second motion, ``cervical_lateral_flexion`` (head tilt, ear towards shoulder), banks
  the glider and trims its height a little; it is never needed to pass a gate.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

import pymunk

from rehab.core.i18n import _
from rehab.core.types import Controls

LANE_M = 3.0  # sideways metres at level 1
SPEED_M_S = 4.5  # forward speed: calm, constant
GATE_GAP_S = 5.0
GATE_GAP_M = SPEED_M_S * GATE_GAP_S
FIRST_GATE_S = 8.0  # time to settle in before the first gate arrives
GATE_HALF_LEVEL = 0.28  # half the gate opening, in level units: forgiving
MIN_GATE_LEVEL = 0.4
MAX_GATE_LEVEL = 1.0 - GATE_HALF_LEVEL  # the far edge of a gate never passes level 1
GATES_AHEAD = 4
#: the point the glider is pulled to never goes beyond this level: overturning cannot fling it away
MAX_STEER_LEVEL = 1.25
SPRING_N_PER_M = 14.0
GLIDER_KG = 1.0
TRIM_M = 0.5  # height change for a full head tilt
EVENT_S = 2.0
TRIM_AXIS = "cervical_lateral_flexion"


@dataclass(frozen=True)
class Gate:
    z: float  # metres ahead of the glider (negative once passed)
    offset: float  # sideways position of the gate's centre, level units (-1 left .. 1 right)
    result: str = ""  # "", "passed" or "missed"


@dataclass(frozen=True)
class NeckSnapshot:
    t: float
    glider_x: float  # sideways position, level units (-1 left .. 1 right)
    glider_y: float  # height trim, metres (positive up)
    bank_deg: float  # roll of the wings, positive = right wing down, for the drawing
    distance: float  # metres flown, for scrolling the ground
    gates: tuple[Gate, ...]
    passed: int
    missed: int
    phase: str  # fly, paused
    message: str
    level: float
    angle_deg: float
    next_side: str  # "left", "right" or "" : where the next gate is


class NeckGame:
    name = "neck"

    def __init__(self, hold_s: float = 1.0, seed: int = 0) -> None:
        # hold_s is part of the factory signature: gates pass on their own, no hold is needed
        self.hold_s = hold_s
        self._rng = random.Random(seed)
        self._side = -1.0  # the first gate is on the left, then they alternate
        self.space = pymunk.Space()  # no gravity: the glider floats on its spring
        self.anchor = pymunk.Body(body_type=pymunk.Body.KINEMATIC)
        self.glider = pymunk.Body(GLIDER_KG, float("inf"))
        shape = pymunk.Circle(self.glider, 0.3)
        shape.mass = GLIDER_KG
        damping = 2.0 * math.sqrt(SPRING_N_PER_M * GLIDER_KG)  # critically damped: no wobble
        spring = pymunk.DampedSpring(self.anchor, self.glider, (0, 0), (0, 0), 0.0, SPRING_N_PER_M, damping)
        self.space.add(self.anchor, self.glider, shape, spring)
        self.t = 0.0
        self.distance = 0.0
        self.passed = 0
        self.missed = 0
        self._gates: list[Gate] = []
        self._next_z = SPEED_M_S * FIRST_GATE_S
        self._spawn()
        self._event = ""
        self._event_t = -math.inf
        self._controls = Controls(t=0.0, level=0.0, angle_deg=math.nan, tracking=False)

    def _spawn(self) -> None:
        while len([g for g in self._gates if g.z > 0]) < GATES_AHEAD:
            offset = self._side * self._rng.uniform(MIN_GATE_LEVEL, MAX_GATE_LEVEL)
            self._side = -self._side
            self._gates.append(Gate(self._next_z - self.distance, offset))
            self._next_z += GATE_GAP_M
        self._gates = [g for g in self._gates if g.z > -8.0]

    @property
    def glider_level(self) -> float:
        return float(self.glider.position.x) / LANE_M

    def place_gate(self, offset: float, seconds_ahead: float) -> None:
        """Put a gate at a chosen offset ``seconds_ahead`` of flight away (tests, tutorials)."""
        self._gates = [g for g in self._gates if g.z <= 0] + [Gate(SPEED_M_S * seconds_ahead, offset)]
        self._next_z = self.distance + SPEED_M_S * seconds_ahead + GATE_GAP_M

    def update(self, dt: float, controls: Controls) -> None:
        self.t += dt
        self._controls = controls
        if not controls.tracking or not math.isfinite(controls.level):
            return  # everything holds still until we can see the patient again
        steer = min(max(controls.level, -MAX_STEER_LEVEL), MAX_STEER_LEVEL)
        trim = controls.axes.get(TRIM_AXIS, 0.0)
        trim = min(max(trim, -1.0), 1.0) if math.isfinite(trim) else 0.0
        self.anchor.position = (steer * LANE_M, trim * TRIM_M)
        self.space.step(dt)
        step = SPEED_M_S * dt
        self.distance += step
        x = self.glider_level
        gates = []
        for gate in self._gates:
            z = gate.z - step
            result = gate.result
            if gate.z > 0 >= z:
                result = "passed" if abs(x - gate.offset) <= GATE_HALF_LEVEL else "missed"
                if result == "passed":
                    self.passed += 1
                else:
                    self.missed += 1
                self._event, self._event_t = result, self.t
            gates.append(Gate(z, gate.offset, result))
        self._gates = gates
        self._spawn()

    def snapshot(self) -> NeckSnapshot:
        c = self._controls
        phase = "fly" if c.tracking and math.isfinite(c.level) else "paused"
        upcoming = [g for g in self._gates if g.z > 0]
        next_side = ("left" if upcoming[0].offset < 0 else "right") if upcoming else ""
        trim = c.axes.get(TRIM_AXIS, 0.0) if phase == "fly" else 0.0
        trim = min(max(trim, -1.0), 1.0) if math.isfinite(trim) else 0.0
        bank = 18.0 * float(self.glider.velocity.x) / LANE_M + 12.0 * trim
        return NeckSnapshot(
            t=self.t,
            glider_x=self.glider_level,
            glider_y=float(self.glider.position.y),
            bank_deg=max(-30.0, min(30.0, bank)),
            distance=self.distance,
            gates=tuple(self._gates),
            passed=self.passed,
            missed=self.missed,
            phase=phase,
            message=self._message(phase, next_side),
            level=c.level,
            angle_deg=c.angle_deg,
            next_side=next_side,
        )

    def _message(self, phase: str, next_side: str) -> str:
        if phase == "paused":
            return _("Paused: we cannot see your head. Face the screen again.")
        recent = self.t - self._event_t < EVENT_S
        if recent and self._event == "passed":
            return _("Through the gate!")
        if recent and self._event == "missed":
            return _("Missed that one. Take your time")
        if next_side == "left":
            return _("Slowly turn your head to the left")
        if next_side == "right":
            return _("Slowly turn your head to the right")
        return _("Turn your head to steer")
