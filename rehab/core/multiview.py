"""Geometry of several calibrated cameras: projection, undistortion and triangulation (numpy only).

The camera model is OpenCV's pinhole with radial-tangential distortion (k1, k2, p1, p2, k3), so a
calibration from OpenCV, Qualisys or any tool using the same model can be used directly. Extrinsics
are world -> camera: ``x_cam = R @ x_world + t``, in metres.

Missing data is NaN all the way through: a pixel that a view did not see is NaN, and a point seen by
fewer than two views triangulates to NaN, so callers never need to filter before calling.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from rehab.core.types import frozen_array

#: fixed-point iterations used to invert the distortion; converges far below a pixel for real lenses
_UNDISTORT_ITERATIONS = 20


@dataclass(frozen=True, eq=False)
class CameraModel:
    """One calibrated camera.

    ``size`` is (width, height) in pixels; ``matrix`` the 3x3 intrinsics K; ``distortion`` the five
    OpenCV coefficients (k1, k2, p1, p2, k3); ``rotation`` and ``translation`` map world points into
    the camera frame (x right, y down, z forward), translation in metres.
    """

    name: str
    size: tuple[int, int]
    matrix: np.ndarray
    distortion: np.ndarray
    rotation: np.ndarray
    translation: np.ndarray

    def __post_init__(self) -> None:
        object.__setattr__(self, "size", (int(self.size[0]), int(self.size[1])))
        object.__setattr__(self, "matrix", frozen_array(self.matrix, (3, 3), "matrix"))
        distortion = np.zeros(5)
        given = np.asarray(self.distortion, dtype=np.float64).ravel()
        if given.size > 5:
            raise ValueError(f"distortion takes at most 5 coefficients, got {given.size}")
        distortion[: given.size] = given
        object.__setattr__(self, "distortion", frozen_array(distortion, (5,), "distortion"))
        object.__setattr__(self, "rotation", frozen_array(self.rotation, (3, 3), "rotation"))
        object.__setattr__(self, "translation", frozen_array(self.translation, (3,), "translation"))

    @property
    def center(self) -> np.ndarray:
        """The camera's optical centre in world coordinates (metres)."""
        return np.asarray(-self.rotation.T @ self.translation)

    def to_camera(self, points_world: np.ndarray) -> np.ndarray:
        """World points (..., 3) in this camera's frame."""
        points = np.asarray(points_world, dtype=np.float64)
        return np.asarray(points @ self.rotation.T + self.translation)


def _distort(camera: CameraModel, xy: np.ndarray) -> np.ndarray:
    k1, k2, p1, p2, k3 = camera.distortion
    x, y = xy[..., 0], xy[..., 1]
    r2 = x * x + y * y
    radial = 1 + k1 * r2 + k2 * r2 * r2 + k3 * r2 * r2 * r2
    xd = x * radial + 2 * p1 * x * y + p2 * (r2 + 2 * x * x)
    yd = y * radial + p1 * (r2 + 2 * y * y) + 2 * p2 * x * y
    return np.stack([xd, yd], axis=-1)


def _to_pixels(camera: CameraModel, xy: np.ndarray) -> np.ndarray:
    k = camera.matrix
    u = k[0, 0] * xy[..., 0] + k[0, 1] * xy[..., 1] + k[0, 2]
    v = k[1, 1] * xy[..., 1] + k[1, 2]
    return np.stack([u, v], axis=-1)


def project(camera: CameraModel, points_world: np.ndarray) -> np.ndarray:
    """Pixels (..., 2) where world points (..., 3) appear; NaN for points at or behind the camera."""
    cam = camera.to_camera(points_world)
    z = cam[..., 2]
    with np.errstate(divide="ignore", invalid="ignore"):
        xy = cam[..., :2] / np.where(z > 1e-9, z, np.nan)[..., None]
    return _to_pixels(camera, _distort(camera, xy))


def undistort_pixels(camera: CameraModel, pixels: np.ndarray, *, as_pixels: bool = False) -> np.ndarray:
    """Undistorted coordinates of pixels (..., 2).

    By default normalised image coordinates (x/z, y/z in the camera frame), which is what
    triangulation needs; with ``as_pixels`` the same rays as pixels of an ideal distortion-free
    camera with the same K. The distortion is inverted by fixed-point iteration (as OpenCV does).
    """
    uv = np.asarray(pixels, dtype=np.float64)
    k = camera.matrix
    y0 = (uv[..., 1] - k[1, 2]) / k[1, 1]
    x0 = (uv[..., 0] - k[0, 2] - k[0, 1] * y0) / k[0, 0]
    distorted = np.stack([x0, y0], axis=-1)
    xy = distorted.copy()
    if np.any(camera.distortion != 0):
        for _ in range(_UNDISTORT_ITERATIONS):
            error = _distort(camera, xy) - xy
            xy = distorted - error
    return _to_pixels(camera, xy) if as_pixels else xy


def _stack_views(cameras: Sequence[CameraModel], pixels_per_view: object) -> np.ndarray:
    pixels = np.asarray(pixels_per_view, dtype=np.float64)
    if pixels.ndim < 2 or pixels.shape[0] != len(cameras) or pixels.shape[-1] != 2:
        raise ValueError(f"pixels_per_view must have shape ({len(cameras)}, ..., 2), got {pixels.shape}")
    return pixels


def triangulate(
    cameras: Sequence[CameraModel],
    pixels_per_view: object,
    weights: object = None,
) -> tuple[np.ndarray, np.ndarray]:
    """3D points from two or more views by the linear (DLT) method.

    ``pixels_per_view`` is (V, ..., 2): the same points as seen by each camera, NaN where a view did
    not see one. ``weights`` (broadcastable to (V, ...), or one per view, shape (V,)) scale each
    view's equations, e.g. landmark visibility; a weight of 0 drops the view. Returns
    ``(points, reprojection_error)``: points (..., 3) in world metres, NaN where fewer than two views
    count, and the reprojection error in pixels per view (V, ...), NaN where that view had no pixel.
    """
    if len(cameras) < 2:
        raise ValueError("triangulation needs at least two cameras")
    pixels = _stack_views(cameras, pixels_per_view)
    views = len(cameras)
    lead = pixels.shape[1:-1]
    flat = pixels.reshape(views, -1, 2)
    given = np.ones(1) if weights is None else np.asarray(weights, dtype=np.float64)
    if given.ndim == 1 and given.size == views and lead:
        given = given.reshape(views, *([1] * len(lead)))  # one weight per view
    w = np.broadcast_to(given, (views, *lead)).reshape(views, -1)
    rows = np.zeros((flat.shape[1], 2 * views, 4))
    usable = np.zeros((views, flat.shape[1]), dtype=bool)
    for v, camera in enumerate(cameras):
        xy = undistort_pixels(camera, flat[v])
        ok = np.all(np.isfinite(xy), axis=-1) & np.isfinite(w[v]) & (w[v] > 0)
        usable[v] = ok
        pose = np.hstack([camera.rotation, camera.translation[:, None]])
        x = np.where(ok, xy[:, 0], 0.0)[:, None]
        y = np.where(ok, xy[:, 1], 0.0)[:, None]
        scale = np.where(ok, w[v], 0.0)[:, None]
        rows[:, 2 * v] = scale * (x * pose[2] - pose[0])
        rows[:, 2 * v + 1] = scale * (y * pose[2] - pose[1])
    _, _, vt = np.linalg.svd(rows)
    homogeneous = vt[:, -1, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        points = homogeneous[:, :3] / homogeneous[:, 3:4]
    points[usable.sum(axis=0) < 2] = np.nan
    errors = np.full((views, flat.shape[1]), np.nan)
    for v, camera in enumerate(cameras):
        seen = np.all(np.isfinite(flat[v]), axis=-1)
        errors[v] = np.where(seen, np.linalg.norm(project(camera, points) - flat[v], axis=-1), np.nan)
    return points.reshape(*lead, 3), errors.reshape(views, *lead)


def epipolar_distance(
    first: CameraModel, second: CameraModel, pixels_first: object, pixels_second: object
) -> np.ndarray:
    """Symmetric distance (normalised image units) of point pairs to each other's epipolar lines.

    Small when the two pixels can be the same 3D point; used to tell which detections in two views
    belong to the same person. Inputs (..., 2) pixels; NaN in, NaN out.
    """
    relative_r = second.rotation @ first.rotation.T
    relative_t = second.translation - relative_r @ first.translation
    skew = np.array(
        [[0, -relative_t[2], relative_t[1]], [relative_t[2], 0, -relative_t[0]], [-relative_t[1], relative_t[0], 0]]
    )
    essential = skew @ relative_r
    a = undistort_pixels(first, np.asarray(pixels_first, dtype=np.float64))
    b = undistort_pixels(second, np.asarray(pixels_second, dtype=np.float64))
    ha = np.concatenate([a, np.ones((*a.shape[:-1], 1))], axis=-1)
    hb = np.concatenate([b, np.ones((*b.shape[:-1], 1))], axis=-1)
    line_b = ha @ essential.T
    line_a = hb @ essential
    residual = np.abs(np.sum(hb * line_b, axis=-1))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(
            0.5 * residual / np.hypot(line_b[..., 0], line_b[..., 1])
            + 0.5 * residual / np.hypot(line_a[..., 0], line_a[..., 1])
        )


def _worst_used_error(errors: np.ndarray, used: np.ndarray) -> np.ndarray:
    return np.asarray(np.max(np.where(used, np.nan_to_num(errors, nan=np.inf), 0.0), axis=0))


def triangulate_consistent(
    cameras: Sequence[CameraModel],
    pixels_per_view: object,
    weights: object = None,
    max_error_px: float = 20.0,
    min_views: int = 2,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Triangulate, then drop disagreeing views point by point until the rest agree.

    While a point's worst reprojection error exceeds ``max_error_px`` and more than ``min_views``
    views remain, the view whose removal leaves the others agreeing best is dropped for that point
    (a view that put the left elbow where the right one is, or saw another person, disagrees with
    the rest; the worst-reprojecting view is not always the culprit, since a bad view pulls the
    point towards itself). A point whose remaining views still disagree is NaN. Returns
    ``(points, errors, used)``, where ``used`` (V, ...) says which views each point was finally
    triangulated from.
    """
    pixels = _stack_views(cameras, pixels_per_view)
    views = len(cameras)
    given = np.ones(1) if weights is None else np.asarray(weights, dtype=np.float64)
    if given.ndim == 1 and given.size == views and pixels.ndim > 2:
        given = given.reshape(views, *([1] * (pixels.ndim - 2)))
    w = np.array(np.broadcast_to(given, pixels.shape[:-1]), dtype=np.float64)
    w[~np.all(np.isfinite(pixels), axis=-1)] = 0.0
    points, errors = triangulate(cameras, pixels, w)
    for _ in range(views - min_views):
        used = w > 0
        drop = (_worst_used_error(errors, used) > max_error_px) & (used.sum(axis=0) > min_views)
        if not np.any(drop):
            break
        best_error = np.full(drop.shape, np.inf)
        best_view = np.full(drop.shape, -1)
        for v in range(views):
            trial = w.copy()
            trial[v] = 0.0
            _, trial_errors = triangulate(cameras, pixels, trial)
            score = np.where(used[v], _worst_used_error(trial_errors, trial > 0), np.inf)
            better = drop & (score < best_error)
            best_error[better], best_view[better] = score[better], v
        for v in range(views):
            w[v][drop & (best_view == v)] = 0.0
        points, errors = triangulate(cameras, pixels, w)
    used = w > 0
    points[(_worst_used_error(errors, used) > max_error_px) | (used.sum(axis=0) < 2)] = np.nan
    return points, errors, used
