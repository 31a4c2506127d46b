"""One Euro filter (Casiez, Roussel and Vogel, CHI 2012) for noisy angle streams.

It smooths hard when the signal is still (jitter disappears) and lightly when it moves (little lag),
which is what a live goniometer and a game both need. Time is passed in with every sample.
"""

from __future__ import annotations

import math

from rehab.core.motions import DEFAULT_ONE_EURO, motion_of
from rehab.core.types import JointAngles


def _alpha(cutoff_hz: float, dt: float) -> float:
    tau = 1.0 / (2 * math.pi * cutoff_hz)
    return 1.0 / (1.0 + tau / dt)


class OneEuroFilter:
    """``min_cutoff_hz`` sets jitter removal at rest, ``beta`` how fast the cutoff opens with speed."""

    def __init__(self, min_cutoff_hz: float = 1.0, beta: float = 0.02, d_cutoff_hz: float = 1.0) -> None:
        self.min_cutoff_hz = min_cutoff_hz
        self.beta = beta
        self.d_cutoff_hz = d_cutoff_hz
        self.reset()

    def reset(self) -> None:
        self._t: float | None = None
        self._x = math.nan
        self._dx = 0.0

    def __call__(self, t: float, x: float) -> float:
        """The filtered value at time ``t``. NaN passes through and restarts the filter, so a gap
        in tracking never blends stale numbers into new ones."""
        if math.isnan(x):
            self.reset()
            return math.nan
        if self._t is None or t <= self._t:
            self._t, self._x, self._dx = t, x, 0.0
            return x
        dt = t - self._t
        dx = (x - self._x) / dt
        self._dx += _alpha(self.d_cutoff_hz, dt) * (dx - self._dx)
        cutoff = self.min_cutoff_hz + self.beta * abs(self._dx)
        self._x += _alpha(cutoff, dt) * (x - self._x)
        self._t = t
        return self._x

    @property
    def velocity(self) -> float:
        """The filtered rate of change, units per second."""
        return self._dx


def filter_for(angle_name: str) -> OneEuroFilter:
    """A One Euro filter tuned for ``angle_name`` (``elbow_flexion_left`` or a motion name), with
    the motion registry's setting; channels that are not motions (``hand``) get the default."""
    motion = motion_of(angle_name)
    min_cutoff, beta = motion.one_euro if motion is not None else DEFAULT_ONE_EURO
    return OneEuroFilter(min_cutoff_hz=min_cutoff, beta=beta)


class AngleSmoother:
    """Smooths every angle of a stream of JointAngles with its own tuned filter.

    NaN stays NaN (and restarts that angle's filter), so smoothing never invents a value.
    """

    def __init__(self) -> None:
        self._filters: dict[str, OneEuroFilter] = {}

    def __call__(self, angles: JointAngles) -> JointAngles:
        smoothed = {}
        for name, value in angles.values.items():
            filt = self._filters.get(name)
            if filt is None:
                filt = self._filters[name] = filter_for(name)
            smoothed[name] = filt(angles.t, value)
        return JointAngles(t=angles.t, values=smoothed, confidence=angles.confidence)
