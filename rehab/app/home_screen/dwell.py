"""Pressing a button with the body: a hand held over the same button for ``DWELL_S`` presses it,
for a patient standing back from the laptop (as the rating prompts let a raised hand choose).

Only the hand pointer dwells. A mouse resting on a button or keyboard focus left on one never
presses anything: the caller feeds this the hand's position alone. Pure state; time comes in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rehab.core.types import PoseFrame

DWELL_S = 2.0
#: MediaPipe landmarks of the index fingers (left 19, right 20) and wrists (15, 16)
_FINGERS, _WRISTS = (19, 20), (15, 16)


@dataclass(frozen=True)
class Target:
    key: str
    rect: tuple[int, int, int, int]  # left, top, width, height

    def contains(self, point: tuple[float, float]) -> bool:
        left, top, width, height = self.rect
        return left <= point[0] < left + width and top <= point[1] < top + height


class HandDwell:
    """Feed it the hand's point on the screen each frame (None when no hand is seen); it returns a
    button's key the frame the hold is complete, once per hold."""

    def __init__(self, dwell_s: float = DWELL_S) -> None:
        self.dwell_s = dwell_s
        self.over = ""
        self.held_s = 0.0
        self.point: tuple[float, float] | None = None

    def update(self, dt: float, point: tuple[float, float] | None, targets: Sequence[Target]) -> str | None:
        self.point = point
        over = next((t.key for t in targets if point is not None and t.contains(point)), "")
        if over != self.over:
            self.over, self.held_s = over, 0.0
            return None
        if not over:
            return None
        self.held_s += dt
        if self.held_s >= self.dwell_s:
            self.held_s = -1e9  # pressed: the hand must leave the button before it presses again
            return over
        return None

    @property
    def progress(self) -> float:
        """0..1 of the hold, for the ring drawn round the hand."""
        return min(max(self.held_s / self.dwell_s, 0.0), 1.0) if self.dwell_s > 0 else 1.0

    def reset(self) -> None:
        self.over, self.held_s = "", 0.0


def hand_point(pose: PoseFrame, size: tuple[int, int], min_visibility: float = 0.5) -> tuple[float, float] | None:
    """Where the patient points on a ``size`` screen: the higher hand's index finger (else wrist),
    mirrored, as a patient sees themselves in a mirror. None when no hand is seen."""
    if pose.image is None:
        return None
    best: tuple[float, float] | None = None
    for finger, wrist in zip(_FINGERS, _WRISTS, strict=True):
        index = finger if pose.visibility[finger] >= min_visibility else wrist
        if pose.visibility[index] < min_visibility:
            continue
        x, y = float(pose.image[index, 0]), float(pose.image[index, 1])
        if best is None or y < best[1]:
            best = (x, y)
    if best is None:
        return None
    return ((1.0 - best[0]) * size[0], best[1] * size[1])
