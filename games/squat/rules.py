"""Squat: a runner crosses a meadow; a mini-squat charges a jump, standing up releases it.

Pure rules on pymunk physics; nothing here draws or reads a clock.

Clinical choices, and why:
- The runner stops and waits in front of each obstacle, so the patient never has to time a squat
  against a scrolling world: the squat is done at the patient's pace, and the jump happens when they
  are fully up again (level below ``RELEASE_LEVEL``), which rewards finishing the stand.
- The charge is the depth reached, capped at the target (level 1). Going past ``TOO_DEEP`` (level 1.2)
  earns nothing more and the message says "not so deep": a home mini-squat must stay shallow.
- When both knees are measured (``Controls.axes`` keys ``knee_flexion_left``/``knee_flexion_right``)
  their levels at the bottom of each squat are compared; more than ``UNEVEN`` apart flags the squat
  as uneven (the patient is sparing one leg).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

import pymunk

from rehab.core.i18n import _
from rehab.core.types import Controls

GRAVITY = 9.0  # m/s^2: a touch floatier than Earth, so jumps read clearly
RUNNER_R = 0.3  # radius of the runner's body, metres
RUN_SPEED = 1.6  # m/s: a calm jog
WAIT_GAP = 0.55  # the runner waits this far (body edge to obstacle face) before an obstacle
#: a squat starts when the level rises past CHARGE_START and ends (releasing the jump) below RELEASE_LEVEL
CHARGE_START = 0.35
RELEASE_LEVEL = 0.3
#: a squat shallower than this is not a jump (the runner just hops on the spot)
MIN_CHARGE = 0.4
#: beyond this level the patient is told to stop; the charge never counts past level 1
TOO_DEEP = 1.2
UNEVEN = 0.25
#: height the runner's feet reach: JUMP_MIN_M at MIN_CHARGE rising to JUMP_MAX_M at full charge
JUMP_MIN_M = 0.25
JUMP_MAX_M = 1.05
#: obstacles: heights need a charge of about 0.55 to 0.8 to clear; spaced for a few calm seconds of jogging
OBSTACLE_H = (0.3, 0.6)
OBSTACLE_W = (0.45, 0.75)
OBSTACLE_GAP = (5.5, 7.5)
FIRST_OBSTACLE_X = 5.0
#: messages about an event (a clear, a short jump) stay up this long
EVENT_S = 2.0


@dataclass(frozen=True)
class Obstacle:
    x: float  # world x of the near face, metres
    width: float
    height: float
    cleared: bool = False


@dataclass(frozen=True)
class SquatSnapshot:
    t: float
    runner_x: float  # world metres; the renderer's camera follows it
    runner_y: float  # height of the runner's feet above the ground, metres
    runner_vx: float
    on_ground: bool
    crouch: float  # 0 standing .. 1 at the target depth (the drawing bends the legs)
    charge: float  # 0..1: the jump stored in this squat
    charging: bool
    obstacles: tuple[Obstacle, ...]
    cleared: int
    squats: int
    phase: str  # run, wait, charge, jump, paused
    message: str
    level: float
    angle_deg: float
    knee_left: float | None  # level of each knee when both are measured
    knee_right: float | None
    uneven: bool  # the latest squat's knees differed by more than UNEVEN at the bottom
    too_deep: bool  # the level is past TOO_DEEP right now


def jump_height(charge: float) -> float:
    """Feet height at the top of a jump for a charge (0..1); nothing past a full charge."""
    c = min(max(charge, 0.0), 1.0)
    if c < MIN_CHARGE:
        return 0.0
    return JUMP_MIN_M + (JUMP_MAX_M - JUMP_MIN_M) * (c - MIN_CHARGE) / (1.0 - MIN_CHARGE)


class SquatGame:
    name = "squat"

    def __init__(self, hold_s: float = 1.0, seed: int = 0) -> None:
        # hold_s is part of the factory signature; a squat here charges by depth, standing up releases
        self.hold_s = hold_s
        self._rng = random.Random(seed)
        self.space = pymunk.Space()
        self.space.gravity = (0.0, -GRAVITY)
        ground = pymunk.Segment(self.space.static_body, (-50.0, 0.0), (1.0e6, 0.0), 0.0)
        ground.friction = 0.0
        self.runner = pymunk.Body(1.0, float("inf"))
        body = pymunk.Circle(self.runner, RUNNER_R)
        body.mass = 1.0
        body.friction = 0.0
        body.elasticity = 0.0
        self.runner.position = (0.0, RUNNER_R)
        self.space.add(ground, self.runner, body)
        self._obstacles: list[tuple[Obstacle, pymunk.Shape]] = []
        self._next_x = FIRST_OBSTACLE_X
        self._spawn()
        self.t = 0.0
        self.cleared = 0
        self.squats = 0
        # the squat in progress
        self._down = False
        self.charge = 0.0
        self._bottom_level = 0.0
        self._bottom_knees: tuple[float, float] | None = None
        self.uneven = False
        self._pending_jump: float | None = None
        self._airborne = False
        self._aimed_at: float | None = None
        self._event = ""
        self._event_t = -math.inf
        self._controls = Controls(t=0.0, level=0.0, angle_deg=math.nan, tracking=False)

    # --- world -------------------------------------------------------------------------------
    def _spawn(self) -> None:
        """Keep obstacles laid out well ahead of the runner; forget those far behind."""
        while self._next_x < self.runner.position.x + 25.0:
            w, h = self._rng.uniform(*OBSTACLE_W), self._rng.uniform(*OBSTACLE_H)
            box = pymunk.Poly(
                self.space.static_body,
                [(self._next_x, 0), (self._next_x + w, 0), (self._next_x + w, h), (self._next_x, h)],
            )
            box.friction = 0.0
            box.elasticity = 0.0
            self.space.add(box)
            self._obstacles.append((Obstacle(self._next_x, w, h), box))
            self._next_x += w + self._rng.uniform(*OBSTACLE_GAP)
        while self._obstacles and self._obstacles[0][0].x + 12.0 < self.runner.position.x:
            self.space.remove(self._obstacles.pop(0)[1])

    def _next_obstacle(self) -> int | None:
        for i, (ob, _seen) in enumerate(self._obstacles):
            if not ob.cleared:
                return i
        return None

    @property
    def on_ground(self) -> bool:
        return self.runner.position.y <= RUNNER_R + 0.02 and abs(self.runner.velocity.y) < 0.3

    @property
    def feet_height(self) -> float:
        return float(self.runner.position.y) - RUNNER_R

    def _launch(self, charge: float) -> None:
        """Jump: high as the charge allows, aimed so the top of the arc is over the next obstacle."""
        vy = math.sqrt(2.0 * GRAVITY * max(jump_height(charge), 0.08))
        vx = RUN_SPEED
        i = self._next_obstacle()
        if i is not None:
            ob = self._obstacles[i][0]
            ahead = ob.x + ob.width / 2.0 - float(self.runner.position.x)
            if 0.0 < ahead < 3.0:
                vx = min(max(ahead / (vy / GRAVITY), 0.8), 4.0)
                self._aimed_at = ob.x
        self.runner.velocity = (vx, vy)
        self._airborne = True

    # --- rules -------------------------------------------------------------------------------
    def update(self, dt: float, controls: Controls) -> None:
        self.t += dt
        self._controls = controls
        if not controls.tracking:
            return  # the world holds still until we can see the patient again
        self._squat(controls)
        x = float(self.runner.position.x)
        if self.on_ground and self._airborne:
            self._airborne = False
            i = self._next_obstacle()
            if self._aimed_at is not None and i is not None and self._obstacles[i][0].x == self._aimed_at:
                self._note("short")  # came down in front of the obstacle it was aimed at
            self._aimed_at = None
        if self.on_ground and self._pending_jump is not None:
            self._launch(self._pending_jump)
            self._pending_jump = None
        if self.on_ground and not self._airborne:
            want = RUN_SPEED
            i = self._next_obstacle()
            if i is not None:
                stop_x = self._obstacles[i][0].x - WAIT_GAP - RUNNER_R
                want = min(RUN_SPEED, max(0.0, 2.0 * (stop_x - x)))
            vx = float(self.runner.velocity.x)
            vx += (want - vx) * min(1.0, 6.0 * dt)
            self.runner.velocity = (vx, float(self.runner.velocity.y))
        self.space.step(dt)
        x = float(self.runner.position.x)
        for i, (ob, shape) in enumerate(self._obstacles):
            if not ob.cleared and x - RUNNER_R > ob.x + ob.width:
                self._obstacles[i] = (Obstacle(ob.x, ob.width, ob.height, True), shape)
                self.cleared += 1
                self._note("cleared")
        self._spawn()

    def _squat(self, c: Controls) -> None:
        level = c.level
        knees = self._knees(c)
        if not self._down and level >= CHARGE_START:
            self._down, self.charge, self._bottom_level, self.uneven = True, 0.0, -math.inf, False
        if not self._down:
            return
        self.charge = max(self.charge, min(level, 1.0))
        if level > self._bottom_level:
            self._bottom_level = level
            self._bottom_knees = knees
            # judged at the bottom: the deepest moment of this squat
            self.uneven = knees is not None and abs(knees[0] - knees[1]) > UNEVEN
        if level < RELEASE_LEVEL:
            self._down = False
            self.squats += 1
            if self.charge >= MIN_CHARGE:
                self._pending_jump = self.charge
            self.charge = 0.0

    @staticmethod
    def _knees(c: Controls) -> tuple[float, float] | None:
        left, right = c.axes.get("knee_flexion_left"), c.axes.get("knee_flexion_right")
        if left is None or right is None or not (math.isfinite(left) and math.isfinite(right)):
            return None
        return float(left), float(right)

    def _note(self, event: str) -> None:
        self._event, self._event_t = event, self.t

    # --- what the renderer sees --------------------------------------------------------------
    def _phase(self) -> str:
        if not self._controls.tracking:
            return "paused"
        if self._airborne or not self.on_ground:
            return "jump"
        if self._down:
            return "charge"
        return "wait" if abs(self.runner.velocity.x) < 0.05 else "run"

    def _message(self, phase: str, level: float) -> str:
        if phase == "paused":
            return _("Paused: we cannot see your legs. Step back into view.")
        if level > TOO_DEEP:
            return _("Not so deep! Come up a little.")
        if phase == "charge" and self.charge >= MIN_CHARGE:
            if self.uneven:
                return _("Share the weight on both legs, then stand up")
            return _("Stand up to jump!")
        recent = self.t - self._event_t < EVENT_S
        if recent and self._event == "cleared":
            return _("Nice jump! Keep both knees even") if self.uneven else _("Nice jump!")
        if recent and self._event == "short":
            return _("Almost! Bend a little deeper")
        if phase == "charge":
            return _("A little deeper to charge")
        return _("Bend your knees to charge")

    def snapshot(self) -> SquatSnapshot:
        c = self._controls
        phase = self._phase()
        knees = self._knees(c)
        level = c.level if math.isfinite(c.level) else 0.0
        return SquatSnapshot(
            t=self.t,
            runner_x=float(self.runner.position.x),
            runner_y=max(0.0, self.feet_height),
            runner_vx=float(self.runner.velocity.x),
            on_ground=self.on_ground,
            crouch=min(max(level, 0.0), TOO_DEEP) if self.on_ground else 0.0,
            charge=self.charge,
            charging=self._down,
            obstacles=tuple(ob for ob, _ in self._obstacles),
            cleared=self.cleared,
            squats=self.squats,
            phase=phase,
            message=self._message(phase, level),
            level=c.level,
            angle_deg=c.angle_deg,
            knee_left=knees[0] if knees else None,
            knee_right=knees[1] if knees else None,
            uneven=self.uneven,
            too_deep=c.tracking and level > TOO_DEEP,
        )
