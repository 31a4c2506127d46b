"""Breathe: pacer, breath counting and metrics against known rates, stress prompts, headless play."""

import json
import math

import numpy as np
import pytest

from games.breathe import GAME
from games.breathe import metrics as m
from games.breathe.reader import BreathReader
from games.breathe.rules import BreatheGame, pacer_level
from rehab.core.types import Controls, ImuSample


def sine_breaths(rates_bpm, hz=20.0, depth=1.0, inhale_s=2.0):
    """(times, levels) of consecutive breaths, each at its own rate: a 2 s inhale, then a slower exhale
    filling the rest of the breath, so each breath's onset sits at the same point of it."""
    times, levels, t = [], [], 0.0
    for rate in rates_bpm:
        period = 60.0 / rate
        for i in range(int(period * hz)):
            s = i / hz
            if s < inhale_s:
                shape = 0.5 - 0.5 * math.cos(math.pi * s / inhale_s)
            else:
                shape = 0.5 + 0.5 * math.cos(math.pi * (s - inhale_s) / (period - inhale_s))
            times.append(t + s)
            levels.append(0.5 + depth * (shape - 0.5))
        t += period
    return times, levels


def test_metrics_on_a_steady_six_a_minute():
    times, levels = sine_breaths([6.0] * 12)
    onsets = m.breath_onsets(times, levels)
    assert len(onsets) == 12
    assert m.mean_rate(onsets) == pytest.approx(6.0, abs=0.05)
    assert m.regularity(onsets) == pytest.approx(1.0, abs=0.01)
    assert m.time_near_target(onsets, 6.0) == pytest.approx(110.0, abs=1.0)  # 11 intervals of 10 s
    assert m.time_near_target(onsets, 9.0) == 0.0


def test_metrics_on_irregular_breathing():
    rates = [8.0, 6.0, 10.0, 6.0, 8.0, 6.0, 10.0, 6.0]
    onsets = m.breath_onsets(*sine_breaths(rates))
    assert len(onsets) == len(rates)
    assert m.mean_rate(onsets) == pytest.approx(60 * 7 / sum(60 / r for r in rates[:-1]), abs=0.1)
    assert m.regularity(onsets) < 0.85
    assert [round(r) for _, r in m.rate_series(onsets)] == [8, 6, 10, 6, 8, 6, 10]
    assert m.time_near_target(onsets, 6.0) == pytest.approx(30.0, abs=0.5)  # the three 6 a minute breaths


def test_jitter_at_the_turn_is_not_a_breath():
    times, levels = sine_breaths([6.0] * 5)
    rng = np.random.default_rng(1)
    noisy = [v + rng.normal(0, 0.04) for v in levels]
    assert len(m.breath_onsets(times, noisy)) == 5


def test_pacer_is_smooth_and_six_a_minute():
    values = [pacer_level(t / 100, 6.0) for t in range(2000)]
    assert max(abs(a - b) for a, b in zip(values, values[1:], strict=False)) < 0.01  # no jumps
    assert pacer_level(0.0, 6.0) == pytest.approx(0.0) and pacer_level(4.0, 6.0) == pytest.approx(1.0)
    with pytest.raises(ValueError):
        BreatheGame(pace_bpm=20)


def play_levels(game, levels, dt=0.05, hand=None):
    for i, level in enumerate(levels):
        axes = {} if hand is None else {"hand": hand}
        game.update(dt, Controls(t=i * dt, level=level, angle_deg=100 * level, axes=axes))


def test_rules_ask_stress_then_count_breaths_then_ask_again():
    game = BreatheGame(pace_bpm=6.0, duration_s=60.0)
    assert game.snapshot().phase == "rate_before"
    play_levels(game, [0.3] * 60)  # held at 3 for 3 s
    assert game.snapshot().phase == "breathe" and game.snapshot().stress_before == 3
    _, levels = sine_breaths([6.0] * 6)
    play_levels(game, levels)
    snap = game.snapshot()
    assert snap.phase == "rate_after" and snap.breaths == 6 and snap.rate_bpm == pytest.approx(6.0, abs=0.1)
    play_levels(game, [0.5] * 10, hand=0.1)  # a raised hand points instead of the breath
    play_levels(game, [0.5] * 60, hand=0.2)
    summary = game.summary()
    assert game.snapshot().phase == "done"
    assert summary["stress_after"] == 2 and summary["ratings"] == 2 and summary["breaths"] == 6
    assert json.dumps(summary)


def test_untracked_breath_is_a_gap_and_unanswered_stress_is_skipped():
    game = BreatheGame(duration_s=30.0)
    for i in range(int(31 / 0.05)):
        game.update(0.05, Controls(t=i * 0.05, level=0.0, angle_deg=math.nan, tracking=False))
    assert game.snapshot().phase == "breathe" and game.skipped == 1 and game.snapshot().breaths == 0
    assert game.snapshot().message.startswith("Keep breathing")


def test_reader_rescales_a_chest_imu_to_0_100():
    reader = BreathReader()
    out = [
        reader(ImuSample(t=i / 50, euler_deg=(0.0, 2.0 * math.sin(2 * math.pi * i / 500), 0.0))).get("breath")
        for i in range(1500)
    ]
    assert -15 < min(out[500:]) < 15 and 85 < max(out[500:]) < 115
    assert reader(object()) is None


def test_plays_headless_with_the_simulator(play_with_simulator):
    data = play_with_simulator("breathe")
    assert data["frames"] > 1000 and data["play_seconds"] >= 59 and len(data["reps"]) >= 4  # breaths as reps


def test_simulated_patient_settles_towards_the_pace():
    samples = GAME.simulate("left", 3)
    game = BreatheGame()
    play_levels(game, [s.values["breath"] / 100 for s in samples])
    summary = game.summary()
    assert summary["ratings"] == 2 and summary["breaths"] > 15
    assert summary["rate_by_minute_bpm"][0] > summary["rate_by_minute_bpm"][-1]
