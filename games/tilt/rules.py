"""Tilt: bend the trunk sideways to tilt a board and roll a marble into a cup, left and right in turn.

The board's tilt follows the signed level of trunk lateral flexion (or forearm roll on an IMU):
level -1 (a full bend to the patient's LEFT) lowers the board's left end, +1 its right end. The
screen is a mirror: the patient's left is the screen's left. The tilt is clipped to a safe maximum,
so bending further than prescribed gains nothing, and it follows the patient through a rate limit,
so tracker jitter does not shake the board.

Each end of the board holds a shallow cup whose inner wall is about as steep as three quarters of
the target tilt: a marble resting in one cup only rolls out when the patient bends most of the way
to the other side. That wall is the repetition's threshold, in physics rather than in a rule. A
marble that settles in the active cup scores once, and the next cup is on the other side, so play
alternates left and right bends. Rims at both ends keep the marble on the board.

Pure rules on pymunk; nothing here draws or reads a clock. World units are metres, y up, the board
pivots about the origin.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pymunk

from rehab.core.i18n import _
from rehab.core.types import Controls

GRAVITY = 6.0  # a heavy, calm marble: slower than 9.81 so the eye can follow it
#: board tilt per unit of level, and the safe maximum whatever the patient does
TILT_PER_LEVEL_DEG = 10.0
MAX_TILT_DEG = 12.0
#: how fast the board may turn, and how quickly it catches up with the patient
MAX_TURN_DPS = 30.0
FOLLOW_S = 0.12
HALF_LENGTH = 0.85
BOARD_THICK = 0.015  # radius of the board's segments
RIM_HEIGHT = 0.2
CUP_FLAT = 0.11  # flat bottom of a cup, from the rim inwards
CUP_DEPTH = 0.022
#: the cup's inner wall slope: rolling out of a cup needs a tilt steeper than this
CUP_WALL_DEG = 7.5
CUP_RUN = CUP_DEPTH / math.tan(math.radians(CUP_WALL_DEG))
MARBLE_R = 0.05
MARBLE_KG = 0.1
#: the marble counts as settled below this speed over the board (m/s)
SETTLE_SPEED = 0.12
WELL_DONE_S = 1.5
SIDES = ("left", "right")


def board_profile() -> tuple[tuple[float, float], ...]:
    """The board's top edge in board coordinates, left rim top to right rim top."""
    h, d = HALF_LENGTH, CUP_DEPTH
    inner = h - CUP_FLAT - CUP_RUN
    return (
        (-h, RIM_HEIGHT),
        (-h, -d),
        (-h + CUP_FLAT, -d),
        (-inner, 0.0),
        (inner, 0.0),
        (h - CUP_FLAT, -d),
        (h, -d),
        (h, RIM_HEIGHT),
    )


def cup_centre_x(side: str) -> float:
    """Board x of a cup's resting place (the middle of its flat bottom)."""
    x = HALF_LENGTH - CUP_FLAT / 2
    return -x if side == "left" else x


def in_cup(local_x: float, side: str) -> bool:
    """Whether a marble at board x lies in the cup on ``side`` (past the middle of its wall)."""
    edge = HALF_LENGTH - CUP_FLAT - CUP_RUN / 2
    return local_x <= -edge if side == "left" else local_x >= edge


@dataclass(frozen=True)
class CupView:
    side: str
    x: float  # world position of the cup's resting place
    y: float
    active: bool


@dataclass(frozen=True)
class TiltSnapshot:
    t: float
    board_angle: float  # radians, counter-clockwise positive: > 0 means the left end is down
    board_profile: tuple[tuple[float, float], ...]  # board coordinates; rotate by board_angle
    board_thickness: float
    marble: tuple[float, float]  # world position
    marble_angle: float  # radians, for drawing the marble's roll
    marble_radius: float
    cups: tuple[CupView, ...]
    active_side: str
    settle_progress: float  # 0..1 while the marble rests in the active cup
    scored: int
    since_score: float  # seconds since the last score (inf before the first)
    phase: str  # roll, settle, well_done, paused
    message: str
    level: float
    angle_deg: float
    max_tilt: float  # radians


class TiltGame:
    name = "tilt"

    def __init__(self, hold_s: float = 1.0) -> None:
        #: the marble must rest in the cup this long: the end of the bend is held meanwhile
        self.settle_s = min(max(hold_s, 0.4), 3.0)
        self.space = pymunk.Space()
        self.space.gravity = (0.0, -GRAVITY)
        self.space.damping = 0.75  # rolling resistance: a marble on felt, not on ice
        self.board = pymunk.Body(body_type=pymunk.Body.KINEMATIC)
        profile = board_profile()
        self._segments = [
            pymunk.Segment(self.board, a, b, BOARD_THICK) for a, b in zip(profile, profile[1:], strict=False)
        ]
        for seg in self._segments:
            seg.friction = 0.9
            seg.elasticity = 0.1
        self.marble = pymunk.Body(MARBLE_KG, pymunk.moment_for_circle(MARBLE_KG, 0, MARBLE_R))
        ball = pymunk.Circle(self.marble, MARBLE_R)
        ball.friction = 0.9
        ball.elasticity = 0.1
        self.space.add(self.board, *self._segments, self.marble, ball)
        self._reset_marble()
        self.t = 0.0
        self.scored = 0
        self.active_side = "left"
        self.escapes = 0  # times the safety net had to put the marble back: should stay 0
        self._settled = 0.0
        self._since_score = math.inf
        self._controls = Controls(t=0.0, level=0.0, angle_deg=math.nan, tracking=False)

    def _reset_marble(self) -> None:
        self.marble.position = self.board.local_to_world((0.0, MARBLE_R + BOARD_THICK + 0.001))
        self.marble.velocity = (0.0, 0.0)
        self.marble.angular_velocity = 0.0

    @property
    def marble_local(self) -> tuple[float, float]:
        """The marble's centre in board coordinates."""
        p = self.board.world_to_local(self.marble.position)
        return float(p.x), float(p.y)

    def target_angle(self, level: float) -> float:
        """Board angle for a level: left bend (negative) lowers the left end (counter-clockwise)."""
        tilt = min(max(-level * TILT_PER_LEVEL_DEG, -MAX_TILT_DEG), MAX_TILT_DEG)
        return math.radians(tilt)

    def update(self, dt: float, controls: Controls) -> None:
        self._controls = controls
        if not controls.tracking or not math.isfinite(controls.level):
            # the board, the marble and every timer wait until we have the patient again
            self.board.angular_velocity = 0.0
            return
        self.t += dt
        self._since_score += dt
        max_turn = math.radians(MAX_TURN_DPS)
        error = self.target_angle(controls.level) - self.board.angle
        self.board.angular_velocity = min(max(error / FOLLOW_S, -max_turn), max_turn)
        self.space.step(dt)
        self._keep_on_board()
        x, _ = self.marble_local
        # speed over the board, not over the ground: a board swaying with the patient still holds it
        board_speed = self.board.velocity_at_world_point(self.marble.position)
        resting = (self.marble.velocity - board_speed).length < SETTLE_SPEED
        if in_cup(x, self.active_side) and resting:
            self._settled += dt
            if self._settled >= self.settle_s:
                self.scored += 1
                self._since_score = 0.0
                self._settled = 0.0
                self.active_side = "right" if self.active_side == "left" else "left"
        else:
            self._settled = 0.0

    def _keep_on_board(self) -> None:
        """A safety net: the rims hold the marble, but if physics ever let it through, put it back."""
        x, y = self.marble_local
        if abs(x) > HALF_LENGTH or y < -CUP_DEPTH - 0.02 or y > RIM_HEIGHT + 0.3:
            self.escapes += 1
            self._reset_marble()

    def snapshot(self) -> TiltSnapshot:
        c = self._controls
        settle = min(self._settled / self.settle_s, 1.0)
        side = self.active_side
        if not c.tracking or not math.isfinite(c.level):
            phase, message = "paused", _("Paused: no signal. Step into view or check the sensor.")
        elif self._since_score < WELL_DONE_S:
            phase, message = "well_done", _("Well done! Now the other side")
        elif settle > 0.0:
            phase, message = "settle", _("Hold it there, let it settle")
        elif side == "left":
            phase, message = "roll", _("Bend to your left to roll the marble in")
        else:
            phase, message = "roll", _("Bend to your right to roll the marble in")
        cups = []
        for s in SIDES:
            p = self.board.local_to_world((cup_centre_x(s), -CUP_DEPTH + BOARD_THICK))
            cups.append(CupView(side=s, x=float(p.x), y=float(p.y), active=s == side))
        mx, my = self.marble.position
        return TiltSnapshot(
            t=self.t,
            board_angle=float(self.board.angle),
            board_profile=board_profile(),
            board_thickness=BOARD_THICK,
            marble=(float(mx), float(my)),
            marble_angle=float(self.marble.angle),
            marble_radius=MARBLE_R,
            cups=tuple(cups),
            active_side=side,
            settle_progress=settle,
            scored=self.scored,
            since_score=self._since_score,
            phase=phase,
            message=message,
            level=c.level,
            angle_deg=c.angle_deg,
            max_tilt=math.radians(MAX_TILT_DEG),
        )
