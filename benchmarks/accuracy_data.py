"""Real multi-camera recordings for ``bench_accuracy.py``, fetched into a cache, never into the repo.

The recordings are Pose2Sim's ``Demo_MultiPerson`` (four calibrated 60 fps cameras, two people in a
lab; BSD-3-Clause, https://github.com/perfanalytics/pose2sim), taken from the ``pose2sim==0.10.49``
wheel with ``python -m pip download --no-deps``. The cache is ``$REHAB_DATA_CACHE`` or the user
cache folder (platformdirs). MediaPipe's outputs per video are cached there too, so a rerun does
not run the pose model again.

Run it alone to fetch and prepare everything: ``python benchmarks/accuracy_data.py``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

WHEEL = "pose2sim==0.10.49"
DEMO = "Pose2Sim/Demo_MultiPerson/"
VIDEOS = ("cam01.mp4", "cam02.mp4", "cam03.mp4", "cam04.mp4")
CALIBRATION = "calibration/Calib.qca.txt"
#: bump when what is cached changes, so stale outputs are not read
CACHE_VERSION = 1


def cache_dir() -> Path:
    env = os.environ.get("REHAB_DATA_CACHE")
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_cache_dir("rehab")) / "accuracy"


def fetch_demo(cache: Path | None = None) -> Path | None:
    """The demo folder (videos and calibration), downloading the wheel once; None when offline."""
    cache = cache or cache_dir()
    demo = cache / "Demo_MultiPerson"
    needed = [demo / "videos" / v for v in VIDEOS] + [demo / CALIBRATION]
    if all(p.is_file() for p in needed):
        return demo
    wheels = cache / "wheels"
    wheels.mkdir(parents=True, exist_ok=True)
    found = sorted(wheels.glob("pose2sim-0.10.49-*.whl"))
    if not found:
        command = [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", WHEEL, "-d", str(wheels)]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=600)
        except (OSError, subprocess.TimeoutExpired) as error:
            print(f"accuracy: skipped, could not download {WHEEL}: {error}", file=sys.stderr)
            return None
        found = sorted(wheels.glob("pose2sim-0.10.49-*.whl"))
        if done.returncode != 0 or not found:
            last = (done.stderr.strip().splitlines() or ["no wheel"])[-1]
            print(f"accuracy: skipped, could not download {WHEEL} (offline?): {last}", file=sys.stderr)
            return None
    with zipfile.ZipFile(found[0]) as wheel:
        for rel in [f"videos/{v}" for v in VIDEOS] + [CALIBRATION]:
            target = demo / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(wheel.read(DEMO + rel))
    return demo


@dataclass(frozen=True)
class Track:
    """MediaPipe's output for every frame of one video: NaN where nobody was found.

    ``image`` (F, P, 33, 3) normalised image landmarks, ``world`` (F, P, 33, 3) world landmarks,
    ``visibility`` (F, P, 33) as MediaPipe gave it; P is 1 for the tracker, up to ``people`` for
    the per-frame detections used to build the reference.
    """

    image: np.ndarray
    world: np.ndarray
    visibility: np.ndarray
    fps: float
    size: tuple[int, int]


def _read_frames(video: Path) -> tuple[list[np.ndarray], float]:
    import cv2

    capture = cv2.VideoCapture(str(video))
    fps = float(capture.get(cv2.CAP_PROP_FPS)) or 30.0
    frames = []
    while True:
        ok, image = capture.read()
        if not ok:
            break
        frames.append(image)
    capture.release()
    return frames, fps


def _raw_landmarks(pose: object, rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    result = pose.process(rgb)  # type: ignore[attr-defined]
    if result.pose_landmarks is None or result.pose_world_landmarks is None:
        return None
    image = np.array([[p.x, p.y, p.z] for p in result.pose_landmarks.landmark])
    vis = np.array([p.visibility for p in result.pose_landmarks.landmark])
    world = np.array([[p.x, p.y, p.z] for p in result.pose_world_landmarks.landmark])
    return image, world, vis


def _run_mediapipe(video: Path, people: int) -> Track:
    """people == 1: tracking mode as ``rehab track`` runs it (the same model and settings, without
    the patient lock, which the benchmark applies afterwards so it can count what the lock drops).
    people > 1: each picture on its own, finding a person, greying their box out, and looking again."""
    import mediapipe as mp

    frames, fps = _read_frames(video)
    height, width = frames[0].shape[:2]
    shape = (len(frames), people, 33)
    image, world, vis = np.full((*shape, 3), np.nan), np.full((*shape, 3), np.nan), np.full(shape, np.nan)
    pose = mp.solutions.pose.Pose(
        static_image_mode=people > 1,
        model_complexity=1,
        smooth_landmarks=people == 1,
        min_detection_confidence=0.5,
        min_tracking_confidence=0.5,
    )
    for f, bgr in enumerate(frames):
        rgb = np.ascontiguousarray(bgr[:, :, ::-1])
        for p in range(people):
            found = _raw_landmarks(pose, rgb)
            if found is None:
                break
            image[f, p], world[f, p], vis[f, p] = found
            xs, ys = found[0][:, 0] * width, found[0][:, 1] * height
            pad_x, pad_y = 0.1 * (xs.max() - xs.min()), 0.05 * (ys.max() - ys.min())
            x0, x1 = int(max(xs.min() - pad_x, 0)), int(min(xs.max() + pad_x, width))
            y0, y1 = int(max(ys.min() - pad_y, 0)), int(min(ys.max() + pad_y, height))
            rgb = rgb.copy()
            rgb[y0:y1, x0:x1] = 127
    pose.close()
    return Track(image, world, vis, fps, (width, height))


def mediapipe_track(video: Path, people: int = 1, cache: Path | None = None) -> Track:
    """MediaPipe's output for ``video``, from the cache when it was computed before."""
    import mediapipe as mp

    cache = cache or cache_dir()
    stored = cache / "mediapipe" / f"{video.stem}.p{people}.mp{mp.__version__}.v{CACHE_VERSION}.npz"
    if stored.is_file():
        data = np.load(stored)
        size = tuple(int(v) for v in data["size"])
        return Track(data["image"], data["world"], data["visibility"], float(data["fps"]), (size[0], size[1]))
    track = _run_mediapipe(video, people)
    stored.parent.mkdir(parents=True, exist_ok=True)
    partial = stored.with_suffix(".partial.npz")
    np.savez_compressed(
        partial, image=track.image, world=track.world, visibility=track.visibility, fps=track.fps, size=track.size
    )
    partial.replace(stored)
    return track


def prepare(cache: Path | None = None) -> Path | None:
    """Fetch the demo and compute every MediaPipe output the benchmark needs (one process at a time)."""
    demo = fetch_demo(cache)
    if demo is None:
        return None
    for name in VIDEOS:
        for people in (1, 3):
            mediapipe_track(demo / "videos" / name, people, cache)
            print(f"accuracy data: {name} people={people} ready", file=sys.stderr)
    return demo


if __name__ == "__main__":
    sys.exit(0 if prepare() is not None else 1)
