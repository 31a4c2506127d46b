"""Calibrating cameras from pictures of a board: each camera's lens, then where two cameras stand.

A camera's **intrinsics** (focal length, centre, lens distortion) come from ``cv2.calibrateCamera``
over every picture where the board was found; two cameras' **extrinsics** (the rotation and
translation from the first camera to the second) from ``cv2.stereoCalibrate`` over the pictures
both took at the same moment, with the intrinsics held fixed.

The **reprojection error** is the root mean square distance, in pixels, between the corners found
and where the fitted model puts them: under about half a pixel is a good calibration, over one
pixel usually means a bent board, blur, or corners found in the wrong place.

A calibration that would make tracking worse is refused, with one sentence saying why and what to
do: too few boards found, the board seen only in the middle of the picture (the lens's distortion
is then only guessed at the edges, where a body often is), or too large an error.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from devices.calibration_board import Board, BoardView
from rehab.core.errors import RehabError

#: fewest boards a camera (or a pair, seen at once) needs
MIN_BOARDS = 5
#: largest reprojection error accepted by default, pixels
MAX_ERROR_PX = 1.0
#: the board's corners, over all pictures, must span at least this share of the picture's width and height
MIN_SPAN = 0.5
#: the board must be tilted at least this much (degrees) in some picture: straight-on views alone
#: cannot tell the focal length from the distance
MIN_TILT_DEG = 10.0
ADVICE = "take more pictures, keep the board flat, keep the whole board in view and vary its angles"


class CalibrationError(RehabError):
    """A calibration that must not be used; the message says why and what to do."""


@dataclass(frozen=True, eq=False)
class Intrinsics:
    """One camera's lens: ``matrix`` (3x3, pixels), ``distortion`` (k1, k2, p1, p2, k3), the picture
    ``size`` (width, height), the RMS reprojection error in pixels and how many boards were used."""

    size: tuple[int, int]
    matrix: np.ndarray
    distortion: np.ndarray
    rms_px: float
    boards: int
    #: pictures left out because their corners fitted far worse than the rest, and their indices
    left_out: tuple[str, ...] = ()
    left_out_at: tuple[int, ...] = ()


@dataclass(frozen=True, eq=False)
class Extrinsics:
    """The second camera's pose in the first's frame: x2 = rotation @ x1 + translation (metres)."""

    rotation: np.ndarray
    translation: np.ndarray
    rms_px: float
    pairs: int

    @property
    def baseline_m(self) -> float:
        """The distance between the two cameras' centres."""
        return float(np.linalg.norm(self.translation))


def _points(board: Board, views: Sequence[BoardView]) -> tuple[list[np.ndarray], list[np.ndarray]]:
    everything = board.object_points()
    objects = [everything[view.ids].astype(np.float32) for view in views]
    pixels = [view.pixels.reshape(-1, 1, 2).astype(np.float32) for view in views]
    return objects, pixels


def calibrate_camera(
    name: str,
    views: Sequence[BoardView | None],
    labels: Sequence[str],
    size: tuple[int, int],
    board: Board,
    max_error_px: float = MAX_ERROR_PX,
) -> Intrinsics:
    """One camera's intrinsics from its pictures (``views[i]`` None where no board was found in the
    picture called ``labels[i]``). Raises CalibrationError for a calibration not worth keeping.

    A picture whose own corners fit far worse than the others' (over three times the median and
    over ``max_error_px``: a corner refined wrongly at the picture's edge, a bent board) is left out
    and the rest fitted again, as long as enough remain; ``left_out`` names it."""
    _check_count(name, views, labels)
    found = {i: view for i, view in enumerate(views) if view is not None}
    used = list(found)
    _check_span(name, list(found.values()), size)
    rms, matrix, distortion, rotations, per_view = _fit(board, [found[i] for i in used], size)
    limit = max(3.0 * float(np.median(per_view)), max_error_px)
    worst = [i for i, error in zip(used, per_view, strict=True) if error > limit]
    if worst and len(used) - len(worst) >= MIN_BOARDS:
        used = [i for i in used if i not in worst]
        rms, matrix, distortion, rotations, per_view = _fit(board, [found[i] for i in used], size)
    else:
        worst = []
    _check_tilt(name, rotations)
    _check_error(f"{name}'s", rms, max_error_px)
    left_out = tuple(labels[i] for i in worst)
    return Intrinsics(size, matrix, distortion, rms, len(used), left_out, tuple(worst))


def _fit(
    board: Board, views: Sequence[BoardView], size: tuple[int, int]
) -> tuple[float, np.ndarray, np.ndarray, Sequence[np.ndarray], np.ndarray]:
    """``cv2.calibrateCamera``: RMS error, matrix, 5 distortion terms, each board's rotation, each
    picture's own RMS error."""
    import cv2

    objects, pixels = _points(board, views)
    criteria = (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, 100, 1e-9)
    start = (np.eye(3), np.zeros(5))  # ignored without CALIB_USE_INTRINSIC_GUESS
    result = cv2.calibrateCameraExtended(objects, pixels, size, *start, criteria=criteria)
    rms, matrix, distortion, rotations = result[:4]
    return float(rms), np.asarray(matrix), np.asarray(distortion).ravel()[:5], rotations, np.asarray(result[7]).ravel()


def calibrate_pair(
    names: tuple[str, str],
    views: tuple[Sequence[BoardView | None], Sequence[BoardView | None]],
    lenses: tuple[Intrinsics, Intrinsics],
    board: Board,
    max_error_px: float = MAX_ERROR_PX,
) -> Extrinsics:
    """Where the second camera stands relative to the first, from pictures taken at the same
    moments (``views[0][i]`` and ``views[1][i]``), each camera's lens held fixed."""
    import cv2

    pairs = [_common(a, b) for a, b in zip(views[0], views[1], strict=True) if a is not None and b is not None]
    kept = [pair for pair in pairs if pair is not None]
    if len(kept) < MIN_BOARDS:
        raise CalibrationError(
            f"the board was seen by both {names[0]} and {names[1]} at once in only {len(kept)} of "
            f"{len(views[0])} moments ({MIN_BOARDS} are needed); hold it where both cameras see all of it"
        )
    objects, first = _points(board, [a for a, _ in kept])
    _, second = _points(board, [b for _, b in kept])
    criteria = (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, 100, 1e-9)
    result = cv2.stereoCalibrate(
        objects,
        first,
        second,
        lenses[0].matrix,
        lenses[0].distortion,
        lenses[1].matrix,
        lenses[1].distortion,
        lenses[0].size,
        flags=cv2.CALIB_FIX_INTRINSIC,
        criteria=criteria,
    )
    rms, rotation, translation = float(result[0]), np.asarray(result[5]), np.asarray(result[6]).ravel()
    _check_error(f"the pair {names[0]}+{names[1]}'s", rms, max_error_px)
    return Extrinsics(rotation, translation, rms, len(kept))


def _common(a: BoardView, b: BoardView) -> tuple[BoardView, BoardView] | None:
    """The corners both views saw (all of a checkerboard; the shared ids of a ChArUco board)."""
    shared, in_a, in_b = np.intersect1d(a.ids, b.ids, return_indices=True)
    if len(shared) < 6:
        return None
    return BoardView(shared, a.pixels[in_a]), BoardView(shared, b.pixels[in_b])


def _check_count(name: str, views: Sequence[BoardView | None], labels: Sequence[str]) -> None:
    found = sum(view is not None for view in views)
    if found >= MIN_BOARDS:
        return
    missed = [label for view, label in zip(views, labels, strict=True) if view is None]
    where = f"; not found in {_listed(missed)}" if missed else ""
    raise CalibrationError(
        f"the board was found in only {found} of {len(views)} pictures from {name} "
        f"({MIN_BOARDS} are needed){where}: {ADVICE}"
    )


def _listed(names: Sequence[str], most: int = 4) -> str:
    shown = ", ".join(names[:most])
    return shown + (f" and {len(names) - most} more" if len(names) > most else "")


def _check_span(name: str, views: Sequence[BoardView], size: tuple[int, int]) -> None:
    everything = np.concatenate([view.pixels for view in views])
    span = (everything.max(axis=0) - everything.min(axis=0)) / np.asarray(size, dtype=np.float64)
    if float(span.min()) < MIN_SPAN:
        raise CalibrationError(
            f"the board was seen only in the middle of {name}'s pictures (its corners cover "
            f"{100 * span[0]:.0f}% of the width and {100 * span[1]:.0f}% of the height, "
            f"{100 * MIN_SPAN:.0f}% is needed): take pictures with the board near the edges and corners too"
        )


def _check_tilt(name: str, rotations: Sequence[np.ndarray]) -> None:
    import cv2

    tilts = [float(np.degrees(np.arccos(abs(cv2.Rodrigues(r)[0][2, 2])))) for r in rotations]
    if max(tilts) < MIN_TILT_DEG:
        raise CalibrationError(
            f"{name}'s pictures all show the board straight on (most tilt {max(tilts):.0f} degrees): "
            f"take some with the board turned and tipped by 20 to 45 degrees"
        )


def _check_error(whose: str, rms: float, max_error_px: float) -> None:
    if not np.isfinite(rms) or rms > max_error_px:
        raise CalibrationError(
            f"{whose} reprojection error is {rms:.2f} px (at most {max_error_px:g} px is accepted): {ADVICE}"
        )
