"""Repetition detection on one angle stream: two thresholds with hysteresis.

A rep starts when the angle rises through ``low``, is armed when it reaches ``high``, and completes
when it falls back through ``low``. Noise or a tremor around one threshold cannot double count,
because both thresholds must be crossed in turn. A rep that never reaches ``high``, is too short,
or moves too little is dropped as a partial movement.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from rehab.core.types import RepMetrics
from rehab.engine.smoothness import sparc_of_angles

#: "holding at the top" means staying within this band below the rep's peak
HOLD_BAND_MIN_DEG = 5.0
HOLD_BAND_SHARE = 0.08
#: a dip below the hold band shorter than this is jitter, not the end of the hold
HOLD_DIP_S = 0.2
#: velocity is a difference over at least this long, so landmark jitter does not read as speed
VELOCITY_WINDOW_S = 0.15


def hold_time(samples: list[tuple[float, float]], floor_deg: float, max_dip_s: float = HOLD_DIP_S) -> float:
    """The longest time, in seconds, that the angle stayed at or above ``floor_deg``; a dip below it
    shorter than ``max_dip_s`` (tracker jitter, not the patient letting go) does not end the hold."""
    longest, start, last_above = 0.0, None, None
    for t, angle in samples:
        if angle < floor_deg:
            continue
        if start is None or last_above is None or t - last_above > max_dip_s:
            start = t
        last_above = t
        longest = max(longest, t - start)
    return longest


def peak_velocity(samples: list[tuple[float, float]]) -> float:
    """The highest angular speed, deg/s, measured over windows of at least VELOCITY_WINDOW_S."""
    best, j = 0.0, 0
    for t, angle in samples:
        while j + 1 < len(samples) and t - samples[j + 1][0] >= VELOCITY_WINDOW_S:
            j += 1
        t0, a0 = samples[j]
        if t - t0 >= VELOCITY_WINDOW_S:
            best = max(best, abs(angle - a0) / (t - t0))
    return best


def rep_smoothness(samples: list[tuple[float, float]], top_deg: float) -> float:
    """Mean SPARC of the raising and the lowering movement. SPARC judges one discrete movement, so
    the hold at the top (no motion) is cut out rather than read as a stop-start jerk."""
    at_top = [i for i, (_, angle) in enumerate(samples) if angle >= top_deg]
    if not at_top:
        return math.nan
    phases = [sparc_of_angles(samples[: at_top[0] + 1]), sparc_of_angles(samples[at_top[-1] :])]
    finite = [p for p in phases if math.isfinite(p)]
    return sum(finite) / len(finite) if finite else math.nan


@dataclass(frozen=True)
class RepRule:
    """What counts as a repetition of one movement, in degrees and seconds."""

    low_deg: float
    high_deg: float
    target_deg: float
    min_duration_s: float = 0.5
    min_excursion_deg: float = 10.0
    #: how long the patient must hold at or above ``high`` for the rep to be a success
    hold_s: float = 0.0
    #: a tracking gap longer than this abandons the rep in progress
    max_gap_s: float = 1.0

    def __post_init__(self) -> None:
        if not self.low_deg < self.high_deg:
            raise ValueError(f"low threshold {self.low_deg} must be below high threshold {self.high_deg}")

    @classmethod
    def for_range(cls, rest_deg: float, target_deg: float, hold_s: float = 0.0) -> RepRule:
        """Thresholds at 30% and 60% of the way from the patient's rest to the target."""
        span = target_deg - rest_deg
        return cls(
            low_deg=rest_deg + 0.3 * span,
            high_deg=rest_deg + 0.6 * span,
            target_deg=target_deg,
            min_excursion_deg=max(5.0, 0.4 * span),
            hold_s=hold_s,
        )


class RepDetector:
    """Feed ``step(t, angle)`` one sample at a time; it returns a RepMetrics when a rep completes."""

    def __init__(self, rule: RepRule) -> None:
        self.rule = rule
        self.count = 0
        self._reset_rep()
        self._baseline = math.inf
        self._last_t: float | None = None

    def _reset_rep(self) -> None:
        self._in_rep = False
        self._armed = False
        self._t_start = 0.0
        self._start_deg = math.nan
        self._peak = -math.inf
        self._samples: list[tuple[float, float]] = []

    @property
    def in_progress(self) -> bool:
        return self._in_rep

    def step(self, t: float, angle: float) -> RepMetrics | None:
        rule = self.rule
        if math.isnan(angle):
            if self._in_rep and self._last_t is not None and t - self._last_t > rule.max_gap_s:
                self._reset_rep()
            return None
        previous_t = self._last_t
        gap = previous_t is not None and t - previous_t > rule.max_gap_s
        self._last_t = t
        if gap:
            self._reset_rep()
            self._baseline = angle
            return None

        if not self._in_rep:
            if angle < rule.low_deg:
                self._baseline = min(self._baseline, angle)
                return None
            self._in_rep = True
            self._t_start = t
            self._start_deg = min(self._baseline, angle)
        self._samples.append((t, angle))
        self._peak = max(self._peak, angle)
        if angle >= rule.high_deg:
            self._armed = True
        if angle >= rule.low_deg:
            return None

        # fell back below low: the movement is over, counted or not
        finished = self._finish(t)
        self._reset_rep()
        self._baseline = angle
        return finished

    def _finish(self, t_end: float) -> RepMetrics | None:
        rule = self.rule
        duration = t_end - self._t_start
        excursion = self._peak - self._start_deg
        if not self._armed or duration < rule.min_duration_s or excursion < rule.min_excursion_deg:
            return None
        self.count += 1
        hold_band = max(HOLD_BAND_MIN_DEG, HOLD_BAND_SHARE * excursion)
        hold = hold_time(self._samples, self._peak - hold_band)
        return RepMetrics(
            index=self.count,
            t_start=self._t_start,
            t_end=t_end,
            start_deg=self._start_deg,
            peak_deg=self._peak,
            rom_deg=excursion,
            hold_s=hold,
            duration_s=duration,
            peak_velocity_dps=peak_velocity(self._samples),
            target_deg=rule.target_deg,
            success=self._peak >= rule.target_deg and hold >= rule.hold_s,
            smoothness_sparc=rep_smoothness(self._samples, self._peak - hold_band),
        )
