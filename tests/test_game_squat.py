"""Squat rules through update(dt, controls) only, a simulated session, and one drawn frame."""

import math

import pygame

import games.squat as squat
from games.squat.rules import TOO_DEEP, SquatGame
from rehab.core.types import Controls

STEP = 1 / 120


def hold(game: SquatGame, level: float, seconds: float, tracking: bool = True, knees=None) -> None:
    axes = {} if knees is None else {"knee_flexion_left": knees[0], "knee_flexion_right": knees[1]}
    controls = Controls(t=0.0, level=level, angle_deg=5 + 65 * level, tracking=tracking, axes=axes)
    for _ in range(int(seconds * 120)):
        game.update(STEP, controls)


def squat_once(game: SquatGame, depth: float, knees=None) -> float:
    """Go down to ``depth``, stand up; returns the highest the runner's feet went afterwards."""
    hold(game, depth / 2, 0.5, knees=None if knees is None else (knees[0] / 2, knees[1] / 2))
    hold(game, depth, 1.0, knees=knees)
    top = 0.0
    for _ in range(int(2.5 * 120)):
        game.update(STEP, Controls(t=0.0, level=0.0, angle_deg=5.0))
        top = max(top, game.feet_height)
    return top


def test_runner_waits_at_the_first_obstacle_without_a_squat():
    game = SquatGame()
    hold(game, 0.0, 8.0)
    snap = game.snapshot()
    assert snap.phase == "wait" and snap.cleared == 0
    assert snap.runner_x < snap.obstacles[0].x
    assert snap.message == "Bend your knees to charge"


def test_a_charged_squat_then_standing_jumps_the_obstacle():
    game = SquatGame()
    hold(game, 0.0, 6.0)
    hold(game, 0.5, 0.5)
    hold(game, 0.9, 1.0)
    assert game.snapshot().message == "Stand up to jump!"
    assert game.snapshot().charge == 0.9
    hold(game, 0.0, 2.5)
    snap = game.snapshot()
    assert snap.cleared == 1
    assert snap.runner_x > snap.obstacles[0].x + snap.obstacles[0].width
    assert snap.message in ("Nice jump!", "Bend your knees to charge")


def test_standing_is_what_releases_the_jump():
    game = SquatGame()
    hold(game, 0.0, 6.0)
    hold(game, 0.9, 3.0)  # staying down keeps the charge, no jump
    assert game.on_ground and game.snapshot().phase == "charge"
    hold(game, 0.0, 0.2)
    assert not game.on_ground


def test_a_shallow_dip_does_not_jump():
    game = SquatGame()
    hold(game, 0.0, 6.0)
    hold(game, 0.25, 1.0)
    hold(game, 0.0, 1.0)
    assert game.snapshot().cleared == 0 and game.squats == 0


def test_too_deep_warns_and_gives_no_extra_height():
    game = SquatGame()
    hold(game, 0.0, 6.0)
    hold(game, 1.5, 0.5)
    snap = game.snapshot()
    assert snap.too_deep and "not so deep" in snap.message.lower()
    assert snap.charge == 1.0
    deep = squat_once(SquatGame(), 1.5)
    full = squat_once(SquatGame(), 1.0)
    assert math.isclose(deep, full, abs_tol=1e-6)
    hold(game, 1.1, 0.2)
    assert "deep" not in game.snapshot().message.lower() and TOO_DEEP > 1.1


def test_uneven_knees_at_the_bottom_are_flagged():
    game = SquatGame()
    hold(game, 0.0, 6.0)
    squat_once(game, 0.9, knees=(1.0, 0.6))
    assert game.snapshot().uneven
    even = SquatGame()
    hold(even, 0.0, 6.0)
    hold(even, 0.9, 1.0, knees=(0.92, 0.85))
    snap = even.snapshot()
    assert not snap.uneven and snap.knee_left == 0.92 and snap.knee_right == 0.85


def test_symmetry_is_absent_without_both_knees():
    game = SquatGame()
    hold(game, 0.5, 1.0)
    snap = game.snapshot()
    assert snap.knee_left is None and snap.knee_right is None and not snap.uneven


def test_lost_tracking_freezes_the_world_and_says_why():
    game = SquatGame()
    hold(game, 0.0, 6.0)
    hold(game, 0.9, 1.0)
    hold(game, 0.0, 0.15)  # mid-jump
    before = game.snapshot()
    hold(game, 0.0, 3.0, tracking=False)
    after = game.snapshot()
    assert (after.runner_x, after.runner_y, after.cleared) == (before.runner_x, before.runner_y, before.cleared)
    assert after.phase == "paused" and "cannot see" in after.message


def level_of(angle: float, rest: float, target: float) -> float:
    return (angle - rest) / (target - rest)


def test_simulated_patient_clears_obstacles_in_30_seconds():
    info = squat.GAME
    samples = info.simulate("left", 3)
    assert {"knee_flexion_left", "knee_flexion_right", "hip_flexion_left"} <= set(samples[0].values)
    game = info.factory(hold_s=1.0)
    for s in samples:
        if s.t > 30.0:
            break
        knee = s.get("knee_flexion_left")
        axes = {
            "hip_flexion": level_of(s.get("hip_flexion_left"), *info.axes[0][1:]),
            "knee_flexion_left": level_of(knee, info.rest_deg, info.target_deg),
            "knee_flexion_right": level_of(s.get("knee_flexion_right"), info.rest_deg, info.target_deg),
        }
        controls = Controls(t=s.t, level=level_of(knee, info.rest_deg, info.target_deg), angle_deg=knee, axes=axes)
        for _ in range(4):  # 30 Hz samples, 120 Hz physics
            game.update(STEP, controls)
    assert game.snapshot().cleared >= 2


def test_draws_a_frame_that_is_not_blank():
    game = SquatGame()
    hold(game, 0.0, 6.0, knees=(0.0, 0.0))
    hold(game, 0.8, 1.0, knees=(0.8, 0.7))
    surface = pygame.Surface((960, 540))
    squat.GAME.renderer(surface, game.snapshot())
    colours = {surface.get_at((x, y))[:3] for x in range(0, 960, 24) for y in range(0, 540, 24)}
    assert len(colours) > 12
