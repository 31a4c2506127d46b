"""Two-camera tracking (issue 17): a known 3D skeleton seen by two calibrated simulated cameras is
triangulated back to its joint angles, through the combiner alone, through the whole two-camera
pose source (pairing, sizes, threads) and through ``rehab track A+B`` writing the usual CSV. Only
MediaPipe is replaced, by landmarks projected from the skeleton."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from devices import stereo_source
from devices.calibration_board import Board
from devices.camera import SourceOpenError
from devices.camera_setup import CalibratedCamera, CameraSetup, save_setup
from devices.mediapipe_pose import PoseResult
from devices.stereo_source import StereoCombiner, open_stereo_source, split_views
from rehab.app.cli import main
from rehab.core.landmarks import landmark
from rehab.core.multiview import CameraModel, project
from rehab.core.types import PoseFrame
from rehab.engine.kinematics import pose_angles
from rehab.sim.board_pictures import two_camera_rig
from rehab.sim.skeleton import Posture, world_points

#: a clinic's pair: 1.2 m apart, both aimed at the patient 2.5 m in front of the first
RIG = two_camera_rig(baseline_m=1.2, aim_m=2.5)
CAMERAS = [
    CameraModel(f"cam{i + 1}", c.size, c.matrix, c.distortion, c.rotation, c.translation) for i, c in enumerate(RIG)
]
STANDING = np.array([0.0, -0.08, 2.6])


def _skeleton(elbow: float, knee: float = 10.0) -> np.ndarray:
    posture = Posture(
        elbow_flexion={"left": elbow, "right": 30.0},
        knee_flexion={"left": knee, "right": 0.0},
        arm_elevation={"left": 40.0, "right": 10.0},
        facing_deg=20.0,
    )
    return world_points(posture) + STANDING


def _views(points: np.ndarray, noise_px: float = 0.0, seed: int = 0) -> list[PoseFrame]:
    rng = np.random.default_rng(seed)
    frames = []
    for camera in CAMERAS:
        pixels = project(camera, points) + rng.normal(0.0, noise_px, (33, 2))
        image = np.column_stack([pixels / np.asarray(camera.size, float), np.zeros(33)])
        frames.append(PoseFrame(t=1.0, world=points, visibility=np.ones(33), image=image, frame_index=4))
    return frames


def test_combiner_recovers_the_skeleton_and_its_angles() -> None:
    points = _skeleton(elbow=65.0)
    assert all(np.all((project(c, points) > 0) & (project(c, points) < c.size)) for c in CAMERAS)
    combined = StereoCombiner(CAMERAS).combine(_views(points))
    hips = points[[landmark("hip", "left"), landmark("hip", "right")]].mean(axis=0)
    assert combined.world is not None
    assert np.abs(combined.world - (points - hips)).max() < 1e-6
    assert combined.visibility.min() == 1.0 and combined.frame_index == 4
    angles = pose_angles(combined)
    assert angles.values["elbow_flexion_left"] == pytest.approx(65.0, abs=1e-3)
    assert angles.values["knee_flexion_left"] == pytest.approx(10.0, abs=1e-3)


def test_combiner_with_pixel_noise_stays_within_a_few_degrees() -> None:
    """1 px of landmark noise in each view, this rig: about 2.3 degrees RMS on the elbow (measured
    over 200 draws; 4.6 at 2 px), since depth error grows with distance squared over the baseline."""
    errors = []
    for seed in range(30):
        combined = StereoCombiner(CAMERAS).combine(_views(_skeleton(elbow=90.0), noise_px=1.0, seed=seed))
        errors.append(pose_angles(combined).values["elbow_flexion_left"] - 90.0)
    assert np.sqrt(np.mean(np.square(errors))) < 3.5


def test_combiner_drops_what_one_view_did_not_see_or_saw_elsewhere() -> None:
    views = _views(_skeleton(elbow=40.0))
    wrist, knee = landmark("wrist", "left"), landmark("knee", "right")
    hidden = views[1].visibility.copy()
    hidden[wrist] = 0.2
    image = np.array(views[1].image)
    # the second view put the knee somewhere else, off the line the first view's ray makes in the
    # second picture (along that line no pair of views can tell: it only changes the depth)
    image[knee, 1] += 0.15
    views[1] = PoseFrame(t=1.0, world=None, visibility=hidden, image=image, frame_index=4)
    combined = StereoCombiner(CAMERAS).combine(views)
    assert combined.visibility[wrist] == 0.0 and combined.visibility[knee] == 0.0
    assert np.isnan(pose_angles(combined).values["elbow_flexion_left"])
    assert pose_angles(combined).values["elbow_flexion_right"] == pytest.approx(30.0, abs=1e-3)


def test_combiner_undoes_a_view_that_swapped_the_arms() -> None:
    """MediaPipe in the second camera calls the left arm the right: the combiner swaps that view
    back (the two views only meet that way) instead of dropping both arms or mixing them up."""
    views = _views(_skeleton(elbow=70.0))
    image = np.array(views[1].image)
    for left, right in ((11, 12), (13, 14), (15, 16), (17, 18), (19, 20), (21, 22)):
        image[[left, right]] = image[[right, left]]
    views[1] = PoseFrame(t=1.0, world=None, visibility=views[1].visibility, image=image, frame_index=4)
    angles = pose_angles(StereoCombiner(CAMERAS).combine(views)).values
    assert angles["elbow_flexion_left"] == pytest.approx(70.0, abs=1e-3)
    assert angles["elbow_flexion_right"] == pytest.approx(30.0, abs=1e-3)


def test_split_views() -> None:
    assert split_views("webcam:0+webcam:1") == ["webcam:0", "webcam:1"]
    assert split_views("a.mp4+b.mp4") == ["a.mp4", "b.mp4"]
    assert split_views("webcam:0") is None
    with pytest.raises(SourceOpenError, match="two cameras joined by"):
        split_views("webcam:0+")


class _ProjectedPose:
    """Stands in for MediaPipe: the landmarks the skeleton of frame ``index`` projects to in its view.
    Views are told apart by the order they are made in (first camera first), and each checks it was
    handed its own camera's picture of that frame (a grey level set from the view and the index)."""

    made: list[_ProjectedPose] = []

    def __init__(self, model: object = None) -> None:
        self.view = len(_ProjectedPose.made) % 2
        _ProjectedPose.made.append(self)

    def process(self, image: np.ndarray, t: float, index: int, media_t: float | None = None) -> PoseResult:
        assert int(image[0, 0, 0]) == _grey(self.view, index)
        frame = _views(_skeleton(elbow=_elbow(index)))[self.view]
        return PoseResult(
            PoseFrame(t=t, world=frame.world, visibility=frame.visibility, image=frame.image, frame_index=index),
            "tracking",
        )

    def close(self) -> None:
        pass


def _elbow(index: int) -> float:
    return 20.0 + 10.0 * index


def _grey(view: int, index: int) -> int:
    return 10 * index + 100 * view


def _folders(root: Path, count: int, size: tuple[int, int] = (640, 480)) -> list[Path]:
    import cv2

    folders = [root / "cam1", root / "cam2"]
    for view, folder in enumerate(folders):
        folder.mkdir()
        for index in range(count):
            cv2.imwrite(str(folder / f"{index:03d}.png"), np.full((size[1], size[0], 3), _grey(view, index), np.uint8))
    return folders


@pytest.fixture
def projected_pose(monkeypatch: pytest.MonkeyPatch) -> None:
    _ProjectedPose.made = []
    monkeypatch.setattr(stereo_source, "MediaPipePose", _ProjectedPose)


def test_two_folders_are_paired_frame_by_frame_and_triangulated(tmp_path: Path, projected_pose: None) -> None:
    folders = _folders(tmp_path, 6)
    source = open_stereo_source([f"images:{f}" for f in folders], CAMERAS, keep_images=True)
    try:
        pictures = list(source.pictures())
    finally:
        source.close()
    assert [p.pose.frame_index for p in pictures] == list(range(6))
    for index, picture in enumerate(pictures):
        assert picture.status == "tracking" and int(picture.image[0, 0, 0]) == _grey(0, index)
        assert pose_angles(picture.pose).values["elbow_flexion_left"] == pytest.approx(_elbow(index), abs=1e-3)


def test_pictures_of_another_size_than_calibrated_are_refused(tmp_path: Path, projected_pose: None) -> None:
    folders = _folders(tmp_path, 2, size=(320, 240))
    source = open_stereo_source([f"images:{f}" for f in folders], CAMERAS)
    try:
        with pytest.raises(SourceOpenError, match="320x240 pictures but cam1 was calibrated at 640x480"):
            list(source.pictures())
    finally:
        source.close()


def _store_rig(home: Path) -> None:
    cameras = tuple(
        CalibratedCamera(m.name, f"webcam:{i}", m.size, m.matrix, m.distortion, m.rotation, m.translation, 0.1, 10)
        for i, m in enumerate(CAMERAS)
    )
    board = Board("checkerboard", 9, 6, 0.04)
    save_setup(home / "cameras", CameraSetup("rig", board, cameras, "2026-12-07 18:00 UTC", 0.1, 10))


def test_rehab_track_two_folders_writes_the_usual_csv(
    tmp_path: Path, projected_pose: None, capsys: pytest.CaptureFixture[str]
) -> None:
    folders = _folders(tmp_path, 5)
    _store_rig(tmp_path / "home")
    out = tmp_path / "angles.csv"
    source = f"images:{folders[0]}+images:{folders[1]}"
    argv = ["--home", str(tmp_path / "home"), "track", source, "--setup", "rig", "--csv", str(out), "--quiet", "--raw"]
    assert main(argv) == 0
    rows = list(csv.DictReader(out.open()))
    assert [int(row["frame"]) for row in rows] == list(range(5))
    assert [float(row["elbow_flexion_left"]) for row in rows] == pytest.approx([_elbow(i) for i in range(5)], abs=0.01)
    assert "Tracked 5 frames" in capsys.readouterr().out


def test_rehab_track_two_cameras_without_a_setup_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folders = _folders(tmp_path, 1)
    source = f"images:{folders[0]}+images:{folders[1]}"
    argv = ["--home", str(tmp_path / "home"), "track", source, "--csv", str(tmp_path / "a.csv")]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "no camera setup named 'default'" in err and "rehab cameras calibrate" in err


def _poster_views(
    photo_bgr: np.ndarray, cameras: list[CameraModel], width_m: float, depth_m: float
) -> list[np.ndarray]:
    """What each (distortion-free) camera sees of the photograph printed ``width_m`` wide on a flat
    poster ``depth_m`` in front of the first camera, facing it."""
    import cv2

    h, w = photo_bgr.shape[:2]
    scale = width_m / w  # metres per photo pixel; the poster's middle on the first camera's axis
    to_plane = np.array([[scale, 0, -width_m / 2], [0, scale, -scale * h / 2], [0, 0, 1.0]])
    pictures = []
    for camera in cameras:
        plane = np.column_stack(
            [camera.rotation[:, 0], camera.rotation[:, 1], camera.rotation @ [0, 0, depth_m] + camera.translation]
        )
        homography = camera.matrix @ plane @ to_plane
        pictures.append(cv2.warpPerspective(photo_bgr, homography, camera.size, borderValue=(90, 90, 90)))
    return pictures


def test_real_mediapipe_on_two_views_of_a_poster_triangulates_a_flat_person(tmp_path: Path) -> None:
    """The astronaut photograph on a flat poster 2 m away, filmed by two cameras 0.6 m apart: real
    MediaPipe in each view, paired and triangulated, must put her face and shoulders (what the photo
    shows) on the poster's plane: measured 0.6 cm RMS off it, tilted 8 degrees. Her hips and legs are not in the photo;
    MediaPipe places them on her arms in both views alike, so triangulation cannot catch them
    (docs/tracking.md, known failure), and they are left out here."""
    import cv2

    skimage_data = pytest.importorskip("skimage.data")
    rig = two_camera_rig(baseline_m=0.6, aim_m=2.0)
    cameras = [
        CameraModel(f"cam{i + 1}", c.size, c.matrix, np.zeros(5), c.rotation, c.translation) for i, c in enumerate(rig)
    ]
    views = _poster_views(skimage_data.astronaut()[:, :, ::-1], cameras, width_m=1.0, depth_m=2.0)
    paths = []
    for i, picture in enumerate(views):
        path = tmp_path / f"cam{i + 1}.avi"
        writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), 30.0, cameras[i].size)
        for _ in range(6):
            writer.write(picture)
        writer.release()
        paths.append(str(path))
    source = open_stereo_source(paths, cameras)
    try:
        poses = [picture.pose for picture in source.pictures()]
    finally:
        source.close()
    assert len(poses) == 6
    last = poses[-1]
    assert last.world is not None
    upper = np.arange(13)  # the face and the shoulders
    seen = last.world[upper][last.visibility[upper] > 0]
    assert len(seen) >= 11
    centred = seen - seen.mean(axis=0)
    normal = np.linalg.svd(centred)[2][-1]
    off_plane = np.sqrt(np.mean(np.square(centred @ normal)))
    assert off_plane < 0.025
    assert np.degrees(np.arccos(abs(normal[2]))) < 15.0  # the poster faces the first camera


def test_games_open_two_cameras_by_url_with_their_setup_file(tmp_path: Path, projected_pose: None) -> None:
    """What ``rehab play --input`` and sessions call: ``open_source`` with the setup named by its file."""
    from devices.base import UnknownSourceError, open_source

    folders = _folders(tmp_path, 4)
    _store_rig(tmp_path / "home")
    with pytest.raises(UnknownSourceError, match=r"add \?setup=FILE.json"):
        open_source("webcam:0+webcam:1")
    source = open_source(f"images:{folders[0]}+images:{folders[1]}?setup={tmp_path / 'home' / 'cameras' / 'rig.json'}")
    try:
        assert source.done.wait(timeout=60)  # type: ignore[attr-defined]
        frames = source.poll(0.0)
    finally:
        source.close()
    assert [f.frame_index for f in frames] == list(range(4))  # type: ignore[union-attr]
    elbows = [pose_angles(f).values["elbow_flexion_left"] for f in frames]  # type: ignore[arg-type]
    assert elbows == pytest.approx([_elbow(i) for i in range(4)], abs=1e-3)


class _Frames:
    """A grabber handing out given frames, one per ``get``, then nothing."""

    def __init__(self, *times: float) -> None:
        from devices.camera import Frame

        self.frames = [Frame(image=np.full((2, 2, 3), i, np.uint8), t=t, index=i) for i, t in enumerate(times)]
        self.reader = None

    def get(self, timeout: float | None = None):  # type: ignore[no-untyped-def]
        return self.frames.pop(0) if self.frames else None

    def feed(self, t: float, value: int) -> None:
        from devices.camera import Frame

        self.frames.append(Frame(image=np.full((2, 2, 3), value, np.uint8), t=t, index=value))


def test_live_cameras_pair_only_frames_taken_close_together() -> None:
    """Unsynchronised webcams: the newest frame of each is paired when they are within ``sync``;
    a frame too old for the other camera's newest is dropped, not paired late."""
    from devices.stereo_source import PairedGrabber

    first, second = _Frames(1.000), _Frames(1.080)
    paired = PairedGrabber([first, second], live=True, sync_s=0.05)  # type: ignore[list-item]
    assert paired.get(0.0) is None  # 80 ms apart: the first camera's older frame is dropped
    first.feed(1.066, 7)
    frame = paired.get(0.0)
    assert frame is not None and frame.t == 1.066 and paired.partner is not None and paired.partner[0, 0, 0] == 0
    assert paired.get(0.0) is None  # both used: wait for new ones
