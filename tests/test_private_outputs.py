"""Files holding a patient's movements are owner-only from their first byte (issue #13, privacy).

``rehab track`` CSVs and review videos, ``devices record`` recordings and the recordings written
for the demo are made 0600 (their folders 0700) under a umask that would give 0644, while they are
being written and not only once finished. The review video is encoded by OpenCV, which opens its
file by name: it is written in an owner-only scratch folder and renamed into place, so the target
never holds half a video. ``rehab track`` refuses, in one line and before the pose model loads, an
output in a missing folder or a video format it cannot write.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from rehab.app.cli import build_parser, main
from rehab.core.private_files import private_temp_folder

REHAB = str(Path(sys.executable).with_name("rehab"))
FRAMES = 8


def mode(path: Path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


@pytest.fixture(autouse=True)
def umask_022() -> Iterator[None]:
    """The usual umask, which makes new files 0644: an output left to it is readable by everyone."""
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("skimage.data")
    pytest.importorskip("cv2")
    from rehab.sim.clips import photo_clip

    return photo_clip(tmp_path_factory.mktemp("clip") / "astronaut.mp4", FRAMES)


def run_rehab(*argv: str) -> subprocess.CompletedProcess[str]:
    """The real command in its own process: what it prints on stderr is all the user sees."""
    env = dict(os.environ, SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy")
    return subprocess.run([REHAB, *argv], capture_output=True, text=True, timeout=300, env=env)


def test_track_csv_and_review_video_are_owner_only(clip: Path, tmp_path: Path) -> None:
    cv2 = pytest.importorskip("cv2")
    out_csv, out_video = tmp_path / "angles.csv", tmp_path / "review.mp4"
    assert main(["track", str(clip), "--csv", str(out_csv), "--video", str(out_video), "--quiet"]) == 0
    assert mode(out_csv) == mode(out_video) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["angles.csv", "review.mp4"]  # no scratch left
    assert len(out_csv.read_text().splitlines()) == FRAMES + 1
    review = cv2.VideoCapture(str(out_video))
    assert int(review.get(cv2.CAP_PROP_FRAME_COUNT)) == FRAMES


def test_track_outputs_are_owner_only_while_being_written(clip: Path, tmp_path: Path) -> None:
    """Mid-run, after real frames went to both outputs: the CSV already holds them at 0600; the
    video is only in an owner-only scratch folder (nobody else may enter it), not yet at its name."""
    from devices.base import SourceUrl
    from devices.pose_source import open_pose_source
    from rehab.app.cli.track import _Outputs
    from rehab.engine.tracking import AngleTracker

    out_csv, out_video = tmp_path / "angles.csv", tmp_path / "review.mp4"
    args = build_parser().parse_args(["track", str(clip), "--csv", str(out_csv), "--video", str(out_video)])
    outputs = _Outputs(args, 30.0)
    source = open_pose_source(SourceUrl.parse(str(clip)), keep_images=True)
    tracker, written = AngleTracker(), 0
    try:
        for picture in source.pictures():
            if picture is not None:
                outputs.write(tracker.update(picture.pose, picture.status, picture.media_t), picture)
                written += 1
            if written == 3:
                break
        outputs.csv_file.flush()  # type: ignore[union-attr]
        assert out_csv.stat().st_size > 0 and mode(out_csv) == 0o600
        assert not out_video.exists()
        (scratch,) = [p for p in tmp_path.iterdir() if p.name != "angles.csv"]
        assert scratch.name.startswith(".review.mp4.") and mode(scratch) == 0o700
        assert (scratch / "review.mp4").stat().st_size > 0 and mode(scratch / "review.mp4") == 0o600
    finally:
        source.close()
        outputs.close()
    assert mode(out_video) == 0o600 and out_video.stat().st_size > 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["angles.csv", "review.mp4"]


def test_a_forced_track_replaces_a_world_readable_file_with_an_owner_only_one(clip: Path, tmp_path: Path) -> None:
    out_csv, out_video = tmp_path / "angles.csv", tmp_path / "review.mp4"
    for old in (out_csv, out_video):
        old.write_text("an earlier run, readable by all")
        old.chmod(0o644)
    argv = ["track", str(clip), "--csv", str(out_csv), "--video", str(out_video), "--quiet", "--force"]
    assert main(argv) == 0
    assert mode(out_csv) == mode(out_video) == 0o600
    assert out_csv.read_text().startswith("time_s,frame,")
    assert out_video.stat().st_size > 1000


@pytest.mark.parametrize("option", ["--csv", "--video"])
def test_track_into_a_missing_folder_is_one_line_before_the_model_loads(
    clip: Path, tmp_path: Path, option: str
) -> None:
    """One line and nothing else on stderr: had the pose model loaded, MediaPipe's own start-up
    lines would be there too. Nothing is written, no folder is made (a typo is not a new folder)."""
    target = tmp_path / "missing" / ("out.csv" if option == "--csv" else "out.mp4")
    other = tmp_path / "other.csv"
    done = run_rehab("track", str(clip), option, str(target), *(["--csv", str(other)] * (option == "--video")))
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        f"rehab track: folder {tmp_path / 'missing'} does not exist; create it first or choose another file"
    ]
    assert list(tmp_path.iterdir()) == []


def test_a_video_format_opencv_cannot_write_is_refused_before_the_csv_is_started(clip: Path, tmp_path: Path) -> None:
    out_csv = tmp_path / "angles.csv"
    done = run_rehab("track", str(clip), "--csv", str(out_csv), "--video", str(tmp_path / "review.xyz"))
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        f"rehab track: cannot write video {tmp_path / 'review.xyz'}: no encoder for '.xyz' files; use .mp4"
    ]
    assert list(tmp_path.iterdir()) == []  # no CSV half written, no scratch folder left


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder made by the demo under umask 022: a session and its recordings."""
    home = tmp_path_factory.mktemp("private") / "home"
    old = os.umask(0o022)
    try:
        assert main(["--home", str(home), "demo"]) == 0
    finally:
        os.umask(old)
    return home


def test_the_demo_recordings_and_their_folder_are_owner_only(home: Path, tmp_path: Path) -> None:
    from devices.jsonl import write_recording

    recordings = home / "recordings"
    assert mode(home) == mode(recordings) == 0o700
    files = list(recordings.iterdir())
    assert files and {mode(p) for p in files} == {0o600}
    out = tmp_path / "rec.jsonl"
    assert write_recording(out, [], {"note": "empty"}) == 0
    assert mode(out) == 0o600


def test_devices_record_output_is_owner_only_from_its_first_line(home: Path, tmp_path: Path) -> None:
    from devices.recorder import LineWriter

    out = tmp_path / "rec.jsonl"
    writer = LineWriter(out, {"source": ["test"]})
    try:  # the meta line is on disk, flushed: already owner-only
        assert json.loads(out.read_text())["kind"] == "meta" and mode(out) == 0o600
    finally:
        writer.close()
    recording = next((home / "recordings").iterdir())
    recorded = tmp_path / "cli.jsonl"
    assert main(["devices", "record", f"replay:{recording}", "--seconds", "0.2", "--out", str(recorded)]) == 0
    assert mode(recorded) == 0o600 and recorded.read_text().startswith("{")


@pytest.mark.parametrize("umask", [0o000, 0o022, 0o277])
def test_a_private_scratch_folder_is_usable_owner_only_and_removed(tmp_path: Path, umask: int) -> None:
    target = tmp_path / "review.mp4"
    os.umask(umask)
    with private_temp_folder(target) as folder:
        assert folder.parent == tmp_path and mode(folder) == 0o700
        (folder / target.name).write_bytes(b"frames")  # a strict umask must not lock its owner out
    assert list(tmp_path.iterdir()) == []


def test_a_new_plan_file_names_its_patient_and_is_owner_only(tmp_path):
    from rehab.app.cli import main

    old = os.umask(0o022)
    try:
        out = tmp_path / "plans" / "p.toml"
        assert (
            main(
                ["--home", str(tmp_path), "plan", "new", "--template", "neck-pain"]
                + ["--patient", "P-0042", "--out", str(out)]
            )
            == 0
        )
    finally:
        os.umask(old)
    assert 'patient = "P-0042"' in out.read_text()
    assert out.stat().st_mode & 0o777 == 0o600 and out.parent.stat().st_mode & 0o777 == 0o700
