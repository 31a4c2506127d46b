"""Tilt rules through update(dt, controls) only, a simulated session, and one drawn frame."""

import math
import random

import pygame
import pytest

from games.tilt import GAME
from games.tilt.rules import (
    CUP_DEPTH,
    HALF_LENGTH,
    MARBLE_R,
    MAX_TILT_DEG,
    RIM_HEIGHT,
    TiltGame,
)
from rehab.core.types import Controls

DT = 1 / 120


def controls(level: float, tracking: bool = True) -> Controls:
    return Controls(t=0.0, level=level, angle_deg=20 * level, tracking=tracking)


def play(game: TiltGame, level: float, seconds: float, tracking: bool = True) -> None:
    c = controls(level, tracking)
    for _ in range(int(seconds * 120)):
        game.update(DT, c)


def test_a_bend_to_the_left_lowers_the_left_end_and_the_marble_rolls_left():
    game = TiltGame()
    play(game, -1.0, 1.0)
    assert game.board.angle > 0  # counter-clockwise: the left end is down
    left_end = game.board.local_to_world((-HALF_LENGTH, 0.0))
    right_end = game.board.local_to_world((HALF_LENGTH, 0.0))
    assert left_end.y < right_end.y
    assert game.marble.position.x < -0.02 and game.marble.velocity.x < 0


def test_a_bend_to_the_right_rolls_the_marble_right():
    game = TiltGame()
    play(game, 1.0, 1.0)
    assert game.board.angle < 0
    assert game.marble.position.x > 0.02 and game.marble.velocity.x > 0


def test_the_board_never_tilts_past_its_safe_maximum():
    game = TiltGame()
    for level in (3.0, -5.0):
        play(game, level, 2.0)
        assert math.degrees(abs(game.board.angle)) <= MAX_TILT_DEG + 1e-6


def test_a_settled_marble_scores_once_and_the_target_moves_to_the_other_side():
    game = TiltGame(hold_s=1.0)
    assert game.active_side == "left"
    play(game, -1.0, 2.5)
    assert game.marble_local[0] < -0.6  # in the left cup
    play(game, -1.0, 1.5)
    assert game.scored == 1 and game.active_side == "right"
    assert game.snapshot().phase == "well_done"
    play(game, 0.0, 5.0)  # resting in the old cup scores nothing more
    assert game.scored == 1
    play(game, 1.0, 6.0)
    assert game.scored == 2 and game.active_side == "left"
    assert game.marble_local[0] > 0.6


def test_a_small_bend_does_not_lift_the_marble_out_of_its_cup():
    game = TiltGame(hold_s=0.5)
    play(game, -1.0, 4.0)
    assert game.scored == 1
    play(game, 0.5, 4.0)  # the cup's wall is steeper than half the target tilt
    assert game.marble_local[0] < -0.6 and game.scored == 1
    play(game, 1.0, 6.0)  # a full bend does it
    assert game.scored == 2


def test_the_marble_must_settle_not_just_pass_through():
    game = TiltGame(hold_s=1.0)
    play(game, -1.0, 2.5)
    assert game.scored == 0
    snap = game.snapshot()
    assert snap.phase in ("settle", "roll")


def test_lost_tracking_freezes_the_board_and_marble_and_says_why():
    game = TiltGame()
    play(game, -1.0, 0.8)
    before = (game.board.angle, tuple(game.marble.position), game.t)
    play(game, 1.0, 3.0, tracking=False)
    play(game, math.nan, 1.0, tracking=False)
    assert (game.board.angle, tuple(game.marble.position), game.t) == before
    snap = game.snapshot()
    assert snap.phase == "paused" and "Paused" in snap.message


@pytest.mark.parametrize("seed", range(4))
def test_the_marble_never_leaves_the_board(seed):
    rng = random.Random(seed)
    game = TiltGame(hold_s=0.5)
    for _ in range(150):  # jerky, random bends, far beyond the target
        c = controls(rng.uniform(-3.0, 3.0))
        for _ in range(rng.randint(5, 90)):
            game.update(DT, c)
            x, y = game.marble_local
            assert abs(x) <= HALF_LENGTH - MARBLE_R + 1e-3
            assert -CUP_DEPTH <= y <= RIM_HEIGHT
    assert game.escapes == 0


@pytest.mark.parametrize("seed", [0, 1, 5])
def test_its_own_simulated_patient_alternates_and_scores(seed):
    samples = GAME.simulate("left", seed)
    assert samples and 30 <= samples[-1].t <= 60
    peaks = [s.get("trunk_lateral_flexion") for s in samples]
    assert min(peaks) < -10 and max(peaks) > 10
    game = GAME.factory(hold_s=1.0)
    for s in samples:
        if s.t > 20:
            break
        angle = s.get(GAME.angle)
        level = (angle - GAME.rest_deg) / (GAME.target_deg - GAME.rest_deg)
        for _ in range(4):  # 30 Hz samples, 120 Hz physics
            game.update(DT, Controls(t=s.t, level=level, angle_deg=angle))
    assert game.scored >= 1


def test_one_frame_draws_a_full_scene():
    game = TiltGame()
    play(game, -0.6, 1.0)
    surface = pygame.Surface((960, 540))
    GAME.renderer(surface, game.snapshot())
    colors = {surface.get_at((x, y))[:3] for x in range(0, 960, 16) for y in range(0, 540, 16)}
    assert len(colors) > 20
