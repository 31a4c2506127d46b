"""Pictures of a calibration board taken by a simulated camera whose lens and pose are known.

Every output pixel is traced back through the lens (distortion included) to the board's plane and
coloured from the printable board picture, drawn four times larger and averaged down, so corners
are as sharp and as soft as a real camera's. Calibration tests compare what they recover with the
camera they made the pictures with.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from devices.calibration_board import Board, board_image

_PIXELS_PER_SQUARE = 80
_MARGIN = 40
_SUPERSAMPLE = 3


@dataclass(frozen=True, eq=False)
class SimCamera:
    """A pinhole camera with lens distortion: ``matrix`` 3x3, ``distortion`` (k1, k2, p1, p2, k3),
    and its pose, world -> camera (``x_cam = rotation @ x_world + translation``, metres)."""

    size: tuple[int, int]
    matrix: np.ndarray
    distortion: np.ndarray
    rotation: np.ndarray
    translation: np.ndarray


def look_at(position: np.ndarray, target: np.ndarray, down: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The world -> camera rotation and translation of a camera at ``position`` looking at
    ``target``, with the picture's down along ``down`` (world +y by default)."""
    forward = np.asarray(target, float) - np.asarray(position, float)
    forward /= np.linalg.norm(forward)
    down_axis = np.array([0.0, 1.0, 0.0]) if down is None else np.asarray(down, float)
    right = np.cross(down_axis, forward)
    right /= np.linalg.norm(right)
    down_axis = np.cross(forward, right)
    rotation = np.stack([right, down_axis, forward])
    return rotation, -rotation @ np.asarray(position, float)


def board_pose(centre: np.ndarray, yaw_deg: float, pitch_deg: float, roll_deg: float = 0.0) -> np.ndarray:
    """A 4x4 board -> world transform: the board's middle at ``centre``, facing -z (towards a camera
    at the origin looking along +z) turned by ``yaw`` about y, ``pitch`` about x, ``roll`` about z."""
    import cv2

    turn = cv2.Rodrigues(np.radians([pitch_deg, 0.0, 0.0]))[0] @ cv2.Rodrigues(np.radians([0.0, yaw_deg, 0.0]))[0]
    turn = turn @ cv2.Rodrigues(np.radians([0.0, 0.0, roll_deg]))[0]
    pose = np.eye(4)
    pose[:3, :3] = turn
    pose[:3, 3] = centre
    return pose


def board_middle(board: Board) -> np.ndarray:
    """The middle of the board's corners, in the board's own frame (metres)."""
    points = board.object_points()
    return (points.min(axis=0) + points.max(axis=0)) / 2


def render(
    board: Board, camera: SimCamera, board_to_world: np.ndarray, noise: float = 2.0, seed: int = 0
) -> np.ndarray:
    """What ``camera`` sees of the board placed by ``board_to_world`` (4x4; the board's middle at
    its origin): grey uint8, the board on a mid-grey wall, with a little sensor noise."""
    import cv2

    w, h = camera.size
    s = _SUPERSAMPLE
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float64)
    rays = cv2.undistortPoints(np.stack([xs, ys], axis=-1).reshape(-1, 1, 2), camera.matrix, camera.distortion)
    rays = rays.reshape(-1, 2)
    # the board plane in camera coordinates: x = R_b p + t_b for board points p = (u, v, 0)
    to_camera = np.eye(4)
    to_camera[:3, :3], to_camera[:3, 3] = camera.rotation, camera.translation
    plane = to_camera @ board_to_world
    plane[:3, 3] = plane[:3, :3] @ -board_middle(board) + plane[:3, 3]
    inverse = np.linalg.inv(np.column_stack([plane[:3, 0], plane[:3, 1], plane[:3, 3]]))
    uvw = rays @ inverse[:, :2].T + inverse[:, 2]
    on_board = uvw[:, :2] / uvw[:, 2:3]
    offset = _MARGIN + (_PIXELS_PER_SQUARE if board.kind == "checkerboard" else 0)
    map_xy = (on_board * (_PIXELS_PER_SQUARE / board.square_m) + offset - 0.5).astype(np.float32)
    map_xy[uvw[:, 2] <= 0] = -1e6  # behind the camera
    # the map is smooth, so it is worked out once per pixel and interpolated between sub-pixels
    fine = cv2.resize(map_xy.reshape(h, w, 2), (w * s, h * s), interpolation=cv2.INTER_LINEAR)
    printed = board_image(board, _PIXELS_PER_SQUARE, _MARGIN)
    sampled = cv2.remap(
        printed, fine[..., 0], fine[..., 1], cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=128
    )
    image = cv2.resize(sampled, (w, h), interpolation=cv2.INTER_AREA).astype(np.float64)
    image += np.random.default_rng(seed).normal(0.0, noise, image.shape)
    return np.clip(image, 0, 255).astype(np.uint8)


def board_corners(board: Board, camera: SimCamera, board_to_world: np.ndarray) -> np.ndarray:
    """Where the board's corners truly are in ``camera``'s picture (pixels, (N, 2))."""
    import cv2

    local = board.object_points() - board_middle(board)
    world = local @ board_to_world[:3, :3].T + board_to_world[:3, 3]
    rvec = cv2.Rodrigues(camera.rotation)[0]
    projected, _ = cv2.projectPoints(world, rvec, camera.translation, camera.matrix, camera.distortion)
    return np.asarray(projected).reshape(-1, 2)


def two_camera_rig(
    baseline_m: float = 0.4, size: tuple[int, int] = (640, 480), aim_m: float = 1.5
) -> tuple[SimCamera, SimCamera]:
    """A laptop webcam and a second camera ``baseline_m`` to its right, aimed at a point ``aim_m``
    in front of the first: unlike lenses (focal 600 and 700 px) and a little distortion each."""
    w, h = size
    first = SimCamera(
        size, np.array([[600.0, 0, w / 2 + 4], [0, 602.0, h / 2 - 3], [0, 0, 1]]),
        np.array([-0.08, 0.04, 0.0005, -0.0004, 0.0]), np.eye(3), np.zeros(3),
    )  # fmt: skip
    rotation, translation = look_at(np.array([baseline_m, -0.05, 0.0]), np.array([0.0, 0.0, aim_m]))
    second = SimCamera(
        size, np.array([[700.0, 0, w / 2 - 6], [0, 698.0, h / 2 + 5], [0, 0, 1]]),
        np.array([0.05, -0.02, -0.0003, 0.0006, 0.0]), rotation, translation,
    )  # fmt: skip
    return first, second


def board_positions(
    board: Board,
    cameras: tuple[SimCamera, ...],
    count: int,
    seed: int = 0,
    middle_only: bool = False,
    distance_m: tuple[float, float] = (0.9, 1.6),
) -> list[np.ndarray]:
    """``count`` varied board placements (4x4 board -> world) that every camera sees whole, a
    margin inside its picture, spread over the pictures (or, ``middle_only``, all in the middle)."""
    rng = np.random.default_rng(seed)
    found: list[np.ndarray] = []
    while len(found) < count:
        spread = 0.02 if middle_only else 0.3
        centre = np.array([rng.uniform(-spread, spread), rng.uniform(-spread, spread) * 0.7, rng.uniform(*distance_m)])
        angles = rng.uniform(-35, 35, size=3) * np.array([1.0, 1.0, 0.4])
        pose = board_pose(centre, *angles)
        if all(_inside(board_corners(board, camera, pose), camera.size) for camera in cameras):
            found.append(pose)
    return found


def _inside(pixels: np.ndarray, size: tuple[int, int], margin: float = 12.0) -> bool:
    return bool(np.all(pixels >= margin) and np.all(pixels <= np.asarray(size) - margin))


def write_board_pictures(
    folders: list[Path], board: Board, cameras: tuple[SimCamera, ...], poses: list[np.ndarray]
) -> None:
    """One PNG per placement in each camera's folder (same names, so they pair in name order)."""
    import cv2

    for folder, camera in zip(folders, cameras, strict=True):
        folder.mkdir(parents=True, exist_ok=True)
        for i, pose in enumerate(poses):
            cv2.imwrite(str(folder / f"board_{i:02d}.png"), render(board, camera, pose, seed=i))
