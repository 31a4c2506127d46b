"""Undo single-view left/right swaps: MediaPipe sometimes labels the body's sides the wrong way round.

When a person turns, or one limb passes the other, single-camera MediaPipe can report the right elbow
as the left one for stretches of frames; the angle then belongs to the other limb (errors near 50
degrees). Nothing in one picture says which labelling is right, but the sequence and the body do:

- **bone lengths**: a forearm keeps its length; an elbow labelled with the wrong shoulder makes an
  upper arm that spans the chest (world landmarks, against the patient's own running median over
  the frames before). Only bones longer than usual count: one camera's world landmarks shorten a
  limb that points at the camera, and a short bone counted as evidence swapped a knee lifted
  towards the camera with the standing leg's;
- **which way the body faces**: the trunk's forward direction, worked out from the labelled
  shoulders and hips, agrees with where the face (nose ahead of the ears) and the feet (toes ahead
  of the heels) point; neither needs a left/right label, so a labelling that turns the trunk the
  other way is caught even when the swap happened while the sides overlapped in the picture;
- **ears on the head's sides**: the left ear is on the trunk's left.

Every frame, each combination of five groups (head, trunk, arms, knees, feet) swapped or not is
scored on these. The scores are accumulated over time the way a Viterbi filter does (the best path
into each labelling, paying ``CHANGE_COST`` whenever the labelling changes between frames), and
the labelling ending the cheapest path wins: a small but lasting disagreement wins after a few
frames, a one-frame blip does not. It runs frame by frame (live tracking needs that), one fixer
per camera.

What it cannot do: a person whom MediaPipe mirrors consistently (face and feet included, as when
someone seen from behind is taken for someone facing the camera, or while turning) stays mirrored:
one view cannot tell that case apart. Continuity (a joint does not jump across the body between
frames, measured against the previous corrected frame) was tried and left out: on real footage
(docs/tracking.md) one wrong decision then carried itself forward, and swapped frames rose from 26
to 38 where it was meant to lower them.
"""

from __future__ import annotations

import dataclasses
from collections import deque
from dataclasses import dataclass, field

import numpy as np

from rehab.core.landmarks import LABELLINGS, SWAP_FLIPS, SWAP_GROUPS
from rehab.core.types import PoseFrame

GROUPS = SWAP_GROUPS
_FLIPS = SWAP_FLIPS
_ORDERS = LABELLINGS
#: going from one labelling to another costs CHANGE_COST however many groups change: MediaPipe swaps
#: several groups at once as often as one, and a per-group cost would favour fixing half a swap first
_CHANGES = np.any(_FLIPS[:, None, :] != _FLIPS[None, :, :], axis=2).astype(float)
#: bones whose lengths are compared (shoulder-elbow, elbow-wrist, hip-knee, knee-ankle, both sides)
_BONES = np.array([(11, 13), (12, 14), (13, 15), (14, 16), (23, 25), (24, 26), (25, 27), (26, 28)])

#: weights of the costs (each cost is about 1 for a clear violation); set from the costs' meaning,
#: not fitted to a recording
BONE_WEIGHT = 1.0
FACING_WEIGHT = 1.5
EARS_WEIGHT = 0.5
CHANGE_COST = 0.3
#: bone lengths are the median of this many recent frames
LENGTH_HISTORY = 90
MIN_LENGTH_FRAMES = 5
#: dead zones: a bone this much (as a share) off its usual length, or a direction this much
#: (0 agree .. 1 opposite; 0.25 is 60 degrees) off, is ordinary noise and costs nothing
LENGTH_TOLERANCE = 0.15
DIRECTION_TOLERANCE = 0.25


def _unit(v: np.ndarray) -> np.ndarray:
    norm = np.linalg.norm(v, axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(norm > 1e-9, v / norm, np.nan)


def _disagreement(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """0 when two directions agree within the tolerance, 1 when opposite; 0 when either is unknown."""
    cosine = np.sum(_unit(a) * _unit(b), axis=-1)
    off = np.nan_to_num((1 - cosine) / 2, nan=0.0)
    return np.asarray(np.maximum(off - DIRECTION_TOLERANCE, 0.0) / (1 - DIRECTION_TOLERANCE))


@dataclass
class SwapFixer:
    """Relabels each PoseFrame's sides to the most consistent labelling (one per camera)."""

    #: the cost of the best path into each labelling so far (MediaPipe's own labelling is the start)
    _path: np.ndarray = field(default_factory=lambda: CHANGE_COST * _CHANGES[0], repr=False)
    _lengths: deque[np.ndarray] = field(default_factory=lambda: deque(maxlen=LENGTH_HISTORY), repr=False)
    #: frames whose labels were changed, and frames seen
    corrected: int = 0
    seen: int = 0

    def costs(self, world: np.ndarray) -> np.ndarray:
        """Cost of every labelling in ``_FLIPS`` for this frame alone (for tests and diagnostics)."""
        worlds = world[_ORDERS]  # (H, 33, 3)
        total = FACING_WEIGHT * self._facing(worlds) + EARS_WEIGHT * self._ears(worlds)
        if len(self._lengths) >= MIN_LENGTH_FRAMES:
            total += BONE_WEIGHT * self._bones(worlds)
        return total

    def _facing(self, worlds: np.ndarray) -> np.ndarray:
        ls, rs, lh, rh = (worlds[:, i] for i in (11, 12, 23, 24))
        left = (ls - rs) + (lh - rh)
        up = (ls + rs) / 2 - (lh + rh) / 2
        forward = np.cross(left, up)
        face = worlds[0, 0] - (worlds[0, 7] + worlds[0, 8]) / 2  # label-free: the same in every labelling
        feet = (worlds[0, 31] + worlds[0, 32]) / 2 - (worlds[0, 29] + worlds[0, 30]) / 2
        flat = _unit(up)

        def level(v: np.ndarray) -> np.ndarray:
            return np.asarray(v - np.sum(v * flat, axis=-1, keepdims=True) * flat)

        return _disagreement(level(forward), level(np.broadcast_to(face, forward.shape))) + _disagreement(
            level(forward), level(np.broadcast_to(feet, forward.shape))
        )

    def _ears(self, worlds: np.ndarray) -> np.ndarray:
        left = (worlds[:, 11] - worlds[:, 12]) + (worlds[:, 23] - worlds[:, 24])
        return _disagreement(worlds[:, 7] - worlds[:, 8], left)

    def _bones(self, worlds: np.ndarray) -> np.ndarray:
        usual = np.median(np.stack(self._lengths), axis=0)
        lengths = np.linalg.norm(worlds[:, _BONES[:, 0]] - worlds[:, _BONES[:, 1]], axis=-1)
        # only bones longer than usual count: a limb labelled with the other side's joint spans the
        # body and comes out long, while a limb pointing at the camera comes out short (MediaPipe
        # squeezes its depth), and penalising that swapped a lifted knee with the standing one
        off = lengths / np.maximum(usual, 1e-3) - 1 - LENGTH_TOLERANCE
        return np.asarray(np.sum(np.clip(off, 0.0, 1.0), axis=1))

    def __call__(self, frame: PoseFrame) -> PoseFrame:
        if frame.world is None:
            return frame
        self.seen += 1
        path = self.costs(frame.world) + np.min(self._path[:, None] + CHANGE_COST * _CHANGES, axis=0)
        self._path = path - np.min(path)
        best = int(np.argmin(path))
        order = _ORDERS[best]
        world = frame.world[order]
        image = frame.image[order] if frame.image is not None else None
        self._lengths.append(np.linalg.norm(world[_BONES[:, 0]] - world[_BONES[:, 1]], axis=-1))
        if best == 0:
            return frame
        self.corrected += 1
        return dataclasses.replace(frame, world=world, visibility=frame.visibility[order], image=image)
