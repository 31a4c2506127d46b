"""Reach: pop balloons that drift inside the patient's own reachable workspace.

The hand is a cursor: its height follows shoulder flexion (the primary level) and its position
across follows shoulder abduction (an axis), so reaching forward and reaching out to the side lead
to different balloons. Levels come already normalised to the patient's calibration, so balloons are
placed between 30 % and 100 % of the calibrated flexion range and never beyond it: a patient with
60 degrees of reach can pop every balloon.

Balloons are pymunk bodies held near a home point by a soft tether, lifted by gentle buoyancy and
pushed by a slowly changing wind, so they bob instead of sitting still. Pure rules: nothing here
draws or reads a clock; the world is in abstract units (the renderer scales them to pixels).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

import pymunk

from rehab.core.i18n import _
from rehab.core.types import Controls

#: the world the renderer draws: x 0..WORLD_W, y 0..WORLD_H (y up)
WORLD_W, WORLD_H = 1.95, 1.0
#: world position of the hand at level 0 on both axes, and world units per level
HAND_X0, HAND_XS = 0.3, 1.5
HAND_Y0, HAND_YS = 0.12, 0.8
#: the reachable workspace, in levels: balloons live only inside it
FLEX_MIN, FLEX_MAX = 0.3, 1.0
ABD_MIN, ABD_MAX = 0.0, 1.0
#: the hand may overreach a little (it is drawn there), but never off the screen
LEVEL_CLIP = (-0.05, 1.08)
BALLOON_R = 0.085
HAND_R = 0.05
#: a balloon's home keeps this far (world units) inside the workspace, so its bobbing stays in
HOME_MARGIN = 0.05
#: seconds before the next balloon after a pop, a balloon's grow-in time, and how long it waits
RESPAWN_S = 0.9
GROW_S = 0.6
LIFETIME_S = 10.0
FADE_S = 1.2
POP_ANIM_S = 0.7
POP_MESSAGE_S = 1.0
MAX_BALLOONS = 2
#: a second balloon joins after this many pops, so early play stays simple
SECOND_BALLOON_AFTER = 1
AXIS = "shoulder_abduction"


def hand_position(flex_level: float, abd_level: float, mirrored: bool = False) -> tuple[float, float]:
    """World position of the hand for two levels: the one place levels meet the world.

    The screen is a mirror: a right arm moving out to the side moves the hand to the right, a
    left arm (``mirrored``) to the left. The workspace is symmetric, so balloons need not know.
    """
    lo, hi = LEVEL_CLIP
    fx = min(max(flex_level, lo), hi)
    ax = min(max(abd_level, lo), hi)
    x = HAND_X0 + ax * HAND_XS
    return (2 * HAND_X0 + HAND_XS - x if mirrored else x), HAND_Y0 + fx * HAND_YS


def workspace_rect() -> tuple[float, float, float, float]:
    """The reachable workspace in world units: (left, bottom, right, top)."""
    left, bottom = hand_position(FLEX_MIN, ABD_MIN)
    right, top = hand_position(FLEX_MAX, ABD_MAX)
    return left, bottom, right, top


def level_of(x: float, y: float, mirrored: bool = False) -> tuple[float, float]:
    """(flexion level, abduction level) of a world point."""
    if mirrored:
        x = 2 * HAND_X0 + HAND_XS - x
    return (y - HAND_Y0) / HAND_YS, (x - HAND_X0) / HAND_XS


def points_for(flex_level: float) -> int:
    """Higher balloons ask for more flexion and score more: 1 near the bottom, 3 at the target."""
    share = (flex_level - FLEX_MIN) / (FLEX_MAX - FLEX_MIN)
    return 1 + round(2 * min(max(share, 0.0), 1.0))


@dataclass(frozen=True)
class BalloonView:
    x: float
    y: float
    radius: float
    color_index: int
    points: int
    #: 0..1 while it grows in, then 1; falls back to 0 while it fades away unpopped
    scale: float
    #: sideways lean of the balloon (radians), for its string to trail in the wind
    sway: float


@dataclass(frozen=True)
class PopView:
    x: float
    y: float
    age: float  # seconds since the pop
    progress: float  # 0..1 through the pop animation
    color_index: int
    points: int


@dataclass(frozen=True)
class ReachSnapshot:
    t: float
    hand: tuple[float, float]  # world position of the hand cursor
    balloons: tuple[BalloonView, ...]
    pops: tuple[PopView, ...]
    popped: int
    score: int
    phase: str  # reach, pop, paused
    message: str
    level: float
    angle_deg: float
    abduction_level: float
    workspace: tuple[float, float, float, float]
    world_size: tuple[float, float] = (WORLD_W, WORLD_H)


class _Balloon:
    def __init__(
        self, space: pymunk.Space, home: tuple[float, float], color_index: int, points: int, wind_phase: float
    ) -> None:
        self.home = home
        self.color_index = color_index
        self.points = points
        self.wind_phase = wind_phase
        self.age = 0.0
        self.body = pymunk.Body(1.0, pymunk.moment_for_circle(1.0, 0, BALLOON_R))
        self.body.position = home
        self.shape = pymunk.Circle(self.body, BALLOON_R)
        self.shape.elasticity = 0.4
        self.shape.friction = 0.2
        self.anchor = pymunk.Body(body_type=pymunk.Body.STATIC)
        self.anchor.position = home
        # a soft tether: the balloon bobs around its home instead of drifting out of reach
        self.tether = pymunk.DampedSpring(self.anchor, self.body, (0, 0), (0, 0), 0.0, 18.0, 2.2)
        space.add(self.body, self.shape, self.anchor, self.tether)

    def remove(self, space: pymunk.Space) -> None:
        space.remove(self.body, self.shape, self.anchor, self.tether)

    @property
    def scale(self) -> float:
        grow = min(self.age / GROW_S, 1.0)
        fade = min(max((LIFETIME_S + FADE_S - self.age) / FADE_S, 0.0), 1.0)
        return min(grow, fade)


class ReachGame:
    name = "reach"

    def __init__(self, hold_s: float = 1.0, seed: int | None = None, side: str = "right") -> None:
        # reaching scores on touch; ``hold_s`` is accepted for the common factory signature
        self.hold_s = hold_s
        self.mirrored = side == "left"
        self.rng = random.Random(seed)
        self.space = pymunk.Space()
        self.space.gravity = (0.0, 0.25)  # buoyancy: balloons pull gently upwards on their tether
        self.space.damping = 0.7  # air drag
        self.t = 0.0
        self.balloons: list[_Balloon] = []
        self.pops: list[PopView] = []
        self.popped = 0
        self.score = 0
        self.spawned_homes: list[tuple[float, float]] = []
        #: where the hand has been inside the workspace lately: half the balloons appear near such a
        #: place (reach the patient has shown today), the others anywhere else in the workspace
        self.reached: list[tuple[float, float]] = []
        self._next_sample = 0.0
        self._next_spawn = 0.3
        self._since_pop = math.inf
        self._color = self.rng.randrange(6)
        self._controls = Controls(t=0.0, level=0.0, angle_deg=math.nan, tracking=False)
        self.hand = hand_position(0.0, 0.0, self.mirrored)

    # -- rules -------------------------------------------------------------------------------
    def update(self, dt: float, controls: Controls) -> None:
        self._controls = controls
        if not controls.tracking:
            # the world waits, balloons and timers included, until we see the patient again
            return
        self.t += dt
        self._since_pop += dt
        self.hand = hand_position(controls.level, controls.axes.get(AXIS, 0.0), self.mirrored)
        self._remember_reach()
        self._wind(dt)
        self.space.step(dt)
        self._keep_inside()
        for balloon in self.balloons:
            balloon.age += dt
        self._pop_touched()
        self._retire_faded()
        self.pops = [
            PopView(p.x, p.y, p.age + dt, min((p.age + dt) / POP_ANIM_S, 1.0), p.color_index, p.points)
            for p in self.pops
            if p.age + dt < POP_ANIM_S
        ]
        wanted = 1 if self.popped < SECOND_BALLOON_AFTER else MAX_BALLOONS
        if len(self.balloons) < wanted and self.t >= self._next_spawn:
            self._spawn()
            self._next_spawn = self.t + RESPAWN_S

    def _remember_reach(self) -> None:
        if self.t < self._next_sample:
            return
        self._next_sample = self.t + 0.1
        left, bottom, right, top = workspace_rect()
        x, y = self.hand
        if left <= x <= right and bottom <= y <= top:
            self.reached = [*self.reached[-299:], (x, y)]

    def _wind(self, dt: float) -> None:
        for b in self.balloons:
            gust = math.sin(0.45 * self.t + b.wind_phase) + 0.5 * math.sin(1.3 * self.t + 2 * b.wind_phase)
            bob = math.sin(1.7 * self.t + b.wind_phase)
            b.body.apply_force_at_local_point((0.35 * gust, 0.25 * bob))

    def _keep_inside(self) -> None:
        """A safety net under the tether: a balloon's centre never leaves the workspace."""
        left, bottom, right, top = workspace_rect()
        for b in self.balloons:
            x, y = b.body.position
            vx, vy = b.body.velocity
            if not left <= x <= right:
                x, vx = min(max(x, left), right), 0.0
            if not bottom <= y <= top:
                y, vy = min(max(y, bottom), top), 0.0
            b.body.position, b.body.velocity = (x, y), (vx, vy)

    def _pop_touched(self) -> None:
        hx, hy = self.hand
        for b in list(self.balloons):
            if b.scale < 0.8:  # still growing in, or fading away: not yet (or no longer) poppable
                continue
            x, y = b.body.position
            if math.hypot(x - hx, y - hy) <= BALLOON_R + HAND_R:
                b.remove(self.space)
                self.balloons.remove(b)
                self.pops.append(PopView(x, y, 0.0, 0.0, b.color_index, b.points))
                self.popped += 1
                self.score += b.points
                self._since_pop = 0.0
                self._next_spawn = max(self._next_spawn, self.t + RESPAWN_S)

    def _retire_faded(self) -> None:
        for b in list(self.balloons):
            if b.age >= LIFETIME_S + FADE_S:
                b.remove(self.space)
                self.balloons.remove(b)

    def _spawn(self) -> None:
        left, bottom, right, top = workspace_rect()
        m = HOME_MARGIN
        home = ((left + right) / 2, (bottom + top) / 2)
        near_reach = bool(self.reached) and self.rng.random() < 0.5
        for attempt in range(40):
            if not self.spawned_homes and attempt == 0:
                # the first balloon is a warm-up: low in the workspace, straight ahead
                flex, abd = 0.45 + self.rng.uniform(-0.05, 0.05), 0.25 + self.rng.uniform(-0.1, 0.1)
                x, y = hand_position(flex, abd, self.mirrored)
            elif near_reach:
                rx, ry = self.rng.choice(self.reached)
                x, y = rx + self.rng.uniform(-0.15, 0.15), ry + self.rng.uniform(-0.1, 0.1)
            else:
                x, y = self.rng.uniform(left, right), self.rng.uniform(bottom, top)
            home = (min(max(x, left + m), right - m), min(max(y, bottom + m), top - m))
            clear_of_hand = math.hypot(home[0] - self.hand[0], home[1] - self.hand[1]) > 0.35
            clear_of_others = all(
                math.hypot(home[0] - b.body.position.x, home[1] - b.body.position.y) > 0.4 for b in self.balloons
            )
            if clear_of_hand and clear_of_others:
                break
        flex_level, _ = level_of(*home)
        self._color = (self._color + 1 + self.rng.randrange(2)) % 6
        balloon = _Balloon(self.space, home, self._color, points_for(flex_level), self.rng.uniform(0, 2 * math.pi))
        self.balloons.append(balloon)
        self.spawned_homes.append(home)

    # -- the picture -------------------------------------------------------------------------
    def snapshot(self) -> ReachSnapshot:
        c = self._controls
        if not c.tracking:
            phase, message = "paused", _("Paused: we cannot see your arm. Step back into view.")
        elif self._since_pop < POP_MESSAGE_S:
            phase, message = "pop", _("Pop!")
        else:
            phase, message = "reach", _("Reach up to the balloon")
        balloons = tuple(
            BalloonView(
                x=float(b.body.position.x),
                y=float(b.body.position.y),
                radius=BALLOON_R,
                color_index=b.color_index,
                points=b.points,
                scale=b.scale,
                sway=max(-0.6, min(0.6, float(b.body.position.x - b.home[0]) * 6.0)),
            )
            for b in self.balloons
        )
        return ReachSnapshot(
            t=self.t,
            hand=self.hand,
            balloons=balloons,
            pops=tuple(self.pops),
            popped=self.popped,
            score=self.score,
            phase=phase,
            message=message,
            level=c.level,
            angle_deg=c.angle_deg,
            abduction_level=c.axes.get(AXIS, 0.0),
            workspace=workspace_rect(),
        )
