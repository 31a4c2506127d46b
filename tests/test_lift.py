"""Lift rules through update(dt, controls) only."""

import math

from games.lift.rules import LiftGame
from rehab.core.types import Controls
from rehab.engine.game import FixedStepper


def hold_level(game: LiftGame, level: float, seconds: float, tracking: bool = True) -> None:
    controls = Controls(t=0.0, level=level, angle_deg=level * 100, tracking=tracking)
    for _ in range(int(seconds * 120)):
        game.update(1 / 120, controls)


def test_reaching_the_target_and_holding_lifts_the_weight_onto_the_shelf():
    game = LiftGame(hold_s=1.0)
    hold_level(game, 1.0, 0.5)
    assert game.phase == "hold" and game.lifted == 0
    hold_level(game, 1.0, 1.2)
    assert game.lifted == 1 and game.phase == "lower"
    hold_level(game, 0.0, 2.0)
    assert game.phase == "lift" and game.weight_height < 0.1


def test_falling_short_of_the_target_never_scores():
    game = LiftGame(hold_s=0.5)
    hold_level(game, 0.8, 5.0)
    assert game.lifted == 0
    assert 0.7 < game.weight_height < 0.9


def test_weight_follows_with_inertia_not_instantly():
    game = LiftGame()
    hold_level(game, 1.0, 1 / 60)
    assert game.weight_height < 0.2


def test_lost_tracking_pauses_everything():
    game = LiftGame(hold_s=1.0)
    hold_level(game, 1.0, 0.6)
    height = game.weight_height
    hold_level(game, 0.0, 3.0, tracking=False)
    assert game.weight_height == height
    snap = game.snapshot()
    assert snap.phase == "paused" and "cannot see" in snap.message


def test_overreaching_cannot_fling_the_weight_off_the_rail():
    game = LiftGame()
    hold_level(game, 1.5, 3.0)
    assert game.weight_height <= 1.06


def test_fixed_stepper_runs_whole_steps_whatever_the_frame_rate():
    game = LiftGame()
    stepper = FixedStepper(game)
    controls = Controls(t=0.0, level=0.5, angle_deg=math.nan, tracking=True)
    stepper.advance(0.0, controls)
    steps = sum(stepper.advance(i / 37, controls) for i in range(1, 38))
    assert steps == 120
    assert abs(game.t - 1.0) < 1e-9
