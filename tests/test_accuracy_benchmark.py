"""The accuracy benchmark's own pieces (filter, camera aim, offline skip), and, when the recordings are
in the data cache, the whole measurement on them."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

import accuracy_data  # noqa: E402
import bench_accuracy  # noqa: E402

from rehab.core.multiview import CameraModel  # noqa: E402


def test_low_pass_keeps_slow_movement_and_removes_jitter() -> None:
    fps = 60.0
    t = np.arange(240) / fps
    slow, jitter = np.sin(2 * math.pi * 1.0 * t), 0.5 * np.sin(2 * math.pi * 20.0 * t)
    series = slow + jitter
    series[100:104] = np.nan  # a gap: each side filtered on its own, the gap stays a gap
    out = bench_accuracy._low_pass(series, fps)
    assert np.all(np.isnan(out[100:104]))
    inner = np.r_[20:80, 124:220]  # away from the ends of each run
    assert np.max(np.abs(out[inner] - slow[inner])) < 0.05
    assert np.max(np.abs(series[inner] - slow[inner])) > 0.4, "the jitter was there to remove"


def _camera_at(eye: np.ndarray, target: np.ndarray) -> CameraModel:
    forward = (target - eye) / np.linalg.norm(target - eye)
    right = np.cross(forward, [0.0, 0.0, 1.0])
    right /= np.linalg.norm(right)
    rotation = np.stack([right, np.cross(forward, right), forward])
    return CameraModel("c", (640, 480), np.eye(3), np.zeros(5), rotation, -rotation @ eye)


def test_aim_point_is_where_the_cameras_look() -> None:
    target = np.array([0.3, -0.2, 1.0])
    cameras = [_camera_at(np.array([4 * math.cos(a), 4 * math.sin(a), 2.0]), target) for a in (0.0, 1.5, 3.0, 4.5)]
    assert np.allclose(bench_accuracy.aim_point(cameras), target, atol=1e-9)


def test_offline_fetch_skips_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def offline(*args: object, **kwargs: object) -> subprocess.CompletedProcess[str]:
        return subprocess.CompletedProcess(args, 1, "", "ERROR: Could not find a version that satisfies pose2sim\n")

    monkeypatch.setattr(accuracy_data.subprocess, "run", offline)
    assert accuracy_data.fetch_demo(tmp_path) is None
    message = capsys.readouterr().err.strip()
    assert message.startswith("accuracy: skipped") and "\n" not in message
    assert "Could not find a version" in message


def test_cache_folder_follows_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REHAB_DATA_CACHE", str(tmp_path))
    assert accuracy_data.cache_dir() == tmp_path


def _cached_demo() -> Path | None:
    demo = accuracy_data.cache_dir() / "Demo_MultiPerson"
    outputs = list((accuracy_data.cache_dir() / "mediapipe").glob("cam0*.npz"))
    return demo if demo.is_dir() and len(outputs) >= 8 else None


def test_measurement_on_the_real_recordings() -> None:
    demo = _cached_demo()
    if demo is None:
        pytest.skip(
            "the Pose2Sim recordings and their MediaPipe outputs are not in the data cache; "
            "run python benchmarks/accuracy_data.py (downloads the pose2sim 0.10.49 wheel) first"
        )
    result = bench_accuracy.measure(demo)
    people = result["reference_people"]
    assert isinstance(people, list) and len(people) >= 2
    assert all(p["reprojection_px_median"] < 15 for p in people), "the calibration reading holds"
    singles = result["single_camera"]
    assert isinstance(singles, dict) and len(singles) == 4
    pairs = result["camera_pairs"]
    assert isinstance(pairs, dict)
    for pair in pairs.values():
        if pair["frames_both_on_same_person"] >= 50:
            assert pair["ours_triangulated"]["median_deg"] < pair["raw_mean_of_two_views"]["median_deg"]
    # issue #17: each view follows the person exercising, not the one standing in the background
    for name, single in singles.items():
        choice = single["with_patient_choice"]
        on_patient, on_other = choice["frames_on_exercising_person"], choice["frames_on_another_person"]
        assert on_patient["now"] > 2 * on_other["now"], name
        assert choice["frames_choosing_patient"] <= 40, name  # chosen within 40 frames of 60 fps
