"""A calibrated camera setup, kept as one owner-only JSON file per setup name.

A setup is one or two cameras as calibrated together: each camera's lens and where it stands, in
the first camera's frame (x right, y down, z forward from that camera, in metres: the same axes as
MediaPipe's world landmarks), with the errors measured when it was calibrated. Homes usually keep
one ("default"); a clinic with two rooms keeps one per room. The file is owner-only like everything
rehab writes, though it holds no patient data: a camera layout says where someone's home room is.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from devices.calibration_board import Board
from rehab.core.errors import DataError, NotFoundError, UsageError
from rehab.core.private_files import make_private_folder, write_private

if TYPE_CHECKING:
    from rehab.core.multiview import CameraModel

FORMAT_VERSION = 1
#: setup names become file names, so they are kept plain
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,39}")


@dataclass(frozen=True, eq=False)
class CalibratedCamera:
    """One camera: its lens, its pose (world -> camera, metres) and how well the lens fitted."""

    name: str
    source: str
    size: tuple[int, int]
    matrix: np.ndarray
    distortion: np.ndarray
    rotation: np.ndarray
    translation: np.ndarray
    rms_px: float
    boards: int
    #: pictures left out because their corners fitted far worse than the others'
    left_out: tuple[str, ...] = ()

    def model(self) -> CameraModel:
        from rehab.core.multiview import CameraModel

        return CameraModel(
            name=self.name,
            size=self.size,
            matrix=self.matrix,
            distortion=self.distortion,
            rotation=self.rotation,
            translation=self.translation,
        )


@dataclass(frozen=True, eq=False)
class CameraSetup:
    """The cameras of one setup, the board they were calibrated with, and the pair's own error."""

    name: str
    board: Board
    cameras: tuple[CalibratedCamera, ...]
    created: str
    stereo_rms_px: float | None = None
    stereo_pairs: int = 0

    @property
    def baseline_m(self) -> float | None:
        """How far apart the first two cameras stand (None for one camera)."""
        if len(self.cameras) < 2:
            return None
        first, second = self.cameras[:2]
        centres = [-c.rotation.T @ c.translation for c in (first, second)]
        return float(np.linalg.norm(centres[1] - centres[0]))

    def camera_models(self) -> list[CameraModel]:
        return [camera.model() for camera in self.cameras]

    def describe(self) -> list[str]:
        """What ``rehab cameras show`` prints: one line per camera, then the pair."""
        lines = [f"setup {self.name}: {self.board.describe()}, calibrated {self.created}"]
        for camera in self.cameras:
            f = camera.matrix
            lines.append(
                f"  {camera.name} ({camera.source}): {camera.size[0]}x{camera.size[1]}, "
                f"focal {f[0, 0]:.1f} x {f[1, 1]:.1f} px, centre ({f[0, 2]:.1f}, {f[1, 2]:.1f}), "
                f"{camera.boards} boards, reprojection error {camera.rms_px:.2f} px"
                + (f" (left out, fitting far worse: {', '.join(camera.left_out)})" if camera.left_out else "")
            )
        if self.baseline_m is not None and self.stereo_rms_px is not None:
            lines.append(
                f"  pair: {self.stereo_pairs} boards seen by both, stereo error {self.stereo_rms_px:.2f} px, "
                f"baseline {100 * self.baseline_m:.1f} cm"
            )
        return lines


def check_setup_name(name: str) -> str:
    if not _NAME.fullmatch(name):
        raise UsageError(f"setup name {name!r}: use up to 40 letters, digits, '-' or '_'")
    return name


def setup_path(folder: Path, name: str) -> Path:
    return Path(folder) / f"{check_setup_name(name)}.json"


def save_setup(folder: Path, setup: CameraSetup) -> Path:
    """Write (or replace) the setup's file, whole or not at all, owner-only."""
    make_private_folder(folder)
    path = setup_path(folder, setup.name)
    write_private(path, (json.dumps(_as_dict(setup), indent=2) + "\n").encode("utf-8"), force=True)
    return path


def load_setup(folder: Path, name: str) -> CameraSetup:
    """The stored setup; NotFoundError naming the command that makes one, DataError when damaged."""
    return read_setup(setup_path(folder, name), name)


def read_setup(path: Path, name: str | None = None) -> CameraSetup:
    """A setup file by its path (what a ``?setup=FILE`` source URL names)."""
    name = name or Path(path).stem
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise NotFoundError(
            f"no camera setup named {name!r}; calibrate it first: rehab cameras calibrate --setup {name} ..."
        ) from None
    try:
        return _from_dict(json.loads(text))
    except (ValueError, KeyError, TypeError, IndexError) as error:
        raise DataError(f"{path} is damaged ({error}); calibrate the setup again") from error


def _as_dict(setup: CameraSetup) -> dict[str, object]:
    return {
        "format": FORMAT_VERSION,
        "name": setup.name,
        "created": setup.created,
        "board": setup.board.as_dict(),
        "stereo_rms_px": setup.stereo_rms_px,
        "stereo_pairs": setup.stereo_pairs,
        "cameras": [
            {
                "name": c.name,
                "source": c.source,
                "size": list(c.size),
                "matrix": c.matrix.tolist(),
                "distortion": c.distortion.tolist(),
                "rotation": c.rotation.tolist(),
                "translation_m": c.translation.tolist(),
                "rms_px": c.rms_px,
                "boards": c.boards,
                "left_out": list(c.left_out),
            }
            for c in setup.cameras
        ],
    }


def _array(value: object, shape: tuple[int, ...]) -> np.ndarray:
    array = np.asarray(value, dtype=np.float64)
    if array.shape != shape or not np.all(np.isfinite(array)):
        raise ValueError(f"expected {shape} finite numbers")
    return array


def _from_dict(data: dict[str, object]) -> CameraSetup:
    if data.get("format") != FORMAT_VERSION:
        raise ValueError(f"unknown format {data.get('format')!r}")
    cameras = tuple(
        CalibratedCamera(
            name=str(c["name"]),
            source=str(c.get("source", "")),
            size=(int(c["size"][0]), int(c["size"][1])),
            matrix=_array(c["matrix"], (3, 3)),
            distortion=_array(c["distortion"], (5,)),
            rotation=_array(c["rotation"], (3, 3)),
            translation=_array(c["translation_m"], (3,)),
            rms_px=float(c["rms_px"]),
            boards=int(c["boards"]),
            left_out=tuple(str(label) for label in c.get("left_out", ())),
        )
        for c in data["cameras"]  # type: ignore[attr-defined]
    )
    if not cameras:
        raise ValueError("no cameras")
    stereo = data.get("stereo_rms_px")
    return CameraSetup(
        name=str(data["name"]),
        board=Board.from_dict(data["board"]),  # type: ignore[arg-type]
        cameras=cameras,
        created=str(data["created"]),
        stereo_rms_px=None if stereo is None else float(stereo),  # type: ignore[arg-type]
        stereo_pairs=int(data.get("stereo_pairs", 0)),  # type: ignore[call-overload]
    )
