"""Focus: adaptive threshold, time above it, means, poor-signal handling, headless play."""

import json
import math

import pytest

from games.focus import GAME, read_sample
from games.focus.metrics import THRESHOLD_MAX, THRESHOLD_MIN, next_threshold
from games.focus.rules import FocusGame
from rehab.core.types import Controls, EegSample


def feed(game, meditation, attention=50.0, poor=0.0, seconds=1.0, dt=0.05):
    for _ in range(int(seconds / dt)):
        game.update(
            dt,
            Controls(
                t=game.t,
                level=meditation / 100,
                angle_deg=meditation,
                axes={"attention": attention / 100, "poor_signal": poor / 200},
            ),
        )


def test_read_sample_takes_esense_and_leaves_raw_out():
    angles = read_sample(EegSample(t=1.0, poor_signal=0, attention=40, meditation=64))
    assert dict(angles.values) == {"meditation": 64.0, "attention": 40.0, "poor_signal": 0.0}
    assert read_sample(EegSample(t=1.0, raw=120)) is None and read_sample(object()) is None


def test_threshold_follows_meditation_within_bounds():
    t = 50.0
    for _ in range(600):
        t = next_threshold(t, 70.0, 1.0)
    assert t == pytest.approx(70.0, abs=0.5)
    assert next_threshold(THRESHOLD_MIN, 0.0, 10.0) == THRESHOLD_MIN
    assert next_threshold(THRESHOLD_MAX, 100.0, 10.0) == THRESHOLD_MAX


def test_calm_raises_the_lantern_and_counts_time_above():
    game = FocusGame()
    feed(game, 80.0, attention=30.0, seconds=20.0)
    snap = game.snapshot()
    assert snap.above and snap.lantern > 0.3 and snap.time_above_s == pytest.approx(20.0, abs=0.1)
    assert snap.mean_meditation == pytest.approx(80.0) and snap.mean_attention == pytest.approx(30.0)
    feed(game, 80.0, seconds=30.0)
    assert game.snapshot().lanterns == 1


def test_below_threshold_sinks_gently_and_threshold_adapts():
    game = FocusGame()
    feed(game, 70.0, seconds=20.0)
    height, threshold = game.snapshot().lantern, game.snapshot().threshold
    feed(game, 20.0, seconds=10.0)
    snap = game.snapshot()
    assert not snap.above and 0 < snap.lantern < height and snap.threshold < threshold


def test_poor_signal_pauses_and_asks_to_adjust_the_headset():
    game = FocusGame()
    feed(game, 80.0, seconds=10.0)
    height = game.snapshot().lantern
    feed(game, 0.0, attention=0.0, poor=200.0, seconds=15.0)
    snap = game.snapshot()
    assert snap.poor_signal and "headset" in snap.message and math.isnan(snap.meditation)
    assert snap.lantern == pytest.approx(height) and snap.poor_s == pytest.approx(15.0, abs=0.1)
    assert snap.mean_meditation == pytest.approx(80.0)  # the zeros of a loose headset are not counted
    summary = game.summary()
    assert summary["seconds_poor_signal"] == pytest.approx(15.0, abs=0.1) and json.dumps(summary)


def test_nothing_counts_before_the_headset_speaks():
    game = FocusGame()
    game.update(1.0, Controls(t=0.0, level=0.0, angle_deg=math.nan, tracking=False))
    assert game.t == 0.0 and game.snapshot().message.startswith("Waiting")


def test_simulator_is_thinkgear_like():
    samples = GAME.simulate("left", 0)
    assert all(isinstance(s, EegSample) for s in samples) and samples[1].t - samples[0].t == 1.0
    assert sum(s.poor_signal == 200 for s in samples) == 15


def test_plays_headless_with_the_simulator(play_with_simulator):
    data = play_with_simulator("focus")
    assert data["frames"] > 1000 and data["play_seconds"] >= 59
