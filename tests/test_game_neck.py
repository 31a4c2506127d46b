"""Neck rules through update(dt, controls) only, a simulated session, and one drawn frame."""

import pygame
from hypothesis import given, settings
from hypothesis import strategies as st

import games.neck as neck
from games.neck.rules import GATE_GAP_S, GATE_HALF_LEVEL, SPEED_M_S, NeckGame
from rehab.core.types import Controls

STEP = 1 / 120


def hold(game: NeckGame, level: float, seconds: float, tracking: bool = True, tilt: float = 0.0) -> None:
    controls = Controls(
        t=0.0, level=level, angle_deg=50 * level, tracking=tracking, axes={"cervical_lateral_flexion": tilt}
    )
    for _ in range(int(seconds * 120)):
        game.update(STEP, controls)


def test_negative_level_moves_the_glider_to_the_left_with_inertia():
    game = NeckGame()
    hold(game, -0.7, 1 / 60)
    assert -0.2 < game.glider_level < 0.0  # it glides there, it does not jump
    hold(game, -0.7, 2.0)
    assert abs(game.glider_level + 0.7) < 0.03
    hold(game, 0.6, 2.5)
    assert abs(game.glider_level - 0.6) < 0.03


def test_turning_left_passes_a_gate_placed_on_the_left():
    game = NeckGame()
    game.place_gate(-0.6, seconds_ahead=3.0)
    hold(game, -0.6, 3.2)
    snap = game.snapshot()
    assert snap.passed == 1 and snap.missed == 0
    assert snap.message == "Through the gate!"


def test_looking_the_wrong_way_misses_the_gate():
    game = NeckGame()
    game.place_gate(-0.6, seconds_ahead=3.0)
    hold(game, 0.6, 3.2)
    snap = game.snapshot()
    assert snap.passed == 0 and snap.missed == 1


def test_the_first_gates_alternate_and_the_message_points_the_way():
    game = NeckGame()
    snap = game.snapshot()
    offsets = [g.offset for g in snap.gates]
    assert offsets[0] < 0 and all(a * b < 0 for a, b in zip(offsets, offsets[1:], strict=False))
    hold(game, 0.0, 0.1)
    assert game.snapshot().message == "Slowly turn your head to the left"


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), minutes=st.floats(0.2, 2.0))
def test_gates_stay_inside_the_calibrated_range_and_never_rush(seed, minutes):
    game = NeckGame(seed=seed)
    seen = {}
    for _ in range(int(minutes * 60 / 0.5)):
        hold(game, 0.3, 0.5)
        for gate in game.snapshot().gates:
            seen[round(gate.z + game.distance, 3)] = gate.offset
    assert all(abs(o) + GATE_HALF_LEVEL <= 1.0 + 1e-9 for o in seen.values())
    positions = sorted(seen)
    gaps = [b - a for a, b in zip(positions, positions[1:], strict=False)]
    assert all(g / SPEED_M_S >= 3.0 for g in gaps) and GATE_GAP_S >= 3.0
    signs = [seen[p] > 0 for p in positions]
    assert all(a != b for a, b in zip(signs, signs[1:], strict=False))


def test_lost_tracking_freezes_the_world_and_says_why():
    game = NeckGame()
    hold(game, -0.5, 1.0)
    before = game.snapshot()
    hold(game, 0.8, 3.0, tracking=False)
    after = game.snapshot()
    assert (after.glider_x, after.distance, after.gates) == (before.glider_x, before.distance, before.gates)
    assert after.phase == "paused" and "cannot see" in after.message


def test_head_tilt_only_trims_and_banks():
    game = NeckGame()
    hold(game, 0.0, 2.0, tilt=1.0)
    snap = game.snapshot()
    assert snap.glider_y > 0.3 and snap.bank_deg > 5 and abs(snap.glider_x) < 0.01


def test_simulated_patient_passes_gates_in_30_seconds():
    info = neck.GAME
    samples = info.simulate("left", 0)
    tilt_rest, tilt_target = info.axes[0][1:]
    game = info.factory(hold_s=1.0)
    for s in samples:
        if s.t > 30.0:
            break
        turn = s.get("cervical_rotation")
        tilt = (s.get("cervical_lateral_flexion") - tilt_rest) / (tilt_target - tilt_rest)
        level = (turn - info.rest_deg) / (info.target_deg - info.rest_deg)
        controls = Controls(t=s.t, level=level, angle_deg=turn, axes={"cervical_lateral_flexion": tilt})
        for _ in range(4):  # 30 Hz samples, 120 Hz physics
            game.update(STEP, controls)
    assert game.snapshot().passed >= 1


def test_draws_a_frame_that_is_not_blank():
    game = NeckGame()
    hold(game, -0.5, 5.0, tilt=-0.3)
    surface = pygame.Surface((960, 540))
    neck.GAME.renderer(surface, game.snapshot())
    colours = {surface.get_at((x, y))[:3] for x in range(0, 960, 24) for y in range(0, 540, 24)}
    assert len(colours) > 12
