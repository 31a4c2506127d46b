"""``rehab track`` on a file: one and two worker processes give the same angles, the cut points
depend on the file alone, ``--quiet`` leaves stderr empty, and a missing output folder is one line.

Real MediaPipe on a clip made from a photograph; the commands run as the user runs them."""

import csv
import os
import subprocess
import sys

import pytest

from devices.pose_parallel import SEGMENT_MAX_FRAMES, WARMUP_FRAMES, segment_bounds
from rehab.app.cli import main
from rehab.sim.clips import photo_clip

FRAMES = 150  # two segments of 75 frames


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    # the half-body astronaut: an ambiguous picture, where a tracker started on another frame
    # disagrees most with one that followed the clip from its start
    return photo_clip(tmp_path_factory.mktemp("workers") / "clip.mp4", FRAMES, "astronaut")


def rehab(*args, cwd=None):
    env = {**os.environ, "SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy"}
    return subprocess.run(
        [sys.executable, "-m", "rehab", *map(str, args)], capture_output=True, text=True, env=env, cwd=cwd
    )


def angle_cells(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))[1:]
    return [row[2:] for row in rows]


def share_within(a, b, degrees=2.0):
    """The share of angle cells that are both empty, or both numbers within ``degrees``."""
    pairs = [(x, y) for ra, rb in zip(a, b, strict=True) for x, y in zip(ra, rb, strict=True)]
    same = sum(1 for x, y in pairs if (x == y == "") or (x and y and abs(float(x) - float(y)) <= degrees))
    return same / len(pairs)


@pytest.mark.parametrize("total", [0, 1, 119, 120, 300, 900, 1801, 5000, 100_000])
def test_segments_cover_the_file_once_in_an_even_number_of_equal_pieces(total):
    bounds = segment_bounds(total)
    assert [b for _, b in bounds[:-1]] == [a for a, _ in bounds[1:]]  # no gap, no overlap
    assert (bounds[0][0], bounds[-1][1]) == (0, total) if total else bounds == []
    assert all(b - a <= SEGMENT_MAX_FRAMES for a, b in bounds)
    assert len(bounds) <= 1 or len(bounds) % 2 == 0  # two workers finish together
    assert len(bounds) <= 1 or all(b - a > WARMUP_FRAMES for a, b in bounds)  # a seam is rarer than a warm-up


def test_one_and_two_workers_agree(clip, tmp_path, capsys):
    """The default moved from one worker to two: the angles must not move with it. With one
    continuous tracker for --workers 1 (the old design) this clip agreed on 72-76% of cells."""
    for workers in (1, 2):
        out = tmp_path / f"{workers}.csv"
        assert main(["track", str(clip), "--csv", str(out), "--quiet", "--workers", str(workers)]) == 0
    one, two = angle_cells(tmp_path / "1.csv"), angle_cells(tmp_path / "2.csv")
    assert len(one) == len(two) == FRAMES
    assert sum(cell != "" for row in one for cell in row) > FRAMES  # angles, not an empty table
    assert share_within(one, two) >= 0.99


def test_quiet_track_prints_nothing_on_stderr(clip, tmp_path):
    """TensorFlow Lite's and absl's start-up lines used to come through even with --quiet."""
    done = rehab("track", clip, "--quiet", "--csv", tmp_path / "x.csv")
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert "Tracked 150 frames" in done.stdout


def test_csv_into_a_missing_folder_is_one_line(clip, tmp_path):
    done = rehab("track", clip, "--quiet", "--csv", tmp_path / "not here" / "x.csv")
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stderr.strip().count("\n") == 0
    assert "does not exist" in done.stderr
    assert not (tmp_path / "not here").exists()
