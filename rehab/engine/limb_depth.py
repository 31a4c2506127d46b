"""Sharpen single-camera world landmarks with the picture and the patient's own segment lengths.

MediaPipe gives each landmark twice: in the picture (precise across the image plane) and as world
metres (a depth guess from a body model, less precise in every direction, and shortening limbs that
point at the camera). This module puts every landmark back on the line of sight its picture position
gives, seen through a pinhole camera (perspective: a hand reaching towards the camera looks bigger),
and fixes each limb's depth along that line with the patient's own bone lengths.

Per frame:
1. The camera: a ``Lens`` turns picture positions into lines of sight. A calibrated camera gives its
   own; otherwise a typical webcam's focal length (``TYPICAL_FOCAL_HEIGHTS`` picture heights, a field
   of view of 45 degrees vertically) and the picture's width-to-height ratio, learned from the poses
   (``PictureAspect``), since a PoseFrame's normalised landmarks do not carry it. On synthetic
   skeletons a focal length 25% off costs at most 2.4 degrees of shoulder flexion at 2.5 m (about 5
   at 1.5 m), where the earlier affine picture-to-world map (blind to perspective) cost 12.
2. The body is placed in front of the camera: the translation that best projects MediaPipe's world
   landmarks onto their picture positions (linear least squares on the visible limbs and trunk; the
   world frame already has the camera's axes, so no rotation is fitted).
3. The trunk's landmarks are moved onto their lines of sight at MediaPipe's depth. Each limb is then
   rebuilt from the trunk outwards (shoulder -> elbow -> wrist, hip -> knee -> ankle): the child joint
   lies on its own line of sight, where MediaPipe's bone would put it, blended with where the bone's
   own length puts it (the line meets the sphere of that length round the parent twice; the point
   nearer MediaPipe's is taken). The length's say grows as the bone turns along the line of sight
   (weight (along / L)^2): a bone across the picture meets its sphere at a grazing angle, where the
   length is ill-conditioned; one pointing at the camera is shortened by MediaPipe, and its length
   fixes the depth.
4. Segment lengths are the patient's own: the running median of MediaPipe's world lengths over the
   frames where the bone lay across the picture (its depth at most ``ACROSS_DEPTH_SHARE`` of its
   length, about 12 degrees out of the picture), used once ``MIN_LENGTH_FRAMES`` such frames were
   seen. A bone pointing at the camera comes out short, so counting every frame let a long stretch
   of reaching towards the camera shrink the lengths that were to correct it; a calibration with
   the arms out to the sides, or any moment the limb crosses the picture, teaches them.

The result is returned in MediaPipe's world frame (the placement's translation taken off again), so
angles read from it keep the definitions of ``rehab.engine.kinematics``. docs/tracking.md has what
this changes on real recordings.
"""

from __future__ import annotations

import dataclasses
from collections import deque
from dataclasses import dataclass, field

import numpy as np

from rehab.core.types import PoseFrame

#: landmarks the body is placed on and the picture's shape read from (shoulders, elbows, wrists,
#: hips, knees, ankles). Placing on the trunk's corners alone was worse on the real recording
#: (docs/tracking.md): the limbs' picture positions hold the body's distance better than four points
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
#: a webcam's focal length in picture heights when the camera is not calibrated: laptop and USB
#: webcams see 60-78 degrees across a 4:3 or 16:9 picture, 1.15-1.3 picture heights
TYPICAL_FOCAL_HEIGHTS = 1.2
#: the body is placed only this far in front of the camera or more (metres): nearer is a bad fit
MIN_DISTANCE_M = 0.3


@dataclass(frozen=True)
class Lens:
    """How a normalised picture position (x, y in 0..1) maps to a line of sight: focal lengths in
    picture widths (x) and heights (y), and where the optical axis meets the picture."""

    focal_x: float
    focal_y: float
    centre: tuple[float, float] = (0.5, 0.5)

    @classmethod
    def typical(cls, aspect: float) -> Lens:
        """An uncalibrated webcam's lens for a picture ``aspect`` (width / height) wide."""
        return cls(TYPICAL_FOCAL_HEIGHTS / aspect, TYPICAL_FOCAL_HEIGHTS)

    @classmethod
    def from_matrix(cls, matrix: np.ndarray, size: tuple[int, int]) -> Lens:
        """A calibrated camera's lens: its intrinsics K (pixels) and picture size (width, height)."""
        width, height = size
        return cls(
            float(matrix[0, 0]) / width, float(matrix[1, 1]) / height, (matrix[0, 2] / width, matrix[1, 2] / height)
        )

    def sight_lines(self, picture_xy: np.ndarray) -> np.ndarray:
        """(n, 3) directions (x/z, y/z, 1) from the camera through each picture position (n, 2)."""
        x = (picture_xy[:, 0] - self.centre[0]) / self.focal_x
        y = (picture_xy[:, 1] - self.centre[1]) / self.focal_y
        return np.column_stack([x, y, np.ones(len(picture_xy))])


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


def _fit_points(world: np.ndarray, picture: np.ndarray, visibility: np.ndarray) -> np.ndarray | None:
    good = FIT_ON[visibility[FIT_ON] >= MIN_VISIBILITY]
    good = good[np.all(np.isfinite(picture[good, :2]), axis=1) & np.all(np.isfinite(world[good]), axis=1)]
    return good if len(good) >= MIN_FIT_POINTS else None


def picture_aspect_of(world: np.ndarray, picture: np.ndarray, visibility: np.ndarray) -> float | None:
    """The picture's width / height as one pose shows it, or None. Whatever the distance, metres per
    picture width over metres per picture height is the picture's aspect (square pixels): read from
    the affine map from picture to world x, y (least squares on the visible limbs and trunk)."""
    good = _fit_points(world, picture, visibility)
    if good is None:
        return None
    source = np.column_stack([picture[good, :2], np.ones(len(good))])
    mapping, *_ = np.linalg.lstsq(source, world[good, :2], rcond=None)
    per_width, per_height = np.linalg.norm(mapping[0]), np.linalg.norm(mapping[1])
    if not (per_width > 1e-9 and per_height > 1e-9):
        return None
    return float(per_width / per_height)


@dataclass
class PictureAspect:
    """The picture's width / height, learned as the running median over poses (``picture_aspect_of``)."""

    seen: deque[float] = field(default_factory=lambda: deque(maxlen=LENGTH_HISTORY))

    def add(self, world: np.ndarray, picture: np.ndarray, visibility: np.ndarray) -> None:
        aspect = picture_aspect_of(world, picture, visibility)
        if aspect is not None and 0.2 < aspect < 5.0:
            self.seen.append(aspect)

    @property
    def value(self) -> float | None:
        return float(np.median(self.seen)) if len(self.seen) >= MIN_LENGTH_FRAMES else None


def place_body(world: np.ndarray, sight: np.ndarray, visibility: np.ndarray) -> np.ndarray | None:
    """The translation (metres) putting MediaPipe's world landmarks in front of the camera so they
    project best onto their lines of sight ``sight`` (33, 3); None when too little is visible or the
    fit puts the body behind or against the camera. Linear: x (Z + tz) = X + tx, y likewise."""
    good = _fit_points(world, sight, visibility)
    if good is None:
        return None
    x, y = sight[good, 0], sight[good, 1]
    big_x, big_y, big_z = world[good].T
    ones, zeros = np.ones(len(good)), np.zeros(len(good))
    system = np.vstack([np.column_stack([-ones, zeros, x]), np.column_stack([zeros, -ones, y])])
    target = np.concatenate([big_x - x * big_z, big_y - y * big_z])
    translation, *_ = np.linalg.lstsq(system, target, rcond=None)
    if not np.all(np.isfinite(translation)) or translation[2] + np.min(big_z) < MIN_DISTANCE_M:
        return None
    return np.asarray(translation)


def refine_limbs(world: np.ndarray, sight: np.ndarray, translation: np.ndarray, lengths: SegmentLengths) -> np.ndarray:
    """World landmarks on their lines of sight, limbs rebuilt with the segment lengths (module doc)."""
    placed = sight * (world[:, 2:3] + translation[2])  # each landmark on its line, at MediaPipe's depth
    for parent, child in BONES:
        start = placed[parent]
        line = sight[child] / np.linalg.norm(sight[child])
        # where the line reaches MediaPipe's depth for the child (its bone's depth kept)
        along_mediapipe = float((start[2] + world[child, 2] - world[parent, 2]) / line[2])
        distance = along_mediapipe
        length = lengths.length((parent, child))
        if length is not None and length > 1e-6:
            nearest = float(line @ start)  # where the line passes closest to the parent
            reach = nearest * nearest - float(start @ start) + length * length
            if reach > 0:  # else the picture shows the bone longer than it is: MediaPipe's depth
                meets = (nearest - np.sqrt(reach), nearest + np.sqrt(reach))
                from_length = min(meets, key=lambda s: abs(s - along_mediapipe))
                weight = ((from_length - nearest) / length) ** 2
                distance = weight * from_length + (1.0 - weight) * along_mediapipe
        placed[child] = distance * line
    return np.asarray(placed - translation)


@dataclass
class LimbRefiner:
    """Applies ``refine_limbs`` to a stream of PoseFrames from one camera, seen through ``lens``
    (None: a typical webcam, its picture's aspect learned from the poses)."""

    lens: Lens | None = None
    lengths: SegmentLengths = field(default_factory=SegmentLengths)
    aspect: PictureAspect = field(default_factory=PictureAspect)
    refined: int = 0

    def __call__(self, frame: PoseFrame) -> PoseFrame:
        if frame.world is None or frame.image is None:
            return frame
        self.lengths.add(frame.world, frame.visibility)
        lens = self.lens
        if lens is None:
            self.aspect.add(frame.world, frame.image, frame.visibility)
            aspect = self.aspect.value
            if aspect is None:
                return frame
            lens = Lens.typical(aspect)
        sight = lens.sight_lines(frame.image[:, :2])
        translation = place_body(frame.world, sight, frame.visibility)
        if translation is None:
            return frame
        self.refined += 1
        world = refine_limbs(frame.world, sight, translation, self.lengths)
        return dataclasses.replace(frame, world=world)
