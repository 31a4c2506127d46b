"""Clocks for the outer loop: the only place time is read. Everything inside takes time as an argument.

A simulated clock plays a recording as fast as the machine allows (the demo, tests, benchmarks); a
real clock paces a live session to the display rate.
"""

from __future__ import annotations

import time
from typing import Protocol


class Clock(Protocol):
    def now(self) -> float:
        """Seconds; called once per frame by the loop, and nowhere else."""
        ...


class SimulatedClock:
    """Advances a fixed frame time on every call: a session plays as fast as it can be computed."""

    def __init__(self, fps: float = 60.0) -> None:
        self.frame_s = 1.0 / fps
        self._t = -self.frame_s

    def now(self) -> float:
        self._t += self.frame_s
        return self._t


class RealClock:
    """Monotonic time, pacing the loop to ``fps`` frames a second."""

    def __init__(self, fps: float = 60.0) -> None:
        self.frame_s = 1.0 / fps
        self._next = time.monotonic()

    def now(self) -> float:
        delay = self._next - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        self._next = max(self._next + self.frame_s, time.monotonic())
        return time.monotonic()
