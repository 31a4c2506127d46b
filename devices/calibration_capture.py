"""Pictures of the board for calibration: from image folders, video files or live cameras.

Folders are taken as they are: one folder per camera, pictures paired across cameras in name order
(the first picture of each folder taken at the same moment, and so on). Videos and live cameras are
read side by side, frame by frame, and a moment is kept when every camera sees the whole board
**held steady** (its corners moved less than a few pixels since the frame before: a moving board
is blurred, and two cameras that are not synchronised would see it in different places) and it has
moved well away from where it was last kept (so the pictures vary).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from devices.calibration_board import Board, BoardView, find_board
from devices.camera import IMAGE_SUFFIXES, SourceOpenError, open_video, open_webcam
from devices.camera_calibration import (
    MAX_ERROR_PX,
    MIN_BOARDS,
    CalibrationError,
    calibrate_camera,
    calibrate_pair,
)
from devices.camera_setup import CalibratedCamera, CameraSetup

#: corners may move at most this share of the picture's width between two frames to count as steady
STEADY_SHARE = 0.004
#: a kept moment's board must have moved this share of the width since the last kept one
MOVED_SHARE = 0.08


@dataclass(frozen=True, eq=False)
class BoardPictures:
    """What calibration works from: per camera, its name, where the pictures came from, the picture
    size, and one view per moment (None where the board was not found), with the moments' labels."""

    names: tuple[str, ...]
    sources: tuple[str, ...]
    sizes: tuple[tuple[int, int], ...]
    views: tuple[tuple[BoardView | None, ...], ...]
    labels: tuple[str, ...]


def from_folders(folders: Sequence[Path], board: Board) -> BoardPictures:
    """Every picture of each folder; the folders must hold as many pictures each when there are two."""
    import cv2

    listed = [_pictures_in(Path(folder)) for folder in folders]
    if len({len(paths) for paths in listed}) > 1:
        counts = " and ".join(f"{len(paths)} in {folder}" for paths, folder in zip(listed, folders, strict=True))
        raise CalibrationError(
            f"the folders hold different numbers of pictures ({counts}); pictures are paired in name "
            "order, one per camera for each position of the board"
        )
    views: list[tuple[BoardView | None, ...]] = []
    sizes: list[tuple[int, int]] = []
    for paths in listed:
        found: list[BoardView | None] = []
        size: tuple[int, int] | None = None
        for path in paths:
            image = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
            if image is None:
                raise SourceOpenError(f"cannot read {path} as a picture")
            size = _same_size(size, image, path)
            found.append(find_board(image, board))
        assert size is not None
        views.append(tuple(found))
        sizes.append(size)
    labels = tuple(" + ".join(paths[i].name for paths in listed) for i in range(len(listed[0])))
    sources = tuple(f"images:{folder}" for folder in folders)
    return BoardPictures(_names(len(folders)), sources, tuple(sizes), tuple(views), labels)


def _pictures_in(folder: Path) -> list[Path]:
    if not folder.is_dir():
        raise SourceOpenError(f"image folder not found: {folder}")
    paths = sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
    if not paths:
        raise SourceOpenError(f"no images ({', '.join(IMAGE_SUFFIXES)}) in {folder}")
    return paths


def _same_size(size: tuple[int, int] | None, image: np.ndarray, path: Path) -> tuple[int, int]:
    here = (int(image.shape[1]), int(image.shape[0]))
    if size is not None and here != size:
        raise CalibrationError(
            f"{path} is {here[0]}x{here[1]} but the camera's other pictures are {size[0]}x{size[1]}: "
            "one camera's pictures must all be the same size"
        )
    return here


def _names(count: int) -> tuple[str, ...]:
    return tuple(f"cam{i + 1}" for i in range(count))


def from_streams(
    urls: Sequence[str],
    board: Board,
    wanted: int = 20,
    seconds: float | None = None,
    say: Callable[[str], None] | None = None,
) -> BoardPictures:
    """Moments when every camera saw the board held steady, from video files read frame by frame
    side by side (``video:PATH`` or a path) or live cameras (``webcam:N``), until ``wanted`` are
    kept, the files end, or ``seconds`` have passed."""
    readers = [_open(url) for url in urls]
    try:
        kept = _keep_steady(_frames(readers, seconds), board, wanted, say)
    finally:
        for reader in readers:
            reader.close()
    if len(kept) < MIN_BOARDS:
        raise CalibrationError(
            f"the board was held steadily in view of {' and '.join(urls)} at only {len(kept)} moments "
            f"({MIN_BOARDS} are needed): hold it still for a moment in each position, whole in every picture"
        )
    sizes = tuple((int(image.shape[1]), int(image.shape[0])) for image in kept[0][2])
    views = tuple(tuple(moment[1][i] for moment in kept) for i in range(len(urls)))
    return BoardPictures(_names(len(urls)), tuple(urls), sizes, views, tuple(moment[0] for moment in kept))


def _open(url: str):  # type: ignore[no-untyped-def]
    from devices.base import SourceUrl

    parsed = SourceUrl.parse(url)
    if parsed.scheme == "webcam":
        return open_webcam(parsed.target, parsed.options)
    if parsed.scheme == "video":
        return open_video(str(Path(parsed.target).expanduser()))
    raise SourceOpenError(f"'{url}' is not a video file or a webcam: source")


def _frames(readers: Sequence[object], seconds: float | None) -> Iterator[tuple[str, list[np.ndarray]]]:
    """One picture from each reader at a time, until one of them ends or time is up."""
    started = time.monotonic()
    index = 0
    while seconds is None or time.monotonic() - started < seconds:
        images = [reader.read() for reader in readers]  # type: ignore[attr-defined]
        if any(image is None for image in images):
            return
        yield f"frame {index}", images  # type: ignore[misc]
        index += 1


def _keep_steady(
    frames: Iterator[tuple[str, list[np.ndarray]]],
    board: Board,
    wanted: int,
    say: Callable[[str], None] | None,
) -> list[tuple[str, tuple[BoardView, ...], list[np.ndarray]]]:
    """The moments worth calibrating from: board found in every picture, steady, and moved on."""
    kept: list[tuple[str, tuple[BoardView, ...], list[np.ndarray]]] = []
    previous: tuple[BoardView, ...] | None = None
    for label, images in frames:
        found = [find_board(image, board, thorough=False) for image in images]
        if any(view is None for view in found):
            previous = None
            continue
        views = tuple(view for view in found if view is not None)
        width = float(images[0].shape[1])
        steady = previous is not None and _moved(previous, views) < STEADY_SHARE * width
        fresh = not kept or _moved(kept[-1][1], views) > MOVED_SHARE * width
        previous = views
        if steady and fresh:
            kept.append((label, views, images))
            if say:
                say(f"board {len(kept)} of {wanted} kept ({label})")
            if len(kept) >= wanted:
                break
    return kept


def _moved(before: tuple[BoardView, ...], after: tuple[BoardView, ...]) -> float:
    """The largest mean corner movement over the cameras, pixels (corners compared by id)."""
    moves = []
    for a, b in zip(before, after, strict=True):
        _, in_a, in_b = np.intersect1d(a.ids, b.ids, return_indices=True)
        if len(in_a) == 0:
            return float("inf")
        moves.append(float(np.linalg.norm(a.pixels[in_a] - b.pixels[in_b], axis=1).mean()))
    return max(moves)


def calibrate_setup(
    name: str, board: Board, pictures: BoardPictures, max_error_px: float = MAX_ERROR_PX
) -> CameraSetup:
    """Each camera's lens, then (for two) the second camera's pose; CalibrationError for anything
    that should not be kept, before anything is stored."""
    labels = list(pictures.labels)
    lenses = [
        calibrate_camera(cam, views, labels, size, board, max_error_px)
        for cam, views, size in zip(pictures.names, pictures.views, pictures.sizes, strict=True)
    ]
    poses = [(np.eye(3), np.zeros(3))]
    stereo_rms, pairs = None, 0
    if len(lenses) == 2:
        # a picture one lens fit left out is left out of the pair too
        dropped = set(lenses[0].left_out_at) | set(lenses[1].left_out_at)
        kept = [tuple(None if i in dropped else v for i, v in enumerate(views)) for views in pictures.views]
        pair = calibrate_pair(
            (pictures.names[0], pictures.names[1]),
            (kept[0], kept[1]),
            (lenses[0], lenses[1]),
            board,
            max_error_px,
        )
        poses.append((pair.rotation, pair.translation))
        stereo_rms, pairs = pair.rms_px, pair.pairs
    elif len(lenses) > 2:
        raise CalibrationError("calibrate one or two cameras at a time")
    cameras = tuple(
        CalibratedCamera(
            cam, source, lens.size, lens.matrix, lens.distortion, rot, trans, lens.rms_px, lens.boards, lens.left_out
        )
        for cam, source, lens, (rot, trans) in zip(pictures.names, pictures.sources, lenses, poses, strict=True)
    )
    created = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return CameraSetup(name, board, cameras, created, stereo_rms, pairs)


def print_progress(line: str) -> None:
    print(line, file=sys.stderr, flush=True)
