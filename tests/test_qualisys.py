"""Reading a Qualisys calibration: a small generated .qca text whose cameras are known exactly."""

from __future__ import annotations

import numpy as np
import pytest

from rehab.core.multiview import CameraModel, project, triangulate
from rehab.core.qualisys import SUBPIXELS, load_qca, parse_qca

_FLIP = np.diag([1.0, -1.0, -1.0])


def _camera_xml(serial: str, world_to_qualisys: np.ndarray, position_mm: np.ndarray, active: str = "1") -> str:
    r = world_to_qualisys
    rotation = " ".join(f'r{i + 1}{j + 1}="{float(r[i, j])!r}"' for i in range(3) for j in range(3))
    x, y, z = (repr(float(v)) for v in position_mm)
    return f"""
    <camera active="{active}" serial="{serial}">
      <fov_video bottom="1919" left="0" right="1087" top="0"/>
      <transform {rotation} x="{x}" y="{y}" z="{z}"/>
      <intrinsic centerPointU="{544 * SUBPIXELS}" centerPointV="{950 * SUBPIXELS}"
        focalLengthU="{1680 * SUBPIXELS}" focalLengthV="{1690 * SUBPIXELS}" radialDistortion1="-0.05"
        radialDistortion2="0.14" radialDistortion3="0.0" tangentalDistortion1="0.0006"
        tangentalDistortion2="0.0007" sensorMaxU="69568" sensorMaxV="122816" skew="0"/>
    </camera>"""


def _document(cameras: str) -> str:
    return f"<?xml version='1.0' encoding='ASCII'?><calibration><cameras>{cameras}</cameras></calibration>"


def _rotation_z(degrees: float) -> np.ndarray:
    a = np.radians(degrees)
    return np.array([[np.cos(a), -np.sin(a), 0.0], [np.sin(a), np.cos(a), 0.0], [0.0, 0.0, 1.0]])


def test_overhead_camera_convention() -> None:
    """A Qualisys camera 5 m up with the identity rotation looks straight down (its -z) with its
    picture's up along world +y: world +x appears to the right, world +y higher in the picture."""
    (camera,) = parse_qca(_document(_camera_xml("top", np.eye(3), np.array([0.0, 0.0, 5000.0]))))
    assert camera.name == "top" and camera.size == (1088, 1920)
    assert np.allclose(camera.matrix, [[1680, 0, 544], [0, 1690, 950], [0, 0, 1]])
    assert np.allclose(camera.distortion, [-0.05, 0.14, 0.0006, 0.0007, 0.0])
    assert np.allclose(camera.center, [0, 0, 5])
    centre, right, up = project(camera, np.array([[0.0, 0, 0], [0.5, 0, 0], [0, 0.5, 0]]))
    assert np.allclose(centre, [544, 950])
    assert right[0] > centre[0] + 100 and abs(right[1] - centre[1]) < 1
    assert up[1] < centre[1] - 100 and abs(up[0] - centre[0]) < 1


def _ring_of_cameras() -> tuple[str, list[np.ndarray]]:
    """Four cameras around the origin, 3 m out and 2 m up, each tilted to look at the middle."""
    parts, centres = [], []
    for k, heading in enumerate((0.0, 90.0, 180.0, 270.0)):
        position = _rotation_z(heading) @ np.array([3000.0, 0.0, 2000.0])
        forward = -position / np.linalg.norm(position)  # look at the origin
        right = np.cross(forward, [0.0, 0.0, 1.0])
        right /= np.linalg.norm(right)
        up = np.cross(right, forward)
        # the Qualisys camera's axes in the world: x right, y up, z backwards (it looks along -z)
        world_to_qualisys = np.stack([right, up, -forward])
        parts.append(_camera_xml(f"cam{k + 1}", world_to_qualisys, position))
        centres.append(position / 1000)
    parts.append(_camera_xml("spare", np.eye(3), np.zeros(3), active="0"))
    return "".join(parts), centres


def test_ring_of_cameras_triangulates_back(tmp_path: object) -> None:
    text, centres = _ring_of_cameras()
    cameras = parse_qca(_document(text))
    assert [c.name for c in cameras] == ["cam1", "cam2", "cam3", "cam4"], "inactive cameras are left out"
    for camera, centre in zip(cameras, centres, strict=True):
        assert np.allclose(camera.center, centre)
        origin = project(camera, np.zeros((1, 3)))[0]
        assert np.allclose(origin, camera.matrix[:2, 2], atol=1e-6), "each camera looks at the origin"
        overhead = project(camera, np.array([[0.0, 0.0, 1.5]]))[0]
        assert overhead[1] < origin[1], "a point above the origin is higher in every picture"
    points = np.random.default_rng(2).uniform([-0.5, -0.5, 0.0], [0.5, 0.5, 1.8], (30, 3))
    pixels = np.stack([project(c, points) for c in cameras])
    recovered, errors = triangulate(cameras, pixels)
    assert np.max(np.abs(recovered - points)) < 1e-6 and np.nanmax(errors) < 1e-4


def test_load_from_file(tmp_path: object) -> None:
    from pathlib import Path

    text, _ = _ring_of_cameras()
    path = Path(str(tmp_path)) / "Calib.qca.txt"
    path.write_text(_document(text))
    assert len(load_qca(path)) == 4
    assert all(isinstance(c, CameraModel) for c in load_qca(path))


def test_refuses_incomplete_files() -> None:
    with pytest.raises(ValueError, match="no active camera"):
        parse_qca(_document(""))
    with pytest.raises(ValueError, match="lacks"):
        parse_qca(_document('<camera serial="x"><fov_video left="0" top="0" right="9" bottom="9"/></camera>'))
    broken = _camera_xml("c", np.eye(3), np.zeros(3)).replace('focalLengthU="', 'focalLengthX="')
    with pytest.raises(ValueError, match="focalLengthU"):
        parse_qca(_document(broken))


def test_flip_is_a_half_turn() -> None:
    assert np.allclose(_FLIP @ _FLIP, np.eye(3)) and np.isclose(np.linalg.det(_FLIP), 1.0)
