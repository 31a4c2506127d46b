"""Breathing metrics from a breath signal: breath onsets, rate over time, regularity, time on target.

Pure functions over plain numbers so they can be checked against signals with known rates. A breath
is counted at the start of each inhale: the signal rises above ``high`` after having been below ``low``
(hysteresis, so tracker jitter at the turn of a breath is not a second breath).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence

LOW, HIGH = 0.3, 0.6


class BreathCounter:
    """Feed ``step(t, level)`` (level 0 = out, 1 = in); it returns True at each new inhale."""

    def __init__(self, low: float = LOW, high: float = HIGH) -> None:
        self.low, self.high = low, high
        self.onsets: list[float] = []
        self._armed = False

    def step(self, t: float, level: float) -> bool:
        if math.isnan(level):
            return False
        if level <= self.low:
            self._armed = True
        elif level >= self.high and self._armed:
            self._armed = False
            self.onsets.append(t)
            return True
        return False


def breath_onsets(times: Sequence[float], levels: Sequence[float], low: float = LOW, high: float = HIGH) -> list[float]:
    counter = BreathCounter(low, high)
    for t, level in zip(times, levels, strict=True):
        counter.step(t, level)
    return counter.onsets


def rate_series(onsets: Sequence[float], max_interval_s: float = 30.0) -> list[tuple[float, float]]:
    """(time, breaths a minute) for each breath after the first; a pause longer than
    ``max_interval_s`` (tracking lost, the patient talking) is a gap, not a very slow breath."""
    return [(b, 60.0 / (b - a)) for a, b in zip(onsets, onsets[1:], strict=False) if 0 < b - a <= max_interval_s]


def mean_rate(onsets: Sequence[float]) -> float:
    rates = rate_series(onsets)
    if not rates:
        return math.nan
    # breaths over the time they took, rather than a mean of rates, which long breaths would skew
    intervals = [60.0 / r for _, r in rates]
    return 60.0 * len(intervals) / sum(intervals)


def regularity(onsets: Sequence[float]) -> float:
    """1 - the coefficient of variation of breath intervals: 1 is a metronome; NaN under 3 intervals."""
    intervals = [60.0 / r for _, r in rate_series(onsets)]
    if len(intervals) < 3:
        return math.nan
    cv = statistics.pstdev(intervals) / statistics.fmean(intervals)
    return max(0.0, 1.0 - cv)


def time_near_target(onsets: Sequence[float], target_bpm: float, tolerance_bpm: float = 1.0) -> float:
    """Seconds spent in breaths whose rate was within ``tolerance_bpm`` of the target."""
    return sum(60.0 / r for _, r in rate_series(onsets) if abs(r - target_bpm) <= tolerance_bpm)


def rate_by_minute(onsets: Sequence[float]) -> list[float]:
    """Breaths a minute in each whole minute from the first breath: the curve a clinician plots."""
    rates = rate_series(onsets)
    if not rates:
        return []
    start = onsets[0]
    minutes: dict[int, list[float]] = {}
    for t, r in rates:
        minutes.setdefault(int((t - start) // 60), []).append(60.0 / r)
    return [round(60.0 * len(v) / sum(v), 2) for _, v in sorted(minutes.items())]
