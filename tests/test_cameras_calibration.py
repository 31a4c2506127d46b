"""Camera calibration (issue 17, two cameras): board pictures rendered by a simulated camera whose
lens and pose are known, so what calibration recovers can be compared with the truth; bad picture
sets refused in one line with nothing stored; and the real checkerboard photographs of the pose2sim
wheel when the data cache holds it."""

from __future__ import annotations

import json
import os
import stat
import zipfile
from pathlib import Path

import numpy as np
import pytest

from devices.calibration_board import Board, find_board
from devices.calibration_capture import calibrate_setup, from_folders, from_streams
from devices.camera_calibration import CalibrationError, calibrate_camera
from devices.camera_setup import load_setup
from rehab.app.cli import main
from rehab.core.errors import NotFoundError
from rehab.core.multiview import CameraModel
from rehab.sim.board_pictures import (
    board_corners,
    board_pose,
    board_positions,
    render,
    two_camera_rig,
    write_board_pictures,
)

BOARD = Board("checkerboard", 9, 6, 0.04)
RIG = two_camera_rig(baseline_m=0.4)
TRUE_BASELINE = float(np.linalg.norm([0.4, -0.05, 0.0]))


@pytest.fixture(scope="module")
def rig_folders(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("rig")
    folders = [root / "cam1", root / "cam2"]
    write_board_pictures(folders, BOARD, RIG, board_positions(BOARD, RIG, 10, seed=3))
    return folders[0], folders[1]


@pytest.fixture(scope="module")
def rig_pictures(rig_folders: tuple[Path, Path]):  # type: ignore[no-untyped-def]
    return from_folders(list(rig_folders), BOARD)


def test_corners_found_within_a_tenth_of_a_pixel() -> None:
    pose = board_pose(np.array([0.05, 0.02, 1.1]), 25.0, -20.0, 5.0)
    view = find_board(render(BOARD, RIG[0], pose), BOARD)
    assert view is not None
    error = np.linalg.norm(view.pixels - board_corners(BOARD, RIG[0], pose), axis=1)
    assert error.mean() < 0.1 and error.max() < 0.25


def test_one_camera_lens_recovered(rig_pictures) -> None:  # type: ignore[no-untyped-def]
    lens = calibrate_camera("cam1", rig_pictures.views[0], rig_pictures.labels, (640, 480), BOARD)
    truth = RIG[0].matrix
    assert lens.boards == 10
    assert lens.matrix[0, 0] == pytest.approx(truth[0, 0], rel=0.02)
    assert lens.matrix[1, 1] == pytest.approx(truth[1, 1], rel=0.02)
    assert np.abs(lens.matrix[:2, 2] - truth[:2, 2]).max() < 6.0
    assert lens.rms_px < 0.2


def test_pair_recovers_baseline_and_rotation(rig_pictures) -> None:  # type: ignore[no-untyped-def]
    import cv2

    setup = calibrate_setup("rig", BOARD, rig_pictures)
    assert setup.baseline_m == pytest.approx(TRUE_BASELINE, rel=0.03)
    second = setup.cameras[1]
    turn = cv2.Rodrigues(second.rotation @ RIG[1].rotation.T)[0]
    assert np.degrees(np.linalg.norm(turn)) < 1.0
    assert setup.stereo_rms_px is not None and setup.stereo_rms_px < 0.2
    assert second.matrix[0, 0] == pytest.approx(RIG[1].matrix[0, 0], rel=0.02)
    models = setup.camera_models()
    assert all(isinstance(model, CameraModel) for model in models)
    assert np.allclose(models[0].rotation, np.eye(3)) and np.allclose(models[0].translation, 0.0)


def test_charuco_board_recovers_the_lens(tmp_path: Path) -> None:
    board = Board("charuco", 7, 5, 0.05, 0.037)
    camera = RIG[0]
    poses = board_positions(board, (camera,), 7, seed=11, distance_m=(0.6, 1.0))
    views = [find_board(render(board, camera, pose, seed=i), board) for i, pose in enumerate(poses)]
    assert all(view is not None for view in views)
    lens = calibrate_camera("cam1", views, [str(i) for i in range(7)], camera.size, board)
    assert lens.matrix[0, 0] == pytest.approx(camera.matrix[0, 0], rel=0.03)
    assert lens.rms_px < 0.3


def _one_line_refusal(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    return err


def test_cli_calibrates_two_folders_and_stores_the_setup_owner_only(
    rig_folders: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = tmp_path / "home"
    argv = ["--home", str(home), "cameras", "calibrate", "--setup", "lab", "--grid", "9x6", "--square-mm", "40"]
    assert main([*argv, "--images", str(rig_folders[0]), "--images", str(rig_folders[1])]) == 0
    out = capsys.readouterr().out
    assert "cam1" in out and "cam2" in out and "10 boards" in out and "reprojection error 0.0" in out
    baseline_cm = float(out.split("baseline ")[1].split(" cm")[0])
    assert baseline_cm == pytest.approx(100 * TRUE_BASELINE, rel=0.03)
    stored = home / "cameras" / "lab.json"
    assert stat.S_IMODE(os.stat(stored).st_mode) == 0o600
    assert json.loads(stored.read_text())["board"]["square_m"] == 0.04
    assert main(["--home", str(home), "cameras", "show", "--setup", "lab"]) == 0
    assert "stereo error" in capsys.readouterr().out
    assert main(["--home", str(home), "cameras", "list"]) == 0
    assert capsys.readouterr().out.split() == ["lab"]


def test_too_few_boards_refused_naming_the_pictures(
    rig_folders: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import cv2

    folder = tmp_path / "few"
    folder.mkdir()
    for path in sorted(rig_folders[0].iterdir())[:3]:
        (folder / path.name).write_bytes(path.read_bytes())
    for i in range(3):
        cv2.imwrite(str(folder / f"wall_{i}.png"), np.full((480, 640), 128, np.uint8))
    home = tmp_path / "home"
    err = _one_line_refusal(capsys, ["--home", str(home), "cameras", "calibrate", "--images", str(folder)])
    assert "found in only 3 of 6 pictures" in err and "wall_0.png" in err and "more pictures" in err
    assert not (home / "cameras" / "default.json").exists()


def test_blurred_corners_refused_with_the_error_and_what_to_do(rig_pictures) -> None:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(5)
    noisy = [type(v)(v.ids, v.pixels + rng.normal(0, 2.5, v.pixels.shape)) for v in rig_pictures.views[0]]
    with pytest.raises(CalibrationError) as refused:
        calibrate_camera("cam1", noisy, rig_pictures.labels, (640, 480), BOARD)
    message = str(refused.value)
    assert "reprojection error is" in message and "at most 1 px" in message and "flat" in message
    assert "\n" not in message


def test_board_only_in_the_middle_refused(tmp_path: Path) -> None:
    camera = RIG[0]
    poses = board_positions(BOARD, (camera,), 6, seed=2, middle_only=True)
    views = [find_board(render(BOARD, camera, pose, seed=i), BOARD) for i, pose in enumerate(poses)]
    with pytest.raises(CalibrationError, match="only in the middle.*edges and corners"):
        calibrate_camera("cam1", views, [str(i) for i in range(6)], camera.size, BOARD)


def test_board_only_straight_on_refused() -> None:
    camera = RIG[0]
    places = [(-0.3, -0.2), (0.3, -0.2), (-0.3, 0.2), (0.3, 0.2), (0.0, 0.0), (0.15, -0.05)]
    views = [find_board(render(BOARD, camera, board_pose(np.array([x, y, 1.3]), 0, 0)), BOARD) for x, y in places]
    with pytest.raises(CalibrationError, match="straight on"):
        calibrate_camera("cam1", views, [str(i) for i in range(6)], camera.size, BOARD)


def test_unknown_setup_and_bad_grid_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    err = _one_line_refusal(capsys, ["--home", str(tmp_path), "cameras", "show", "--setup", "nowhere"])
    assert "no camera setup named 'nowhere'" in err and "rehab cameras calibrate" in err
    err = _one_line_refusal(capsys, ["--home", str(tmp_path), "cameras", "calibrate", "--images", "x", "--grid", "9"])
    assert "--grid" in err
    with pytest.raises(NotFoundError):
        load_setup(tmp_path / "cameras", "default")


def test_video_keeps_only_steady_moments(tmp_path: Path) -> None:
    """A board held still at 6 places, moved between them: one moment kept per place, none while moving."""
    import cv2

    camera = RIG[0]
    places: list[np.ndarray] = []
    for pose in board_positions(BOARD, (camera,), 30, seed=9):  # each well away from the one before
        corners = board_corners(BOARD, camera, pose)
        if not places or np.linalg.norm(corners - board_corners(BOARD, camera, places[-1]), axis=1).mean() > 80:
            places.append(pose)
    places = places[:6]
    path = tmp_path / "board.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), 30.0, camera.size)
    for i, pose in enumerate(places):
        held = cv2.cvtColor(render(BOARD, camera, pose, seed=i), cv2.COLOR_GRAY2BGR)
        for _ in range(3):
            writer.write(held)
        if i + 1 < len(places):  # half way to the next place: a different board position, seen once
            between = (pose + places[i + 1]) / 2
            writer.write(cv2.cvtColor(render(BOARD, camera, between, seed=50 + i), cv2.COLOR_GRAY2BGR))
    writer.release()
    pictures = from_streams([str(path)], BOARD, wanted=20)
    assert pictures.labels == tuple(f"frame {4 * i + 1}" for i in range(6))
    assert pictures.sizes == (camera.size,)


def _pose2sim_wheel() -> Path | None:
    """The pose2sim wheel in the data cache that benchmarks/accuracy_data.py fills."""
    root = os.environ.get("REHAB_DATA_CACHE")
    if root:
        folders = [Path(root)]
    else:
        import platformdirs

        folders = [Path(platformdirs.user_cache_dir("rehab")) / name for name in ("accuracy", "pose2sim")]
    found = [wheel for folder in folders for wheel in sorted(folder.glob("**/pose2sim-0.10.49-*.whl"))]
    return found[0] if found else None


def test_real_checkerboard_photographs_of_the_pose2sim_wheel(tmp_path: Path) -> None:
    """Four phone-camera sets of a 4x7-corner, 60 mm checkerboard, 1088x1920; Qualisys measured
    these cameras' focal length at about 1680 px."""
    wheel = _pose2sim_wheel()
    if wheel is None:
        pytest.skip(
            "the pose2sim 0.10.49 wheel is not in the data cache; run benchmarks/accuracy_data.py or "
            "pip download --no-deps pose2sim==0.10.49 -d <cache>/wheels "
            "(<cache>: $REHAB_DATA_CACHE, else the user cache's rehab/accuracy)"
        )
    prefix = "Pose2Sim/Demo_SinglePerson/calibration/intrinsics/"
    with zipfile.ZipFile(wheel) as archive:
        for name in archive.namelist():
            if name.startswith(prefix) and name.endswith(".jpg"):
                target = tmp_path / name.removeprefix(prefix)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(archive.read(name))
    board = Board("checkerboard", 4, 7, 0.06)
    for folder in sorted(tmp_path.iterdir()):
        setup = calibrate_setup(folder.name, board, from_folders([folder], board))
        camera = setup.cameras[0]
        assert camera.size == (1088, 1920)
        assert camera.rms_px < 0.5, folder.name
        assert camera.boards >= 5
        assert 1600 < camera.matrix[0, 0] < 1760, folder.name


def test_cli_calibrates_from_two_videos(
    rig_folders: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two films of the board started together: each position held for 3 frames is kept once."""
    import cv2

    videos = []
    for folder in rig_folders:
        path = tmp_path / f"{folder.name}.avi"
        writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), 30.0, (640, 480))
        for picture in sorted(folder.iterdir()):
            image = cv2.imread(str(picture))
            for _ in range(3):
                writer.write(image)
        writer.release()
        videos += ["--video", str(path)]
    home = tmp_path / "home"
    argv = ["--home", str(home), "cameras", "calibrate", *videos, "--grid", "9x6", "--square-mm", "40"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "pair:" in out
    setup = load_setup(home / "cameras", "default")
    assert setup.cameras[0].boards >= 8 and setup.cameras[1].source.endswith("cam2.avi")
    assert setup.baseline_m == pytest.approx(TRUE_BASELINE, rel=0.03)
