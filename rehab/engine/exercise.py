"""What the patient does in one game: the movement, the range, the reps, the safety limit."""

from __future__ import annotations

import math
from dataclasses import dataclass

from rehab.engine.controls import Axis, Calibration
from rehab.engine.game import GameSpec
from rehab.engine.reps import RepRule


@dataclass(frozen=True)
class Exercise:
    """What the patient does in this session, as a physiotherapist would prescribe it."""

    angle_name: str  # e.g. elbow_flexion_left
    rest_deg: float
    target_deg: float
    reps_planned: int
    hold_s: float = 1.0
    signed: bool = False
    axes: tuple[Axis, ...] = ()
    #: the therapist's safety limit: a rep beyond it is warned about and never counted a success
    ceiling_deg: float = math.inf
    #: swap the screen's left and right for two-sided movements (a bend to the left moves things right)
    mirror: bool = False
    #: the side being exercised, "" for movements without one
    side: str = ""
    #: measuring the comfortable range: there is no goal to show or praise, only the safety limit,
    #: and the game's level reaches 1 at that limit (so no game asks for more short of it)
    calibrating: bool = False

    @classmethod
    def for_game(
        cls, game: GameSpec, side: str, reps_planned: int = 8, hold_s: float = 1.0, target_deg: float | None = None
    ) -> Exercise:
        """The game's movement for one side, with its default range unless a target is given."""

        def full(motion: str) -> str:
            return f"{motion}_{side}" if game.sided else motion

        axes = [Axis(motion, Calibration(full(motion), rest, target)) for motion, rest, target in game.axes]
        if game.sided:
            # both sides of the main movement, for games that judge symmetry (squat)
            for other in ("left", "right"):
                name = f"{game.angle}_{other}"
                axes.append(Axis(name, Calibration(name, game.rest_deg, target_deg or game.target_deg)))
        return cls(
            angle_name=full(game.angle),
            rest_deg=0.0 if game.signed else game.rest_deg,
            target_deg=target_deg or game.target_deg,
            reps_planned=reps_planned,
            hold_s=hold_s,
            signed=game.signed,
            axes=tuple(axes),
            side=side if game.sided else "",
        )

    @property
    def calibration(self) -> Calibration:
        flip = -1.0 if self.mirror and self.signed else 1.0
        top = self.ceiling_deg if self.calibrating and math.isfinite(self.ceiling_deg) else self.target_deg
        return Calibration(self.angle_name, self.rest_deg, flip * top, self.signed)

    @property
    def rule(self) -> RepRule:
        return RepRule.for_range(self.rest_deg, self.target_deg, hold_s=self.hold_s)
