"""Multi-camera geometry on synthetic cameras whose truth is known exactly."""

from __future__ import annotations

import math

import numpy as np
import pytest

from rehab.core.multiview import CameraModel, epipolar_distance, project, triangulate, undistort_pixels


def _look_at(eye: np.ndarray, target: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """World -> camera rotation and translation for a camera at ``eye`` looking at ``target`` (z up world)."""
    forward = (target - eye) / np.linalg.norm(target - eye)
    right = np.cross(forward, np.array([0.0, 0.0, 1.0]))
    right /= np.linalg.norm(right)
    down = np.cross(forward, right)
    rotation = np.stack([right, down, forward])
    return rotation, -rotation @ eye


def _camera(
    name: str, angle_deg: float, distortion: tuple[float, ...] = (0.2, -0.1, 0.001, -0.002, 0.05)
) -> CameraModel:
    a = math.radians(angle_deg)
    eye = np.array([4.0 * math.cos(a), 4.0 * math.sin(a), 1.5])
    rotation, translation = _look_at(eye, np.array([0.0, 0.0, 1.0]))
    k = np.array([[1400.0, 0.0, 540.0], [0.0, 1410.0, 960.0], [0.0, 0.0, 1.0]])
    return CameraModel(name, (1080, 1920), k, np.array(distortion), rotation, translation)


@pytest.fixture()
def cameras() -> list[CameraModel]:
    return [_camera(f"cam{i}", angle) for i, angle in enumerate((0, 70, 160, 250))]


@pytest.fixture()
def points() -> np.ndarray:
    rng = np.random.default_rng(4)
    return rng.uniform([-0.5, -0.5, 0.1], [0.5, 0.5, 1.9], size=(50, 3))


def test_camera_model_is_frozen_and_fills_distortion() -> None:
    camera = CameraModel("c", (640, 480), np.eye(3), np.array([0.1, 0.2]), np.eye(3), np.zeros(3))
    assert camera.distortion.tolist() == [0.1, 0.2, 0.0, 0.0, 0.0]
    with pytest.raises(ValueError):
        camera.matrix[0, 0] = 2.0
    with pytest.raises(ValueError):
        CameraModel("c", (640, 480), np.eye(2), np.zeros(5), np.eye(3), np.zeros(3))


def test_camera_centre_is_where_the_camera_was_placed() -> None:
    camera = _camera("c", 30)
    expected = np.array([4 * math.cos(math.radians(30)), 4 * math.sin(math.radians(30)), 1.5])
    assert np.allclose(camera.center, expected)


def test_project_pinhole_without_distortion() -> None:
    k = np.array([[1000.0, 0.0, 320.0], [0.0, 1000.0, 240.0], [0.0, 0.0, 1.0]])
    camera = CameraModel("c", (640, 480), k, np.zeros(5), np.eye(3), np.array([0.0, 0.0, 2.0]))
    pixels = project(camera, np.array([[0.2, -0.1, 0.0], [0.0, 0.0, -5.0]]))
    assert np.allclose(pixels[0], [320 + 1000 * 0.1, 240 - 1000 * 0.05])
    assert np.all(np.isnan(pixels[1])), "a point behind the camera has no pixel"


def test_undistort_inverts_project(cameras: list[CameraModel], points: np.ndarray) -> None:
    for camera in cameras:
        cam = camera.to_camera(points)
        normalised = cam[:, :2] / cam[:, 2:3]
        recovered = undistort_pixels(camera, project(camera, points))
        assert np.max(np.abs(recovered - normalised)) < 1e-9
        ideal = undistort_pixels(camera, project(camera, points), as_pixels=True)
        expected = normalised @ camera.matrix[:2, :2].T + camera.matrix[:2, 2]
        assert np.max(np.abs(ideal - expected)) < 1e-6


def test_distortion_matters(cameras: list[CameraModel], points: np.ndarray) -> None:
    """The test would pass trivially if distortion were ignored on both sides; check it is applied."""
    camera = cameras[0]
    plain = CameraModel("p", camera.size, camera.matrix, np.zeros(5), camera.rotation, camera.translation)
    assert np.max(np.abs(project(camera, points) - project(plain, points))) > 2.0


def test_triangulate_recovers_exact_points(cameras: list[CameraModel], points: np.ndarray) -> None:
    pixels = np.stack([project(camera, points) for camera in cameras])
    recovered, errors = triangulate(cameras, pixels)
    assert recovered.shape == points.shape
    assert errors.shape == (4, len(points))
    assert np.max(np.abs(recovered - points)) < 1e-6
    assert np.nanmax(errors) < 1e-4


def test_triangulate_with_two_views_and_noise(cameras: list[CameraModel], points: np.ndarray) -> None:
    rng = np.random.default_rng(1)
    pair = [cameras[0], cameras[1]]
    pixels = np.stack([project(camera, points) for camera in pair]) + rng.normal(0, 1.0, (2, len(points), 2))
    recovered, errors = triangulate(pair, pixels)
    assert np.median(np.linalg.norm(recovered - points, axis=1)) < 0.01, "1 px noise -> millimetres at 4 m"
    assert 0.1 < np.nanmedian(errors) < 2.0


def test_triangulate_is_nan_tolerant(cameras: list[CameraModel], points: np.ndarray) -> None:
    pixels = np.stack([project(camera, points) for camera in cameras])
    pixels[0, :10] = np.nan  # view 0 misses the first ten points
    pixels[1:, 5] = np.nan  # point 5 seen by no view but the (missing) first: none
    pixels[2:, 7] = np.nan  # point 7 seen only by view 1 -> one view, NaN
    recovered, errors = triangulate(cameras, pixels)
    assert np.all(np.isnan(recovered[5])) and np.all(np.isnan(recovered[7]))
    good = np.all(np.isfinite(recovered), axis=1)
    assert good.sum() == len(points) - 2
    assert np.max(np.abs(recovered[good] - points[good])) < 1e-6
    assert np.all(np.isnan(errors[0, :10]))


def test_weights_drop_and_favour_views(cameras: list[CameraModel], points: np.ndarray) -> None:
    pixels = np.stack([project(camera, points) for camera in cameras])
    pixels[3] += 40.0  # one badly wrong view
    unweighted, _ = triangulate(cameras, pixels)
    dropped, errors = triangulate(cameras, pixels, weights=np.array([1.0, 1.0, 1.0, 0.0]))
    assert np.max(np.abs(dropped - points)) < 1e-6
    assert np.median(np.linalg.norm(unweighted - points, axis=1)) > 0.005
    assert np.nanmedian(errors[3]) > 30, "the dropped view's error is still reported against the result"


def test_triangulate_keeps_leading_shape(cameras: list[CameraModel], points: np.ndarray) -> None:
    frames = points.reshape(5, 10, 3)
    pixels = np.stack([project(camera, frames) for camera in cameras])
    recovered, errors = triangulate(cameras, pixels)
    assert recovered.shape == (5, 10, 3) and errors.shape == (4, 5, 10)
    assert np.allclose(recovered, frames, atol=1e-6)


def test_triangulate_refuses_bad_input(cameras: list[CameraModel]) -> None:
    with pytest.raises(ValueError):
        triangulate(cameras[:1], np.zeros((1, 3, 2)))
    with pytest.raises(ValueError):
        triangulate(cameras, np.zeros((3, 3, 2)))


def test_epipolar_distance_tells_same_point_from_another(cameras: list[CameraModel], points: np.ndarray) -> None:
    a, b = cameras[0], cameras[1]
    same = epipolar_distance(a, b, project(a, points), project(b, points))
    shuffled = epipolar_distance(a, b, project(a, points), project(b, points[::-1]))
    assert np.max(same) < 1e-9
    assert np.median(shuffled) > 0.01


def test_consistent_triangulation_drops_the_disagreeing_view(cameras: list[CameraModel], points: np.ndarray) -> None:
    from rehab.core.multiview import triangulate_consistent

    pixels = np.stack([project(camera, points) for camera in cameras])
    swapped = pixels.copy()
    swapped[2, :20] = pixels[2, 20:40]  # view 2 labels twenty points as others (a left/right swap)
    plain, _ = triangulate(cameras, swapped)
    assert np.median(np.linalg.norm(plain[:20] - points[:20], axis=1)) > 0.02, "the bad view does harm"
    robust, errors, used = triangulate_consistent(cameras, swapped, max_error_px=5.0)
    assert np.max(np.abs(robust - points)) < 1e-6
    assert not used[2, :20].any() and used[:, 20:].all()
    assert used.shape == errors.shape == (4, len(points))


def test_consistent_triangulation_gives_up_when_two_views_disagree(cameras: list[CameraModel]) -> None:
    from rehab.core.multiview import triangulate_consistent

    point = np.array([[0.1, 0.2, 1.0]])
    pair = [cameras[0], cameras[1]]
    pixels = np.stack([project(c, point) for c in pair])
    pixels[1] += 30.0
    robust, _, used = triangulate_consistent(pair, pixels, max_error_px=5.0)
    assert np.all(np.isnan(robust)), "two views that disagree cannot say which is right"
    assert used.all()
    three, _, _ = triangulate_consistent(cameras[:3], np.stack([project(c, point) for c in cameras[:3]]))
    assert np.allclose(three, point)
