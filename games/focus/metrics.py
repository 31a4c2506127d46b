"""Neurofeedback metrics over eSense readings (ThinkGear attention and meditation, 0-100).

``Tally`` accumulates time-weighted sums as ``update(dt)`` runs, so the numbers are the same
whatever the frame rate; the adaptive threshold is a slow average of the patient's own meditation.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

#: ThinkGear poor-signal values at or above this make eSense values meaningless
POOR_SIGNAL = 50.0
THRESHOLD_START, THRESHOLD_MIN, THRESHOLD_MAX = 50.0, 25.0, 85.0
#: seconds over which the threshold follows the patient's meditation
THRESHOLD_TAU_S = 60.0


def next_threshold(threshold: float, meditation: float, dt: float, tau_s: float = THRESHOLD_TAU_S) -> float:
    """One step of the adaptive threshold: an exponential average of meditation, kept in bounds, so
    the goal stays within reach on a bad day and keeps asking a little more on a good one."""
    alpha = 1.0 - math.exp(-dt / tau_s)
    return min(max(threshold + alpha * (meditation - threshold), THRESHOLD_MIN), THRESHOLD_MAX)


@dataclass
class Tally:
    good_s: float = 0.0
    poor_s: float = 0.0
    above_s: float = 0.0
    attention_s: float = 0.0  # attention x seconds, over good signal
    meditation_s: float = 0.0

    def add(self, dt: float, good: bool, attention: float, meditation: float, above: bool) -> None:
        if not good:
            self.poor_s += dt
            return
        self.good_s += dt
        self.attention_s += attention * dt
        self.meditation_s += meditation * dt
        self.above_s += dt if above else 0.0

    @property
    def mean_attention(self) -> float:
        return self.attention_s / self.good_s if self.good_s else math.nan

    @property
    def mean_meditation(self) -> float:
        return self.meditation_s / self.good_s if self.good_s else math.nan
