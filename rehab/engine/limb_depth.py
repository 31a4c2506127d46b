"""Sharpen single-camera world landmarks with the picture and the patient's own segment lengths.

MediaPipe gives each landmark twice: in the picture (precise across the image plane) and as world
metres (a depth guess from a body model, less precise in every direction, and shortening limbs that
point at the camera). Measured on one real four-camera recording (docs/tracking.md), taking the
across-the-picture position from the image landmarks cut the median angle error most in one view
(16.9 -> 12.6 degrees against the other views' reference) and little in the others; the segment
lengths added little there. A first measurement on development data, not a held-out result.

Per frame:
1. An affine map from image coordinates to world x, y is fitted (least squares) on the visible
   limb and trunk landmarks, so the picture's positions come in the world's metres and axes (this
   also absorbs the picture's aspect ratio and MediaPipe's scale).
2. Each limb is rebuilt from the trunk outwards (shoulder -> elbow -> wrist, hip -> knee -> ankle):
   across the picture the bone is what the image shows; its depth is blended between MediaPipe's
   and the depth the bone's own length requires (sqrt(L^2 - d^2), with MediaPipe's sign). The
   length's say grows as the limb turns towards the camera (weight 1 - (d / L)^2): when the bone lies
   in the picture the square root is ill-conditioned and small anyway; when it points at the
   camera, where MediaPipe shortens it, the length fixes the depth.
3. Segment lengths are the patient's own: the running median of MediaPipe's world lengths over the
   frames where the bone lay across the picture (its depth at most ``ACROSS_DEPTH_SHARE`` of its
   length, about 12 degrees out of the picture), used once ``MIN_LENGTH_FRAMES`` such frames were
   seen. A bone pointing at the camera comes out short, so counting every frame let a long stretch
   of reaching towards the camera shrink the lengths that were to correct it; a calibration with
   the arms out to the sides, or any moment the limb crosses the picture, teaches them.

Angles read from the result keep the definitions of ``rehab.engine.kinematics``.
"""

from __future__ import annotations

import dataclasses
from collections import deque
from dataclasses import dataclass, field

import numpy as np

from rehab.core.types import PoseFrame

#: landmarks the image -> world map is fitted on (shoulders, elbows, wrists, hips, knees, ankles)
FIT_ON = np.array([11, 12, 13, 14, 15, 16, 23, 24, 25, 26, 27, 28])
#: bones rebuilt, parents first
BONES = ((11, 13), (13, 15), (12, 14), (14, 16), (23, 25), (25, 27), (24, 26), (26, 28))
MIN_VISIBILITY = 0.5
MIN_FIT_POINTS = 6
MIN_LENGTH_FRAMES = 15
#: a bone's length is learned only in frames where its depth is at most this share of its length
#: (about 12 degrees out of the picture): one camera squeezes depth, so a bone's length is only
#: trustworthy across the picture; even with half its depth lost, a bone passing this test is at
#: most about 6% short (it lies within 22 degrees of the picture)
ACROSS_DEPTH_SHARE = 0.2
LENGTH_HISTORY = 600


@dataclass
class SegmentLengths:
    """The patient's bone lengths: running medians of the world lengths seen across the picture."""

    history: dict[tuple[int, int], deque[float]] = field(
        default_factory=lambda: {bone: deque(maxlen=LENGTH_HISTORY) for bone in BONES}
    )

    def add(self, world: np.ndarray, visibility: np.ndarray) -> None:
        for a, b in BONES:
            if visibility[a] < MIN_VISIBILITY or visibility[b] < MIN_VISIBILITY:
                continue
            bone = world[b] - world[a]
            length = float(np.linalg.norm(bone))
            if abs(float(bone[2])) <= ACROSS_DEPTH_SHARE * length:
                self.history[(a, b)].append(length)

    def length(self, bone: tuple[int, int]) -> float | None:
        seen = self.history[bone]
        return float(np.median(seen)) if len(seen) >= MIN_LENGTH_FRAMES else None


def image_to_world_xy(world: np.ndarray, image: np.ndarray, visibility: np.ndarray) -> np.ndarray | None:
    """World x, y (33, 2) of every landmark from its image position; None if too little is visible."""
    good = FIT_ON[visibility[FIT_ON] >= MIN_VISIBILITY]
    good = good[np.all(np.isfinite(image[good, :2]), axis=1) & np.all(np.isfinite(world[good, :2]), axis=1)]
    if len(good) < MIN_FIT_POINTS:
        return None
    source = np.column_stack([image[good, :2], np.ones(len(good))])
    mapping, *_ = np.linalg.lstsq(source, world[good, :2], rcond=None)
    return np.asarray(np.column_stack([image[:, :2], np.ones(len(image))]) @ mapping)


def refine_limbs(world: np.ndarray, xy: np.ndarray, lengths: SegmentLengths) -> np.ndarray:
    """World landmarks with limbs rebuilt from the image (``xy``) and the segment lengths."""
    out = np.array(world, dtype=np.float64)
    out[:, :2] = xy
    for parent, child in BONES:
        across = xy[child] - xy[parent]
        depth = world[child, 2] - world[parent, 2]
        length = lengths.length((parent, child))
        if length is not None and length > 1e-6:
            share = min(float(np.linalg.norm(across)) / length, 1.0)
            from_length = np.copysign(length * np.sqrt(1.0 - share * share), depth)
            weight = 1.0 - share * share
            depth = weight * from_length + (1.0 - weight) * depth
        out[child] = out[parent] + np.array([across[0], across[1], depth])
    return out


@dataclass
class LimbRefiner:
    """Applies ``refine_limbs`` to a stream of PoseFrames from one camera."""

    lengths: SegmentLengths = field(default_factory=SegmentLengths)
    refined: int = 0

    def __call__(self, frame: PoseFrame) -> PoseFrame:
        if frame.world is None or frame.image is None:
            return frame
        self.lengths.add(frame.world, frame.visibility)
        xy = image_to_world_xy(frame.world, frame.image, frame.visibility)
        if xy is None:
            return frame
        self.refined += 1
        world = refine_limbs(frame.world, xy, self.lengths)
        return dataclasses.replace(frame, world=world)
