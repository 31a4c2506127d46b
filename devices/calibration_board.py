"""The printed board a camera is calibrated with, and finding its corners in a picture.

Two kinds: a plain **checkerboard** (``columns`` x ``rows`` *inner* corners; the whole board must be
in view, and one even and one odd count make it look different turned half round, so two cameras
agree on which corner is which), and a **ChArUco** board (``columns`` x ``rows`` *squares* with
ArUco markers in the white ones; each corner has an id, so a board partly out of the picture still
counts, which helps near the picture's edges where lens distortion is strongest).

Corners come out in pixels, refined to a fraction of a pixel, with the id of each corner, so views
with different subsets of a ChArUco board can be matched.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rehab.core.errors import UsageError

BOARD_KINDS = ("checkerboard", "charuco")
#: fewest ChArUco corners a view must show to be used (fewer fit too loosely)
MIN_CHARUCO_CORNERS = 6


@dataclass(frozen=True)
class Board:
    """A printed calibration board. ``square_m`` is the measured side of one square, in metres."""

    kind: str
    columns: int
    rows: int
    square_m: float
    marker_m: float = 0.0
    dictionary: str = "DICT_5X5_100"

    def __post_init__(self) -> None:
        if self.kind not in BOARD_KINDS:
            raise UsageError(f"unknown board kind {self.kind!r}; use checkerboard or charuco")
        least = 2 if self.kind == "checkerboard" else 3
        if self.columns < least or self.rows < least:
            raise UsageError(f"a {self.kind} needs at least {least}x{least} {self._counted}")
        if not self.square_m > 0:
            raise UsageError("the square size must be more than 0")
        if self.kind == "charuco" and not 0 < self.marker_m < self.square_m:
            raise UsageError("a ChArUco board's markers must be smaller than its squares")

    @property
    def _counted(self) -> str:
        return "inner corners" if self.kind == "checkerboard" else "squares"

    def describe(self) -> str:
        text = f"{self.kind} {self.columns}x{self.rows} {self._counted}, squares {self.square_m * 1000:g} mm"
        if self.kind == "charuco":
            text += f", markers {self.marker_m * 1000:g} mm ({self.dictionary})"
        return text

    @property
    def corner_count(self) -> int:
        if self.kind == "checkerboard":
            return self.columns * self.rows
        return (self.columns - 1) * (self.rows - 1)

    def object_points(self) -> np.ndarray:
        """Every corner on the board's plane (z = 0), metres, (N, 3), in id order."""
        if self.kind == "charuco":
            return np.asarray(_charuco(self).getChessboardCorners(), dtype=np.float64).reshape(-1, 3)
        grid = np.mgrid[0 : self.columns, 0 : self.rows].T.reshape(-1, 2)
        points = np.zeros((len(grid), 3))
        points[:, :2] = grid * self.square_m
        return points

    def as_dict(self) -> dict[str, object]:
        data: dict[str, object] = {
            "kind": self.kind,
            "columns": self.columns,
            "rows": self.rows,
            "square_m": self.square_m,
        }
        if self.kind == "charuco":
            data.update(marker_m=self.marker_m, dictionary=self.dictionary)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> Board:
        return cls(
            kind=str(data["kind"]),
            columns=int(data["columns"]),  # type: ignore[call-overload]
            rows=int(data["rows"]),  # type: ignore[call-overload]
            square_m=float(data["square_m"]),  # type: ignore[arg-type]
            marker_m=float(data.get("marker_m", 0.0)),  # type: ignore[arg-type]
            dictionary=str(data.get("dictionary", "DICT_5X5_100")),
        )


@dataclass(frozen=True, eq=False)
class BoardView:
    """The corners of a board found in one picture: their ids and where they are, in pixels."""

    ids: np.ndarray
    pixels: np.ndarray


def _charuco(board: Board):  # type: ignore[no-untyped-def]
    import cv2

    dictionary = getattr(cv2.aruco, board.dictionary, None)
    if dictionary is None:
        raise UsageError(f"unknown ArUco dictionary {board.dictionary!r} (e.g. DICT_5X5_100, DICT_4X4_50)")
    return cv2.aruco.CharucoBoard(
        (board.columns, board.rows), board.square_m, board.marker_m, cv2.aruco.getPredefinedDictionary(dictionary)
    )


def board_image(board: Board, pixels_per_square: int = 120, margin: int = 60) -> np.ndarray:
    """A printable picture of the board (grey uint8): print it at 100% and measure a square."""
    import cv2

    if board.kind == "charuco":
        size = (board.columns * pixels_per_square + 2 * margin, board.rows * pixels_per_square + 2 * margin)
        return np.asarray(_charuco(board).generateImage(size, marginSize=margin))
    squares_x, squares_y = board.columns + 1, board.rows + 1
    tile = np.indices((squares_y, squares_x)).sum(axis=0) % 2 == 0
    squares = np.where(tile, 0, 255).astype(np.uint8)
    image = cv2.resize(squares, None, fx=pixels_per_square, fy=pixels_per_square, interpolation=cv2.INTER_NEAREST)
    return np.asarray(cv2.copyMakeBorder(image, margin, margin, margin, margin, cv2.BORDER_CONSTANT, value=255))


def find_board(image: np.ndarray, board: Board, thorough: bool = True) -> BoardView | None:
    """The board's corners in a picture (BGR or grey), refined to a fraction of a pixel; None when
    the board is not there (or, for a checkerboard, not wholly in view). ``thorough`` tries a
    second, slower detector (about a second on a 1080p picture) when the first finds nothing: worth
    it for a few photographs, not for every frame of a video."""
    import cv2

    grey = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    if board.kind == "charuco":
        return _find_charuco(grey, board)
    size = (board.columns, board.rows)
    flags = cv2.CALIB_CB_ADAPTIVE_THRESH | cv2.CALIB_CB_NORMALIZE_IMAGE
    if not thorough:
        flags |= cv2.CALIB_CB_FAST_CHECK
    found, corners = cv2.findChessboardCorners(grey, size, flags=flags)
    if found:
        window = _refine_window(corners.reshape(-1, 2), board)
        criteria = (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, 50, 0.001)
        corners = cv2.cornerSubPix(grey, corners, (window, window), (-1, -1), criteria)
    elif thorough:
        # the sector-based detector finds boards the classic one misses (blur, glare), more slowly
        found, corners = cv2.findChessboardCornersSB(grey, size, flags=cv2.CALIB_CB_NORMALIZE_IMAGE)
    if not found:
        return None
    return BoardView(ids=np.arange(board.corner_count), pixels=np.asarray(corners, dtype=np.float64).reshape(-1, 2))


def _refine_window(corners: np.ndarray, board: Board) -> int:
    """Half the sub-pixel search window: under half a square, so it never reaches the next corner."""
    grid = corners.reshape(board.rows, board.columns, 2)
    steps = np.concatenate(
        [np.linalg.norm(np.diff(grid, axis=0), axis=2).ravel(), np.linalg.norm(np.diff(grid, axis=1), axis=2).ravel()]
    )
    return int(np.clip(0.4 * float(steps.min()), 2, 11))


def _find_charuco(grey: np.ndarray, board: Board) -> BoardView | None:
    import cv2

    detector = cv2.aruco.CharucoDetector(_charuco(board))
    corners, ids, _, _ = detector.detectBoard(grey)
    if ids is None or len(ids) < MIN_CHARUCO_CORNERS:
        return None
    return BoardView(ids=np.asarray(ids).ravel(), pixels=np.asarray(corners, dtype=np.float64).reshape(-1, 2))
