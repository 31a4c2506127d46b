"""``rehab cameras calibrate|show|list|board``: calibrate one or two cameras with a printed board."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rehab.app.cli import CommandError, values

if TYPE_CHECKING:
    from devices.calibration_board import Board

#: where setups are kept, inside the data folder
SETUPS_FOLDER = "cameras"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.epilog = "See docs/tracking.md, 'Two cameras', for printing a board and what the errors mean."
    sub = parser.add_subparsers(dest="action", metavar="ACTION", title="actions")
    sub.required = True
    _add_calibrate(sub)
    show = sub.add_parser(
        "show",
        help="print a stored setup: each camera's lens and errors, the pair's baseline",
        description="Print a stored camera setup: each camera's lens, its reprojection error and the baseline.",
    )
    _add_setup(show)
    sub.add_parser("list", help="list the stored setups", description="List the stored camera setups by name.")
    board = sub.add_parser(
        "board",
        help="write a printable picture of the board (print at 100%%, then measure a square)",
        description="Write a printable picture of the calibration board at 300 dpi.",
    )
    board.add_argument("out", metavar="OUT.png", type=Path, help="the picture to write")
    board.add_argument("--force", action="store_true", help="overwrite an existing file")
    _add_board(board)


def _add_setup(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--setup", metavar="NAME", default="default", help="which setup (default 'default'); one per room or rig"
    )


def _add_calibrate(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    cal = sub.add_parser(
        "calibrate",
        help="calibrate one or two cameras from pictures of a printed board",
        description="Calibrate one camera (its lens) or two (their lenses and where they stand) from "
        "pictures of a printed checkerboard or ChArUco board, show the reprojection errors, and store "
        "the setup; a calibration too poor to use is refused and nothing is stored.",
    )
    _add_setup(cal)
    given = cal.add_mutually_exclusive_group(required=True)
    given.add_argument(
        "--images",
        metavar="DIR",
        action="append",
        type=Path,
        help="a folder of pictures from one camera; twice for two cameras (paired in name order)",
    )
    given.add_argument(
        "--video", metavar="FILE", action="append", help="a video of the board from one camera; twice for two"
    )
    given.add_argument(
        "--webcam", metavar="N", action="append", type=values.bounded_int(0, 63), help="a live camera; twice for two"
    )
    _add_board(cal)
    cal.add_argument(
        "--max-error",
        metavar="PX",
        type=values.finite_float(0.0, 20.0, low_open=True),
        default=1.0,
        help="refuse a calibration whose reprojection error is above this, in pixels (default 1.0)",
    )
    cal.add_argument(
        "--boards",
        type=values.bounded_int(5, 200),
        default=20,
        metavar="N",
        help="videos and webcams: keep this many steady views of the board (default 20)",
    )
    cal.add_argument(
        "--seconds", type=values.duration_s, default=180.0, metavar="S", help="webcams: give up after S s (default 180)"
    )


def _add_board(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--board", choices=("checkerboard", "charuco"), default="checkerboard", help="the kind of board"
    )
    parser.add_argument(
        "--grid",
        metavar="COLSxROWS",
        default="9x6",
        help="checkerboard: inner corners across and down (a board of 10x7 squares is 9x6, the default); "
        "ChArUco: squares across and down",
    )
    parser.add_argument(
        "--square-mm",
        type=values.finite_float(1.0, 1000.0),
        default=25.0,
        metavar="MM",
        help="the side of one square as printed, measured with a ruler (default 25)",
    )
    parser.add_argument(
        "--marker-mm",
        type=values.finite_float(1.0, 1000.0),
        metavar="MM",
        help="ChArUco: the side of one marker (default 3/4 of a square)",
    )
    parser.add_argument(
        "--dictionary",
        default="DICT_5X5_100",
        metavar="NAME",
        help="ChArUco: the ArUco dictionary (default DICT_5X5_100)",
    )


def run(args: argparse.Namespace) -> int:
    action = {"calibrate": _calibrate, "show": _show, "list": _list, "board": _board}[args.action]
    return action(args)


def setups_folder(home: str | None) -> Path:
    from rehab.app.home import data_home

    return data_home(home) / SETUPS_FOLDER


def board_from(args: argparse.Namespace) -> Board:
    from devices.calibration_board import Board

    match = re.fullmatch(r"\s*(\d{1,3})\s*[xX]\s*(\d{1,3})\s*", args.grid)
    if not match:
        raise CommandError(f"--grid {args.grid!r}: give columns x rows, e.g. 9x6")
    marker = args.marker_mm if args.marker_mm is not None else 0.75 * args.square_mm
    return Board(
        kind=args.board,
        columns=int(match.group(1)),
        rows=int(match.group(2)),
        square_m=args.square_mm / 1000.0,
        marker_m=marker / 1000.0 if args.board == "charuco" else 0.0,
        dictionary=args.dictionary,
    )


def _calibrate(args: argparse.Namespace) -> int:
    import cv2

    from devices.calibration_capture import calibrate_setup, from_folders, from_streams, print_progress
    from devices.camera_setup import check_setup_name, save_setup, setup_path
    from rehab.app.home import prepared_home

    check_setup_name(args.setup)
    board = board_from(args)
    given = args.images or args.video or [f"webcam:{n}" for n in args.webcam]
    if len(given) > 2:
        raise CommandError("calibrate one or two cameras at a time")
    try:
        if args.images:
            pictures = from_folders(args.images, board)
        else:
            if args.webcam:
                print(f"Hold the {board.describe()} still in view of every camera, in many places and angles.")
            pictures = from_streams(given, board, args.boards, args.seconds if args.webcam else None, print_progress)
        setup = calibrate_setup(args.setup, board, pictures, args.max_error)
    except cv2.error as error:
        reason = f"OpenCV could not calibrate from these pictures ({error.err})"
        raise CommandError(f"{reason}; take more pictures, at varied angles") from error
    folder = setups_folder(str(prepared_home(args.home)))
    existed = setup_path(folder, args.setup).exists()
    for line in setup.describe()[1:]:
        print(line.strip())
    path = save_setup(folder, setup)
    print(f"Saved setup '{setup.name}'{' (replacing the earlier one)' if existed else ''}: {path}")
    return 0


def _show(args: argparse.Namespace) -> int:
    from devices.camera_setup import load_setup

    for line in load_setup(setups_folder(args.home), args.setup).describe():
        print(line)
    return 0


def _list(args: argparse.Namespace) -> int:
    folder = setups_folder(args.home)
    names = sorted(path.stem for path in folder.glob("*.json")) if folder.is_dir() else []
    if not names:
        print("No camera setups yet; make one with: rehab cameras calibrate --images DIR [--images DIR]")
    for name in names:
        print(name)
    return 0


def _board(args: argparse.Namespace) -> int:
    import cv2

    from devices.calibration_board import board_image
    from rehab.core.private_files import check_folder, write_private

    board = board_from(args)
    check_folder(args.out)
    pixels_per_square = round(args.square_mm / 25.4 * 300)  # 300 dots per inch
    # a white border of a third of a square: the default board then fits on A4 (267 x 192 mm)
    ok, encoded = cv2.imencode(args.out.suffix or ".png", board_image(board, pixels_per_square, pixels_per_square // 3))
    if not ok:
        raise CommandError(f"cannot write {args.out}: use .png")
    write_private(args.out, encoded.tobytes(), args.force)
    print(f"Wrote {args.out}: {board.describe()}. Print at 100% (no fit to page), then measure a square.")
    return 0


def two_camera_pictures(args: argparse.Namespace, keep_images: bool) -> tuple[Any, Any, int | None, float | None]:
    """For ``rehab track A+B``: the pose source of two calibrated cameras, as track's one-camera path
    returns it (source, pictures, frame count, fps)."""
    from devices.camera_setup import load_setup
    from devices.stereo_source import open_stereo_source, split_views

    urls = split_views(args.source) or []
    name = getattr(args, "setup", None) or "default"
    setup = load_setup(setups_folder(args.home), name)
    if len(setup.cameras) < 2:
        raise CommandError(
            f"setup '{name}' has one camera; calibrate the two together: rehab cameras calibrate --setup {name} "
            "--images DIR1 --images DIR2 (or --webcam 0 --webcam 1)"
        )
    source = open_stereo_source(urls, setup.camera_models()[:2], keep_images=keep_images, model=args.model)
    first, second = setup.cameras[:2]
    print(f"Two cameras, setup '{name}': {first.name} = {urls[0]}, {second.name} = {urls[1]}", file=sys.stderr)
    return source, source.pictures(idle=True), source.frame_count, source.fps
