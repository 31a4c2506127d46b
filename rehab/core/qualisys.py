"""Read a Qualisys camera calibration (``.qca`` XML, as QTM exports it) into ``CameraModel``s.

What the file holds, and how it maps to the OpenCV model ``rehab.core.multiview`` uses:

- ``intrinsic``: focal lengths and principal point in *sensor sub-pixel units*, 64 per pixel
  (``sensorMaxU`` = 64 x the sensor width), so they are divided by 64; the principal point is then
  shifted by the video window's offset (``fov_video`` left/top). The distortion coefficients act on
  normalised coordinates and are unit-free: they are used as they are (radial 1-3 -> k1, k2, k3,
  tangential 1-2 -> p1, p2).
- ``transform``: the camera's pose in the world: its position in millimetres, and the rotation
  r11..r33 read row by row, which turns world directions into the Qualisys camera's frame. Qualisys
  cameras look along their -z axis with y up in the picture; OpenCV cameras look along +z with y
  down, a half turn about x apart. (Read the other way round, transposed, triangulated points
  reproject hundreds of pixels off.)

These readings were checked on real footage (benchmarks/bench_accuracy.py): points triangulated from
four views reproject within a few pixels, which a wrong convention would not allow.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np

from rehab.core.multiview import CameraModel

#: Qualisys sensor coordinates are in 1/64 pixel
SUBPIXELS = 64.0
#: OpenCV's camera frame from Qualisys': a half turn about x (z forward and y down instead of back and up)
_FLIP = np.diag([1.0, -1.0, -1.0])


def _number(element: ET.Element, name: str, default: float | None = None) -> float:
    text = element.get(name)
    if text is None:
        if default is None:
            raise ValueError(f"calibration: <{element.tag}> has no {name}")
        return default
    return float(text)


def _camera(element: ET.Element) -> CameraModel:
    name = element.get("serial") or "camera"
    fov, intrinsic, transform = (element.find(tag) for tag in ("fov_video", "intrinsic", "transform"))
    if fov is None or intrinsic is None or transform is None:
        raise ValueError(f"calibration: camera {name} lacks fov_video, intrinsic or transform")
    left, top = _number(fov, "left"), _number(fov, "top")
    size = (int(_number(fov, "right") - left + 1), int(_number(fov, "bottom") - top + 1))
    fu, fv = _number(intrinsic, "focalLengthU") / SUBPIXELS, _number(intrinsic, "focalLengthV") / SUBPIXELS
    cu = _number(intrinsic, "centerPointU") / SUBPIXELS - left
    cv = _number(intrinsic, "centerPointV") / SUBPIXELS - top
    skew = _number(intrinsic, "skew", 0.0) / SUBPIXELS
    matrix = np.array([[fu, skew, cu], [0.0, fv, cv], [0.0, 0.0, 1.0]])
    distortion = np.array(
        [
            _number(intrinsic, "radialDistortion1", 0.0),
            _number(intrinsic, "radialDistortion2", 0.0),
            _number(intrinsic, "tangentalDistortion1", 0.0),
            _number(intrinsic, "tangentalDistortion2", 0.0),
            _number(intrinsic, "radialDistortion3", 0.0),
        ]
    )
    world_to_qualisys = np.array([[_number(transform, f"r{i}{j}") for j in (1, 2, 3)] for i in (1, 2, 3)])
    position = np.array([_number(transform, c) for c in "xyz"]) / 1000.0
    rotation = _FLIP @ world_to_qualisys
    return CameraModel(name, size, matrix, distortion, rotation, -rotation @ position)


def parse_qca(text: str) -> list[CameraModel]:
    """Every active camera of a Qualisys calibration, in file order."""
    root = ET.fromstring(text)
    cameras = [_camera(c) for c in root.iter("camera") if c.get("active", "1") != "0"]
    if not cameras:
        raise ValueError("calibration: no active camera found")
    return cameras


def load_qca(path: Path) -> list[CameraModel]:
    return parse_qca(Path(path).read_text(encoding="utf-8", errors="replace"))
