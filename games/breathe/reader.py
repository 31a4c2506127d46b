"""Reading breathing from any input: a chest IMU, a pose, the keyboard, a simulation.

Each device measures breathing in its own units (a few degrees of chest-strap pitch, a few
millimetres of shoulder rise), so the raw signal is rescaled to 0 (breathed out) .. 100 (breathed
in) over the last ``WINDOW_S`` seconds. Inputs that already speak that scale (``breath`` from the
simulator, a recording or the Up/Down keys) pass through untouched.

The reader keeps that window, so it is state; it restarts by itself when time goes backwards or
stops for a while (a new session in the same process). The engine should rather build one reader
per session (see the report of issue 6).
"""

from __future__ import annotations

import math
from collections import deque

import numpy as np

from rehab.core.types import EegSample, ImuSample, JointAngles, PoseFrame
from rehab.engine.api import hand_level

CHANNEL = "breath"
WINDOW_S = 20.0
#: a raw range smaller than this is stillness or noise, not breathing (degrees of pitch, metres)
MIN_RANGE = {"imu": 0.4, "pose": 0.003}
RESTART_GAP_S = 3.0


class BreathReader:
    def __init__(self) -> None:
        self._window: deque[tuple[float, float]] = deque()
        self._last_t: float | None = None

    def __call__(self, sample: object) -> JointAngles | None:
        if isinstance(sample, JointAngles):
            if CHANNEL in sample.values:
                return sample
            if "trunk_flexion" in sample.values:  # a chest strap read with ?segment=trunk
                return self._scaled(sample.t, sample.get("trunk_flexion"), "imu")
            return None
        if isinstance(sample, ImuSample):
            if sample.euler_deg is None:
                return None
            return self._scaled(sample.t, sample.euler_deg[1], "imu")  # chest pitch rocks with each breath
        if isinstance(sample, PoseFrame):
            raw, hand = _pose_breath(sample)
            out = self._scaled(sample.t, raw, "pose")
            values = dict(out.values)
            values["hand"] = 100.0 * hand
            return JointAngles(t=sample.t, values=values, confidence={CHANNEL: 0.9, "hand": 0.9})
        if isinstance(sample, EegSample):
            return None
        return None

    def _scaled(self, t: float, raw: float, kind: str) -> JointAngles:
        if self._last_t is not None and (t < self._last_t or t - self._last_t > RESTART_GAP_S):
            self._window.clear()
        self._last_t = t
        if math.isnan(raw):
            return JointAngles(t=t, values={CHANNEL: math.nan})
        self._window.append((t, raw))
        while self._window and self._window[0][0] < t - WINDOW_S:
            self._window.popleft()
        values = np.array([v for _, v in self._window])
        low, high = np.percentile(values, [5, 95]) if len(values) > 1 else (raw, raw)
        span = max(float(high - low), MIN_RANGE[kind])
        mid = (float(high) + float(low)) / 2
        return JointAngles(t=t, values={CHANNEL: 50.0 + 100.0 * (raw - mid) / span}, confidence={CHANNEL: 0.9})


def _pose_breath(pose: PoseFrame) -> tuple[float, float]:
    """Shoulder height above the hips (metres; rises as the chest fills) and the raised-hand pointer."""
    if pose.world is None:
        return math.nan, math.nan
    vis = pose.visibility
    if min(vis[11], vis[12], vis[23], vis[24]) < 0.5:
        return math.nan, hand_level(pose)
    y = pose.world[:, 1]
    return float((y[23] + y[24]) / 2 - (y[11] + y[12]) / 2), hand_level(pose)
