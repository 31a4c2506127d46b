"""Rep detection on synthetic angle signals."""

import math

import numpy as np
import pytest

from rehab.engine.reps import RepDetector, RepRule
from rehab.engine.scripted_motion import RepScript, angle_at

RULE = RepRule.for_range(rest_deg=10, target_deg=120, hold_s=0.5)


def run(signal, fps=30.0, rule=RULE):
    detector = RepDetector(rule)
    reps = []
    for i, angle in enumerate(signal):
        rep = detector.step(i / fps, angle)
        if rep:
            reps.append(rep)
    return reps


def scripted(peaks, fps=30.0, rest=10.0):
    scripts = [RepScript(peak_deg=p) for p in peaks]
    total = sum(s.total_s for s in scripts) + 1.0
    return [angle_at(i / fps, scripts, rest) for i in range(int(total * fps))]


def test_counts_clean_reps_with_their_metrics():
    reps = run(scripted([130, 125, 100]))
    assert [r.index for r in reps] == [1, 2, 3]
    assert [round(r.peak_deg) for r in reps] == [130, 125, 100]
    assert [r.success for r in reps] == [True, True, False]
    first = reps[0]
    assert first.rom_deg == pytest.approx(120, abs=0.5)
    # 1 s scripted hold, plus the slow ends of the minimum-jerk moves inside the 9.6-degree band
    # below the peak (1 - p(s) = 10 (1 - s)^3 near the end: 0.2 of the 1.3 s rise and 1.6 s lowering)
    assert first.hold_s == pytest.approx(1.0 + 0.2 * (1.3 + 1.6), abs=0.1)
    # minimum-jerk peak speed is 1.875 x distance / time: 1.875 * 120 / 1.3 s
    assert first.peak_velocity_dps == pytest.approx(1.875 * 120 / 1.3, rel=0.1)


def test_noise_around_a_threshold_does_not_double_count():
    rng = np.random.default_rng(1)
    t = np.arange(0, 20, 1 / 30)
    # hovering at the high threshold with 6 degrees of jitter, then one clean return to rest
    signal = list(RULE.high_deg + rng.normal(0, 6, t.size)) + [5.0] * 30
    assert len(run([5.0] * 30 + signal)) == 1


def test_partial_movement_is_not_a_rep():
    reps = run(scripted([RULE.high_deg - 5]))
    assert reps == []


def test_too_short_a_flick_is_not_a_rep():
    signal = [10.0] * 10 + [120.0] * 2 + [10.0] * 10
    assert run(signal) == []


def test_tracking_gap_abandons_the_rep_in_progress():
    signal = [10.0] * 30 + list(np.linspace(10, 125, 30)) + [math.nan] * 60 + [10.0] * 30
    assert run(signal) == []


def test_short_dropout_is_bridged():
    clean = scripted([130])
    clean[70:75] = [math.nan] * 5
    assert len(run(clean)) == 1


def test_hold_requirement_decides_success():
    strict = RepRule.for_range(10, 120, hold_s=3.0)
    (rep,) = run(scripted([130]), rule=strict)
    assert not rep.success


def test_thresholds_must_be_ordered():
    with pytest.raises(ValueError):
        RepRule(low_deg=50, high_deg=40, target_deg=100)


def test_smoothness_is_measured_and_jerky_reps_score_lower():
    smooth = scripted([130])
    t = np.arange(len(smooth)) / 30.0
    jerky = list(np.array(smooth) + 8 * np.sin(2 * np.pi * 2.5 * t) * (np.array(smooth) > 40))
    (rep_smooth,) = run(smooth)
    (rep_jerky,) = run(jerky)
    assert -3.5 < rep_smooth.smoothness_sparc < -1.0
    assert rep_jerky.smoothness_sparc < rep_smooth.smoothness_sparc - 0.3


def test_sparc_of_a_minimum_jerk_reach_matches_the_published_value():
    from rehab.engine.scripted_motion import minimum_jerk
    from rehab.engine.smoothness import sparc

    fs = 100.0
    t = np.arange(0, 1.3, 1 / fs)
    position = np.array([minimum_jerk(x / 1.3) for x in t]) * 120
    # Balasubramanian et al. 2015 report about -1.4 for a minimum-jerk profile
    assert sparc(np.abs(np.gradient(position, 1 / fs)), fs) == pytest.approx(-1.40, abs=0.05)


@pytest.mark.parametrize("rise_s,lower_s", [(0.35, 0.4), (6.0, 8.0)])
def test_very_fast_and_very_slow_reps_count_once_each(rise_s, lower_s):
    scripts = [RepScript(peak_deg=p, rise_s=rise_s, hold_s=0.5, lower_s=lower_s) for p in (125, 130, 128)]
    total = sum(s.total_s for s in scripts) + 1.0
    signal = [angle_at(i / 30, scripts, 10.0) for i in range(int(total * 30))]
    reps = run(signal)
    assert [round(r.peak_deg) for r in reps] == [125, 130, 128]
    expected_duration = rise_s + 0.5 + lower_s
    # the rep runs from the 30% crossing on the way up to the same crossing on the way down
    assert all(0.4 * expected_duration < r.duration_s < expected_duration for r in reps)


def test_a_single_jittery_sample_does_not_end_a_hold():
    from rehab.engine.reps import hold_time

    steady = [(i / 30, 100.0) for i in range(90)]  # 3 s at the top
    jittered = [(t, 90.0 if i == 45 else a) for i, (t, a) in enumerate(steady)]
    assert hold_time(jittered, 95.0) == pytest.approx(hold_time(steady, 95.0))
    let_go = [(t, 90.0 if 40 <= i < 55 else a) for i, (t, a) in enumerate(steady)]  # 0.5 s down
    assert hold_time(let_go, 95.0) < 1.6
