"""One pose from two or more calibrated cameras: triangulate each landmark, sides agreed between views.

Each camera's MediaPipe pose gives 33 image landmarks. Before triangulating, each further view's
left/right labelling is chosen (among the groups of ``rehab.core.landmarks.SWAP_GROUPS``) as the one that
reprojects best against the first view: a view that swapped the arms disagrees with the other
views by the arm's width, which one view alone cannot see. Landmarks are then triangulated with
views that disagree dropped (``triangulate_consistent``); a landmark seen by fewer than two
agreeing views is left out (visibility 0); a kept landmark's visibility is the lowest the agreeing
views gave it.

The result is a PoseFrame whose ``world`` is in the calibration's world frame (metres), not
MediaPipe's: every angle but ``pelvic_obliquity`` (which assumes MediaPipe's camera-aligned frame)
reads the same. ``rehab track A+B`` and live games with two cameras (``devices/stereo_source.py``)
use it with the first camera as the world frame, so there every angle reads as from one camera.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from rehab.core.landmarks import LABELLINGS
from rehab.core.multiview import CameraModel, triangulate, triangulate_consistent
from rehab.core.types import PoseFrame

#: a view whose landmark reprojects further than this from the others is dropped for that landmark:
#: a share of the person's torso height in that picture, or at least ``MIN_DISAGREEMENT_PX``. Views of
#: a hip or shoulder centre from the front and from behind differ by a tenth of a torso (MediaPipe
#: guesses the joint centre under the skin), so only gross disagreement (the other limb, another
#: person) should drop a view
MAX_DISAGREEMENT_TORSO = 0.2
MIN_DISAGREEMENT_PX = 10.0
#: landmarks below this visibility are not used
MIN_VISIBILITY = 0.3
_ERROR_CAP_PX = 200.0
#: landmarks compared when choosing a view's labelling
_CHOOSE_ON = np.array([0, 11, 12, 13, 14, 15, 16, 23, 24, 25, 26, 27, 28])


def _pixels(camera: CameraModel, frame: PoseFrame) -> np.ndarray:
    assert frame.image is not None
    return np.asarray(frame.image[:, :2] * np.array(camera.size, dtype=np.float64))


def _best_labelling(first: CameraModel, a: np.ndarray, other: CameraModel, b: np.ndarray) -> np.ndarray:
    """The landmark order for view ``b`` that agrees best with view ``a`` (mean reprojection error,
    each landmark's capped so one wild landmark cannot decide; a median would not notice a swapped
    pair of arms, four landmarks of thirteen)."""
    hypotheses = b[LABELLINGS][:, _CHOOSE_ON]  # (H, J, 2)
    pixels = np.stack([np.broadcast_to(a[_CHOOSE_ON], hypotheses.shape), hypotheses])
    _, errors = triangulate([first, other], pixels)
    score = np.mean(np.minimum(np.nan_to_num(errors, nan=_ERROR_CAP_PX), _ERROR_CAP_PX), axis=(0, 2))
    # prefer MediaPipe's own labelling unless another is clearly better (a few pixels is noise)
    best = int(np.argmin(score))
    return LABELLINGS[best] if score[best] < score[0] - 2.0 else LABELLINGS[0]


def fuse_views(cameras: Sequence[CameraModel], frames: Sequence[PoseFrame | None], t: float) -> PoseFrame:
    """The pose seen by several cameras at one moment (``frames[i]`` from ``cameras[i]``, None if
    nobody). Its ``image`` and ``frame_index`` are the first seen view's."""
    pixels = np.full((len(cameras), 33, 2), np.nan)
    seen_visibility = np.zeros((len(cameras), 33))
    reference: tuple[CameraModel, np.ndarray] | None = None
    first: PoseFrame | None = None
    for v, (camera, frame) in enumerate(zip(cameras, frames, strict=True)):
        if frame is None or frame.image is None:
            continue
        seen = _pixels(camera, frame)
        visibility = frame.visibility
        if reference is None:
            reference, first = (camera, seen), frame
        else:
            order = _best_labelling(reference[0], reference[1], camera, seen)
            seen, visibility = seen[order], visibility[order]
        pixels[v] = seen
        seen_visibility[v] = np.where(visibility >= MIN_VISIBILITY, visibility, 0.0)
    if first is None or sum(f is not None and f.image is not None for f in frames) < 2:
        index = first.frame_index if first is not None else 0
        return PoseFrame(t=t, world=None, visibility=np.zeros(33), frame_index=index)
    torso = np.nanmedian(
        np.linalg.norm((pixels[:, 11] + pixels[:, 12]) / 2 - (pixels[:, 23] + pixels[:, 24]) / 2, axis=-1)
    )
    limit = max(MIN_DISAGREEMENT_PX, MAX_DISAGREEMENT_TORSO * float(np.nan_to_num(torso, nan=0.0)))
    weights = np.where(seen_visibility > 0, 1.0, 0.0)
    points, _, used = triangulate_consistent(cameras, pixels, weights, max_error_px=limit)
    known = np.all(np.isfinite(points), axis=1) & (used.sum(axis=0) >= 2)
    lowest = np.min(np.where(used, seen_visibility, np.inf), axis=0)
    visibility = np.where(known, lowest, 0.0)
    world = np.where(known[:, None], points, 0.0)
    views = int(np.sum(np.any(used, axis=1)))
    return PoseFrame(
        t=t, world=world, visibility=visibility, image=first.image, frame_index=first.frame_index, views=views
    )
